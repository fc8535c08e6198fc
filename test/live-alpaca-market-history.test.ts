// The market before the Alpaca adapter started, read back from the venue's minute bars: the
// recorder's history (a window counts every bar whose last millisecond it reaches, and says when
// it reaches before what the recorder covers), the bars net of what the live feed recorded (no
// trade counted twice where history and the live feed meet), and the adapter reading the local
// gateway's bars through the SDK after its stream is subscribed, or saying why it could not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symbol } from '../src/core/model/ids.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';
import { AlpacaAdapter, type AlpacaAdapterOptions } from '../src/live/alpaca/alpaca-adapter.ts';
import { BAR_MS, historyBars, type LivePrint, type MinuteBar } from '../src/live/market-history.ts';
import { MarketRecorder, type HistoryBar } from '../src/live/market-recorder.ts';
import { WallClock } from '../src/live/wall-clock.ts';
import { gateway, KEY, onCleanup, SECRET, waitFor } from './support/gateway-harness.ts';
import { refusingBars } from './support/refusing-bars.ts';
import type { AlpacaGateway } from '../src/gateway/alpaca/alpaca-gateway.ts';

const T0 = 1_723_212_000_000; // a whole minute
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });

/** Bars on distinct minutes from T0, in time order (some minutes without a bar). */
const barsArb = fc
  .uniqueArray(
    fc.record({
      minute: fc.integer({ min: 0, max: 30 }),
      volume: fc.integer({ min: 0, max: 5_000 }),
      vwap: fc.integer({ min: 10_000, max: 20_000 }),
    }),
    { selector: (b) => b.minute, maxLength: 20 },
  )
  .map((bs) =>
    [...bs]
      .sort((a, b) => a.minute - b.minute)
      .map((b): HistoryBar => ({
        start: T0 + b.minute * BAR_MS,
        end: T0 + (b.minute + 1) * BAR_MS,
        volume: b.volume,
        vwap: b.volume > 0 ? b.vwap + 0.25 : null,
        mid: b.vwap,
      })),
  );

describe('MarketRecorder history', () => {
  it('a window over any range counts exactly the bars whose last millisecond is inside it', () => {
    fc.assert(
      fc.property(
        barsArb,
        fc.integer({ min: 0, max: 31 * BAR_MS }),
        fc.array(fc.tuple(fc.integer({ min: -BAR_MS, max: 32 * BAR_MS }), fc.integer({ min: 0, max: 32 * BAR_MS }))),
        (bars, cutAfter, ranges) => {
          const until = T0 + cutAfter;
          const rec = new MarketRecorder();
          rec.liveFrom(until);
          rec.addHistory(bars, T0, until);
          const kept = bars.filter((b) => b.start < until);
          const last = (b: HistoryBar) => Math.min(b.end, until) - 1;
          for (const [a, len] of ranges) {
            const from = T0 + a;
            const to = from + len;
            const inside = kept.filter((b) => last(b) >= from && last(b) <= to);
            const volume = inside.reduce((s, b) => s + b.volume, 0);
            const notional = inside.reduce((s, b) => s + b.volume * (b.vwap ?? 0), 0);
            const w = rec.window(from, to);
            expect(w.volume).toBe(volume);
            if (volume === 0) expect(w.vwap).toBeNull();
            else expect(w.vwap).toBeCloseTo(notional / volume, 6);
            // Covered from the history's start: only a window reaching before it is partial.
            expect(w.coveredFrom).toBe(from < T0 ? T0 : undefined);
          }
          // A range made of whole bars counts exactly those bars.
          for (let i = 0; i < kept.length; i++)
            for (let j = i; j < kept.length; j++) {
              const whole = kept.slice(i, j + 1).reduce((s, b) => s + b.volume, 0);
              expect(rec.window(kept[i]!.start, last(kept[j]!)).volume).toBe(whole);
            }
        },
      ),
    );
  });

  it("the TWAP mid runs along the bars' prices, then the live quotes", () => {
    const rec = new MarketRecorder();
    const until = T0 + 2 * BAR_MS + 30_000;
    rec.liveFrom(until);
    rec.quote(until + 1_000, { bid: 100, bidQty: 1, ask: 102, askQty: 1 });
    rec.addHistory(
      [
        { start: T0, end: T0 + BAR_MS, volume: 5, vwap: 90, mid: 90 },
        { start: T0 + 2 * BAR_MS, end: T0 + 3 * BAR_MS, volume: 5, vwap: 96, mid: 96 },
      ],
      T0,
      until,
    );
    // 90 for two minutes (no bar in the second), 96 from the third minute to the first quote, then 101.
    const w = rec.window(T0, until + 11_000);
    const expected = (90 * 2 * BAR_MS + 96 * 31_000 + 101 * 10_000) / (2 * BAR_MS + 41_000);
    expect(w.twapMid).toBeCloseTo(expected, 9);
    expect(rec.window(T0 + 30_000, T0 + 40_000).twapMid).toBe(90);
  });

  it('coverage starts where the live feed started until history is added, and moves up as bounds drop data', () => {
    const rec = new MarketRecorder({ retainMs: 10 * BAR_MS, maxEntries: 1_000 });
    const start = T0 + 20 * BAR_MS;
    rec.liveFrom(start);
    rec.trade(start + 5, 100, 3);
    expect(rec.window(start - 1, start + 10)).toEqual({ vwap: 100, twapMid: null, volume: 3, coveredFrom: start });
    expect(rec.window(start, start + 10)).toEqual({ vwap: 100, twapMid: null, volume: 3 });
    // History from T0: what is older than 10 minutes before the newest entry is dropped at once.
    const bars = Array.from({ length: 20 }, (_, i) => ({
      start: T0 + i * BAR_MS,
      end: T0 + (i + 1) * BAR_MS,
      volume: 1,
      vwap: 100,
      mid: 100,
    }));
    rec.addHistory(bars, T0, start);
    const w = rec.window(T0, start + 10);
    // Bars 10..19 end after start + 5 - 10 min; the last dropped one ended at T0 + 10 min - 1.
    expect(w.volume).toBe(10 + 3);
    expect(w.coveredFrom).toBe(T0 + 10 * BAR_MS);
    expect(rec.window(T0 + 10 * BAR_MS, start + 10).coveredFrom).toBeUndefined();
    // Live time passes: coverage follows the retained range.
    rec.trade(start + 5 * BAR_MS, 100, 1);
    expect(rec.window(T0 + 10 * BAR_MS, start + 5 * BAR_MS).coveredFrom).toBe(T0 + 15 * BAR_MS);
  });

  it('history never enters the tape cursor of tradesSince', () => {
    const rec = new MarketRecorder();
    rec.liveFrom(T0 + BAR_MS);
    rec.trade(T0 + BAR_MS, 100, 2);
    const before = rec.tradesSince(0);
    rec.addHistory([{ start: T0, end: T0 + BAR_MS, volume: 7, vwap: 99, mid: 99 }], T0, T0 + BAR_MS);
    expect(rec.tradesSince(0)).toEqual(before);
    expect(rec.tradesSince(before.cursor)).toMatchObject({ trades: 0, volume: 0 });
    expect(rec.window(T0, T0 + BAR_MS).volume).toBe(9);
  });
});

/** Minute bars of a tape, as the venue builds them from every print before `until`. */
function barsOf(prints: readonly LivePrint[], until: number): MinuteBar[] {
  const by = new Map<number, LivePrint[]>();
  for (const p of prints) {
    if (p.venueTime >= until) continue;
    const m = Math.floor(p.venueTime / BAR_MS) * BAR_MS;
    by.set(m, [...(by.get(m) ?? []), p]);
  }
  return [...by]
    .sort((a, b) => a[0] - b[0])
    .map(([start, ps]) => {
      const volume = ps.reduce((s, p) => s + p.qty, 0);
      return {
        start,
        volume,
        vwap: ps.reduce((s, p) => s + p.price * p.qty, 0) / volume,
        low: Math.min(...ps.map((p) => p.price)),
        high: Math.max(...ps.map((p) => p.price)),
      };
    });
}

describe('history bars net of the live feed', () => {
  it('history and the live feed together count every print once, wherever the feed started', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 5 * BAR_MS }),
            price: fc.integer({ min: 18_000, max: 19_000 }),
            qty: fc.integer({ min: 1, max: 500 }),
          }),
          { maxLength: 80 },
        ),
        fc.integer({ min: 0, max: 5 * BAR_MS }),
        fc.integer({ min: 0, max: BAR_MS }),
        fc.integer({ min: 0, max: 4 * BAR_MS }),
        (raw, streamAt, readAfter, sinceAt) => {
          const prints = raw
            .map((p) => ({ venueTime: T0 + p.at, price: p.price, qty: p.qty }))
            .sort((a, b) => a.venueTime - b.venueTime);
          const stream = T0 + streamAt; // the live feed records prints from here on
          const until = stream + readAfter; // the bars are read here
          const since = Math.floor((T0 + sinceAt) / BAR_MS) * BAR_MS;
          const rec = new MarketRecorder();
          rec.liveFrom(stream);
          const live = prints.filter((p) => p.venueTime >= stream);
          for (const p of live) rec.trade(p.venueTime, p.price, p.qty);
          const seen = live.filter((p) => p.venueTime < until);
          const bars = barsOf(prints, until).filter((b) => b.start >= since);
          rec.addHistory(historyBars(bars, seen, until), since, until);
          const end = T0 + 6 * BAR_MS;
          const fromSince = prints.filter((p) => p.venueTime >= since);
          const w = rec.window(since, end);
          expect(w.volume).toBe(fromSince.reduce((s, p) => s + p.qty, 0));
          if (w.volume > 0)
            expect(w.vwap).toBeCloseTo(fromSince.reduce((s, p) => s + p.price * p.qty, 0) / w.volume, 6);
          expect(w.coveredFrom).toBeUndefined();
          // After the read, only the live feed counts.
          const after = prints.filter((p) => p.venueTime >= until);
          expect(rec.window(until, end).volume).toBe(after.reduce((s, p) => s + p.qty, 0));
        },
      ),
    );
  });

  it("keeps what is left of a bar within the bar's prices, and never below zero", () => {
    const bar: MinuteBar = { start: T0, volume: 10, vwap: 100.5, low: 100, high: 101 };
    // The live feed saw more than the bar holds (a print in flight on both): nothing is left.
    expect(historyBars([bar], [{ venueTime: T0 + 5, price: 101, qty: 12 }], T0 + BAR_MS)).toEqual([
      { start: T0, end: T0 + BAR_MS, volume: 0, vwap: null, mid: 100.5 },
    ]);
    const left = historyBars([bar], [{ venueTime: T0 + 5, price: 90, qty: 5 }], T0 + BAR_MS)[0]!;
    expect(left).toMatchObject({ volume: 5, vwap: 101 });
    // A bar starting at the cut or after is the live feed's alone.
    expect(historyBars([bar], [], T0)).toEqual([]);
  });
});

/** Other participants' trade on the gateway's tape (not ours: the account is untouched). */
function print(gw: AlpacaGateway, price: number, qty: number): void {
  gw.venue.clock.post(() => gw.venue.venue.marketTrade(price, qty), 0);
}

function adapter(gw: AlpacaGateway, options: Partial<AlpacaAdapterOptions> = {}): AlpacaAdapter {
  const a = new AlpacaAdapter({
    instrument: AAPL,
    keyId: KEY,
    secret: SECRET,
    baseUrl: gw.url,
    clock: new WallClock(),
    requestTimeoutMs: 3_000,
    reconnectInitialMs: 20,
    ...options,
  });
  a.setReportHandler(() => {});
  onCleanup(() => a.stop());
  return a;
}

const tapeVolume = (gw: AlpacaGateway): number => gw.feed.prints.reduce((s, p) => s + p.qty, 0);

describe('the Alpaca adapter reads the market before its start from the gateway', () => {
  it('counts the trades printed before it started, once, beside those its stream records', async () => {
    const gw = await gateway();
    const since = Date.now();
    print(gw, 18_745, 40);
    print(gw, 18_750, 60);
    await waitFor(() => tapeVolume(gw) === 100);
    const a = adapter(gw);
    a.start(since);
    const history = await a.backfilled();
    expect(history).toMatchObject({ kind: 'added', volume: 100 });
    print(gw, 18_760, 25);
    const aapl = symbol('AAPL');
    const w = await waitFor(() => {
      const x = a.window(aapl, since, Date.now());
      return x.volume === 125 ? x : undefined;
    });
    expect(w.coveredFrom).toBeUndefined();
    expect(w.vwap).toBeCloseTo((18_745 * 40 + 18_750 * 60 + 18_760 * 25) / 125, 6);
    expect(w.twapMid).not.toBeNull();
  });

  it('says why when the venue refuses its history, and its windows before the start say they are partial', async () => {
    const gw = await gateway();
    const since = Date.now();
    print(gw, 18_745, 40);
    await waitFor(() => tapeVolume(gw) === 40);
    const proxy = await refusingBars(gw);
    const a = adapter(gw, {
      baseUrl: proxy,
      tradeStreamUrl: gw.streamUrl,
      dataStreamUrl: gw.dataStreamUrl,
    });
    const started = Date.now();
    a.start(since);
    const history = await a.backfilled();
    expect(history).toMatchObject({ kind: 'failed' });
    expect(history.kind === 'failed' && history.reason).toMatch(/HTTP 503/);
    expect(JSON.stringify(history)).not.toContain(SECRET);
    const w = a.window(symbol('AAPL'), since, Date.now());
    expect(w.volume).toBe(0);
    expect(w.coveredFrom).toBeGreaterThanOrEqual(started);
  });

  it('gives up on history that does not come in time', async () => {
    const gw = await gateway();
    const proxy = await refusingBars(gw, 'hold');
    const a = adapter(gw, {
      baseUrl: proxy,
      tradeStreamUrl: gw.streamUrl,
      dataStreamUrl: gw.dataStreamUrl,
      marketData: { historyTimeoutMs: 300 },
    });
    const t = Date.now();
    a.start(t - BAR_MS);
    const history = await a.backfilled();
    expect(history).toEqual({
      kind: 'failed',
      from: Math.floor((t - BAR_MS) / BAR_MS) * BAR_MS,
      reason: 'no history within 300 ms',
    });
    expect(Date.now() - t).toBeLessThan(3_000);
  });
});
