// Market samples as the store keeps them (schema version 11): SAMPLE_WORDS float64s each, up to
// BLOCK_SAMPLES of one run to a row, read by time window. Blocks never span a transaction. The
// layout, and why numbers rather than JSON:
// docs/0070-store-service-and-cli-notes.md#srcstoresample-blocksts.
import type Database from 'better-sqlite3';
import type { MarketSampled } from '../core/model/events.ts';

export const SAMPLE_WORDS = 11;
export const SAMPLE_BYTES = SAMPLE_WORDS * 8;
/** Samples per block: about 22 KiB, a few SQLite pages (an hour at 100 ms is about 150 rows). */
export const BLOCK_SAMPLES = 256;

/** The platform's float64 byte order is little-endian (every platform Node ships for but s390x);
 *  elsewhere blocks are byte-swapped on the way in and out, so a file reads the same anywhere. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

const swapped = (bytes: Uint8Array): Uint8Array => {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 8) for (let j = 0; j < 8; j++) out[i + j] = bytes[i + 7 - j] as number;
  return out;
};

const orNaN = (x: number | null): number => (x === null ? NaN : x);

/** Samples not yet written, packed (a growable array of float64s). */
export class SampleBuffer {
  values = new Float64Array(SAMPLE_WORDS * 64);
  count = 0;

  private room(samples: number): void {
    const need = (this.count + samples) * SAMPLE_WORDS;
    if (need <= this.values.length) return;
    const larger = new Float64Array(Math.max(need, this.values.length * 2));
    larger.set(this.values.subarray(0, this.count * SAMPLE_WORDS));
    this.values = larger;
  }

  /** One sample, following the entry `seq`, taken at `time`. */
  add(seq: number, time: number, s: MarketSampled): void {
    this.room(1);
    const v = this.values;
    let at = this.count * SAMPLE_WORDS;
    v[at++] = seq;
    v[at++] = time;
    v[at++] = s.trigger === 'fill' ? 1 : 0;
    v[at++] = orNaN(s.bid);
    v[at++] = orNaN(s.ask);
    v[at++] = orNaN(s.bidQty);
    v[at++] = orNaN(s.askQty);
    v[at++] = s.trades;
    v[at++] = s.volume;
    v[at++] = orNaN(s.vwap);
    v[at] = orNaN(s.last);
    this.count++;
  }

  /** `samples` packed samples (another buffer's, handed over from the run's thread). */
  addPacked(packed: Float64Array, samples: number): void {
    this.room(samples);
    this.values.set(packed.subarray(0, samples * SAMPLE_WORDS), this.count * SAMPLE_WORDS);
    this.count += samples;
  }

  /** A copy of the first `samples` samples, in memory of its own (so it can be transferred). */
  copy(samples: number): ArrayBuffer {
    return this.values.slice(0, samples * SAMPLE_WORDS).buffer as ArrayBuffer;
  }

  /** Forgets the first `samples` samples (written or handed over). */
  drop(samples: number): void {
    if (samples >= this.count) this.count = 0;
    else {
      this.values.copyWithin(0, samples * SAMPLE_WORDS, this.count * SAMPLE_WORDS);
      this.count -= samples;
    }
  }
}

/** Inserts a run's samples as blocks. */
export class SampleBlockWriter {
  private readonly insert: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runId: string,
  ) {
    this.insert = db.prepare(
      'INSERT INTO market_sample_blocks (run_id, first_time, last_time, samples, data) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /** Writes the first `samples` samples of `buffer` in blocks (they stay in it: the caller drops
   *  them once its transaction's other rows are written); the caller holds the transaction. */
  write(buffer: SampleBuffer, samples: number): void {
    const v = buffer.values;
    for (let from = 0; from < samples; from += BLOCK_SAMPLES) {
      const n = Math.min(BLOCK_SAMPLES, samples - from);
      const first = from * SAMPLE_WORDS;
      const last = (from + n - 1) * SAMPLE_WORDS;
      const bytes = new Uint8Array(v.buffer, v.byteOffset + first * 8, n * SAMPLE_BYTES);
      this.insert.run(this.runId, v[first + 1], v[last + 1], n, LITTLE_ENDIAN ? bytes : swapped(bytes));
    }
  }
}

/** A stored sample, as MarketSampled has it, with the seq of the entry it follows and its time. */
export interface StoredSample extends Omit<MarketSampled, 'kind'> {
  readonly seq: number;
  readonly time: number;
}

/** NaN is null; + 0 reads a -0 as 0, as the canonical JSON of the log writes it. */
const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x + 0);
const isPrice = (x: number): boolean => Number.isNaN(x) || Number.isFinite(x);
/** Where a sample's prices and quantities are (null allowed): bid, ask, bidQty, askQty, vwap, last. */
const PRICE_WORDS = [3, 4, 5, 6, 9, 10] as const;

/** The samples of a stored block, or what is wrong with it (the database edited by hand or
 *  damaged): a size that is not `samples` samples, or a sample execsim does not write. */
export function decodeBlock(data: unknown, samples: number): StoredSample[] | string {
  if (!(data instanceof Uint8Array)) return 'the block is not a blob';
  if (!Number.isSafeInteger(samples) || samples < 1 || data.length !== samples * SAMPLE_BYTES)
    return `the block holds ${data.length} bytes, not ${samples} samples of ${SAMPLE_BYTES} bytes`;
  // A copy: the blob's bytes need not be 8-byte aligned, and a big-endian platform swaps them.
  const v = new Float64Array(samples * SAMPLE_WORDS);
  new Uint8Array(v.buffer).set(LITTLE_ENDIAN ? data : swapped(data));
  const out: StoredSample[] = [];
  for (let k = 0; k < samples; k++) {
    const at = k * SAMPLE_WORDS;
    const seq = v[at] as number;
    const time = v[at + 1] as number;
    const trigger = v[at + 2];
    const trades = v[at + 7] as number;
    const volume = v[at + 8] as number;
    // A time a Date can hold (an epoch ms within 8.64e15), so the messages below can show it.
    if (!Number.isSafeInteger(seq) || seq < 0 || !(Math.abs(time) <= 8.64e15))
      return `sample ${k + 1} has no valid seq and time`;
    const when = (): string => `sample ${k + 1} (at ${new Date(time).toISOString()}, after event seq ${seq})`;
    if (trigger !== 0 && trigger !== 1) return `${when()} has trigger ${trigger}, not 0 (interval) or 1 (fill)`;
    if (!Number.isFinite(trades) || !Number.isFinite(volume)) return `${when()} has no trade count or volume`;
    for (const w of PRICE_WORDS)
      if (!isPrice(v[at + w] as number)) return `${when()} has an infinite price or quantity`;
    out.push({
      seq,
      time,
      trigger: trigger === 1 ? 'fill' : 'interval',
      bid: orNull(v[at + 3] as number),
      ask: orNull(v[at + 4] as number),
      bidQty: orNull(v[at + 5] as number),
      askQty: orNull(v[at + 6] as number),
      trades: trades + 0,
      volume: volume + 0,
      vwap: orNull(v[at + 9] as number),
      last: orNull(v[at + 10] as number),
    });
  }
  return out;
}

/** A stored block: the times it spans and its samples, or what is wrong with it. */
export interface StoredBlock {
  readonly firstTime: number;
  readonly lastTime: number;
  readonly samples: StoredSample[] | string;
}

/** A run's blocks holding samples from `from` to `to` (epoch ms), in the order taken: the time
 *  index's order, no sort. A block that straddles an edge comes whole: its caller filters. */
export function* sampleBlocks(
  db: Database.Database,
  runId: string,
  from = -Number.MAX_VALUE,
  to = Number.MAX_VALUE,
): Generator<StoredBlock> {
  const rows = db
    .prepare(
      `SELECT first_time, last_time, samples, data FROM market_sample_blocks
       WHERE run_id = ? AND last_time >= ? AND first_time <= ? ORDER BY last_time, first_time, rowid`,
    )
    .iterate(runId, from, to) as IterableIterator<{
    first_time: number;
    last_time: number;
    samples: number;
    data: unknown;
  }>;
  for (const row of rows)
    yield { firstTime: row.first_time, lastTime: row.last_time, samples: decodeBlock(row.data, row.samples) };
}

/** Every stored sample of a run (blocks only: not the rows of runs stored under schema version 10),
 *  in the order taken; a damaged block throws what is wrong with it. */
export function storedSampleBlocks(db: Database.Database, runId: string): StoredSample[] {
  const out: StoredSample[] = [];
  for (const block of sampleBlocks(db, runId)) {
    if (typeof block.samples === 'string') throw new Error(`run ${runId}: market samples: ${block.samples}`);
    out.push(...block.samples);
  }
  return out;
}
