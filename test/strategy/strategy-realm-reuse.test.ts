// Strategy realms reused from run to run in a thread (docs/0058-...), seen from whole runs: sweep
// paths of modules that change their realm (picked by each path's draws), keep the wall clock's
// functions from import, or keep module-level state give each path the digest a run of that path
// alone gives, on one worker and on two (paths in other orders, after other paths), and a
// strategy stopped at its budget does not hand its realm on.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { bundleOf, STRATEGY_IMPORTS } from '../../src/strategy/strategy-bundle.ts';
import type { RealmCounts } from '../../src/strategy/strategy-realm.ts';
import { runSweepUnits } from '../../src/sweep/sweep-threads.ts';
import { SweepCollector, type SweepDefinition } from '../../src/sweep/sweep-units.ts';
import { STRATEGY_DIR, strategyScenario } from '../support/strategy-scenario.ts';

const DIR = STRATEGY_DIR;
const FILE = `${DIR}/realm-reuse.yaml`;

const SHAPE = { name: 'realm-reuse', seed: 7, duration: 'PT1M' };

/** A short synthetic run with a strategy section. */
function scenario(strategy: string): string {
  return strategyScenario(SHAPE, strategy);
}

async function sweep(yaml: string, workers: number): Promise<Array<{ seed: number; digest: string }>> {
  const def: SweepDefinition = { file: FILE, yaml, seed: 11, paths: 8, grid: [] };
  const collector = new SweepCollector(def, 'realm-reuse');
  const end = await runSweepUnits(def, { workers, chunkUnits: 1, handOut: 'at-once', onUnit: (r) => collector.add(r) });
  expect(end).toMatchObject({ kind: 'finished', units: 8 });
  return collector
    .result()
    .perPath.map((p) => ({ seed: p.seed, digest: p.digest }))
    .sort((a, b) => a.seed - b.seed);
}

describe('strategy realms reused from run to run', () => {
  it.each([
    ['a module that changes its realm', '  module: ./realm-changer.ts'],
    [
      'a module that keeps the clock and draws from import and pollutes its realm',
      '  module: ./own-realm.ts\n  params: { pollute: true }',
    ],
    ['a module with module-level state', '  module: ./stateful.ts'],
  ])(
    '%s: each sweep path, on one worker or two, is its run alone',
    async (_what, strategy) => {
      const yaml = scenario(strategy);
      const one = await sweep(yaml, 1);
      const two = await sweep(yaml, 2);
      expect(two).toEqual(one);
      // Each path run alone, last path first, in this thread (its realms reused from run to run).
      const loaded = parseScenario(yaml, FILE);
      for (const p of [...one].reverse()) expect(runScenario(loaded, { seed: p.seed }).digest).toBe(p.digest);
      const module = loaded.strategy?.module as string;
      const counts = bundleOf(module, resolve(DIR, module), STRATEGY_IMPORTS).compiled?.counts;
      expect(counts?.reused).toBeGreaterThan(0);
    },
    180_000,
  );

  it('gives the changing module other changes on other paths (the sweep above is not vacuous)', async () => {
    const yaml = scenario('  module: ./realm-changer.ts');
    const loaded = parseScenario(yaml, FILE);
    const ids = new Set(
      (await sweep(yaml, 1)).map((p) => {
        const ids: string[] = [];
        runScenario(loaded, {
          seed: p.seed,
          onEntry: (e) =>
            void (e.event.kind === 'SignalReceived' && ids.push(e.event.signalId.split('-')[1] as string)),
        });
        return ids.join();
      }),
    );
    expect(ids.size).toBeGreaterThan(2);
  }, 180_000);

  it('drops the realm of a strategy stopped at its budget, and gives the next run a new one', () => {
    const loaded = parseScenario(
      scenario('  module: ./looping.ts\n  params: { at: bar }\n  callbackBudgetMs: 40'),
      FILE,
    );
    const counts = bundleOf('./looping.ts', resolve(DIR, 'looping.ts'), STRATEGY_IMPORTS).compiled
      ?.counts as RealmCounts;
    const before = { ...counts };
    expect(runScenario(loaded).strategy?.failed?.message).toMatch(/^exceeded its time budget of 40 ms/);
    // The run's instance had the realm the load's check left, and dropped it.
    expect([counts.reused - before.reused, counts.dropped - before.dropped, counts.created - before.created]).toEqual([
      1, 1, 0,
    ]);
    runScenario(loaded);
    expect(counts.created - before.created).toBe(1);
  }, 60_000);
});
