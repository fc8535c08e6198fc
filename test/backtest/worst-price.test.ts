// A sliced parent's never-worse price (twap.worstPrice): a market parent's slices go out as IOC
// limits at that price, only while the touch is at or better than it (else skipped, their quantity
// carried), so no fill is ever worse; a limit parent's children are priced within it. A restarted
// process keeps it (it is stored with the plan), and a price off the tick grid is refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { runLogged } from '../support/logged-run.ts';

const CALM = readFileSync('scenarios/twap-calm.yaml', 'utf8')
  .replace(
    'twap: { duration: PT10M, interval: PT1M }',
    'twap: { duration: PT10M, interval: PT1M, worstPrice: "61012.00" }',
  )
  .replace(/expect:[\s\S]*$/, 'expect:\n  - noDuplicateOrders: true\n  - noDiscrepancies: true\n');
const run = (text: string) => runLogged(parseScenario(text, 'scenarios/twap-calm.yaml'));
const TICK = 0.01;

describe('a never-worse price on a market TWAP', () => {
  it('fills nothing worse than the price, skips the slices while the touch is past it, and reproduces its digest', () => {
    const { report, log, of } = run(CALM);
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    const children = of('OrderCreated').filter((e) => e.event.parentId === 'twap-buy');
    expect(children.map((c) => [c.event.type, c.event.tif, c.event.limitPrice])).toEqual(
      children.map(() => ['limit', 'IOC', Math.round(61012 / TICK)]),
    );
    const ids = new Set(children.map((c) => c.event.clientOrderId as string));
    const fills = log.flatMap((e) =>
      e.event.kind === 'FillReport' && ids.has(e.event.clientOrderId) ? [e.event.price] : [],
    );
    expect(fills.length).toBeGreaterThan(0);
    for (const price of fills) expect(price).toBeLessThanOrEqual(Math.round(61012 / TICK));
    const skipped = of('SliceSkipped').filter((e) => e.event.parentId === 'twap-buy');
    expect(skipped.length).toBeGreaterThan(0);
    for (const s of skipped)
      expect(s.event.reason).toMatch(
        s.event.sliceNum === 10
          ? /is worse than the never-worse price 61012(\.00)?: left unfilled, no slice after it/
          : /is worse than the never-worse price 61012(\.00)?: carried/,
      );
    expect(of('TwapPlanned').find((e) => e.event.parentId === 'twap-buy')?.event.stops?.worstPrice).toBe(6_101_200);
    const p = report.parents.find((x) => x.id === 'twap-buy')!;
    expect(Number(p.filledQty)).toBeLessThanOrEqual(2);
    // The parent without one is untouched: its children stay market orders.
    const other = of('OrderCreated').filter((e) => e.event.parentId === 'auto-sell');
    expect(other.every((c) => c.event.type === 'market' && c.event.limitPrice === null)).toBe(true);
    expect(run(CALM).report.digest).toBe(report.digest);
  });

  it('holds across a restart: the resumed slices are the same IOC limits, and no fill is worse', () => {
    for (const at of ['PT2M30S', 'PT5M10S', 'PT8M']) {
      const { report, log, of } = run(
        CALM.replace('orders:', `restarts:\n  - { at: ${at}, downtime: PT40S }\norders:`),
      );
      expect(of('ProcessRestarted')).toHaveLength(1);
      expect(report.duplicateOrders).toEqual([]);
      const ids = new Set(
        of('OrderCreated')
          .filter((e) => e.event.parentId === 'twap-buy')
          .map((e) => e.event.clientOrderId as string),
      );
      for (const e of log)
        if (e.event.kind === 'FillReport' && ids.has(e.event.clientOrderId))
          expect(e.event.price).toBeLessThanOrEqual(Math.round(61012 / TICK));
      expect(Number(report.parents.find((x) => x.id === 'twap-buy')!.filledQty)).toBeLessThanOrEqual(2);
    }
  });

  it('says that a last slice skipped for the price leaves its quantity unfilled, with no slice to carry it to', () => {
    // A 500 sell in five slices that may not sell under 99.95 on a market drifting under it.
    const { of } = run(`name: worst-last
seed: 7
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-09T12:00:00Z
duration: PT21M
market:
  model: synthetic
  initialPrice: "100.00"
  volatility: 0.005
  depth: ["400", "800", "1600"]
  trades: { ratePerSec: 2, meanQty: "20" }
safety: { preTrade: { largeOrderNotional: "100000000", hardLimitNotional: "200000000", maxOrderNotional: "500000000" } }
orders:
  - { id: p, at: PT10S, side: sell, qty: "500", type: market, twap: { duration: PT5M, slices: 5, worstPrice: "99.95" } }
`);
    const reasons = of('SliceSkipped').map((e) => `${e.event.sliceNum}: ${e.event.reason}`);
    expect(reasons).toEqual([
      '3: the bid 99.93 is worse than the never-worse price 99.95: carried to the next slice',
      '4: the bid 99.89 is worse than the never-worse price 99.95: carried to the next slice',
      '5: the bid 99.92 is worse than the never-worse price 99.95: left unfilled, no slice after it to carry it to',
    ]);
  });

  it('is refused off the tick grid, at its field', () => {
    expect(() => parseScenario(CALM.replace('worstPrice: "61012.00"', 'worstPrice: "61012.005"'), 'x.yaml')).toThrow(
      /orders\[0\]\.twap\.worstPrice: /,
    );
  });
});
