// Runs, their event logs and the order/fill projections in SQLite. A run row is written as
// 'running' first. The writer buffers what the log appends and writes it with the projection
// rows it changes in transactions of whole commit units: one per commit for a run that is
// continued from the store (write-ahead), several commits grouped for one that is run again
// (WriterOptions). The store only ever holds whole commit units (a TWAP's parent with all its
// children, however many), never a unit cut in two, so a process killed at any moment leaves a
// gap-free prefix of the log that ends at a commit. The last events, the digest, the counts and
// status 'finished' go in one final transaction. A process that dies mid-run leaves status
// 'running': never a run half-reported as finished. The run row names its writer (pid and host)
// and carries a heartbeat the writer refreshes at commits and while the clock advances, so that
// readers can tell a run whose writer is gone (run-state.ts: 'crashed'); a run stopped by a
// signal is marked 'interrupted'.
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import type { LogEntry } from '../core/model/events.ts';
import type { EventSink } from '../core/ports/event-sink.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { OrderState } from '../core/order/apply-event.ts';
import type { AppliedTrade, ParentState } from '../core/order/order-ledger.ts';
import {
  fractionalTicksToPrice,
  lotsToQty,
  ticksToPrice,
  unitsToQuote,
  type Instrument,
} from '../core/model/instrument.ts';
import type { ClientOrderId, ParentOrderId } from '../core/model/ids.ts';
import type { ParentReport } from '../core/report/run-report.ts';
import { localLiveness, runState, type Liveness } from './run-state.ts';

export interface NewRun {
  readonly id: string;
  readonly scenarioName: string;
  readonly scenarioHash: string;
  readonly scenarioJson: string;
  readonly seed: number;
  readonly codeVersion: string;
  readonly startedAt: string;
  readonly simStart: number;
  /** How the run is made: 'backtest' (the default) or 'paper' (a live venue's paper account). */
  readonly mode?: string;
  /** The sweep the run is a path of; null (the default) for a run of its own. */
  readonly sweepId?: string | null;
}

export interface RunRow {
  readonly id: string;
  readonly scenario_name: string;
  readonly scenario_hash: string;
  readonly seed: number;
  readonly code_version: string;
  readonly status: StoredStatus;
  readonly digest: string | null;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly sim_start: number;
  readonly sim_end: number | null;
  readonly event_count: number;
  readonly order_count: number;
  readonly fill_count: number;
  readonly report_json: string | null;
  readonly error: string | null;
  /** 1 when the finished run's expectations held, 0 when one failed; null until it finished. */
  readonly passed: 0 | 1 | null;
  /** The process writing the run, and when it last showed it was alive (ISO-8601 UTC). */
  readonly writer_pid: number | null;
  readonly writer_host: string | null;
  readonly heartbeat_at: string | null;
  /** Events stored so far: the last stored seq (the log is gap-free). event_count is the same,
   *  kept current at every commit. */
  readonly stored_events: number;
  readonly mode: string;
  /** The scenario's venue name and instrument symbol. */
  readonly venue: string | null;
  readonly symbol: string | null;
  readonly sweep_id: string | null;
  /** Headline figures over the run's parents (migrations.ts, version 5, says how they are
   *  aggregated); null until the run finished, or when no parent has one. */
  readonly shortfall_bps: number | null;
  readonly fill_ratio: number | null;
}

/** A run's status as stored. */
export type StoredStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** The writer refreshes its run's heartbeat at most this often (wall time). */
export const HEARTBEAT_EVERY_MS = 1_000;

/** A store that cannot go on with a run: its row was deleted or closed by another process. */
export class RunGoneError extends Error {}

/** How many rows deleting a run removed, by table. */
export interface DeletedRun {
  readonly events: number;
  readonly orders: number;
  readonly fills: number;
  readonly orphans: number;
}

export interface RunTotals {
  readonly digest: string;
  readonly simEnd: number;
  readonly eventCount: number;
  readonly finishedAt: string;
  readonly reportJson: string;
  /** Whether the run's expectations held. */
  readonly passed: boolean;
  /** The report's per-parent figures, stored as parent_metrics rows; read from reportJson when
   *  not given. */
  readonly parents?: readonly ParentReport[];
}

/** One parent_metrics row (named parameters) from the report's figures. */
function parentMetricsRow(runId: string, p: ParentReport, position: number): Record<string, unknown> {
  return {
    runId,
    id: p.id,
    position,
    side: p.side,
    qty: p.qty,
    filledQty: p.filledQty,
    fillRatio: p.fillRatio,
    arrivalPrice: p.arrivalPrice,
    avgPrice: p.avgPrice,
    shortfallBps: p.shortfallBps,
    vwapSlippageBps: p.vwapSlippageBps,
    twapSlippageBps: p.twapSlippageBps,
    durationMs: p.durationMs,
    status: p.status,
    stopReason: p.stopReason,
  };
}

/** The run's headline figures from its parent_metrics rows: shortfall weighted by filled
 *  quantity, fill ratio as everything filled over everything ordered (the same as migration 5
 *  computes for runs stored before it). */
const UPDATE_HEADLINE = `UPDATE runs SET
  shortfall_bps = (SELECT SUM(m.shortfall_bps * CAST(m.filled_qty AS REAL)) / SUM(CAST(m.filled_qty AS REAL))
    FROM parent_metrics m WHERE m.run_id = runs.id AND m.shortfall_bps IS NOT NULL AND CAST(m.filled_qty AS REAL) > 0),
  fill_ratio = (SELECT SUM(CAST(m.filled_qty AS REAL)) / NULLIF(SUM(CAST(m.target_qty AS REAL)), 0)
    FROM parent_metrics m WHERE m.run_id = runs.id)
  WHERE id = ?`;

/** A run row with its stored events counted (the log is gap-free, so that is its last seq: one
 *  index lookup, not a scan). */
const SELECT_RUN =
  'SELECT runs.*, COALESCE((SELECT MAX(seq) FROM events WHERE events.run_id = runs.id), 0) AS stored_events FROM runs';

export class RunStore {
  constructor(readonly db: Database.Database) {}

  /** Stores the run as 'running', written by this process (its pid and host), alive now. */
  createRun(run: NewRun): void {
    this.db
      .prepare(
        `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start,
           writer_pid, writer_host, heartbeat_at, mode, sweep_id, venue, symbol)
         VALUES (@id, @scenarioName, @scenarioHash, @scenarioJson, @seed, @codeVersion, 'running', @startedAt, @simStart,
           @pid, @host, @heartbeat, @mode, @sweepId,
           CASE WHEN json_valid(@scenarioJson) THEN json_extract(@scenarioJson, '$.venue.name') END,
           CASE WHEN json_valid(@scenarioJson) THEN json_extract(@scenarioJson, '$.instrument.symbol') END)`,
      )
      .run({
        ...run,
        mode: run.mode ?? 'backtest',
        sweepId: run.sweepId ?? null,
        pid: process.pid,
        host: hostname(),
        heartbeat: new Date().toISOString(),
      });
  }

  writer(runId: string, instrument: Instrument, options: WriterOptions = {}): RunWriter {
    return new RunWriter(this.db, runId, instrument, options);
  }

  /** The writer's last batch, the run's parent_metrics rows and headline figures and the
   *  finished run row, in one transaction. */
  finishRun(writer: RunWriter, totals: RunTotals): void {
    const { parents: given, ...row } = totals;
    const parents = given ?? (JSON.parse(totals.reportJson) as { parents?: ParentReport[] }).parents ?? [];
    this.db.transaction(() => {
      writer.flushInTransaction();
      const insertParent = this.db.prepare(
        `INSERT INTO parent_metrics (run_id, parent_order_id, position, symbol, side, target_qty, filled_qty, fill_ratio,
           arrival_price, avg_fill_price, shortfall_bps, vwap_slippage_bps, twap_slippage_bps, duration_ms, status, stop_reason)
         VALUES (@runId, @id, @position, (SELECT symbol FROM runs WHERE id = @runId), @side, @qty, @filledQty, @fillRatio,
           @arrivalPrice, @avgPrice, @shortfallBps, @vwapSlippageBps, @twapSlippageBps, @durationMs, @status, @stopReason)`,
      );
      parents.forEach((p, i) => insertParent.run(parentMetricsRow(writer.runId, p, i)));
      this.db.prepare(UPDATE_HEADLINE).run(writer.runId);
      this.db
        .prepare(
          `UPDATE runs SET status = 'finished', digest = @digest, finished_at = @finishedAt, sim_end = @simEnd,
             event_count = @eventCount, order_count = @orderCount, fill_count = @fillCount, report_json = @reportJson,
             passed = @passed, heartbeat_at = @finishedAt
           WHERE id = @id AND status = 'running'`,
        )
        .run({
          ...row,
          passed: totals.passed ? 1 : 0,
          id: writer.runId,
          orderCount: writer.orderCount,
          fillCount: writer.fillCount,
        });
    })();
  }

  /**
   * Takes over a crashed or interrupted run to continue it (`execsim resume`): in one write
   * transaction, checks that its writer is gone (run-state.ts: its pid is not alive here, or its
   * heartbeat is stale) or that a signal stopped it, then marks it running with this process as
   * its writer. Returns the run's row; throws ResumeRefused saying why otherwise (finished, still written by a live
   * process, unknown), and changes nothing then.
   */
  claimRun(runId: string, live: Liveness = localLiveness()): RunRow {
    return this.db
      .transaction((): RunRow => {
        const row = this.getRun(runId);
        if (row === undefined) throw new ResumeRefused(`no run "${runId}" in this database`);
        const state = runState(row, live);
        if (state !== 'crashed' && state !== 'interrupted')
          throw new ResumeRefused(
            state === 'running'
              ? `run ${runId} is still being written by process ${row.writer_pid ?? '?'} on ${row.writer_host ?? '?'}`
              : `run ${runId} is ${state}: only a run whose process died or was stopped can be resumed`,
          );
        this.db
          .prepare(
            `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, writer_pid = ?, writer_host = ?,
               heartbeat_at = ? WHERE id = ?`,
          )
          .run(process.pid, hostname(), new Date(live.nowMs).toISOString(), runId);
        return { ...row, status: 'running', writer_pid: process.pid, writer_host: hostname() };
      })
      .immediate();
  }

  /** A run stopped by a signal: marked 'interrupted' at `at` with the reason, in one transaction
   *  with the whole commit units its writer (when given) still buffers. What the log appended
   *  after its last commit is not written: the store keeps whole commit units. */
  interruptRun(runId: string, reason: string, at: string, writer: RunWriter | null = null): void {
    this.db.transaction(() => {
      writer?.flushUnitsInTransaction();
      this.db
        .prepare(
          `UPDATE runs SET status = 'interrupted', error = ?, finished_at = ?, heartbeat_at = ? WHERE id = ? AND status = 'running'`,
        )
        .run(reason, at, at, runId);
    })();
  }

  /** Deletes a run with its events and projections, in one transaction. */
  deleteRun(runId: string): DeletedRun {
    return this.db.transaction((): DeletedRun => {
      const del = (table: string): number =>
        this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId).changes;
      const counts = {
        events: del('events'),
        orders: del('orders'),
        fills: del('fills'),
        orphans: del('orphan_orders'),
      };
      del('parent_metrics');
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
      return counts;
    })();
  }

  /** Keeps what was logged, committed or not (for diagnosis), and marks the run failed, never
   *  finished, in the same transaction. */
  failRun(writer: RunWriter | null, runId: string, error: string, finishedAt: string): void {
    this.db.transaction(() => {
      writer?.flushInTransaction();
      this.db
        .prepare(`UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`)
        .run(error, finishedAt, runId);
    })();
  }

  /** The newest runs first. */
  listRuns(limit = 100): RunRow[] {
    return this.db.prepare(`${SELECT_RUN} ORDER BY started_at DESC, id DESC LIMIT ?`).all(limit) as RunRow[];
  }

  /** The scenario a run was made from, as stored (canonical JSON). */
  scenarioJson(id: string): string {
    const row = this.db.prepare('SELECT scenario_json FROM runs WHERE id = ?').get(id) as
      { scenario_json: string } | undefined;
    if (row === undefined) throw new ResumeRefused(`no run "${id}" in this database`);
    return row.scenario_json;
  }

  getRun(id: string): RunRow | undefined {
    return this.db.prepare(`${SELECT_RUN} WHERE id = ?`).get(id) as RunRow | undefined;
  }

  /** The stored log as log entries (what a restarted process starts from). */
  *entries(runId: string): IterableIterator<LogEntry> {
    for (const row of this.events(runId)) {
      yield {
        seq: row.seq,
        time: row.time,
        event: { kind: row.kind, ...(JSON.parse(row.payload) as object) } as LogEntry['event'],
      };
    }
  }

  /** Every run, newest first (prune looks at all of them). */
  allRuns(): RunRow[] {
    return this.db.prepare(`${SELECT_RUN} ORDER BY started_at DESC, id DESC`).all() as RunRow[];
  }

  /** The stored log, in order, as (seq, time, kind, payload JSON). */
  *events(runId: string): IterableIterator<{ seq: number; time: number; kind: string; payload: string }> {
    yield* this.db
      .prepare('SELECT seq, time, kind, payload FROM events WHERE run_id = ? ORDER BY seq')
      .iterate(runId) as IterableIterator<{ seq: number; time: number; kind: string; payload: string }>;
  }
}

/** What the orders table holds for a child order. */
export function childOrderRow(runId: string, i: Instrument, o: OrderState): Record<string, unknown> {
  const r = o.request;
  return {
    runId,
    clientOrderId: r.clientOrderId,
    venueOrderId: o.venueOrderId,
    parentOrderId: r.parentId,
    sliceNum: r.sliceNum,
    totalSlices: r.totalSlices,
    scheduledTime: r.scheduledTime,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    tif: r.tif,
    status: o.status,
    qty: lotsToQty(i, r.qty),
    filledQty: lotsToQty(i, o.filledQty),
    avgPrice: o.filledQty > 0 ? fractionalTicksToPrice(i, o.filledNotional / o.filledQty) : null,
    limitPrice: r.limitPrice === undefined ? null : ticksToPrice(i, r.limitPrice),
    stopPrice: r.stopPrice === undefined ? null : ticksToPrice(i, r.stopPrice),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** A parent's children summed: filled lots, filled notional (ticks x lots), last update. */
export interface ChildTotals {
  filled: number;
  notional: number;
  updatedAt: number;
}

/** Parents live in the orders table too (no parent_order_id), with their children's totals. */
export function parentOrderRow(
  runId: string,
  i: Instrument,
  parentId: ParentOrderId,
  parent: ParentState,
  totals: ChildTotals,
): Record<string, unknown> {
  const spec = parent.spec;
  return {
    runId,
    clientOrderId: parentId,
    venueOrderId: null,
    parentOrderId: null,
    sliceNum: null,
    totalSlices: spec.totalSlices,
    scheduledTime: parent.createdAt,
    symbol: spec.symbol,
    side: spec.side,
    type: spec.type,
    tif: spec.tif,
    status: parent.completed?.status ?? 'working',
    qty: lotsToQty(i, spec.qty),
    filledQty: lotsToQty(i, totals.filled),
    avgPrice: totals.filled > 0 ? fractionalTicksToPrice(i, totals.notional / totals.filled) : null,
    limitPrice: spec.limitPrice === null ? null : ticksToPrice(i, spec.limitPrice),
    stopPrice: null,
    createdAt: parent.createdAt,
    updatedAt: Math.max(parent.createdAt, parent.completed?.at ?? 0, totals.updatedAt),
  };
}

/** What the fills table holds for a trade applied to one of our orders at log entry `seq`. */
export function fillRow(runId: string, i: Instrument, t: AppliedTrade, seq: number): unknown[] {
  return [
    runId,
    t.tradeId,
    t.clientOrderId,
    lotsToQty(i, t.qty),
    // An inferred fill's price is fractional (it makes the order's average the venue's).
    Number.isInteger(t.price) ? ticksToPrice(i, t.price) : fractionalTicksToPrice(i, t.price),
    unitsToQuote(i, t.fee),
    t.liquidity,
    t.venueTime,
    seq,
  ];
}

/** How a writer turns the log's commits into transactions. */
export interface WriterOptions {
  /**
   * 'durable' (the default): every commit() is a transaction of its own, written before commit()
   * returns, so what the log committed before an order left is on disk before it leaves
   * (write-ahead); the ends of pieces of work (unitEnd) are grouped. For runs that are
   * continued from the store: paper runs, and backtests with restarts.
   * 'grouped': commits only mark where whole units end; units are written together, in
   * transactions of at least GROUP_COMMIT_EVENTS events, or when the heartbeat is due, and at the
   * end of the run. A crash loses the units not yet written, never part of one: for runs that
   * are run again rather than continued (backtests without restarts).
   */
  readonly commits?: 'durable' | 'grouped';
  /** Whole units are written once this many events are buffered (default GROUP_COMMIT_EVENTS). */
  readonly batchEvents?: number;
}

/** Events a writer inserts with one statement. */
const EVENT_ROWS = 32;

/** A grouped writer writes its whole units once this many events are buffered. */
export const GROUP_COMMIT_EVENTS = 16_384;

/**
 * The event sink of one run: buffers log entries and writes them with the projection rows they
 * change in transactions that hold whole commit units only (never part of one, so never a parent
 * without all its children): when the log commits (WriterOptions says whether each commit is a
 * transaction or commits are grouped), when the heartbeat is due, and at the end of the run.
 * Nothing appended after the last commit is written until a later commit, or the end of the run:
 * a crash, simulated (rollback) or real, loses at most the units not yet written and the
 * uncommitted tail, never part of a unit. Entries are folded into the projections when they are
 * written, so the order rows always match the written log.
 */
export class RunWriter implements EventSink {
  private ledger = new OrderLedger();
  /** Buffered entries and their canonical lines, not yet written (reused: emptied, not replaced). */
  private readonly entries: LogEntry[] = [];
  private readonly lines: string[] = [];
  /** How many of the buffered entries are whole units (the log committed after them). */
  private unitsEnd = 0;
  private readonly dirtyParents = new Set<ParentOrderId>();
  /** Each parent's children as the orders table holds them, kept up to date by delta so that a
   *  flush costs what it changed, not the size of its parents (a TWAP may have 100,000 children). */
  private readonly parentTotals = new Map<ParentOrderId, ChildTotals>();
  private readonly childWritten = new Map<ClientOrderId, { filled: number; notional: number }>();
  private readonly insertEvent: Database.Statement;
  /** EVENT_ROWS events in one statement, bound from eventArgs (reused): fewer calls per event. */
  private readonly insertEvents: Database.Statement;
  private readonly eventArgs: unknown[] = new Array<unknown>(EVENT_ROWS * 5);
  private readonly insertFill: Database.Statement;
  private readonly insertOrphan: Database.Statement;
  private readonly resolveOrphan: Database.Statement;
  private readonly upsertOrder: Database.Statement;
  private readonly beat: Database.Statement;
  private readonly setEventCount: Database.Statement;
  private readonly grouped: boolean;
  private readonly batchEvents: number;
  private lastBeat = Date.now();
  fillCount = 0;

  constructor(
    private readonly db: Database.Database,
    readonly runId: string,
    private readonly instrument: Instrument,
    options: WriterOptions = {},
  ) {
    this.grouped = options.commits === 'grouped';
    this.batchEvents = options.batchEvents ?? GROUP_COMMIT_EVENTS;
    this.insertEvent = db.prepare('INSERT INTO events (run_id, seq, time, kind, payload) VALUES (?, ?, ?, ?, ?)');
    this.insertEvents = db.prepare(
      `INSERT INTO events (run_id, seq, time, kind, payload) VALUES ${Array.from({ length: EVENT_ROWS }, () => '(?, ?, ?, ?, ?)').join(', ')}`,
    );
    this.insertFill = db.prepare(
      `INSERT INTO fills (run_id, trade_id, client_order_id, qty, price, fee, liquidity, time, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertOrphan = db.prepare(
      `INSERT INTO orphan_orders (run_id, client_order_id, venue_order_id, symbol, side, open_qty, filled_qty, venue_status, detected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, client_order_id) DO NOTHING`,
    );
    this.resolveOrphan = db.prepare(
      `UPDATE orphan_orders SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ? WHERE run_id = ? AND client_order_id = ?`,
    );
    // Everything an order's events can change is updated: status and fills, and the quantity
    // and prices a ChildAmended (carry re-sizing, limit re-pricing) gives a slice before it goes.
    this.upsertOrder = db.prepare(
      `INSERT INTO orders (run_id, client_order_id, venue_order_id, parent_order_id, slice_num, total_slices,
         scheduled_time, symbol, side, type, tif, status, qty, filled_qty, avg_price, limit_price, stop_price, created_at, updated_at)
       VALUES (@runId, @clientOrderId, @venueOrderId, @parentOrderId, @sliceNum, @totalSlices, @scheduledTime, @symbol,
         @side, @type, @tif, @status, @qty, @filledQty, @avgPrice, @limitPrice, @stopPrice, @createdAt, @updatedAt)
       ON CONFLICT (run_id, client_order_id) DO UPDATE SET venue_order_id = excluded.venue_order_id,
         status = excluded.status, qty = excluded.qty, filled_qty = excluded.filled_qty, avg_price = excluded.avg_price,
         limit_price = excluded.limit_price, stop_price = excluded.stop_price, updated_at = excluded.updated_at`,
    );
    this.beat = db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`);
    this.setEventCount = db.prepare('UPDATE runs SET event_count = ? WHERE id = ?');
  }

  /**
   * Shows the run is alive: refreshes its heartbeat when the last one is HEARTBEAT_EVERY_MS old
   * (a cheap one-row update at most once a second), with the whole units buffered so far, so a
   * running run's stored log is never more than about a second behind. Called at commits and
   * while the clock advances. Throws RunGoneError when the row is no longer a running run
   * (another process deleted it or marked it), so the run stops instead of writing events
   * nobody can use.
   */
  heartbeat(): void {
    if (Date.now() - this.lastBeat < HEARTBEAT_EVERY_MS) return;
    this.transaction(() => {
      this.writeUnits(this.unitsEnd);
      this.beatIfDue();
    });
  }

  /** The heartbeat's update when it is due; the caller holds the transaction. */
  private beatIfDue(): void {
    const now = Date.now();
    if (now - this.lastBeat < HEARTBEAT_EVERY_MS) return;
    this.lastBeat = now;
    if (this.beat.run(new Date(now).toISOString(), this.runId).changes === 0) {
      throw new RunGoneError(
        `run ${this.runId} is no longer running in the store: another process deleted or closed it`,
      );
    }
  }

  get orderCount(): number {
    return this.ledger.orders.size;
  }

  /** Buffers one entry; nothing reaches the database before the log commits. */
  write(entry: LogEntry, line: string): void {
    this.entries.push(entry);
    this.lines.push(line);
  }

  /** The log committed: a durable writer writes everything buffered (one or more whole commit
   *  units) in one transaction now; a grouped one marks the end of a unit (see unitEnd). */
  commit(): void {
    if (this.grouped) this.unitEnd();
    else this.flush(this.entries.length);
  }

  /**
   * A piece of work ended and what it logged is one whole unit, which need not be on disk before
   * anything else happens (nothing left the process on its strength): marked, and written with
   * the units around it once GROUP_COMMIT_EVENTS are buffered or the heartbeat is due, before the
   * next commit of a durable writer, at a crash (rollback), and at the end of the run.
   */
  unitEnd(): void {
    this.unitsEnd = this.entries.length;
    if (this.unitsEnd >= this.batchEvents) this.flush(this.unitsEnd);
    else this.heartbeat();
  }

  /** A crash, or a resume in a new process: the whole units buffered are written (they are
   *  durable: the log committed them), what was not committed is dropped (never written), and
   *  the projections' fold is rebuilt from the durable log, which is what the store now holds. */
  rollback(durable: readonly LogEntry[]): void {
    this.flush(this.unitsEnd);
    this.entries.length = 0;
    this.lines.length = 0;
    this.unitsEnd = 0;
    this.dirtyParents.clear();
    this.ledger = new OrderLedger();
    this.fillCount = 0;
    for (const entry of durable) {
      this.ledger.apply(entry);
      this.fillCount += this.ledger.appliedTrades.length;
    }
    this.ledger.takeChanged();
    // The rows written so far are the durable log's: each parent's totals are its children's as
    // folded from it (a writer in a new process, resuming a run, starts from these too).
    this.childWritten.clear();
    this.parentTotals.clear();
    for (const [id, order] of this.ledger.orders) {
      this.childWritten.set(id, { filled: order.filledQty, notional: order.filledNotional });
      const totals = this.totalsOf(order.request.parentId);
      totals.filled += order.filledQty;
      totals.notional += order.filledNotional;
      totals.updatedAt = Math.max(totals.updatedAt, order.updatedAt);
    }
  }

  /** Writes the whole units buffered (a signal stopped the run); the caller holds the transaction. */
  flushUnitsInTransaction(): void {
    this.writeUnits(this.unitsEnd);
  }

  /** Writes everything buffered, the uncommitted tail too (the run finished or failed); the
   *  caller holds the transaction. */
  flushInTransaction(): void {
    this.writeUnits(this.entries.length);
  }

  /** The first `count` buffered entries in one transaction. */
  private flush(count: number): void {
    if (count === 0) return;
    this.transaction(() => {
      this.writeUnits(count);
      this.beatIfDue();
    });
  }

  private transaction(work: () => void): void {
    try {
      this.db.transaction(work)();
    } catch (err) {
      // Events of a run whose row is gone break the foreign key: say what happened.
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new RunGoneError(`run ${this.runId} is no longer in the store: another process deleted it`);
      }
      throw err;
    }
  }

  /** Writes the first `count` buffered entries with the projection rows they change; the caller
   *  holds the transaction. */
  private writeUnits(count: number): void {
    if (count === 0) return;
    const { entries, lines, ledger, runId, instrument, eventArgs } = this;
    // Whole groups of EVENT_ROWS go in one statement each, the rest one by one.
    const grouped = count - (count % EVENT_ROWS);
    let arg = 0;
    for (let i = 0; i < count; i++) {
      const entry = entries[i] as LogEntry;
      const line = lines[i] as string;
      // The payload is the canonical line after "seq time kind ", without its newline.
      const space = line.indexOf(' ', line.indexOf(' ', line.indexOf(' ') + 1) + 1);
      const event = entry.event;
      const payload = line.slice(space + 1, -1);
      if (i < grouped) {
        eventArgs[arg++] = runId;
        eventArgs[arg++] = entry.seq;
        eventArgs[arg++] = entry.time;
        eventArgs[arg++] = event.kind;
        eventArgs[arg++] = payload;
        if (arg === eventArgs.length) {
          this.insertEvents.run(eventArgs);
          arg = 0;
        }
      } else this.insertEvent.run(runId, entry.seq, entry.time, event.kind, payload);
      ledger.apply(entry);
      if (event.kind === 'ParentOrderCreated' || event.kind === 'ParentOrderCompleted')
        this.dirtyParents.add(event.parentId);
      if (event.kind === 'OrphanDetected') {
        this.insertOrphan.run(
          runId,
          event.clientOrderId,
          event.venueOrderId,
          instrument.symbol,
          event.side,
          lotsToQty(instrument, event.openQty),
          lotsToQty(instrument, event.filledQty),
          event.status,
          entry.time,
        );
      } else if (event.kind === 'OrphanResolved') {
        this.resolveOrphan.run(event.resolution, event.actor, entry.time, runId, event.clientOrderId);
      }
      const trades = ledger.appliedTrades;
      for (let t = 0; t < trades.length; t++) {
        this.fillCount++;
        this.insertFill.run(fillRow(runId, instrument, trades[t] as AppliedTrade, entry.seq));
      }
    }
    const lastSeq = (entries[count - 1] as LogEntry).seq;
    // The run row's event count follows the stored log, so lists show a running run's progress
    // without counting its events.
    this.setEventCount.run(lastSeq, runId);
    for (const id of ledger.takeChanged()) {
      const order = ledger.order(id);
      if (!order) continue;
      this.upsertOrder.run(childOrderRow(runId, instrument, order));
      const parentId = order.request.parentId;
      const totals = this.totalsOf(parentId);
      const before = this.childWritten.get(id) ?? { filled: 0, notional: 0 };
      totals.filled += order.filledQty - before.filled;
      totals.notional += order.filledNotional - before.notional;
      totals.updatedAt = Math.max(totals.updatedAt, order.updatedAt);
      this.childWritten.set(id, { filled: order.filledQty, notional: order.filledNotional });
      this.dirtyParents.add(parentId);
    }
    for (const parentId of this.dirtyParents) {
      const parent = ledger.parents.get(parentId);
      if (parent) this.upsertOrder.run(parentOrderRow(runId, instrument, parentId, parent, this.totalsOf(parentId)));
    }
    this.dirtyParents.clear();
    if (count === entries.length) {
      entries.length = 0;
      lines.length = 0;
    } else {
      entries.splice(0, count);
      lines.splice(0, count);
    }
    this.unitsEnd = Math.max(0, this.unitsEnd - count);
  }

  private totalsOf(parentId: ParentOrderId): ChildTotals {
    let totals = this.parentTotals.get(parentId);
    if (!totals) {
      totals = { filled: 0, notional: 0, updatedAt: 0 };
      this.parentTotals.set(parentId, totals);
    }
    return totals;
  }
}

/** A run that cannot be resumed, and why (bad input: the CLI exits 2). */
export class ResumeRefused extends Error {
  override readonly name = 'ResumeRefused';
}
