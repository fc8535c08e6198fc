// Many stored runs, fast: copies of a few real runs' rows (runs and parent_metrics; not their
// events, orders or fills, which lists never read) with varied ids, seeds, start times, states
// and headline figures, all in one transaction. Values are drawn from small sets so that sort
// keys tie often (what keyset paging must get right). Deterministic for a given seed.
import type Database from 'better-sqlite3';

export interface CloneOptions {
  readonly count: number;
  readonly seed: number;
  readonly idPrefix?: string;
  /** Pids that running copies name as their writer (on `host`); pick alive and dead ones. */
  readonly writerPids?: readonly number[];
  readonly host?: string;
  /** The first copy's start time (ISO-8601); copies start within count/3 seconds of it. */
  readonly startedFrom?: string;
}

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CLONE_VENUES = ['binance-spot', 'alpaca-equities'] as const;
export const CLONE_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'AAPL'] as const;
export const CLONE_CODE_VERSIONS = ['v1', 'v2', 'v3'] as const;

/** Copies `sources` round-robin into `count` new runs; returns their ids. */
export function cloneRuns(db: Database.Database, sources: readonly string[], o: CloneOptions): string[] {
  const next = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const base = Date.parse(o.startedFrom ?? '2025-01-01T00:00:00.000Z');
  const insertRun = db.prepare(
    `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, digest, started_at,
       finished_at, sim_start, sim_end, event_count, error, order_count, fill_count, report_json, passed, writer_pid,
       writer_host, heartbeat_at, mode, venue, symbol, sweep_id, shortfall_bps, fill_ratio)
     SELECT @id, scenario_name, scenario_hash, scenario_json, @seed, @codeVersion, @status,
       CASE WHEN @status = 'finished' THEN digest END, @startedAt,
       CASE WHEN @status IN ('finished', 'failed', 'interrupted') THEN @startedAt END, sim_start, sim_end, event_count,
       CASE WHEN @status = 'failed' THEN 'copied failure' END, order_count, fill_count,
       CASE WHEN @status = 'finished' THEN report_json END, @passed, @pid, @host, @heartbeat, @mode, @venue, @symbol,
       NULL, @shortfall, @fillRatio
     FROM runs WHERE id = @source`,
  );
  const copyParents = db.prepare(
    `INSERT INTO parent_metrics SELECT @id, parent_order_id, position, symbol, side, target_qty, filled_qty, fill_ratio,
       arrival_price, avg_fill_price, shortfall_bps, vwap_slippage_bps, twap_slippage_bps, duration_ms, status, stop_reason
     FROM parent_metrics WHERE run_id = @source`,
  );
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const id = `${o.idPrefix ?? 'clone'}-${String(i).padStart(6, '0')}`;
      const source = sources[i % sources.length] as string;
      const r = next();
      const status = r < 0.8 ? 'finished' : r < 0.85 ? 'failed' : r < 0.9 ? 'interrupted' : 'running';
      const finished = status === 'finished';
      const startedAt = new Date(base + Math.floor(next() * Math.max(1, o.count / 3)) * 1000).toISOString();
      insertRun.run({
        id,
        source,
        seed: Math.floor(next() * 20),
        codeVersion: pick(CLONE_CODE_VERSIONS),
        status,
        startedAt,
        passed: finished ? (next() < 0.8 ? 1 : 0) : null,
        pid: status === 'running' && o.writerPids ? pick(o.writerPids) : null,
        host: status === 'running' ? (o.host ?? null) : null,
        heartbeat: new Date(base).toISOString(),
        mode: next() < 0.9 ? 'backtest' : 'paper',
        venue: pick(CLONE_VENUES),
        symbol: pick(CLONE_SYMBOLS),
        shortfall: finished && next() < 0.9 ? Math.round((next() * 8 - 4) * 4) / 4 : null,
        fillRatio: finished && next() < 0.9 ? pick([0, 0.25, 0.5, 0.75, 1]) : null,
      });
      copyParents.run({ id, source });
      ids.push(id);
    }
  })();
  return ids;
}
