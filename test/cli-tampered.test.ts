// A database edited by hand (a payload that is no longer JSON, a time out of range, text where a
// number belongs) read by the commands that read stored runs: each prints valid output or none,
// and says what it could not read in one message naming the row and the field, with a non-zero
// exit; never a stack trace, never a half-written file.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { execsimInProcess } from './support/cli-in-process.ts';
import { scratchDb, storeWithRuns } from './support/page-app.ts';

let base: string;
let runId: string;
beforeAll(() => {
  const { store, reports } = storeWithRuns([{ name: 'twap-calm' }]);
  base = store.db.name;
  runId = reports[0]?.runId ?? '';
  store.db.close();
});

/** A copy of the stored run's database with `sql` applied to it (by hand, as a user would). */
function tampered(sql: string, ...params: unknown[]): string {
  const file = scratchDb();
  fs.copyFileSync(base, file);
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
  return file;
}

/** `execsim ...args --db db`. */
const execsim = (db: string, ...args: string[]) => execsimInProcess([...args, '--db', db]);

/** The first stored event of `kind`. */
function firstEvent(kind: string): { seq: number; time: number } {
  const db = new Database(base, { readonly: true });
  try {
    return db
      .prepare('SELECT seq, time FROM events WHERE run_id = ? AND kind = ? ORDER BY seq LIMIT 1')
      .get(runId, kind) as { seq: number; time: number };
  } finally {
    db.close();
  }
}

const lines = (stdout: string): string[] => stdout.split('\n').filter((l) => l !== '');

describe('events of a log edited by hand', () => {
  it('a payload that is not JSON: --json prints it as text marked unreadable, every line JSON; exit 1, one message', async () => {
    const { seq } = firstEvent('FillReport');
    const db = tampered('UPDATE events SET payload = ? WHERE run_id = ? AND seq = ?', '{"qty": 1, oops', runId, seq);
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
    const db = tampered('UPDATE events SET payload = ? WHERE run_id = ? AND seq = ?', 'two\nlines', runId, seq);
    const r = await execsim(db, 'events', runId, '--from', String(seq), '--to', String(seq));
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`execsim: run ${runId}: event seq ${seq} (FillReport): the payload is not JSON`]);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(/ {2}FillReport {2}\(not JSON\) "two\\nlines"\n$/);
  });

  it('a payload that is JSON written over several lines is printed on one line, exit 0', async () => {
    const { seq } = firstEvent('FillReport');
    const db = tampered('UPDATE events SET payload = ? WHERE run_id = ? AND seq = ?', '{\n  "qty": 1\n}', runId, seq);
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
    const db = tampered('UPDATE events SET time = ? WHERE run_id = ? AND seq = ?', 'soon', runId, seq);
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
    const db = tampered(
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
