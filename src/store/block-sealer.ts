// A grouped run's event blocks made as its lines are logged, for a run written on its own thread:
// each time the log commits, the lines of the whole units so far are cut into blocks
// (event-blocks.ts: up to BLOCK_EVENTS lines or BLOCK_BYTES) and each full block is compressed
// at once, so the run holds its compressed blocks (about a sixth of the lines) until their
// transaction, in place of the lines themselves. An order-heavy hour's lines are 8.4 MB: kept
// whole in a buffer that doubled as it filled, they cost the run more in fresh memory (its page
// faults, its copies) than in compressing them. A block never holds a line of a unit that has not
// ended, so what is handed over (take) is whole units, and blocks never span a transaction.
import { createHash } from 'node:crypto';
import type { LogEntry } from '../core/model/events.ts';
import type { LogLine } from '../core/ports/event-sink.ts';
import { BLOCK_BYTES, BLOCK_EVENTS, encodeEventBlock, kindsColumn, type BlockEncoding } from './event-blocks.ts';

/** A block ready to be inserted as it is. */
export interface SealedBlock {
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The kinds column (kindsColumn). */
  readonly kinds: string;
  readonly encoding: BlockEncoding;
  readonly data: Uint8Array;
}

/** Whole units as blocks, and the sha256 of every line sealed so far (the run digest of the log
 *  through them). */
export interface SealedUnits {
  readonly blocks: readonly SealedBlock[];
  readonly lines: number;
  readonly digest: string;
}

export class BlockSealer {
  /** Lines not in a sealed block yet, from byte `from` to `used`: whole ones first, then the
   *  lines of the unit under way. */
  private buf = new Uint8Array(64 * 1024);
  private from = 0;
  private used = 0;
  /** Of the lines not sealed: the seq of the first, each one's kind and end (in buf). */
  private firstSeq = 0;
  private kinds: string[] = [];
  private ends: number[] = [];
  /** How many of them are whole units. */
  private whole = 0;
  private sealed: SealedBlock[] = [];
  /** Over every line sealed, in order. */
  private readonly hash = createHash('sha256');
  private sealedLines = 0;

  /** Lines not handed over yet (sealed or not, whole or not). */
  get pending(): number {
    return this.sealedLines + this.kinds.length;
  }

  /** Copies the line of `entry` in. */
  line(entry: LogEntry, line: LogLine): void {
    const n = line.byteLength;
    if (this.buf.length - this.used < n) this.room(n);
    if (this.kinds.length === 0) this.firstSeq = entry.seq;
    line.copyTo(this.buf, this.used);
    this.used += n;
    this.kinds.push(entry.event.kind);
    this.ends.push(this.used);
  }

  /** The lines so far are whole units: the full blocks among them are sealed. */
  unitEnd(): void {
    this.whole = this.kinds.length;
    for (let lines = this.fullBlock(); lines > 0; lines = this.fullBlock()) this.seal(lines);
  }

  /** The whole units' blocks (the last one short if need be); the lines of a unit under way
   *  stay. */
  take(): SealedUnits {
    if (this.whole > 0) this.seal(this.whole);
    const taken: SealedUnits = { blocks: this.sealed, lines: this.sealedLines, digest: this.hash.copy().digest('hex') };
    this.sealed = [];
    this.sealedLines = 0;
    return taken;
  }

  /** The number of whole lines, from the first not sealed, that fill a block (as BlockCutter
   *  cuts: up to BLOCK_EVENTS lines, and no more than BLOCK_BYTES unless one line is longer);
   *  0 when they do not fill one yet. */
  private fullBlock(): number {
    const n = Math.min(this.whole, BLOCK_EVENTS);
    if (n === 0) return 0;
    const from = this.from;
    const ends = this.ends;
    if ((ends[n - 1] as number) - from <= BLOCK_BYTES) return n === BLOCK_EVENTS ? n : 0;
    let i = 0;
    while ((ends[i] as number) - from <= BLOCK_BYTES) i++;
    return Math.max(1, i);
  }

  /** Seals the first `lines` lines not sealed (whole ones) as a block. */
  private seal(lines: number): void {
    const end = this.ends[lines - 1] as number;
    const kinds = this.kinds.splice(0, lines);
    this.ends.splice(0, lines);
    const text = this.buf.subarray(this.from, end);
    this.hash.update(text);
    const encoded = encodeEventBlock(text);
    const { encoding } = encoded;
    // A block small enough to stay text is a view of `buf`, which the next lines reuse: kept as
    // a copy until its transaction.
    const data = encoding === 'text' ? encoded.data.slice() : encoded.data;
    this.sealed.push({
      firstSeq: this.firstSeq,
      lastSeq: this.firstSeq + lines - 1,
      kinds: kindsColumn(kinds),
      encoding,
      data,
    });
    this.sealedLines += lines;
    this.firstSeq += lines;
    this.whole -= lines;
    this.from = end;
    if (this.from === this.used) this.from = this.used = 0;
  }

  /** Room for `n` more bytes: the lines not sealed moved to the front, or a larger buffer. */
  private room(n: number): void {
    const live = this.used - this.from;
    const target = live + n > this.buf.length ? new Uint8Array(Math.max(this.buf.length * 2, live + n)) : this.buf;
    if (target === this.buf) this.buf.copyWithin(0, this.from, this.used);
    else target.set(this.buf.subarray(this.from, this.used));
    for (let i = 0; i < this.ends.length; i++) this.ends[i] = (this.ends[i] as number) - this.from;
    this.buf = target;
    this.used = live;
    this.from = 0;
  }
}
