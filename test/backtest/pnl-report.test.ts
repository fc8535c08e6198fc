// The P&L of bundled scenarios, checked by hand: the walkthrough (a market buy walking three ask
// levels, a limit sell taking two bid levels and crossing to a short) and two-symbols (ETH held
// before the run, opened at the first ETH parent's arrival mid). And for every bundled scenario:
// the run without market samples (a sweep's path) reports the same P&L as the run with them,
// only the curve between (drawdown, exposure) seeing fewer marks; the pinned digests do not
// move (test/backtest/scenarios.test.ts).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load-scenario.ts';

const unsampled = (l: LoadedScenario): LoadedScenario => ({
  ...l,
  scenario: { ...l.scenario, report: { ...l.scenario.report, sampleMs: 'off' } },
});

/** Rounded to the report's precision (whole notional units: 1e-7 USDT for BTCUSDT). */
const q = (x: number, decimals = 7): number => Math.round(x * 10 ** decimals) / 10 ** decimals;

describe('P&L of the walkthrough, by hand', () => {
  const r = runScenario(loadScenarioFile('scenarios/walkthrough.yaml'));
  const p = r.pnl;

  it('realizes the long the sell closed against its average cost, and marks the short left', () => {
    // Bought 1 at 61000.925 on average (the three ask levels it walked). The sell took the bids
    // at 60999.90 (0.40) and 60999.50 (0.75): 1 closes the long (0.40 at 60999.90, 0.60 at
    // 60999.50), 0.15 opens a short at 60999.50.
    const realized = 0.4 * (60999.9 - 61000.925) + 0.6 * (60999.5 - 61000.925);
    expect(Number(p.total.realized)).toBe(q(realized)); // -1.265
    // The book as the run ended: the bids at 60998.00 below the two the sell took, the asks at
    // 61002.00 above the ones the buy took (a static book keeps what was taken): mid 61000.
    const [btc] = p.symbols;
    expect(btc).toMatchObject({
      symbol: 'BTCUSDT',
      position: '-0.15',
      baseline: '0',
      avgCost: '60999.5',
      mark: '61000',
      markSource: 'end',
    });
    expect(Number(p.total.unrealized)).toBe(q(-0.15 * (61000 - 60999.5))); // -0.075
    // Fees: 0.1% of each side's notional, as each parent's report has them.
    const fees = r.parents.reduce((s, x) => s + Number(x.fees), 0);
    expect(Number(p.total.fees)).toBe(q(fees));
    expect(Number(p.total.fees)).toBe(q((61000.925 + 1.15 * 60999.63913) * 0.001, 5));
    expect(Number(p.total.net)).toBe(q(realized - 0.075 - fees)); // -132.49051
    expect(p.total.net).toBe('-132.49051');
    expect(Number(p.total.turnover)).toBe(q(61000.925 + 70149.585)); // both sides' notional
    // Largest exposure: the 1 BTC long at the mid after the buy (bid 60999.90, ask 61002.00).
    expect(Number(p.total.maxGrossExposure)).toBe(q((60999.9 + 61002) / 2));
    // Every mark after the start only lost: the drawdown is the whole fall, to the end.
    expect(p.total.maxDrawdown).toBe('132.49051');
    expect(p.total.unvaluedFees).toEqual([]);
    expect(p.symbols[0]).toMatchObject({ ...p.total, unvaluedFees: [] });
  });
});

describe('P&L of two-symbols, by hand', () => {
  const r = runScenario(loadScenarioFile('scenarios/two-symbols.yaml'));
  const [btc, eth] = r.pnl.symbols;
  const parent = (id: string) => r.parents.find((x) => x.id === id || x.id.startsWith(id));

  it('opens ETH held before the run at the first ETH parent arrival mid, and realizes the sell against the average', () => {
    const buy = parent('eth-buy');
    const sell = parent('sig-');
    expect(eth?.baseline).toBe('1');
    expect(eth?.position).toBe('7');
    // 1 ETH at the buy's arrival mid, then 10 at the buy's average.
    const cost = (Number(buy?.arrivalPrice) + 10 * Number(buy?.avgPrice)) / 11;
    expect(Number(eth?.avgCost)).toBeCloseTo(cost, 4);
    const realized = 4 * (Number(sell?.avgPrice) - cost);
    expect(Number(eth?.realized)).toBeCloseTo(realized, 5);
    expect(Number(eth?.unrealized)).toBeCloseTo(7 * (Number(eth?.mark) - cost), 5);
    expect(Number(eth?.fees)).toBeCloseTo(Number(buy?.fees) + Number(sell?.fees), 9);
    expect(eth?.markSource).toBe('end');
  });

  it('has BTC bought at its average and nothing realized; the total is the sum of the symbols', () => {
    const twap = parent('btc-twap');
    expect(btc).toMatchObject({ position: '2', baseline: '0', realized: '0', avgCost: twap?.avgPrice });
    expect(Number(btc?.unrealized)).toBeCloseTo(2 * (Number(btc?.mark) - Number(twap?.avgPrice)), 6);
    for (const k of ['realized', 'unrealized', 'fees', 'net', 'turnover'] as const)
      expect(Number(r.pnl.total[k]), k).toBeCloseTo(Number(btc?.[k]) + Number(eth?.[k]), 6);
  });
});

describe('P&L with and without market samples', () => {
  const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
  /** What does not depend on the marks between: everything but the curve's extremes. */
  const figures = (r: RunReport) =>
    [...r.pnl.symbols, r.pnl.total].map((x) => ({ ...x, maxDrawdown: '', maxGrossExposure: '' }));

  it.each(files)('%s: a sweep path (no samples) reports the P&L of the run', (file) => {
    const loaded = loadScenarioFile(`scenarios/${file}`);
    const sampled = runScenario(loaded);
    const bare = runScenario(unsampled(loaded));
    expect(bare.digest).toBe(sampled.digest);
    expect(figures(bare)).toEqual(figures(sampled));
    const n = (x: string): number => Number(x);
    for (const s of [...sampled.pnl.symbols, sampled.pnl.total]) {
      expect(n(s.net)).toBeCloseTo(n(s.realized) + n(s.unrealized) - n(s.fees), 9);
      expect(n(s.maxDrawdown)).toBeGreaterThanOrEqual(0);
      expect(n(s.maxGrossExposure)).toBeGreaterThanOrEqual(0);
    }
  });
});
