// The commands a user meets after `execsim run`, in process through main (and through the real
// bin where the process matters): --help of every command and --version; `runs` with each run's
// state and whether it passed, as one JSON array; `show` of a run in every state; `events`
// (text and NDJSON, filtered by kind and seq); `export` as RFC 4180 CSV to stdout or a file
// replaced whole; `delete` and `prune`, which remove a run with all its rows and never a run
// still being written.
import { storedCount, storedRows } from '../support/stored-log.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { csvField, writeWhole } from '../../src/cli/export-command.ts';
import { formatOffset } from '../../src/cli/events-command.ts';
import { lotsToQty, makeInstrument, ticksToPrice, unitsToQuote } from '../../src/core/model/instrument.ts';
import { isoTime, ReadableEvents } from '../../src/store/readable-events.ts';
import { parseAge } from '../../src/cli/delete-command.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { STALE_HEARTBEAT_MS } from '../../src/store/run-state.ts';
import { execsimMain, type CliWrites } from '../support/cli-in-process.ts';
import { execsimProcess, type BinResult } from '../support/bin-process.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SWEEP = path.join(ROOT, 'scenarios', 'static-book-sweep.yaml');
const TWAP = path.join(ROOT, 'scenarios', 'twap-calm.yaml');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** main in process against `db`. */
const cli = (args: readonly string[], db: string): CliWrites => execsimMain(args, { EXECSIM_DB: db });

/** The real bin, for what only a process shows (exit code and stdout of --version, --help). */
const bin = (args: readonly string[]): BinResult => execsimProcess(args);

/** A pid that no process has: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid as number;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-commands-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh database in the test dir. */
let n = 0;
const freshDb = (): string => path.join(dir, `db-${n++}.db`);

/** Runs `file` into `db` in process; returns its run id. */
function runInto(db: string, file: string): string {
  const r = cli(['run', file, '--json'], db);
  expect(r.code, r.errWrites.join('\n')).toBeLessThan(2);
  return (JSON.parse(r.out[0] ?? '{}') as { runId: string }).runId;
}

const COMMANDS = ['run', 'runs', 'show', 'events', 'export', 'delete', 'prune', 'sweep', 'sweeps'];

describe('--help and --version', () => {
  it.each(COMMANDS)('%s: --help, -h and `help <command>` print the usage of the command and exit 0', (command) => {
    const db = freshDb();
    for (const args of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
    ]) {
      const r = cli(args, db);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.errWrites).toEqual([]);
      expect(r.out.join('\n').startsWith(`usage: execsim ${command}`), args.join(' ')).toBe(true);
    }
    // Help touches no database.
    expect(fs.existsSync(db)).toBe(false);
  });

  it('through the real bin: run --help exits 0 on stdout, --version and -V print the package version', () => {
    const help = bin(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: execsim run /);
    expect(help.stderr).toBe('');
    for (const flag of ['--version', '-V']) {
      const v = bin([flag]);
      expect(v.code).toBe(0);
      expect(v.stdout.trim()).toBe(VERSION);
    }
  });

  it('an unknown flag gives the command usage and exit 2', () => {
    const r = cli(['events', 'x', '--bogus'], freshDb());
    expect(r.code).toBe(2);
    expect(r.errWrites.join('\n')).toContain('usage: execsim events');
  });
});

describe('runs and show: state and passed', () => {
  let db: string;
  let passed: string;
  let failedExpectation: string;
  const ids: Record<string, string> = {};

  beforeAll(() => {
    db = freshDb();
    passed = runInto(db, SWEEP);
    const wrong = path.join(dir, 'wrong-expectation.yaml');
    fs.writeFileSync(
      wrong,
      fs
        .readFileSync(SWEEP, 'utf8')
        .replace(
          'filledQty: { parent: sweep-buy, equals: "1.00" }',
          'filledQty: { parent: sweep-buy, equals: "0.50" }',
        ),
    );
    failedExpectation = runInto(db, wrong);
    // Runs left in each other state, written as the store writes them.
    const store = new RunStore(openDatabase(db));
    const row = store.getRun(passed);
    if (!row) throw new Error('no run');
    const base = {
      scenarioName: 'made',
      scenarioHash: row.scenario_hash,
      scenarioJson: store.db.prepare('SELECT scenario_json FROM runs WHERE id = ?').pluck().get(passed) as string,
      seed: 1,
      codeVersion: 'test',
      simStart: 0,
    };
    const make = (id: string, startedAt: string) => {
      store.createRun({ ...base, id, startedAt });
      ids[id] = id;
    };
    make('r-live', '2024-01-01T00:00:01Z'); // this process writes it: alive
    make('r-dead-pid', '2024-01-01T00:00:02Z');
    store.db.prepare('UPDATE runs SET writer_pid = ? WHERE id = ?').run(deadPid(), 'r-dead-pid');
    make('r-stale', '2024-01-01T00:00:03Z');
    store.db
      .prepare("UPDATE runs SET writer_host = 'elsewhere', heartbeat_at = ? WHERE id = 'r-stale'")
      .run(new Date(Date.now() - STALE_HEARTBEAT_MS - 5_000).toISOString());
    make('r-elsewhere', '2024-01-01T00:00:04Z');
    store.db
      .prepare("UPDATE runs SET writer_host = 'elsewhere', heartbeat_at = ? WHERE id = 'r-elsewhere'")
      .run(new Date().toISOString());
    make('r-interrupted', '2024-01-01T00:00:05Z');
    store.interruptRun('r-interrupted', 'SIGINT', '2024-01-01T00:00:06.000Z');
    make('r-failed', '2024-01-01T00:00:07Z');
    store.failRun(null, 'r-failed', 'venue exploded', '2024-01-01T00:00:08.000Z');
    store.db.close();
  });

  interface Listed {
    runId: string;
    state: string;
    status: string;
    passed: boolean | null;
    events: number;
    writer: { pid: number; host: string } | null;
  }

  it('runs --json is one array with each run in its state, and passed only for finished runs', () => {
    const r = cli(['runs', '--json'], db);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const listed = JSON.parse(r.out[0] ?? '') as Listed[];
    const byId = new Map(listed.map((x) => [x.runId, x]));
    expect(byId.get(passed)).toMatchObject({ state: 'finished', status: 'finished', passed: true });
    expect(byId.get(failedExpectation)).toMatchObject({ state: 'finished', passed: false });
    expect(byId.get('r-live')).toMatchObject({
      state: 'running',
      status: 'running',
      passed: null,
      writer: { pid: process.pid, host: os.hostname() },
    });
    expect(byId.get('r-dead-pid')).toMatchObject({ state: 'crashed', status: 'running', passed: null });
    expect(byId.get('r-stale')).toMatchObject({ state: 'crashed', status: 'running' });
    expect(byId.get('r-elsewhere')).toMatchObject({ state: 'running' });
    expect(byId.get('r-interrupted')).toMatchObject({ state: 'interrupted', status: 'interrupted', passed: null });
    expect(byId.get('r-failed')).toMatchObject({ state: 'failed', passed: null });
    expect(listed).toHaveLength(8);
    // Newest first.
    expect(listed.at(-1)?.runId).toBe('r-live');
  });

  it('runs (text) has a state and a passed column', () => {
    const r = cli(['runs'], db);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.out.join('\n').split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'run',
      'scenario',
      'symbols',
      'seed',
      'state',
      'passed',
      'events',
      'netPnl',
      'trades',
      'win',
      'PF',
      'sharpe',
      'maxDD',
      'started',
      'digest',
    ]);
    const cells = (id: string) => rows.find((l) => l.startsWith(id + ' '))?.split(/\s+/) ?? [];
    expect(cells(passed).slice(4, 6)).toEqual(['finished', 'yes']);
    expect(cells(failedExpectation).slice(4, 6)).toEqual(['finished', 'NO']);
    expect(cells('r-dead-pid').slice(4, 6)).toEqual(['crashed', '-']);
    expect(cells('r-interrupted').slice(4, 6)).toEqual(['interrupted', '-']);
  });

  it('--limit keeps the newest N; 0 lists all', () => {
    expect(
      (JSON.parse(cli(['runs', '--json', '--limit', '2'], db).out[0] ?? '') as Listed[]).map((x) => x.runId),
    ).toEqual([failedExpectation, passed]);
    expect(JSON.parse(cli(['runs', '--json', '--limit', '0'], db).out[0] ?? '')).toHaveLength(8);
    expect(cli(['runs', '--limit', 'x'], db).code).toBe(2);
  });

  it('show --json is one object with the state; a crashed run is a consistent prefix (exit 0)', () => {
    for (const [id, state] of [
      [passed, 'finished'],
      ['r-dead-pid', 'crashed'],
      ['r-interrupted', 'interrupted'],
      ['r-failed', 'failed'],
    ] as const) {
      const r = cli(['show', id, '--json'], db);
      expect(r.code, id).toBe(0);
      expect(r.out).toHaveLength(1);
      expect(JSON.parse(r.out[0] ?? '')).toMatchObject({
        runId: id,
        state,
        verification: { gapFree: true, consistent: true },
      });
    }
  });
});

/** RFC 4180 CSV parsed: rows of fields; checks that every record ends in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      expect(c, `a bare ${JSON.stringify(c)} at ${i}`).not.toMatch(/[\r\n"]/);
      field += c;
      i++;
    }
  }
  expect(field === '' && row.length === 0, 'the last record ends in CRLF').toBe(true);
  return rows;
}

describe('events and export of a stored run', () => {
  let db: string;
  let id: string;
  let reader: Database.Database;
  beforeAll(() => {
    db = freshDb();
    id = runInto(db, TWAP);
    reader = new Database(db, { readonly: true });
  });
  afterAll(() => reader.close());

  const stored = (): { seq: number; time: number; kind: string; payload: string }[] => storedRows(reader, id);
  const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
  const readable = new ReadableEvents([BTC]);
  const simStart = (): number => reader.prepare('SELECT sim_start FROM runs WHERE id = ?').pluck().get(id) as number;

  it('events prints one line per stored event: seq, offset from the start, time, kind, payload in decimals', () => {
    const r = cli(['events', id], db);
    expect(r.code).toBe(0);
    const lines = r.out.join('\n').split('\n');
    const events = stored();
    expect(lines).toHaveLength(events.length);
    lines.forEach((line, k) => {
      const e = events[k];
      if (!e) throw new Error('missing');
      const [seq, offset, time, kind] = line.trim().split(/\s+/);
      expect([Number(seq), offset, time, kind]).toEqual([
        e.seq,
        formatOffset(e.time - simStart()),
        isoTime(e.time),
        e.kind,
      ]);
      const shown = JSON.stringify(readable.payload(e.kind, JSON.parse(e.payload)));
      if (shown.length <= 300) expect(line.endsWith(`  ${shown}`)).toBe(true);
    });
    // A fill as a person reads it: the lots, ticks and notional units of the log as decimals.
    const fill = events.find((e) => e.kind === 'FillReport')!;
    const stored_ = JSON.parse(fill.payload) as { qty: number; price: number; fee: number; venueTime: number };
    const printed = lines.find((l) => l.includes(' FillReport '))!;
    const payload = JSON.parse(printed.slice(printed.indexOf('{'))) as Record<string, unknown>;
    expect(payload).toMatchObject({
      qty: lotsToQty(BTC, stored_.qty),
      price: ticksToPrice(BTC, stored_.price),
      fee: unitsToQuote(BTC, stored_.fee),
      venueTime: isoTime(stored_.venueTime),
    });
    // To the millisecond as Date writes it; a fraction of one (latency jitter) to the microsecond.
    expect(String(payload['venueTime'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(\d{3})?Z$/);
    expect(String(payload['venueTime']).startsWith(new Date(stored_.venueTime).toISOString().slice(0, -1))).toBe(true);
    expect(payload['qty']).toMatch(/^\d+(\.\d+)?$/);
  });

  it('--json is NDJSON: one object per line with the stored payload; --kind and --from/--to filter', () => {
    const r = cli(
      [
        'events',
        id,
        '--json',
        '--kind',
        'FillReport,OrderCreated',
        '--kind',
        'TwapPlanned',
        '--from',
        '3',
        '--to',
        '60',
      ],
      db,
    );
    expect(r.code).toBe(0);
    const lines = r.out.join('\n').split('\n');
    const want = stored().filter(
      (e) => ['FillReport', 'OrderCreated', 'TwapPlanned'].includes(e.kind) && e.seq >= 3 && e.seq <= 60,
    );
    expect(want.length).toBeGreaterThan(3);
    expect(lines).toHaveLength(want.length);
    lines.forEach((line, k) => {
      const got = JSON.parse(line) as { seq: number; time: number; offsetMs: number; kind: string; payload: unknown };
      const e = want[k];
      if (!e) throw new Error('missing');
      expect(got).toEqual({
        seq: e.seq,
        time: e.time,
        offsetMs: expect.closeTo(e.time - simStart(), 5),
        kind: e.kind,
        payload: JSON.parse(e.payload),
      });
    });
  });

  it('a kind the run does not have prints nothing (exit 0, named on stderr); a typo and bad flags exit 2', () => {
    const none = cli(['events', id, '--kind', 'KillSwitchChanged'], db);
    expect(none.code).toBe(0);
    expect(none.out).toEqual([]);
    expect(none.errWrites).toHaveLength(1);
    expect(none.errWrites[0]).toContain(`run ${id} has no events of kind KillSwitchChanged; its kinds are `);
    // A name that is no event kind is refused with the kind it most likely meant, as the HTTP
    // API refuses it, not answered with an empty log.
    for (const typo of ['fillreport', 'FillReports']) {
      const refused = cli(['events', id, '--kind', `OrderCreated,${typo}`], db);
      expect(refused.code).toBe(2);
      expect(refused.out).toEqual([]);
      expect(refused.errWrites.join('')).toContain(`--kind: "${typo}" is no event kind; did you mean FillReport?`);
    }
    expect(cli(['events', id, '--from', '9', '--to', '3'], db).code).toBe(2);
    expect(cli(['events', id, '--from', '-1'], db).code).toBe(2);
    expect(cli(['events', id, '--kind', 'a b'], db).code).toBe(2);
    expect(cli(['events', 'no-such-run'], db).code).toBe(2);
  });

  it('formats offsets as +HH:MM:SS.mmm, to the microsecond when the time has a fraction', () => {
    expect(formatOffset(0)).toBe('+00:00:00.000');
    expect(formatOffset(30_023)).toBe('+00:00:30.023');
    expect(formatOffset(30_023.3525)).toBe('+00:00:30.023353');
    expect(formatOffset(27 * 3_600_000 + 59_999.9999999)).toBe('+27:01:00.000');
    expect(formatOffset(-1500)).toBe('-00:00:01.500');
  });

  it('export --fills is RFC 4180 CSV of every stored fill: header, decimal strings, ISO-8601 UTC times', () => {
    const r = cli(['export', id, '--fills'], db);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.out.map((chunk) => chunk + '\n').join(''));
    const [header, ...body] = rows;
    expect(header).toEqual([
      'trade_id',
      'client_order_id',
      'parent_order_id',
      'side',
      'qty',
      'price',
      'fee',
      'liquidity',
      'venue_time',
      'seq',
    ]);
    const fills = reader
      .prepare(
        'SELECT f.trade_id, f.client_order_id, o.parent_order_id, o.side, f.qty, f.price, f.fee, f.liquidity, f.time, f.seq FROM fills f JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id WHERE f.run_id = ? ORDER BY f.seq',
      )
      .raw()
      .all(id) as unknown[][];
    expect(fills.length).toBeGreaterThan(5);
    expect(body).toEqual(
      fills.map((f) => f.map((v, k) => (k === 8 ? new Date(v as number).toISOString() : String(v)))),
    );
    for (const row of body) {
      for (const k of [4, 5, 6]) expect(row[k]).toMatch(/^\d+(\.\d+)?$/);
      expect(row[8]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('export --orders has every order row, parents first with their children, empty fields for nulls', () => {
    const r = cli(['export', id, '--orders'], db);
    expect(r.code).toBe(0);
    const [header, ...body] = parseCsv(r.out.map((chunk) => chunk + '\n').join(''));
    expect(header?.slice(0, 3)).toEqual(['client_order_id', 'parent_order_id', 'venue_order_id']);
    const count = reader.prepare('SELECT COUNT(*) FROM orders WHERE run_id = ?').pluck().get(id) as number;
    expect(body).toHaveLength(count);
    const col = (name: string) => header?.indexOf(name) ?? -1;
    const parents = body.filter((row) => row[col('parent_order_id')] === '');
    expect(parents.length).toBeGreaterThan(0);
    for (const p of parents) {
      const at = body.indexOf(p);
      const children = body.filter((row) => row[col('parent_order_id')] === p[col('client_order_id')]);
      expect(body.slice(at + 1, at + 1 + children.length)).toEqual(children);
      expect(p[col('venue_order_id')]).toBe('');
    }
    for (const row of body) {
      for (const name of ['qty', 'filled_qty']) expect(row[col(name)]).toMatch(/^\d+(\.\d+)?$/);
      for (const name of ['created_at', 'updated_at']) expect(row[col(name)]).toMatch(/Z$/);
    }
  });

  it('export --out writes the same CSV to a file, replacing it whole, and leaves no temporary file', () => {
    const out = path.join(dir, 'fills.csv');
    fs.writeFileSync(out, 'old content');
    const r = cli(['export', id, '--fills', '--out', out], db);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(
      cli(['export', id, '--fills'], db)
        .out.map((c) => c + '\n')
        .join(''),
    );
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a write that fails part-way leaves the file as it was and no temporary file', () => {
    const out = path.join(dir, 'kept.csv');
    fs.writeFileSync(out, 'kept');
    function* chunks() {
      yield { text: 'a,b\r\n', rows: 0 };
      throw new Error('the database went away');
    }
    expect(() => writeWhole(out, chunks())).toThrow('the database went away');
    expect(fs.readFileSync(out, 'utf8')).toBe('kept');
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('export refuses bad input with exit 2 and writes nothing', () => {
    expect(cli(['export', id], db).code).toBe(2);
    expect(cli(['export', id, '--fills', '--orders'], db).code).toBe(2);
    expect(cli(['export', 'nope', '--fills'], db).code).toBe(2);
    const missing = path.join(dir, 'no-such-folder', 'x.csv');
    expect(cli(['export', id, '--fills', '--out', missing], db).code).toBe(2);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
    expect(cli(['export', id, '--fills', '--out', dir], db).code).toBe(2);
  });

  it('an --out that names no file or cannot be written is one message naming --out, exit 2, nothing left', () => {
    const outs = [
      '',
      path.join(dir, 'not-yet-a-folder') + path.sep,
      // A folder where no file can be created, even by root: the query is already open then.
      ...(fs.existsSync('/proc/self') ? ['/proc/execsim-export.csv'] : []),
    ];
    for (const out of outs) {
      const r = cli(['export', id, '--fills', '--out', out], db);
      expect(r.code, out).toBe(2);
      expect(r.out, out).toEqual([]);
      expect(r.errWrites[0], out).toMatch(/^execsim: --out\b/);
    }
    expect(fs.existsSync(path.join(dir, 'not-yet-a-folder'))).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    // The database is still usable afterwards (the failed export closed its query).
    expect(cli(['export', id, '--fills'], db).code).toBe(0);
  });

  it('an --out that is the database itself (or its -wal file) is refused, and the database kept', () => {
    const copy = path.join(dir, 'export-onto-itself.db');
    fs.copyFileSync(db, copy);
    const before = fs.readFileSync(copy);
    for (const out of [copy, path.join(path.dirname(copy), '.', path.basename(copy)), `${copy}-wal`]) {
      if (out.endsWith('-wal')) fs.writeFileSync(out, '');
      const r = cli(['export', id, '--fills', '--db', copy, '--out', out], db);
      expect(r.code, out).toBe(2);
      expect(r.errWrites[0], out).toMatch(/^execsim: --out .*: is the database file /);
    }
    expect(fs.readFileSync(copy).equals(before)).toBe(true);
    expect(cli(['runs', '--db', copy], db).code).toBe(0);
  });

  it('quotes CSV fields that hold a comma, a quote or a line break, and leaves null empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(0, true)).toBe('1970-01-01T00:00:00.000Z');
    expect(parseCsv(['a,b', '"say ""hi""",x'].map((r) => r + '\r\n').join(''))).toEqual([
      ['a', 'b'],
      ['say "hi"', 'x'],
    ]);
  });
});

describe('delete and prune', () => {
  let db: string;
  let store: RunStore;
  const count = (table: string, id: string): number =>
    table === 'events'
      ? storedCount(store.db, id)
      : (store.db
          .prepare(`SELECT COUNT(*) FROM ${table} WHERE ${table === 'runs' ? 'id' : 'run_id'} = ?`)
          .pluck()
          .get(id) as number);
  const rowsOf = (id: string) => ['runs', 'events', 'orders', 'fills'].map((t) => count(t, id));
  const ids = (): string[] =>
    store
      .allRuns()
      .map((r) => r.id)
      .sort();

  beforeEach(() => {
    db = freshDb();
    runInto(db, SWEEP);
    runInto(db, TWAP);
    store = new RunStore(openDatabase(db));
  });
  afterEach(() => store.db.close());

  it('delete removes a run with its events, orders and fills, and leaves the other runs whole', () => {
    const [a, b] = store.listRuns().map((r) => r.id) as [string, string];
    // Their order and fill rows, built by a read (a backtest's are built on first read).
    for (const id of [a, b]) projectRun(store.db, id);
    const before = rowsOf(b);
    expect(rowsOf(a).every((k) => k > 0)).toBe(true);
    const r = cli(['delete', a], db);
    expect(r.code).toBe(0);
    expect(rowsOf(a)).toEqual([0, 0, 0, 0]);
    expect(rowsOf(b)).toEqual(before);
    expect(cli(['show', b], db).code).toBe(0);
  });

  it('delete of an unknown id, or of a run still being written, deletes nothing (exit 2); --force deletes the latter', () => {
    const [a] = store.listRuns().map((r) => r.id) as [string];
    expect(cli(['delete', a, 'no-such-run'], db).code).toBe(2);
    expect(count('runs', a)).toBe(1);
    store.createRun({
      id: 'live',
      scenarioName: 'x',
      scenarioHash: 'h',
      scenarioJson: '{}',
      seed: 1,
      codeVersion: 't',
      startedAt: new Date().toISOString(),
      simStart: 0,
    });
    const refused = cli(['delete', a, 'live'], db);
    expect(refused.code).toBe(2);
    // The refusal and delete's own usage line, not the usage of every command.
    expect(refused.errWrites).toEqual([
      expect.stringMatching(/^execsim: run live is still being written .*nothing was deleted\nusage: execsim delete /),
    ]);
    expect(refused.errWrites[0]?.split('\n')).toHaveLength(2);
    expect(ids()).toContain(a);
    expect(cli(['delete', 'live', '--force'], db).code).toBe(0);
    expect(ids()).not.toContain('live');
  });

  it('prune deletes crashed, interrupted and failed runs by default, never finished or running ones; --dry-run deletes nothing', () => {
    const finished = ids();
    const make = (id: string) =>
      store.createRun({
        id,
        scenarioName: 'x',
        scenarioHash: 'h',
        scenarioJson: '{}',
        seed: 1,
        codeVersion: 't',
        startedAt: '2024-01-01T00:00:00Z',
        simStart: 0,
      });
    make('crashed');
    store.db.prepare('UPDATE runs SET writer_pid = ? WHERE id = ?').run(deadPid(), 'crashed');
    make('interrupted');
    store.interruptRun('interrupted', 'SIGTERM', '2024-01-01T00:00:01Z');
    make('failed');
    store.failRun(null, 'failed', 'boom', '2024-01-01T00:00:01Z');
    make('live');
    const all = ids();
    expect(cli(['prune', '--dry-run'], db).code).toBe(0);
    expect(ids()).toEqual(all);
    expect(cli(['prune'], db).code).toBe(0);
    expect(ids()).toEqual([...finished, 'live'].sort());
    // all = every state but running.
    expect(cli(['prune', '--status', 'all'], db).code).toBe(0);
    expect(ids()).toEqual(['live']);
  });

  it('prune --status and --older-than select by state and start time', () => {
    const [newer, older] = store.listRuns().map((r) => r.id) as [string, string];
    store.db.prepare("UPDATE runs SET started_at = '2020-01-01T00:00:00.000Z' WHERE id = ?").run(older);
    expect(cli(['prune', '--status', 'finished', '--older-than', 'P7D'], db).code).toBe(0);
    expect(ids()).toEqual([newer]);
    expect(cli(['prune', '--status', 'failed,interrupted', '--older-than', '1d'], db).code).toBe(0);
    expect(ids()).toEqual([newer]);
  });

  it('prune refuses bad flags with exit 2', () => {
    for (const args of [
      ['--status', 'running'],
      ['--status', 'bogus'],
      ['--older-than', 'P1M'],
      ['--older-than', 'soon'],
      ['some-id'],
    ]) {
      expect(cli(['prune', ...args], db).code, args.join(' ')).toBe(2);
    }
    expect(ids()).toHaveLength(2);
  });

  it('parses --older-than as ISO-8601 or a number with a unit', () => {
    expect(parseAge('P7D')).toBe(7 * 86_400_000);
    expect(parseAge('pt12h')).toBe(12 * 3_600_000);
    expect(parseAge('7d')).toBe(7 * 86_400_000);
    expect(parseAge('90m')).toBe(90 * 60_000);
    expect(parseAge('2w')).toBe(14 * 86_400_000);
  });
});
