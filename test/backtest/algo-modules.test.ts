// A user's algorithm module (algo: { kind: module }) in backtests and sweeps: across crashes and
// restarts no client id becomes two orders and the parent never over-fills; the same digest in a
// single run and on a sweep's worker threads; a module that throws stops its parent with the
// error; a bad module path or shape is one problem naming the field, before anything runs.
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { isTerminal } from '../../src/core/model/order-status.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { algorithmResolver } from '../../src/strategy/load-algorithm.ts';
import { bundleOf, STRATEGY_IMPORTS } from '../../src/strategy/strategy-bundle.ts';
import type { RealmCounts } from '../../src/strategy/strategy-realm.ts';
import { runSweepUnits } from '../../src/sweep/sweep-threads.ts';
import { SweepCollector, type SweepDefinition } from '../../src/sweep/sweep-units.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { crashScenarioHead, restartsArb, runCrashable } from '../support/crash-run.ts';

const EXAMPLE = 'examples/algorithms/liquidity-seeker.yaml';

function yaml(seed: number, module: string, restarts: string[], faults: string[]): string {
  return `${crashScenarioHead({ name: 'algo-module', seed, duration: 'PT8M', restarts, faults })}orders:
  - id: p
    at: PT5S
    side: buy
    qty: "0.3"
    type: limit
    limitPrice: "61100.00"
    twap: { duration: PT4M, slices: 4 }
    algo: { kind: module, path: ${module} }
`;
}

function simulate(text: string) {
  const loaded = parseScenario(text, 'algo-module.yaml');
  const s = loaded.scenario;
  const { run, created, written } = runCrashable(s, 'algo-module.yaml', {
    algorithms: (clock) => algorithmResolver(loaded.algorithms, () => clock.now(), s.seed),
  });
  return { run, created, all: written };
}

const crashesArb = restartsArb(
  { minLength: 1, maxLength: 3 },
  { atMaxS: 250, downMaxS: 90, submitsMax: 5, submitDownMaxS: 60 },
);
const faultArb = fc
  .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 5, max: 60 }), fc.constantFrom('lost_reports', 'outage'))
  .map(([from, len, kind]) =>
    kind === 'outage'
      ? `{ kind: outage, from: PT${from}S, until: PT${from + len}S, mode: mixed, timeoutMs: 2000 }`
      : `{ kind: lost_reports, from: PT${from}S, until: PT${from + len}S, probability: 0.5 }`,
  );

describe('an algorithm module', () => {
  it('resumes after crashes with no duplicate order and no over-fill, every child ended', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        crashesArb,
        fc.array(faultArb, { maxLength: 2 }),
        (seed, restarts, faults) => {
          const { run, created, all } = simulate(
            yaml(seed, './test/fixtures/algorithms/random-rest.ts', restarts, faults),
          );
          for (const [id, n] of created) expect(n, `client order id ${id} created ${n} orders`).toBe(1);
          const children = run.ledger.childrenOf(parentOrderId('p'));
          expect(children.length).toBeGreaterThan(0);
          let filled = 0;
          for (const c of children) {
            expect(isTerminal(c.status), `child ${c.request.sliceNum} ended ${c.status}`).toBe(true);
            expect(c.filledQty).toBe(run.venue.exchange.order(c.request.clientOrderId)?.filled ?? 0);
            filled += c.filledQty;
          }
          expect(filled).toBeLessThanOrEqual(30_000);
          expect(run.ledger.parents.get(parentOrderId('p'))?.completed).toBeTruthy();
          // The memo the module kept is in the log (its Date read the run's clock).
          const memos = all.filter((e) => e.event.kind === 'AlgoMemo');
          expect(memos.length).toBeGreaterThan(0);
          for (const m of memos) expect((m.event as { memo: { at: number } }).memo.at).toBe(Math.floor(m.time));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('goes on after a crash whose child filled while no process ran, its parent not completed early', () => {
    // A market child of 0.01 at a time: the crash right after the first leaves, which fills at the
    // venue meanwhile; the restarted process's startup reconciliation learns the fill before
    // restart recovery rebuilds the runner, and the parent waits for it instead of completing.
    const text = `${crashScenarioHead({
      name: 'algo-module-early',
      seed: 9,
      duration: 'PT2M',
      restarts: ['{ afterSubmit: 1, downtime: PT5S }'],
      faults: [],
    })}orders:
  - id: p
    at: PT5S
    side: buy
    qty: "0.03"
    type: market
    twap: { duration: PT1M, slices: 4 }
    algo: { kind: module, path: ./test/fixtures/algorithms/step-buyer.ts, params: { chunk: 1000, everyMs: 500 } }
`;
    const { run, all } = simulate(text);
    const kinds = all.map((e) => e.event.kind);
    const restarted = kinds.indexOf('ProcessRestarted');
    expect(restarted).toBeGreaterThan(kinds.indexOf('SubmitOrder'));
    const children = run.ledger.childrenOf(parentOrderId('p'));
    expect(children.map((c) => c.filledQty)).toEqual([1000, 1000, 1000]);
    expect(run.ledger.parents.get(parentOrderId('p'))?.completed).toMatchObject({ status: 'filled', filledQty: 3000 });
    expect(all.filter((e) => e.event.kind === 'ParentOrderCompleted')).toHaveLength(1);
  });

  it('stops its parent with the error it threw, its resting child cancelled', () => {
    const { run, all } = simulate(yaml(3, './test/fixtures/algorithms/throws-later.ts', [], []));
    const stops = all
      .filter((e) => e.event.kind === 'ParentStopped')
      .map((e) => (e.event as { reason: string }).reason);
    expect(stops).toEqual([
      'the algorithm module ./test/fixtures/algorithms/throws-later.ts failed in decide (trigger: wake): RangeError: no more ideas',
    ]);
    expect(run.ledger.childrenOf(parentOrderId('p')).map((c) => c.status)).toEqual(['canceled']);
  });

  it('stops its parent when a decision holds more than a value may (a memo of 100 keys), carrying out none of it', () => {
    const { run, all } = simulate(yaml(3, './test/fixtures/algorithms/memo-too-wide.ts', [], []));
    const stops = all
      .filter((e) => e.event.kind === 'ParentStopped')
      .map((e) => (e.event as { reason: string }).reason);
    expect(stops).toEqual([
      'the algorithm module ./test/fixtures/algorithms/memo-too-wide.ts failed in decide (trigger: start): ' +
        'the decision holds an object of 100 properties, more than the 64 a value may hold',
    ]);
    expect(run.ledger.childrenOf(parentOrderId('p'))).toEqual([]);
    expect(all.filter((e) => e.event.kind === 'AlgoMemo')).toEqual([]);
  });

  it('gives the same digests in a single run and on a sweep on two worker threads', async () => {
    const def: SweepDefinition = { file: EXAMPLE, yaml: readFileSync(EXAMPLE, 'utf8'), seed: 4, paths: 3, grid: [] };
    const single = runSweep(loadScenarioFile(EXAMPLE), { paths: 3, seed: 4 });
    const collector = new SweepCollector(def, 'liquidity-seeker');
    const end = await runSweepUnits(def, {
      handOut: 'at-once',
      workers: 2,
      chunkUnits: 1,
      onUnit: (r) => collector.add(r),
    });
    expect(end).toMatchObject({ kind: 'finished', units: 3 });
    const threaded = collector.result();
    expect(threaded).toEqual(single);
    const first = single.perPath[0];
    expect(runScenario(loadScenarioFile(EXAMPLE), { seed: first?.seed ?? -1 }).digest).toBe(first?.digest);
  }, 120_000);

  it('gives its realm back when its process ends, to the next instance: a restarted process, the next run', () => {
    const module = './test/fixtures/algorithms/random-rest.ts';
    const loaded = parseScenario(yaml(5, module, ['{ at: PT30S, downtime: PT20S }'], []), 'algo-module.yaml');
    const counts = bundleOf(module, resolve(module), STRATEGY_IMPORTS).compiled?.counts as RealmCounts;
    const before = { ...counts };
    const first = runScenario(loaded);
    const second = runScenario(loaded);
    expect(first.parents[0]?.childOrders).toBeGreaterThan(0);
    expect(first.reconciliation.restarts).toBe(1);
    expect(second.digest).toBe(first.digest);
    // Two processes a run, so four instances, and no new realm: the first took the one the load's
    // own check gave back, and each later one the one its crashed or finished predecessor gave.
    // A realm is made again only for one dropped: one that served its most instances, in a thread
    // whose properties ran this module many times before.
    const made = counts.created - before.created;
    expect(made + counts.reused - before.reused).toBe(4);
    expect(made).toBeLessThanOrEqual(counts.dropped - before.dropped);
  });

  it('refuses a bad module path or shape as one problem naming the field, before anything runs', () => {
    const problem = (module: string): string => {
      try {
        parseScenario(yaml(1, module, [], []), 'algo-module.yaml');
        return 'loaded';
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as ScenarioError).message;
      }
    };
    expect(problem('./test/fixtures/algorithms/missing.ts')).toMatch(/orders\[0\]\.algo\.path: .*no such file/);
    expect(problem('./test/fixtures/algorithms/no-decide.ts')).toMatch(
      /orders\[0\]\.algo\.path: .*exports no algorithm: export default defineAlgorithm/,
    );
    expect(problem('./test/fixtures/algorithms/throws-at-load.ts')).toMatch(
      /orders\[0\]\.algo\.path: .*failed while loading: .*cannot start/,
    );
    expect(problem('./test/fixtures/algorithms/async-decide.ts')).toMatch(
      /orders\[0\]\.algo\.path: .*async-decide\.ts: decide is an async function: a decision is made at once/,
    );
    // From the command line: a non-zero exit naming the field, and no store written.
    const dir = mkdtempSync(join(tmpdir(), 'execsim-algo-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, yaml(1, './no-decide.ts', [], []));
      writeFileSync(join(dir, 'no-decide.ts'), 'export const nothing = 1;\n');
      const db = join(dir, 'runs.db');
      const r = spawnSync(process.execPath, ['bin/execsim.js', 'run', file, '--db', db], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/orders\[0\]\.algo\.path: .*exports no algorithm/);
      expect(existsSync(db)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an algorithm module the file declares by name', () => {
  const SEEKER = './examples/algorithms/liquidity-seeker.ts';
  const byPath = yaml(5, SEEKER, [], []).replace(
    `path: ${SEEKER} }`,
    `path: ${SEEKER}, params: { takeAt: 5000, restQty: 2000, checkEveryMs: 1500 } }`,
  );
  const byName =
    yaml(5, SEEKER, [], []).replace(`path: ${SEEKER} }`, 'name: seeker, params: { restQty: 2000 } }') +
    `algorithms:\n  seeker: { path: ${SEEKER}, params: { takeAt: 5000, restQty: 500, checkEveryMs: 1500 } }\n`;

  it('runs as the same module named by path does, the plan naming it, its params over the declared ones', () => {
    const a = simulate(byPath);
    const b = simulate(byName);
    const plan = (all: readonly LogEntry[]) => all.find((e) => e.event.kind === 'AlgoPlanned')?.event;
    expect(plan(a.all)).toMatchObject({ module: SEEKER });
    expect(plan(b.all)).toMatchObject({
      module: 'seeker',
      params: { takeAt: 5000, restQty: 2000, checkEveryMs: 1500 },
    });
    const children = (r: ReturnType<typeof simulate>) =>
      r.run.ledger.childrenOf(parentOrderId('p')).map((c) => [c.request.type, c.request.qty, c.status, c.filledQty]);
    expect(children(b).length).toBeGreaterThan(1);
    expect(children(b)).toEqual(children(a));
    for (const [id, n] of b.created) expect(n, `client order id ${id} created ${n} orders`).toBe(1);
  });

  it('refuses a name the file does not declare, and a declaration it cannot load, naming the field', () => {
    const problem = (text: string): string => {
      try {
        parseScenario(text, 'algo-module.yaml');
        return 'loaded';
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as ScenarioError).message;
      }
    };
    expect(problem(byName.replace('name: seeker', 'name: sniper'))).toBe(
      'algo-module.yaml: orders[0].algo.name: no algorithm module is named "sniper": the file declares seeker (its algorithms section)',
    );
    expect(problem(byName.replace(`seeker: { path: ${SEEKER}`, 'seeker: { path: ./missing.ts'))).toMatch(
      /^algo-module\.yaml: algorithms\.seeker\.path: .*missing\.ts: no such file/,
    );
    expect(problem(byName.replace('name: seeker,', `name: seeker, path: ${SEEKER},`))).toMatch(
      /orders\[0\]\.algo\.path: give name .* or, in a scenario file, path/,
    );
  });
});
