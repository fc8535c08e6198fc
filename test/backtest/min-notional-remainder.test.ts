// What is left of a parent that the venue's minimum notional no longer lets out: a sell TWAP
// whose slices were planned just above the 5 USDT minimum, in a market that then falls 10%, has
// a last slice worth less than the minimum. It is never sent for the venue to refuse (nor made
// larger than what is left): the parent ends with the reason, in its report and its log.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { runLogged } from '../support/logged-run.ts';

const BASE = readFileSync('scenarios/twap-runaway-stop.yaml', 'utf8').replace(/faults:[\s\S]*$/, '');
const run = (orders: string, faults = '  - { kind: price_jump, at: PT3M, bps: -1000 }\n') =>
  runLogged(
    parseScenario(
      `${BASE}faults:\n${faults}safety:\n  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }\norders:\n${orders}`,
      'scenarios/x.yaml',
    ),
  );

/** 18 lots (0.00018 BTC, about 11 USDT at 61,000) sold in two slices of 9 lots (5.49 USDT each:
 *  the minimum notional allows no more slices), the second due after the price fell 10%. */
const SELL = `  - id: sell
    at: PT30S
    side: sell
    qty: "0.00018"
    type: market
    twap: { duration: PT10M, interval: PT5M, maxPriceDeviation: 0.5 }
`;

describe('a remainder below the minimum notional', () => {
  it('is not sent at the last slice: the parent stops with the reason, and the venue refuses nothing', () => {
    const r = run(SELL);
    const parent = r.report.parents.find((p) => p.id === 'sell')!;
    const planned = r.of('TwapPlanned')[0]!.event;
    expect(r.of('OrderCreated').map((e) => e.event.qty)).toEqual([9, 9]);
    expect(planned.minNotionalUnits).toBe(50_000_000);
    const rejected = r.of('OrderStatusChanged').filter((e) => e.event.to === 'rejected');
    expect(rejected).toEqual([]);
    expect(parent.children.map((c) => c.outcome)).toEqual(['filled', 'not_sent']);
    expect(parent.filledQty).toBe('0.00009');
    expect(parent.status).toBe('partially_filled');
    expect(parent.stoppedEarly).toBe(true);
    expect(parent.stopReason).toMatch(
      /^remainder below the minimum notional: 0\.00009 at 5\d{4}(\.\d+)? is 4\.\d+, under 5$/,
    );
    expect(parent.children[1]!.reason).toMatch(/^remainder below the minimum notional/);
  });

  it('without the fall, the same parent sends both slices and fills', () => {
    const r = run(SELL, '  - { kind: price_jump, at: PT3M, bps: 10 }\n');
    const parent = r.report.parents.find((p) => p.id === 'sell')!;
    expect(parent.children.map((c) => c.outcome)).toEqual(['filled', 'filled']);
    expect(parent.stoppedEarly).toBe(false);
  });
});
