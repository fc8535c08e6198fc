// A cancel sent while its order's POST is still in flight, on paper against the local Alpaca
// gateway (real SDK, real sockets): the adapter's lookup before the DELETE finds nothing (the
// venue has not acknowledged the order yet) and the cancel is answered "not found". That answer
// must not be taken as the order's end: whatever the venue then does with the order (rest it,
// fill it), the run's record must be the venue's, nothing may stay open at the venue behind our
// back, and a parent never reports less than the venue filled for it. Run at several order-entry
// latencies, with cancels from the same instant to a few hundred ms after the order.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { scoped } from '../support/gateway-harness.ts';
import { alpacaPaperGateway, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-race-key-id';
const SECRET = 'paper-race-secret-value';
const { dir, store: openStore } = scratchStores('execsim-paper-race-');

/** A busy AAPL book whose order entry takes `entryMs` plus up to `jitterMs`. */
function venueFile(entryMs: number, jitterMs: number): string {
  const file = path.join(dir, `venue-${entryMs}-${jitterMs}.yaml`);
  writeFileSync(
    file,
    `name: race-venue
seed: 17
venue:
  name: alpaca-equities
  fees: { makerBps: 0, takerBps: 0 }
  latency: { orderEntry: { ms: ${entryMs}, jitterMs: ${jitterMs} }, ack: 20, fillReport: 20, marketData: 0 }
  account: { quote: "100000000", base: "1000000" }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-09T14:00:00Z
duration: PT6H
market:
  model: synthetic
  initialPrice: "187.50"
  volatility: 0.01
  stepMs: 200
  spreadTicks: 1
  depth: ["40", "60", "100", "200"]
  trades: { ratePerSec: 10, meanQty: "6" }
`,
  );
  return file;
}

/** Marketable buys and a resting sell, each cancelled 0-250 ms after it is sent. */
const RUN = `name: paper-cancel-race
seed: 23
mode: paper
venue: { name: alpaca-equities }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-09T14:00:00Z
duration: PT30S
market: { model: static_book, bids: [["187.40", "500"]], asks: [["187.60", "500"]] }
reconciliation: { periodMs: 2000 }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
orders:
  - { id: at-once, at: PT1S, side: buy, qty: "20", type: limit, limitPrice: "190.00", route: single, cancelAt: PT1S }
  - { id: after-50ms, at: PT1.5S, side: buy, qty: "20", type: limit, limitPrice: "190.00", route: single, cancelAt: PT1.55S }
  - { id: after-250ms, at: PT2S, side: buy, qty: "20", type: limit, limitPrice: "190.00", route: single, cancelAt: PT2.25S }
  - { id: resting, at: PT2.5S, side: sell, qty: "20", type: limit, limitPrice: "199.00", route: single, cancelAt: PT2.6S }
`;

describe.concurrent('a cancel that overtakes its order on paper', () => {
  for (const [entryMs, jitterMs] of [
    [0, 0],
    [150, 100],
    [500, 0],
  ] as const) {
    it(
      `order entry ${entryMs} ms (+${jitterMs}): our record is the venue's, nothing left open behind our back`,
      scoped(async () => {
        const gw = await alpacaPaperGateway(venueFile(entryMs, jitterMs), { id: KEY, secret: SECRET });
        const store = openStore(path.join(dir, `run-${entryMs}.db`));
        const report = await runPaper(
          parseScenario(RUN, 'paper-cancel-race.yaml'),
          paperOptions(gw.url, store, { id: KEY, secret: SECRET }),
        );
        const atVenue = gw.orders.orders().map((r) => gw.orders.orderJson(r));
        expect(atVenue).toHaveLength(4);
        // Nothing of ours is working at the venue once the run has ended.
        for (const o of atVenue) expect(['filled', 'canceled'], String(o.client_order_id)).toContain(o.status);
        // Each parent reports what the venue filled for its order.
        const byParent = new Map(report.parents.map((p) => [p.children[0]?.clientOrderId, p]));
        for (const o of atVenue) {
          const id = String(o.client_order_id).slice(report.runId.length + 1);
          expect(byParent.get(id as never)?.filledQty, id).toBe(String(Number(o.filled_qty)));
        }
        expect(report.discrepancies).toBe(0);
        expect(report.parents.every((p) => p.status !== 'working')).toBe(true);
      }),
      30_000,
    );
  }
});
