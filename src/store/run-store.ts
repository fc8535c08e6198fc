// Runs in SQLite: a run row is written as 'running' first; its event log and the order/fill
// projections are written by its RunWriter (run-writer.ts) in whole commit units, so a process
// killed at any moment leaves a gap-free prefix of the log that ends at a commit. The last events,
// the digest, the counts and status 'finished' go in one final transaction. A process that dies
// mid-run leaves status 'running': never a run half-reported as finished. The run row names its
// writer (pid and host) and carries a heartbeat the writer refreshes, so that readers can tell a
// run whose writer is gone (run-state.ts: 'crashed'); a run stopped by a signal is marked
// 'interrupted'.
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import type { LogEntry, MarketSampled } from '../core/model/events.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { ParentReport } from '../core/report/run-report.ts';
import { StoreError } from './open-database.ts';
import { storedSampleBlocks } from './sample-blocks.ts';
import { parsedPayload, unreadablePayload } from './stored-values.ts';
import type { RunRow } from './stored-rows.ts';
import { storedVenueUrl } from './stored-venue-url.ts';
import { localLiveness, resumeRefusal, type Liveness } from './run-state.ts';
import { RunWriter, type WriterOptions } from './run-writer.ts';
import { deleteStoredEvents, STORED_EVENTS_SQL, storedEventLines } from './stored-events.ts';

export { HEARTBEAT_EVERY_MS, RunGoneError, RunWriter } from './run-writer.ts';
export type { WriterOptions } from './run-writer.ts';
export type { RunRow, StoredStatus } from './stored-rows.ts';

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
  /** The algorithm modules it loaded and their code hashes (host/changed-code.ts), or null. */
  readonly algorithmCodes?: string | null;
  /** A paper run's venue URL and market hours, for its resume command (stored without any
   *  user:password@ part); absent or null for a backtest. */
  readonly venueUrl?: string | null;
  readonly marketHours?: 'venue' | 'always' | null;
}

/** What a resume ran with: stored over what the run had, for the next resume command. */
export interface ResumedWith {
  readonly venueUrl: string;
  readonly marketHours: 'venue' | 'always';
}

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
    // A run of several symbols names each parent's; a run of one, none (the run's symbol).
    symbol: p.symbol ?? null,
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

/** The run's headline figures from its parent_metrics rows: shortfall weighted by what each
 *  parent filled at its arrival price (the notional its bps are of, so parents of several symbols
 *  add up as `execsim run`'s table adds them), fill ratio as everything filled over everything
 *  ordered (the same as migrations 5 and 18 compute for runs stored before them). */
const UPDATE_HEADLINE = `UPDATE runs SET
  shortfall_bps = (SELECT SUM(m.shortfall_bps * CAST(m.filled_qty AS REAL) * CAST(m.arrival_price AS REAL))
      / SUM(CAST(m.filled_qty AS REAL) * CAST(m.arrival_price AS REAL))
    FROM parent_metrics m WHERE m.run_id = runs.id AND m.shortfall_bps IS NOT NULL
      AND CAST(m.filled_qty AS REAL) * CAST(m.arrival_price AS REAL) > 0),
  fill_ratio = (SELECT SUM(CAST(m.filled_qty AS REAL)) / NULLIF(SUM(CAST(m.target_qty AS REAL)), 0)
    FROM parent_metrics m WHERE m.run_id = runs.id)
  WHERE id = ?`;

/** The run's trading figures from its stored report (pnl, trades.stats: trade-fold.ts), read by
 *  SQLite's JSON functions so that every way a run finishes sets them alike; a report without
 *  them (or not JSON) leaves NULL. */
const UPDATE_TRADING = `UPDATE runs SET
  net_pnl = CAST(json_extract(report_json, '$.pnl.total.net') AS REAL),
  trade_count = json_extract(report_json, '$.trades.stats.trades'),
  win_rate = json_extract(report_json, '$.trades.stats.winRate'),
  profit_factor = json_extract(report_json, '$.trades.stats.profitFactor'),
  sharpe = json_extract(report_json, '$.trades.stats.equity.sharpeAnnualized'),
  max_drawdown = CAST(json_extract(report_json, '$.trades.stats.drawdown.amount') AS REAL)
  WHERE id = ? AND json_valid(report_json)`;

/** A run row with its stored events counted (the log is gap-free, so that is its last seq: an
 *  index lookup, not a scan). */
const SELECT_RUN = `SELECT runs.*, ${STORED_EVENTS_SQL} AS stored_events FROM runs`;

/** What a run's end is written with: its RunWriter, or the PrefoldedRunWriter of a grouped run
 *  written from a thread. */
export interface StoreRunWriter {
  readonly runId: string;
  readonly orderCount: number;
  readonly fillCount: number;
  /** Writes everything buffered (the caller holds the transaction). */
  flushInTransaction(): void;
  /** Writes the whole units buffered (the caller holds the transaction). */
  flushUnitsInTransaction(): void;
  /** The transaction that wrote what was buffered committed. */
  committed(): void;
}

export class RunStore {
  constructor(readonly db: Database.Database) {}

  /** Stores the run as 'running', written by this process (its pid and host), alive now, with the
   *  further symbols of a scenario of several (run_symbols), in one transaction. */
  createRun(run: NewRun): void {
    this.db.transaction(() => {
      this.insertRun(run);
      this.db
        .prepare(
          `INSERT INTO run_symbols (run_id, position, symbol)
             SELECT @id, o.key + 1, json_extract(o.value, '$.symbol')
               FROM json_each(CASE WHEN json_valid(@scenarioJson) THEN @scenarioJson ELSE '{}' END, '$.otherInstruments') o
              WHERE json_type(o.value, '$.symbol') = 'text'`,
        )
        .run({ id: run.id, scenarioJson: run.scenarioJson });
    })();
  }

  private insertRun(run: NewRun): void {
    this.db
      .prepare(
        `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start,
           writer_pid, writer_host, heartbeat_at, mode, sweep_id, algorithm_codes, venue, symbol, venue_url, market_hours)
         VALUES (@id, @scenarioName, @scenarioHash, @scenarioJson, @seed, @codeVersion, 'running', @startedAt, @simStart,
           @pid, @host, @heartbeat, @mode, @sweepId, @algorithmCodes,
           CASE WHEN json_valid(@scenarioJson) THEN json_extract(@scenarioJson, '$.venue.name') END,
           CASE WHEN json_valid(@scenarioJson) THEN json_extract(@scenarioJson, '$.instrument.symbol') END,
           @venueUrl, @marketHours)`,
      )
      .run({
        ...run,
        mode: run.mode ?? 'backtest',
        sweepId: run.sweepId ?? null,
        algorithmCodes: run.algorithmCodes ?? null,
        venueUrl: run.venueUrl == null ? null : storedVenueUrl(run.venueUrl),
        marketHours: run.marketHours ?? null,
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
  finishRun(writer: StoreRunWriter, totals: RunTotals): void {
    const { parents: given, ...row } = totals;
    const parents = given ?? (JSON.parse(totals.reportJson) as { parents?: ParentReport[] }).parents ?? [];
    this.db.transaction(() => {
      writer.flushInTransaction();
      const insertParent = this.db.prepare(
        `INSERT INTO parent_metrics (run_id, parent_order_id, position, symbol, side, target_qty, filled_qty, fill_ratio,
           arrival_price, avg_fill_price, shortfall_bps, vwap_slippage_bps, twap_slippage_bps, duration_ms, status, stop_reason)
         VALUES (@runId, @id, @position, COALESCE(@symbol, (SELECT symbol FROM runs WHERE id = @runId)), @side, @qty,
           @filledQty, @fillRatio,
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
      this.db.prepare(UPDATE_TRADING).run(writer.runId);
    })();
    writer.committed();
  }

  /**
   * Takes over a crashed or interrupted run to continue it (`execsim resume`): in one write
   * transaction, checks that its writer is gone (run-state.ts: its pid is not alive here, or its
   * heartbeat is stale) or that a signal stopped it, then marks it running with this process as
   * its writer. Returns the run's row; throws ResumeRefused saying why otherwise (resumeRefusal:
   * unknown, not a paper run, finished, still written by a live process), and changes nothing then.
   */
  claimRun(
    runId: string,
    live: Liveness = localLiveness(),
    mode: 'paper' | 'session' = 'paper',
    resumedWith: ResumedWith | null = null,
  ): RunRow {
    return this.db
      .transaction((): RunRow => {
        const row = this.getRun(runId);
        const refusal = resumeRefusal(runId, row, live, this.db.name, mode);
        // (row is undefined only with a refusal)
        if (refusal !== null || row === undefined) throw new ResumeRefused(refusal ?? `no run "${runId}"`);
        this.db
          .prepare(
            `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, writer_pid = ?, writer_host = ?,
               heartbeat_at = ? WHERE id = ?`,
          )
          .run(process.pid, hostname(), new Date(live.nowMs).toISOString(), runId);
        if (resumedWith !== null)
          this.db
            .prepare('UPDATE runs SET venue_url = ?, market_hours = ? WHERE id = ?')
            .run(storedVenueUrl(resumedWith.venueUrl), resumedWith.marketHours, runId);
        return { ...row, status: 'running', writer_pid: process.pid, writer_host: hostname() };
      })
      .immediate();
  }

  /** A run stopped by a signal: marked 'interrupted' at `at` with the reason, in one transaction
   *  with the whole commit units its writer (when given) still buffers. What the log appended
   *  after its last commit is not written: the store keeps whole commit units. */
  interruptRun(runId: string, reason: string, at: string, writer: StoreRunWriter | null = null): void {
    this.db.transaction(() => {
      writer?.flushUnitsInTransaction();
      this.db
        .prepare(
          `UPDATE runs SET status = 'interrupted', error = ?, finished_at = ?, heartbeat_at = ? WHERE id = ? AND status = 'running'`,
        )
        .run(reason, at, at, runId);
    })();
    writer?.committed();
  }

  /** Deletes a run with its events and projections, in one transaction. */
  deleteRun(runId: string): DeletedRun {
    return this.db.transaction((): DeletedRun => {
      const del = (table: string): number =>
        this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId).changes;
      const counts = {
        events: deleteStoredEvents(this.db, runId),
        orders: del('orders'),
        fills: del('fills'),
        orphans: del('orphan_orders'),
      };
      del('market_samples');
      del('market_sample_blocks');
      del('parent_metrics');
      del('run_symbols');
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
      return counts;
    })();
  }

  /** Keeps what was logged, committed or not (for diagnosis), and marks the run failed, never
   *  finished, in the same transaction. */
  failRun(writer: StoreRunWriter | null, runId: string, error: string, finishedAt: string): void {
    this.db.transaction(() => {
      writer?.flushInTransaction();
      this.db
        .prepare(`UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`)
        .run(error, finishedAt, runId);
    })();
    writer?.committed();
  }

  /** Marks a running run's writer alive now (a process that may stay idle longer than the
   *  stale-heartbeat age between writes: a service session). */
  heartbeat(runId: string, at: string = new Date().toISOString()): void {
    this.db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`).run(at, runId);
  }

  /** A service session's runs (mode 'session', by its name), the newest first. */
  sessionRuns(name: string): RunRow[] {
    return this.db
      .prepare(`${SELECT_RUN} WHERE mode = 'session' AND scenario_name = ? ORDER BY started_at DESC, id DESC`)
      .all(name) as RunRow[];
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

  /** The stored log as log entries (what a restarted process starts from), or those from seq
   *  `from` on, at most `limit` of them; a payload that is not JSON (the database edited by hand)
   *  is a StoreError naming the event. */
  *entries(runId: string, from = 0, limit?: number): IterableIterator<LogEntry> {
    const lines = storedEventLines(this.db, runId, { from, ...(limit === undefined ? {} : { limit }) });
    for (const [seq, time, kind, text] of lines) {
      const payload = parsedPayload(text);
      if (payload === undefined)
        throw new StoreError(`database ${this.db.name}: run ${runId}: ${unreadablePayload(seq, kind)}`);
      yield { seq, time, event: { kind, ...(payload as object) } as LogEntry['event'] };
    }
  }

  /** The market samples the run's processes took and stored, in the order taken, each following
   *  the entry of its seq (what a resumed process folds into its report with the log). Runs
   *  stored under schema version 10 kept theirs in rows of their own, which are not read. */
  samples(runId: string): LogEntry<MarketSampled>[] {
    return storedSampleBlocks(this.db, runId).map(({ seq, time, ...sample }) => ({
      seq,
      time,
      event: { kind: 'MarketSampled', ...sample },
    }));
  }

  /** Every run, newest first (prune looks at all of them). */
  allRuns(): RunRow[] {
    return this.db.prepare(`${SELECT_RUN} ORDER BY started_at DESC, id DESC`).all() as RunRow[];
  }

  /** The stored log, in order, as (seq, time, kind, payload JSON); a damaged block of it is a
   *  StoredDataError (stored-events.ts). */
  *events(runId: string): IterableIterator<{ seq: number; time: number; kind: string; payload: string }> {
    for (const [seq, time, kind, payload] of storedEventLines(this.db, runId)) yield { seq, time, kind, payload };
  }
}

/** What the orders table holds for a child order. */
export class ResumeRefused extends Error {
  override readonly name = 'ResumeRefused';
}
