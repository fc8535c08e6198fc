// A database edited by hand (a payload that is no longer JSON, a time out of range, text where a
// number belongs) read by the commands that read stored runs: each prints valid output or none,
// and says what it could not read in one message naming the row and the field, with a non-zero
// exit; never a stack trace, never a half-written file.
import { asRows, blockOf, dropStoredLine, setStoredPayload, storedOfKind } from '../support/stored-log.ts';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/cli/export-command.ts';
import { StoreError } from '../../src/store/open-database.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';
import { gateway, KEY, SECRET } from '../support/gateway-harness.ts';
import { scratchDb, storeWithRuns } from '../support/page-app.ts';
import { tamperedCopy } from '../support/tampered-db.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

const PAPER_TWAP = 'test/fixtures/paper/twap-aapl.yaml';

let base: string;
/** The same run with its log stored as rows, as an execsim before blocks stored it. */
let rowsBase: string;
let runId: string;
beforeAll(() => {
  const { store, reports } = storeWithRuns([{ name: 'twap-calm' }]);
  base = store.db.name;
  runId = reports[0]?.runId ?? '';
  // Its order and fill rows as a first read built them (the tables the tests below damage).
  projectRun(store.db, runId);
  store.db.close();
  rowsBase = scratchDb();
  fs.copyFileSync(base, rowsBase);
  const db = new Database(rowsBase);
  asRows(db, runId);
  db.close();
});

/** A copy of the stored run's database with `sql` applied to it (by hand, as a user would). */
const tampered = (sql: string, ...params: unknown[]): string => tamperedCopy(base, sql, ...params);
/** The same, of the run whose log is stored as rows. */
const tamperedRows = (sql: string, ...params: unknown[]): string => tamperedCopy(rowsBase, sql, ...params);
/** A copy of the stored run's database with `edit` done to its blocks. */
function tamperedBlocks(edit: (db: Database.Database) => void): string {
  const file = scratchDb();
  fs.copyFileSync(base, file);
  const db = new Database(file);
  edit(db);
  db.close();
  return file;
}

/** `execsim ...args --db db`. */
const execsim = (db: string, ...args: string[]) => execsimInProcess([...args, '--db', db]);

/** The first stored event of `kind`. */
function firstEvent(kind: string): { seq: number; time: number } {
  const db = new Database(rowsBase, { readonly: true });
  try {
    return db
      .prepare('SELECT seq, time FROM events WHERE run_id = ? AND kind = ? ORDER BY seq LIMIT 1')
      .get(runId, kind) as { seq: number; time: number };
  } finally {
    db.close();
  }
}

const lines = (stdout: string): string[] => stdout.split('\n').filter((l) => l !== '');

describe('events of a log in blocks edited by hand', () => {
  it('a payload that is not JSON: the same as in a row: printed as text marked unreadable, exit 1, one message', async () => {
    const { seq } = firstEvent('FillReport');
    const db = tamperedBlocks((d) => setStoredPayload(d, runId, seq, '{"qty": 1, oops'));
    const all = await execsim(base, 'events', runId, '--json');
    const r = await execsim(db, 'events', runId, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`execsim: run ${runId}: event seq ${seq} (FillReport): the payload is not JSON`]);
    const got = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const want = lines(all.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got).toHaveLength(want.length);
    const at = got.findIndex((e) => e['seq'] === seq);
    expect(got[at]).toEqual({ ...want[at], payload: '{"qty": 1, oops', unreadable: ['payload'] });
    expect(got.filter((_, k) => k !== at)).toEqual(want.filter((_, k) => k !== at));
  });

  it('a block of another encoding, or of other lines than its seqs: one message naming the run and its seqs, exit 2', async () => {
    const { seq } = firstEvent('FillReport');
    const probe = new Database(base, { readonly: true });
    const { first_seq: first, last_seq: last } = blockOf(probe, runId, seq);
    probe.close();
    const broken = tamperedBlocks((d) =>
      d.prepare("UPDATE event_blocks SET encoding = 'zstd' WHERE run_id = ? AND first_seq = ?").run(runId, first),
    );
    const short = tamperedBlocks((d) => dropStoredLine(d, runId, seq));
    const cases: Array<[string, string]> = [
      [broken, 'its encoding is "zstd", neither brotli nor text'],
      [short, `the block holds ${last - first} events, not the ${last - first + 1} from seq ${first} to ${last}`],
    ];
    for (const [db, problem] of cases) {
      for (const args of [['--json'], ['--kind', 'FillReport'], ['--from', String(seq), '--to', String(seq)]]) {
        const r = await execsim(db, 'events', runId, ...args);
        expect(r.code).toBe(2);
        expect(r.err).toEqual([`execsim: database ${db}: run ${runId}: events seq ${first} to ${last}: ${problem}`]);
        for (const l of lines(r.stdout)) if (args[0] === '--json') JSON.parse(l);
      }
      const shown = await execsim(db, 'show', runId, '--json');
      expect(shown.code).toBe(1);
      const verified = JSON.parse(shown.stdout) as { verification: { problems: string[] } };
      expect(verified.verification.problems).toContain(`events seq ${first} to ${last}: ${problem}`);
    }
  });
});

describe('events of a log edited by hand', () => {
  it('a payload that is not JSON: --json prints it as text marked unreadable, every line JSON; exit 1, one message', async () => {
    const { seq } = firstEvent('FillReport');
    const db = tamperedRows(
      'UPDATE events SET payload = ? WHERE run_id = ? AND seq = ?',
      '{"qty": 1, oops',
      runId,
      seq,
    );
    const all = await execsim(base, 'events', runId, '--json');
    const r = await execsim(db, 'events', runId, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`execsim: run ${runId}: event seq ${seq} (FillReport): the payload is not JSON`]);
    const got = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const want = lines(all.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got).toHaveLength(want.length);
    const at = got.findIndex((e) => e['seq'] === seq);
    expect(got[at]).toEqual({ ...want[at], payload: '{"qty": 1, oops', unreadable: ['payload'] });
    expect(got.filter((_, k) => k !== at)).toEqual(want.filter((_, k) => k !== at));
  });

  it('the text form shows the stored text as a quoted string, on its line; exit 1, the same message', async () => {
    const { seq } = firstEvent('FillReport');
    const db = tamperedRows('UPDATE events SET payload = ? WHERE run_id = ? AND seq = ?', 'two\nlines', runId, seq);
    const r = await execsim(db, 'events', runId, '--from', String(seq), '--to', String(seq));
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`execsim: run ${runId}: event seq ${seq} (FillReport): the payload is not JSON`]);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(/ {2}FillReport {2}\(not JSON\) "two\\nlines"\n$/);
  });

  it('a payload that is JSON written over several lines is printed on one line, exit 0', async () => {
    const { seq } = firstEvent('FillReport');
    const db = tamperedRows(
      'UPDATE events SET payload = ? WHERE run_id = ? AND seq = ?',
      '{\n  "qty": 1\n}',
      runId,
      seq,
    );
    for (const json of [true, false]) {
      const r = await execsim(
        db,
        'events',
        runId,
        '--from',
        String(seq),
        '--to',
        String(seq),
        ...(json ? ['--json'] : []),
      );
      expect(r.code).toBe(0);
      expect(lines(r.stdout)).toHaveLength(1);
      if (json) expect(JSON.parse(r.stdout)).toMatchObject({ seq, payload: { qty: 1 } });
    }
  });

  it('a time that is not a number: --json gives its stored text, offsetMs null, marked unreadable; exit 1', async () => {
    const { seq } = firstEvent('OrderCreated');
    const db = tamperedRows('UPDATE events SET time = ? WHERE run_id = ? AND seq = ?', 'soon', runId, seq);
    const r = await execsim(db, 'events', runId, '--json', '--kind', 'OrderCreated');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`execsim: run ${runId}: event seq ${seq} (OrderCreated): the time "soon" is not a number`]);
    const got = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got[0]).toMatchObject({ seq, time: 'soon', offsetMs: null, kind: 'OrderCreated', unreadable: ['time'] });
    const text = await execsim(db, 'events', runId, '--from', String(seq), '--to', String(seq));
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(/NaN/);
  });

  it('several unreadable events: one message, naming the first and counting the others', async () => {
    const db = tamperedRows(
      "UPDATE events SET payload = 'x' WHERE run_id = ? AND seq IN (SELECT seq FROM events WHERE run_id = ? AND kind = 'FillReport' LIMIT 3)",
      runId,
      runId,
    );
    const r = await execsim(db, 'events', runId, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/: the payload is not JSON \(and 2 more events that cannot be read: seq \d+, \d+\)$/);
    for (const l of lines(r.stdout)) JSON.parse(l);
  });

  it('a run whose sim_start is not a number: one message naming it, exit 2, nothing printed', async () => {
    const db = tampered('UPDATE runs SET sim_start = ? WHERE id = ?', 'dawn', runId);
    for (const json of [true, false]) {
      const r = await execsim(db, 'events', runId, ...(json ? ['--json'] : []));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.err).toEqual([
        `execsim: database ${db}: run ${runId}: its sim_start "dawn" is not a time (a number of epoch milliseconds), so no event's time since the start can be given`,
      ]);
    }
  });
});

describe('export of tables edited by hand', () => {
  /** The first fill in log order. */
  function firstFill(): { trade_id: string; client_order_id: string; seq: number } {
    const db = new Database(base, { readonly: true });
    try {
      return db
        .prepare('SELECT trade_id, client_order_id, seq FROM fills WHERE run_id = ? ORDER BY seq LIMIT 1')
        .get(runId) as { trade_id: string; client_order_id: string; seq: number };
    } finally {
      db.close();
    }
  }

  it("a fill time out of a date's range: one message naming the fill and the field, exit 2, nothing written", async () => {
    const fill = firstFill();
    const db = tampered('UPDATE fills SET time = 1e20 WHERE run_id = ? AND trade_id = ?', runId, fill.trade_id);
    const message = `execsim: database ${db}: run ${runId}: fill ${fill.trade_id} of order ${fill.client_order_id} (seq ${fill.seq}): its time (venue_time) 100000000000000000000 is not a time a date can hold (epoch milliseconds within ±8.64e15); nothing was exported`;
    const r = await execsim(db, 'export', runId, '--fills');
    expect(r).toEqual({ code: 2, stdout: '', err: [message] });

    const dir = path.dirname(db);
    const kept = path.join(dir, 'kept.csv');
    fs.writeFileSync(kept, 'kept');
    const fresh = path.join(dir, 'fresh.csv');
    for (const out of [kept, fresh]) {
      expect(await execsim(db, 'export', runId, '--fills', '--out', out)).toEqual({
        code: 2,
        stdout: '',
        err: [message],
      });
    }
    expect(fs.readFileSync(kept, 'utf8')).toBe('kept');
    expect(fs.existsSync(fresh)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('an order time that is text or infinite is refused the same way; --fills, which has no such time, still exports', async () => {
    const order = (await execsim(base, 'export', runId, '--orders')).stdout.split('\r\n')[1]?.split(',')[0] ?? '';
    for (const [column, value, shown] of [
      ['created_at', 'yesterday', '"yesterday"'],
      ['updated_at', 'inf', 'Infinity'],
      ['scheduled_time', '-9e15', '-9000000000000000'],
    ] as const) {
      const db = tampered(
        `UPDATE orders SET ${column} = ${value === 'inf' ? '9e999' : '?'} WHERE run_id = ? AND client_order_id = ?`,
        ...(value === 'inf' ? [] : [value]),
        runId,
        order,
      );
      const r = await execsim(db, 'export', runId, '--orders');
      expect(r.code, column).toBe(2);
      expect(r.stdout, column).toBe('');
      expect(r.err, column).toEqual([
        `execsim: database ${db}: run ${runId}: order ${order}: its ${column} ${shown} is not a time a date can hold (epoch milliseconds within ±8.64e15); nothing was exported`,
      ]);
      expect((await execsim(db, 'export', runId, '--fills')).code, column).toBe(0);
    }
  });

  it('a time that is not a date never reaches the CSV as a crash: csvField refuses it as a StoreError', () => {
    for (const value of [1e20, Infinity, 'yesterday']) expect(() => csvField(value, true)).toThrow(StoreError);
    expect(csvField(8.64e15, true)).toBe('+275760-09-13T00:00:00.000Z');
  });
});

describe('show of a run whose stored report was edited by hand', () => {
  it.each(['{}', '[1, 2]', '42', '{"parents": 7, "wallMs": "fast"}'])(
    'report %s, JSON but not a run report: named as a problem, exit 1, in both forms',
    async (report) => {
      const db = tampered('UPDATE runs SET report_json = ? WHERE id = ?', report, runId);
      const problem = `execsim: run ${runId}: the stored report is not a run report (show --json prints it as stored)`;
      const text = await execsim(db, 'show', runId);
      expect(text.code).toBe(1);
      expect(text.err).toEqual([problem]);
      expect(text.stdout).toContain(runId);
      const json = await execsim(db, 'show', runId, '--json');
      expect(json.code).toBe(1);
      expect(json.err).toEqual([problem]);
      expect(JSON.parse(json.stdout)).toMatchObject({ report: JSON.parse(report) as unknown });
    },
  );
});

describe('show of a run whose stored scenario was edited by hand', () => {
  it.each([
    ['not json', 'it is not JSON'],
    ['{}', 'it has no instrument'],
    [
      '{"instrument": {"symbol": "BTCUSDT", "tickSize": 1}}',
      'its instrument has no tickSize, lotSize, minNotional (each a string)',
    ],
    [
      '{"instrument": {"symbol": "BTCUSDT", "tickSize": "x", "lotSize": "1", "minNotional": "1"}}',
      'its instrument: "x" is not a decimal number',
    ],
  ])('scenario %s: the problem says what is wrong with it in its own words', async (scenario, why) => {
    const db = tampered('UPDATE runs SET scenario_json = ? WHERE id = ?', scenario, runId);
    const r = await execsim(db, 'show', runId);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `execsim: run ${runId}: the stored scenario cannot be read, so the tables cannot be checked against the log: ${why}`,
    ]);
  });
});

describe('a blob where text or a number belongs in a run row', () => {
  it("runs, show and prune show it as SQL writes one (x'00ff'), never a crash", async () => {
    const db = tampered(
      "UPDATE runs SET scenario_name = x'00ff', digest = x'ab', event_count = x'01' WHERE id = ?",
      runId,
    );
    const runs = await execsim(db, 'runs');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`${runId} +x'00ff' .* x'ab'\\n$`));
    const listed = JSON.parse((await execsim(db, 'runs', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(1);
    // In JSON too, as SQL writes a blob, not as Node's Buffer JSON.
    expect(listed[0]).toMatchObject({ scenario: "x'00ff'", digest: "x'ab'", events: "x'01'" });

    // The stored digest and count are checked against the log: problems, named with the blobs as text.
    const shown = JSON.parse((await execsim(db, 'show', runId, '--json')).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ scenario: "x'00ff'", digest: "x'ab'", events: "x'01'" });
    const show = await execsim(db, 'show', runId);
    expect(show.code).toBe(1);
    expect(show.stdout).toContain("x'00ff'");
    expect(show.err).toEqual([
      expect.stringMatching(
        new RegExp(`^execsim: run ${runId}: the stored log does not reproduce the stored digest \\(stored x'ab', `),
      ),
      expect.stringMatching(new RegExp(`^execsim: run ${runId}: the run row counts x'01' events but \\d+ are stored$`)),
    ]);

    const prune = await execsim(db, 'prune', '--dry-run', '--status', 'all');
    expect(prune.code).toBe(0);
    expect(prune.stdout).toContain(`would delete ${runId}  x'00ff'  finished`);
    expect(prune.stdout).toContain("x'01' events");
    expect(prune.stdout).toContain(
      '1 run (0 events, and 1 run whose stored event count cannot be read) would be deleted',
    );
  });
});

describe('resume of a paper run whose log was edited by hand', () => {
  it('a payload that is not JSON: one message naming the event, exit 2, the venue never asked, the run not claimed', async () => {
    const gw = await gateway();
    const file = scratchDb();
    const stored = await execsimInProcess(['run', PAPER_TWAP, '--mode', 'backtest', '--json', '--db', file]);
    expect(stored.code, stored.err.join('\n')).toBe(0);
    const id = (JSON.parse(stored.stdout) as { runId: string }).runId;
    // The stored run made to look like a paper run that was stopped, with one payload broken.
    const db = new Database(file);
    db.prepare("UPDATE runs SET mode = 'paper', status = 'interrupted' WHERE id = ?").run(id);
    const { seq, kind } = storedOfKind(db, id, 'SubmitOrder')[0] as { seq: number; kind: string };
    setStoredPayload(db, id, seq, 'oops');
    db.close();

    const r = await execsimInProcess(['resume', id, '--db', file, '--venue-url', gw.url, '--market-hours', 'always'], {
      APCA_API_KEY_ID: KEY,
      APCA_API_SECRET_KEY: SECRET,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.err.at(-1)).toBe(
      `execsim: database ${file}: run ${id}: event seq ${seq} (${kind}): the payload is not JSON`,
    );
    expect(gw.orders.orders()).toEqual([]);
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT status, writer_pid FROM runs WHERE id = ?').get(id)).toMatchObject({
      status: 'interrupted',
    });
    after.close();
  });
});
