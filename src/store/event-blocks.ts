// A run's event log as the store keeps it (schema version 12): many entries to a row. A block is
// the canonical lines ("seq time kind payload\n", the digest's own text) of up to BLOCK_EVENTS
// consecutive entries, compressed with brotli (or kept as text when that would not pay), with
// its first and last seq and the kinds it holds as columns: a seq range is one range of the
// (run_id, last_seq) index, and a read of a few kinds decodes only the blocks that hold them.
// Blocks never span a transaction: a writer stores the whole units of one transaction in blocks
// of their own, so the store still holds a gap-free prefix of the log ending at a commit.
// Why: a row, a B-tree entry in the kind index and the payload's pages through the WAL and the
// checkpoint for every entry cost an order-heavy run more than everything else it stored
// (docs/0035-events-in-blocks.md).
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type Database from 'better-sqlite3';

/** Entries per block at most: about 6 KiB compressed for an order-heavy run's lines. */
export const BLOCK_EVENTS = 256;
/** A block is closed early once its lines reach this many bytes (a few huge entries). */
export const BLOCK_BYTES = 256 * 1024;
/** Lines shorter than this together are kept as text: brotli would not make them smaller. */
const COMPRESS_FROM = 200;

/** How a block's bytes are its lines: as they are (UTF-8) or brotli-compressed. */
export type BlockEncoding = 'text' | 'brotli';

/** brotli's fastest setting that still finds the log's repetitions (quality 1: about 8x on an
 *  order-heavy log, at about 700 MB/s on the bench machine), told the input's size. */
const compress = (lines: Uint8Array): Buffer =>
  brotliCompressSync(lines, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_SIZE_HINT]: lines.byteLength,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });

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

  /** One block: the lines of entries `firstSeq` to `lastSeq` (whole lines, in order) and the kinds
   *  they hold. */
  write(firstSeq: number, lastSeq: number, kinds: Iterable<string>, lines: Uint8Array): void {
    const { encoding, data } = encodeEventBlock(lines);
    this.insert.run(this.runId, firstSeq, lastSeq, kindsColumn(kinds), encoding, data);
  }
}

/** A block's bytes: its lines compressed, or as they are when that is no smaller. */
export function encodeEventBlock(lines: Uint8Array): { encoding: BlockEncoding; data: Uint8Array } {
  const packed = lines.byteLength >= COMPRESS_FROM ? compress(lines) : null;
  return packed !== null && packed.byteLength < lines.byteLength
    ? { encoding: 'brotli', data: packed }
    : { encoding: 'text', data: lines };
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

/** The lines of a stored block, or what is wrong with it (the database edited by hand or
 *  damaged): not a blob, an encoding execsim does not write, bytes that do not decompress, or
 *  lines that are not the entries firstSeq..lastSeq in order as "seq time kind payload". */
export function decodeEventBlock(
  firstSeq: number,
  lastSeq: number,
  encoding: unknown,
  data: unknown,
): StoredLine[] | string {
  if (!(data instanceof Uint8Array)) return 'the block is not a blob';
  let text: string;
  if (encoding === 'text') text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  else if (encoding === 'brotli') {
    try {
      text = brotliDecompressSync(data).toString('utf8');
    } catch {
      return 'the block does not decompress (brotli)';
    }
  } else return `its encoding is ${JSON.stringify(encoding)}, not text or brotli`;
  const count = lastSeq - firstSeq + 1;
  const out: StoredLine[] = [];
  let at = 0;
  while (at < text.length) {
    const expected = firstSeq + out.length;
    const end = text.indexOf('\n', at);
    const s1 = text.indexOf(' ', at);
    const s2 = s1 < 0 ? -1 : text.indexOf(' ', s1 + 1);
    const s3 = s2 < 0 ? -1 : text.indexOf(' ', s2 + 1);
    if (end < 0 || s3 < 0 || s3 > end)
      return `line ${out.length + 1} is not "seq time kind payload" (where seq ${expected} should be)`;
    const seq = Number(text.slice(at, s1));
    if (seq !== expected) return `line ${out.length + 1} has seq ${text.slice(at, s1)} where ${expected} should be`;
    const time = Number(text.slice(s1 + 1, s2));
    if (s2 === s1 + 1 || !Number.isFinite(time)) return `event seq ${seq} has no valid time`;
    if (s3 === s2 + 1) return `event seq ${seq} has no kind`;
    out.push([seq, time, text.slice(s2 + 1, s3), text.slice(s3 + 1, end)]);
    at = end + 1;
  }
  if (out.length !== count)
    return `the block holds ${out.length} events, not the ${count} from seq ${firstSeq} to ${lastSeq}`;
  return out;
}
