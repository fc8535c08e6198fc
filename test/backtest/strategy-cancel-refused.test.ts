// A strategy's cancel naming a parent the node does not have is refused, and the refusal is in
// the log (StrategyOutputRefused, output cancel) and in the report's strategy summary and line,
// as its refused signals are; a cancel of a parent it made is carried out, never refused.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { strategyLine } from '../../src/core/report/strategy-summary.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { runLogged } from '../support/logged-run.ts';

const MODULE = path.resolve('test/fixtures/strategies/cancels-unknown.ts');

const yaml = `
name: strategy-cancel-refused
seed: 4
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1M
market: { model: synthetic, initialPrice: "61000.00", volatility: 1.0, depth: ["1", "2"] }
strategy:
  module: ${MODULE}
`;

describe("a strategy's cancel of a parent the node does not have", () => {
  it('is refused and logged, and the report counts it; its cancel of its own parent is carried out', () => {
    const { report, of } = runLogged(parseScenario(yaml, path.resolve('test/fixtures/strategies/s.yaml')));
    expect(of('StrategyOutputRefused').map((e) => e.event)).toEqual([
      {
        kind: 'StrategyOutputRefused',
        name: 'cancels-unknown',
        ref: 'nope',
        output: 'cancel',
        reason: 'no parent nope',
      },
      {
        kind: 'StrategyOutputRefused',
        name: 'cancels-unknown',
        ref: 'nope',
        output: 'cancel',
        reason: 'no parent nope',
      },
    ]);
    const requested = of('ParentCancelRequested').map((e) => e.event.parentId);
    expect(requested).toHaveLength(1);
    expect(report.parents.map((p) => p.id)).toEqual(requested);
    expect(report.strategy?.cancels).toEqual({ refused: 2, firstRefusal: 'cancel nope: no parent nope' });
    expect(strategyLine(report.strategy!)).toContain('; cancels refused 2 (first: cancel nope: no parent nope)');
  });
});
