// A strategy module that trades on a trading-signals indicator and reads its context (P&L, open
// parents and orders, balances) in backtests: its decisions reproduce (the same digest twice), what
// the context said agrees with the run report's P&L, several bar lengths arrive each with its own
// `ms` and warm up per length, the feed's bar length comes from the parameters (and a sweep over
// it trades differently per point), and a bad feed is one message naming the field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { parseGridFlag } from '../../src/sweep/sweep-grid.ts';
import { runSweepUnits } from '../../src/sweep/sweep-threads.ts';
import { SweepCollector, type SweepDefinition } from '../../src/sweep/sweep-units.ts';
import { runLogged } from '../support/logged-run.ts';
import { STRATEGY_DIR, strategyScenario } from '../support/strategy-scenario.ts';

const FILE = `${STRATEGY_DIR}/scenario.yaml`;
const SHAPE = { name: 'strategy-context', seed: 5, duration: 'PT4M' };
const KEEP_GOING = '  onFailure: { killSwitch: active, cancelParents: false }';

function yaml(params: string, account = ''): string {
  const text = strategyScenario(SHAPE, `  module: ./context-sma.ts\n  params: ${params}\n${KEEP_GOING}`);
  return account ? text.replace('venue: { name: binance-spot,', `venue: { name: binance-spot, ${account}`) : text;
}

/** What the module threw at `reportAt`: what its context said then. */
interface Seen {
  readonly pnl: { position: number; realized: number; fees: number; net: number; averagePrice: number | null };
  readonly balances: { quote: number; quoteAtStart: number | null; base: Record<string, number> };
  readonly bars: number;
  readonly slowBars: number;
  readonly maxOpenOrders: number;
}

function run(text: string) {
  const r = runLogged(parseScenario(text, FILE));
  const failed = r.of('StrategyFailed').map((e) => e.event.message);
  const report = failed.find((m) => m.startsWith('report '));
  const seen = report === undefined ? null : (JSON.parse(report.slice('report '.length)) as Seen);
  return { ...r, failed, seen };
}

describe('a strategy reading its context and an indicator', () => {
  it('trades reproducibly, and its context agrees with the run report', () => {
    const text = yaml('{ barMs: 10000, period: 4, qty: 0.01, reportAt: 239000 }');
    const a = run(text);
    const b = run(text);
    expect(b.report.digest).toBe(a.report.digest);
    // The only failure is the report it throws on purpose: every check of its context held.
    expect(a.failed).toHaveLength(1);
    const seen = a.seen as Seen;
    expect(a.of('SignalAccepted').length).toBeGreaterThan(1);
    expect(seen.maxOpenOrders).toBeGreaterThan(0);
    const fills = a.of('FillReport');
    const failedAt = a.of('StrategyFailed')[0]?.time ?? 0;
    // No fill after the report: the report's figures are the context's at the end.
    expect(fills.every((f) => f.time < failedAt)).toBe(true);
    const pnl = a.report.pnl.symbols[0];
    expect(Number(pnl?.position)).toBeCloseTo(seen.pnl.position, 9);
    expect(Number(pnl?.realized)).toBeCloseTo(seen.pnl.realized, 2);
    expect(Number(pnl?.fees)).toBeCloseTo(seen.pnl.fees, 2);
    expect(seen.pnl.fees).toBeGreaterThan(0);
    // Without an account: no quote balance before the run; the base is our fills.
    expect(seen.balances.quoteAtStart).toBeNull();
    expect(seen.balances.base.BTCUSDT).toBeCloseTo(seen.pnl.position, 9);
  }, 60_000);

  it('reads the account the scenario starts with as its balances', () => {
    const a = run(
      yaml('{ barMs: 10000, period: 4, qty: 0.01, reportAt: 239000 }', 'account: { quote: "50000", base: "1" },'),
    );
    const seen = a.seen as Seen;
    expect(seen.balances.quoteAtStart).toBe(50_000);
    expect(seen.balances.base.BTCUSDT).toBeCloseTo(1 + seen.pnl.position, 9);
    // Quote now: what it had, less what buying cost, plus what selling got, fees off.
    expect(seen.balances.quote).toBeLessThan(50_000);
  }, 60_000);

  it('hands several bar lengths, each bar saying its length, and warms up on every one', () => {
    const a = run(yaml('{ barMs: 10000, slowMs: 30000, period: 3, qty: 0.01, reportAt: 239000 }'));
    const seen = a.seen as Seen;
    // Four minutes and the warm-up's history: three times as many 10 s bars as 30 s ones.
    expect(seen.slowBars).toBeGreaterThan(3);
    expect(Math.abs(seen.bars - 3 * seen.slowBars)).toBeLessThanOrEqual(6);
    const hydrated = a.of('StrategyHydration').find((e) => e.event.state === 'hydrated');
    expect(hydrated?.event).toMatchObject({ unit: 'bars', have: 3, need: 3 });
  }, 60_000);

  it('refuses a bad feed with one message naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-feed-'));
    const refusal = (feed: string): string => {
      writeFileSync(
        join(dir, 'bad-feed.ts'),
        `import { z } from 'zod';\nexport default { name: 'bad-feed', params: z.strictObject({ ms: z.number().default(30000) }), feed: ${feed}, create: () => ({}) };\n`,
      );
      try {
        parseScenario(strategyScenario(SHAPE, '  module: ./bad-feed.ts'), join(dir, 's.yaml'));
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as Error).message;
      }
      throw new Error('the scenario loaded');
    };
    expect(refusal('{ bars: [60000, 90500] }')).toMatch(
      /strategy\.module: \.\/bad-feed\.ts: feed\.bars\[1\] \(90500\) must be a whole multiple of feed\.quoteMs \(1000\)/,
    );
    expect(refusal('{ bars: [] }')).toMatch(/feed\.bars must be a list of 1 to 8 bar lengths/);
    expect(refusal('{ bars: [60000, 60000] }')).toMatch(/feed\.bars\[1\] repeats 60000/);
    expect(refusal('{ barMs: 60000, bars: [60000] }')).toMatch(/feed gives both barMs and bars/);
    expect(refusal('{ barMs: (p) => p.ms / 7 }')).toMatch(
      /feed\.barMs must be a whole number of ms from 1000 to 86400000, got 4285/,
    );
    expect(refusal('{ barMs: () => { throw new Error("no") } }')).toMatch(/feed\.barMs\(params\) threw: no/);
    expect(refusal('{ bar: 60000 }')).toMatch(/feed\.bar is unknown \(quoteMs, barMs, bars\)/);
  });
});

describe('sweeping the bar length', () => {
  it('grids over a bar length parameter: each point trades on its own bars, the same on every run', async () => {
    const text = yaml('{ barMs: 10000, period: 4, qty: 0.01 }');
    const sweep = async () => {
      const def: SweepDefinition = {
        file: FILE,
        yaml: text,
        seed: 1,
        paths: 1,
        grid: [parseGridFlag('strategy.params.barMs=10000,20000')],
      };
      const collector = new SweepCollector(def, 'strategy-context');
      const end = await runSweepUnits(def, {
        workers: 1,
        chunkUnits: 1,
        handOut: 'at-once',
        onUnit: (r) => collector.add(r),
      });
      return { end, result: collector.result() };
    };
    const one = await sweep();
    const two = await sweep();
    expect(one.end).toEqual({ kind: 'finished', units: 2, threads: 1 });
    expect(two.result).toEqual(one.result);
    const digests = one.result.perPath.map((p) => p.digest);
    expect(new Set(digests).size).toBe(2);
  }, 120_000);
});
