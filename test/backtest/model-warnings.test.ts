// Market model warnings end to end: a model that holds a price at the floor records ModelWarning
// events in the log, the run report counts them per kind with the first one, and the printed
// report shows a line per kind. The case is the one that used to go unnoticed: a daily TWAP
// against a market whose trading interval is a minute sells at 1,440 times the intended rate,
// and the execution price would be far below zero.
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import type { LogEntry, ModelWarning } from '../../src/core/model/events.ts';
import { modelWarningLine } from '../../src/core/report/model-warnings.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { almgrenChrissTwap, PAPER } from '../support/almgren-chriss-twap.ts';

function run(rateInterval: string) {
  const warnings: Array<LogEntry<ModelWarning>> = [];
  const r = runScenario(parseScenario(almgrenChrissTwap({ ...PAPER, sigma: 0, rateInterval }), 'ac-twap.yaml'), {
    onEntry: (e) => e.event.kind === 'ModelWarning' && warnings.push(e as LogEntry<ModelWarning>),
  });
  return { r, warnings };
}

describe('model warnings', () => {
  it('an execution price held at one tick is a ModelWarning per execution, counted in the report and printed', () => {
    const { r, warnings } = run('PT1M');
    // Each slice of 200,000 at 1,440 x 200,000 a day: 720 of impact on a price of 50.
    expect(warnings.map((w) => [w.event.model, w.event.warning])).toEqual(
      Array.from({ length: 5 }, () => ['almgren_chriss', 'price_floor']),
    );
    expect(r.parents[0]?.avgPrice).toBe('0.0001');
    expect(r.modelWarnings).toEqual([
      {
        model: 'almgren_chriss',
        warning: 'price_floor',
        count: 5,
        firstAt: (warnings[0] as LogEntry).time,
        first: (warnings[0] as LogEntry<ModelWarning>).event.detail,
      },
    ]);
    expect(formatReport(r).split('\n')).toContain(
      modelWarningLine(r.modelWarnings[0] as (typeof r.modelWarnings)[number]),
    );
  });

  it('the same order with the trading interval of its own schedule warns of nothing', () => {
    const { r, warnings } = run('P1D');
    expect(warnings).toEqual([]);
    expect(r.modelWarnings).toEqual([]);
    expect(r.parents[0]?.shortfallQuote).toBe('662500');
  });
});
