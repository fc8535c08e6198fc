// The commands that read or manage the store (runs, show, events, export, sweeps, data) load their
// own modules, not the simulator's: from the sources (each module a file), a module hook lists
// what each loaded, and none is of the simulator, the node, the runs' hosts, strategies or live
// venues, nor zod, yaml or rxjs (but `data`, which reads recordings, loads their formats).
// `execsim run`, through the same hook, does load them (so the hook sees what a command loads).
// Each command still answers as before (its output checked). `resume` and `worker` load neither
// main.ts nor the backtest's commands.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve('.');
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const HOOK = path.join(ROOT, 'test', 'support', 'loaded-modules.mjs');
/** Folders of src/ and packages no store command may load. */
const SIMULATOR = /\/src\/(sim|node|runtime|host|strategy|live|sweep|server)\/|\/node_modules\/(zod|yaml|rxjs)\//;

let dir: string;
let db: string;
let runId: string;

/** The command's result and every file module it loaded, run from the sources. */
function traced(args: readonly string[]): { code: number | null; stdout: string; stderr: string; loaded: string[] } {
  const list = path.join(dir, `loaded-${args[0]}-${Math.random().toString(36).slice(2)}.txt`);
  fs.writeFileSync(list, '');
  const env: NodeJS.ProcessEnv = { ...process.env, EXECSIM_FROM_SOURCE: '1', EXECSIM_LOADED_MODULES: list };
  delete env['NODE_OPTIONS'];
  delete env['EXECSIM_CODE'];
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, loaded: fs.readFileSync(list, 'utf8').split('\n') };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-store-commands-'));
  db = path.join(dir, 'runs.db');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  const r = spawnSync(process.execPath, [BIN, 'run', 'scenarios/walkthrough.yaml', '--db', db], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(0);
  runId = /stored run (run-\S+) in/.exec(r.stdout)?.[1] ?? '';
  expect(runId).toMatch(/^run-/);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a store command loads the store, not the simulator', () => {
  it('execsim run, through the same hook, loads the simulator and zod', () => {
    const r = traced(['run', 'scenarios/walkthrough.yaml', '--no-store']);
    expect(r.code).toBe(0);
    expect(r.loaded.some((u) => /\/src\/sim\//.test(u))).toBe(true);
    expect(r.loaded.some((u) => /\/node_modules\/zod\//.test(u))).toBe(true);
  });

  /** Each command, what its answer shows, and what of the above it may load: a sweep's grid
   *  (to list a grid sweep's points), and the recording formats the market data it lists. */
  const NOTHING = /^$/;
  const cases: ReadonlyArray<[string, () => string[], RegExp, RegExp]> = [
    ['runs', () => ['runs', '--db', db], /walkthrough/, NOTHING],
    ['show', () => ['show', runId, '--db', db], /walkthrough/, NOTHING],
    ['events', () => ['events', runId, '--kind', 'RunStarted', '--db', db], /RunStarted/, NOTHING],
    ['export', () => ['export', runId, '--orders', '--db', db], /clientOrderId|client_order_id/i, NOTHING],
    ['sweeps', () => ['sweeps', '--db', db], /^/, /\/src\/sweep\/sweep-grid\.ts$/],
    ['data', () => ['data', 'list', '--db', db], /^/, /\/src\/sim\/(replay|book)\//],
  ];
  for (const [name, args, shows, allowed] of cases) {
    it(`execsim ${name} answers without loading any of it`, () => {
      const r = traced(args());
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(shows);
      expect(r.loaded.some((u) => /\/src\/store\//.test(u))).toBe(true);
      expect(r.loaded.filter((u) => SIMULATOR.test(u) && !allowed.test(u))).toEqual([]);
    });
  }

  // The commands that run as processes of their own load their own code too: a paper run's
  // `resume` (started again after every kill) and a queue's `worker` load neither main.ts nor the
  // backtest's and the sweeps' commands.
  const BACKTEST_COMMANDS = /\/src\/cli\/(main|run-command|sweep-command|runs-command|data-command)\.ts$/;
  for (const [name, usage] of [
    ['resume', /usage: execsim resume/],
    ['worker', /usage: execsim worker/],
  ] as const) {
    it(`execsim ${name} --help loads its own command, not main.ts and the backtest's`, () => {
      const r = traced([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(usage);
      expect(r.loaded.some((u) => u.endsWith(`/src/cli/${name}-command.ts`))).toBe(true);
      expect(r.loaded.filter((u) => BACKTEST_COMMANDS.test(u))).toEqual([]);
    });
  }

  it('a store command given a bad flag fails as before: exit 2 and its usage', () => {
    const r = traced(['runs', '--bogus', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^execsim: unknown option '--bogus'/);
    expect(r.stderr).toMatch(/usage: execsim runs/);
  });
});
