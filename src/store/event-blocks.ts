// A run's event log as the store keeps it (schema version 12): blocks of up to BLOCK_EVENTS
// canonical lines, brotli-compressed at quality 0 or kept as text, with their seq range and
// kinds as columns. Blocks never span a transaction, so the store holds a gap-free prefix of
// the log ending at a commit. Why blocks, and the encodings:
// docs/0070-store-service-and-cli-notes.md#srcstoreevent-blocksts.
import type Database from 'better-sqlite3';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';

/** Entries per block at most: about 48 KiB for an order-heavy run's lines. */
export const BLOCK_EVENTS = 256;
/** A block is closed early once its lines reach this many bytes (a few huge entries). */
export const BLOCK_BYTES = 256 * 1024;

/** How a block's bytes are its lines: as they are (UTF-8), or that compressed by brotli. */
export type BlockEncoding = 'text' | 'brotli';

/** Inserts a run's blocks; the caller holds the transaction and cuts its lines into blocks. */
export class EventBlockWriter {
  private readonly insert: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runId: string,
  ) {
    this.insert = db.prepare(
      'INSERT INTO event_blocks (run_id, first_seq, last_seq, kinds, encoding, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** A block already encoded (BlockSealer's). */
  insertSealed(b: {
    readonly firstSeq: number;
    readonly lastSeq: number;
    readonly kinds: string;
    readonly encoding: BlockEncoding;
    readonly data: Uint8Array;
  }): void {
    this.insert.run(this.runId, b.firstSeq, b.lastSeq, b.kinds, b.encoding, b.data);
  }

  /** One block: the lines of entries `firstSeq` to `lastSeq` (whole lines, in order) and the kinds
   *  they hold. */
  write(firstSeq: number, lastSeq: number, kinds: Iterable<string>, lines: Uint8Array): void {
    const { encoding, data } = encodeEventBlock(lines);
    this.insert.run(this.runId, firstSeq, lastSeq, kindsColumn(kinds), encoding, data);
  }
}

/** Blocks smaller than this stay text: a durable writer's block of one commit (a dozen lines,
 *  about 2.5 KB) saves little by compression and pays an encoder's start (10-40 us) for each of
 *  its thousands of commits. */
export const COMPRESS_FROM_BYTES = 8 * 1024;

/** A block's bytes: its lines compressed by brotli at its fastest setting (quality 0), or as
 *  they are when fewer than COMPRESS_FROM_BYTES. */
export function encodeEventBlock(lines: Uint8Array): { encoding: BlockEncoding; data: Uint8Array } {
  if (lines.byteLength < COMPRESS_FROM_BYTES) return { encoding: 'text', data: lines };
  const data = brotliCompressSync(lines, {
    // A window of 256 KB (a block's most, BLOCK_BYTES) instead of the default 4 MB: the same
    // output, and an encoder about half as costly to set up for each block.
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: 0,
      [zlib.BROTLI_PARAM_LGWIN]: 18,
      [zlib.BROTLI_PARAM_SIZE_HINT]: lines.byteLength,
    },
  });
  return { encoding: 'brotli', data };
}

/** The kinds column: each kind once, between spaces (" A B "), so a kind is found as " K ". */
export const kindsColumn = (kinds: Iterable<string>): string => ` ${[...new Set(kinds)].sort().join(' ')} `;

const NO_BYTES = new Uint8Array(0);

/** Cuts lines into blocks as they are added: at BLOCK_EVENTS entries or BLOCK_BYTES bytes. The
 *  lines of one block are one range of one buffer (the caller's), so a block is written from it
 *  without a copy. */
export class BlockCutter {
  private buffer: Uint8Array = NO_BYTES;
  private from = 0;
  private to = 0;
  private firstSeq = 0;
  private count = 0;
  private readonly kinds = new Set<string>();

  constructor(private readonly writer: EventBlockWriter) {}

  /** The line of entry `seq` (of `kind`) is `buffer[from, to)`; the lines added before it in a
   *  block continue up to `from` in the same buffer, or the block is closed first. */
  line(buffer: Uint8Array, seq: number, kind: string, from: number, to: number): void {
    if (
      this.count > 0 &&
      (buffer !== this.buffer ||
        from !== this.to ||
        seq !== this.firstSeq + this.count ||
        this.count >= BLOCK_EVENTS ||
        to - this.from > BLOCK_BYTES)
    )
      this.end();
    if (this.count === 0) {
      this.buffer = buffer;
      this.from = from;
      this.firstSeq = seq;
    }
    this.to = to;
    this.count++;
    this.kinds.add(kind);
  }

  /** Writes the open block, if any (the end of a buffer or of a transaction). */
  end(): void {
    if (this.count === 0) return;
    const { buffer, from, to, firstSeq, count } = this;
    const kinds = [...this.kinds];
    this.reset();
    this.writer.write(firstSeq, firstSeq + count - 1, kinds, buffer.subarray(from, to));
  }

  /** Forgets the open block (its transaction rolled back: a write starts a block of its own). */
  reset(): void {
    this.count = 0;
    this.kinds.clear();
    this.buffer = NO_BYTES;
  }
}

/** A stored entry as its line gives it: [seq, time, kind, payload JSON]. */
export type StoredLine = [number, number, string, string];

/** A stored block's text and where each of its lines starts (and, last, where the text ends): its
 *  lines are read one by one, only those a read wants (BlockText.line). */
export interface BlockText {
  readonly firstSeq: number;
  readonly text: string;
  /** Line i is text[starts[i], starts[i + 1] - 1) (without its newline). */
  readonly starts: readonly number[];
}

/** A stored block's text, or what is wrong with it (the database edited by hand or damaged): not
 *  a blob, an encoding execsim does not write, or another number of lines than the entries
 *  firstSeq..lastSeq. */
export function blockText(firstSeq: number, lastSeq: number, encoding: unknown, data: unknown): BlockText | string {
  if (!(data instanceof Uint8Array)) return 'the block is not a blob';
  let bytes: Buffer;
  if (encoding === 'text') bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  else if (encoding === 'brotli') {
    try {
      bytes = brotliDecompressSync(data);
    } catch {
      return 'its brotli data does not decompress';
    }
  } else return `its encoding is ${JSON.stringify(encoding)}, neither brotli nor text`;
  const text = bytes.toString('utf8');
  const count = lastSeq - firstSeq + 1;
  const starts = [0];
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1);
  if (starts[starts.length - 1] !== text.length) starts.push(text.length + 1);
  const lines = starts.length - 1;
  if (lines !== count) return `the block holds ${lines} events, not the ${count} from seq ${firstSeq} to ${lastSeq}`;
  return { firstSeq, text, starts };
}

/** The kind of line `i` (null when the line has no kind where one belongs: lineOf says why). */
export function kindOf(b: BlockText, i: number): string | null {
  const at = b.starts[i] as number;
  const s1 = b.text.indexOf(' ', at);
  const s2 = s1 < 0 ? -1 : b.text.indexOf(' ', s1 + 1);
  const s3 = s2 < 0 ? -1 : b.text.indexOf(' ', s2 + 1);
  return s3 < 0 || s3 >= (b.starts[i + 1] as number) - 1 ? null : b.text.slice(s2 + 1, s3);
}

/** Line `i` of a block as [seq, time, kind, payload], or what is wrong with it: it is not "seq
 *  time kind payload", or not of the seq its place in the block gives it. */
export function lineOf(b: BlockText, i: number): StoredLine | string {
  const { text, starts } = b;
  const at = starts[i] as number;
  const end = (starts[i + 1] as number) - 1;
  const expected = b.firstSeq + i;
  const s1 = text.indexOf(' ', at);
  const s2 = s1 < 0 ? -1 : text.indexOf(' ', s1 + 1);
  const s3 = s2 < 0 ? -1 : text.indexOf(' ', s2 + 1);
  if (end >= text.length || s3 < 0 || s3 >= end)
    return `line ${i + 1} is not "seq time kind payload" (where seq ${expected} should be)`;
  const seq = Number(text.slice(at, s1));
  if (seq !== expected) return `line ${i + 1} has seq ${text.slice(at, s1)} where ${expected} should be`;
  const time = Number(text.slice(s1 + 1, s2));
  if (s2 === s1 + 1 || !Number.isFinite(time)) return `event seq ${seq} has no valid time`;
  if (s3 === s2 + 1) return `event seq ${seq} has no kind`;
  return [seq, time, text.slice(s2 + 1, s3), text.slice(s3 + 1, end)];
}

/** Every line of a stored block, or the first thing wrong with it (blockText, lineOf). */
export function decodeEventBlock(
  firstSeq: number,
  lastSeq: number,
  encoding: unknown,
  data: unknown,
): StoredLine[] | string {
  const b = blockText(firstSeq, lastSeq, encoding, data);
  if (typeof b === 'string') return b;
  const out: StoredLine[] = [];
  for (let i = 0; i < b.starts.length - 1; i++) {
    const line = lineOf(b, i);
    if (typeof line === 'string') return line;
    out.push(line);
  }
  return out;
}
