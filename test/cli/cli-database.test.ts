// A database path that cannot be used is bad input: one message naming the path and the
// problem, exit 2, never a raw SqliteError or exit 1, for every command. Commands that only read
// (runs, show, events, export) or change existing runs (delete, prune) never create a folder or
// a database: a missing one is "no database at PATH", exit 2. The read commands leave nothing
// beside the database either (no -wal or -shm file), and a writer's files while it has the
// database open stay as they were.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openDatabase, openExistingDatabase, StoreError } from '../../src/store/open-database.ts';
import { execsimInProcess, execsimMain, execsimWrites } from '../support/cli-in-process.ts';
import { execsimProcess } from '../support/bin-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SWEEP = path.join(ROOT, 'scenarios', 'static-book-sweep.yaml');
const IS_ROOT = process.getuid?.() === 0;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-db-'));
});
afterAll(() => {
  fs.chmodSync(dir, 0o755);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every command, with `--db db`. */
const COMMANDS = (db: string): string[][] => [
  ['run', SWEEP, '--db', db],
  ['runs', '--db', db],
  ['show', 'some-run', '--db', db],
  ['events', 'some-run', '--db', db],
  ['export', 'some-run', '--fills', '--db', db],
  ['delete', 'some-run', '--db', db],
  ['prune', '--db', db],
  ['sweep', SWEEP, '--paths', '1', '--store', '--db', db],
];

/** Each command exits 2 with one "execsim: " line naming `db` that matches `problem`. */
async function expectRefused(db: string, problem: RegExp): Promise<void> {
  for (const args of COMMANDS(db)) {
    const r = await execsimWrites(args);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.out, args.join(' ')).toEqual([]);
    expect(r.err, args.join(' ')).toHaveLength(1);
    expect(r.err[0], args.join(' ')).toContain(db);
    expect(r.err[0], args.join(' ')).toMatch(problem);
  }
}

describe('a bad --db is exit 2 with one message naming the path, for every command', () => {
  it('a folder', async () => {
    await expectRefused(dir, /is a folder, not a database file/);
  });

  it('a YAML file and another file that is not SQLite, left unchanged', async () => {
    const text = fs.readFileSync(SWEEP, 'utf8');
    const copy = path.join(dir, 'scenario.yaml');
    fs.writeFileSync(copy, text);
    await expectRefused(copy, /not an SQLite database/);
    expect(fs.readFileSync(copy, 'utf8')).toBe(text);
    const binary = path.join(dir, 'random.bin');
    fs.writeFileSync(binary, Buffer.alloc(8192, 7));
    await expectRefused(binary, /not an SQLite database/);
  });

  it("another program's SQLite database, left without execsim's tables", async () => {
    const other = path.join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    const before = fs.readFileSync(other);
    await expectRefused(other, /not an execsim database/);
    // Not a byte changed: not even its journal mode (a refused file is not switched to WAL).
    expect(fs.readFileSync(other).equals(before)).toBe(true);
    const check = new Database(other, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['contacts']);
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });

  it('a path under a file (not a folder)', async () => {
    const file = path.join(dir, 'plain.txt');
    fs.writeFileSync(file, 'x');
    const db = path.join(file, 'x.db');
    expect(execsimMain(['run', SWEEP, '--db', db]).err[0]).toMatch(/plain\.txt is a file, not a folder/);
    for (const args of COMMANDS(db)) expect((await execsimWrites(args)).code, args.join(' ')).toBe(2);
  });

  it('a database from a newer execsim', async () => {
    const future = path.join(dir, 'future.db');
    openDatabase(future)
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')")
      .run();
    await expectRefused(future, /schema version 99 is newer than this execsim knows/);
  });

  it('an empty --db or EXECSIM_DB (SQLite would store into a temporary file, lost at exit)', async () => {
    for (const args of COMMANDS('').filter((a) => a[0] !== 'sweep')) {
      const r = await execsimWrites(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out, args.join(' ')).toEqual([]);
      expect(r.err, args.join(' ')).toEqual(['execsim: --db: an empty path; name the database file']);
    }
    const { code, errWrites } = execsimMain(['run', SWEEP], { EXECSIM_DB: '' });
    expect(code).toBe(2);
    expect(errWrites).toEqual([
      'execsim: EXECSIM_DB is set but empty; name the database file, or unset it for the default',
    ]);
  });

  it.skipIf(!fs.existsSync('/proc/self'))('a location where nothing can be created (/proc)', () => {
    const r = execsimMain(['run', SWEEP, '--db', '/proc/execsim-test.db']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      expect.stringMatching(/^execsim: database \/proc\/execsim-test\.db: cannot be opened or created/),
    ]);
    // A folder that cannot be made: named, and no endless retry (fs.mkdirSync's recursive mode
    // loops forever under /proc).
    const nested = execsimMain(['run', SWEEP, '--db', '/proc/execsim-test/x.db']);
    expect(nested.code).toBe(2);
    expect(nested.err[0]).toMatch(/cannot create the folder \/proc\/execsim-test/);
  });

  it.skipIf(IS_ROOT)('a read-only folder and a read-only database file', () => {
    const ro = path.join(dir, 'read-only');
    fs.mkdirSync(ro);
    const file = path.join(ro, 'x.db');
    openDatabase(file).close();
    fs.chmodSync(file, 0o444);
    fs.chmodSync(ro, 0o555);
    const r = execsimMain(['run', SWEEP, '--db', file]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/read-only|cannot be opened/);
    const fresh = execsimMain(['run', SWEEP, '--db', path.join(ro, 'new.db')]);
    expect(fresh.code).toBe(2);
    expect(fresh.err[0]).toContain(path.join(ro, 'new.db'));
    // SQLite cannot read a WAL database whose folder it cannot write (it needs the -shm file):
    // said so, exit 2.
    const read = execsimMain(['runs', '--db', file]);
    expect(read.code).toBe(2);
    expect(read.err[0]).toMatch(/is not writable/);
  });

  it('through the real bin: no stack trace, exit 2', () => {
    for (const args of [
      ['run', SWEEP, '--db', dir],
      ['runs', '--db', SWEEP],
    ]) {
      const r = execsimProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^execsim: database /);
      expect(r.stderr).not.toMatch(/SqliteError|\n\s+at /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('reading and deleting commands never create a database or its folders', () => {
  it.each([
    ['runs'],
    ['show', 'x'],
    ['events', 'x'],
    ['export', 'x', '--orders'],
    ['delete', 'x'],
    ['prune'],
    ['prune', '--dry-run'],
  ])('%s on a missing database: "no database at PATH", exit 2, nothing created', (...args) => {
    const folder = path.join(dir, `missing-${args.join('-')}`);
    const db = path.join(folder, 'nested', 'x.db');
    const r = execsimMain([...args, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      expect.stringMatching(new RegExp(`^execsim: no database at ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)),
    ]);
    expect(fs.existsSync(folder)).toBe(false);
    // Beside an existing folder: no file either.
    const flat = path.join(dir, `flat-${args.join('-')}.db`);
    expect(execsimMain([...args, '--db', flat]).code).toBe(2);
    expect(fs.existsSync(flat)).toBe(false);
  });

  it('resume on a missing database: "no database at PATH", exit 2, nothing created', async () => {
    const folder = path.join(dir, 'missing-resume');
    const db = path.join(folder, 'x.db');
    const { code, err } = await execsimInProcess(['resume', 'run-x', '--db', db, '--venue-url', 'http://127.0.0.1:9'], {
      APCA_API_KEY_ID: 'key',
      APCA_API_SECRET_KEY: 'secret',
    });
    expect(code).toBe(2);
    expect(err).toEqual([
      `execsim: no database at ${db} (nothing has been stored there yet: \`execsim run\` creates it)`,
    ]);
    expect(fs.existsSync(folder)).toBe(false);
  });

  it('an empty file is refused by readers and left empty', () => {
    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    const r = execsimMain(['runs', '--db', empty]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/empty\.db: an empty SQLite file/);
    expect(fs.statSync(empty).size).toBe(0);
  });

  it('a reader brings a writable database from an older execsim forward, and lists its runs', () => {
    const old = path.join(dir, 'old.db');
    const v3 = openDatabase(
      old,
      MIGRATIONS.filter((m) => m.version <= 3),
    );
    v3.prepare(
      `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, digest, started_at, sim_start, report_json)
       VALUES ('old-run', 'old', 'h', '{}', 5, '0.0.1', 'finished', 'd', '2024-01-01T00:00:00Z', 0, '{"passed":false}')`,
    ).run();
    v3.close();
    const r = execsimMain(['runs', '--db', old, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0] ?? '')).toEqual([
      expect.objectContaining({ runId: 'old-run', state: 'finished', passed: false, netPnl: null, sharpe: null }),
    ]);
    // Sorted by a figure it has none of: listed (last), never an error.
    const sorted = execsimMain(['runs', '--db', old, '--json', '--sort', 'sharpe']);
    expect(sorted.code).toBe(0);
    expect(JSON.parse(sorted.out[0] ?? '')).toEqual([expect.objectContaining({ runId: 'old-run', trades: null })]);
  });

  it('runs --sort lists by a trading figure in the order asked; a field it does not sort by is exit 2 naming those it does', () => {
    const db = path.join(dir, 'sorted.db');
    for (const seed of ['1', '2', '3']) expect(execsimMain(['run', SWEEP, '--db', db, '--seed', seed]).code).toBe(0);
    for (const order of ['asc', 'desc']) {
      const r = execsimMain(['runs', '--db', db, '--json', '--sort', 'netPnl', '--order', order]);
      expect(r.code).toBe(0);
      const pnl = (JSON.parse(r.out[0] ?? '') as Array<{ netPnl: number }>).map((x) => x.netPnl);
      expect(pnl).toHaveLength(3);
      expect(pnl).toEqual([...pnl].sort((a, b) => (order === 'asc' ? a - b : b - a)));
    }
    const table = execsimMain(['runs', '--db', db, '--sort', 'trades']);
    expect(table.out[0]).toMatch(/netPnl +trades +win +PF +sharpe +maxDD/);
    const bad = execsimMain(['runs', '--db', db, '--sort', 'pnl']);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toBe(
      'execsim: --sort: "pnl" is not a field runs sort by; use one of started, shortfall, fillRatio, netPnl, sharpe, winRate, profitFactor, drawdown, trades',
    );
    expect(execsimMain(['runs', '--db', db, '--order', 'up']).code).toBe(2);
  });

  it('openExistingDatabase read mode is read-only', () => {
    const file = path.join(dir, 'ro-mode.db');
    openDatabase(file).close();
    const db = openExistingDatabase(file, 'read');
    expect(() => db.prepare("DELETE FROM runs WHERE id = 'x'").run()).toThrow(/readonly/);
    db.close();
    expect(() => openExistingDatabase(path.join(dir, 'nope.db'), 'write')).toThrow(StoreError);
  });
});

describe('the read commands leave the folder as they found it', () => {
  it('runs, show, events, export and sweeps: no -wal or -shm file is left beside the database', async () => {
    const folder = path.join(dir, 'listing');
    fs.mkdirSync(folder);
    const db = path.join(folder, 'r.db');
    const stored = execsimMain(['run', SWEEP, '--db', db, '--json']);
    expect(stored.code).toBe(0);
    const runId = (JSON.parse(stored.out[0] ?? '{}') as { runId: string }).runId;
    expect((await execsimInProcess(['sweep', SWEEP, '--paths', '2', '--store', '--db', db])).code).toBe(0);
    const listing = (): string[] => fs.readdirSync(folder).sort();
    expect(listing()).toEqual(['r.db']);
    const reads = [
      ['runs'],
      ['runs', '--json'],
      ['show', runId],
      ['show', runId, '--json'],
      ['events', runId],
      ['events', runId, '--json'],
      ['export', runId, '--fills'],
      ['export', runId, '--orders'],
      ['sweeps'],
      ['sweeps', '--json'],
    ];
    for (const args of reads) {
      const r = execsimMain([...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(0);
      expect(listing(), args.join(' ')).toEqual(['r.db']);
    }
    // The real process too (its connection is closed by the command, not by the process exiting).
    expect(execsimProcess(['runs', '--db', db]).code).toBe(0);
    expect(listing()).toEqual(['r.db']);

    // While a writer has it open, its -wal and -shm are there before and after, and the reads
    // see what it committed.
    const writer = openDatabase(db);
    try {
      writer.prepare("UPDATE runs SET scenario_name = 'renamed' WHERE id = ?").run(runId);
      const during = listing();
      expect(during).toEqual(['r.db', 'r.db-shm', 'r.db-wal']);
      const r = execsimMain(['runs', '--json', '--db', db]);
      expect(JSON.parse(r.out[0] ?? '[]')).toEqual([expect.objectContaining({ runId, scenario: 'renamed' })]);
      expect(listing()).toEqual(during);
    } finally {
      writer.close();
    }
    expect(listing()).toEqual(['r.db']);
  });

  it('a read connection refuses writes, and changes nothing of the file', () => {
    const file = path.join(dir, 'query-only.db');
    openDatabase(file).close();
    const before = fs.readFileSync(file);
    const db = openExistingDatabase(file, 'read');
    expect(() =>
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', 'y')").run(),
    ).toThrow(/readonly/);
    expect(() => db.prepare("DELETE FROM runs WHERE id = 'x'").run()).toThrow(/readonly/);
    db.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});

describe('damage that only a query finds', () => {
  it('a corrupt table of the log: show and events are one message naming the path, exit 2', () => {
    const db = path.join(dir, 'damaged.db');
    const stored = execsimMain(['run', SWEEP, '--db', db, '--json']);
    expect(stored.code).toBe(0);
    const runId = (JSON.parse(stored.out[0] ?? '{}') as { runId: string }).runId;
    // Everything into the main file, then the log's table's root page overwritten: the file
    // opens (its schema pages are whole) and the runs table reads; the log does not.
    const raw = new Database(db);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    const root = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'event_blocks'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (root - 1) * pageSize);
    fs.closeSync(fd);

    expect(execsimMain(['runs', '--db', db]).code).toBe(0);
    for (const args of [
      ['show', runId],
      ['show', runId, '--json'],
      ['events', runId],
      ['events', runId, '--json'],
    ]) {
      const r = execsimMain([...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toEqual([
        `execsim: database ${db}: the file is corrupt (database disk image is malformed)`,
      ]);
    }
  });
});
