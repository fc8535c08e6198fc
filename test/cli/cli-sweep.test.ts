// `execsim sweep` end to end through the real bin: the --json shape, the same seed giving the
// same per-path digests (and a path reproducing as `execsim run --seed`), --paths validation and
// other bad input (exit 2, nothing run or written), --store (the sweep and its paths in the
// store, whole paths only when the process is killed), the text summary, and no progress bar when
// stderr is not a terminal. The progress bar itself is checked in process.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/main.ts';
import { formatSweep, onThreads, throughQueue } from '../../src/cli/format-sweep.ts';
import { progressLine, SWEEP_USAGE, sweepCommand } from '../../src/cli/sweep-command.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { COST_METRICS } from '../../src/sweep/path-costs.ts';
import { loadScenarioSource } from '../../src/scenario/load-scenario.ts';
import { openExistingDatabase } from '../../src/store/open-database.ts';
import { getSweep } from '../../src/store/sweep-read.ts';
import { execsimWrites } from '../support/cli-in-process.ts';
import { execsimProcess, type BinResult } from '../support/bin-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const IMPACT = 'scenarios/almgren-chriss-impact.yaml';
const PARENTS = ['b1', 'b2', 'b3', 'b4', 'b5'];
const METRICS = ['shortfallQuote', 'shortfallBps', 'fillRatio', 'durationMs'];
const STAT_KEYS = ['n', 'missing', 'mean', 'std', 'p5', 'p50', 'p95'];

/** Runs `node bin/execsim.js ...args` in the project root with EXECSIM_DB set to `db`. */
const execsim = (args: readonly string[], db: string): BinResult => execsimProcess(args, { EXECSIM_DB: db });

interface SweepJson {
  scenario: string;
  seed: number;
  paths: number;
  perPath: Array<{
    path: number;
    seed: number;
    digest: string;
    passed: boolean;
    parents: Record<string, Record<string, unknown>>;
  }>;
  summary: Record<string, Record<string, Record<string, unknown>>>;
  expectations: Array<{ name: string; expected: string; passed: number; paths: number }>;
}

let dir: string;
let db: string;
let first: BinResult;
let second: BinResult;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-sweep-'));
  db = path.join(dir, 'sweep.db');
  first = execsim(['sweep', IMPACT, '--paths', '4', '--json'], db);
  second = execsim(['sweep', IMPACT, '--paths', '4', '--json'], db);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('execsim sweep --json', () => {
  it('prints one JSON object with scenario, seed, paths, perPath and summary, and stores nothing', () => {
    expect(first.stderr).toBe(''); // not a terminal: no progress bar
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    const r = JSON.parse(first.stdout) as SweepJson;
    expect(Object.keys(r)).toEqual([
      'scenario',
      'seed',
      'paths',
      'perPath',
      'summary',
      'expectations',
      'netPnl',
      'costs',
    ]);
    // Each path's costs (every part and the 5 s markout), and their statistics over the paths.
    const costs = r as unknown as { costs: Record<string, { n: number }> };
    expect(Object.keys(costs.costs)).toEqual([...COST_METRICS]);
    expect(costs.costs['totalCostBps']?.n).toBe(4);
    for (const p of r.perPath) expect(Object.keys((p as { costs?: object }).costs ?? {})).toEqual([...COST_METRICS]);
    // Each path's net P&L, and their statistics.
    expect(r.perPath.every((p) => typeof (p as { netPnl?: unknown }).netPnl === 'number')).toBe(true);
    expect((r as unknown as { netPnl: { n: number } }).netPnl.n).toBe(4);
    expect(r).toMatchObject({ scenario: 'almgren-chriss-impact', seed: 9, paths: 4 });
    expect(r.perPath.map((p) => p.path)).toEqual([0, 1, 2, 3]);
    for (const p of r.perPath) {
      expect(Number.isSafeInteger(p.seed)).toBe(true);
      expect(p.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(p.parents)).toEqual(PARENTS);
      for (const id of PARENTS) expect(Object.keys(p.parents[id] ?? {}).sort()).toEqual(['status', ...METRICS].sort());
    }
    expect(new Set(r.perPath.map((p) => p.seed)).size).toBe(4);
    expect(Object.keys(r.summary)).toEqual(PARENTS);
    for (const id of PARENTS) {
      const s = r.summary[id] ?? {};
      expect(s['status']).toMatchObject({ filled: 4 });
      for (const m of METRICS) {
        expect(Object.keys(s[m] ?? {}), `${id}.${m}`).toEqual(STAT_KEYS);
        expect(s[m]).toMatchObject({ n: 4, missing: 0 });
      }
    }
    expect(r.expectations.map((e) => e.paths)).toEqual([4, 4, 4, 4]);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('gives the same per-path digests for the same seed, and a path reproduces as `execsim run --seed`', () => {
    expect(second.code).toBe(0);
    const a = JSON.parse(first.stdout) as SweepJson;
    const b = JSON.parse(second.stdout) as SweepJson;
    expect(b.perPath).toEqual(a.perPath);
    expect(b.summary).toEqual(a.summary);
    const path1 = a.perPath[1];
    const run = execsim(['run', IMPACT, '--seed', String(path1?.seed), '--json', '--db', path.join(dir, 'run.db')], db);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { digest: string }).digest).toBe(path1?.digest);
  });

  it('--seed gives other paths', () => {
    const r = execsim(['sweep', IMPACT, '--paths', '2', '--seed', '10', '--json'], db);
    expect(r.code).toBe(0);
    const other = JSON.parse(r.stdout) as SweepJson;
    expect(other.seed).toBe(10);
    const a = JSON.parse(first.stdout) as SweepJson;
    expect(other.perPath.map((p) => p.digest)).not.toEqual(a.perPath.slice(0, 2).map((p) => p.digest));
  });
});

describe('execsim sweep text and --store', () => {
  it('prints a summary table naming the stored sweep, whose paths are those of the same sweep unstored', () => {
    const storeDb = path.join(dir, 'stored.db');
    const r = execsim(['sweep', IMPACT, '--paths', '3', '--store', '--db', storeDb], db);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = /stored as sweep (sweep-[0-9a-f-]{36})\n/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(r.stdout).toContain('sweep almgren-chriss-impact: 3 paths, seeds derived from 9');
    expect(r.stdout).toMatch(/parent\s+metric\s+n\s+missing\s+mean\s+std\s+p5\s+p50\s+p95/);
    expect(r.stdout).toMatch(/b1\s+shortfall quote\s+3\s+0\s/);
    expect(r.stdout).toContain('3/3  filledQty b5');
    const unstored = (JSON.parse(first.stdout) as SweepJson).perPath.slice(0, 3);
    const sqlite = new Database(storeDb, { readonly: true });
    try {
      expect(sqlite.prepare('SELECT id, status, paths_requested, paths_done, sweep_seed FROM sweeps').all()).toEqual([
        { id, status: 'finished', paths_requested: 3, paths_done: 3, sweep_seed: 9 },
      ]);
      const paths = sqlite.prepare('SELECT path, seed, digest FROM sweep_paths ORDER BY path').all();
      expect(paths).toEqual(unstored.map((p) => ({ path: p.path, seed: p.seed, digest: p.digest })));
      const parents = sqlite.prepare('SELECT COUNT(*) AS n FROM sweep_path_parents').get() as { n: number };
      expect(parents.n).toBe(3 * PARENTS.length);
      // Paths are sweep rows, not runs: nothing floods the run list.
      expect(sqlite.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 });
    } finally {
      sqlite.close();
    }
  });

  it('--json --store adds the sweep id and is otherwise the unstored output', () => {
    const storeDb = path.join(dir, 'stored-json.db');
    const r = execsim(['sweep', IMPACT, '--paths', '4', '--json', '--store', '--db', storeDb], db);
    expect(r.code).toBe(0);
    const { sweepId, ...rest } = JSON.parse(r.stdout) as SweepJson & { sweepId: string };
    expect(sweepId).toMatch(/^sweep-/);
    expect(rest).toEqual(JSON.parse(first.stdout));
  });

  it('a sweep killed while it runs keeps whole paths only, counted by paths_done, and shows as crashed', async () => {
    const storeDb = path.join(dir, 'killed.db');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['NODE_OPTIONS'];
    const child = spawn(process.execPath, [BIN, 'sweep', IMPACT, '--paths', '5000', '--store', '--db', storeDb], {
      cwd: ROOT,
      env,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      // Wait (bounded) until at least two batches are stored, then kill without warning.
      const deadline = performance.now() + 60_000;
      for (;;) {
        if (performance.now() > deadline) throw new Error('no batch stored within 60 s');
        // 5 ms between looks (a turn of the event loop each time would spin this thread against
        // the sweep's own): 5,000 paths take far longer than that past the second batch.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (!fs.existsSync(storeDb)) continue;
        const done = readDone(storeDb);
        if (done !== null && done >= 2) break;
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const handle = openExistingDatabase(storeDb, 'read');
    try {
      const row = handle.prepare('SELECT id, paths_done, status FROM sweeps').get() as {
        id: string;
        paths_done: number;
        status: string;
      };
      expect(row.status).toBe('running');
      const paths = handle.prepare('SELECT path FROM sweep_paths ORDER BY path').all() as { path: number }[];
      expect(paths.map((p) => p.path)).toEqual(Array.from({ length: row.paths_done }, (_, i) => i));
      const perPath = handle
        .prepare('SELECT path, COUNT(*) AS n FROM sweep_path_parents GROUP BY path HAVING n != ?')
        .all(PARENTS.length);
      expect(perPath).toEqual([]);
      expect(getSweep(handle, row.id)?.state).toBe('crashed');
    } finally {
      handle.close();
    }
  }, 120_000);
});

/** The stored sweep's paths_done, or null before the row is there (or while the file is created). */
function readDone(file: string): number | null {
  try {
    const handle = new Database(file, { readonly: true, fileMustExist: true });
    try {
      handle.pragma('busy_timeout = 1000');
      const r = handle.prepare('SELECT paths_done AS n FROM sweeps').get() as { n: number } | undefined;
      return r?.n ?? null;
    } finally {
      handle.close();
    }
  } catch {
    return null;
  }
}

describe('where the summary says the paths ran', () => {
  const result = runSweep(loadScenarioSource(IMPACT).loaded, { paths: 1 });
  const head = (ranOn?: string): string => formatSweep(result, 1234, null, ranOn).split('\n')[0] ?? '';

  it('a local sweep: on its threads; a queued one: through the queue, on its workers when it knows them', () => {
    expect(head(onThreads(1))).toContain('1.2 s wall on 1 thread; paths not stored');
    expect(head(onThreads(1, 2))).toContain('1.2 s wall on 1 thread (too short to start 1 more); paths not stored');
    expect(head(onThreads(4))).toContain('1.2 s wall on 4 threads; paths not stored');
    expect(head(throughQueue(3))).toContain('1.2 s wall through the queue on 3 workers; paths not stored');
    expect(head(throughQueue(1))).toContain('1.2 s wall through the queue on 1 worker; paths not stored');
    // A resumed sweep whose paths were all stored before: no worker returned any to this report.
    expect(head(throughQueue(0))).toContain('1.2 s wall through the queue; paths not stored');
  });
});

describe('execsim sweep bad input exits 2 and runs nothing', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['--paths missing', [IMPACT], /--paths is required/],
    ['--paths 0', [IMPACT, '--paths', '0'], /--paths: "0" is not a positive integer/],
    ['--paths negative', [IMPACT, '--paths=-3'], /--paths: "-3" is not a positive integer/],
    ['--paths fractional', [IMPACT, '--paths', '2.5'], /--paths: "2.5" is not a positive integer/],
    ['--paths not a number', [IMPACT, '--paths', 'many'], /--paths: "many" is not a positive integer/],
    ['--paths above the limit', [IMPACT, '--paths', '100001'], /--paths: 100001 is above the limit of 100000/],
    ['--paths without a value', [IMPACT, '--paths'], /--paths/],
    ['an unknown flag', [IMPACT, '--paths', '2', '--bogus'], /--bogus/],
    [
      "a queued sweep's flag",
      [IMPACT, '--paths', '2', '--chunk', '3'],
      /--chunk is for a sweep on a queue \(--queue\)/,
    ],
    ['a bad --seed', [IMPACT, '--paths', '2', '--seed', 'x'], /--seed: "x"/],
    ['no scenario', ['--paths', '2'], /exactly one scenario/],
    ['--workers 0', [IMPACT, '--paths', '2', '--workers', '0'], /--workers: "0" is not a positive integer/],
    [
      '--workers not a number',
      [IMPACT, '--paths', '2', '--workers', 'all'],
      /--workers: "all" is not a positive integer/,
    ],
    [
      '--workers above the limit',
      [IMPACT, '--paths', '2', '--workers', '257'],
      /--workers: 257 is above the limit of 256/,
    ],
    ['--grid without =', [IMPACT, '--paths', '2', '--grid', 'twap.slices'], /--grid twap\.slices: expected KEY=VALUE/],
    ['--grid not a key', [IMPACT, '--paths', '2', '--grid', 'seed=1,2'], /--grid seed=1,2: seed is not a grid key/],
    [
      '--grid empty value',
      [IMPACT, '--paths', '2', '--grid', 'market.sigma=1,,2'],
      /--grid market\.sigma=1,,2: an empty value/,
    ],
    [
      '--grid value the schema refuses',
      [IMPACT, '--paths', '2', '--grid', 'market.sigma=1,-1'],
      /--grid market\.sigma=1,-1: the value -1: market\.sigma: /,
    ],
    ['--grid value of the wrong type', [IMPACT, '--paths', '2', '--grid', 'market.sigma=high'], /high is not a number/],
    [
      '--grid twap key without a twap order',
      [IMPACT, '--paths', '2', '--grid', 'twap.slices=5'],
      /--grid twap\.slices=5: no order of the scenario has a twap/,
    ],
  ];

  // Each spawn costs about a second: three through the bin, all of them in process.
  it.each(cases.filter(([what]) => ['--paths missing', '--paths 0', '--paths above the limit'].includes(what)))(
    'bin: %s',
    (_what, args, stderr) => {
      const d = path.join(dir, 'usage.db');
      const r = execsim(['sweep', ...args, '--store'], d);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(stderr);
      expect(r.stderr).toContain('usage:');
      expect(r.stdout).toBe('');
      expect(fs.existsSync(d)).toBe(false);
    },
  );

  it.each(cases)('in process: %s', async (_what, args, stderr) => {
    const d = path.join(dir, 'usage-in-process.db');
    const { code, out, errWrites } = await execsimWrites(['sweep', ...args, '--store'], { EXECSIM_DB: d });
    expect(code).toBe(2);
    expect(errWrites.join('\n')).toMatch(stderr);
    // The sweep's own usage lines, not the list of every command nor its whole help.
    expect(errWrites.join('\n')).toContain(SWEEP_USAGE);
    expect(errWrites.join('\n')).not.toContain('Runs one scenario over');
    expect(out).toEqual([]);
    expect(fs.existsSync(d)).toBe(false);
  });

  it('a device as the scenario file is refused without reading it (it would never end), a folder by name', async () => {
    const d = path.join(dir, 'device.db');
    const r = execsim(['sweep', '/dev/zero', '--paths', '2', '--store'], d);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('execsim: /dev/zero: a character device, not a scenario file');
    expect(r.stdout).toBe('');
    expect(fs.existsSync(d)).toBe(false);
    const folder = await execsimWrites(['sweep', 'scenarios', '--paths', '2', '--store'], { EXECSIM_DB: d });
    expect(folder.code).toBe(2);
    expect(folder.errWrites).toEqual(['execsim: scenarios: a folder, not a scenario file']);
    expect(fs.existsSync(d)).toBe(false);
  });

  it('a bad scenario file names the file and field', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, IMPACT), 'utf8').replace('sigma: 300', 'sigma: lots'));
    const d = path.join(dir, 'bad.db');
    const r = execsim(['sweep', file, '--paths', '2', '--store'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: market.sigma:`);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(d)).toBe(false);
  });
});

describe('the progress bar (in process)', () => {
  const io = (): Io & { outText: string[]; errText: string[] } => {
    const outText: string[] = [];
    const errText: string[] = [];
    return { outText, errText, out: (t) => void outText.push(t), err: (t) => void errText.push(t), env: {} };
  };

  it('draws plain-text lines overwritten with \\r and clears itself at the end', async () => {
    const written: string[] = [];
    const sink = { write: (t: string) => void written.push(t), columns: 120 };
    const i = io();
    expect(await sweepCommand([IMPACT, '--paths', '2', '--workers', '1'], i, sink)).toBe(0);
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written[0]).toMatch(/^\rsweep almgren-chriss-impact \[#{15}-{15}\] {2}50% 1\/2 paths /);
    expect(written.at(-2)).toMatch(/^\rsweep almgren-chriss-impact \[#{30}\] 100% 2\/2 paths /);
    expect(written.at(-1)).toMatch(/^\r +\r$/);
    expect(i.errText).toEqual([]);
    expect(i.outText.join('\n')).toContain('sweep almgren-chriss-impact: 2 paths');
  });

  it('--quiet draws no bar on a terminal and says nothing of where it stored the sweep', async () => {
    const written: string[] = [];
    const sink = { write: (t: string) => void written.push(t), columns: 120 };
    const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-sweep-quiet-')), 'q.db');
    const loud = io();
    expect(await sweepCommand([IMPACT, '--paths', '1', '--workers', '1', '--store', '--db', db], loud, sink)).toBe(0);
    expect(loud.outText.join('\n')).toMatch(/^stored sweep \S+ in /m);
    expect(written.length).toBeGreaterThan(0);
    written.length = 0;
    const quiet = io();
    const args = [IMPACT, '--paths', '1', '--workers', '1', '--store', '--db', db, '--quiet'];
    expect(await sweepCommand(args, quiet, sink)).toBe(0);
    expect(written).toEqual([]);
    expect(quiet.errText).toEqual([]);
    expect(quiet.outText.join('\n')).toContain('sweep almgren-chriss-impact: 1 path');
    expect(quiet.outText.join('\n')).not.toMatch(/stored sweep/);
  });

  it('writes nothing without a terminal', async () => {
    const i = io();
    expect(await sweepCommand([IMPACT, '--paths', '1', '--json', '--workers', '1'], i, null)).toBe(0);
    expect(i.errText).toEqual([]);
    expect(JSON.parse(i.outText.join('')) as object).toMatchObject({ paths: 1 });
  });

  it('fits the terminal width, with the time left at the rate so far until the end', () => {
    expect(progressLine('x', 3, 10, 1500, 200)).toBe(
      'sweep x [#########---------------------]  30% 3/10 paths 1.5 s, ETA 3.5 s',
    );
    expect(progressLine('x', 1, 1000, 1000, 200)).toMatch(/ 1\/1000 paths 1\.0 s, ETA 16 min 39 s$/);
    expect(progressLine('x', 10, 10, 1500, 200)).toMatch(/ 10\/10 paths 1\.5 s$/);
    expect(progressLine('x', 3, 10, 1500, 20)).toHaveLength(19);
  });

  it('keeps the figures on a narrow terminal: the bar narrows, then goes, then the label', () => {
    // 80 columns: a bar narrower than 30, and the whole ETA.
    const at80 = progressLine('twap-calm', 1234, 10000, 65_000, 80);
    expect(at80).toBe('sweep twap-calm [#------------]  12% 1234/10000 paths 1 min 5 s, ETA 7 min 41 s');
    expect(at80.length).toBeLessThanOrEqual(79);
    // No room for a bar of 5: the label and the figures.
    expect(progressLine('twap-calm', 1234, 10000, 65_000, 70)).toBe(
      'sweep twap-calm  12% 1234/10000 paths 1 min 5 s, ETA 7 min 41 s',
    );
    // No room for the label either: the figures, cut at the end only when they alone do not fit.
    expect(progressLine('a-very-long-scenario-name', 3, 10, 1500, 40)).toBe('30% 3/10 paths 1.5 s, ETA 3.5 s');
    expect(progressLine('x', 3, 10, 1500, 12)).toBe('30% 3/10 pa');
    // Whatever the width, the line fits and ends with the ETA when the ETA fits on its own.
    for (let columns = 1; columns <= 120; columns++) {
      const line = progressLine('twap-calm', 37, 400, 2_500, columns);
      expect(line.length).toBeLessThanOrEqual(Math.max(0, columns - 1));
      if (columns > 40) expect(line).toMatch(/ETA 24\.5 s$/);
    }
  });
});

describe('a grid of one point', () => {
  it('is counted as one grid point in the summary line', async () => {
    const { code, out } = await execsimWrites(
      ['sweep', 'scenarios/twap-calm.yaml', '--paths', '1', '--grid', 'twap.slices=5', '--workers', '1'],
      {},
    );
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/^sweep twap-calm: 1 path at each of 1 grid point \(1 in all\),/);
  });
});
