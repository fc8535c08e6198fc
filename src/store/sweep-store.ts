// Writes Monte Carlo sweeps into the store: the sweep row ('queued' when a pool accepts it,
// 'running' once a writer takes it), its paths in batches, and its end. Each batch is one
// transaction that inserts whole paths (the path row and its parents' rows) and advances the
// sweep's paths_done and heartbeat, so a process killed at any moment leaves whole paths and a
// paths_done that counts them. The writer's pid and host are recorded as a run's are, so a sweep
// whose writer died is shown as crashed (sweep-state.ts).
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { storedGrid, type GridAxes } from './sweep-columns.ts';

import type { SweepStatus } from './stored-rows.ts';

export type { SweepStatus } from './stored-rows.ts';

export const SWEEP_STATUSES: readonly SweepStatus[] = ['queued', 'running', 'finished', 'failed', 'interrupted'];

export interface NewSweep {
  readonly id: string;
  readonly scenarioName: string;
  readonly scenarioHash: string;
  readonly scenarioJson: string;
  /** Where the scenario was loaded from: replay files resolve against it when a path is re-run. */
  readonly scenarioFile: string;
  /** The scenario's YAML text as given. */
  readonly scenarioSource: string;
  readonly sweepSeed: number;
  readonly paths: number;
  readonly codeVersion: string;
  readonly createdAt: string;
  /** A grid sweep's axes as JSON ([{ key, values }]); absent or null for a plain sweep. */
  readonly gridJson?: string | null;
}

/** One parent's figures on one path (null where the figure does not exist on that path). */
export interface StoredParentMetrics {
  readonly parentId: string;
  readonly status: string;
  readonly shortfallBps: number | null;
  readonly shortfallQuote: number | null;
  readonly fillRatio: number | null;
  readonly vwapSlippageBps: number | null;
  readonly filledQty: number | null;
  readonly durationMs: number | null;
}

/** One path as stored: its seed, outcome, path-level figures and its parents' figures. */
export interface StoredPath {
  /** The row's number in the sweep: the path index in a plain sweep, path index x grid points +
   *  grid point in a grid sweep. */
  readonly path: number;
  /** The grid point (absent: 0, a plain sweep). */
  readonly point?: number;
  readonly seed: number;
  /** Null only for a path whose run threw (then `error` says why). */
  readonly digest: string | null;
  readonly passed: boolean;
  readonly error: string | null;
  /** Shortfall over all parents, bps of the arrival notional of what filled; null if nothing filled. */
  readonly shortfallBps: number | null;
  /** Filled over ordered quantity, all parents together; null when no parent was created. */
  readonly fillRatio: number | null;
  readonly parents: readonly StoredParentMetrics[];
}

/** The sweep row is gone or no longer this writer's (deleted, or ended by someone else). */
export class SweepGoneError extends Error {}

/** The rows of whole paths and the count they advance, as every sweep writer (a local sweep's
 *  recorder, a queued sweep's coordinator) writes them, inside the caller's transaction. */
export class SweepPathRows {
  private readonly insertPath: Database.Statement;
  private readonly insertParent: Database.Statement;
  private readonly advanceRow: Database.Statement;

  constructor(db: Database.Database) {
    this.insertPath = db.prepare(
      `INSERT INTO sweep_paths (sweep_id, path, seed, digest, passed, error, shortfall_bps, fill_ratio, grid_point)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertParent = db.prepare(
      `INSERT INTO sweep_path_parents (sweep_id, parent_id, path, status, shortfall_bps, shortfall_quote, fill_ratio,
         vwap_slippage_bps, filled_qty, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.advanceRow = db.prepare(
      `UPDATE sweeps SET paths_done = paths_done + ?, paths_passed = paths_passed + ?, heartbeat_at = ?
       WHERE id = ? AND status = 'running' AND writer_pid = ? AND writer_host = ?`,
    );
  }

  /** One path's row and its parents' rows. */
  insert(id: string, p: StoredPath): void {
    this.insertPath.run(
      id,
      p.path,
      p.seed,
      p.digest,
      p.passed ? 1 : 0,
      p.error,
      finiteOrNull(p.shortfallBps),
      finiteOrNull(p.fillRatio),
      p.point ?? 0,
    );
    for (const m of p.parents) {
      this.insertParent.run(
        id,
        m.parentId,
        p.path,
        m.status,
        finiteOrNull(m.shortfallBps),
        finiteOrNull(m.shortfallQuote),
        finiteOrNull(m.fillRatio),
        finiteOrNull(m.vwapSlippageBps),
        finiteOrNull(m.filledQty),
        finiteOrNull(m.durationMs),
      );
    }
  }

  /** Advances paths_done, paths_passed and the heartbeat; throws SweepGoneError when the sweep is
   *  no longer running under this process (the caller's transaction then writes nothing). */
  advance(id: string, added: number, passed: number, at: string): void {
    const r = this.advanceRow.run(added, passed, at, id, process.pid, hostname());
    if (r.changes !== 1) throw new SweepGoneError(`sweep ${id} is no longer running under this process`);
  }
}

export class SweepStore {
  private readonly rows: SweepPathRows;

  constructor(readonly db: Database.Database) {
    this.rows = new SweepPathRows(db);
  }

  /** Stores the sweep as 'queued' (accepted, not started), owned by this process. */
  queue(s: NewSweep): void {
    this.insert(s, 'queued');
  }

  /** Stores the sweep as 'running', written by this process, alive now. */
  create(s: NewSweep): void {
    this.insert(s, 'running');
  }

  /** A queued sweep taken up by this process: 'running', with this writer and a fresh heartbeat. */
  start(id: string, at: string): void {
    const r = this.db
      .prepare(
        `UPDATE sweeps SET status = 'running', started_at = ?, heartbeat_at = ?, writer_pid = ?, writer_host = ?
         WHERE id = ? AND status = 'queued'`,
      )
      .run(at, at, process.pid, hostname(), id);
    if (r.changes !== 1) throw new SweepGoneError(`sweep ${id} is not queued (deleted or ended)`);
  }

  /** Writes whole paths and advances paths_done, in one transaction; nothing when `paths` is empty
   *  (except the heartbeat). Throws SweepGoneError, writing nothing, when the sweep is no longer
   *  running under this writer. */
  appendPaths(id: string, paths: readonly StoredPath[], at: string): void {
    this.db.transaction(() => {
      this.rows.advance(id, paths.length, paths.filter((p) => p.passed).length, at);
      for (const p of paths) this.rows.insert(id, p);
    })();
  }

  /** The last paths and the end of the sweep, in one transaction. */
  finish(id: string, last: readonly StoredPath[], summaryJson: string, at: string): void {
    this.end(id, last, at, 'finished', null, summaryJson);
  }

  /** A sweep that could not go on: its last whole paths (the failing one with its error) and why. */
  fail(id: string, last: readonly StoredPath[], error: string, at: string): void {
    this.end(id, last, at, 'failed', error, null);
  }

  /** A sweep stopped on request after its last whole paths. */
  interrupt(id: string, last: readonly StoredPath[], reason: string, at: string): void {
    this.end(id, last, at, 'interrupted', reason, null);
  }

  /** A queued sweep that will never start: cancelled or its pool closed ('interrupted'), or it could
   *  not be started ('failed'). */
  endQueued(id: string, status: 'interrupted' | 'failed', reason: string, at: string): void {
    this.db
      .prepare(`UPDATE sweeps SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'queued'`)
      .run(status, reason, at, id);
  }

  /** What re-running a path as a full run needs: the sweep's scenario (its file, for replay files,
   *  and its text) and the path's seed and digest; null when the sweep or the path is not stored.
   *  A grid_json that is not a grid (edited by hand) is a StoredDataError naming the sweep. */
  pathSource(
    id: string,
    path: number,
  ):
    | { kind: 'no-sweep' }
    | { kind: 'no-path' }
    | {
        kind: 'found';
        file: string;
        yaml: string;
        seed: number;
        digest: string | null;
        /** A grid sweep's axes and the path's point: the run needs that point's scenario. */
        grid: GridAxes | null;
        point: number;
        /** The run the path was last re-run as, if any. */
        runId: string | null;
      } {
    const sweep = this.db
      .prepare('SELECT scenario_file, scenario_source, grid_json FROM sweeps WHERE id = ?')
      .get(id) as { scenario_file: string; scenario_source: string; grid_json: string | null } | undefined;
    if (!sweep) return { kind: 'no-sweep' };
    const row = this.db
      .prepare('SELECT seed, digest, grid_point, run_id FROM sweep_paths WHERE sweep_id = ? AND path = ?')
      .get(id, path) as { seed: number; digest: string | null; grid_point: number; run_id: string | null } | undefined;
    if (!row) return { kind: 'no-path' };
    return {
      kind: 'found',
      file: sweep.scenario_file,
      yaml: sweep.scenario_source,
      seed: row.seed,
      digest: row.digest,
      grid: storedGrid(this.db, id, sweep.grid_json),
      point: row.grid_point,
      runId: row.run_id,
    };
  }

  /** Records the run a path was re-run as (the latest one, when it was re-run more than once). */
  setPathRun(id: string, path: number, runId: string): boolean {
    return (
      this.db.prepare('UPDATE sweep_paths SET run_id = ? WHERE sweep_id = ? AND path = ?').run(runId, id, path)
        .changes === 1
    );
  }

  private insert(s: NewSweep, status: 'queued' | 'running'): void {
    const running = status === 'running';
    this.db
      .prepare(
        `INSERT INTO sweeps (id, scenario_name, scenario_hash, scenario_json, scenario_file, scenario_source, sweep_seed,
           paths_requested, status, code_version, created_at, started_at, writer_pid, writer_host, heartbeat_at, grid_json)
         VALUES (@id, @scenarioName, @scenarioHash, @scenarioJson, @scenarioFile, @scenarioSource, @sweepSeed,
           @paths, @status, @codeVersion, @createdAt, @startedAt, @pid, @host, @heartbeat, @gridJson)`,
      )
      .run({
        ...s,
        gridJson: s.gridJson ?? null,
        status,
        startedAt: running ? s.createdAt : null,
        pid: process.pid,
        host: hostname(),
        heartbeat: running ? s.createdAt : null,
      });
  }

  private end(
    id: string,
    last: readonly StoredPath[],
    at: string,
    status: 'finished' | 'failed' | 'interrupted',
    error: string | null,
    summaryJson: string | null,
  ): void {
    this.db.transaction(() => {
      this.appendPaths(id, last, at);
      this.db
        .prepare(
          `UPDATE sweeps SET status = ?, error = ?, summary_json = ?, finished_at = ?, heartbeat_at = ?
           WHERE id = ? AND status = 'running'`,
        )
        .run(status, error, summaryJson, at, at, id);
    })();
  }
}

/** SQLite stores NaN as NULL anyway; infinities are not figures either. */
const finiteOrNull = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
