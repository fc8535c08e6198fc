// A run's stored event log as rows, for tests that look into the database itself: the blocks of
// event_blocks decoded (and the rows of runs stored before blocks), and the ways a test edits it
// by hand: one event's payload changed in its block, or a run's blocks turned back into the rows
// an older execsim wrote (schema version 11), to test that form.
import type Database from 'better-sqlite3';
import { decodeEventBlock, encodeEventBlock } from '../../src/store/event-blocks.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

export interface StoredRow {
  readonly run_id: string;
  readonly seq: number;
  readonly time: number;
  readonly kind: string;
  readonly payload: string;
}

interface BlockRow {
  readonly id: number;
  readonly run_id: string;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly encoding: string;
  readonly data: Uint8Array;
}

function blocks(db: Database.Database, runId?: string): BlockRow[] {
  return db
    .prepare(
      `SELECT rowid AS id, run_id, first_seq, last_seq, encoding, data FROM event_blocks
       ${runId === undefined ? '' : 'WHERE run_id = ?'} ORDER BY run_id, last_seq`,
    )
    .all(...(runId === undefined ? [] : [runId])) as BlockRow[];
}

function linesOf(b: BlockRow) {
  const lines = decodeEventBlock(b.first_seq, b.last_seq, b.encoding, b.data);
  if (typeof lines === 'string') throw new Error(`run ${b.run_id} block ${b.first_seq}-${b.last_seq}: ${lines}`);
  return lines;
}

/** Every stored entry of `runId` (or of every run), rows first, then blocks, by run and seq. */
export function storedRows(db: Database.Database, runId?: string): StoredRow[] {
  const rows = db
    .prepare(
      `SELECT run_id, seq, time, kind, payload FROM events ${runId === undefined ? '' : 'WHERE run_id = ?'}
       ORDER BY run_id, seq`,
    )
    .all(...(runId === undefined ? [] : [runId])) as StoredRow[];
  for (const b of blocks(db, runId))
    for (const [seq, time, kind, payload] of linesOf(b)) rows.push({ run_id: b.run_id, seq, time, kind, payload });
  return rows.sort((a, b) => (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : a.seq - b.seq));
}

/** How many entries are stored (of `runId`, or of every run). */
export const storedCount = (db: Database.Database, runId?: string): number => storedRows(db, runId).length;

/** The stored entries of `kind` of `runId`, in seq order. */
export const storedOfKind = (db: Database.Database, runId: string, kind: string): StoredRow[] =>
  storedRows(db, runId).filter((r) => r.kind === kind);

/** Writes the block `b` again with its lines given by `edit` (lines without their newline). */
function rewrite(db: Database.Database, b: BlockRow, edit: (lines: string[]) => string[]): void {
  const text = linesOf(b).map(([seq, time, kind, payload]) => `${seq} ${time} ${kind} ${payload}`);
  const { encoding, data } = encodeEventBlock(
    Buffer.from(
      edit(text)
        .map((l) => `${l}\n`)
        .join(''),
      'utf8',
    ),
  );
  db.prepare('UPDATE event_blocks SET encoding = ?, data = ? WHERE rowid = ?').run(encoding, data, b.id);
}

/** The block of `runId` that holds entry `seq`. */
export function blockOf(db: Database.Database, runId: string, seq: number): BlockRow {
  const b = blocks(db, runId).find((x) => x.first_seq <= seq && seq <= x.last_seq);
  if (b === undefined) throw new Error(`run ${runId} has no block holding seq ${seq}`);
  return b;
}

/** Sets the stored payload of entry `seq` of `runId` to `payload` (text as it is, by hand: it
 *  may be anything), in its block, or in its row for a run stored as rows. */
export function setStoredPayload(db: Database.Database, runId: string, seq: number, payload: string): void {
  if (db.prepare('UPDATE events SET payload = ? WHERE run_id = ? AND seq = ?').run(payload, runId, seq).changes > 0)
    return;
  const b = blockOf(db, runId, seq);
  rewrite(db, b, (lines) =>
    lines.map((l, i) => (b.first_seq + i === seq ? l.split(' ', 3).join(' ') + ` ${payload}` : l)),
  );
}

/** Removes entry `seq` of `runId` from its block (the block then holds one line fewer than its
 *  seqs say: damaged), or its row. */
export function dropStoredLine(db: Database.Database, runId: string, seq: number): void {
  const b = blockOf(db, runId, seq);
  rewrite(db, b, (lines) => lines.filter((_, i) => b.first_seq + i !== seq));
}

/** Stores run `runId`'s blocks as the rows an execsim before blocks wrote (schema version 11),
 *  which wrote its order and fill rows with its log: they are built first. */
export function asRows(db: Database.Database, runId: string): void {
  projectRun(db, runId);
  db.prepare('UPDATE runs SET projected_seq = NULL WHERE id = ?').run(runId);
  const insert = db.prepare('INSERT INTO events (run_id, seq, time, kind, payload) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const b of blocks(db, runId)) {
      for (const [seq, time, kind, payload] of linesOf(b)) insert.run(runId, seq, time, kind, payload);
      db.prepare('DELETE FROM event_blocks WHERE rowid = ?').run(b.id);
    }
  })();
}

/** Columns of a run's rows that name its writer or how it kept its tables (its process, its
 *  heartbeat, how far its order rows are built, the digest it recorded as it went), not what it
 *  stored: comparisons of one run stored two ways leave them out. */
export const WRITER_COLUMNS: readonly string[] = [
  'run_id',
  'id',
  'writer_pid',
  'writer_host',
  'heartbeat_at',
  'projected_seq',
  'log_digest',
];

/** The rows `sql` answers for run `runId` (its one parameter), without the columns `omit`. */
export function rowsWithout(
  db: Database.Database,
  sql: string,
  runId: string,
  omit: readonly string[] = WRITER_COLUMNS,
): Record<string, unknown>[] {
  return (db.prepare(sql).all(runId) as Record<string, unknown>[]).map((row) =>
    Object.fromEntries(Object.entries(row).filter(([column]) => !omit.includes(column))),
  );
}
