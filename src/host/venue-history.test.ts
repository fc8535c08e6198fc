// A live run's warm-up history from the venue's minute bars: as the strategy's bars (properties:
// in time order on the strategy's grid, every bar before the live feed's and none after, each
// the merge of its minutes or flat at the previous close, volume kept), and answered to the
// host as a unit of work of the process, once, with a failure said per symbol.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../test/support/hot-expect.ts';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import type { LiveVenue } from '../live/live-venue.ts';
import type { MinuteBar, VenueBars } from '../live/market-history.ts';
import type { History } from '../strategy/strategy-port.ts';
import { barSamples, venueHistory } from './venue-history.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 15, 0, 0);
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });

/** Minute bars on distinct minutes of the hour from T0, prices in ticks (low <= open, close <= high). */
const minutesArb = fc.uniqueArray(
  fc
    .record({
      minute: fc.integer({ min: 0, max: 59 }),
      low: fc.integer({ min: 10_000, max: 20_000 }),
      spread: fc.integer({ min: 0, max: 50 }),
      o: fc.double({ min: 0, max: 1, noNaN: true }),
      c: fc.double({ min: 0, max: 1, noNaN: true }),
      volume: fc.integer({ min: 0, max: 1_000 }),
    })
    .map((r): MinuteBar => ({
      start: T0 + r.minute * MIN,
      volume: r.volume,
      vwap: r.low + r.spread / 2,
      open: r.low + Math.round(r.o * r.spread),
      low: r.low,
      high: r.low + r.spread,
      close: r.low + Math.round(r.c * r.spread),
    })),
  { selector: (b) => b.start, maxLength: 30, size: 'max' },
);

describe('barSamples', () => {
  it('merges minutes into the strategy’s bars before the live one, in time order, gaps flat, volume kept', () => {
    fc.assert(
      fc.property(
        minutesArb,
        fc.constantFrom(1, 2, 5, 15),
        fc.integer({ min: 0, max: 70 }),
        (minutes, barMinutes, liveMinute) => {
          const barMs = barMinutes * MIN;
          const until = T0 + liveMinute * MIN + 1_234;
          const liveStart = Math.floor(until / barMs) * barMs;
          const shuffled = [...minutes].reverse();
          const samples = barSamples(shuffled, AAPL, barMs, liveStart);
          const before = [...minutes].filter((m) => m.start < liveStart).sort((a, b) => a.start - b.start);
          // Checked for every bar of every case: expect is called only on a mismatch.
          if (before.length === 0) {
            expectEqual(samples, []);
            return;
          }
          const bars = samples.map((s) => {
            if (s.quote !== null) expect(s.quote).toBeNull();
            if (s.trades !== null) expect(s.trades).toBeNull();
            if (s.bars.length !== 1) expect(s.bars).toHaveLength(1);
            return s.bars[0]!;
          });
          // From the first minute's bar to the one before the live feed's, one bar per barMs.
          const first = Math.floor(before[0]!.start / barMs) * barMs;
          const grid = Array.from({ length: (liveStart - first) / barMs }, (_, i) => first + i * barMs);
          const times = bars.map((b) => b.time);
          expectEqual(times, grid);
          const volume = bars.reduce((s, b) => s + b.volume, 0);
          const minutesVolume = before.reduce((s, m) => s + m.volume, 0);
          expectIs(volume, minutesVolume);
          let prevClose: number | null = null;
          for (const b of bars) {
            const inside = before.filter((m) => m.start >= b.time && m.start < b.time + barMs);
            if (inside.length === 0) {
              const flat = { open: prevClose, high: prevClose, low: prevClose, close: prevClose, volume: 0 };
              // toMatchObject's own test on these keys (it compares numbers and null with Object.is).
              const matches = (Object.keys(flat) as Array<keyof typeof flat>).every((k) => Object.is(b[k], flat[k]));
              if (!matches) expect(b).toMatchObject(flat);
            } else {
              const px = (ticks: number) => ticks / 100;
              expectIs(b.open, px(inside[0]!.open));
              expectIs(b.close, px(inside.at(-1)!.close));
              expectIs(b.high, px(Math.max(...inside.map((m) => m.high))));
              expectIs(b.low, px(Math.min(...inside.map((m) => m.low))));
            }
            expectIs(b.symbol, 'AAPL');
            prevClose = b.close;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('states a fractional tick price (a venue’s VWAP-like price) as the exact decimal', () => {
    const bar: MinuteBar = { start: T0, volume: 3, vwap: 1, open: 18_750.5, low: 18_750, high: 18_751, close: 18_751 };
    expect(barSamples([bar], AAPL, MIN, T0 + MIN)[0]!.bars[0]).toEqual({
      symbol: 'AAPL',
      time: T0,
      ms: MIN,
      open: 187.505,
      high: 187.51,
      low: 187.5,
      close: 187.51,
      volume: 3,
    });
  });
});

/** A venue whose minute bars answer when the test says, and a process inbox that records posts. */
function rig(barMs = MIN, bars?: readonly number[]) {
  const clock = new VirtualClock(T0 + 30 * MIN + 500);
  const asked: Array<{ symbol: string; from: number; until: number; answer: (r: VenueBars) => void }> = [];
  const venue = {
    minuteBars: (symbol: string, from: number, until: number) =>
      new Promise<VenueBars>((answer) => asked.push({ symbol, from, until, answer })),
  } as unknown as LiveVenue;
  const posted: Array<() => void> = [];
  const source = venueHistory({
    venue,
    venueName: 'alpaca-equities',
    instruments: [AAPL],
    barMs,
    ...(bars ? { bars } : {}),
    clock,
    post: (work) => posted.push(work),
    timeoutMs: 10_000,
  })!;
  const answers: Array<History | string> = [];
  const read = (symbol = 'AAPL') =>
    source.read(
      symbol,
      3 * barMs,
      clock.now(),
      (h) => answers.push(h),
      (why) => answers.push(why),
    );
  const settle = () => new Promise((r) => setImmediate(r));
  return { clock, asked, posted, answers, read, settle, source };
}

describe('venueHistory', () => {
  it('asks for whole bars before the live one and answers only inside a unit of the process, once', async () => {
    const r = rig();
    expect(r.source.name).toBe('alpaca-equities 1-minute bars');
    r.read();
    const liveStart = T0 + 30 * MIN;
    expect(r.asked.map((a) => [a.symbol, a.from, a.until])).toEqual([['AAPL', liveStart - 3 * MIN, liveStart - 1]]);
    const bar: MinuteBar = { start: liveStart - MIN, volume: 1, vwap: 1, open: 1, low: 1, high: 1, close: 1 };
    r.asked[0]!.answer({ kind: 'read', bars: [bar], source: 'alpaca 1Min bars (iex)' });
    await r.settle();
    expect(r.answers).toEqual([]); // not from the Promise's continuation
    r.posted.shift()!();
    expect(r.answers).toEqual([{ samples: barSamples([bar], AAPL, MIN, liveStart), source: 'alpaca 1Min bars (iex)' }]);
    // The deadline passes later: nothing more.
    r.clock.advanceBy(20_000);
    expect(r.answers).toHaveLength(1);
  });

  it('fails per symbol: a refused read, no answer in time, bars shorter than a minute, a symbol not traded', async () => {
    const r = rig();
    r.read();
    r.asked[0]!.answer({ kind: 'failed', reason: '503 service unavailable', source: 'alpaca 1Min bars (iex)' });
    await r.settle();
    r.posted.shift()!();
    expect(r.answers).toEqual(['alpaca 1Min bars (iex): 503 service unavailable']);

    const late = rig();
    late.read();
    late.clock.advanceBy(10_000);
    expect(late.answers).toEqual(["the venue's bars: no answer within 10000 ms"]);
    late.asked[0]!.answer({ kind: 'read', bars: [], source: 'x' });
    await late.settle();
    for (const work of late.posted) work();
    expect(late.answers).toHaveLength(1);

    const seconds = rig(1_000);
    seconds.read();
    expect(seconds.asked).toEqual([]);
    expect(seconds.answers).toEqual([
      "the venue's history is 1-minute bars and this strategy's bars are 1000 ms (not whole minutes)",
    ]);
    const other = rig();
    other.read('MSFT');
    expect(other.answers).toEqual(['the run does not trade MSFT']);
  });

  it('with several bar lengths, reads the longest span and hands every length in the order bars close', async () => {
    const r = rig(MIN, [MIN, 5 * MIN]);
    r.read();
    // 30.5 minutes in: the live 5-minute bar opened at minute 30; the span asked (3 minutes) is
    // rounded up to whole bars of the longest length.
    const liveStart = T0 + 30 * MIN;
    expect(r.asked.map((a) => [a.from, a.until])).toEqual([[liveStart - 5 * MIN, liveStart - 1]]);
    const minutes: MinuteBar[] = Array.from({ length: 15 }, (_, i) => ({
      start: liveStart - (15 - i) * MIN,
      volume: 1,
      vwap: 100 + i,
      open: 100 + i,
      low: 100 + i,
      high: 100 + i,
      close: 100 + i,
    }));
    // A venue may answer more than asked: every bar before the live ones is handed.
    r.asked[0]!.answer({ kind: 'read', bars: minutes, source: 'bars' });
    await r.settle();
    r.posted.shift()!();
    const got = (r.answers[0] as History).samples.map((x) => x.bars[0]!);
    expect(got.filter((b) => b.ms === MIN)).toHaveLength(15);
    expect(got.filter((b) => b.ms === 5 * MIN).map((b) => [b.time, b.open, b.close, b.volume])).toEqual([
      [liveStart - 15 * MIN, 1, 1.04, 5],
      [liveStart - 10 * MIN, 1.05, 1.09, 5],
      [liveStart - 5 * MIN, 1.1, 1.14, 5],
    ]);
    // In the order they close: a 5-minute bar right after the minute that closes it.
    const ends = got.map((b) => b.time + b.ms);
    expect([...ends].sort((a, b) => a - b)).toEqual(ends);
    const i = got.findIndex((b) => b.ms === 5 * MIN);
    expect(got[i - 1]).toMatchObject({ ms: MIN, time: liveStart - 11 * MIN });
  });

  it('is no source at all for a venue that reads no bars', () => {
    expect(
      venueHistory({
        venue: {} as LiveVenue,
        venueName: 'x',
        instruments: [AAPL],
        barMs: MIN,
        clock: new VirtualClock(T0),
        post: () => {},
      }),
    ).toBeNull();
  });
});
