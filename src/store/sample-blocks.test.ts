import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarketSampled } from '../core/model/events.ts';
import { openDatabase } from './open-database.ts';
import {
  BLOCK_SAMPLES,
  decodeBlock,
  SAMPLE_BYTES,
  SampleBlockWriter,
  SampleBuffer,
  storedSampleBlocks,
  type StoredSample,
} from './sample-blocks.ts';

const price = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null });
const sample: fc.Arbitrary<StoredSample> = fc.record({
  seq: fc.nat(),
  // Few distinct times as often as not: ties across a block's bounds must keep the order taken.
  time: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 4_102_444_800_000 })),
  trigger: fc.constantFrom('interval' as const, 'fill' as const),
  bid: price,
  ask: price,
  bidQty: price,
  askQty: price,
  trades: fc.nat(),
  volume: fc.double({ noNaN: true, noDefaultInfinity: true }),
  vwap: price,
  last: price,
});

/** What a reader gets back: a -0 reads as 0, as the log's canonical JSON writes it. */
const asRead = (s: StoredSample): StoredSample =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v])) as unknown as StoredSample;

function freshRun(): { db: ReturnType<typeof openDatabase>; writer: SampleBlockWriter } {
  const db = openDatabase(':memory:');
  db.prepare(
    `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start)
     VALUES ('r', 's', 'h', '{}', 1, 'v', 'running', '2024-01-01T00:00:00Z', 0)`,
  ).run();
  return { db, writer: new SampleBlockWriter(db, 'r') };
}

const add = (buffer: SampleBuffer, s: StoredSample): void => {
  const { seq, time, ...fields } = s;
  buffer.add(seq, time, { kind: 'MarketSampled', ...fields } satisfies MarketSampled);
};

describe('market samples in blocks', () => {
  it('read back as taken, whatever the writes and hand-overs that split them', () => {
    fc.assert(
      fc.property(
        fc.array(sample, { maxLength: 700, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (samples, cuts, packed) => {
          // Samples taken in time order (the sampler's clock does not go back).
          const taken = [...samples].sort((a, b) => a.time - b.time);
          const { db, writer } = freshRun();
          try {
            const buffer = new SampleBuffer();
            let next = 0;
            for (const cut of [...cuts, taken.length]) {
              const upTo = Math.min(taken.length, next + cut);
              if (packed) {
                // Through another buffer, as a writer thread gets them from the run's thread.
                const run = new SampleBuffer();
                for (; next < upTo; next++) add(run, taken[next] as StoredSample);
                buffer.addPacked(new Float64Array(run.copy(run.count)), run.count);
              } else for (; next < upTo; next++) add(buffer, taken[next] as StoredSample);
              const written = buffer.count;
              writer.write(buffer, written);
              buffer.drop(written);
              expect(buffer.count).toBe(0);
            }
            expect(storedSampleBlocks(db, 'r')).toEqual(taken.map(asRead));
            const blocks = db
              .prepare('SELECT first_time, last_time, samples, length(data) AS bytes FROM market_sample_blocks')
              .all() as Array<{ first_time: number; last_time: number; samples: number; bytes: number }>;
            let at = 0;
            for (const b of blocks) {
              expect(b.samples).toBeGreaterThan(0);
              expect(b.samples).toBeLessThanOrEqual(BLOCK_SAMPLES);
              expect(b.bytes).toBe(b.samples * SAMPLE_BYTES);
              expect(b.first_time).toBe(taken[at]?.time);
              expect(b.last_time).toBe(taken[at + b.samples - 1]?.time);
              at += b.samples;
            }
            expect(at).toBe(taken.length);
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a write of part of the buffer keeps the rest, in order, for the next', () => {
    const { db, writer } = freshRun();
    const buffer = new SampleBuffer();
    const samples = fc.sample(sample, { numRuns: 300, seed: 7 }).map((s, k) => ({ ...s, time: k }));
    for (const s of samples) add(buffer, s);
    writer.write(buffer, 120);
    expect(buffer.count).toBe(300);
    buffer.drop(120);
    expect(buffer.count).toBe(180);
    expect(storedSampleBlocks(db, 'r')).toEqual(samples.slice(0, 120).map(asRead));
    buffer.drop(30);
    writer.write(buffer, buffer.count);
    expect(storedSampleBlocks(db, 'r')).toEqual([...samples.slice(0, 120), ...samples.slice(150)].map(asRead));
    // Written, not yet dropped: the buffer still holds them (its caller's transaction may fail).
    expect(buffer.count).toBe(150);
    db.close();
  });

  it('a block is little-endian float64s: seq, time, trigger, bid, ask, bidQty, askQty, trades, volume, vwap, last', () => {
    const { db, writer } = freshRun();
    const buffer = new SampleBuffer();
    add(buffer, {
      seq: 12,
      time: 1_723_161_601_000,
      trigger: 'fill',
      bid: 100.25,
      ask: null,
      bidQty: 3,
      askQty: null,
      trades: 2,
      volume: 7,
      vwap: 100.125,
      last: 100.5,
    });
    writer.write(buffer, 1);
    const data = db.prepare('SELECT data FROM market_sample_blocks').pluck().get() as Buffer;
    const words = Array.from({ length: 11 }, (_, k) => data.readDoubleLE(k * 8));
    expect(words).toEqual([12, 1_723_161_601_000, 1, 100.25, NaN, 3, NaN, 2, 7, 100.125, 100.5]);
    db.close();
  });

  it('a damaged block says what is wrong with it', () => {
    const good = new SampleBuffer();
    add(good, { ...fc.sample(sample, { numRuns: 1, seed: 3 })[0], seq: 4, time: 1_000 } as StoredSample);
    const bytes = (): Buffer => Buffer.from(good.copy(1));
    const at = (word: number, value: number): Buffer => {
      const b = bytes();
      b.writeDoubleLE(value, word * 8);
      return b;
    };
    expect(decodeBlock('x', 1)).toBe('the block is not a blob');
    expect(decodeBlock(bytes().subarray(1), 1)).toBe('the block holds 87 bytes, not 1 samples of 88 bytes');
    expect(decodeBlock(bytes(), 0)).toBe('the block holds 88 bytes, not 0 samples of 88 bytes');
    expect(decodeBlock(at(0, 1.5), 1)).toBe('sample 1 has no valid seq and time');
    expect(decodeBlock(at(1, NaN), 1)).toBe('sample 1 has no valid seq and time');
    expect(decodeBlock(at(1, 1e16), 1)).toBe('sample 1 has no valid seq and time');
    const named = 'sample 1 (at 1970-01-01T00:00:01.000Z, after event seq 4)';
    expect(decodeBlock(at(2, 2), 1)).toBe(`${named} has trigger 2, not 0 (interval) or 1 (fill)`);
    expect(decodeBlock(at(7, NaN), 1)).toBe(`${named} has no trade count or volume`);
    expect(decodeBlock(at(8, Infinity), 1)).toBe(`${named} has no trade count or volume`);
    expect(decodeBlock(at(4, -Infinity), 1)).toBe(`${named} has an infinite price or quantity`);
    expect(decodeBlock(bytes(), 1)).toHaveLength(1);
  });
});
