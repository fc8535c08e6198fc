import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../runtime/backtest-run.ts';
import { loadScenarioFile, simulatedScenario } from '../scenario/load-scenario.ts';
import { runShortfallBps, runTable } from './run-table.ts';

const run = (file: string) => runScenario(simulatedScenario(loadScenarioFile(file)));

describe('the table several runs end with', () => {
  it('one row per run in order: scenario, result, fills, shortfall, net P&L as the reports say', () => {
    const reports = [run('scenarios/walkthrough.yaml'), run('scenarios/safety-kill-switch-reducing.yaml')];
    const lines = runTable(reports);
    expect(lines[0]).toMatch(/^scenario +result +fills +shortfall bps +net pnl$/);
    expect(lines).toHaveLength(3);
    reports.forEach((r, i) => {
      const cells = (lines[i + 1] as string).split(/ {2,}/);
      expect(cells).toEqual([
        r.scenario,
        r.passed ? 'pass' : 'FAIL',
        String(r.fills),
        runShortfallBps(r.parents)?.toFixed(2) ?? '-',
        r.pnl.total.net,
      ]);
    });
    // Columns line up: every row as long as the header's columns make it, figures right-aligned.
    expect(new Set(lines.map((l) => l.length)).size).toBeLessThanOrEqual(lines.length);
    expect(lines[1]?.endsWith(reports[0]?.pnl.total.net as string)).toBe(true);
  });

  it("one parent's shortfall is the run's; none is '-'", () => {
    const r = run('scenarios/walkthrough.yaml');
    const p = r.parents[0]!;
    expect(runShortfallBps([p])).toBeCloseTo(p.shortfallBps as number, 9);
    expect(runShortfallBps([])).toBeNull();
    expect(runShortfallBps([{ ...p, shortfallBps: null }])).toBeNull();
  });

  it('property: the run’s shortfall lies between its parents’ least and greatest', () => {
    const parent = fc.record({
      shortfallBps: fc.option(fc.double({ min: -500, max: 500, noNaN: true }), { nil: null }),
      filledQty: fc.integer({ min: 0, max: 1000 }).map(String),
      arrivalPrice: fc.option(fc.integer({ min: 1, max: 100_000 }).map(String), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(parent, { maxLength: 6 }), (ps) => {
        const bps = runShortfallBps(ps as never);
        const counted = ps.filter((p) => p.shortfallBps !== null && p.arrivalPrice !== null && Number(p.filledQty) > 0);
        if (counted.length === 0) {
          expect(bps).toBeNull();
          return;
        }
        const values = counted.map((p) => p.shortfallBps as number);
        expect(bps).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
        expect(bps).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
      }),
    );
  });
});
