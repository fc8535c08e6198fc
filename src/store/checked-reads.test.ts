// Checked reads: every way a statement returns rows (get, all, iterate; objects, raw arrays, a
// plucked value) refuses exactly the values a column's declared type says execsim never wrote,
// returns everything else as an unchecked read does, and names whose row it is.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReads } from './checked-reads.ts';
import { StoredDataError } from './stored-data.ts';

const stored = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
  fc.constant(null),
);

/** A database with one table of the four declared types, holding `values` as run `id`'s row. */
function table(
  values: readonly unknown[],
  id: unknown = 'run-1',
): { checked: Database.Database; plain: Database.Database } {
  const checked = new Database(':memory:');
  checked.exec('CREATE TABLE t (run_id TEXT, a TEXT, b INTEGER, c REAL, d)');
  checked.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?)').run(id, ...values);
  // The unchecked view of the same rows: what they are once SQLite's affinities applied.
  const plain = new Database(checked.serialize());
  checkReads(checked);
  return { checked, plain };
}

const fitsText = (v: unknown): boolean => v === null || typeof v === 'string';
const fitsNumber = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

describe('checkReads', () => {
  it('refuses exactly the values of another type than the column declares, every way rows are read', () => {
    fc.assert(
      fc.property(fc.tuple(stored, stored, stored, stored), (values) => {
        const { checked, plain } = table(values);
        const row = plain.prepare('SELECT run_id, a, b, c, d FROM t').get() as Record<string, unknown>;
        const bad = !fitsText(row['a']) || !fitsNumber(row['b']) || !fitsNumber(row['c']);
        const sql = 'SELECT run_id, a, b, c, d FROM t';
        const reads: Array<() => unknown> = [
          () => checked.prepare(sql).get(),
          () => checked.prepare(sql).all(),
          () => [...checked.prepare(sql).iterate()],
          () => checked.prepare(sql).raw().all(),
        ];
        for (const read of reads) {
          if (bad) expect(read).toThrow(StoredDataError);
          else expect(read()).toBeDefined();
        }
        if (!bad) {
          expect(checked.prepare(sql).all()).toEqual(plain.prepare(sql).all());
          expect(checked.prepare(sql).raw().all()).toEqual(plain.prepare(sql).raw().all());
        }
        // A plucked column is checked against its own declared type only.
        const pluckB = () => checked.prepare('SELECT b FROM t').pluck().get();
        if (fitsNumber(row['b'])) expect(pluckB()).toEqual(row['b']);
        else expect(pluckB).toThrow(StoredDataError);
        // A computed value and an untyped column are never checked.
        expect(checked.prepare("SELECT d, a || '' AS e, count(*) AS n FROM t").all()).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  it('names the row by its run, from the row or from the run_id it was asked by, and the table and column', () => {
    const { checked } = table([Buffer.from([0, 255]), 1, 1.5, null], 'run-7');
    expect(() => checked.prepare('SELECT run_id, a FROM t').get()).toThrow(
      "run run-7: t.a: a blob (x'00ff') where execsim writes text",
    );
    expect(() => checked.prepare('SELECT a FROM t WHERE b = ? AND run_id = ?').all(1, 'run-7')).toThrow(
      "run run-7: t.a: a blob (x'00ff') where execsim writes text",
    );
    expect(() => checked.prepare('SELECT a FROM t').all()).toThrow("a row of t: t.a: a blob (x'00ff')");
  });

  it('leaves statements that write as they are', () => {
    const { checked } = table(['x', 1, 1.5, null]);
    checked.prepare("UPDATE t SET b = 'text'").run();
    expect(() => checked.prepare('SELECT b FROM t').get()).toThrow(
      't.b: the text "text" where execsim writes a number',
    );
  });

  it('wants whole numbers in the INTEGER columns of counts, seeds and indexes, and takes fractions in the others (times)', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE runs (id TEXT, event_count INTEGER, sim_end INTEGER)');
    db.prepare('INSERT INTO runs VALUES (?, ?, ?)').run('run-3', 12, 1723161600000.5);
    checkReads(db);
    expect(db.prepare('SELECT id, event_count, sim_end FROM runs').get()).toEqual({
      id: 'run-3',
      event_count: 12,
      sim_end: 1723161600000.5,
    });
    db.prepare('UPDATE runs SET event_count = 2.5').run();
    expect(() => db.prepare('SELECT id, event_count FROM runs').get()).toThrow(
      'run run-3: runs.event_count: the number 2.5 where execsim writes a whole number',
    );
  });
});
