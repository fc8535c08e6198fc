// The run report's P&L folded from a log (pnl-fold.ts through RunReportFold), over orders of
// either side told every way a venue tells fills (pushes, a lookup listing the trades, both, or a
// lookup stating only the cumulative before the pushes: an inferred fill, then executions matched
// to it, whose fees come without a trade), with an account baseline and market samples or none:
// fees are the ledger's, turnover the traded notional, realized + unrealized the ledger's cash
// before fees plus the position at the last mark less the baseline at the first arrival mid (the
// accounting identity against the order ledger), net = realized + unrealized - fees exactly, and
// the samples change none of that (only the curve between: drawdown and exposure). Commissions
// without a value are listed, never counted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId } from '../model/ids.ts';
import { makeInstrument } from '../model/instrument.ts';
import type { Side } from '../model/order.ts';
import type { ReportedTrade } from '../model/reports.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import { RunReportFold, type LogSummary } from './run-report.ts';

const T0 = Date.UTC(2024, 7, 9);
// Whole ticks and lots of 1: a notional unit is one unit of quote, so the report's decimals are
// the units the fold summed.
const INSTRUMENT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '1', lotSize: '1', minNotional: '1' });

const trade = fc.record({
  qty: fc.integer({ min: 1, max: 5 }),
  price: fc.integer({ min: 9_000, max: 11_000 }),
  fee: fc.integer({ min: 0, max: 50 }),
  unvalued: fc.boolean(),
});
const order = fc.record({
  side: fc.constantFrom<Side>('buy', 'sell'),
  arrival: fc.option(fc.integer({ min: 9_500, max: 10_500 }), { nil: null }),
  trades: fc.array(trade, { minLength: 0, maxLength: 4 }),
  telling: fc.constantFrom('push', 'lookup', 'both', 'inferred-first'),
});
const scenario = fc.record({
  baseline: fc.integer({ min: -5, max: 5 }),
  orders: fc.array(order, { minLength: 1, maxLength: 5 }),
  end: fc.record({ bid: fc.integer({ min: 9_000, max: 10_999 }), spread: fc.integer({ min: 1, max: 4 }) }),
  samples: fc.array(fc.integer({ min: 9_000, max: 11_000 }), { maxLength: 5 }),
});

interface Outcome {
  readonly summary: LogSummary;
  readonly ledger: OrderLedger;
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Folds the scenario's log (with a market sample after each order when `sampled`). */
function fold(s: Scenario, sampled: boolean): Outcome {
  const clock = new VirtualClock(T0);
  const log = new EventLog(clock);
  const ledger = new OrderLedger();
  const report = new RunReportFold(INSTRUMENT);
  const add = (e: ExecEvent): void => {
    const entry = log.append(e);
    report.add(entry);
    for (const d of ledger.apply(entry)) {
      const derived = log.append(d);
      report.add(derived);
      ledger.apply(derived);
    }
  };
  add({ kind: 'RunStarted', scenario: 'pnl', symbol: 'BTCUSDT', startTime: T0 });
  if (s.baseline !== 0)
    add({ kind: 'AccountBaseline', symbol: 'BTCUSDT', position: s.baseline, quote: 1e9, balances: null });
  s.orders.forEach((o, i) => {
    const id = clientOrderId(`o${i}`);
    const parentId = parentOrderId(`p${i}`);
    const vid = venueOrderId(`v${i}`);
    const qty = o.trades.reduce((n, t) => n + t.qty, 0) + 1;
    add({
      kind: 'ParentOrderCreated',
      parentId,
      symbol: 'BTCUSDT',
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
      scheduledTime: T0,
      symbol: 'BTCUSDT' as never,
      side: o.side,
      type: 'limit',
      tif: 'GTC',
      qty,
      limitPrice: 11_000,
      stopPrice: null,
    });
    add({ kind: 'SubmitOrder', clientOrderId: id });
    add({ kind: 'AckReport', clientOrderId: id, venueOrderId: vid });
    const reported: ReportedTrade[] = o.trades.map((t, k) => ({
      tradeId: tradeId(`t${i}-${k}`),
      qty: t.qty,
      price: t.price,
      fee: t.unvalued ? 0 : t.fee,
      liquidity: 'maker',
      venueTime: T0,
      ...(t.unvalued ? { commission: { asset: 'BNB', amount: '0.001', unvalued: true as const } } : {}),
    }));
    const filled = reported.reduce((n, t) => n + t.qty, 0);
    const notional = reported.reduce((n, t) => n + t.qty * t.price, 0);
    const lookup = (withTrades: boolean): void =>
      add({
        kind: 'OrderStatusReport',
        clientOrderId: id,
        venueOrderId: vid,
        status: filled > 0 ? 'partially_filled' : 'new',
        qty,
        filledQty: filled,
        ...(withTrades ? { trades: reported } : { avgPrice: filled > 0 ? notional / filled : 0 }),
      });
    if (o.telling === 'inferred-first' && filled > 0) lookup(false);
    if (o.telling !== 'lookup')
      for (const t of reported) add({ kind: 'FillReport', clientOrderId: id, venueOrderId: vid, ...t });
    if (o.telling === 'lookup' || o.telling === 'both') lookup(true);
    const mark = s.samples[i];
    if (sampled && mark !== undefined)
      report.add(
        log.sample({
          kind: 'MarketSampled',
          trigger: 'interval',
          bid: mark,
          ask: mark + 2,
          bidQty: 1,
          askQty: 1,
          trades: 0,
          volume: 0,
          vwap: null,
          last: null,
        }) as LogEntry,
      );
  });
  report.markEnd('BTCUSDT', { bid: s.end.bid, ask: s.end.bid + s.end.spread });
  return { summary: report.summary(), ledger };
}

describe('the P&L of a folded log', () => {
  it('is the ledger by another way: fees, turnover, the accounting identity; samples change only the curve', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { summary, ledger } = fold(s, true);
        const p = summary.pnl;
        const [sym] = p.symbols;
        if (sym === undefined) throw new Error('no symbol');
        expect(p.method).toBe('average-cost');
        expect(p.symbols.map((x) => x.symbol)).toEqual(['BTCUSDT']);
        const fees = [...ledger.orders.values()].reduce((n, o) => n + o.fees, 0);
        expect(Number(p.total.fees)).toBe(fees);
        expect(summary.parents.reduce((n, x) => n + Number(x.fees), 0)).toBe(fees);
        const traded = s.orders.flatMap((o) => o.trades).reduce((n, t) => n + t.qty * t.price, 0);
        expect(Number(p.total.turnover)).toBe(traded);
        const n = (x: string): number => Number(x);
        expect(n(p.total.net)).toBe(n(p.total.realized) + n(p.total.unrealized) - n(p.total.fees));
        // The identity, against the ledger's own cash (sells less buys less fees).
        const mark = s.end.bid + s.end.spread / 2;
        const fills = s.orders.flatMap((o) => o.trades);
        // The baseline opens at the first price the log has: an order's arrival mid (logged
        // before its fills), else its first fill's price; else at the end mark (making nothing).
        let opensAt = mark;
        for (const o of s.orders) {
          // An inferred fill comes first at the average of the order's trades.
          const average = o.trades.reduce((n, t) => n + t.qty * t.price, 0) / o.trades.reduce((n, t) => n + t.qty, 0);
          const fill = o.telling === 'inferred-first' && o.trades.length > 0 ? average : o.trades[0]?.price;
          const at = o.arrival !== null ? o.arrival + 1 : fill;
          if (at !== undefined) {
            opensAt = at;
            break;
          }
        }
        const position = s.baseline + ledger.position;
        expect(n(sym.position)).toBe(position);
        expect(n(sym.baseline)).toBe(s.baseline);
        const gross = ledger.cash + fees + position * mark - s.baseline * opensAt;
        expect(Math.abs(n(p.total.realized) + n(p.total.unrealized) - gross)).toBeLessThanOrEqual(1);
        expect(sym.mark).toBe(String(mark));
        expect(sym.markSource).toBe('end');
        expect(n(p.total.maxDrawdown)).toBeGreaterThanOrEqual(0);
        expect(n(p.total.maxGrossExposure)).toBeGreaterThanOrEqual(Math.floor(Math.abs(position) * mark));
        // Unvalued commissions: listed per asset, left out of fees.
        const unvalued = fills.filter((t) => t.unvalued).length;
        expect(p.total.unvaluedFees).toEqual(
          unvalued === 0 ? [] : [{ asset: 'BNB', amount: String(Math.round(unvalued * 1000) / 1e6) }],
        );
        expect(sym.unvaluedFees).toEqual(p.total.unvaluedFees);
        // Without samples: the same figures but the curve's.
        const unsampled = fold(s, false).summary.pnl;
        const figures = (x: typeof p) => ({
          ...x.total,
          maxDrawdown: null,
          maxGrossExposure: null,
          symbols: x.symbols.map((y) => [y.position, y.avgCost, y.mark, y.realized, y.unrealized, y.fees, y.net]),
        });
        expect(figures(unsampled)).toEqual(figures(p));
      }),
      { numRuns: 300 },
    );
  });

  it('marks at the last sample or arrival when the run gives no end mark', () => {
    const clock = new VirtualClock(T0);
    const log = new EventLog(clock);
    const report = new RunReportFold(INSTRUMENT);
    report.add(log.append({ kind: 'RunStarted', scenario: 'pnl', symbol: 'BTCUSDT', startTime: T0 }));
    report.add(log.append({ kind: 'AccountBaseline', symbol: 'BTCUSDT', position: 2, quote: 0, balances: null }));
    let p = report.summary().pnl.symbols[0];
    expect([p?.position, p?.mark, p?.markSource, p?.avgCost, p?.net]).toEqual(['2', null, null, null, '0']);
    report.add(
      log.sample({
        kind: 'MarketSampled',
        trigger: 'interval',
        bid: 100,
        ask: 102,
        bidQty: 1,
        askQty: 1,
        trades: 0,
        volume: 0,
        vwap: null,
        last: null,
      }) as LogEntry,
    );
    // A sample marks, but opens nothing: inventory opens at a price every run has (an arrival).
    p = report.summary().pnl.symbols[0];
    expect([p?.mark, p?.markSource, p?.avgCost, p?.unrealized]).toEqual(['101', 'sample', null, '0']);
    report.markEnd('BTCUSDT', { bid: null, ask: null }); // an empty book: the last mark stays
    p = report.summary().pnl.symbols[0];
    expect([p?.mark, p?.markSource]).toEqual(['101', 'sample']);
  });
});
