// Sweeps on worker threads: the same results path for path (digests, figures, net P&L, summary,
// grid report and its rankings) in this thread alone and on two or three threads (this one and
// workers), whatever order chunks finish in; a path's net P&L is the run of its seed's; a path
// error fails the sweep after exactly the units before it, whichever thread met it; a worker
// that throws or exits fails it with a SweepWorkerError; an abort ends it as interrupted without
// waiting for the workers.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { runSweep, SweepPathError } from '../../src/sweep/sweep.ts';
import { parseGridFlag } from '../../src/sweep/sweep-grid.ts';
import {
  chunkSize,
  runSweepUnits,
  SweepWorkerError,
  WORKER_PAYS_MS,
  workerPays,
  type SweepUnits,
  type UnitSweepOptions,
} from '../../src/sweep/sweep-threads.ts';
import { SweepCollector, type SweepDefinition, type UnitResult } from '../../src/sweep/sweep-units.ts';

const FILE = 'scenarios/twap-calm.yaml';
const YAML = readFileSync(FILE, 'utf8');
const FAULTY = new URL('../support/sweep-worker-faulty.js', import.meta.url);

async function collect(def: SweepDefinition, options: Omit<UnitSweepOptions, 'onUnit'>) {
  const collector = new SweepCollector(def, 'twap-calm');
  const order: number[] = [];
  const end = await runSweepUnits(def, {
    // These tests are of the threads' hand-over: the workers start at once, whatever the
    // sweep's length (workerPays is tested below).
    handOut: 'at-once',
    ...options,
    onUnit: (r: UnitResult, done) => {
      order.push(r.unit);
      expect(done).toBe(order.length);
      collector.add(r);
    },
  });
  return { end, order, result: collector.result() };
}

/** Runs `start` with the worker threads it starts before its first await loading the TypeScript
 *  sources through tsx, as the threads of a process that runs the sources do: the test
 *  configuration has them run dist/ while it is current (a worker copies this thread's
 *  environment, EXECSIM_CODE included, when it is created). */
function onTheSources<T>(start: () => Promise<T>): Promise<T> {
  const was = process.env['EXECSIM_CODE'];
  process.env['EXECSIM_CODE'] = 'source';
  try {
    return start();
  } finally {
    if (was === undefined) delete process.env['EXECSIM_CODE'];
    else process.env['EXECSIM_CODE'] = was;
  }
}

describe('a sweep on worker threads', () => {
  it('gives the single-threaded sweep path for path, in this thread, on 1 and on 2 workers (and on workers that run the sources)', async () => {
    const def: SweepDefinition = { file: FILE, yaml: YAML, seed: 5, paths: 6, grid: [] };
    const single = runSweep(loadScenarioFile(FILE), { paths: 6, seed: 5 });
    const inThread = await collect(def, { workers: 1 });
    // One unit per chunk: this thread's units and the workers' finish interleaved and out of order.
    const two = await collect(def, { workers: 2, chunkUnits: 1 });
    const three = await collect(def, { workers: 3, chunkUnits: 1 });
    const one = await onTheSources(() => collect({ ...def }, { workers: 2, chunkUnits: 6 }));
    for (const run of [inThread, two, three, one]) {
      expect(run.end).toMatchObject({ kind: 'finished', units: 6 });
      expect(run.order).toEqual([0, 1, 2, 3, 4, 5]);
      expect(run.result).toEqual(single);
    }
    // Every path has a net P&L: the report's of the run of its seed (market samples and all).
    expect(single.perPath.every((p) => typeof p.netPnl === 'number')).toBe(true);
    const first = single.perPath[0];
    expect(first?.netPnl).toBe(Number(runScenario(loadScenarioFile(FILE), { seed: first?.seed ?? -1 }).pnl.total.net));
    expect(single.netPnl.n).toBe(6);
  }, 120_000);

  it('gives the same grid report on 1 and on 2 workers', async () => {
    const def: SweepDefinition = {
      file: FILE,
      yaml: YAML,
      seed: 8,
      paths: 3,
      grid: [parseGridFlag('twap.slices=5,10')],
    };
    const inThread = await collect(def, { workers: 1 });
    const two = await collect(def, { workers: 2, chunkUnits: 1 });
    expect(two.result).toEqual(inThread.result);
    expect(inThread.result.grid?.points.map((p) => p.paths)).toEqual([3, 3]);
    // Both rankings hold both points, the same on either number of workers.
    const grid = inThread.result.grid;
    expect(two.result.grid?.ranking).toEqual(grid?.ranking);
    expect([...(grid?.ranking.netPnl ?? [])].sort()).toEqual([0, 1]);
    expect([...(grid?.ranking.shortfall ?? [])].sort()).toEqual([0, 1]);
    expect(grid?.points.every((p) => p.netPnl.n === 3)).toBe(true);
    expect(inThread.result.perPath.map((p) => [p.point, p.path])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 2],
      [1, 2],
    ]);
  }, 120_000);
});

/** This thread's stand-in for the faulty worker's units: the same results, the same path error
 *  at unit K for `path-error-at:K`. */
const fakeUnit = (u: number): UnitResult =>
  ({ unit: u, point: 0, path: { path: u }, parents: [], expectations: [] }) as unknown as UnitResult;
function fakeRunner(mode: string, units: number): SweepUnits {
  const failAt = mode.startsWith('path-error-at:') ? Number(mode.slice('path-error-at:'.length)) : -1;
  return {
    units,
    run(u) {
      if (u === failAt) throw new SweepPathError(u, 99, new Error('bad path'));
      return fakeUnit(u);
    },
  };
}

describe('a threaded sweep that cannot go on', () => {
  const fake = (file: string, paths = 20): SweepDefinition => ({ file, yaml: '', seed: 1, paths, grid: [] });
  const faulty = (file: string, paths = 20) => ({
    bootFile: FAULTY,
    runner: fakeRunner(file, paths),
    handOut: 'at-once' as const,
  });

  it('hands over exactly the units before a failing path, then fails with that path', async () => {
    const seen: number[] = [];
    const run = runSweepUnits(fake('path-error-at:7'), {
      workers: 2,
      chunkUnits: 3,
      ...faulty('path-error-at:7'),
      onUnit: (r) => void seen.push(r.unit),
    });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SweepPathError);
    expect((err as SweepPathError).path).toBe(7);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('hands over every unit in order, or those before the first failing one, however the units are chunked and spread', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 3 }),
        fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
        fc.option(fc.nat(45), { nil: undefined }),
        async (units, workers, chunkUnits, failAt) => {
          const mode = failAt === undefined ? 'path-error-at:-1' : `path-error-at:${failAt}`;
          const seen: number[] = [];
          const end = await runSweepUnits(fake(mode, units), {
            workers,
            ...(chunkUnits === undefined ? {} : { chunkUnits }),
            ...faulty(mode, units),
            onUnit: (r, done, total) => {
              seen.push(r.unit);
              expect([done, total]).toEqual([seen.length, units]);
            },
          }).then(
            (e) => e,
            (e: unknown) => e,
          );
          const fails = failAt !== undefined && failAt < units;
          expect(seen).toEqual(Array.from({ length: fails ? failAt : units }, (_, i) => i));
          if (fails) expect((end as SweepPathError).path).toBe(failAt);
          else expect(end).toEqual({ kind: 'finished', units, threads: workers });
        },
      ),
      { numRuns: 15 },
    );
  }, 60_000);

  it('fails with a SweepWorkerError when a worker throws or exits, naming its units', async () => {
    for (const mode of ['throw', 'exit']) {
      const err = await runSweepUnits(fake(mode), { workers: 2, chunkUnits: 5, ...faulty(mode) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, mode).toBeInstanceOf(SweepWorkerError);
      expect((err as Error).message, mode).toMatch(/sweep worker thread \d .*units \d+\.\.\d+/);
    }
  });

  it('ends as interrupted when aborted, though the workers never answer', async () => {
    const stop = new AbortController();
    const run = runSweepUnits(fake('hang'), { workers: 2, ...faulty('hang'), signal: stop.signal });
    stop.abort('SIGINT');
    expect(await run).toEqual({ kind: 'interrupted', units: 0, reason: 'SIGINT' });
  });

  it('refuses a worker count out of range', () => {
    expect(() => runSweepUnits(fake('hang'), { workers: 0 })).toThrow(/workers/);
    expect(() => runSweepUnits(fake('hang'), { workers: 1.5 })).toThrow(/workers/);
  });
});

describe('chunks handed to a worker', () => {
  it('are 1 to 64 units, never more than what is left, and shrink as the sweep nears its end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 256 }), (left, threads) => {
        const size = chunkSize(left, threads);
        expect(size).toBeGreaterThanOrEqual(1);
        expect(size).toBeLessThanOrEqual(Math.min(64, left));
        // What is left after the chunk still gives every other thread as much or more to do.
        if (size > 1) expect(left - size).toBeGreaterThanOrEqual((threads - 1) * size);
      }),
    );
  });

  it('are no larger than what the worker has answered so far (one unit while it has answered none)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 2, max: 256 }),
        fc.integer({ min: 0, max: 10_000 }),
        (left, threads, done) => {
          const size = chunkSize(left, threads, done);
          expect(size).toBeLessThanOrEqual(Math.max(1, done));
          expect(size).toBe(Math.min(chunkSize(left, threads), Math.max(1, done)));
        },
      ),
    );
  });
});

describe('whether a sweep is long enough for worker threads', () => {
  it('never before this thread has timed a unit; past 5 s, when the work left is over WORKER_PAYS_MS', () => {
    expect(workerPays(1_000_000, 100, 0)).toBe(false);
    expect(workerPays(31, 100, 5_000)).toBe(true);
    expect(workerPays(30, 100, 5_000)).toBe(false);
    expect(workerPays(30, 100, 60_000)).toBe(false);
  });

  it('asks more of an early estimate, and a unit that takes longer never makes a sweep shorter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0.01, max: 1_000, noNaN: true }),
        fc.double({ min: 1, max: 20_000, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (left, perUnit, elapsed, more) => {
          // An estimate that passes the bar later or earlier passes it with slower units too,
          // and one that passes early passes later (the bar only comes down).
          if (workerPays(left, perUnit, elapsed)) {
            expect(workerPays(left, perUnit * more, elapsed)).toBe(true);
            expect(workerPays(left, perUnit, elapsed * more)).toBe(true);
          }
          // Below WORKER_PAYS_MS of work left, never.
          if (left * perUnit <= WORKER_PAYS_MS) expect(workerPays(left, perUnit, elapsed)).toBe(false);
        },
      ),
    );
  });

  it('a short sweep is run in this thread alone: its worker is never started', async () => {
    // 30 units of 10 ms: 0.3 s of work. A worker that started would exit, failing the sweep.
    const timed = (ms: number, units: number): SweepUnits => ({
      units,
      run(u) {
        const until = performance.now() + ms;
        while (performance.now() < until);
        return fakeUnit(u);
      },
    });
    const def: SweepDefinition = { file: 'exit-at-start', yaml: '', seed: 1, paths: 30, grid: [] };
    const run = (handOut: 'when-it-pays' | 'at-once') =>
      runSweepUnits(def, { workers: 2, bootFile: FAULTY, runner: timed(10, 30), handOut }).then(
        (end) => end,
        (e: unknown) => e,
      );
    expect(await run('when-it-pays')).toEqual({ kind: 'finished', units: 30, threads: 1 });
    // Started at once, the same worker fails it: the check above is not by luck of timing.
    expect(await run('at-once')).toBeInstanceOf(SweepWorkerError);
  });

  it('a long one starts its workers as soon as its first unit says so', async () => {
    // Units of 20 ms, 1,000 of them: 20 s of work left, above the bar from the first unit on;
    // the worker that starts exits, and the sweep fails within its first units.
    const slow: SweepUnits = {
      units: 1_000,
      run(u) {
        const until = performance.now() + 20;
        while (performance.now() < until);
        return fakeUnit(u);
      },
    };
    const def: SweepDefinition = { file: 'exit-at-start', yaml: '', seed: 1, paths: 1_000, grid: [] };
    const done: number[] = [];
    const err = await runSweepUnits(def, {
      workers: 2,
      bootFile: FAULTY,
      runner: slow,
      onUnit: (r) => void done.push(r.unit),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SweepWorkerError);
    expect(done.length).toBeLessThan(200);
  });
});
