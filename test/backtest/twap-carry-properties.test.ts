// Limit TWAPs that carry what a slice left unfilled, on a book where resting children often go
// unfilled, as properties over whole runs. A slice cancels the previous child and takes its
// unfilled part, which that child may still fill until the cancel lands: whatever the venue does,
// crashes and faults included, the parent's orders at the venue could never fill more than its
// quantity (every order the venue holds counted at its quantity while open, at its fills once
// closed), at any submission. And with a venue that behaves, nothing is lost on the way: the last
// child sent carries all that the others did not fill, so the parent's sent quantity reaches its
// quantity, with or without crashes between the slices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId, type ClientOrderId } from '../../src/core/model/ids.ts';
import { qtyToLots } from '../../src/core/model/instrument.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { crashScenarioHead, faultArb, restartsArb, runCrashable } from '../support/crash-run.ts';

interface Case {
  seed: number;
  slices: number;
  /** Ticks below the bid each buy child rests at: the further, the fewer fills (a few hundred
   *  ticks, a few dollars at 61,000, leave most slices of a run unfilled). */
  offsetTicks: number;
  restarts: string[];
  faults: string[];
}

const QTY = '0.5';

function yaml(c: Case): string {
  const head = crashScenarioHead({
    name: 'twap-carry-property',
    seed: c.seed,
    duration: 'PT16M',
    reconPeriodMs: 120000,
    restarts: c.restarts,
    faults: c.faults,
  });
  // No early stop and no catch-up cap: only the carry decides what each slice sends.
  return `${head}orders:
  - id: p
    at: PT5S
    side: buy
    qty: "${QTY}"
    type: limit
    twap:
      duration: PT4M
      slices: ${c.slices}
      limitOffsetTicks: ${c.offsetTicks}
      unfilled: carry
      maxSpread: 1
      maxPriceDeviation: 10
      catchUp: immediate
`;
}

const caseArb = (restarts: fc.Arbitrary<string[]>, faults: fc.Arbitrary<string[]>): fc.Arbitrary<Case> =>
  fc.record({
    seed: fc.nat({ max: 1_000_000 }),
    slices: fc.integer({ min: 2, max: 8 }),
    offsetTicks: fc.constantFrom(0, 100, 200, 400, 800),
    restarts,
    faults,
  });

function simulate(c: Case) {
  const { scenario: s } = parseScenario(yaml(c), 'twap-carry-property.yaml');
  /** The most the parent's orders at the venue could fill, at each submission (the new one in). */
  const exposures: number[] = [];
  const { run, instrument, log } = runCrashable(s, 'twap-carry-property.yaml', {
    aroundSubmit: (req, send, exchange) => {
      let exposure = req.qty;
      for (const o of exchange.ordersSince(0)) {
        if (o.clientOrderId === req.clientOrderId) continue; // a resend: the venue refuses the duplicate
        exposure += o.status === 'new' || o.status === 'partially_filled' ? o.qty : o.filled;
      }
      exposures.push(exposure);
      return send();
    },
  });
  return { run, log, exposures, qty: qtyToLots(instrument, QTY) };
}

/** What the last child sent took, plus what every other child filled: the quantity the parent
 *  sent out over the run, nothing carried lost. */
function sentOut(run: ReturnType<typeof simulate>['run'], log: readonly LogEntry[]): number {
  const children = run.ledger.childrenOf(parentOrderId('p'));
  let lastSent: ClientOrderId | null = null;
  for (const { event } of log) if (event.kind === 'SubmitOrder') lastSent = event.clientOrderId;
  let total = 0;
  for (const o of children)
    total += o.request.clientOrderId === lastSent ? Math.max(o.request.qty, o.filledQty) : o.filledQty;
  return total;
}

describe('limit TWAP with carry', () => {
  it('never lets the venue hold more than the parent could fill, under crashes, faults and cancel races', () => {
    fc.assert(
      fc.property(caseArb(restartsArb({ maxLength: 2 }), fc.array(faultArb, { maxLength: 2 })), (c) => {
        const { run, exposures, qty } = simulate(c);
        for (const e of exposures) expect(e).toBeLessThanOrEqual(qty);
        const children = run.ledger.childrenOf(parentOrderId('p'));
        let venueFilled = 0;
        for (const o of children) venueFilled += run.venue.exchange.order(o.request.clientOrderId)?.filled ?? 0;
        expect(venueFilled).toBeLessThanOrEqual(qty);
        expect(children.reduce((s, o) => s + o.filledQty, 0)).toBeLessThanOrEqual(qty);
      }),
      { numRuns: 60 },
    );
  });

  it('sends out the whole quantity: the last child carries everything the others left unfilled, across crashes', () => {
    fc.assert(
      fc.property(caseArb(restartsArb({ maxLength: 2 }), fc.constant([])), (c) => {
        const { run, log, qty } = simulate(c);
        const parent = run.ledger.parents.get(parentOrderId('p'));
        expect(parent?.completed, 'the parent completed').toBeTruthy();
        // The one stop allowed: a remainder the venue would refuse (below its minimum notional).
        if (parent?.stopReason) expect(parent.stopReason).toMatch(/^remainder below the minimum notional/);
        else expect(sentOut(run, log)).toBe(qty);
      }),
      { numRuns: 60 },
    );
  });

  it('after a crash whose recovery skipped a slice, the next one replaces the child still working before it', () => {
    // The crash follows the 4th send (slice 4's child rests unfilled); down 60 s, slice 5 is
    // skipped and slice 6 runs: it cancels slice 4's child and carries it, and the last sends the rest.
    const c: Case = {
      seed: 573991,
      slices: 8,
      offsetTicks: 0,
      restarts: ['{ afterSubmit: 4, downtime: PT60S }'],
      faults: [],
    };
    const { run, log, qty } = simulate(c);
    expect(log.some((e) => e.event.kind === 'SliceSkipped' && e.event.sliceNum === 5)).toBe(true);
    const fourth = run.ledger.childrenOf(parentOrderId('p')).find((o) => o.request.sliceNum === 4);
    const cancels = log.filter(
      (e) => e.event.kind === 'CancelOrder' && e.event.clientOrderId === fourth?.request.clientOrderId,
    );
    expect(cancels.map((e) => (e.event as { reason: string }).reason)).toEqual(['replaced by the next slice']);
    expect(sentOut(run, log)).toBe(qty);
  });

  it('the generated runs leave slices unfilled and carry them (fixed case)', () => {
    const c: Case = { seed: 11, slices: 6, offsetTicks: 400, restarts: [], faults: [] };
    const { run, log, qty } = simulate(c);
    const children = run.ledger.childrenOf(parentOrderId('p'));
    const replaced = children.filter((o) => o.status === 'canceled' && o.filledQty < o.request.qty);
    expect(replaced.length).toBeGreaterThan(1);
    expect(sentOut(run, log)).toBe(qty);
    // Some slice went out larger than its plan's share: it carried.
    expect(children.some((o) => o.request.qty > qty / c.slices + 1)).toBe(true);
  });
});
