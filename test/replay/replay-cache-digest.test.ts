// The bundled replay scenarios give the same report and digest whether their recording is parsed
// from the raw files (caching off), parsed and cached by this run, or read from that cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { replayCacheFiles } from '../../src/scenario/replay-cache.ts';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-cache-digest-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

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
});
