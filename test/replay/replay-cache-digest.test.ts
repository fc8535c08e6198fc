// The bundled replay scenarios give the same report and digest whether their recording is parsed
// from the raw files (caching off), parsed and cached by this run, or read from that cache; and a
// sweep's worker threads read the cache the first run wrote (neither rewriting it nor parsing
// into another directory), with the same paths as a sweep without a cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { replayCacheFiles } from '../../src/scenario/replay-cache-location.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-cache-digest-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

/** Sets the variables for the duration of `f` (worker threads copy the environment when started). */
async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A run with EXECSIM_REPLAY_CACHE set as given (restored after). */
function runWith(setting: string, file: string): ReturnType<typeof runScenario> {
  const before = process.env['EXECSIM_REPLAY_CACHE'];
  process.env['EXECSIM_REPLAY_CACHE'] = setting;
  try {
    return runScenario(loadScenarioFile(file));
  } finally {
    if (before === undefined) delete process.env['EXECSIM_REPLAY_CACHE'];
    else process.env['EXECSIM_REPLAY_CACHE'] = before;
  }
}

describe('the bundled replay, raw and cached', () => {
  it('has one digest and one report from the raw files, the run that caches and the run that reads', () => {
    const file = 'scenarios/replay-btcusdt.yaml';
    const raw = runWith('off', file);
    expect(replayCacheFiles(cacheDir)).toEqual([]);
    const writing = runWith(cacheDir, file);
    expect(replayCacheFiles(cacheDir)).toHaveLength(1);
    const stamp = fs.statSync(replayCacheFiles(cacheDir)[0] as string).mtimeMs;
    const reading = runWith(cacheDir, file);
    expect(fs.statSync(replayCacheFiles(cacheDir)[0] as string).mtimeMs).toBe(stamp);
    expect(raw.digest).toBe('9660abbadba16b8a16306af8d03ad6f308933f4693aae60a4f4382293c1f0e4f');
    for (const r of [writing, reading]) {
      expect(r.digest).toBe(raw.digest);
      expect(r.events).toBe(raw.events);
      const { runId: _a, wallMs: _b, eventsPerSec: _c, ...same } = r;
      const { runId: _d, wallMs: _e, eventsPerSec: _f, ...expected } = raw;
      expect(same).toEqual(expected);
    }
  });

  it("is read, not rewritten, by a sweep's worker threads, whose paths match a sweep without it", async () => {
    const file = 'scenarios/replay-btcusdt.yaml';
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-cache-xdg-'));
    try {
      runWith(cacheDir, file);
      const [cache] = replayCacheFiles(cacheDir);
      const before = fs.statSync(cache as string);
      const args = ['sweep', file, '--paths', '2', '--workers', '2', '--json'];
      const cached = await withEnv({ EXECSIM_REPLAY_CACHE: cacheDir, XDG_CACHE_HOME: elsewhere }, () =>
        execsimInProcess(args),
      );
      const after = fs.statSync(cache as string);
      expect(after.mtimeMs).toBe(before.mtimeMs);
      expect(after.ino).toBe(before.ino);
      expect(replayCacheFiles(cacheDir)).toHaveLength(1);
      expect(fs.readdirSync(elsewhere)).toEqual([]);
      const raw = await withEnv({ EXECSIM_REPLAY_CACHE: 'off' }, () => execsimInProcess(args));
      expect(cached.code).toBe(0);
      expect(raw.code).toBe(0);
      const digests = (stdout: string): string[] =>
        [...stdout.matchAll(/"digest":"([0-9a-f]{64})"/g)].map((m) => m[1] as string);
      expect(digests(cached.stdout)).toHaveLength(2);
      expect(digests(cached.stdout)).toEqual(digests(raw.stdout));
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
