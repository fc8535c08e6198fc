// Every breakdown in a run report sums to its total, over generated runs with faults and crashes
// (the adversarial generator) and over every bundled scenario: a reader can trust "3 with fills"
// to be the push, query, lookup and still-watched counts beside it, and "1 mismatch" to be one of
// its kinds. Fill results and detection are counted once per order, whatever restarts did to its
// watch; the slices of a TWAP are each sent, not sent (with a reason) or not due yet.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load-scenario.ts';
import { adversarialCase, caseYaml } from '../support/adversarial-case.ts';

function expectBreakdownsAddUp(r: RunReport): void {
  const f = r.fillDetection;
  if (f) {
    expect(f.ordersFinished + f.ordersStillWatched, 'monitored = finished + still watched').toBe(f.ordersMonitored);
    expect(
      Object.values(f.results).reduce((s, n) => s + n, 0),
      'results sum to finished orders',
    ).toBe(f.ordersFinished);
    expect(
      f.fillsByPush + f.fillsByPoll + f.fillsByLookup + f.fillsStillWatched,
      'with fills = by push + by query + by lookup + still watched',
    ).toBe(f.fillsDetected);
    expect(f.fillsDetected).toBeLessThanOrEqual(f.ordersMonitored);
    if (f.pollsPerOrder === 0 && f.apiCallsPerOrder === 0)
      expect(f.fillsByPoll, 'fills by our queries need queries').toBe(0);
    if (f.errorRate > 0) expect(f.failedQueries).toBeGreaterThan(0);
  }
  const c = r.reconciliation;
  expect(
    c.missedFills + c.lateFills + c.statusMismatches + c.unknownAtVenue + c.positionMismatches + c.orphanMismatches,
    'mismatches by kind',
  ).toBe(c.mismatches);
  for (const p of r.parents) {
    expect(p.childOrders).toBe(p.children.length);
    const sent = p.children.filter((x) => x.attempts > 0).length;
    // A grid's slices with a child sent (a chaser's replacement re-prices its slice, it is not
    // one more); an algorithm deciding as it runs counts each child it sent.
    const sentSlices =
      p.algo === 'iceberg' || p.algo === 'module'
        ? sent
        : new Set(p.children.filter((x) => x.attempts > 0).map((x) => x.sliceNum)).size;
    expect(sentSlices, `${p.id}: slices sent`).toBe(p.slicesExecuted);
    const notSent = p.children.filter((x) => x.outcome === 'not_sent').length;
    const pending = p.children.filter((x) => x.outcome === 'pending').length;
    expect(sent + notSent + pending, `${p.id}: every child is sent, not sent or pending`).toBe(p.children.length);
    expect(
      p.unsent.reduce((s, u) => s + u.slices, 0),
      `${p.id}: not-sent reasons cover every unsent slice`,
    ).toBe(notSent);
    for (const x of p.children) {
      if (x.outcome === 'not_sent') expect(x.reason, `${p.id} slice ${x.sliceNum}: why not sent`).not.toBeNull();
      if (x.outcome === 'rejected') expect(x.code, `${p.id} slice ${x.sliceNum}: the venue's code`).not.toBeNull();
      if (x.sentAt !== null) expect(x.attempts).toBeGreaterThan(0);
    }
    const filledByChildren = p.children.reduce((s, x) => s + Number(x.filledQty), 0);
    expect(filledByChildren).toBeCloseTo(Number(p.filledQty), 8);
  }
  expect(r.faults.resends).toBeGreaterThanOrEqual(0);
  expect(r.faults.fillsLearnedByQuery).toBeLessThanOrEqual(r.fills);
}

describe('run report breakdowns', () => {
  it('add up over generated runs with faults and crashes', () => {
    fc.assert(
      fc.property(adversarialCase, (c) => {
        expectBreakdownsAddUp(runScenario(parseScenario(caseYaml(c), 'breakdowns.yaml')));
      }),
      { numRuns: 60 },
    );
  }, 240_000);

  for (const f of readdirSync('scenarios')
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    it(`add up in ${f}`, () => {
      const loaded = loadScenarioFile(`scenarios/${f}`);
      const r = runScenario(loaded);
      expectBreakdownsAddUp(r);
      // Nothing went wrong in a run without faults, crashes or someone else's orders: a fill in
      // flight while reconciliation reads the venue is not a missed fill.
      const s = loaded.scenario;
      if (s.faults.length === 0 && s.restarts.length === 0 && s.externalOrders.length === 0) {
        expect(r.reconciliation.mismatches, `${f}: mismatches in a fault-free run`).toBe(0);
      }
    });
  }
});
