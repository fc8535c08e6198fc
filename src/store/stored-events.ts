// Reading a run's stored event log, whichever way it was stored: runs stored before schema
// version 12 keep a row per entry in `events`; later ones keep blocks of entries in
// `event_blocks` (event-blocks.ts). A run resumed by a newer execsim (a paper run) has its earlier
// entries as rows and its later ones in blocks, so rows first, then blocks, is seq order. Every
// read of the log in the store goes through here: seq ranges, kinds (and given seqs whatever
// their kind), a page's limit, the kinds stored, and deleting them. A block that is not what execsim writes
// is a StoredDataError naming the run and the seqs it holds.
import type Database from 'better-sqlite3';
import { blockText, kindOf, lineOf, type BlockText, type StoredLine } from './event-blocks.ts';
import { SPARSE_KINDS } from './migrations.ts';
import { damagedEventBlock } from './stored-data.ts';

export type { StoredLine } from './event-blocks.ts';

/** Which entries: seq from..to (both included), of these kinds only (all when absent or empty),
 *  and, whatever their kind, those of `alsoSeqs`. */
export interface StoredEventFilter {
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly kinds?: readonly string[] | undefined;
  readonly alsoSeqs?: ReadonlySet<number> | undefined;
  /** At most this many. */
  readonly limit?: number | undefined;
}

/** The number of a run's stored entries (the log is gap-free: its last seq), as SQL over the runs
 *  table's row `runs`: the last block's last seq, else the last row's (older runs). Each is one
 *  index lookup. */
export const STORED_EVENTS_SQL = `COALESCE((SELECT MAX(last_seq) FROM event_blocks b WHERE b.run_id = runs.id),
  (SELECT MAX(seq) FROM events WHERE events.run_id = runs.id), 0)`;

interface BlockHead {
  readonly id: number;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly kinds: string;
}

/** A connection's statements, prepared once (a read of a long log reads many blocks). */
const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function prepared(db: Database.Database, sql: string): Database.Statement {
  let mine = statements.get(db);
  if (mine === undefined) statements.set(db, (mine = new Map()));
  let stmt = mine.get(sql);
  if (stmt === undefined) mine.set(sql, (stmt = db.prepare(sql)));
  // Still iterating for another read of the same connection: a statement of its own.
  return stmt.busy ? db.prepare(sql) : stmt;
}

/** The blocks of `runId` that hold entries from..to of one of `kinds` (any kind when null), in
 *  seq order, without their data: the (run_id, last_seq, first_seq, kinds) index alone, read
 *  lazily (a page of a long log reads the blocks it needs, not the rest of the run's). */
function blockHeads(db: Database.Database, runId: string, from: number, to: number, kinds: readonly string[] | null) {
  const kindClause =
    kinds !== null && kinds.length > 0 ? ` AND (${kinds.map(() => 'instr(kinds, ?) > 0').join(' OR ')})` : '';
  return prepared(
    db,
    `SELECT rowid AS id, first_seq, last_seq, kinds FROM event_blocks INDEXED BY event_blocks_seq
     WHERE run_id = ? AND last_seq >= ? AND first_seq <= ?${kindClause} ORDER BY last_seq`,
  ).iterate(runId, from, to, ...(kinds ?? []).map((k) => ` ${k} `)) as IterableIterator<BlockHead>;
}

/** One block (by its rowid), its text read; damaged: a StoredDataError. */
function readBlock(db: Database.Database, runId: string, head: BlockHead): BlockText {
  const row = prepared(db, 'SELECT encoding, data FROM event_blocks WHERE rowid = ?').get(head.id) as
    { encoding: unknown; data: unknown } | undefined;
  const b = row === undefined ? 'the block is gone' : blockText(head.first_seq, head.last_seq, row.encoding, row.data);
  if (typeof b === 'string') throw damagedEventBlock(db, runId, head.first_seq, head.last_seq, b);
  return b;
}

/** Line `i` of block `b`; damaged: a StoredDataError. */
function lineAt(db: Database.Database, runId: string, head: BlockHead, b: BlockText, i: number): StoredLine {
  const line = lineOf(b, i);
  if (typeof line === 'string') throw damagedEventBlock(db, runId, head.first_seq, head.last_seq, line);
  return line;
}

/** Whether a sorted list holds a number from `lo` to `hi`. */
function holdsBetween(sorted: readonly number[], lo: number, hi: number): boolean {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if ((sorted[m] as number) < lo) a = m + 1;
    else b = m;
  }
  return a < sorted.length && (sorted[a] as number) <= hi;
}

/** A run's stored entries as [seq, time, kind, payload JSON], in seq order, streamed (a block at
 *  a time; of a block, only the lines asked for are read). */
export function* storedEventLines(
  db: Database.Database,
  runId: string,
  f: StoredEventFilter = {},
): Generator<StoredLine> {
  const from = f.from ?? 0;
  const to = f.to ?? Number.MAX_SAFE_INTEGER;
  const kinds = f.kinds ?? [];
  const also = f.alsoSeqs !== undefined && f.alsoSeqs.size > 0 ? [...f.alsoSeqs].sort((a, b) => a - b) : [];
  let left = f.limit ?? Number.POSITIVE_INFINITY;
  if (left <= 0) return;
  for (const row of storedRows(db, runId, from, to, kinds, also)) {
    yield row;
    if (--left <= 0) return;
  }
  const wanted = kinds.length > 0 ? new Set(kinds) : null;
  const alsoSet = also.length > 0 ? new Set(also) : null;
  // With seqs wanted whatever their kind, blocks are chosen here: those of a kind asked for or
  // holding one of the seqs.
  const heads = blockHeads(db, runId, from, to, alsoSet === null ? kinds : null);
  for (const head of heads) {
    if (
      alsoSet !== null &&
      wanted !== null &&
      !kinds.some((k) => head.kinds.includes(` ${k} `)) &&
      !holdsBetween(also, head.first_seq, head.last_seq)
    )
      continue;
    const b = readBlock(db, runId, head);
    const lo = Math.max(0, from - head.first_seq);
    const hi = Math.min(b.starts.length - 2, to - head.first_seq);
    for (let i = lo; i <= hi; i++) {
      if (wanted !== null && !alsoSet?.has(head.first_seq + i)) {
        const kind = kindOf(b, i);
        if (kind !== null && !wanted.has(kind)) continue;
      }
      yield lineAt(db, runId, head, b, i);
      if (--left <= 0) return;
    }
  }
}

/** The rows of a run stored before blocks, from..to, of `kinds` (all when empty) or of seqs
 *  `also` (sorted: each looked up), in seq order. */
function* storedRows(
  db: Database.Database,
  runId: string,
  from: number,
  to: number,
  kinds: readonly string[],
  also: readonly number[],
): Generator<StoredLine> {
  // The kind index of the rows leaves market samples out: a query for other kinds says so.
  const kindClause =
    kinds.length === 0
      ? ''
      : ` AND kind IN (${kinds.map(() => '?').join(', ')})${kinds.includes('MarketSampled') ? '' : ` AND ${SPARSE_KINDS}`}`;
  const rows = prepared(
    db,
    `SELECT seq, time, kind, payload FROM events WHERE run_id = ? AND seq BETWEEN ? AND ?${kindClause} ORDER BY seq`,
  )
    .raw(true)
    .iterate(runId, from, to, ...kinds) as IterableIterator<StoredLine>;
  if (also.length === 0 || kinds.length === 0) {
    yield* rows;
    return;
  }
  // Merged with the rows of the seqs asked for whatever their kind.
  const one = prepared(db, 'SELECT seq, time, kind, payload FROM events WHERE run_id = ? AND seq = ?').raw(true);
  let a = 0;
  const next = (): StoredLine | undefined => {
    while (a < also.length) {
      const seq = also[a++] as number;
      if (seq < from || seq > to) continue;
      const row = one.get(runId, seq) as StoredLine | undefined;
      if (row !== undefined && !kinds.includes(row[2])) return row;
    }
    return undefined;
  };
  let extra = next();
  for (const row of rows) {
    while (extra !== undefined && extra[0] < row[0]) {
      yield extra;
      extra = next();
    }
    yield row;
  }
  for (; extra !== undefined; extra = next()) yield extra;
}
/** The kinds of entry a run has stored. */
export function storedEventKinds(db: Database.Database, runId: string): string[] {
  // Rows: the sparse kinds from the kind index; market samples, which it leaves out, by the first
  // one (in the log of a run stored before samples were kept beside it).
  const kinds = new Set(
    db
      .prepare(
        `SELECT DISTINCT kind FROM events WHERE run_id = ? AND kind <> 'MarketSampled'
         UNION SELECT kind FROM (SELECT kind FROM events WHERE run_id = ? AND kind = 'MarketSampled' LIMIT 1)`,
      )
      .pluck()
      .all(runId, runId) as string[],
  );
  for (const column of prepared(db, 'SELECT kinds FROM event_blocks INDEXED BY event_blocks_seq WHERE run_id = ?')
    .pluck()
    .iterate(runId) as IterableIterator<unknown>)
    if (typeof column === 'string') for (const k of column.split(' ')) if (k !== '') kinds.add(k);
  return [...kinds];
}

/** Deletes a run's stored entries (the caller holds the transaction); returns how many. The
 *  first statement writes: a transaction that read first would have to upgrade its lock, which
 *  SQLite refuses at once (no busy wait) when another connection has committed meanwhile. */
export function deleteStoredEvents(db: Database.Database, runId: string): number {
  const rows = db.prepare('DELETE FROM events WHERE run_id = ?').run(runId).changes;
  const inBlocks = db
    .prepare('SELECT COALESCE(SUM(last_seq - first_seq + 1), 0) FROM event_blocks WHERE run_id = ?')
    .pluck()
    .get(runId) as number;
  db.prepare('DELETE FROM event_blocks WHERE run_id = ?').run(runId);
  return rows + inBlocks;
}
