// The printed report names late fills (missed-fill findings the stream delivered afterwards) when
// there are any, apart from the missed fills, and says nothing of them otherwise.
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';

describe('the report line of reconciliation', () => {
  const report = runScenario(loadScenarioFile('scenarios/restart-between-submit-and-store.yaml'));

  it('shows late fills beside the missed ones, as fills the stream delivered after reconciliation', () => {
    const c = report.reconciliation;
    const text = formatReport({ ...report, reconciliation: { ...c, missedFills: 0, lateFills: c.missedFills } });
    expect(text).toContain(
      `0 missed fills, ${c.missedFills} late fill${c.missedFills === 1 ? '' : 's'} found by reconciliation before the stream delivered`,
    );
    const two = formatReport({ ...report, reconciliation: { ...c, lateFills: 2 } });
    expect(two).toContain('2 late fills found by reconciliation before the stream delivered them, ');
  });

  it('leaves them out when there are none', () => {
    expect(report.reconciliation.lateFills).toBe(0);
    const text = formatReport(report);
    expect(text).toContain(`${report.reconciliation.missedFills} missed fills, `);
    expect(text).not.toContain('late fill');
  });
});
