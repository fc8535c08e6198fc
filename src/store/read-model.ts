// The read side of the store: what the HTTP server and the CLI's read commands query. Lists come
// from the runs table's summary columns and the parent_metrics table (migration 5), never from
// report blobs, and page by keyset: a page after a cursor is an index range (sort value, id), so
// page 200 costs what page 1 does. Cursors are opaque to clients: base64url JSON of the list and
// order they belong to and the last row's sort value and id; one that does not decode, or belongs
// to another list or order, is a BadCursorError.
//
// A ReadModel opens the database read-only and never creates it (openExistingDatabase 'read'); a
// RunAdmin (run-admin.ts) opens it for writing and adds deleting runs. The database handle stays
// inside src/store: it is a protected member, so modules here that add queries (series, sweeps)
// extend the class; nothing hands it out.
import type Database from 'better-sqlite3';
import { parseUtcInstant } from '../scenario/time-fields.ts';
import { SPARSE_KINDS } from './migrations.ts';
import { openExistingDatabase } from './open-database.ts';
import {
  BadCursorError,
  type Comparison,
  type EventQuery,
  type EventRow,
  type FillRow,
  type OrderRow,
  type Page,
  type PageQuery,
  type ParentMetrics,
  type RunDetail,
  type RunQuery,
  type RunReader,
  type RunScenario,
  type RunSortKey,
  type RunSummary,
  type SortOrder,
} from './read-model-port.ts';
import { localLiveness, runState, type Liveness, type RunState } from './run-state.ts';
import { RunStore, type StoredStatus } from './run-store.ts';
import { compareRuns } from './run-comparison.ts';
import { verifyRun, type RunVerification } from './verify-run.ts';

/** The parts of RunReader other store modules provide (series, sweeps). */
export type ReadModelPart = Omit<RunReader, 'series' | 'listSweeps' | 'getSweep' | 'sweepPaths' | 'sweepHistogram'>;

export const DEFAULT_RUN_PAGE = 50;
export const DEFAULT_RECORD_PAGE = 100;
export const MAX_PAGE = 500;

/** The columns of a summary row. */
const SUMMARY_COLUMNS = `id, scenario_name, scenario_hash, seed, code_version, mode, venue, symbol, sweep_id, status,
  passed, digest, event_count, order_count, fill_count, shortfall_bps, fill_ratio, started_at, finished_at, heartbeat_at,
  sim_start, sim_end, writer_pid, writer_host, error`;

interface SummaryRow {
  readonly id: string;
  readonly scenario_name: string;
  readonly scenario_hash: string;
  readonly seed: number;
  readonly code_version: string;
  readonly mode: string;
  readonly venue: string | null;
  readonly symbol: string | null;
  readonly sweep_id: string | null;
  readonly status: StoredStatus;
  readonly passed: 0 | 1 | null;
  readonly digest: string | null;
  readonly event_count: number;
  readonly order_count: number;
  readonly fill_count: number;
  readonly shortfall_bps: number | null;
  readonly fill_ratio: number | null;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly heartbeat_at: string | null;
  readonly sim_start: number;
  readonly sim_end: number | null;
  readonly writer_pid: number | null;
  readonly writer_host: string | null;
  readonly error: string | null;
}

/** Each sort key's column; only started_at is never null. */
const SORT_COLUMN: Record<RunSortKey, 'started_at' | 'shortfall_bps' | 'fill_ratio'> = {
  started: 'started_at',
  shortfall: 'shortfall_bps',
  fillRatio: 'fill_ratio',
};

/** The columns of the `execsim export` tables, in order (the CLI names them so in its header). */
export const EXPORT_FILL_COLUMNS = [
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
] as const;

export const EXPORT_ORDER_COLUMNS = [
  'client_order_id',
  'parent_order_id',
  'venue_order_id',
  'slice_num',
  'total_slices',
  'scheduled_time',
  'symbol',
  'side',
  'type',
  'tif',
  'status',
  'qty',
  'filled_qty',
  'avg_price',
  'limit_price',
  'stop_price',
  'created_at',
  'updated_at',
] as const;

export interface ReadModelOptions {
  /** What run states are judged against, asked once per call (default: this host, now). */
  readonly liveness?: () => Liveness;
}

export class ReadModel implements ReadModelPart {
  /** The liveness of the call in progress (the run_state SQL function reads it). */
  private live: Liveness;
  private readonly liveness: () => Liveness;

  protected constructor(
    /** The handle: store modules that add queries to the read model (series, sweeps) subclass it. */
    protected readonly db: Database.Database,
    options: ReadModelOptions = {},
  ) {
    this.liveness = options.liveness ?? localLiveness;
    this.live = this.liveness();
    // The state of a stored 'running' row depends on whether its writer's pid is alive, which
    // only this process can tell: SQL asks it through this function (the status filter).
    db.function('run_state', { deterministic: false }, (status, pid, host, beat) =>
      runState(
        {
          status: status as StoredStatus,
          writer_pid: pid as number | null,
          writer_host: host as string | null,
          heartbeat_at: beat as string | null,
        },
        this.live,
      ),
    );
  }

  /** A reader of the database at `path`: read-only, which must exist (StoreError otherwise). */
  static open(path: string, options: ReadModelOptions = {}): ReadModel {
    return new ReadModel(openExistingDatabase(path, 'read'), options);
  }

  close(): void {
    this.db.close();
  }

  private now(): Liveness {
    this.live = this.liveness();
    return this.live;
  }

  listRuns(q: RunQuery): Page<RunSummary> {
    const live = this.now();
    const sort = q.sort ?? 'started';
    const order = q.order ?? 'desc';
    const limit = pageLimit(q.limit, DEFAULT_RUN_PAGE);
    const cursor = q.cursor === undefined ? null : decodeRunCursor(q.cursor, sort, order);
    const { where, params } = runFilters(q);
    const col = SORT_COLUMN[sort];
    const nullable = sort !== 'started';
    const cmp = order === 'asc' ? '>' : '<';
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    const select = (clauses: string[], orderBy: string, n: number, args: unknown[]): SummaryRow[] =>
      this.db
        .prepare(
          `SELECT ${SUMMARY_COLUMNS} FROM runs ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''}
           ORDER BY ${orderBy} LIMIT ?`,
        )
        .all(...args, n) as SummaryRow[];

    // Rows with a sort value first (in either order), then those without one (a run not
    // finished has no shortfall), by id: two index ranges, each keyed (value, id).
    let rows: SummaryRow[] = [];
    if (cursor === null || cursor.v !== null) {
      const clauses = [...where];
      const args = [...params];
      if (nullable) clauses.push(`${col} IS NOT NULL`);
      if (cursor !== null) {
        clauses.push(`(${col}, id) ${cmp} (?, ?)`);
        args.push(cursor.v, cursor.id);
      }
      rows = select(clauses, `${col} ${dir}, id ${dir}`, limit + 1, args);
    }
    if (nullable && rows.length <= limit) {
      const clauses = [...where, `${col} IS NULL`];
      const args = [...params];
      if (cursor !== null && cursor.v === null) {
        clauses.push(`id ${cmp} ?`);
        args.push(cursor.id);
      }
      rows = rows.concat(select(clauses, `id ${dir}`, limit + 1 - rows.length, args));
    }
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last !== undefined
        ? encodeCursor({ k: `runs:${sort}:${order}`, v: last[col], id: last.id })
        : null;
    return { items: items.map((r) => summaryOf(r, live)), nextCursor };
  }

  /** Every run matching `q`'s filters, in its order, page by page (the CLI lists them all). */
  *allRuns(q: Omit<RunQuery, 'cursor' | 'limit'> = {}): Generator<RunSummary> {
    let cursor: string | undefined;
    for (;;) {
      const page = this.listRuns({ ...q, cursor, limit: MAX_PAGE });
      yield* page.items;
      if (page.nextCursor === null) return;
      cursor = page.nextCursor;
    }
  }

  /** One run's summary, without its report and parents. */
  summary(id: string): RunSummary | null {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs WHERE id = ?`).get(id) as SummaryRow | undefined;
    return row === undefined ? null : summaryOf(row, this.now());
  }

  getRun(id: string): RunDetail | null {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, report_json FROM runs WHERE id = ?`).get(id) as
      (SummaryRow & { report_json: string | null }) | undefined;
    if (row === undefined) return null;
    return {
      ...summaryOf(row, this.now()),
      parents: this.parentsOf(id),
      report: row.report_json === null ? null : (JSON.parse(row.report_json) as unknown),
    };
  }

  /** A run's per-parent figures, in the order its report lists them. */
  parentsOf(id: string): ParentMetrics[] {
    return (
      this.db
        .prepare(
          `SELECT parent_order_id, symbol, side, target_qty, filled_qty, fill_ratio, arrival_price, avg_fill_price,
             shortfall_bps, vwap_slippage_bps, twap_slippage_bps, duration_ms, status, stop_reason
           FROM parent_metrics WHERE run_id = ? ORDER BY position`,
        )
        .all(id) as ParentMetricsRow[]
    ).map(parentOf);
  }

  /** A run's orders, parents and children, in client order id order: the table's key, so a page
   *  after a cursor is one index range (`execsim export` has them parent by parent). */
  orders(id: string, q: PageQuery): Page<OrderRow> | null {
    if (!this.exists(id)) return null;
    const limit = pageLimit(q.limit, DEFAULT_RECORD_PAGE);
    const after = q.cursor === undefined ? null : decodeKeyCursor(q.cursor, 'orders', ['id']);
    const rows = this.db
      .prepare(
        `SELECT client_order_id, venue_order_id, parent_order_id, slice_num, total_slices, scheduled_time, symbol, side,
           type, tif, status, qty, filled_qty, avg_price, limit_price, stop_price, created_at, updated_at
         FROM orders WHERE run_id = ? ${after ? 'AND client_order_id > ?' : ''} ORDER BY client_order_id LIMIT ?`,
      )
      .all(id, ...(after ? [after['id']] : []), limit + 1) as OrderTableRow[];
    const items = rows.slice(0, limit).map(orderOf);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ k: 'orders', v: null, id: last.clientOrderId }) : null,
    };
  }

  /** A run's fills in log order (seq), then by order and trade id. */
  fills(id: string, q: PageQuery): Page<FillRow> | null {
    if (!this.exists(id)) return null;
    const limit = pageLimit(q.limit, DEFAULT_RECORD_PAGE);
    const after = q.cursor === undefined ? null : decodeKeyCursor(q.cursor, 'fills', ['seq', 'id', 'trade']);
    const rows = this.db
      .prepare(
        `SELECT f.trade_id, f.client_order_id, o.parent_order_id, o.side, f.qty, f.price, f.fee, f.liquidity, f.time, f.seq
         FROM fills f LEFT JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id
         WHERE f.run_id = ? ${after ? 'AND (f.seq, f.client_order_id, f.trade_id) > (?, ?, ?)' : ''}
         ORDER BY f.seq, f.client_order_id, f.trade_id LIMIT ?`,
      )
      .all(id, ...(after ? [after['seq'], after['id'], after['trade']] : []), limit + 1) as FillTableRow[];
    const items = rows.slice(0, limit).map(fillOf);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ k: 'fills', v: null, id: last.clientOrderId, seq: last.seq, trade: last.tradeId })
          : null,
    };
  }

  /** A page of a run's events, parsed; nextCursor (when not null) is the next page's fromSeq. */
  events(id: string, q: EventQuery): Page<EventRow> | null {
    if (!this.exists(id)) return null;
    const limit = pageLimit(q.limit, DEFAULT_RECORD_PAGE);
    const rows = [...this.eventLines(id, { from: q.fromSeq, to: q.toSeq, kinds: q.kinds, limit: limit + 1 })];
    const items = rows
      .slice(0, limit)
      .map(([seq, time, kind, payload]): EventRow => ({ seq, time, kind, payload: JSON.parse(payload) as unknown }));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? String(last.seq + 1) : null };
  }

  /** A run's stored events as [seq, time, kind, payload JSON], in seq order, streamed. */
  *eventLines(
    id: string,
    f: {
      from?: number | undefined;
      to?: number | undefined;
      kinds?: readonly string[] | undefined;
      limit?: number | undefined;
    },
  ): Generator<[number, number, string, string]> {
    const kinds = f.kinds ?? [];
    const kindClause = kinds.length > 0 ? ` AND kind IN (${kinds.map(() => '?').join(', ')})` : '';
    yield* this.db
      .prepare(
        `SELECT seq, time, kind, payload FROM events WHERE run_id = ? AND seq BETWEEN ? AND ?${kindClause} ORDER BY seq
         ${f.limit === undefined ? '' : 'LIMIT ?'}`,
      )
      .raw()
      .iterate(
        id,
        f.from ?? 0,
        f.to ?? Number.MAX_SAFE_INTEGER,
        ...kinds,
        ...(f.limit === undefined ? [] : [f.limit]),
      ) as IterableIterator<[number, number, string, string]>;
  }

  /** The kinds of event a run has stored. */
  eventKinds(id: string): string[] {
    // The sparse kinds from the kind index; market samples, which it leaves out, by the first one.
    return this.db
      .prepare(
        `SELECT DISTINCT kind FROM events WHERE run_id = ? AND ${SPARSE_KINDS}
         UNION SELECT kind FROM (SELECT kind FROM events WHERE run_id = ? AND kind = 'MarketSampled' LIMIT 1)`,
      )
      .pluck()
      .all(id, id) as string[];
  }

  /** A run's fills as `execsim export` writes them (EXPORT_FILL_COLUMNS), streamed. */
  exportFills(id: string): IterableIterator<unknown[]> {
    return this.db
      .prepare(
        `SELECT f.trade_id, f.client_order_id, o.parent_order_id, o.side, f.qty, f.price, f.fee, f.liquidity, f.time, f.seq
         FROM fills f LEFT JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id
         WHERE f.run_id = ? ORDER BY f.seq, f.client_order_id, f.trade_id`,
      )
      .raw()
      .iterate(id) as IterableIterator<unknown[]>;
  }

  /** A run's orders as `execsim export` writes them (EXPORT_ORDER_COLUMNS): each parent followed
   *  by its children in slice order, streamed. */
  exportOrders(id: string): IterableIterator<unknown[]> {
    return this.db
      .prepare(
        `SELECT ${EXPORT_ORDER_COLUMNS.join(', ')} FROM orders WHERE run_id = ?
         ORDER BY COALESCE(parent_order_id, client_order_id), parent_order_id IS NOT NULL, slice_num, client_order_id`,
      )
      .raw()
      .iterate(id) as IterableIterator<unknown[]>;
  }

  /** Re-reads a stored run and checks it against itself (verify-run.ts reads the raw rows). */
  verify(id: string): RunVerification {
    return verifyRun(new RunStore(this.db), id);
  }

  compare(ids: string[]): Comparison {
    const live = this.now();
    const known: Array<{ summary: RunSummary; scenarioJson: string; parents: ParentMetrics[] }> = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, scenario_json FROM runs WHERE id = ?`).get(id) as
        (SummaryRow & { scenario_json: string }) | undefined;
      if (row === undefined) unknown.push(id);
      else known.push({ summary: summaryOf(row, live), scenarioJson: row.scenario_json, parents: this.parentsOf(id) });
    }
    return compareRuns(known, unknown);
  }

  scenarioOf(runId: string): RunScenario | null {
    const row = this.db
      .prepare('SELECT scenario_name, scenario_hash, scenario_json, seed FROM runs WHERE id = ?')
      .get(runId) as { scenario_name: string; scenario_hash: string; scenario_json: string; seed: number } | undefined;
    if (row === undefined) return null;
    return {
      runId,
      name: row.scenario_name,
      hash: row.scenario_hash,
      seed: row.seed,
      scenario: JSON.parse(row.scenario_json) as unknown,
    };
  }

  private exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }
}

function summaryOf(r: SummaryRow, live: Liveness): RunSummary {
  const state: RunState = runState(r, live);
  return {
    id: r.id,
    scenario: r.scenario_name,
    scenarioHash: r.scenario_hash,
    seed: r.seed,
    codeVersion: r.code_version,
    mode: r.mode,
    venue: r.venue,
    symbol: r.symbol,
    sweepId: r.sweep_id,
    state,
    status: r.status,
    passed: r.passed === null ? null : r.passed === 1,
    digest: r.digest,
    events: r.event_count,
    orders: r.order_count,
    fills: r.fill_count,
    shortfallBps: r.shortfall_bps,
    fillRatio: r.fill_ratio,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    heartbeatAt: r.heartbeat_at,
    simStart: r.sim_start,
    simEnd: r.sim_end,
    writer: r.writer_pid === null ? null : { pid: r.writer_pid, host: r.writer_host },
    error: r.error,
  };
}

interface ParentMetricsRow {
  parent_order_id: string;
  symbol: string | null;
  side: string;
  target_qty: string;
  filled_qty: string;
  fill_ratio: number;
  arrival_price: string | null;
  avg_fill_price: string | null;
  shortfall_bps: number | null;
  vwap_slippage_bps: number | null;
  twap_slippage_bps: number | null;
  duration_ms: number | null;
  status: string;
  stop_reason: string | null;
}

const parentOf = (r: ParentMetricsRow): ParentMetrics => ({
  parentOrderId: r.parent_order_id,
  symbol: r.symbol,
  side: r.side,
  targetQty: r.target_qty,
  filledQty: r.filled_qty,
  fillRatio: r.fill_ratio,
  arrivalPrice: r.arrival_price,
  avgFillPrice: r.avg_fill_price,
  shortfallBps: r.shortfall_bps,
  vwapSlippageBps: r.vwap_slippage_bps,
  twapSlippageBps: r.twap_slippage_bps,
  durationMs: r.duration_ms,
  status: r.status,
  stopReason: r.stop_reason,
});

interface OrderTableRow {
  client_order_id: string;
  venue_order_id: string | null;
  parent_order_id: string | null;
  slice_num: number | null;
  total_slices: number;
  scheduled_time: number | null;
  symbol: string;
  side: string;
  type: string;
  tif: string;
  status: string;
  qty: string;
  filled_qty: string;
  avg_price: string | null;
  limit_price: string | null;
  stop_price: string | null;
  created_at: number;
  updated_at: number;
}

const orderOf = (r: OrderTableRow): OrderRow => ({
  clientOrderId: r.client_order_id,
  venueOrderId: r.venue_order_id,
  parentOrderId: r.parent_order_id,
  sliceNum: r.slice_num,
  totalSlices: r.total_slices,
  scheduledTime: r.scheduled_time,
  symbol: r.symbol,
  side: r.side,
  type: r.type,
  tif: r.tif,
  status: r.status,
  qty: r.qty,
  filledQty: r.filled_qty,
  avgPrice: r.avg_price,
  limitPrice: r.limit_price,
  stopPrice: r.stop_price,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface FillTableRow {
  trade_id: string;
  client_order_id: string;
  parent_order_id: string | null;
  side: string | null;
  qty: string;
  price: string;
  fee: string;
  liquidity: string;
  time: number;
  seq: number;
}

const fillOf = (r: FillTableRow): FillRow => ({
  tradeId: r.trade_id,
  clientOrderId: r.client_order_id,
  parentOrderId: r.parent_order_id,
  side: r.side,
  qty: r.qty,
  price: r.price,
  fee: r.fee,
  liquidity: r.liquidity,
  time: r.time,
  seq: r.seq,
});

/** The run list's WHERE clauses for `q`'s filters, with their parameters. */
function runFilters(q: RunQuery): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  eq('scenario_name', q.scenario);
  eq('mode', q.mode);
  eq('venue', q.venue);
  eq('symbol', q.symbol);
  eq('seed', q.seed);
  eq('code_version', q.codeVersion);
  eq('passed', q.passed === undefined ? undefined : q.passed ? 1 : 0);
  if (q.status !== undefined) {
    // running and crashed are both stored as running: the writer's liveness tells them apart.
    if (q.status === 'running' || q.status === 'crashed') {
      where.push(`status = 'running' AND run_state(status, writer_pid, writer_host, heartbeat_at) = ?`);
      params.push(q.status);
    } else eq('status', q.status);
  }
  if (q.from !== undefined) {
    where.push('started_at >= ?');
    params.push(isoInstant(q.from, 'from'));
  }
  if (q.to !== undefined) {
    where.push('started_at < ?');
    params.push(isoInstant(q.to, 'to'));
  }
  return { where, params };
}

/** An ISO-8601 UTC instant as the store writes started_at (Date#toISOString), so that text
 *  order is time order: 2024-08-09T00:00:00Z becomes 2024-08-09T00:00:00.000Z. */
function isoInstant(text: string, field: string): string {
  try {
    return new Date(parseUtcInstant(text)).toISOString();
  } catch (err) {
    throw new RangeError(`${field}: ${(err as Error).message}`, { cause: err });
  }
}

function pageLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
}

interface Cursor {
  /** The list (and for runs its sort and order) the cursor belongs to. */
  readonly k: string;
  /** The last row's sort value. */
  readonly v: string | number | null;
  readonly id: string;
  readonly [extra: string]: unknown;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new BadCursorError('not a cursor this server gave out (not base64url)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursorError('not a cursor this server gave out (garbled)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new BadCursorError('not a cursor this server gave out');
  const c = parsed as Record<string, unknown>;
  if (typeof c['k'] !== 'string' || typeof c['id'] !== 'string')
    throw new BadCursorError('not a cursor this server gave out');
  return c;
}

function decodeRunCursor(text: string, sort: RunSortKey, order: SortOrder): Cursor {
  const c = decodeCursor(text);
  const k = `runs:${sort}:${order}`;
  if (c['k'] !== k)
    throw new BadCursorError(`it belongs to ${String(c['k'])}, not to this list (runs sorted by ${sort} ${order})`);
  const v = c['v'];
  const ok = sort === 'started' ? typeof v === 'string' : v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!ok) throw new BadCursorError('not a cursor this server gave out (bad sort value)');
  return c as unknown as Cursor;
}

/** A records cursor of list `k` with the given fields (id is a string, seq a whole number,
 *  trade a string). */
function decodeKeyCursor(text: string, k: string, fields: readonly string[]): Record<string, unknown> {
  const c = decodeCursor(text);
  if (c['k'] !== k) throw new BadCursorError(`it belongs to ${String(c['k'])}, not to the ${k} of a run`);
  for (const f of fields) {
    const v = c[f];
    const ok = f === 'seq' ? Number.isSafeInteger(v) : typeof v === 'string';
    if (!ok) throw new BadCursorError(`not a cursor this server gave out (bad ${f})`);
  }
  return c;
}
