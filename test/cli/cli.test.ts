// The `execsim` command end to end, through the real bin (tsx loader included): run, runs and
// show, the database selection, exit codes, and that bad input writes nothing to the store.
// Every spawn costs about a second, so the happy-path runs are shared by the tests below.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execsimInProcess, execsimMain, type CliWrites } from '../support/cli-in-process.ts';
import { execsimProcess, type BinResult } from '../support/bin-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SWEEP = 'scenarios/static-book-sweep.yaml';
const SWEEP_TEXT = fs.readFileSync(path.join(ROOT, SWEEP), 'utf8');

/** Runs `node bin/execsim.js ...args` in the project root with EXECSIM_DB set to `db`. */
const execsim = (args: readonly string[], db: string): BinResult => execsimProcess(args, { EXECSIM_DB: db });

/** stdout as JSON lines. */
const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

interface StoredRun {
  id: string;
  status: string;
  digest: string | null;
  seed: number;
}

/** The runs stored in a database file (read directly, not through the CLI). */
function storedRuns(file: string): StoredRun[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, status, digest, seed FROM runs').all() as StoredRun[];
  } finally {
    db.close();
  }
}

/** A copy of the sweep scenario with `from` (which must occur once) replaced by `to`. */
function sweepVariant(from: string, to: string): string {
  expect(SWEEP_TEXT.split(from)).toHaveLength(2);
  return SWEEP_TEXT.replace(from, () => to);
}

let dir: string;
let mainDb: string;
let first: BinResult;
let second: BinResult;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-cli-'));
  mainDb = path.join(dir, 'main.db');
  first = execsim(['run', SWEEP, '--json'], mainDb);
  second = execsim(['run', SWEEP, '--json'], mainDb);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('execsim run', () => {
  it('--json exits 0 and prints one JSON report with the documented keys, and where it stored it on stderr', () => {
    expect(first.code).toBe(0);
    const lines = jsonLines(first.stdout);
    expect(lines).toHaveLength(1);
    const report = lines[0] ?? {};
    expect(first.stderr).toBe(`stored run ${String(report['runId'])} in ${path.resolve(mainDb)}\n`);
    for (const key of [
      'runId',
      'scenario',
      'seed',
      'digest',
      'events',
      'simulatedMs',
      'wallMs',
      'eventsPerSec',
      'expectations',
      'parents',
    ]) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report['runId']).toMatch(/^run-/);
    expect(report['scenario']).toBe('static-book-sweep');
    expect(report['seed']).toBe(7);
    expect(report['digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(report['events']).toBeGreaterThan(0);
    expect(report['simulatedMs']).toBe(60_000);
    expect(report['passed']).toBe(true);
    const expectations = report['expectations'] as { pass: boolean }[];
    expect(expectations).toHaveLength(11);
    expect(expectations.every((e) => e.pass)).toBe(true);
    const parents = report['parents'] as Record<string, unknown>[];
    expect(parents.map((p) => p['id'])).toEqual(['sweep-buy', 'limit-sell', 'ioc-buy', 'fok-sell']);
    for (const p of parents) {
      for (const key of [
        'id',
        'side',
        'qty',
        'filledQty',
        'avgPrice',
        'arrivalPrice',
        'shortfallBps',
        'fees',
        'childOrders',
        'status',
      ]) {
        expect(p, `${String(p['id'])}.${key}`).toHaveProperty(key);
      }
    }
    expect(parents[0]).toMatchObject({
      id: 'sweep-buy',
      side: 'buy',
      filledQty: '1',
      status: 'filled',
      childOrders: 1,
    });
  });

  it('gives the same digest and a new run id when run again, and stores both as finished', () => {
    const a = jsonLines(first.stdout)[0] ?? {};
    const b = jsonLines(second.stdout)[0] ?? {};
    expect(second.code).toBe(0);
    expect(b['digest']).toBe(a['digest']);
    expect(b['runId']).not.toBe(a['runId']);
    const runs = storedRuns(mainDb);
    expect(runs.map((r) => r.id).sort()).toEqual([a['runId'], b['runId']].sort());
    for (const r of runs) expect(r).toMatchObject({ status: 'finished', digest: a['digest'], seed: 7 });
  });

  it('--seed changes the digest and --db overrides EXECSIM_DB', () => {
    const otherDb = path.join(dir, 'other.db');
    const r = execsim(['run', SWEEP, '--seed', '8', '--db', otherDb, '--json'], mainDb);
    expect(r.code).toBe(0);
    const report = jsonLines(r.stdout)[0] ?? {};
    expect(report['seed']).toBe(8);
    expect(report['digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(report['digest']).not.toBe(jsonLines(first.stdout)[0]?.['digest']);
    expect(storedRuns(otherDb)).toEqual([
      { id: report['runId'], status: 'finished', digest: report['digest'], seed: 8 },
    ]);
    expect(storedRuns(mainDb).map((x) => x.id)).not.toContain(report['runId']);
  });

  it('exits 1 when an expectation fails, and still stores the run as finished', () => {
    const file = path.join(dir, 'wrong-expectation.yaml');
    fs.writeFileSync(
      file,
      sweepVariant(
        'filledQty: { parent: sweep-buy, equals: "1.00" }',
        'filledQty: { parent: sweep-buy, equals: "0.50" }',
      ),
    );
    const db = path.join(dir, 'failing.db');
    const r = execsim(['run', file], db);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED');
    const runs = storedRuns(db);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('finished');
    expect(runs[0]?.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('execsim runs and show', () => {
  it('runs --json prints one JSON array of the stored runs, each finished and passed', () => {
    const r = execsim(['runs', '--json'], mainDb);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(listed)).toBe(true);
    const a = jsonLines(first.stdout)[0] ?? {};
    const b = jsonLines(second.stdout)[0] ?? {};
    expect(listed.map((x) => x['runId']).sort()).toEqual([a['runId'], b['runId']].sort());
    for (const x of listed) {
      expect(x).toMatchObject({
        scenario: 'static-book-sweep',
        seed: 7,
        status: 'finished',
        state: 'finished',
        passed: true,
        digest: a['digest'],
        events: a['events'],
      });
    }
  });

  it('show <id> says the stored log reproduces the digest', () => {
    const id = String(jsonLines(first.stdout)[0]?.['runId']);
    const r = execsim(['show', id], mainDb);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(id);
    expect(r.stdout).toContain('stored log reproduces the digest');
    expect(r.stdout).not.toContain('DOES NOT');
  });

  it('show <id> --json has digestVerified true and the stored report', () => {
    const report = jsonLines(first.stdout)[0] ?? {};
    const r = execsim(['show', String(report['runId']), '--json'], mainDb);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      runId: report['runId'],
      status: 'finished',
      digest: report['digest'],
      digestVerified: true,
    });
    expect((lines[0]?.['report'] as Record<string, unknown>)['parents']).toEqual(report['parents']);
  });

  it('show of an unknown id exits 2', () => {
    const r = execsim(['show', 'nope'], mainDb);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"nope"');
    expect(r.stdout).toBe('');
  });
});

describe('bad input exits 2 and writes nothing', () => {
  let badFile: string;

  beforeAll(() => {
    badFile = path.join(dir, 'bad.yaml');
    fs.writeFileSync(badFile, sweepVariant('qty: "1.00", type: market', 'qty: "1.000001", type: market'));
  });

  it('a bad scenario file names the file and the field, and creates no database', () => {
    const db = path.join(dir, 'bad-only.db');
    const r = execsim(['run', badFile], db);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${badFile}: orders[0].qty:`);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(db)).toBe(false);
  });

  it('a good file given with a bad one runs neither', () => {
    const db = path.join(dir, 'good-and-bad.db');
    const r = execsim(['run', SWEEP, badFile, '--json'], db);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${badFile}: orders[0].qty:`);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(db)).toBe(false);
  });

  it('a scenario with a bad duration is bad input too (exit 2, not a crash)', () => {
    const file = path.join(dir, 'bad-duration.yaml');
    fs.writeFileSync(file, sweepVariant('duration: PT1M', 'duration: 1 minute'));
    const db = path.join(dir, 'bad-duration.db');
    const r = execsim(['run', file], db);
    expect(r.stderr).toContain(`${file}: duration:`);
    expect(r.code).toBe(2);
    expect(fs.existsSync(db)).toBe(false);
  });

  it.each([
    ['an unknown flag', ['run', 'x', '--bogus'], /--bogus/],
    ['a seed that is not a number', ['run', SWEEP, '--seed', 'abc'], /--seed.*abc/],
  ])('%s', (_what, args, stderr) => {
    const db = path.join(dir, `usage-${args.length}.db`);
    const r = execsim(args, db);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(stderr);
    expect(r.stderr).toContain('usage:');
    expect(fs.existsSync(db)).toBe(false);
  });

  it("a bad --seed prints run's own usage, not every command's", () => {
    const r = execsim(['run', SWEEP, '--seed', 'x'], path.join(dir, 'seed-usage.db'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: execsim run <file|dir...>');
    expect(r.stderr).not.toContain('execsim sweep');
  });

  it('no command is bad input: the usage on stderr, nothing on stdout, exit 2', () => {
    const db = path.join(dir, 'no-command.db');
    const r = execsim([], db);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').slice(0, 2)).toEqual(['execsim: no command given', 'usage:']);
    expect(fs.existsSync(db)).toBe(false);
  });
});

/** A bundled scenario with `from` (which must occur once) replaced by `to`. */
function bundledVariant(file: string, from: string, to: string): string {
  const text = fs.readFileSync(path.join(ROOT, 'scenarios', file), 'utf8');
  expect(text.split(from), `${file} must contain "${from}" once`).toHaveLength(2);
  return text.replace(from, () => to);
}

/** `main` in process, with EXECSIM_DB set to `db`: exit code and the lines written. */
const inProcess = (args: readonly string[], db: string): CliWrites => execsimMain(args, { EXECSIM_DB: db });

describe('bad scenarios that used to crash mid-run or run for hours exit 2 at validation, storing nothing', () => {
  const bomb = ['name: bomb', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++)
    bomb.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  const CASES: ReadonlyArray<readonly [string, () => string, string]> = [
    [
      'volatility 1e308',
      () => bundledVariant('thin-book.yaml', 'volatility: 1.5', 'volatility: 1e308'),
      'market.volatility: ',
    ],
    [
      'an initial price of 2^53 - 1 ticks',
      () => bundledVariant('thin-book.yaml', 'initialPrice: "61000.00"', 'initialPrice: "90071992547409.91"'),
      'market.initialPrice: ',
    ],
    [
      'resolve_orphan of an unknown id',
      () =>
        bundledVariant(
          'restart-orphan-at-startup.yaml',
          'clientOrderId: manual-desk-bid-1, resolution',
          'clientOrderId: nobody, resolution',
        ),
      'actions[0].clientOrderId: ',
    ],
    ['a YAML alias bomb', () => bomb.join('\n') + '\n', 'invalid YAML: '],
    [
      'a TWAP interval of PT0S',
      () => bundledVariant('twap-calm.yaml', 'interval: PT1M }', 'interval: PT0S }'),
      'orders[0].twap.interval: ',
    ],
    [
      'a TWAP of 100000 slices in 10 s',
      () =>
        bundledVariant('twap-calm.yaml', '{ duration: PT10M, interval: PT1M }', '{ duration: PT10S, slices: 100000 }'),
      'orders[0].twap.duration: ',
    ],
    [
      'a restart after the end',
      () =>
        bundledVariant(
          'restart-orphan-at-startup.yaml',
          '{ at: PT1M, downtime: PT30S }',
          '{ at: PT1H, downtime: PT30S }',
        ),
      'restarts[0].at: ',
    ],
    [
      'a cancel naming a signal',
      () =>
        bundledVariant(
          'reject-window-signals.yaml',
          'expect:',
          'actions:\n  - { at: PT20S, kind: cancel, parent: sig-early }\nexpect:',
        ),
      'actions[0].parent: ',
    ],
    [
      'trades at 1e7 per second',
      () => bundledVariant('thin-book.yaml', 'ratePerSec: 4', 'ratePerSec: 10000000'),
      'market.trades.ratePerSec: ',
    ],
    ['a duration in months', () => bundledVariant('thin-book.yaml', 'duration: PT10M', 'duration: P1M'), 'duration: '],
  ];

  it.each(CASES)('%s', (name, text, field) => {
    const file = path.join(dir, `defect-${name.replace(/\W+/g, '-')}.yaml`);
    fs.writeFileSync(file, text());
    const db = path.join(dir, `defect-${name.replace(/\W+/g, '-')}.db`);
    const r = inProcess(['run', file], db);
    expect(r.code).toBe(2);
    expect(
      r.err.some((l) => l.startsWith(`execsim: ${file}: ${field}`)),
      r.err.join('\n'),
    ).toBe(true);
    expect(r.out).toEqual([]);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('through the real bin: one line per problem, no stack trace, no database', () => {
    const file = path.join(dir, 'bin-volatility.yaml');
    fs.writeFileSync(file, bundledVariant('thin-book.yaml', 'volatility: 1.5', 'volatility: 1e308'));
    const db = path.join(dir, 'bin-volatility.db');
    const r = execsim(['run', file], db);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^execsim: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: market\\.volatility: .*may be at most about`,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('every bad file among several is reported, and none of the files runs', () => {
    const bad1 = path.join(dir, 'several-1.yaml');
    const bad2 = path.join(dir, 'several-2.yaml');
    fs.writeFileSync(bad1, sweepVariant('qty: "1.00", type: market', 'qty: "1.000001", type: market'));
    fs.writeFileSync(bad2, sweepVariant('duration: PT1M', 'duration: P1Y'));
    const db = path.join(dir, 'several.db');
    const r = inProcess(['run', bad1, SWEEP, bad2, path.join(dir, 'missing.yaml')], db);
    expect(r.code).toBe(2);
    expect(r.err.some((l) => l.startsWith(`execsim: ${bad1}: orders[0].qty: `))).toBe(true);
    expect(r.err.some((l) => l.startsWith(`execsim: ${bad2}: duration: `))).toBe(true);
    expect(r.err.some((l) => l.startsWith(`execsim: ${path.join(dir, 'missing.yaml')}: no such file`))).toBe(true);
    expect(r.err.at(-1)).toBe('execsim: 3 of 4 scenario files are bad; nothing was run');
    expect(r.out).toEqual([]);
    expect(fs.existsSync(db)).toBe(false);
  });

  it.each([
    [
      ['run', SWEEP, '--seed', '99999999999999999999'],
      /--seed: 99999999999999999999 is above the maximum seed 9007199254740991/,
    ],
    [['run', SWEEP, '--seed', '9007199254740992'], /above the maximum seed/],
    [['sweep', SWEEP, '--paths', '99999999999999999999'], /--paths: 99999999999999999999 is above the limit of/],
    [['sweep', SWEEP, '--paths', '10', '--seed', '99999999999999999999'], /above the maximum seed/],
  ])('%j names the bound', async (args, message) => {
    const db = path.join(dir, `flags-${args.length}-${args[1]?.length}.db`);
    // sweep is one of runCli's async commands (it runs on worker threads).
    const r = await execsimInProcess(args, { EXECSIM_DB: db });
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(message);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('the largest seed is accepted', () => {
    const db = path.join(dir, 'max-seed.db');
    const r = inProcess(['run', SWEEP, '--seed', String(Number.MAX_SAFE_INTEGER), '--json'], db);
    expect(r.code).toBe(0);
    expect(storedRuns(db).map((run) => run.seed)).toEqual([Number.MAX_SAFE_INTEGER]);
  });
});
