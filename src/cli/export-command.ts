// `execsim export <runId> --fills|--orders [--out FILE]`: a stored run's fills or orders as
// RFC 4180 CSV (a header row, CRLF line ends, fields quoted when they hold a comma, a quote or a
// line break), prices and quantities as the decimal strings the store holds, times as ISO-8601
// UTC. An export is its own command rather than a `show` flag: show prints and verifies a run
// for people, export writes data for other programs, with its own output file, and has room for
// other tables later. With --out the CSV is written to a temporary file beside FILE and renamed
// over it, so FILE is either the whole export or untouched.
import { closeSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { described, StoreError } from '../store/open-database.ts';
import { ReadModel } from '../store/read-model.ts';
import { EXPORT_FILL_COLUMNS, EXPORT_ORDER_COLUMNS } from '../store/run-export.ts';
import { DB_FLAG_HELP, dbPath, parseCommand, UsageError, type Io } from './io.ts';

interface Column {
  readonly name: string;
  readonly time?: boolean;
}

/** Columns holding epoch-ms times, written as ISO-8601. */
const TIME_COLUMNS: ReadonlySet<string> = new Set(['venue_time', 'scheduled_time', 'created_at', 'updated_at']);

/** The read model's export columns, in its order. */
const columnsOf = (names: readonly string[]): readonly Column[] =>
  names.map((name) => ({ name, time: TIME_COLUMNS.has(name) }));

const FILL_COLUMNS = columnsOf(EXPORT_FILL_COLUMNS);
const ORDER_COLUMNS = columnsOf(EXPORT_ORDER_COLUMNS);

export const EXPORT_USAGE = 'usage: execsim export <runId> (--fills | --orders) [--out FILE] [--db PATH]';
export const EXPORT_HELP = `${EXPORT_USAGE}
Writes a stored run's fills or orders as CSV (RFC 4180: a header row, CRLF line ends, quoted
fields where needed), to stdout or to FILE. Prices, quantities and fees are decimal strings as
stored (no rounding, no exponents); times are ISO-8601 UTC with milliseconds; an empty field is
a value that does not apply (a parent's venue order id, an unfilled order's average price).
  --fills       one row per fill: ${FILL_COLUMNS.map((c) => c.name).join(', ')}
                (venue_time: when the venue says the trade happened, on its clock)
  --orders      one row per order, parents (no parent_order_id) and their child orders:
                ${ORDER_COLUMNS.map((c) => c.name).join(', ')}
  --out FILE    write FILE (replaced whole, through a temporary file renamed over it; its
                folder must exist) instead of stdout
${DB_FLAG_HELP}; never created
  -h, --help    this help
A stored time that a date cannot hold (the database edited by hand) stops the export before
anything is written, with one message naming the row and the column.
Exit codes: 0, 2 bad input (an unknown run id, neither or both of --fills and --orders, an
unwritable FILE, no database, a stored time that is not a date).`;

export function exportCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parseCommand(
    args,
    {
      fills: { type: 'boolean', default: false },
      orders: { type: 'boolean', default: false },
      out: { type: 'string' },
      db: { type: 'string' },
    },
    EXPORT_USAGE,
  );
  if (values.help) {
    io.out(EXPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('export needs exactly one run id', EXPORT_USAGE);
  if (values.fills === values.orders)
    throw new UsageError('export needs exactly one of --fills and --orders', EXPORT_USAGE);
  const id = positionals[0] as string;
  const db = dbPath(values.db, io);
  if (values.out !== undefined) checkOutPath(values.out, db);
  const model = ReadModel.open(db);
  try {
    if (!model.summary(id)) throw new UsageError(`no run with id "${id}" (see \`execsim runs\`)`, EXPORT_USAGE);
    // Checked before the first row is written: a time edited by hand stops the export before
    // stdout has half of it.
    const problem = model.unexportableTime(id, values.fills ? 'fills' : 'orders');
    if (problem !== null) throw new StoreError(`database ${db}: run ${id}: ${problem}; nothing was exported`);
    const rows = values.fills ? model.exportFills(id) : model.exportOrders(id);
    const columns = values.fills ? FILL_COLUMNS : ORDER_COLUMNS;
    try {
      if (values.out === undefined) {
        // io.out ends each chunk with \n: a chunk ending in \r makes it the CRLF the format wants.
        for (const chunk of csvChunks(columns, rows)) io.out(chunk.text.slice(0, -1));
        return 0;
      }
      const n = writeWhole(values.out, csvChunks(columns, rows));
      io.out(`wrote ${n} ${values.fills ? 'fill' : 'order'}${n === 1 ? '' : 's'} of run ${id} to ${values.out}`);
      return 0;
    } finally {
      // The query is open from the first call: a write that failed before reading it all leaves
      // it running, and the connection cannot close under a running query.
      rows.return?.();
    }
  } catch (err) {
    throw described(err, db);
  } finally {
    model.close();
  }
}

/** One CSV field: times as ISO-8601 UTC, null as empty, quoted when it must be. A time that is
 *  not a date is a StoreError (the export checks its times first: this is not reached). */
export function csvField(value: unknown, time = false): string {
  if (value === null || value === undefined) return '';
  const date = time ? new Date(typeof value === 'number' ? value : NaN) : null;
  if (date !== null && Number.isNaN(date.getTime()))
    throw new StoreError(`a stored time, ${String(value)}, is not a time a date can hold`);
  const text = date !== null ? date.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text in chunks of whole rows, each ending in CRLF; the header first. */
export function* csvChunks(
  columns: readonly Column[],
  rows: Iterable<readonly unknown[]>,
): Generator<{ text: string; rows: number }> {
  let lines: string[] = [columns.map((c) => csvField(c.name)).join(',')];
  let n = 0;
  for (const row of rows) {
    lines.push(columns.map((c, i) => csvField(row[i], c.time)).join(','));
    n++;
    if (lines.length >= 1_000) {
      yield { text: lines.join('\r\n') + '\r\n', rows: n };
      lines = [];
      n = 0;
    }
  }
  if (lines.length > 0) yield { text: lines.join('\r\n') + '\r\n', rows: n };
}

/** --out must name a file in an existing folder (the export creates no folders), and not the
 *  database being read or its -wal and -shm files (renamed over, the runs would be gone). */
function checkOutPath(out: string, db: string): void {
  if (out === '') throw new UsageError('--out: an empty path; name the file to write', EXPORT_USAGE);
  if (/[\\/]$/.test(out))
    throw new UsageError(`--out ${out}: ends in a path separator (a folder); name the file to write`, EXPORT_USAGE);
  try {
    if (statSync(out).isDirectory())
      throw new UsageError(`--out ${out}: is a folder; name the file to write`, EXPORT_USAGE);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  let folder;
  try {
    folder = statSync(dirname(out));
  } catch {
    throw new UsageError(`--out ${out}: the folder ${dirname(out)} does not exist`, EXPORT_USAGE);
  }
  if (!folder.isDirectory()) throw new UsageError(`--out ${out}: ${dirname(out)} is not a folder`, EXPORT_USAGE);
  const target = statSync(out, { throwIfNoEntry: false });
  if (target === undefined) return;
  for (const file of [db, `${db}-wal`, `${db}-shm`]) {
    const st = statSync(file, { throwIfNoEntry: false });
    if (st !== undefined && st.dev === target.dev && st.ino === target.ino)
      throw new UsageError(
        `--out ${out}: is the database file ${file} that the export reads; name another file`,
        EXPORT_USAGE,
      );
  }
}

/** Writes the chunks to a temporary file beside `out`, then renames it over `out`; on any error
 *  the temporary file is removed and `out` is as it was (a failed write or rename is a
 *  UsageError naming --out; an error from the chunks is thrown as it is). Returns the rows
 *  written. */
export function writeWhole(out: string, chunks: Iterable<{ text: string; rows: number }>): number {
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw new UsageError(
      `--out ${out}: cannot write in ${dirname(out)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      EXPORT_USAGE,
    );
  }
  let n = 0;
  try {
    for (const chunk of chunks) {
      writeSync(fd, chunk.text);
      n += chunk.rows;
    }
    closeSync(fd);
    renameSync(tmp, out);
    return n;
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
    const e = err as NodeJS.ErrnoException;
    if (e.syscall === 'write' || e.syscall === 'rename' || e.syscall === 'close')
      throw new UsageError(`--out ${out}: cannot write it (${e.code ?? e.message})`, EXPORT_USAGE);
    throw err;
  }
}
