// The read side of the store, for the HTTP server and the CLI's read commands: lists from summary
// columns, paged by keyset so page 200 costs what page 1 does. A ReadModel opens the database
// read-only and keeps its handle a protected member, so modules adding queries extend the class.
// Where paging, filters and rows live, and damaged JSON:
// docs/0070-store-service-and-cli-notes.md#srcstoreread-modelts.
import type Database from 'better-sqlite3';
import { openExistingDatabase } from './open-database.ts';
import type {
  Comparison,
  EventQuery,
  EventRow,
  FillRow,
  OrderRow,
  Page,
  PageQuery,
  ParentMetrics,
  RunDetail,
  RunQuery,
  RunReader,
  RunScenario,
  RunSortKey,
  RunSummary,
} from './read-model-port.ts';
import { runFilters } from './run-filters.ts';
import {
  DEFAULT_RECORD_PAGE,
  DEFAULT_RUN_PAGE,
  decodeKeyCursor,
  decodeRunCursor,
  encodeCursor,
  MAX_PAGE,
  pageLimit,
} from './run-paging.ts';
import {
  fillOf,
  orderOf,
  parentOf,
  SUMMARY_COLUMNS,
  summaryOf,
  type FillTableRow,
  type OrderTableRow,
  type ParentMetricsRow,
  type SummaryRow,
} from './run-rows.ts';
import { parsedReport } from './stored-values.ts';
import { localLiveness, runState, type Liveness } from './run-state.ts';
import { RunStore, type StoredStatus } from './run-store.ts';
import { compareRuns } from './run-comparison.ts';
import { exportFills, exportOrders, unexportableTime } from './run-export.ts';
import { storedColumn, storedPayload } from './stored-data.ts';
import { storedEventKinds, storedEventLines } from './stored-events.ts';
import { listSweeps, MAX_SWEEP_PAGE, type SweepSummary } from './sweep-read.ts';
import { verifyRun, type RunVerification } from './verify-run.ts';
import { projectRun } from './deferred-projection.ts';

/** The parts of RunReader other store modules provide (series, sweeps). */
export type ReadModelPart = Omit<
  RunReader,
  'series' | 'listSweeps' | 'getSweep' | 'sweepProgress' | 'sweepPaths' | 'sweepHistogram'
>;

/** Each sort key's column; only started_at is never null. */
const SORT_COLUMN: Record<RunSortKey, keyof SummaryRow> = {
  started: 'started_at',
  shortfall: 'shortfall_bps',
  fillRatio: 'fill_ratio',
  netPnl: 'net_pnl',
  sharpe: 'sharpe',
  winRate: 'win_rate',
  profitFactor: 'profit_factor',
  drawdown: 'max_drawdown',
  trades: 'trade_count',
};

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

  /** Every stored sweep, newest first, page by page through the list the HTTP API pages
   *  (sweep-read.ts), each in its state as of this call (`execsim sweeps` lists them). */
  *allSweeps(): Generator<SweepSummary> {
    const live = this.now();
    let cursor: string | undefined;
    for (;;) {
      const page = listSweeps(this.db, { cursor, limit: MAX_SWEEP_PAGE }, live);
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

  /** A run with its parents and report; a stored report that is not JSON is a StoredDataError,
   *  or with `unreadableReport: 'null'` none (`execsim show` prints the rest and names it). */
  getRun(id: string, unreadableReport: 'throw' | 'null' = 'throw'): RunDetail | null {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, report_json FROM runs WHERE id = ?`).get(id) as
      (SummaryRow & { report_json: string | null }) | undefined;
    if (row === undefined) return null;
    return {
      ...summaryOf(row, this.now()),
      parents: this.parentsOf(id),
      report:
        unreadableReport === 'null' || row.report_json === null
          ? parsedReport(row.report_json)
          : storedColumn(this.db, `run ${id}`, 'report_json', row.report_json),
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
    // After the page asked for is known good: a refused request changes nothing.
    projectRun(this.db, id);
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
    projectRun(this.db, id);
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
    const items = rows.slice(0, limit).map(([seq, time, kind, payload]): EventRow => ({
      seq,
      time,
      kind,
      payload: storedPayload(this.db, id, seq, kind, payload),
    }));
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
    yield* storedEventLines(this.db, id, f);
  }

  /** The kinds of event a run has stored. */
  eventKinds(id: string): string[] {
    return storedEventKinds(this.db, id);
  }

  /** A run's fills as `execsim export` writes them (EXPORT_FILL_COLUMNS), streamed. */
  exportFills(id: string): IterableIterator<unknown[]> {
    return exportFills(this.db, id);
  }

  /** A run's orders as `execsim export` writes them (EXPORT_ORDER_COLUMNS), each parent followed
   *  by its children, streamed. */
  exportOrders(id: string): IterableIterator<unknown[]> {
    return exportOrders(this.db, id);
  }

  /** The first time in a run's fills or orders that an export cannot write as a date (the
   *  database edited by hand), described with its row and column; null when there is none. */
  unexportableTime(id: string, table: 'fills' | 'orders'): string | null {
    return unexportableTime(this.db, id, table);
  }

  /** Re-reads a stored run and checks it against itself (verify-run.ts reads the raw rows), in
   *  one read transaction: each statement would otherwise see the database as it is then, and a
   *  run still being written that commits between reading its log and reading its tables would
   *  have tables ahead of its log, reported as inconsistent. */
  verify(id: string): RunVerification {
    return this.db.transaction(() => verifyRun(new RunStore(this.db), id))();
  }

  compare(ids: string[]): Comparison {
    const live = this.now();
    const known: Array<{ summary: RunSummary; scenario: unknown; parents: ParentMetrics[] }> = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, scenario_json FROM runs WHERE id = ?`).get(id) as
        (SummaryRow & { scenario_json: string }) | undefined;
      if (row === undefined) unknown.push(id);
      else
        known.push({
          summary: summaryOf(row, live),
          scenario: storedColumn(this.db, `run ${id}`, 'scenario_json', row.scenario_json),
          parents: this.parentsOf(id),
        });
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
      scenario: storedColumn(this.db, `run ${runId}`, 'scenario_json', row.scenario_json),
    };
  }

  private exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }
}
