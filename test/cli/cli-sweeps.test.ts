// `execsim sweeps`: the stored sweeps newest first, from the list the HTTP API pages. Two sweeps
// stored by `execsim sweep --store` (one plain, one over a grid of two points) and sweep rows left
// in the other states as the stores write them (queued by a live process, running with a dead
// writer, interrupted, failed) are listed with their state, paths stored of all (every grid
// point's), grid points, passed paths and creation time, as text and as one JSON array; --limit
// keeps the newest; bad flags and a missing database are one message and exit 2, nothing created.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSweep } from '../../src/sweep/sweep-recorder.ts';
import { loadScenarioSource } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { listSweeps } from '../../src/store/sweep-read.ts';
import { SweepStore } from '../../src/store/sweep-store.ts';
import { execsimMain, execsimWrites, type CliWrites } from '../support/cli-in-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TWAP = path.join(ROOT, 'scenarios', 'twap-calm.yaml');

interface Listed {
  sweepId: string;
  scenario: string;
  state: string;
  pathsDone: number;
  pathsRequested: number;
  gridPoints: number | null;
  pathsPassed: number;
  createdAt: string;
}

/** main in process against `db` (through $EXECSIM_DB). */
const sweeps = (args: readonly string[], db: string): CliWrites => execsimMain(['sweeps', ...args], { EXECSIM_DB: db });

/** A pid that no process has: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

let dir: string;
let db: string;
let plain: { id: string; passed: number };
let grid: { id: string; passed: number };

/** Stores a sweep through the real command; its id and how many of its paths passed. */
async function storedSweep(args: readonly string[]): Promise<{ id: string; passed: number }> {
  const r = await execsimWrites(['sweep', TWAP, ...args, '--workers', '1', '--store', '--json'], { EXECSIM_DB: db });
  expect(r.code, r.err.join('\n')).toBe(0);
  const out = JSON.parse(r.out[0] ?? '{}') as { sweepId: string; perPath: Array<{ passed: boolean }> };
  return { id: out.sweepId, passed: out.perPath.filter((p) => p.passed).length };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-sweeps-'));
  db = path.join(dir, 'sweeps.db');
  // Rows in the other states, older than the two real sweeps, created a minute apart.
  const handle = openDatabase(db);
  try {
    const store = new SweepStore(handle);
    const source = loadScenarioSource(TWAP);
    const rows: Array<[string, string, number | null]> = [
      ['s-failed', 'failed', null],
      ['s-interrupted', 'interrupted', null],
      ['s-dead-writer', 'running', deadPid()],
      ['s-queued', 'queued', process.pid],
    ];
    rows.forEach(([id, status, pid], i) => {
      store.create({ ...newSweep(id, source, 1, 5), createdAt: `2024-01-01T00:0${i}:00.000Z` });
      handle
        .prepare('UPDATE sweeps SET status = ?, writer_pid = ?, writer_host = ?, heartbeat_at = NULL WHERE id = ?')
        .run(status, pid, os.hostname(), id);
    });
  } finally {
    handle.close();
  }
  plain = await storedSweep(['--paths', '3']);
  grid = await storedSweep(['--paths', '2', '--grid', 'twap.slices=5,10']);
}, 120_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('execsim sweeps', () => {
  it('--json is one array, newest first: each sweep in its state with paths stored of all, grid points and passed', () => {
    const r = sweeps(['--json'], db);
    expect(r.code).toBe(0);
    expect(r.errWrites).toEqual([]);
    expect(r.out).toHaveLength(1);
    const listed = JSON.parse(r.out[0] ?? '') as Listed[];
    expect(listed.map((s) => s.sweepId)).toEqual([
      grid.id,
      plain.id,
      's-queued',
      's-dead-writer',
      's-interrupted',
      's-failed',
    ]);
    const byId = new Map(listed.map((s) => [s.sweepId, s]));
    expect(Object.keys(listed[0] ?? {})).toEqual([
      'sweepId',
      'scenario',
      'state',
      'pathsDone',
      'pathsRequested',
      'gridPoints',
      'pathsPassed',
      'createdAt',
    ]);
    // Two paths at each of two grid points: four in all.
    expect(byId.get(grid.id)).toMatchObject({
      scenario: 'twap-calm',
      state: 'finished',
      pathsDone: 4,
      pathsRequested: 4,
      gridPoints: 2,
      pathsPassed: grid.passed,
    });
    expect(byId.get(plain.id)).toMatchObject({
      state: 'finished',
      pathsDone: 3,
      pathsRequested: 3,
      gridPoints: null,
      pathsPassed: plain.passed,
    });
    expect(byId.get('s-queued')).toMatchObject({ state: 'queued', pathsDone: 0, pathsRequested: 5 });
    // Stored as running, but its writer's pid is gone.
    expect(byId.get('s-dead-writer')).toMatchObject({ state: 'crashed' });
    expect(byId.get('s-interrupted')).toMatchObject({ state: 'interrupted' });
    expect(byId.get('s-failed')).toMatchObject({ state: 'failed', createdAt: '2024-01-01T00:00:00.000Z' });
  });

  it('lists what the HTTP list pages, read through the same function', () => {
    const listed = JSON.parse(sweeps(['--json'], db).out[0] ?? '') as Listed[];
    const handle = openDatabase(db);
    try {
      const page = listSweeps(handle, { limit: 500 });
      expect(listed.map((s) => [s.sweepId, s.state, s.pathsDone, s.pathsPassed, s.createdAt])).toEqual(
        page.items.map((s) => [s.id, s.state, s.pathsDone, s.pathsPassed, s.createdAt]),
      );
    } finally {
      handle.close();
    }
  });

  it('text: one line per sweep under a header, paths as stored/all and - for no grid', () => {
    const r = sweeps([], db);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.out.join('\n').split('\n');
    expect(header?.split(/\s+/)).toEqual(['sweep', 'scenario', 'state', 'paths', 'grid', 'passed', 'created']);
    expect(rows).toHaveLength(6);
    const cells = (id: string) => rows.find((l) => l.startsWith(id + ' '))?.split(/\s+/) ?? [];
    expect(cells(grid.id).slice(1)).toEqual([
      'twap-calm',
      'finished',
      '4/4',
      '2',
      String(grid.passed),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    ]);
    expect(cells(plain.id).slice(2, 6)).toEqual(['finished', '3/3', '-', String(plain.passed)]);
    expect(cells('s-dead-writer').slice(2, 6)).toEqual(['crashed', '0/5', '-', '0']);
    expect(cells('s-queued').slice(2, 4)).toEqual(['queued', '0/5']);
    expect(cells('s-failed')[6]).toBe('2024-01-01T00:00:00.000Z');
  });

  it('--limit keeps the newest N (default 100); 0 lists all; a bad one is exit 2 naming it', () => {
    const ids = (args: readonly string[]) =>
      (JSON.parse(sweeps(['--json', ...args], db).out[0] ?? '') as Listed[]).map((s) => s.sweepId);
    expect(ids(['--limit', '2'])).toEqual([grid.id, plain.id]);
    expect(ids(['--limit', '0'])).toHaveLength(6);
    for (const [value, message] of [
      ['x', '--limit: "x" is not a whole number (it takes 0 or more)'],
      ['-1', '--limit: "-1" is not a whole number (it takes 0 or more)'],
    ]) {
      const r = sweeps(['--limit', value as string], db);
      expect(r.code).toBe(2);
      expect(r.err[0]).toBe(`execsim: ${message}`);
      expect(r.err).toContain('usage: execsim sweeps [--db PATH] [--json] [--limit N]');
      expect(r.out).toEqual([]);
    }
  });

  it('a database without sweeps says so (text) and is [] (--json)', () => {
    const empty = path.join(dir, 'no-sweeps.db');
    openDatabase(empty).close();
    expect(sweeps([], empty).out).toEqual(['no sweeps stored yet: try `execsim sweep <file> --paths N --store`']);
    expect(sweeps(['--json'], empty).out).toEqual(['[]']);
  });

  it('--db wins over $EXECSIM_DB; a missing database is one message and exit 2, and is not created', () => {
    const missing = path.join(dir, 'missing.db');
    const r = sweeps(['--db', missing], db);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      `execsim: no database at ${missing} (nothing has been stored there yet: \`execsim run\` creates it)`,
    ]);
    expect(fs.existsSync(missing)).toBe(false);
    const fromEnv = sweeps(['--json'], missing);
    expect(fromEnv.code).toBe(2);
    expect(JSON.parse(sweeps(['--json', '--db', db], missing).out[0] ?? '')).toHaveLength(6);
  });

  it('an argument or an unknown flag is exit 2 with the usage; --help and `help sweeps` print it', () => {
    const arg = sweeps(['x'], db);
    expect(arg.code).toBe(2);
    expect(arg.err[0]).toBe('execsim: sweeps takes no arguments, got "x"');
    expect(sweeps(['--bogus'], db).code).toBe(2);
    for (const args of [
      ['sweeps', '--help'],
      ['help', 'sweeps'],
    ]) {
      const r = execsimMain(args, { EXECSIM_DB: db });
      expect(r.code).toBe(0);
      expect(r.out.join('\n')).toMatch(/^usage: execsim sweeps \[--db PATH\] \[--json\] \[--limit N\]\n/);
    }
    expect(execsimMain(['--help']).out.join('\n')).toMatch(
      /\n {2}execsim sweeps \[--db PATH\] \[--json\] \[--limit N\] +list stored sweeps/,
    );
  });
});
