// Crash seeds for every execution algorithm beside TWAP's (restart-properties.test.ts): a VWAP (on
// its default or a given profile), an implementation-shortfall parent (urgency above 0: a curve,
// not TWAP's line) and a percent-of-volume parent, crashed by time or right after an order
// leaves (before its status is stored), one to three times.
//
// Under venue faults, from the venue's own records and the restarted process's state: no client
// order id ever became two orders; our orders, fills and position are the venue's; the parent is
// never over-filled and completes; every slice ends; every fill watch ends; and the plan is the
// stored one: planned once, before any crash, with its trajectory, the same children (ids, slice
// numbers, planned sizes) as the same run without crashes, and never planned again.
//
// Without faults, one crash at any moment (time, or the N-th send): the slices after the one that
// catches up (catchUp: immediate) send exactly what the run without the crash sent, so the
// restarted process follows the trajectory it rebuilt from the stored plan; a parent that
// completes fills all of it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { qtyToLots } from '../../src/core/model/instrument.ts';
import { isTerminal } from '../../src/core/model/order-status.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import {
  crashScenarioHead,
  faultArb,
  restartArb,
  restartsArb,
  runCrashable,
  unendedWatches,
} from '../support/crash-run.ts';

/** The algorithms whose crashes this file proves, as their `algo` block. */
const ALGOS = {
  vwap: fc.constantFrom(
    '{ kind: vwap }',
    '{ kind: vwap, profile: [4, 1, 1, 1, 3] }',
    '{ kind: vwap, profile: [0, 2, 5] }',
  ),
  is: fc
    .tuple(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 5, max: 100 }))
    .map(([u, v]) => `{ kind: is, urgency: ${u / 1000}, volatility: ${v / 1000}, impact: 0.002 }`),
  pov: fc
    .tuple(fc.integer({ min: 5, max: 40 }), fc.boolean(), fc.constantFrom('complete', 'stop'))
    .map(
      ([r, capped, end]) =>
        `{ kind: pov, rate: ${r / 100}${capped ? `, maxRate: ${Math.min(1, r / 50)}` : ''}, end: ${end} }`,
    ),
} as const;
type AlgoKind = keyof typeof ALGOS;
/** The trajectory each stores with its plan. */
const TRAJECTORY: Record<AlgoKind, string> = { vwap: 'vwap', is: 'almgren-chriss', pov: 'pov' };

interface Case {
  readonly seed: number;
  readonly kind: AlgoKind;
  readonly algo: string;
  readonly childType: 'market' | 'limit';
  readonly slices: number;
  readonly catchUp: 'spread' | 'immediate';
  readonly restarts: readonly string[];
  readonly faults: readonly string[];
}

function yaml(c: Case): string {
  const { seed, restarts, faults } = c;
  const depth = ['0.5', '0.8', '1', '2'];
  const head = crashScenarioHead({
    name: 'algo-restart-property',
    seed,
    duration: 'PT16M',
    depth,
    reconPeriodMs: 120000,
    restarts,
    faults,
  });
  return `${head}orders:
  - id: p
    at: PT5S
    side: buy
    qty: "0.5"
    type: ${c.childType}
    twap: { duration: PT4M, slices: ${c.slices}${c.childType === 'limit' ? ', limitOffsetTicks: 0' : ''}, catchUp: ${c.catchUp}, maxSpread: 0.5, maxPriceDeviation: 0.5 }
    algo: ${c.algo}
`;
}

function simulate(c: Case) {
  const { scenario: s } = parseScenario(yaml(c), 'algo-restart-property.yaml');
  // The log as the final process sees it: rebuilt from the committed entries at every crash.
  const { run, created, instrument, log } = runCrashable(s, 'algo-restart-property.yaml');
  return { run, created, qty: qtyToLots(instrument, '0.5'), log };
}

/** The parent's children as planned (id, slice, planned lots), in the final log. */
const planned = (log: readonly LogEntry[]) =>
  log.flatMap(({ event: e }) =>
    e.kind === 'OrderCreated' && e.parentId === 'p' ? [{ id: e.clientOrderId, slice: e.sliceNum, qty: e.qty }] : [],
  );

/** Lots each child was sent with (its amended size, else its planned one), by slice number, in
 *  the order sent. */
function sentSizes(log: readonly LogEntry[]): Map<number, number> {
  const slices = new Map(planned(log).map((p) => [p.id as string, p]));
  const size = new Map<string, number>();
  const out = new Map<number, number>();
  for (const { event: e } of log) {
    if (e.kind === 'ChildAmended' && slices.has(e.clientOrderId)) size.set(e.clientOrderId, e.qty);
    else if (e.kind === 'SubmitOrder' && slices.has(e.clientOrderId)) {
      const p = slices.get(e.clientOrderId)!;
      if (p.slice !== null && !out.has(p.slice)) out.set(p.slice, size.get(e.clientOrderId) ?? p.qty);
    }
  }
  return out;
}

const algoArb = fc.oneof(
  ...(Object.keys(ALGOS) as AlgoKind[]).map((kind) => ALGOS[kind].map((algo) => ({ kind, algo }))),
);
const faultyCase: fc.Arbitrary<Case> = fc
  .record({
    seed: fc.nat({ max: 1_000_000 }),
    algo: algoArb,
    childType: fc.constantFrom('market' as const, 'limit' as const),
    slices: fc.integer({ min: 2, max: 10 }),
    catchUp: fc.constantFrom('spread' as const, 'immediate' as const),
    restarts: restartsArb({ minLength: 1, maxLength: 3 }),
    faults: fc.array(faultArb, { maxLength: 2 }),
  })
  .map(({ algo, ...c }) => ({ ...c, ...algo }));

describe('crash and restart of a VWAP, an implementation-shortfall and a POV parent', () => {
  it('under venue faults: never two orders of one client id, never over-filled, every slice ended, agrees with the venue, and resumes the stored plan', () => {
    fc.assert(
      fc.property(faultyCase, (c) => {
        const { run, created, qty, log } = simulate(c);
        expect(
          log.some((e) => e.event.kind === 'ProcessRestarted') || c.restarts.every((r) => r.includes('afterSubmit')),
        ).toBe(true);
        for (const [id, n] of created) expect(n, `client order id ${id} created ${n} orders`).toBe(1);
        const { ledger, venue } = run;
        let venueFilled = 0;
        for (const child of ledger.childrenOf(parentOrderId('p'))) {
          const id = child.request.clientOrderId;
          const atVenue = venue.exchange.order(id);
          expect(isTerminal(child.status), `slice ${child.request.sliceNum} ended ${child.status}`).toBe(true);
          expect(child.filledQty, `slice ${child.request.sliceNum} fills`).toBe(atVenue?.filled ?? 0);
          venueFilled += atVenue?.filled ?? 0;
        }
        expect(venueFilled).toBeLessThanOrEqual(qty);
        expect(ledger.position).toBe(venue.exchange.position);
        expect(ledger.parents.get(parentOrderId('p'))?.completed, 'the parent completed').toBeTruthy();
        expect(unendedWatches(log), 'watches never ended').toEqual([]);

        // The plan: stored once with its trajectory, the children of the run without crashes.
        const plans = log.filter((e) => e.event.kind === 'TwapPlanned');
        expect(plans).toHaveLength(1);
        const firstRestart = log.find((e) => e.event.kind === 'ProcessRestarted');
        if (firstRestart !== undefined) expect(plans[0]!.seq).toBeLessThan(firstRestart.seq);
        const plan = plans[0]!.event;
        expect(plan.kind === 'TwapPlanned' && plan.trajectory?.kind).toBe(TRAJECTORY[c.kind]);
        const calm = simulate({ ...c, restarts: [] });
        expect(planned(log)).toEqual(planned(calm.log));
      }),
      { numRuns: 120 },
    );
  }, 180_000);

  const calmCase: fc.Arbitrary<Case> = fc
    .record({
      seed: fc.nat({ max: 1_000_000 }),
      algo: algoArb,
      slices: fc.integer({ min: 3, max: 10 }),
      restart: restartArb(),
    })
    .map(({ algo, restart, ...c }) => ({
      ...c,
      ...algo,
      childType: 'market' as const,
      catchUp: 'immediate' as const,
      restarts: [restart],
      faults: [],
    }));

  it('one crash anywhere, no faults: the slices after the catch-up send what the run without the crash sent, and a completing parent fills', () => {
    let compared = 0;
    fc.assert(
      fc.property(calmCase, (c) => {
        const crashed = simulate(c);
        const calm = simulate({ ...c, restarts: [] });
        for (const [id, n] of crashed.created) expect(n, `client order id ${id} created ${n} orders`).toBe(1);
        expect(planned(crashed.log)).toEqual(planned(calm.log));
        const restart = crashed.log.find((e) => e.event.kind === 'ProcessRestarted');
        const filled = crashed.run.ledger.parents.get(parentOrderId('p'))?.totals.filled ?? 0;
        expect(filled).toBeLessThanOrEqual(crashed.qty);
        if (c.kind !== 'pov' || c.algo.includes('end: complete')) expect(filled, 'the parent filled').toBe(crashed.qty);
        if (restart === undefined || c.kind === 'pov') return; // a POV's sizes follow the tape, not a curve
        // Sizes before the crash are the calm run's; the first slice after it catches up; every
        // later one is the calm run's again: the curve, rebuilt from the stored children.
        const sent = sentSizes(crashed.log);
        const calmSent = sentSizes(calm.log);
        const restartTime = restart.time;
        const sentAfter = crashed.log.flatMap(({ time, event: e }) =>
          e.kind === 'SubmitOrder' && time >= restartTime ? [e.clientOrderId as string] : [],
        );
        const slicesAfter = planned(crashed.log)
          .filter((p) => sentAfter.includes(p.id))
          .map((p) => p.slice as number)
          .sort((a, b) => a - b);
        for (const slice of slicesAfter.slice(1)) {
          expect(sent.get(slice), `slice ${slice} after the catch-up`).toBe(calmSent.get(slice));
          compared++;
        }
      }),
      { numRuns: 60 },
    );
    // The comparison is not vacuous: crashes left slices to run after the catch-up.
    expect(compared).toBeGreaterThan(20);
  }, 180_000);
});
