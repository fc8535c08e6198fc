// The stored shapes that the store's writers and readers share: a run row and the statuses of runs
// and sweeps. Types only, importing nothing of the store, so every store module can use them.

export interface RunRow {
  readonly id: string;
  readonly scenario_name: string;
  readonly scenario_hash: string;
  readonly seed: number;
  readonly code_version: string;
  readonly status: StoredStatus;
  readonly digest: string | null;
  /** The digest of the log stored so far, recorded by a writer that leaves the order and fill rows
   *  to the first read (a grouped run); null for others. */
  readonly log_digest?: string | null;
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
  /** The algorithm modules the run loaded when it started, by the field naming each, with their
   *  code hashes (JSON, host/changed-code.ts); null: none, or stored before it was recorded. */
  readonly algorithm_codes?: string | null;
  /** Headline figures over the run's parents (migrations.ts, version 5, says how they are
   *  aggregated); null until the run finished, or when no parent has one. */
  readonly shortfall_bps: number | null;
  readonly fill_ratio: number | null;
}

/** A run's status as stored. */
export type StoredStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** A sweep's status as stored. */
export type SweepStatus = 'queued' | 'running' | 'finished' | 'failed' | 'interrupted';
