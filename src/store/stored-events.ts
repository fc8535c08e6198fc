// Reading a run's stored event log, whichever way it was stored: runs stored before schema
// version 12 keep a row per entry in `events`; later ones keep blocks of entries in
// `event_blocks` (event-blocks.ts). A run resumed by a newer execsim (a paper run) has its earlier
// entries as rows and its later ones in blocks, so rows first, then blocks, is seq order. Every
// read of the log in the store goes through here: seq ranges, kinds, a page's limit, the kinds
// stored, the times of given entries, and deleting them. A block that is not what execsim writes
// is a StoredDataError naming the run and the seqs it holds.
import type Database from 'better-sqlite3';
import { decodeEventBlock, type StoredLine } from './event-blocks.ts';
import { SPARSE_KINDS } from './migrations.ts';
import { damagedEventBlock } from './stored-data.ts';

export type { StoredLine } from './event-blocks.ts';

/** Which entries: seq from..to (both included), of these kinds only (all when absent or empty). */
export interface StoredEventFilter {
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly kinds?: readonly string[] | undefined;
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
}

/** The blocks of `runId` that hold entries from..to of one of `kinds` (any kind when empty), in
 *  seq order, without their data: the (run_id, last_seq, first_seq, kinds) index alone, read
 *  lazily (a page of a long log reads the blocks it needs, not the rest of the run's). */
function blockHeads(db: Database.Database, runId: string, from: number, to: number, kinds: readonly string[]) {
  const kindClause = kinds.length > 0 ? ` AND (${kinds.map(() => 'instr(kinds, ?) > 0').join(' OR ')})` : '';
  return db
    .prepare(
      `SELECT rowid AS id, first_seq, last_seq FROM event_blocks INDEXED BY event_blocks_seq
       WHERE run_id = ? AND last_seq >= ? AND first_seq <= ?${kindClause} ORDER BY last_seq`,
    )
    .iterate(runId, from, to, ...kinds.map((k) => ` ${k} `)) as IterableIterator<BlockHead>;
}

/** The lines of one block (by its rowid), decoded; damaged: a StoredDataError. */
function blockLines(db: Database.Database, runId: string, head: BlockHead): StoredLine[] {
  const row = db.prepare('SELECT encoding, data FROM event_blocks WHERE rowid = ?').get(head.id) as
    { encoding: unknown; data: unknown } | undefined;
  const lines =
    row === undefined ? 'the block is gone' : decodeEventBlock(head.first_seq, head.last_seq, row.encoding, row.data);
  if (typeof lines === 'string') throw damagedEventBlock(db, runId, head.first_seq, head.last_seq, lines);
  return lines;
}

/** A run's stored entries as [seq, time, kind, payload JSON], in seq order, streamed (a block at
 *  a time). */
export function* storedEventLines(
  db: Database.Database,
  runId: string,
  f: StoredEventFilter = {},
): Generator<StoredLine> {
  const from = f.from ?? 0;
  const to = f.to ?? Number.MAX_SAFE_INTEGER;
  const kinds = f.kinds ?? [];
  let left = f.limit ?? Number.POSITIVE_INFINITY;
  if (left <= 0) return;
  // The kind index of the rows leaves market samples out: a query for other kinds says so.
  const kindClause =
    kinds.length === 0
      ? ''
      : ` AND kind IN (${kinds.map(() => '?').join(', ')})${kinds.includes('MarketSampled') ? '' : ` AND ${SPARSE_KINDS}`}`;
  const rows = db
    .prepare(
      `SELECT seq, time, kind, payload FROM events WHERE run_id = ? AND seq BETWEEN ? AND ?${kindClause} ORDER BY seq
       ${f.limit === undefined ? '' : 'LIMIT ?'}`,
    )
    .raw()
    .iterate(runId, from, to, ...kinds, ...(f.limit === undefined ? [] : [f.limit])) as IterableIterator<StoredLine>;
  for (const row of rows) {
    yield row;
    if (--left <= 0) return;
  }
  const wanted = kinds.length > 0 ? new Set(kinds) : null;
  for (const head of blockHeads(db, runId, from, to, kinds)) {
    for (const line of blockLines(db, runId, head)) {
      if (line[0] < from || line[0] > to || (wanted !== null && !wanted.has(line[2]))) continue;
      yield line;
      if (--left <= 0) return;
    }
  }
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
  for (const column of db
    .prepare('SELECT kinds FROM event_blocks INDEXED BY event_blocks_seq WHERE run_id = ?')
    .pluck()
    .iterate(runId) as IterableIterator<unknown>)
    if (typeof column === 'string') for (const k of column.split(' ')) if (k !== '') kinds.add(k);
  return [...kinds];
}

/** The times of the stored entries `seqs` (those stored), by seq. */
export function storedEventTimes(db: Database.Database, runId: string, seqs: Iterable<number>): Map<number, number> {
  const wanted = [...new Set(seqs)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  if (wanted.length === 0) return out;
  const row = db.prepare('SELECT time FROM events WHERE run_id = ? AND seq = ?').pluck();
  const first = wanted[0] as number;
  const last = wanted[wanted.length - 1] as number;
  let w = 0;
  for (const head of blockHeads(db, runId, first, last, [])) {
    while (w < wanted.length && (wanted[w] as number) < head.first_seq) {
      const time = row.get(runId, wanted[w]) as number | undefined;
      if (time !== undefined) out.set(wanted[w] as number, time);
      w++;
    }
    if (w >= wanted.length) break;
    if ((wanted[w] as number) > head.last_seq) continue;
    for (const [seq, time] of blockLines(db, runId, head)) {
      if (seq === wanted[w]) {
        out.set(seq, time);
        w++;
      }
    }
  }
  for (; w < wanted.length; w++) {
    const time = row.get(runId, wanted[w]) as number | undefined;
    if (time !== undefined) out.set(wanted[w] as number, time);
  }
  return out;
}

/** Deletes a run's stored entries (the caller holds the transaction); returns how many. */
export function deleteStoredEvents(db: Database.Database, runId: string): number {
  const inBlocks = db
    .prepare('SELECT COALESCE(SUM(last_seq - first_seq + 1), 0) FROM event_blocks WHERE run_id = ?')
    .pluck()
    .get(runId) as number;
  db.prepare('DELETE FROM event_blocks WHERE run_id = ?').run(runId);
  return inBlocks + db.prepare('DELETE FROM events WHERE run_id = ?').run(runId).changes;
}
