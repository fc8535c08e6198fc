// An iceberg whose display is worth less than the minimum notional: its child is refused before
// it is sent, asked for again the same, and the iceberg shows nothing until its horizon. The run
// report warns of it with the numbers (plan-warnings.ts), printed under the parent; the warning
// is given exactly when the run refuses such a child.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

interface Case {
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly minNotional: number;
  readonly display: string;
  readonly extra?: string;
}

function run(c: Case) {
  const text = `name: iceberg-display
seed: 3
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "1", minNotional: "${c.minNotional}" }
start: 2024-08-09T00:00:00Z
duration: PT3M
market: { model: static_book, bids: [["99.90", "5000"]], asks: [["100.10", "5000"]] }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - id: ice
    at: PT10S
    side: ${c.side}
    qty: "${c.qty}"
    type: market
    twap: { duration: PT1M, slices: 1 }
    algo: { kind: iceberg, ${c.display}, peg: touch, end: complete${c.extra ?? ''} }
`;
  const entries: LogEntry[] = [];
  const report = runScenario(parseScenario(text, 'iceberg-display.yaml'), { onEntry: (e) => entries.push(e) });
  const refusals = entries.flatMap(({ event: e }) =>
    e.kind === 'AlgoIntentRefused' && e.reason.startsWith('below the minimum notional') ? [e] : [],
  );
  return { report, refusals, lines: formatReport(report).split('\n') };
}

describe('an iceberg display under the minimum notional', () => {
  it('is a warning with the numbers: every child refused, nothing shown until the horizon', () => {
    // At the bid 99.9 (a buy pegged to the touch), 5 lots are 499.5: under 1000; 11 are 1098.9.
    const { report, refusals, lines } = run({ side: 'buy', qty: 900, minNotional: 1000, display: 'display: "5"' });
    expect(refusals.map((r) => r.reason)).toEqual(['below the minimum notional: 5 at 99.9 is 499.5, under 1000']);
    const warning = {
      kind: 'iceberg_display',
      parent: 'ice',
      asked: 'a display of 5',
      planned: 'no child shown before its horizon',
      why:
        '5 at 99.9 is 499.5, under the minimum notional 1000 (priced as its child is at arrival): every child is ' +
        'refused before it is sent, so the iceberg shows nothing until its horizon, then what is left goes at once ' +
        '(end: complete); a display of at least 11 is worth it',
    };
    expect(report.warnings).toEqual([warning]);
    expect(lines).toContain(
      `    warning: iceberg display under the minimum notional: a display of 5 asked, no child shown before its horizon: ${warning.why}`,
    );
    // What it shows: the horizon sends it all at once.
    expect(report.parents[0]?.children).toHaveLength(1);
  });

  it('warns of a range whose smallest draws are refused, and says a re-pegging one asks again', () => {
    // A sell pegged to the touch is priced at the ask, 100.1.
    const { report } = run({
      side: 'sell',
      qty: 900,
      minNotional: 1000,
      display: 'displayMin: "5", displayMax: "40"',
      extra: ', repegTicks: 2, checkEvery: PT2S',
    });
    expect(report.warnings).toEqual([
      {
        kind: 'iceberg_display',
        parent: 'ice',
        asked: 'a display of 5 to 40',
        planned: 'a child under 10 refused, and nothing shown after it',
        why:
          '5 at 100.1 is 500.5, under the minimum notional 1000 (priced as its child is at arrival): such a child is ' +
          'refused before it is sent (and again every PT2S, the same), so the iceberg shows nothing more until its ' +
          'horizon, then what is left goes at once (end: complete); a display of at least 10 is worth it',
      },
    ]);
  });

  it('is not given for a display worth the minimum, nor one that takes the whole parent', () => {
    expect(run({ side: 'buy', qty: 900, minNotional: 1000, display: 'display: "11"' }).report.warnings).toEqual([]);
    // 9 lots left after a display of 5 are under the minimum: the iceberg shows all 14 at once.
    expect(run({ side: 'buy', qty: 14, minNotional: 1000, display: 'display: "5"' }).report.warnings).toEqual([]);
  });

  it('is given exactly when the run refuses a child for the minimum notional', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 5, max: 3000 }),
        (side, qty, display, minNotional) => {
          const { report, refusals } = run({ side, qty, minNotional, display: `display: "${display}"` });
          const warned = report.warnings.filter((w) => w.kind === 'iceberg_display');
          expect(warned.length, JSON.stringify(refusals)).toBe(refusals.length > 0 ? 1 : 0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
