// A parent that starts on a venue's answer starts at a fraction of a millisecond when the
// venue's latency has jitter: a reduce-only signal's parent starts once the venue has answered
// about the position. Its plan starts on the next whole millisecond, as every schedule does,
// instead of being rejected for a start time that is not a whole number of milliseconds.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { runLogged } from '../support/logged-run.ts';

/** The reduce-only scenario with jittered order entry and answers, every signal routed to a
 *  TWAP, and the reduce-only sell that passes as a market order. */
function jittered(jitterMs: number, seed: number): string {
  return readFileSync('scenarios/safety-duplicate-signals.yaml', 'utf8')
    .replace(
      'latency: { orderEntry: 10, ack: 10, fillReport: 5 }',
      `latency: { orderEntry: { ms: 10, jitterMs: ${jitterMs} }, ack: { ms: 10, jitterMs: ${jitterMs} }, fillReport: 5 }`,
    )
    .replace('routing: { twapThreshold: "100000" }', 'routing: { twapThreshold: "0.001" }')
    .replace('qty: "0.02", price: "60500.00", reduceOnly: true', 'qty: "0.02", reduceOnly: true')
    .replace(/^seed: \d+$/m, `seed: ${seed}`)
    .replace(/expect:[\s\S]*$/, 'expect:\n  - noDuplicateOrders: true\n');
}

const run = (jitterMs: number, seed: number) =>
  runLogged(parseScenario(jittered(jitterMs, seed), 'scenarios/safety-duplicate-signals.yaml'));

describe('a parent started on a jittered venue answer', () => {
  it('plans its TWAP from the next whole millisecond, after a decision at a fraction of one', () => {
    const { of } = run(3, 61);
    expect(of('ParentRejected').map((e) => e.event.reason)).toEqual([]);
    const planned = of('TwapPlanned').find((e) => e.time % 1 !== 0);
    expect(planned, 'a TWAP planned at a fraction of a millisecond').toBeDefined();
    const slices = of('OrderCreated').filter((e) => e.event.parentId === planned?.event.parentId);
    expect(slices[0]?.event.scheduledTime).toBe(Math.ceil(planned?.time ?? NaN));
  });

  it("property: whatever the jitter and seed, no parent is rejected, and a plan's slices fall on whole milliseconds, the first within one after its decision", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 20, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        (jitterMs, seed) => {
          const { of } = run(jitterMs, seed);
          expect(of('ParentRejected').map((e) => e.event.reason)).toEqual([]);
          for (const plan of of('TwapPlanned')) {
            const slices = of('OrderCreated').filter((e) => e.event.parentId === plan.event.parentId);
            for (const slice of slices) expect(Number.isSafeInteger(slice.event.scheduledTime)).toBe(true);
            const first = slices[0]?.event.scheduledTime ?? NaN;
            expect(first - plan.time).toBeGreaterThanOrEqual(0);
            expect(first - plan.time).toBeLessThan(1);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
