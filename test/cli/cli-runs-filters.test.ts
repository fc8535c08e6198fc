// `execsim runs` filtered as the HTTP API's run list is: by scenario, state, passed, mode, venue,
// symbol (a run of several symbols under each), seed and start time, several at once; its --json
// names each run's venue and symbols. A bad filter is one message naming the flag, exit 2, before
// the database is opened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { execsimMain } from '../support/cli-in-process.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-runs-filters-'));
const db = path.join(dir, 'runs.db');
const ids = { two: '', calm7: '', calm8: '', calmFailed: '' };

beforeAll(() => {
  const store = new RunStore(openDatabase(db));
  try {
    ids.two = runScenario(loadScenarioFile('scenarios/two-symbols.yaml'), { store }).runId ?? '';
    ids.calm7 = runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { store, seed: 7 }).runId ?? '';
    ids.calm8 = runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { store, seed: 8 }).runId ?? '';
    // At seed 82 twap-calm's shortfall is outside its expectation: it finishes, not passed.
    ids.calmFailed = runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { store, seed: 82 }).runId ?? '';
  } finally {
    store.db.close();
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Listed {
  readonly runId: string;
  readonly venue: string | null;
  readonly symbols: string[];
}

/** The ids `execsim runs --json` lists with these flags, sorted. */
function listed(...flags: string[]): string[] {
  const r = execsimMain(['runs', '--json', ...flags], { EXECSIM_DB: db });
  expect(r.err).toEqual([]);
  expect(r.code).toBe(0);
  return (JSON.parse(r.out[0] ?? '') as Listed[]).map((x) => x.runId).sort();
}
const sorted = (...xs: string[]): string[] => [...xs].sort();

describe('execsim runs with filters', () => {
  it('finds a run of two symbols under each, and names its venue and symbols', () => {
    expect(listed('--symbol', 'ETHUSDT')).toEqual([ids.two]);
    expect(listed('--symbol', 'BTCUSDT')).toEqual(sorted(ids.two, ids.calm7, ids.calm8, ids.calmFailed));
    expect(listed('--symbol', 'SOLUSDT')).toEqual([]);
    const r = execsimMain(['runs', '--json', '--scenario', 'two-symbols'], { EXECSIM_DB: db });
    expect(JSON.parse(r.out[0] ?? '')).toEqual([
      expect.objectContaining({ runId: ids.two, venue: 'binance-spot', symbols: ['BTCUSDT', 'ETHUSDT'] }),
    ]);
  });

  it('filters by scenario, seed, passed, state, mode and venue, all of them at once', () => {
    expect(listed('--scenario', 'twap-calm')).toEqual(sorted(ids.calm7, ids.calm8, ids.calmFailed));
    expect(listed('--scenario', 'twap-calm', '--seed', '8')).toEqual([ids.calm8]);
    expect(listed('--passed', 'no')).toEqual([ids.calmFailed]);
    expect(listed('--scenario', 'twap-calm', '--passed', 'yes')).toEqual(sorted(ids.calm7, ids.calm8));
    expect(listed('--status', 'finished', '--mode', 'backtest')).toHaveLength(4);
    expect(listed('--status', 'crashed')).toEqual([]);
    expect(listed('--mode', 'paper')).toEqual([]);
    expect(listed('--venue', 'binance-spot', '--symbol', 'ETHUSDT', '--status', 'finished')).toEqual([ids.two]);
  });

  it('filters by start time: from is inclusive, to exclusive', () => {
    const r = execsimMain(['runs', '--json', '--scenario', 'twap-calm', '--seed', '8'], { EXECSIM_DB: db });
    const [calm8] = JSON.parse(r.out[0] ?? '') as Array<{ startedAt: string }>;
    expect(listed('--from', calm8!.startedAt, '--scenario', 'twap-calm', '--seed', '8')).toEqual([ids.calm8]);
    expect(listed('--to', calm8!.startedAt, '--scenario', 'twap-calm', '--seed', '8')).toEqual([]);
    expect(listed('--from', '2999-01-01T00:00:00Z')).toEqual([]);
    expect(listed('--to', '2999-01-01T00:00:00Z')).toHaveLength(4);
    expect(listed('--from', '2000-01-01T00:00:00Z', '--to', '2000-01-02T00:00:00Z')).toEqual([]);
  });

  it.each([
    [
      ['--status', 'done'],
      '--status: "done" is not a state: use one of running, finished, failed, interrupted, crashed',
    ],
    [['--passed', 'maybe'], '--passed: "maybe" must be yes or no'],
    [['--seed', '-1'], '--seed: "-1" is not a whole number'],
    [['--seed', 'x'], '--seed: "x" is not a whole number'],
    [['--from', 'yesterday'], '--from: "yesterday" is not an ISO-8601 UTC instant like 2024-08-09T00:00:00Z'],
    [['--to', '2026-11-25'], '--to: "2026-11-25" is not an ISO-8601 UTC instant like 2024-08-09T00:00:00Z'],
    [['--symbol', ''], '--symbol: "" is empty'],
    [
      ['--from', '2030-01-01T00:00:00Z', '--to', '2020-01-01T00:00:00Z'],
      '--from: 2030-01-01T00:00:00Z is not before --to 2020-01-01T00:00:00Z: no run could match',
    ],
  ])('refuses %j before opening the database: %s', (flags, message) => {
    const missing = path.join(dir, 'never.db');
    const r = execsimMain(['runs', ...flags, '--db', missing]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(`execsim: ${message}`);
    expect(fs.existsSync(missing)).toBe(false);
  });
});
