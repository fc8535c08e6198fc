// A parent's costs as the run report folds them from a log: the decision at its signal's arrival,
// each fill measured against the mid sampled just before it, what did not fill marked at the
// parent's end, markouts at the mid sampled after each fill (maker and taker apart), a horizon
// past the run's end unavailable rather than zero, and the run's sums.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId } from '../model/ids.ts';
import { makeInstrument } from '../model/instrument.ts';
import { RunReportFold } from './run-report.ts';

const T0 = Date.UTC(2024, 7, 9);
// Whole ticks and lots of 1: a notional unit is one unit of quote.
const INSTRUMENT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '1', lotSize: '1', minNotional: '1' });

function run(horizons: readonly number[] = [1_000, 5_000]) {
  const clock = new VirtualClock(T0);
  const log = new EventLog(clock);
  const report = new RunReportFold(INSTRUMENT, [], horizons);
  const add = (e: ExecEvent): void => report.add(log.append(e));
  const sample = (bid: number, ask: number): void =>
    report.add(
      log.sample({
        kind: 'MarketSampled',
        trigger: 'interval',
        bid,
        ask,
        bidQty: 1,
        askQty: 1,
        trades: 0,
        volume: 0,
        vwap: null,
        last: null,
      }),
    );
  const at = (ms: number): void => {
    clock.advanceTo(T0 + ms);
  };
  const id = clientOrderId('c1');
  const vid = venueOrderId('v1');
  add({ kind: 'RunStarted', scenario: 'costs', symbol: 'BTCUSDT', startTime: T0 });
  sample(99, 101); // mid 100 at the decision
  add({
    kind: 'SignalReceived',
    signalId: 's1',
    fingerprint: 'f',
    side: 'buy',
    qty: 10,
    price: null,
    reduceOnly: false,
    confirmations: [],
  });
  at(1_000);
  sample(100, 102); // the mid rose by 1 before the parent started
  add({
    kind: 'ParentOrderCreated',
    parentId: parentOrderId('p1'),
    symbol: 'BTCUSDT',
    side: 'buy',
    qty: 10,
    type: 'limit',
    tif: 'GTC',
    limitPrice: 110,
    totalSlices: 1,
    route: 'single',
    arrivalBid: 100,
    arrivalAsk: 102,
    source: 'signal',
  });
  add({ kind: 'SignalAccepted', signalId: 's1', fingerprint: 'f', parentId: parentOrderId('p1') });
  add({
    kind: 'OrderCreated',
    clientOrderId: id,
    parentId: parentOrderId('p1'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: T0 + 1_000,
    symbol: 'BTCUSDT' as never,
    side: 'buy',
    type: 'limit',
    tif: 'GTC',
    qty: 10,
    limitPrice: 110,
    stopPrice: null,
  });
  add({ kind: 'SubmitOrder', clientOrderId: id });
  add({ kind: 'AckReport', clientOrderId: id, venueOrderId: vid });
  at(2_000);
  sample(102, 104); // mid 103 before the first fill
  at(2_500);
  // 4 lots taken at 104, 2 units of fees, learned 100 ms after the trade.
  add({
    kind: 'FillReport',
    clientOrderId: id,
    venueOrderId: vid,
    tradeId: tradeId('t1'),
    qty: 4,
    price: 104,
    fee: 2,
    liquidity: 'taker',
    venueTime: T0 + 2_400,
  });
  at(3_000);
  sample(101, 103); // mid 102
  at(4_000);
  // 2 lots rested and filled at 101, 1 unit of fees.
  add({
    kind: 'FillReport',
    clientOrderId: id,
    venueOrderId: vid,
    tradeId: tradeId('t2'),
    qty: 2,
    price: 101,
    fee: 1,
    liquidity: 'maker',
    venueTime: T0 + 4_000,
  });
  at(6_000);
  sample(105, 107); // mid 106
  at(7_000);
  add({ kind: 'CancelOrder', clientOrderId: id, reason: 'test' });
  add({ kind: 'CancelReport', clientOrderId: id });
  add({ kind: 'ParentOrderCompleted', parentId: parentOrderId('p1'), status: 'partially_filled', filledQty: 6 });
  at(8_000);
  report.markEnd('BTCUSDT', { bid: 107, ask: 109 }, T0 + 8_000); // mid 108 at the end
  return report.summary();
}

describe('costs folded from the log', () => {
  it('decomposes the shortfall against the decision mid exactly', () => {
    const summary = run();
    const p = summary.parents[0];
    expect(p?.status).toBe('partially_filled');
    const c = p?.costs;
    expect(c?.decisionAt).toBe(T0);
    expect(c?.decisionPrice).toBe('100');
    expect(c?.arrivalPrice).toBe('101');
    // delay: 10 x (101 - 100) = 10. timing: 4 x (103 - 101) + 2 x (102 - 101) = 10.
    // spread: 4 x (104 - 103) + 2 x (101 - 102) = 2. opportunity: the 4 unfilled lots, marked at
    // the parent's end: the cancel at 7 s, mid 106: 4 x (106 - 101) = 20. fees 3. total 45.
    expect(c?.endPrice).toBe('106');
    expect(c?.quote).toEqual({ delay: '10', timing: '10', spread: '2', opportunity: '20', fees: '3', total: '45' });
    // In bps of the decision value, 10 lots at 100.
    expect(c?.bps).toEqual({ delay: 100, timing: 100, spread: 20, opportunity: 200, fees: 30, total: 450 });
    // The first fill's mid was sampled 400 ms before its trade, the second's 1,000 ms.
    expect(c?.midAgeMs).toBe(1_000);
    expect(summary.costs.quote.total).toBe('45');
  });

  it('marks out each fill at its horizon, maker and taker apart, unavailable past the run end', () => {
    const c = run([1_000, 5_000]).parents[0]?.costs;
    // +1 s: the taker fill (2.4 s) sees mid 102 at 3 s: 4 x (102 - 104) = -8 over 416 notional;
    // the maker fill (4 s) sees mid 102 at 5 s: 2 x (102 - 101) = +2 over 202.
    const m1 = c?.markouts[0];
    expect(m1).toMatchObject({ horizonMs: 1_000, fills: 2, of: 2 });
    expect(m1?.takerBps).toBe(Math.round((-8 / 416) * 1e6) / 100);
    expect(m1?.makerBps).toBe(Math.round((2 / 202) * 1e6) / 100);
    expect(m1?.bps).toBe(Math.round((-6 / 618) * 1e6) / 100);
    // +5 s: the taker fill's horizon (7.4 s) is within the run, the maker fill's (9 s) is not.
    const m5 = c?.markouts[1];
    expect(m5).toMatchObject({ horizonMs: 5_000, fills: 1, of: 2, makerBps: null });
    expect(m5?.takerBps).toBe(Math.round(((4 * (106 - 104)) / 416) * 1e6) / 100);
    // Reversion after the last fill (4 s, mid 102 when learned): at 5 s still 102; at 9 s past the end.
    expect(c?.reversion).toEqual([
      { horizonMs: 1_000, bps: 0 },
      { horizonMs: 5_000, bps: null },
    ]);
  });
});
