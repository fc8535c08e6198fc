// Writes a sweep whose units run elsewhere (workers on a queue) into the coordinator's store.
// Results can arrive more than once (a chunk redelivered after its worker died, a results batch
// re-read after the coordinator died mid-write), so every write is idempotent: a unit's result
// row (sweep_unit_results, unique per sweep and unit) is inserted or ignored, and only a unit
// whose row was new gets its path rows and advances paths_done, all in one transaction. The sweep
// row is the one local sweeps use; a coordinator that resumes a sweep takes it over as its
// writer (pid, host, heartbeat) unless another live coordinator still holds it.
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { localLiveness, STALE_HEARTBEAT_MS, type Liveness } from './run-state.ts';
import { SweepPathRows, type StoredPath, type SweepStatus } from './sweep-store.ts';

/** One unit's result as the coordinator stores it: the rows local sweeps store, and the exact
 *  result as JSON (what a resumed coordinator rebuilds the report from). */
export interface StoredUnit {
  readonly unit: number;
  readonly resultJson: string;
  readonly path: StoredPath;
}

/** A stored sweep a coordinator can resume. */
export interface ResumableSweep {
  readonly id: string;
  readonly scenarioFile: string;
  readonly scenarioSource: string;
  readonly sweepSeed: number;
  /** Every unit of the sweep: paths x grid points. */
  readonly paths: number;
  /** A grid sweep's axes as JSON ([{ key, values }]); null for a plain sweep. */
  readonly gridJson: string | null;
  readonly codeVersion: string;
  readonly status: SweepStatus;
}

/** The sweep cannot be resumed (unknown, finished, still held by a live coordinator). */
export class ResumeSweepRefused extends Error {}

interface SweepRow {
  id: string;
  scenario_file: string;
  scenario_source: string;
  sweep_seed: number;
  paths_requested: number;
  code_version: string;
  status: SweepStatus;
  writer_pid: number | null;
  writer_host: string | null;
  heartbeat_at: string | null;
  grid_json: string | null;
}

export class QueuedSweepStore {
  private readonly insertResult: Database.Statement;
  private readonly rows: SweepPathRows;

  constructor(readonly db: Database.Database) {
    this.insertResult = db.prepare(
      'INSERT OR IGNORE INTO sweep_unit_results (sweep_id, unit, result) VALUES (?, ?, ?)',
    );
    this.rows = new SweepPathRows(db);
  }

  /** Stores the units not stored yet, in one transaction; returns how many were new. Throws
   *  SweepGoneError, writing nothing, when the sweep is no longer running under this process. */
  storeUnits(id: string, units: readonly StoredUnit[], at: string): number {
    return this.db.transaction(() => {
      let added = 0;
      let passed = 0;
      for (const u of units) {
        if (this.insertResult.run(id, u.unit, u.resultJson).changes !== 1) continue;
        added++;
        const p = u.path;
        if (p.passed) passed++;
        this.rows.insert(id, p);
      }
      this.rows.advance(id, added, passed, at);
      return added;
    })();
  }

  /** Refreshes the heartbeat (the coordinator is alive while it waits for results). */
  heartbeat(id: string, at: string): void {
    this.db
      .prepare(
        `UPDATE sweeps SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND writer_pid = ? AND writer_host = ?`,
      )
      .run(at, id, process.pid, hostname());
  }

  /** Units stored so far. */
  storedUnits(id: string): Set<number> {
    const rows = this.db.prepare('SELECT unit FROM sweep_unit_results WHERE sweep_id = ?').pluck().all(id) as number[];
    return new Set(rows);
  }

  /** Paths stored so far (the sweep row's count, advanced with each batch). */
  pathsDone(id: string): number {
    const r = this.db.prepare('SELECT paths_done FROM sweeps WHERE id = ?').pluck().get(id) as number | undefined;
    return r ?? 0;
  }

  /** Every stored unit's result JSON, in unit order. */
  results(id: string): string[] {
    return this.db
      .prepare('SELECT result FROM sweep_unit_results WHERE sweep_id = ? ORDER BY unit')
      .pluck()
      .all(id) as string[];
  }

  /** The end of the sweep, if this process still writes it. */
  end(
    id: string,
    status: 'finished' | 'failed' | 'interrupted',
    error: string | null,
    summaryJson: string | null,
    at: string,
  ): void {
    this.db
      .prepare(
        `UPDATE sweeps SET status = ?, error = ?, summary_json = ?, finished_at = ?, heartbeat_at = ?
         WHERE id = ? AND status = 'running' AND writer_pid = ? AND writer_host = ?`,
      )
      .run(status, error, summaryJson, at, at, id, process.pid, hostname());
  }

  /** Takes a stopped, failed or crashed sweep over as its writer: 'running' again, under this
   *  process. Refused when the sweep is unknown, finished, queued for a local pool, ran on a
   *  machine's threads (its paths stored, no unit of the queue's), or running under a coordinator
   *  that is alive. */
  takeOver(id: string, at: string, live: Liveness = localLiveness()): ResumableSweep {
    // Immediate: the look and the write under one write lock. Deferred, a coordinator resuming
    // the same sweep at the same moment could write between them, and this one then failed with
    // SQLITE_BUSY (a stack trace) instead of being refused with the other named as its writer.
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare(
            `SELECT id, scenario_file, scenario_source, sweep_seed, paths_requested, code_version, status, writer_pid,
             writer_host, heartbeat_at, grid_json FROM sweeps WHERE id = ?`,
          )
          .get(id) as SweepRow | undefined;
        if (!row) throw new ResumeSweepRefused(`sweep ${id} is not in this database`);
        if (row.status === 'finished') throw new ResumeSweepRefused(`sweep ${id} is finished: nothing to resume`);
        if (row.status === 'queued')
          throw new ResumeSweepRefused(`sweep ${id} is queued for a server's pool, not a queue`);
        // A sweep run on a machine's threads stores its paths but no unit results: the queue
        // would run its stored paths again and fail storing them twice.
        const local = this.db
          .prepare(
            `SELECT EXISTS (SELECT 1 FROM sweep_paths WHERE sweep_id = ?)
               AND NOT EXISTS (SELECT 1 FROM sweep_unit_results WHERE sweep_id = ?)`,
          )
          .pluck()
          .get(id, id);
        if (local === 1)
          throw new ResumeSweepRefused(
            `sweep ${id} ran on one machine's worker threads, not a queue: only a queued sweep resumes (run it again)`,
          );
        if (row.status === 'running' && writerAlive(row, live))
          throw new ResumeSweepRefused(
            `sweep ${id} is running under process ${row.writer_pid} on ${row.writer_host}: stop it before resuming`,
          );
        this.db
          .prepare(
            `UPDATE sweeps SET status = 'running', error = NULL, finished_at = NULL, heartbeat_at = ?, writer_pid = ?,
             writer_host = ? WHERE id = ?`,
          )
          .run(at, process.pid, hostname(), id);
        return {
          id: row.id,
          scenarioFile: row.scenario_file,
          scenarioSource: row.scenario_source,
          sweepSeed: row.sweep_seed,
          paths: row.paths_requested,
          gridJson: row.grid_json,
          codeVersion: row.code_version,
          status: row.status,
        };
      })
      .immediate();
  }
}

/** A running sweep's writer is alive: its process exists here, or (another host) its heartbeat
 *  is fresh. */
function writerAlive(row: SweepRow, live: Liveness): boolean {
  if (row.writer_host === live.host) return row.writer_pid !== null && live.isAlive(row.writer_pid);
  const beat = row.heartbeat_at === null ? NaN : Date.parse(row.heartbeat_at);
  return Number.isFinite(beat) && live.nowMs - beat <= STALE_HEARTBEAT_MS;
}
