// Round trips and the run's statistics folded from a log through RunReportFold (trade-fold.ts):
// random fill sequences of either side (flips included), an account baseline, corrections and
// market samples, spread over run clock. The closed trades' net plus the open ones' is the run's
// net P&L; each trade is flat at its ends; the figures stay in their ranges; the drawdown is the
// P&L fold's own; and listing the symbols in another order changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId } from '../model/ids.ts';
import { makeInstrument, type Instrument } from '../model/instrument.ts';
import type { Side } from '../model/order.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { RunReportFold, type LogSummary } from './run-report.ts';

const T0 = Date.UTC(2024, 7, 9);
const inst = (symbol: string): Instrument => makeInstrument({ symbol, tickSize: '1', lotSize: '1', minNotional: '1' });
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

const order = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom<Side>('buy', 'sell'),
  arrival: fc.option(fc.integer({ min: 9_500, max: 10_500 }), { nil: null }),
  fills: fc.array(
    fc.record({
      qty: fc.integer({ min: 1, max: 6 }),
      price: fc.integer({ min: 9_000, max: 11_000 }),
      fee: fc.integer({ min: 0, max: 7 }),
    }),
    { maxLength: 3 },
  ),
  waitMs: fc.integer({ min: 0, max: 200_000 }),
  correction: fc.integer({ min: -2, max: 2 }),
  sample: fc.option(fc.integer({ min: 9_000, max: 11_000 }), { nil: null }),
});
const scenario = fc.record({
  baseline: fc.integer({ min: -3, max: 3 }),
  orders: fc.array(order, { minLength: 1, maxLength: 8 }),
  end: fc.integer({ min: 9_000, max: 11_000 }),
  tailMs: fc.integer({ min: 0, max: 300_000 }),
  intervalMs: fc.constantFrom(1_000, 60_000, 250_000),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Folds the scenario's log; `others` lists the further symbols in the order given. */
function fold(s: Scenario, others: readonly string[] = SYMBOLS.slice(1)): LogSummary {
  const clock = new VirtualClock(T0);
  const log = new EventLog(clock);
  const ledger = new OrderLedger();
  const report = new RunReportFold(inst('BTCUSDT'), others.map(inst), undefined, s.intervalMs);
  const add = (e: ExecEvent): void => {
    const entry = log.append(e);
    report.add(entry);
    for (const d of ledger.apply(entry)) {
      const derived = log.append(d);
      report.add(derived);
      ledger.apply(derived);
    }
  };
  add({ kind: 'RunStarted', scenario: 'trades', symbol: 'BTCUSDT', startTime: T0 });
  if (s.baseline !== 0)
    add({ kind: 'AccountBaseline', symbol: 'ETHUSDT', position: s.baseline, quote: 1e9, balances: null });
  s.orders.forEach((o, i) => {
    clock.advanceBy(o.waitMs);
    const id = clientOrderId(`o${i}`);
    const parentId = parentOrderId(`p${i}`);
    const vid = venueOrderId(`v${i}`);
    const qty = o.fills.reduce((n, t) => n + t.qty, 0) + 1;
    add({
      kind: 'ParentOrderCreated',
      parentId,
      symbol: o.symbol,
      side: o.side,
      qty,
      type: 'limit',
      tif: 'GTC',
      limitPrice: 10_000,
      totalSlices: 1,
      route: 'single',
      arrivalBid: o.arrival,
      arrivalAsk: o.arrival === null ? null : o.arrival + 2,
      source: 'test',
    });
    add({
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId,
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: clock.now(),
      symbol: o.symbol as never,
      side: o.side,
      type: 'limit',
      tif: 'GTC',
      qty,
      limitPrice: 11_000,
      stopPrice: null,
    });
    add({ kind: 'SubmitOrder', clientOrderId: id });
    add({ kind: 'AckReport', clientOrderId: id, venueOrderId: vid });
    o.fills.forEach((t, k) => {
      clock.advanceBy(1_000);
      add({
        kind: 'FillReport',
        clientOrderId: id,
        venueOrderId: vid,
        tradeId: tradeId(`t${i}-${k}`),
        qty: t.qty,
        price: t.price,
        fee: t.fee,
        liquidity: 'maker',
        venueTime: clock.now(),
      });
    });
    if (o.correction !== 0)
      add({
        kind: 'PositionCorrected',
        symbol: o.symbol,
        adjustment: o.correction,
        expected: 0,
        venue: 0,
        reason: 'test',
      } as unknown as ExecEvent);
    if (o.sample !== null)
      report.add(
        log.sample({
          kind: 'MarketSampled',
          trigger: 'interval',
          bid: o.sample,
          ask: o.sample + 2,
          bidQty: 1,
          askQty: 1,
          trades: 0,
          volume: 0,
          vwap: null,
          last: null,
        }) as LogEntry,
      );
  });
  clock.advanceBy(s.tailMs);
  for (const symbol of SYMBOLS) report.markEnd(symbol, { bid: s.end, ask: s.end + 2 }, clock.now());
  return report.summary();
}

const n = (x: string): number => Number(x);

describe('round trips folded from a log', () => {
  it("add up to the run's net P&L, each flat at its ends, with figures in range", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = fold(s);
        const { stats, closed, open } = r.trades;
        // Sums: each rounded to the quote unit, so within a unit or two of the run's net.
        expect(Math.abs(n(stats.closedNet) + n(stats.openNet) - n(r.pnl.total.net))).toBeLessThanOrEqual(2);
        expect(Math.abs(closed.reduce((x, t) => x + n(t.net), 0) - n(stats.closedNet))).toBeLessThanOrEqual(
          closed.length / 2 + 1,
        );
        expect(stats.trades).toBe(closed.length);
        expect(stats.open).toBe(open.length);
        expect(stats.wins + stats.losses).toBeLessThanOrEqual(stats.trades);
        // A symbol's open trade is its open position.
        for (const p of r.pnl.symbols) {
          const o = open.find((t) => t.symbol === p.symbol);
          if (n(p.position) === 0) expect(o).toBeUndefined();
          else expect(o?.side).toBe(n(p.position) > 0 ? 'long' : 'short');
        }
        for (const t of closed) {
          expect(t.exitTime).not.toBeNull();
          expect(t.exitTime as number).toBeGreaterThanOrEqual(t.entryTime);
          expect(t.holdingMs).toBe((t.exitTime as number) - t.entryTime);
          expect(n(t.qty)).toBeGreaterThan(0);
          // Gross is what the exits got over what the entries paid, side for side.
          const sign = t.side === 'long' ? 1 : -1;
          expect(Math.abs(sign * (n(t.exitPrice ?? '0') - n(t.entryPrice)) * n(t.qty) - n(t.gross))).toBeLessThan(1);
        }
        if (stats.winRate !== null) {
          expect(stats.winRate).toBeGreaterThanOrEqual(0);
          expect(stats.winRate).toBeLessThanOrEqual(1);
        }
        if (stats.profitFactor !== null) expect(stats.profitFactor).toBeGreaterThanOrEqual(0);
        expect(stats.profitFactor === null).toBe(stats.losses === 0);
        if (stats.exposure !== null) {
          expect(stats.exposure).toBeGreaterThanOrEqual(0);
          expect(stats.exposure).toBeLessThanOrEqual(1);
        }
        expect(n(stats.drawdown.amount)).toBeGreaterThanOrEqual(0);
        expect(stats.drawdown.amount).toBe(r.pnl.total.maxDrawdown);
        expect(stats.drawdown.durationMs).toBeGreaterThanOrEqual(0);
        expect(stats.drawdown.durationMs).toBeLessThanOrEqual(stats.runMs);
        expect(stats.equity.samples).toBe(Math.floor(stats.runMs / s.intervalMs) + 1);
        if (stats.equity.sharpeAnnualized !== null && stats.equity.sharpe !== null)
          // Each rounded to six decimals: the per-interval one's rounding grows by the factor.
          expect(
            Math.abs(stats.equity.sharpeAnnualized - stats.equity.sharpe * stats.equity.annualizationFactor),
          ).toBeLessThanOrEqual(1e-6 * (stats.equity.annualizationFactor + 2));
      }),
      { numRuns: 300 },
    );
  });

  it('are the same whatever order the node lists its symbols in', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(fold(s, ['SOLUSDT', 'ETHUSDT']).trades).toEqual(fold(s).trades);
      }),
      { numRuns: 100 },
    );
  });

  it('split a flipping fill: the part that flattens closes, the rest opens, fees pro rata', () => {
    const r = fold({
      baseline: 0,
      orders: [
        {
          symbol: 'BTCUSDT',
          side: 'buy',
          arrival: 100,
          fills: [{ qty: 2, price: 100, fee: 4 }],
          waitMs: 0,
          correction: 0,
          sample: null,
        },
        {
          symbol: 'BTCUSDT',
          side: 'sell',
          arrival: 109,
          fills: [{ qty: 3, price: 110, fee: 9 }],
          waitMs: 60_000,
          correction: 0,
          sample: null,
        },
        {
          symbol: 'BTCUSDT',
          side: 'buy',
          arrival: 104,
          fills: [{ qty: 1, price: 105, fee: 1 }],
          waitMs: 60_000,
          correction: 0,
          sample: null,
        },
      ],
      end: 100,
      tailMs: 0,
      intervalMs: 60_000,
    });
    const t = r.trades.closed.map((x) => [x.side, x.qty, x.entryPrice, x.exitPrice, x.gross, x.fees, x.net, x.fills]);
    expect(t).toEqual([
      ['long', '2', '100', '110', '20', '10', '10', 2],
      ['short', '1', '110', '105', '5', '4', '1', 2],
    ]);
    expect(r.trades.open).toEqual([]);
    expect(r.trades.stats).toMatchObject({
      trades: 2,
      wins: 2,
      losses: 0,
      winRate: 1,
      profitFactor: null,
      expectancy: '6',
    });
    expect(r.trades.stats.closedNet).toBe(r.pnl.total.net);
  });

  it('keep the baseline as an open inventory trade marked at the last mark', () => {
    const r = fold({
      baseline: 2,
      orders: [{ symbol: 'ETHUSDT', side: 'buy', arrival: 100, fills: [], waitMs: 0, correction: 0, sample: null }],
      end: 110,
      tailMs: 120_000,
      intervalMs: 60_000,
    });
    expect(r.trades.closed).toEqual([]);
    expect(r.trades.open).toEqual([
      expect.objectContaining({
        symbol: 'ETHUSDT',
        side: 'long',
        qty: '2',
        entryPrice: '101',
        mark: '111',
        gross: '20',
        fills: 0,
        inventory: true,
      }),
    ]);
    expect(r.trades.stats.openNet).toBe(r.pnl.total.net);
    expect(r.trades.stats.exposure).toBe(1);
  });
});
