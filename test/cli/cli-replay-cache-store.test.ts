// Where a replay's parsed cache goes from the CLI: a run on a store (--db) writes it in
// replay-cache/ beside the database file, and the next run, and a stored sweep's worker threads,
// read that one (not rewritten, nothing written elsewhere); `execsim data list --db` shows it;
// EXECSIM_REPLAY_CACHE still overrides; a --no-store run and `data list --no-store` use the user's
// cache directory, as before.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplaySource } from '../../src/scenario/build-replay.ts';
import { replayCacheFiles } from '../../src/scenario/replay-cache-location.ts';
import { runSweepUnits } from '../../src/sweep/sweep-threads.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCENARIO = path.join(ROOT, 'scenarios/replay-btcusdt.yaml');
const BUNDLED = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) =>
  path.join(ROOT, 'scenarios/data/binance-spot', f),
);
const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-cache-beside-store-'));
const db = path.join(tmp, 'store', 'runs.db');
const beside = path.join(tmp, 'store', 'replay-cache');
const xdg = path.join(tmp, 'xdg');
const userCache = path.join(xdg, 'execsim', 'replay');

// The process's own environment is what a --no-store run and worker threads read: pointed here.
const saved = { cache: process.env['EXECSIM_REPLAY_CACHE'], xdg: process.env['XDG_CACHE_HOME'] };
beforeAll(() => {
  delete process.env['EXECSIM_REPLAY_CACHE'];
  process.env['XDG_CACHE_HOME'] = xdg;
  fs.mkdirSync(path.dirname(db), { recursive: true });
});
afterAll(() => {
  for (const [k, v] of [
    ['EXECSIM_REPLAY_CACHE', saved.cache],
    ['XDG_CACHE_HOME', saved.xdg],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

const digests = (stdout: string): string[] =>
  [...stdout.matchAll(/"digest":"([0-9a-f]{64})"/g)].map((m) => m[1] as string);

describe('replay caches beside the store', () => {
  it('a run with --db writes its cache beside the database; the next run reads it; data list --db shows it', async () => {
    const env = { XDG_CACHE_HOME: xdg };
    const first = await execsimInProcess(['run', SCENARIO, '--db', db, '--json'], env);
    expect(first.code).toBe(0);
    const [cache] = replayCacheFiles(beside);
    expect(replayCacheFiles(beside)).toHaveLength(1);
    expect(replayCacheFiles(userCache)).toEqual([]);
    const before = fs.statSync(cache as string);

    const second = await execsimInProcess(['run', SCENARIO, '--db', db, '--json'], env);
    expect(second.code).toBe(0);
    expect(digests(second.stdout)).toEqual(digests(first.stdout));
    const after = fs.statSync(cache as string);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]); // read, not rewritten
    // What a replay of these files finds there: the cache, read (and its sources' hashes memoized).
    expect(openReplaySource(BUNDLED, GRID, { cacheDir: beside })).toMatchObject({
      kind: 'cache-read',
      cacheFile: cache,
      hashed: 0,
    });

    const key = path.basename(cache as string, '.xrc');
    const listed = await execsimInProcess(['data', 'list', '--db', db], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`replay caches in ${beside}:`);
    expect(listed.stdout).toContain(key);
    const json = JSON.parse((await execsimInProcess(['data', 'list', '--db', db, '--json'], env)).stdout) as Array<{
      file: string;
    }>;
    expect(json.map((c) => c.file)).toEqual([cache]);
    // The default store's place when no --db: EXECSIM_DB's directory.
    const viaEnv = await execsimInProcess(['data', 'list'], { ...env, EXECSIM_DB: db });
    expect(viaEnv.stdout).toContain(key);
  });

  it("a stored sweep's paths and worker threads read the cache beside its store", async () => {
    const [cache] = replayCacheFiles(beside);
    const before = fs.statSync(cache as string);
    const sweep = await execsimInProcess(
      ['sweep', SCENARIO, '--paths', '2', '--workers', '2', '--store', '--db', db, '--json'],
      { XDG_CACHE_HOME: xdg },
    );
    expect(sweep.code).toBe(0);
    expect(digests(sweep.stdout)).toHaveLength(2);
    const after = fs.statSync(cache as string);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(replayCacheFiles(beside)).toHaveLength(1);
    expect(replayCacheFiles(userCache)).toEqual([]);
  });

  it('worker threads handed units at once read the directory they are given, not their environment', async () => {
    const given = path.join(tmp, 'given');
    const cache = openReplaySource(BUNDLED, GRID, { cacheDir: given }).cacheFile;
    const before = fs.statSync(cache as string);
    const def = { file: SCENARIO, yaml: fs.readFileSync(SCENARIO, 'utf8'), seed: 5, paths: 4, grid: [] };
    const end = await runSweepUnits(def, { workers: 2, handOut: 'at-once', chunkUnits: 1, replayCacheDir: given });
    expect(end).toMatchObject({ kind: 'finished', threads: 2 });
    const after = fs.statSync(cache as string);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(replayCacheFiles(given)).toHaveLength(1);
    expect(replayCacheFiles(userCache)).toEqual([]);
  });

  it('EXECSIM_REPLAY_CACHE overrides the store; --no-store runs use the user cache directory', async () => {
    const override = path.join(tmp, 'override');
    const r = await execsimInProcess(['run', SCENARIO, '--db', db, '--json'], { EXECSIM_REPLAY_CACHE: override });
    expect(r.code).toBe(0);
    expect(replayCacheFiles(override)).toHaveLength(1);

    const noStore = await execsimInProcess(['run', SCENARIO, '--no-store', '--json'], { XDG_CACHE_HOME: xdg });
    expect(noStore.code).toBe(0);
    expect(replayCacheFiles(userCache)).toHaveLength(1);
    const listed = await execsimInProcess(['data', 'list', '--no-store'], { XDG_CACHE_HOME: xdg });
    expect(listed.stdout).toContain(`replay caches in ${userCache}:`);
    const both = await execsimInProcess(['data', 'list', '--no-store', '--db', db], {});
    expect(both.code).toBe(2);
    expect(both.err.join('\n')).toMatch(/--db and --no-store: give one place to look/);
  });
});
