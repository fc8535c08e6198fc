// An iceberg whose display is worth less than the minimum notional: its child is refused before
// it is sent, asked for again the same, and the iceberg shows nothing until its horizon. The run
// report warns of it with the numbers (plan-warnings.ts), printed under the parent; the warning
// is given exactly when the run refuses such a child. A range whose low end only is under the
// minimum is drawn from the smallest display worth it: no child is refused, and the warning says so.
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

  it('draws a range whose smallest displays are under the minimum from the smallest worth it', () => {
    // A sell pegged to the touch is priced at the ask, 100.1: 90 lots are 9009, 89 are 8908.9.
    const { report, refusals, lines } = run({
      side: 'sell',
      qty: 900,
      minNotional: 9000,
      display: 'displayMin: "1", displayMax: "100"',
      extra: ', repegTicks: 2, checkEvery: PT2S',
    });
    const warning = {
      kind: 'iceberg_display',
      parent: 'ice',
      asked: 'a display of 1 to 100',
      planned: 'a display of 90 to 100',
      why:
        '1 at 100.1 is 100.1, under the minimum notional 9000 (priced as its child is at arrival): each child is ' +
        'drawn from the smallest display worth the minimum at its price',
    };
    expect(report.warnings).toEqual([warning]);
    expect(lines).toContain(
      `    warning: iceberg display under the minimum notional: a display of 1 to 100 asked, a display of 90 to 100: ${warning.why}`,
    );
    expect(refusals).toEqual([]);
    // On this static book nothing trades with its resting child: it shows one child of 90 to 100
    // (drawn from 1 to 100 as asked, this seed's would be 83 lots, refused), and the horizon
    // sends the rest.
    const sizes = report.parents[0]?.children.map((c) => Number(c.qty)) ?? [];
    expect(sizes).toHaveLength(2);
    expect(sizes[0]! >= 90 && sizes[0]! <= 100, String(sizes)).toBe(true);
  });

  it('still refuses a child of a range that holds no display worth the minimum, and says a re-pegging one asks again', () => {
    const { report, refusals } = run({
      side: 'sell',
      qty: 900,
      minNotional: 1000,
      display: 'displayMin: "5", displayMax: "9"',
      extra: ', repegTicks: 2, checkEvery: PT2S',
    });
    expect(refusals.length).toBeGreaterThan(0);
    expect(report.warnings).toEqual([
      {
        kind: 'iceberg_display',
        parent: 'ice',
        asked: 'a display of 5 to 9',
        planned: 'no child shown before its horizon',
        why:
          '9 at 100.1 is 900.9, under the minimum notional 1000 (priced as its child is at arrival): every child is ' +
          'refused before it is sent (and again every PT2S, the same), so the iceberg shows nothing until its ' +
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
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 5, max: 3000 }),
        (side, qty, display, span, minNotional) => {
          const range = `displayMin: "${display}", displayMax: "${display + span}"`;
          const { report, refusals } = run({ side, qty, minNotional, display: range });
          const warned = report.warnings.filter((w) => w.kind === 'iceberg_display');
          const drawnUp = warned.filter((w) => w.planned.startsWith('a display of'));
          // A refused child is always warned of; a range drawn up from its low end refuses none.
          expect(warned.length - drawnUp.length, JSON.stringify(refusals)).toBe(refusals.length > 0 ? 1 : 0);
          if (drawnUp.length > 0) expect(refusals).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
