import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry, MarketSampled } from '../model/events.ts';
import { withSamples } from './with-samples.ts';

const entry = (seq: number): LogEntry => ({ seq, time: seq * 10, event: { kind: 'RunEnded' } as never });
const sample = (seq: number, k: number): LogEntry<MarketSampled> => ({
  seq,
  time: seq * 10 + k,
  event: {
    kind: 'MarketSampled',
    trigger: 'interval',
    bid: k,
    ask: null,
    bidQty: null,
    askQty: null,
    trades: 0,
    volume: 0,
    vwap: null,
    last: null,
  },
});

describe('withSamples', () => {
  it('puts every sample after the entry it followed and before the next, keeping both orders', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.array(fc.integer({ min: 0, max: 35 })), (n, seqs) => {
        const entries = Array.from({ length: n }, (_, i) => entry(i + 1));
        const samples = [...seqs].sort((a, b) => a - b).map((s, k) => sample(s, k));
        const out = [...withSamples(entries, samples)];
        expect(out).toHaveLength(entries.length + samples.length);
        expect(out.filter((e) => e.event.kind !== 'MarketSampled')).toEqual(entries);
        expect(out.filter((e) => e.event.kind === 'MarketSampled')).toEqual(samples);
        // The log as written: a sample of seq s comes after entry s and before entry s + 1.
        let lastSeq = 0;
        for (const e of out) {
          if (e.event.kind === 'MarketSampled') expect(e.seq).toBeGreaterThanOrEqual(Math.min(lastSeq, n));
          else lastSeq = e.seq;
          if (e.event.kind === 'MarketSampled' && e.seq < n) expect(lastSeq).toBeLessThanOrEqual(e.seq);
        }
      }),
    );
  });
});
