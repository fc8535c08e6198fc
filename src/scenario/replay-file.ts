// Reads recorded replay files (plain or gzipped, several as one stream) line by line, synchronously
// and in bounded memory: lines are byte ranges of a decompressed chunk, never one string per line.
// Pull API: `while (reader.next()) parse(reader.bytes, reader.start, reader.end)`; the range is
// valid until the next call. Line numbering, recordedSymbol() and what is refused:
// docs/0070-store-service-and-cli-notes.md#srcscenarioreplay-filets.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { Gunzip } from 'fflate';

export class ReplayFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayFileError';
  }
}

export interface ReplayFileOptions {
  /** Bytes per read from disk (default 64 KiB; decompressed chunks are ~8x that for gzip). */
  readonly chunkBytes?: number;
  /**
   * Gzip files up to this size (default 16 MiB compressed) are inflated whole by node's zlib,
   * about 3x faster than streaming through fflate; larger ones stream in bounded memory.
   */
  readonly wholeFileMaxBytes?: number;
}

const NL = 10;
const CR = 13;
const decoder = new TextDecoder();
/** Buffer's indexOf is a memchr; Uint8Array's is a plain loop, ~2.5x slower here. */
const indexOfByte = Buffer.prototype.indexOf as (this: Uint8Array, value: number, from: number) => number;

/** Magic numbers of formats we refuse by name rather than as "binary". */
const KNOWN_BINARY: ReadonlyArray<[string, number[]]> = [
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
];

export class ReplayFileReader {
  /** The current line is bytes[start, end). */
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  /** File of the current line. */
  file = '';
  /** Line number of the current line within its file (1-based). */
  lineNo = 0;

  private readonly files: readonly string[];
  private readonly chunkBytes: number;
  private readonly wholeFileMax: number;
  private fileIndex = -1;
  private fd = -1;
  private gunzip: Gunzip | null = null;
  private eof = true;
  /** Decompressed (or plain) chunks not yet split. */
  private queue: Uint8Array[] = [];
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** A line that spans chunks, gathered here. */
  private carry = new Uint8Array(4096);
  private carryLen = 0;
  private nextLineNo = 1;

  constructor(files: string | readonly string[], options: ReplayFileOptions = {}) {
    this.files = typeof files === 'string' ? [files] : files;
    this.chunkBytes = options.chunkBytes ?? 65_536;
    this.wholeFileMax = options.wholeFileMaxBytes ?? 16 * 1024 * 1024;
    if (!(Number.isInteger(this.chunkBytes) && this.chunkBytes > 0))
      throw new ReplayFileError('chunkBytes must be a positive integer');
    if (this.files.length === 0) throw new ReplayFileError('no replay files given');
    for (const file of this.files) {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        throw new ReplayFileError(`${file}: replay file not found`);
      }
      if (!stat.isFile()) throw new ReplayFileError(`${file}: not a file`);
    }
  }

  /** Advances to the next non-empty line; false after the last line of the last file. */
  next(): boolean {
    while (true) {
      const chunk = this.chunk;
      if (this.pos < chunk.length) {
        const nl = indexOfByte.call(chunk, NL, this.pos);
        if (nl >= 0) {
          const lineNo = this.nextLineNo++;
          if (this.carryLen === 0) {
            const start = this.pos;
            this.pos = nl + 1;
            if (this.emit(chunk, start, nl, lineNo)) return true;
          } else {
            this.append(chunk, this.pos, nl);
            this.pos = nl + 1;
            const len = this.carryLen;
            this.carryLen = 0;
            if (this.emit(this.carry, 0, len, lineNo)) return true;
          }
          continue;
        }
        this.append(chunk, this.pos, chunk.length);
        this.pos = chunk.length;
      }
      if (!this.pull()) {
        // end of this file: a last line without a newline, then the next file
        if (this.carryLen > 0) {
          const len = this.carryLen;
          this.carryLen = 0;
          if (this.emit(this.carry, 0, len, this.nextLineNo++)) return true;
        }
        if (!this.openNext()) return false;
      }
    }
  }

  /** The current line as a string. */
  text(): string {
    return decoder.decode(this.bytes.subarray(this.start, this.end));
  }

  /** Every remaining line as { file, lineNo, text }. */
  *lines(): Generator<{ file: string; lineNo: number; text: string }> {
    while (this.next()) yield { file: this.file, lineNo: this.lineNo, text: this.text() };
  }

  /** Closes the open file early (the reader also closes each file at its end). */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.eof = true;
    this.fileIndex = this.files.length;
    this.queue = [];
    this.chunk = new Uint8Array(0);
    this.pos = 0;
    this.carryLen = 0;
  }

  private emit(bytes: Uint8Array, start: number, end: number, lineNo: number): boolean {
    if (lineNo === 1) start = afterBom(bytes, start, end);
    if (end > start && bytes[end - 1] === CR) end--;
    if (end === start) return false;
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.lineNo = lineNo;
    this.file = this.files[this.fileIndex] as string;
    return true;
  }

  private append(src: Uint8Array, from: number, to: number): void {
    const need = this.carryLen + (to - from);
    if (need > this.carry.length) {
      const grown = new Uint8Array(Math.max(need, this.carry.length * 2));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen = need;
  }

  /** Makes the next chunk of the current file current; false at its end. */
  private pull(): boolean {
    while (this.queue.length === 0) {
      if (this.eof) return false;
      this.readMore();
    }
    this.chunk = this.queue.shift() as Uint8Array;
    this.pos = 0;
    return true;
  }

  private readMore(): void {
    const file = this.files[this.fileIndex] as string;
    const buf = new Uint8Array(this.chunkBytes); // fresh: fflate may keep a view of its input
    const n = fs.readSync(this.fd, buf, 0, buf.length, null);
    if (n === 0) {
      this.eof = true;
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    const data = n === buf.length ? buf : buf.subarray(0, n);
    if (this.gunzip === null) {
      if (n > 0) this.queue.push(data);
      return;
    }
    try {
      this.gunzip.push(data, n === 0);
    } catch (e) {
      throw new ReplayFileError(`${file}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }

  private openNext(): boolean {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.fileIndex++;
    if (this.fileIndex >= this.files.length) return false;
    const file = this.files[this.fileIndex] as string;
    try {
      this.fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new ReplayFileError(`${file}: cannot open replay file (${(e as Error).message})`);
    }
    this.eof = false;
    this.nextLineNo = 1;
    const head = new Uint8Array(this.chunkBytes);
    const n = fs.readSync(this.fd, head, 0, head.length, null);
    const data = head.subarray(0, n);
    if (n === 0) {
      this.eof = true; // an empty file: no lines
      this.gunzip = null;
      return true;
    }
    if (n >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
      const size = fs.fstatSync(this.fd).size;
      if (size <= this.wholeFileMax) {
        this.inflateWhole(file, data, size);
        return true;
      }
      const gunzip = new Gunzip((out) => {
        if (out.length > 0) this.queue.push(out);
      });
      this.gunzip = gunzip;
      try {
        gunzip.push(data, false); // the end is signalled by an empty final push in readMore
      } catch (e) {
        throw new ReplayFileError(`${file}: gzip data is corrupt or truncated (${(e as Error).message})`);
      }
      return true;
    }
    this.gunzip = null;
    refuseBinary(file, data);
    if (n > 0) this.queue.push(data);
    return true;
  }

  /** Reads the rest of a small gzip file and inflates it in one call (node's zlib, native). */
  private inflateWhole(file: string, head: Uint8Array, size: number): void {
    const all = new Uint8Array(size);
    all.set(head, 0);
    let at = head.length;
    while (at < size) {
      const n = fs.readSync(this.fd, all, at, size - at, null);
      if (n === 0) break;
      at += n;
    }
    fs.closeSync(this.fd);
    this.fd = -1;
    this.eof = true;
    this.gunzip = null;
    let out: Buffer;
    try {
      out = zlib.gunzipSync(all.subarray(0, at));
    } catch (e) {
      throw new ReplayFileError(`${file}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
    if (out.length > 0) this.queue.push(new Uint8Array(out.buffer, out.byteOffset, out.length));
  }
}

/** Where a file's first line starts past a UTF-8 byte order mark (EF BB BF), which spreadsheet
 *  programs write before a CSV: it says the text is UTF-8 and is no part of the line. */
export function afterBom(bytes: Uint8Array, start: number, end: number): number {
  return end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf
    ? start + 3
    : start;
}

/**
 * The symbol a Binance recording is for, upper-cased: the `<symbol>@` of the first
 * combined-stream message among its first `maxLines` lines (the REST snapshot names none);
 * null when none of them names one. Streams the file, so only its first chunks are read.
 */
export function recordedSymbol(file: string, maxLines = 1_000): string | null {
  const reader = new ReplayFileReader([file], { wholeFileMaxBytes: 0 });
  try {
    for (let n = 0; n < maxLines && reader.next(); n++) {
      const head = decoder.decode(reader.bytes.subarray(reader.start, Math.min(reader.end, reader.start + 256)));
      // A file that is no recording (a scenario named by mistake, a CSV) is said at validation,
      // in the words the run would use at its first line, rather than failing the run at once.
      if (head.trim() !== '' && !/^\d+ /.test(head))
        throw new ReplayFileError(
          `${file}: line ${n + 1}: expected "<receive time ns> <json>": the line must start with digits and a space`,
        );
      const m = /^\d+ \{\s*"stream"\s*:\s*"([^"@]+)@/.exec(head);
      if (m !== null) return (m[1] as string).toUpperCase();
    }
    return null;
  } finally {
    reader.close();
  }
}

/** Plain text only: refuses known archive formats by name and other binary data. */
function refuseBinary(file: string, head: Uint8Array): void {
  for (const [name, magic] of KNOWN_BINARY) {
    if (magic.every((byte, i) => head[i] === byte)) {
      throw new ReplayFileError(`${file}: looks like ${name}; replay files must be gzip or plain text`);
    }
  }
  const probe = head.subarray(0, 4096);
  for (let i = 0; i < probe.length; i++) {
    const c = probe[i] as number;
    if (c === 0 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) {
      throw new ReplayFileError(
        `${file}: neither gzip nor text (binary byte 0x${c.toString(16).padStart(2, '0')} at offset ${i})`,
      );
    }
  }
}
