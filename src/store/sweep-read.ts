// Reads stored sweeps for the HTTP server and the CLI (through the read model): the list (newest
// first, keyset-paged), one sweep with its per-parent and per-grid-point statistics (computed in
// SQL by sweep-statistics.ts), and a sweep's paths keyset-paged in seed, shortfall or fill-ratio
// order; a sweep's shortfall histogram is sweep-histogram.ts's. A sweep whose writer is gone is
// shown as crashed, as a run is (run-state.ts). Reading writes nothing. Its JSON columns are read
// by sweep-columns.ts (damaged ones are a StoredDataError naming the sweep and the column).
import type Database from 'better-sqlite3';
import { localLiveness, STALE_HEARTBEAT_MS, type Liveness } from './run-state.ts';
import { storedGrid, storedResult, type ExpectationTally, type GridAxes } from './sweep-columns.ts';
import {
  gridPointStatistics,
  parentStatistics,
  type GridPointStatistics,
  type ParentStatistics,
} from './sweep-statistics.ts';
import type { SweepStatus } from './stored-rows.ts';

export type { ExpectationTally } from './sweep-columns.ts';

export type SweepState = SweepStatus | 'crashed';

export interface SweepListQuery {
  readonly cursor?: string | undefined;
  /** 1 to 500; default 50. */
  readonly limit?: number | undefined;
}

export type SweepPathSort = 'seed' | 'shortfall' | 'fillRatio';

export interface SweepPathsQuery extends SweepListQuery {
  readonly sort?: SweepPathSort | undefined;
  readonly order?: 'asc' | 'desc' | undefined;
}

/** A sweep's state and how many of its paths are done. */
export interface SweepProgress {
  readonly state: SweepState;
  readonly pathsDone: number;
  readonly pathsRequested: number;
}

export interface SweepSummary {
  readonly id: string;
  readonly scenario: string;
  readonly scenarioHash: string;
  readonly sweepSeed: number;
  readonly pathsRequested: number;
  /** Paths stored (whole, committed). */
  readonly pathsDone: number;
  /** Stored paths on which every expectation held, and on which one did not. */
  readonly pathsPassed: number;
  readonly pathsFailed: number;
  readonly state: SweepState;
  readonly codeVersion: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
  /** A grid sweep's axes (each key with its values, as given); null for a plain sweep. Then
   *  pathsRequested counts every point's paths. */
  readonly grid: GridAxes | null;
}

export interface SweepDetail extends SweepSummary {
  readonly scenarioFile: string;
  readonly parents: readonly ParentStatistics[];
  /** Per expectation, the paths on which it held; null until the sweep finished. */
  readonly expectations: readonly ExpectationTally[] | null;
  /** A grid sweep's stored paths per point (as they are stored, so also while it runs); null for
   *  a plain sweep. */
  readonly gridPoints: readonly GridPointStatistics[] | null;
  /** A finished grid sweep's full report (percentiles, confidence intervals, paired differences,
   *  best point per objective), as the CLI printed it; null otherwise. */
  readonly gridReport: unknown;
}

export interface SweepPathParent {
  readonly parent: string;
  readonly status: string;
  readonly shortfallBps: number | null;
  readonly shortfallQuote: number | null;
  readonly fillRatio: number | null;
  readonly vwapSlippageBps: number | null;
  readonly filledQty: number | null;
  readonly durationMs: number | null;
}

export interface SweepPathRow {
  /** The row's number in the sweep: the path index, or in a grid sweep path index x points + point. */
  readonly path: number;
  /** The grid point (0 in a plain sweep). */
  readonly point: number;
  readonly seed: number;
  readonly digest: string | null;
  readonly passed: boolean;
  readonly error: string | null;
  /** Over all the path's parents (bps of the arrival notional of what filled). */
  readonly shortfallBps: number | null;
  readonly fillRatio: number | null;
  /** The run this path was re-run as for drill-down, if it was. */
  readonly runId: string | null;
  readonly parents: readonly SweepPathParent[];
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** A cursor this reader did not issue, or issued for another order. */
export class InvalidCursorError extends Error {}

export const DEFAULT_PAGE = 50;
export const MAX_SWEEP_PAGE = 500;

interface SweepRowDb {
  id: string;
  scenario_name: string;
  scenario_hash: string;
  scenario_file: string;
  sweep_seed: number;
  paths_requested: number;
  paths_done: number;
  paths_passed: number;
  status: SweepStatus;
  code_version: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  writer_pid: number | null;
  writer_host: string | null;
  heartbeat_at: string | null;
  summary_json: string | null;
  grid_json: string | null;
}

type StateRow = Pick<SweepRowDb, 'status' | 'writer_pid' | 'writer_host' | 'heartbeat_at'>;

/** Running: crashed when its writer is gone here or its heartbeat is stale. Queued (no heartbeat
 *  until a worker takes it): crashed when the process that queued it is gone from this host. */
export function sweepState(row: StateRow, live: Liveness): SweepState {
  if (row.status !== 'running' && row.status !== 'queued') return row.status;
  const goneHere = row.writer_host === live.host && row.writer_pid !== null && !live.isAlive(row.writer_pid);
  if (goneHere) return 'crashed';
  if (row.status === 'queued') return 'queued';
  const beat = row.heartbeat_at === null ? NaN : Date.parse(row.heartbeat_at);
  if (!Number.isFinite(beat) || live.nowMs - beat > STALE_HEARTBEAT_MS) return 'crashed';
  return 'running';
}

const SUMMARY_COLUMNS = `id, scenario_name, scenario_hash, scenario_file, sweep_seed, paths_requested, paths_done,
  paths_passed, status, code_version, created_at, started_at, finished_at, error, writer_pid, writer_host, heartbeat_at,
  grid_json`;

function summaryOf(db: Database.Database, r: SweepRowDb, live: Liveness): SweepSummary {
  return {
    id: r.id,
    scenario: r.scenario_name,
    scenarioHash: r.scenario_hash,
    sweepSeed: r.sweep_seed,
    pathsRequested: r.paths_requested,
    pathsDone: r.paths_done,
    pathsPassed: r.paths_passed,
    pathsFailed: r.paths_done - r.paths_passed,
    state: sweepState(r, live),
    codeVersion: r.code_version,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    grid: storedGrid(db, r.id, r.grid_json),
  };
}

const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decodeCursor(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new InvalidCursorError('the cursor is not one this server issued');
  }
}

function pageSize(limit: number | undefined): number {
  const n = limit ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SWEEP_PAGE)
    throw new RangeError(`limit must be 1 to ${MAX_SWEEP_PAGE}`);
  return n;
}

/** Stored sweeps, newest first (created_at, then id, both descending). */
export function listSweeps(db: Database.Database, q: SweepListQuery, live = localLiveness()): Paged<SweepSummary> {
  const limit = pageSize(q.limit);
  let rows: SweepRowDb[];
  if (q.cursor === undefined) {
    rows = db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM sweeps ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(limit + 1) as SweepRowDb[];
  } else {
    const c = decodeCursor(q.cursor) as { k?: unknown; c?: unknown; i?: unknown };
    if (c === null || c.k !== 'sweeps' || typeof c.c !== 'string' || typeof c.i !== 'string')
      throw new InvalidCursorError('the cursor is not one of this list');
    rows = db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM sweeps WHERE (created_at, id) < (?, ?)
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(c.c, c.i, limit + 1) as SweepRowDb[];
  }
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => summaryOf(db, r, live)),
    nextCursor: more && last ? encodeCursor({ k: 'sweeps', c: last.created_at, i: last.id }) : null,
  };
}

/** One stored sweep with its per-parent statistics, or null. */
export function getSweep(db: Database.Database, id: string, live = localLiveness()): SweepDetail | null {
  const r = db.prepare(`SELECT ${SUMMARY_COLUMNS}, summary_json FROM sweeps WHERE id = ?`).get(id) as
    SweepRowDb | undefined;
  if (!r) return null;
  const { expectations, gridReport } = storedResult(db, id, r.summary_json);
  const summary = summaryOf(db, r, live);
  return {
    ...summary,
    scenarioFile: r.scenario_file,
    parents: parentStatistics(db, id, r.paths_done),
    expectations,
    gridPoints: summary.grid === null ? null : gridPointStatistics(db, id, summary.grid),
    gridReport,
  };
}

/** A stored sweep's state and path counts, or null: its row without the JSON columns, so a
 *  progress answer reads even when those were damaged. */
export function sweepProgress(db: Database.Database, id: string, live = localLiveness()): SweepProgress | null {
  const r = db
    .prepare(
      'SELECT status, writer_pid, writer_host, heartbeat_at, paths_requested, paths_done FROM sweeps WHERE id = ?',
    )
    .get(id) as (StateRow & Pick<SweepRowDb, 'paths_requested' | 'paths_done'>) | undefined;
  if (!r) return null;
  return { state: sweepState(r, live), pathsDone: r.paths_done, pathsRequested: r.paths_requested };
}

const SORT_COLUMN: Record<SweepPathSort, 'seed' | 'shortfall_bps' | 'fill_ratio'> = {
  seed: 'seed',
  shortfall: 'shortfall_bps',
  fillRatio: 'fill_ratio',
};

interface PathRowDb {
  path: number;
  grid_point: number;
  seed: number;
  digest: string | null;
  passed: 0 | 1;
  error: string | null;
  shortfall_bps: number | null;
  fill_ratio: number | null;
  run_id: string | null;
}

interface PathCursor {
  readonly k: 'paths';
  /** The sweep it pages: its sort values mean nothing on another sweep's paths. */
  readonly w: string;
  readonly s: SweepPathSort;
  readonly o: 'asc' | 'desc';
  /** The last item's sort value (null: it was in the trailing segment of paths without one). */
  readonly v: number | null;
  readonly p: number;
}

function pathCursor(text: string, sweepId: string, sort: SweepPathSort, order: 'asc' | 'desc'): PathCursor {
  const c = decodeCursor(text) as Partial<PathCursor> | null;
  if (c !== null && typeof c === 'object' && c.k === 'paths' && typeof c.w === 'string' && c.w !== sweepId)
    throw new InvalidCursorError("the cursor pages another sweep's paths");
  if (
    c === null ||
    typeof c !== 'object' ||
    c.k !== 'paths' ||
    c.w !== sweepId ||
    c.s !== sort ||
    c.o !== order ||
    !(c.v === null || (typeof c.v === 'number' && Number.isFinite(c.v))) ||
    !Number.isSafeInteger(c.p)
  ) {
    throw new InvalidCursorError('the cursor is not one of this list in this order (sort and order must not change)');
  }
  return c as PathCursor;
}

/**
 * A sweep's paths, one page, in `sort` order (ties by path index), `order` ascending by default;
 * paths without a value (nothing filled) come last either way. Each page is read through the
 * index of its sort key: first the paths with a value after the cursor, then, once those are
 * exhausted, the ones without. Null when there is no such sweep.
 */
export function sweepPaths(db: Database.Database, id: string, q: SweepPathsQuery): Paged<SweepPathRow> | null {
  if (!db.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(id)) return null;
  const limit = pageSize(q.limit);
  const sort = q.sort ?? 'seed';
  const order = q.order ?? 'asc';
  const col = SORT_COLUMN[sort];
  const cursor = q.cursor === undefined ? null : pathCursor(q.cursor, id, sort, order);
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  const cmp = order === 'asc' ? '>' : '<';
  const select =
    'SELECT path, grid_point, seed, digest, passed, error, shortfall_bps, fill_ratio, run_id FROM sweep_paths';
  const rows: PathRowDb[] = [];
  if (cursor === null || cursor.v !== null) {
    const after = cursor === null ? '' : `AND (${col}, path) ${cmp} (?, ?)`;
    const args: unknown[] = cursor === null ? [id] : [id, cursor.v, cursor.p];
    rows.push(
      ...(db
        .prepare(
          `${select} WHERE sweep_id = ? AND ${col} IS NOT NULL ${after} ORDER BY ${col} ${dir}, path ${dir} LIMIT ?`,
        )
        .all(...args, limit + 1) as PathRowDb[]),
    );
  }
  if (rows.length <= limit) {
    const after = cursor !== null && cursor.v === null ? `AND path ${cmp} ?` : '';
    const args: unknown[] = after ? [id, cursor?.p] : [id];
    rows.push(
      ...(db
        .prepare(`${select} WHERE sweep_id = ? AND ${col} IS NULL ${after} ORDER BY path ${dir} LIMIT ?`)
        .all(...args, limit + 1 - rows.length) as PathRowDb[]),
    );
  }
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const parents = parentsOf(db, id, page);
  return {
    items: page.map((r) => ({
      path: r.path,
      point: r.grid_point,
      seed: r.seed,
      digest: r.digest,
      passed: r.passed === 1,
      error: r.error,
      shortfallBps: r.shortfall_bps,
      fillRatio: r.fill_ratio,
      runId: r.run_id,
      parents: parents.get(r.path) ?? [],
    })),
    nextCursor:
      more && last
        ? encodeCursor({ k: 'paths', w: id, s: sort, o: order, v: last[col], p: last.path } satisfies PathCursor)
        : null,
  };
}

function parentsOf(db: Database.Database, id: string, page: readonly PathRowDb[]): Map<number, SweepPathParent[]> {
  const out = new Map<number, SweepPathParent[]>();
  if (page.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT path, parent_id, status, shortfall_bps, shortfall_quote, fill_ratio, vwap_slippage_bps, filled_qty,
         duration_ms
       FROM sweep_path_parents WHERE sweep_id = ? AND path IN (SELECT value FROM json_each(?))
       ORDER BY path, parent_id`,
    )
    .all(id, JSON.stringify(page.map((r) => r.path))) as Array<{
    path: number;
    parent_id: string;
    status: string;
    shortfall_bps: number | null;
    shortfall_quote: number | null;
    fill_ratio: number | null;
    vwap_slippage_bps: number | null;
    filled_qty: number | null;
    duration_ms: number | null;
  }>;
  for (const r of rows) {
    const list = out.get(r.path) ?? [];
    list.push({
      parent: r.parent_id,
      status: r.status,
      shortfallBps: r.shortfall_bps,
      shortfallQuote: r.shortfall_quote,
      fillRatio: r.fill_ratio,
      vwapSlippageBps: r.vwap_slippage_bps,
      filledQty: r.filled_qty,
      durationMs: r.duration_ms,
    });
    out.set(r.path, list);
  }
  return out;
}
