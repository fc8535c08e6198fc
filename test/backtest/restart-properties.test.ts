// Crash and restart properties: a TWAP run crashed at random moments (by
// time, or right after an order leaves and before its status is stored), one to three times,
// with venue faults mixed in. After the run, from the venue's own records and the restarted
// process's state: no client order id ever became two orders at the venue; the venue's and our
// orders, fills and position agree; the parent is never over-filled; every slice ended filled,
// cancelled, expired or failed (never left pending, never lost); every fill-detection watch ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { qtyToLots } from '../../src/core/model/instrument.ts';
import { isTerminal } from '../../src/core/model/order-status.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { crashScenarioHead, faultArb, restartsArb, runCrashable, unendedWatches } from '../support/crash-run.ts';

interface Case {
  seed: number;
  childType: 'market' | 'limit';
  slices: number;
  restarts: string[];
  faults: string[];
}

function yaml(c: Case): string {
  const { seed, restarts, faults } = c;
  const head = crashScenarioHead({
    name: 'restart-property',
    seed,
    duration: 'PT16M',
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
    twap: { duration: PT4M, slices: ${c.slices}${c.childType === 'limit' ? ', limitOffsetTicks: 0' : ''}, maxSpread: 0.5, maxPriceDeviation: 0.5 }
`;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.nat({ max: 1_000_000 }),
  childType: fc.constantFrom('market' as const, 'limit' as const),
  slices: fc.integer({ min: 2, max: 10 }),
  restarts: restartsArb({ minLength: 1, maxLength: 3 }),
  faults: fc.array(faultArb, { maxLength: 2 }),
});

function simulate(c: Case) {
  const { scenario: s } = parseScenario(yaml(c), 'restart-property.yaml');
  const { run, created, instrument, written } = runCrashable(s, 'restart-property.yaml');
  return { run, created, qty: qtyToLots(instrument, '0.5'), all: written };
}

describe('crash and restart', () => {
  it('never makes two orders of one client id, never over-fills, ends every slice, and agrees with the venue', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { run, created, qty, all } = simulate(c);
        expect(
          all.some((e) => e.event.kind === 'ProcessRestarted') || c.restarts.every((r) => r.includes('afterSubmit')),
        ).toBe(true);
        for (const [id, n] of created) expect(n, `client order id ${id} created ${n} orders`).toBe(1);
        const { ledger, venue } = run;
        const children = ledger.childrenOf(parentOrderId('p'));
        let venueFilled = 0;
        for (const child of children) {
          const id = child.request.clientOrderId;
          const atVenue = venue.exchange.order(id);
          expect(isTerminal(child.status), `slice ${child.request.sliceNum} ended ${child.status}`).toBe(true);
          expect(child.filledQty, `slice ${child.request.sliceNum} fills`).toBe(atVenue?.filled ?? 0);
          venueFilled += atVenue?.filled ?? 0;
        }
        expect(venueFilled).toBeLessThanOrEqual(qty);
        expect(ledger.position).toBe(venue.exchange.position);
        const parent = ledger.parents.get(parentOrderId('p'));
        expect(parent?.completed, 'the parent completed').toBeTruthy();
        // Fill detection resumed across every restart: each watch that started also ended.
        expect(unendedWatches(run.durable), 'watches never ended').toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
