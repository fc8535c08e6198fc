import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarketTape } from './market-tape.ts';

describe('MarketTape', () => {
  it('computes VWAP and volume over a closed window', () => {
    const t = new MarketTape();
    t.trade(10, 100, 1);
    t.trade(20, 110, 3);
    t.trade(30, 200, 5);
    expect(t.window(10, 20)).toMatchObject({ vwap: (100 + 330) / 4, volume: 4 });
    expect(t.window(21, 29)).toMatchObject({ vwap: null, volume: 0 });
  });

  it('property: trades since a cursor sum to their volume and notional, and span their highest and lowest price', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 })), {
          maxLength: 30,
          size: 'max',
        }),
        fc.integer({ min: -2, max: 35 }),
        (trades, cursor) => {
          const t = new MarketTape();
          trades.forEach(([px, q], i) => t.trade(i, px, q));
          const after = trades.slice(Math.max(0, cursor));
          const s = t.since(cursor);
          expect(s.cursor).toBe(trades.length);
          expect(s.trades).toBe(after.length);
          expect(s.volume).toBe(after.reduce((a, [, q]) => a + q, 0));
          expect(s.notional).toBe(after.reduce((a, [p, q]) => a + p * q, 0));
          expect(s.last).toBe(trades.at(-1)?.[0] ?? null);
          expect(s.high).toBe(after.length === 0 ? null : Math.max(...after.map(([p]) => p)));
          expect(s.low).toBe(after.length === 0 ? null : Math.min(...after.map(([p]) => p)));
        },
      ),
    );
  });

  it('time-weights the mid, counting the mid in force at the start', () => {
    const t = new MarketTape();
    t.mid(0, 100);
    t.mid(10, 200);
    t.mid(30, null); // one side empty: not counted
    t.mid(40, 300);
    expect(t.window(5, 20).twapMid).toBeCloseTo((100 * 5 + 200 * 10) / 15);
    expect(t.window(0, 50).twapMid).toBeCloseTo((100 * 10 + 200 * 20 + 300 * 10) / 40);
    expect(t.window(35, 38).twapMid).toBeNull();
  });

  it('property: a constant mid has that TWAP over any window; VWAP lies within the traded prices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 })), {
          minLength: 1,
          maxLength: 30,
          size: 'max',
        }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (mid, trades, a, b) => {
          const t = new MarketTape();
          t.mid(0, mid);
          trades.forEach(([px, q], i) => t.trade(i, px, q));
          const [from, to] = a <= b ? [a, b] : [b, a];
          const w = t.window(from, to);
          expect(w.twapMid).toBe(mid);
          const inside = trades.filter((_, i) => i >= from && i <= to);
          if (inside.length === 0) expect(w.vwap).toBeNull();
          else {
            expect(w.vwap as number).toBeGreaterThanOrEqual(Math.min(...inside.map(([p]) => p)) - 1e-9);
            expect(w.vwap as number).toBeLessThanOrEqual(Math.max(...inside.map(([p]) => p)) + 1e-9);
            expect(w.volume).toBe(inside.reduce((s, [, q]) => s + q, 0));
          }
        },
      ),
    );
  });

  it('property: the TWAP of the mids is, bit for bit, each mid times how long it held inside the window, summed in time order', () => {
    // The definition written plainly (the tape's loop takes a shortcut through the mids wholly
    // inside the window, which must add the same numbers in the same order): the mid in force at
    // `from` counts from `from`, the last one up to `to`, a missing mid and a zero span add nothing.
    const mids = fc.array(
      fc.tuple(
        fc.constantFrom(0, 0.25, 1, 3.5, 10),
        fc.option(fc.double({ min: 1, max: 1e5, noNaN: true }), { nil: null }),
      ),
      { minLength: 1, maxLength: 50, size: 'max' },
    );
    fc.assert(
      fc.property(
        mids,
        fc.double({ min: -5, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        (steps, from, span) => {
          const tape = new MarketTape();
          const held: Array<[number, number | null]> = [];
          let time = 0;
          for (const [dt, mid] of steps) {
            time += dt;
            tape.mid(time, mid);
            if (held.length > 0 && (held[held.length - 1] as [number, number | null])[0] === time)
              held[held.length - 1] = [time, mid];
            else held.push([time, mid]);
          }
          const to = from + span;
          let weighted = 0;
          let covered = 0;
          let first = held.findIndex(([t]) => t > from) - 1;
          if (first === -2) first = held.length - 1;
          for (let k = Math.max(first, 0); k < held.length; k++) {
            const [at, mid] = held[k] as [number, number | null];
            const start = Math.max(at, from);
            const end = Math.min(k + 1 < held.length ? (held[k + 1] as [number, number | null])[0] : to, to);
            if (start >= to) break;
            if (k < first || mid === null || end <= start) continue;
            weighted += mid * (end - start);
            covered += end - start;
          }
          // (An empty window, `to` at or before `from`, reads the mid in force instead: tested above.)
          if (to > from) expect(tape.window(from, to).twapMid).toBe(covered > 0 ? weighted / covered : null);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: windows from one start to a growing end, taken as the tape grows, are exactly those of a tape read once', () => {
    // The tape goes on from where the last window with the same start left off; its sums must be
    // the same bits as summing from the start (fractional prices, quantities and times, missing
    // mids, a mid replacing the last one at the same time, other windows in between).
    const step = fc.record({
      dt: fc.constantFrom(0, 0.5, 1, 2.25, 7),
      trade: fc.option(
        fc.tuple(fc.double({ min: 1, max: 1e5, noNaN: true }), fc.double({ min: 0.01, max: 50, noNaN: true })),
      ),
      mid: fc.option(fc.option(fc.double({ min: 1, max: 1e5, noNaN: true }), { nil: null }), { nil: undefined }),
      ask: fc.constantFrom('same', 'same', 'other', 'none'),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }),
        fc.integer({ min: 0, max: 20 }),
        (steps, start) => {
          const live = new MarketTape();
          const log: Array<['trade', number, number, number] | ['mid', number, number | null]> = [];
          let time = 0;
          for (const s of steps) {
            time += s.dt;
            if (s.trade) {
              live.trade(time, s.trade[0], s.trade[1]);
              log.push(['trade', time, s.trade[0], s.trade[1]]);
            }
            if (s.mid !== undefined) {
              live.mid(time, s.mid);
              log.push(['mid', time, s.mid]);
            }
            if (s.ask === 'none') continue;
            const from = s.ask === 'same' ? Math.min(start, time) : time / 2;
            const got = live.window(from, time);
            const once = new MarketTape();
            for (const e of log) {
              if (e[0] === 'trade') once.trade(e[1], e[2], e[3]);
              else once.mid(e[1], e[2]);
            }
            const want = once.window(from, time);
            expect([got.vwap, got.twapMid, got.volume]).toEqual([want.vwap, want.twapMid, want.volume]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
