// Sweeps on worker threads: the same results path for path (digests, figures, summary, grid
// report) in this thread, on one worker and on two, whatever order chunks finish in; a path
// error fails the sweep after exactly the units before it; a worker that throws or exits fails
// it with a SweepWorkerError; an abort ends it as interrupted without waiting for the workers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/load-scenario.ts';
import { runSweep, SweepPathError } from './sweep.ts';
import { parseGridFlag } from './sweep-grid.ts';
import { runSweepUnits, SweepWorkerError, type UnitSweepOptions } from './sweep-threads.ts';
import { SweepCollector, type SweepDefinition, type UnitResult } from './sweep-units.ts';

const FILE = 'scenarios/twap-calm.yaml';
const YAML = readFileSync(FILE, 'utf8');
const FAULTY = new URL('../../test/support/sweep-worker-faulty.js', import.meta.url);

async function collect(def: SweepDefinition, options: Omit<UnitSweepOptions, 'onUnit'>) {
  const collector = new SweepCollector(def, 'twap-calm');
  const order: number[] = [];
  const end = await runSweepUnits(def, {
    ...options,
    onUnit: (r: UnitResult, done) => {
      order.push(r.unit);
      expect(done).toBe(order.length);
      collector.add(r);
    },
  });
  return { end, order, result: collector.result() };
}

describe('a sweep on worker threads', () => {
  it('gives the single-threaded sweep path for path, in this thread, on 1 and on 2 workers', async () => {
    const def: SweepDefinition = { file: FILE, yaml: YAML, seed: 5, paths: 6, grid: [] };
    const single = runSweep(loadScenarioFile(FILE), { paths: 6, seed: 5 });
    const inThread = await collect(def, { workers: 1 });
    // One unit per chunk: the two workers' chunks finish interleaved and out of order.
    const two = await collect(def, { workers: 2, chunkUnits: 1 });
    const one = await collect({ ...def }, { workers: 2, chunkUnits: 6 });
    for (const run of [inThread, two, one]) {
      expect(run.end).toEqual({ kind: 'finished', units: 6 });
      expect(run.order).toEqual([0, 1, 2, 3, 4, 5]);
      expect(run.result).toEqual(single);
    }
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

describe('a threaded sweep that cannot go on', () => {
  const fake = (file: string, paths = 20): SweepDefinition => ({ file, yaml: '', seed: 1, paths, grid: [] });

  it('hands over exactly the units before a failing path, then fails with that path', async () => {
    const seen: number[] = [];
    const run = runSweepUnits(fake('path-error-at:7'), {
      workers: 2,
      chunkUnits: 3,
      bootFile: FAULTY,
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

  it('fails with a SweepWorkerError when a worker throws or exits, naming its units', async () => {
    for (const mode of ['throw', 'exit']) {
      const err = await runSweepUnits(fake(mode), { workers: 2, chunkUnits: 5, bootFile: FAULTY }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, mode).toBeInstanceOf(SweepWorkerError);
      expect((err as Error).message, mode).toMatch(/sweep worker thread \d .*units \d+\.\.\d+/);
    }
  });

  it('ends as interrupted when aborted, though the workers never answer', async () => {
    const stop = new AbortController();
    const run = runSweepUnits(fake('hang'), { workers: 2, bootFile: FAULTY, signal: stop.signal });
    stop.abort('SIGINT');
    expect(await run).toEqual({ kind: 'interrupted', units: 0, reason: 'SIGINT' });
  });

  it('refuses a worker count out of range', () => {
    expect(() => runSweepUnits(fake('hang'), { workers: 0 })).toThrow(/workers/);
    expect(() => runSweepUnits(fake('hang'), { workers: 1.5 })).toThrow(/workers/);
  });
});
