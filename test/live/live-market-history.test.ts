// The market before a live adapter started, read back from its venue's minute bars: the
// recorder's history (a window counts every bar whose last millisecond it reaches, and says when
// it reaches before what the recorder covers), the bars net of what the live feed recorded (no
// trade counted twice where history and the live feed meet), and each venue's adapter (Alpaca's
// bars through its SDK, Binance's klines through ccxt) reading its local gateway's history after
// its trade stream is subscribed, or saying why it could not: refused, or not in time.
import os from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symbol } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { Symbol } from '../../src/core/model/ids.ts';
import type { GatewayVenue } from '../../src/gateway/gateway-venue.ts';
import type { MarketFeed } from '../../src/gateway/market-feed.ts';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.ts';
import type { LiveVenue } from '../../src/live/live-venue.ts';
import { BAR_MS, historyBars, type LivePrint, type MinuteBar } from '../../src/live/market-history.ts';
import { MarketRecorder, type HistoryBar } from '../../src/live/market-recorder.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { API_KEY, API_SECRET, binanceGateway } from '../support/binance-gateway-harness.ts';
import { gateway, KEY, onCleanup, SECRET, waitFor } from '../support/gateway-harness.ts';
import { refusingBars, refusingKlines, type HistoryProxy, type RefusalMode } from '../support/refusing-history.ts';

const T0 = 1_723_212_000_000; // a whole minute
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
const BTCUSDT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

/** Bars on distinct minutes from T0, in time order (some minutes without a bar). */
const barsArb = fc
  .uniqueArray(
    fc.record({
      minute: fc.integer({ min: 0, max: 30 }),
      volume: fc.integer({ min: 0, max: 5_000 }),
      vwap: fc.integer({ min: 10_000, max: 20_000 }),
    }),
    { selector: (b) => b.minute, maxLength: 20, size: 'max' },
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
        open: ps[0]!.price,
        low: Math.min(...ps.map((p) => p.price)),
        high: Math.max(...ps.map((p) => p.price)),
        close: ps.at(-1)!.price,
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
          { maxLength: 80, size: 'max' },
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
    const bar: MinuteBar = { start: T0, volume: 10, vwap: 100.5, open: 100, low: 100, high: 101, close: 101 };
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

/** One venue's gateway with other participants' trades on its tape, and its adapter. */
interface HistoryVenue {
  readonly name: string;
  readonly symbol: Symbol;
  /** Three prices (ticks) and sizes (lots) of other participants' trades. */
  readonly trades: ReadonlyArray<readonly [number, number]>;
  /** Why a refused history failed, as the adapter says it. */
  readonly refused: RegExp;
  readonly secret: string;
  start(): Promise<VenueUnderTest>;
}

interface VenueUnderTest {
  readonly feed: MarketFeed;
  readonly venue: GatewayVenue;
  /** The adapter at the gateway, or with its history behind a refusing proxy. */
  adapter(refusal?: RefusalMode, historyTimeoutMs?: number): Promise<{ adapter: LiveVenue; proxy?: HistoryProxy }>;
}

const VENUES: readonly HistoryVenue[] = [
  {
    name: 'alpaca',
    symbol: symbol('AAPL'),
    trades: [
      [18_745, 40],
      [18_750, 60],
      [18_760, 25],
    ],
    refused: /^HTTP 503 /,
    secret: SECRET,
    async start() {
      const gw = await gateway();
      return {
        feed: gw.feed,
        venue: gw.venue,
        async adapter(refusal, historyTimeoutMs) {
          const proxy = refusal === undefined ? undefined : await refusingBars(gw, refusal);
          const baseUrl = proxy?.url ?? gw.url;
          return track(
            proxy,
            new AlpacaAdapter({
              instrument: AAPL,
              keyId: KEY,
              secret: SECRET,
              baseUrl,
              tradeStreamUrl: gw.streamUrl,
              dataStreamUrl: gw.dataStreamUrl,
              clock: new WallClock(),
              requestTimeoutMs: 3_000,
              reconnectInitialMs: 20,
              ...(historyTimeoutMs === undefined ? {} : { marketData: { historyTimeoutMs } }),
            }),
          );
        },
      };
    },
  },
  {
    name: 'binance',
    symbol: symbol('BTCUSDT'),
    trades: [
      [6_499_950, 4_000],
      [6_500_000, 6_000],
      [6_500_100, 2_500],
    ],
    refused: /^-1008 Server is currently overloaded/,
    secret: API_SECRET,
    async start() {
      const gw = await binanceGateway();
      return {
        feed: gw.feed,
        venue: gw.venue,
        async adapter(refusal, historyTimeoutMs) {
          const proxy = refusal === undefined ? undefined : await refusingKlines(gw, refusal);
          const url = proxy?.url ?? gw.url;
          return track(
            proxy,
            new BinanceAdapter({
              instrument: BTCUSDT,
              runId: 'history-test',
              apiKey: API_KEY,
              secret: API_SECRET,
              url,
              clock: new WallClock(),
              requestTimeoutMs: 3_000,
              reconnectInitialMs: 20,
              ...(historyTimeoutMs === undefined ? {} : { marketData: { historyTimeoutMs } }),
            }),
          );
        },
      };
    },
  },
];

/** The adapter, its reports ignored, stopped after the test. */
function track(proxy: HistoryProxy | undefined, adapter: LiveVenue): { adapter: LiveVenue; proxy?: HistoryProxy } {
  adapter.setReportHandler(() => {});
  onCleanup(() => adapter.stop());
  return proxy === undefined ? { adapter } : { adapter, proxy };
}

/** Another participant's trade on the gateway's tape (the account is not touched). */
function print(v: VenueUnderTest, [price, qty]: readonly [number, number]): void {
  v.venue.clock.post(() => v.venue.venue.marketTrade(price, qty), 0);
}

const tapeVolume = (v: VenueUnderTest): number => v.feed.prints.reduce((s, p) => s + p.qty, 0);

for (const venue of VENUES)
  describe(`the ${venue.name} adapter reads the market before its start from its gateway`, () => {
    const [a, b, c] = venue.trades as [[number, number], [number, number], [number, number]];

    it('counts the trades printed before it started, once, beside those its stream records', async () => {
      const v = await venue.start();
      const since = Date.now();
      print(v, a);
      print(v, b);
      await waitFor(() => tapeVolume(v) === a[1] + b[1]);
      const { adapter } = await v.adapter();
      adapter.start(since);
      const history = await adapter.backfilled!();
      expect(history).toMatchObject({ kind: 'added', volume: a[1] + b[1] });
      print(v, c);
      const w = await waitFor(() => {
        const x = adapter.window(venue.symbol, since, Date.now());
        return x.volume === a[1] + b[1] + c[1] ? x : undefined;
      });
      expect(w.coveredFrom).toBeUndefined();
      expect(w.vwap).toBeCloseTo((a[0] * a[1] + b[0] * b[1] + c[0] * c[1]) / (a[1] + b[1] + c[1]), 6);
      expect(w.twapMid).not.toBeNull();
    });

    it('says why when the venue refuses its history, and its windows before the start say they are partial', async () => {
      const v = await venue.start();
      const since = Date.now();
      print(v, a);
      await waitFor(() => tapeVolume(v) === a[1]);
      const { adapter } = await v.adapter('refuse');
      const started = Date.now();
      adapter.start(since);
      const history = await adapter.backfilled!();
      expect(history).toMatchObject({ kind: 'failed' });
      expect(history.kind === 'failed' && history.reason).toMatch(venue.refused);
      expect(JSON.stringify(history)).not.toContain(venue.secret);
      const w = adapter.window(venue.symbol, since, Date.now());
      expect(w.volume).toBe(0);
      expect(w.coveredFrom).toBeGreaterThanOrEqual(started);
    });

    it('gives up on history that does not come in time', async () => {
      const v = await venue.start();
      // 300 ms on a machine with a core to spare, longer as the machine is oversubscribed: the
      // request must reach the venue (and be held there) before the deadline, and at load 14 on
      // two cores sending it took longer than 300 ms.
      const deadlineMs = Math.round(300 * Math.max(1, os.loadavg()[0]! / os.availableParallelism()));
      const { adapter, proxy } = await v.adapter('hold', deadlineMs);
      const t = Date.now();
      adapter.start(t - BAR_MS);
      // Held ever, not held now: the request is held only until the deadline, which a look at
      // the proxy every so often could fall after.
      await waitFor(() => proxy!.heldEver() === 1);
      const history = await adapter.backfilled!();
      expect(history).toEqual({
        kind: 'failed',
        from: Math.floor((t - BAR_MS) / BAR_MS) * BAR_MS,
        reason: `no history within ${deadlineMs} ms`,
      });
      expect(Date.now() - t).toBeLessThan(3_000 + deadlineMs);
      // The request itself was given up at the deadline, not left to the client's own timeout.
      await waitFor(() => proxy!.heldOpen() === 0, 10_000);
    });
  });
