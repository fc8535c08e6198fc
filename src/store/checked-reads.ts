// Reads that check what they read: every returned value against its column's declared type, and
// counts, seeds, pids and indexes against whole numbers, because SQLite lets a hand-edited database
// hold any value in any column. A bad value is one StoredDataError naming the run or sweep, the
// table, the column and the value. What is and is not checked:
// docs/0070-store-service-and-cli-notes.md#srcstorechecked-readsts.
import type Database from 'better-sqlite3';
import { describedValue, storedText } from './stored-values.ts';
import { StoredDataError } from './stored-data.ts';

interface ColumnCheck {
  /** The result column's name (object rows) and place (raw rows). */
  readonly name: string;
  readonly index: number;
  readonly table: string;
  readonly column: string;
  readonly wants: Wants;
}

type Wants = 'text' | 'number' | 'whole';

/** The INTEGER columns that hold whole numbers whatever the run (table.column): what an answer's
 *  schema calls an integer. The status-like 0/1 columns have CHECK constraints of their own. */
const WHOLE = new Set([
  'runs.seed',
  'runs.event_count',
  'runs.order_count',
  'runs.fill_count',
  'runs.projected_seq',
  'runs.writer_pid',
  'events.seq',
  'event_blocks.first_seq',
  'event_blocks.last_seq',
  'fills.seq',
  'orders.slice_num',
  'orders.total_slices',
  'sweeps.sweep_seed',
  'sweeps.paths_requested',
  'sweeps.paths_done',
  'sweeps.paths_passed',
  'sweeps.writer_pid',
  'sweep_paths.path',
  'sweep_paths.seed',
  'sweep_paths.grid_point',
  'sweep_path_parents.path',
  'sweep_unit_results.unit',
]);

const WANTED_WORDS: Readonly<Record<Wants, string>> = { text: 'text', number: 'a number', whole: 'a whole number' };

/** What execsim writes in `table.column`, declared `type`, or null for a column not checked. */
function wanted(table: string, column: string, type: string | null): Wants | null {
  if (type === null) return null;
  const t = type.toUpperCase();
  if (t.includes('INT') || t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB'))
    return WHOLE.has(`${table}.${column}`) ? 'whole' : 'number';
  if (t.includes('TEXT') || t.includes('CHAR') || t.includes('CLOB')) return 'text';
  return null;
}

const fits = (v: unknown, wants: Wants): boolean =>
  v === null ||
  (wants === 'text'
    ? typeof v === 'string'
    : wants === 'whole'
      ? Number.isSafeInteger(v)
      : typeof v === 'number' && Number.isFinite(v));

/** Where a statement names the run or sweep its rows belong to: the place of the positional
 *  parameter of its first `run_id = ?` or `sweep_id = ?` (a run's orders, fills and parents are
 *  read by run id without selecting it). */
function ownerParameter(source: string): { readonly kind: 'run' | 'sweep'; readonly place: number } | null {
  const m = /\b(run_id|sweep_id)\s*=\s*\?/.exec(source);
  if (m === null) return null;
  const place = (source.slice(0, m.index + m[0].length).match(/\?/g) ?? []).length - 1;
  return { kind: m[1] === 'run_id' ? 'run' : 'sweep', place };
}

/** Whose row it is: its run or sweep, from the row itself, else from the statement's parameter. */
function subjectOf(
  row: unknown,
  table: string,
  args: readonly unknown[],
  owner: ReturnType<typeof ownerParameter>,
): string {
  const fields = typeof row === 'object' && row !== null && !Array.isArray(row) && !(row instanceof Uint8Array);
  const id = (key: string): string | null => {
    const v = fields ? (row as Record<string, unknown>)[key] : undefined;
    return v === undefined || v === null ? null : storedText(v);
  };
  const run = id('run_id') ?? (table === 'runs' ? id('id') : null);
  if (run !== null) return `run ${run}`;
  const sweep = id('sweep_id') ?? (table === 'sweeps' ? id('id') : null);
  if (sweep !== null) return `sweep ${sweep}`;
  const bound = owner === null ? undefined : args.flat()[owner.place];
  return owner !== null && typeof bound === 'string' ? `${owner.kind} ${bound}` : `a row of ${table}`;
}

function checker(
  db: Database.Database,
  stmt: Database.Statement,
): ((row: unknown, args: readonly unknown[]) => void) | null {
  const checks: ColumnCheck[] = [];
  stmt.columns().forEach((c, index) => {
    const wants = c.table === null || c.column === null ? null : wanted(c.table, c.column, c.type);
    if (wants !== null)
      checks.push({ name: c.name, index, table: c.table as string, column: c.column as string, wants });
  });
  if (checks.length === 0) return null;
  const owner = ownerParameter(stmt.source);
  const fail = (row: unknown, args: readonly unknown[], c: ColumnCheck, v: unknown): never => {
    throw new StoredDataError(
      db.name,
      subjectOf(row, c.table, args, owner),
      `${c.table}.${c.column}: ${describedValue(v)} where execsim writes ${WANTED_WORDS[c.wants]}`,
    );
  };
  return (row, args) => {
    if (row === undefined) return;
    // An object row (the default), a raw row (an array), or a plucked value (the first column).
    const fields = typeof row === 'object' && row !== null && !Array.isArray(row) && !(row instanceof Uint8Array);
    for (const c of checks) {
      const v = fields
        ? (row as Record<string, unknown>)[c.name]
        : Array.isArray(row)
          ? (row[c.index] as unknown)
          : c.index === 0
            ? row
            : null;
      if (!fits(v, c.wants)) fail(row, args, c, v);
    }
  };
}

/** Makes every statement `db` prepares from now on check the rows it reads (see the top of the
 *  file). Statements that write are left as they are. */
export function checkReads(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const stmt = prepare(source);
    if (!stmt.reader) return stmt;
    const check = checker(db, stmt);
    if (check === null) return stmt;
    const { get, all, iterate } = stmt;
    stmt.get = (...args: unknown[]) => {
      const row = get.apply(stmt, args);
      check(row, args);
      return row;
    };
    stmt.all = (...args: unknown[]) => {
      const rows = all.apply(stmt, args);
      for (const row of rows) check(row, args);
      return rows;
    };
    stmt.iterate = function* (...args: unknown[]) {
      for (const row of iterate.apply(stmt, args)) {
        check(row, args);
        yield row;
      }
    } as typeof stmt.iterate;
    return stmt;
  }) as typeof db.prepare;
}
