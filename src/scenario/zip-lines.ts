// The lines of the one file inside a .zip archive (Binance's daily archives are one CSV each; an
// archive of several, or of none, is refused, not read in part), streamed: the entry's local
// header gives where its data starts and how it is stored, and its deflate stream is inflated a
// chunk at a time (fflate), so a day of trades is never in memory whole. A LineSource like the
// replay's file reader: lines are byte ranges, numbered from 1.
import fs from 'node:fs';
import { Inflate } from 'fflate';
import type { LineSource } from '../sim/replay/tardis-row-stream.ts';
import { afterBom, ReplayFileError } from './replay-file.ts';

const NL = 10;
const CR = 13;
const CHUNK = 65_536;
const indexOfByte = Buffer.prototype.indexOf as (this: Uint8Array, value: number, from: number) => number;

export class ZipLines implements LineSource {
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  lineNo = 0;
  private readonly fd: number;
  private readonly queue: Uint8Array[] = [];
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private carry: Uint8Array = new Uint8Array(0);
  private inflate: Inflate | null = null;
  private done = false;
  private ended = false;

  /** The name of the entry read (as its local header gives it). */
  readonly entry: string;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'r');
    // Read one entry, or none: an archive of several is refused rather than read in part.
    const central = this.centralDirectory();
    if (central !== null && central.entries === 0)
      this.fail('holds no rows (the archive has no entries): there is nothing to replay');
    if (central !== null && central.entries > 1) {
      const more = central.names.length < central.entries ? ', ...' : '';
      this.fail(
        `holds ${central.entries} entries (${central.names.join(', ')}${more}); ` +
          'a trade or kline archive holds one CSV: unzip it and give each CSV as its own file',
      );
    }
    const head = new Uint8Array(30);
    const n = fs.readSync(this.fd, head, 0, 30, 0);
    const view = new DataView(head.buffer);
    if (n < 30 || view.getUint32(0, true) !== 0x04034b50) this.fail('not a zip archive (no local file header)');
    const flags = view.getUint16(6, true);
    const method = view.getUint16(8, true);
    const size = view.getUint32(18, true);
    const nameLength = view.getUint16(26, true);
    const dataAt = 30 + nameLength + view.getUint16(28, true);
    const name = new Uint8Array(nameLength);
    fs.readSync(this.fd, name, 0, nameLength, 30);
    this.entry = new TextDecoder().decode(name);
    if (flags & 1) this.fail('the entry is encrypted');
    if (method === 8) this.inflate = new Inflate((data) => void (data.length > 0 && this.queue.push(data)));
    else if (method !== 0) this.fail(`the entry is stored with method ${method}; expected deflate or none`);
    // With a data descriptor (flag 8) the local header's size is 0: the central directory has it.
    if (flags & 8 && central === null) this.fail('no central directory: the archive is truncated');
    this.left = flags & 8 ? (central?.firstSize as number) : size;
    this.readAt = dataAt;
  }

  private readAt: number;
  /** Bytes of the entry's (compressed) data still to read. */
  private left: number;

  /** From the central directory the end record points to: how many entries the archive holds,
   *  the names of the first few and the first one's compressed size; null when there is no end
   *  record or the directory is not where it says (a truncated archive). */
  private centralDirectory(): { entries: number; names: string[]; firstSize: number } | null {
    const size = fs.fstatSync(this.fd).size;
    const tailLen = Math.min(size, 65_557);
    const tail = new Uint8Array(tailLen);
    fs.readSync(this.fd, tail, 0, tailLen, size - tailLen);
    const view = new DataView(tail.buffer);
    for (let i = tailLen - 22; i >= 0; i--) {
      if (view.getUint32(i, true) !== 0x06054b50) continue;
      const entries = view.getUint16(i + 10, true);
      if (entries === 0) return { entries, names: [], firstSize: 0 };
      // The first few entries are enough to name them.
      const dir = new Uint8Array(Math.min(view.getUint32(i + 12, true), 4096));
      const n = fs.readSync(this.fd, dir, 0, dir.length, view.getUint32(i + 16, true));
      const dv = new DataView(dir.buffer);
      const names: string[] = [];
      let firstSize = -1;
      for (let at = 0; names.length < Math.min(entries, 5) && at + 46 <= n;) {
        if (dv.getUint32(at, true) !== 0x02014b50) break;
        if (firstSize < 0) firstSize = dv.getUint32(at + 20, true);
        const nameLength = dv.getUint16(at + 28, true);
        names.push(new TextDecoder().decode(dir.subarray(at + 46, Math.min(n, at + 46 + nameLength))));
        at += 46 + nameLength + dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
      }
      return firstSize < 0 ? null : { entries, names, firstSize };
    }
    return null;
  }

  next(): boolean {
    while (true) {
      if (this.pos < this.chunk.length) {
        const nl = indexOfByte.call(this.chunk, NL, this.pos);
        if (nl >= 0) {
          this.lineNo++;
          let bytes = this.chunk;
          let s = this.pos;
          if (this.carry.length > 0) {
            bytes = concat(this.carry, this.chunk.subarray(this.pos, nl));
            s = 0;
            this.carry = new Uint8Array(0);
            this.pos = nl + 1;
            if (this.emit(bytes, s, bytes.length)) return true;
            continue;
          }
          this.pos = nl + 1;
          if (this.emit(bytes, s, nl)) return true;
          continue;
        }
        this.carry = concat(this.carry, this.chunk.subarray(this.pos));
        this.pos = this.chunk.length;
      }
      const more = this.queue.shift();
      if (more !== undefined) {
        this.chunk = more;
        this.pos = 0;
        continue;
      }
      if (!this.done) {
        this.readMore();
        continue;
      }
      if (this.carry.length > 0) {
        const last = this.carry;
        this.carry = new Uint8Array(0);
        this.lineNo++;
        if (this.emit(last, 0, last.length)) return true;
      }
      this.close();
      return false;
    }
  }

  close(): void {
    if (!this.ended) fs.closeSync(this.fd);
    this.ended = true;
    this.done = true;
  }

  private emit(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.lineNo === 1) start = afterBom(bytes, start, end);
    if (end > start && bytes[end - 1] === CR) end--;
    if (end === start) return false;
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    return true;
  }

  private readMore(): void {
    const want = Math.min(CHUNK, this.left);
    const buf = new Uint8Array(want); // fresh: fflate may keep a view of its input
    const n = want === 0 ? 0 : fs.readSync(this.fd, buf, 0, want, this.readAt);
    this.readAt += n;
    this.left -= n;
    const last = n === 0 || this.left === 0;
    if (n === 0 && this.left > 0) this.fail('the archive ends inside its entry: truncated');
    const data = buf.subarray(0, n);
    if (this.inflate === null) {
      if (n > 0) this.queue.push(data);
    } else {
      try {
        this.inflate.push(data, last);
      } catch (e) {
        this.fail(`the compressed data is corrupt or truncated (${(e as Error).message})`);
      }
    }
    if (last) this.done = true;
  }

  /** Refuses the archive, closing it first: a server reading many files must not keep the
   *  refused ones open. */
  private fail(problem: string): never {
    this.close();
    throw new ReplayFileError(`${this.file}: ${problem}`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
