// Strategy swaps in whole backtests (a synthetic market, the z-score strategy of
// fixtures/strategies/zscore.ts): a near-identical model is accepted after its shadow and trades
// from then on; an inverted or noisy model is rejected and the old strategy trades exactly as it
// would have without the swap; an override swaps at once; a restart mid-shadow abandons the
// swap, a restart after an accepted one runs the candidate; the same scenario twice (and from the
// SQLite store) has one digest; and a bad swap action is one scenario problem naming its field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runLogged } from '../support/logged-run.ts';
import { parseUtcInstant } from '../../src/core/model/time-fields.ts';
import { parseScenario, parseYamlMapping } from '../../src/scenario/load-scenario.ts';
import { outsidePathErrors } from '../../src/server/path-field-guard.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';

const DIR = fileURLToPath(new URL('../fixtures/strategies/', import.meta.url));
const FILE = join(DIR, 'swap.yaml');
const START = parseUtcInstant('2024-08-09T00:00:00Z');
const at = (iso: string) => parseUtcInstant(`2024-08-09T${iso}Z`);

const scenario = (tail: string) => `
name: strategy-swap
seed: 3
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT30M
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0.3
  stepMs: 1000
  spreadTicks: 2
  depth: ["0.5", "1.0", "1.5"]
  trades: { ratePerSec: 1, meanQty: "0.02" }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
  dedup: { bucketMs: 30000, ttlMs: 60000 }
strategy: { module: zscore.ts, params: { window: 12, qty: 0.05 } }
${tail}
`;

/** A swap at five minutes to the z-score module with `params`, compared on 30 samples. */
const swap = (params: string, more = '') =>
  `actions: [{ kind: swap_strategy, at: PT5M, module: zscore.ts, params: ${params}, samples: 30${more} }]`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(tail: string, store?: RunStore) {
  const { report, log, of } = runLogged(parseScenario(scenario(tail), FILE), store ? { store } : {});
  /** The signals the node received: when, which side, how many lots. */
  const signals = (from = START) =>
    of('SignalReceived')
      .filter((e) => e.time >= from)
      .map((e) => ({ time: e.time, side: e.event.side, qty: e.event.qty }));
  return { report, log, of, signals };
}

describe('a strategy swap in a backtest', () => {
  it('accepts a near-identical model after its shadow, and the candidate trades from the decision on', () => {
    const r = run(swap('{ window: 14, qty: 0.04 }'));
    expect(r.of('StrategyStarted').map((e) => [e.time, e.event.role, e.event.params.includes('"window":14')])).toEqual([
      [START, 'live', false],
      [at('00:05:00'), 'shadow', true],
    ]);
    const [decided] = r.of('StrategySwapDecided');
    expect(decided?.event).toMatchObject({
      swap: 1,
      decision: 'accepted',
      basis: 'scores',
      samples: 30,
      signChanges: 7,
    });
    // Thirty ten-second bars after the start of the shadow at five minutes.
    expect(decided?.time).toBe(at('00:09:50'));
    expect(Number(decided?.event.correlation)).toBeGreaterThan(0.8);
    expect(Number(decided?.event.meanDifference)).toBeLessThan(0.5);
    const before = r.signals().filter((s) => s.time <= at('00:09:50'));
    const after = r.signals(at('00:09:50') + 1);
    expect(before.every((s) => s.qty === 5000)).toBe(true);
    expect(after.length).toBeGreaterThan(3);
    expect(after.every((s) => s.qty === 4000)).toBe(true);
    expect(r.report.passed).toBe(true);
    // The report: the shadow's warm-up is not the strategy's, and the candidate is live at the end.
    const summary = r.report.strategy;
    expect(summary?.swaps).toEqual({ accepted: 1, rejected: 0, refused: 0, abandoned: 0 });
    expect(summary?.live.params).toContain('"window":14');
    expect(summary?.starts).toBe(1);
    expect(summary?.warmup).toMatchObject([{ symbol: 'BTCUSDT', state: 'hydrated', atMs: 0 }]);
    expect(summary?.signals.made).toBe(r.signals().length);
    expect(r.of('StrategyHydration').filter((e) => e.event.role === 'shadow').length).toBeGreaterThan(0);
  });

  it('rejects an inverted model, and the old strategy trades exactly as it would have without the swap', () => {
    const without = run('');
    const r = run(swap('{ invert: true, qty: 0.04 }'));
    const [decided] = r.of('StrategySwapDecided');
    expect(decided?.event).toMatchObject({ decision: 'rejected', basis: 'scores', samples: 30 });
    expect(Number(decided?.event.correlation)).toBeLessThan(-0.8);
    expect(decided?.event.reason).toMatch(/^correlation -0\.\d{4} is below 0\.5000$/);
    // Its signals go on after the decision, the same ones, at the same times.
    expect(r.signals(at('00:09:50')).length).toBeGreaterThan(3);
    expect(r.signals()).toEqual(without.signals());
    expect(r.signals().every((s) => s.qty === 5000)).toBe(true);
    expect(r.report.strategy?.swaps.rejected).toBe(1);
    expect(r.report.strategy?.live.params).toBe(without.report.strategy?.live.params);
  });

  it('rejects a model whose scores are mostly noise, on the mean difference', () => {
    const r = run(swap('{ noise: 3, qty: 0.04 }'));
    const [decided] = r.of('StrategySwapDecided');
    expect(decided?.event).toMatchObject({ decision: 'rejected', basis: 'scores' });
    expect(decided?.event.reason).toMatch(/^mean difference \d+\.\d{4} is above 0\.5000$/);
    expect(r.signals()).toEqual(run('').signals());
  });

  it('swaps at once on an audited override, skipping the shadow', () => {
    const r = run(swap('{ invert: true, qty: 0.03 }', ', override: true, actor: ops-lead, reason: hotfix'));
    expect(r.of('StrategySwapRequested')[0]?.event).toMatchObject({
      override: true,
      actor: 'ops-lead',
      reason: 'hotfix',
    });
    expect(r.of('StrategySwapDecided').map((e) => [e.time, e.event])).toEqual([
      [
        at('00:05:00'),
        {
          kind: 'StrategySwapDecided',
          swap: 1,
          name: 'zscore',
          candidate: 'zscore',
          decision: 'accepted',
          basis: null,
          samples: 0,
          correlation: null,
          meanDifference: null,
          signChanges: 0,
          range: null,
          reason: 'operator override by ops-lead: hotfix',
        },
      ],
    ]);
    expect(r.of('StrategyStarted').map((e) => e.event.role)).toEqual(['live', 'live']);
    // It takes over the old one's position (its first signal sells what the old one bought),
    // then buys its own size.
    const after = r.signals(at('00:05:00'));
    expect(after[0]).toEqual({ time: at('00:05:10'), side: 'sell', qty: 5000 });
    const buys = after.filter((s) => s.side === 'buy');
    expect(buys.length).toBeGreaterThan(2);
    expect(buys.every((s) => s.qty === 3000)).toBe(true);
    // An override's start is the candidate's, not a restart.
    expect(r.report.strategy).toMatchObject({ starts: 1, swaps: { accepted: 1 } });
    expect(r.report.strategy?.live.params).toContain('"invert":true');
  });

  it('refuses a swap asked for while another is in shadow, and lets the first one finish', () => {
    const r = run(
      'actions:\n' +
        '  - { kind: swap_strategy, at: PT5M, module: zscore.ts, params: { window: 14, qty: 0.04 }, samples: 30 }\n' +
        '  - { kind: swap_strategy, at: PT6M, module: zscore.ts, params: { invert: true }, override: true, actor: ops, reason: now }',
    );
    expect(r.of('StrategySwapDecided').map((e) => [e.time, e.event.swap, e.event.decision])).toEqual([
      [at('00:06:00'), 2, 'refused'],
      [at('00:09:50'), 1, 'accepted'],
    ]);
    expect(r.of('StrategySwapDecided')[0]?.event.reason).toBe(
      'swap 1 (candidate zscore) is in shadow since 2024-08-09T00:05:00.000Z with 6 of 30 samples: one swap at a time, wait for its decision',
    );
    expect(r.report.strategy?.swaps).toEqual({ accepted: 1, rejected: 0, refused: 1, abandoned: 0 });
  });

  it('abandons a swap in shadow when the process restarts, and the old strategy trades on', () => {
    const r = run(`${swap('{ window: 14, qty: 0.04 }')}\nrestarts: [{ at: PT7M, downtime: PT10S }]`);
    expect(r.of('StrategySwapDecided').map((e) => [e.time, e.event.decision, e.event.reason.slice(0, 40)])).toEqual([
      [at('00:07:10'), 'abandoned', 'the process restarted while the candidat'],
    ]);
    expect(r.of('StrategyStarted').map((e) => [e.time, e.event.role, e.event.params.includes('"qty":0.05')])).toEqual([
      [START, 'live', true],
      [at('00:05:00'), 'shadow', false],
      [at('00:07:10'), 'live', true],
    ]);
    const after = r.signals(at('00:07:10'));
    expect(after.length).toBeGreaterThan(3);
    expect(after.every((s) => s.qty === 5000)).toBe(true);
  });

  it('runs the accepted candidate again after a restart', () => {
    const r = run(`${swap('{ window: 14, qty: 0.04 }')}\nrestarts: [{ at: PT12M, downtime: PT10S }]`);
    expect(r.of('StrategySwapDecided').map((e) => e.event.decision)).toEqual(['accepted']);
    expect(r.of('StrategyStarted').map((e) => [e.time, e.event.role, e.event.params.includes('"qty":0.04')])).toEqual([
      [START, 'live', false],
      [at('00:05:00'), 'shadow', true],
      [at('00:12:10'), 'live', true],
    ]);
    const after = r.signals(at('00:12:10'));
    expect(after.length).toBeGreaterThan(3);
    expect(after.every((s) => s.qty === 4000)).toBe(true);
  });

  it('refuses a swap due while no process runs, naming it among the refused inputs', () => {
    const r = run(
      `actions: [{ kind: swap_strategy, at: PT5M, module: zscore.ts, params: { qty: 0.04 } }]\nrestarts: [{ at: PT4M55S, downtime: PT10S }]`,
    );
    expect(r.of('StrategySwapRequested')).toEqual([]);
    expect(r.of('ProcessRestarted')[0]?.event.refusedInputs).toEqual(['action swap_strategy zscore.ts']);
  });

  it('reproduces its digest: the same scenario twice, and from the SQLite store across a restart', () => {
    const tail = `${swap('{ window: 14, qty: 0.04 }')}\nrestarts: [{ at: PT12M, downtime: PT10S }]`;
    const a = run(tail).report.digest;
    expect(run(tail).report.digest).toBe(a);
    const dir = mkdtempSync(join(tmpdir(), 'execsim-swap-'));
    dirs.push(dir);
    const store = new RunStore(openDatabase(join(dir, 'x.db')));
    expect(run(tail, store).report.digest).toBe(a);
    // A candidate with other code or parameters is another run.
    expect(run(swap('{ window: 15, qty: 0.04 }')).report.digest).not.toBe(
      run(swap('{ window: 14, qty: 0.04 }')).report.digest,
    );
  });
});

describe('a bad swap action is one scenario problem naming its field', () => {
  const problem = (tail: string) => {
    try {
      parseScenario(scenario(tail), FILE);
    } catch (err) {
      return (err as Error).message;
    }
    return 'loaded';
  };

  it('names the module, its parameters, its feed, a missing strategy and an unaudited override', () => {
    expect(problem(swap('{}').replace('module: zscore.ts', 'module: nope.ts'))).toBe(
      `${FILE}: actions[0].module: nope.ts: no such file ${join(DIR, 'nope.ts')} (paths are relative to the file naming it)`,
    );
    expect(problem(swap('{ window: 1 }'))).toMatch(/^.*: actions\[0\]\.params\.window: zscore\.ts: .*>=2/);
    expect(problem(swap('{ wndow: 3 }'))).toMatch(/: actions\[0\]\.params: zscore\.ts: Unrecognized key/);
    expect(problem(swap('{}').replace('samples: 30', 'samples: 1'))).toMatch(/actions\[0\]\.samples: /);
    expect(problem(swap('{}', ', override: true'))).toMatch(
      /actions\[0\]\.actor: an override skips the shadow validation: say who \(actor\) and why \(reason\)/,
    );
    expect(problem(swap('{}', ', override: true, actor: ops'))).toMatch(/actions\[0\]\.reason: an override skips/);
    expect(problem(swap('{}').replace('zscore.ts, params', 'other-feed.ts, params'))).toMatch(
      /actions\[0\]\.module: other-feed\.ts samples quotes every 1000 ms with 60000 ms bars, the strategy it replaces \(zscore\.ts\) every 1000 ms with 10000 ms bars: a swap keeps the feed/,
    );
    const noStrategy = scenario(swap('{}')).replace(
      'strategy: { module: zscore.ts, params: { window: 12, qty: 0.05 } }',
      '',
    );
    expect(() => parseScenario(noStrategy, FILE)).toThrow(
      'actions[0].kind: swap_strategy swaps the strategy: the scenario names none (strategy:)',
    );
  });

  it('over HTTP, refuses a swap module outside the scenarios directory before loading it', () => {
    const text = scenario(swap('{}').replace('module: zscore.ts', 'module: ../../x.ts'));
    expect(outsidePathErrors(parseYamlMapping(text, FILE), DIR)).toEqual([
      {
        path: 'actions[0].module',
        message:
          'over HTTP, a strategy module must be inside the scenarios directory (paths relative to it); "../../x.ts" is not',
      },
    ]);
    expect(outsidePathErrors(parseYamlMapping(scenario(swap('{}')), FILE), DIR)).toEqual([]);
  });
});
