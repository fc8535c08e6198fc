// A small RunReader over a SQLite store, for the page and browser tests until the read model
// (indexed summary columns, keyset cursors) is merged: it answers what the pages and the chart's
// series route ask, with the read model's field names, by scanning the runs table and parsing
// report blobs (fine for a handful of runs, not for browsing 10,000). Sweeps are not here.
import type Database from 'better-sqlite3';
import type {
  Comparison,
  EventQuery,
  EventRow,
  Page,
  PageQuery,
  RunQuery,
  RunReader,
  RunScenario,
  RunSeries,
  RunSummary,
  SeriesQuery,
  SweepDetail,
  SweepHistogram,
  SweepPath,
  SweepSummary,
} from '../../src/store/read-model-port.ts';
import { runSeries } from '../../src/store/run-series.ts';
import { localLiveness, runState } from '../../src/store/run-state.ts';
import type { RunRow } from '../../src/store/run-store.ts';

interface ReportParent {
  readonly id: string;
  readonly side: string;
  readonly qty: string;
  readonly filledQty: string;
  readonly fillRatio: number;
  readonly arrivalPrice: string | null;
  readonly avgPrice: string | null;
  readonly shortfallBps: number | null;
  readonly vwapSlippageBps: number | null;
  readonly twapSlippageBps: number | null;
  readonly durationMs: number | null;
  readonly status: string;
  readonly stopReason: string | null;
}

export class SqliteRunReader implements RunReader {
  constructor(private readonly db: Database.Database) {}

  private rows(): RunRow[] {
    return this.db
      .prepare(
        `SELECT runs.*, (SELECT COUNT(*) FROM events WHERE events.run_id = runs.id) AS stored_events FROM runs
         ORDER BY started_at DESC, id DESC`,
      )
      .all() as RunRow[];
  }

  private summary(row: RunRow & { scenario_json?: string }): RunSummary {
    const scenario = JSON.parse(row.scenario_json ?? '{}') as {
      venue?: { name?: string };
      instrument?: { symbol?: string };
    };
    const parents = this.parentsOf(row);
    const filled = parents.reduce((s, p) => s + Number(p.filledQty), 0);
    const ordered = parents.reduce((s, p) => s + Number(p.qty), 0);
    const weighted = parents.filter((p) => p.shortfallBps !== null && Number(p.filledQty) > 0);
    const wq = weighted.reduce((s, p) => s + Number(p.filledQty), 0);
    return {
      id: row.id,
      scenario: row.scenario_name,
      scenarioHash: row.scenario_hash,
      seed: row.seed,
      codeVersion: row.code_version,
      mode: 'backtest',
      venue: scenario.venue?.name ?? null,
      symbol: scenario.instrument?.symbol ?? null,
      sweepId: null,
      state: runState(row, localLiveness()),
      status: row.status,
      passed: row.passed === null ? null : row.passed === 1,
      digest: row.digest,
      events: row.stored_events,
      orders: row.order_count,
      fills: row.fill_count,
      shortfallBps: wq > 0 ? weighted.reduce((s, p) => s + (p.shortfallBps ?? 0) * Number(p.filledQty), 0) / wq : null,
      fillRatio: ordered > 0 ? filled / ordered : null,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      simStart: row.sim_start,
      simEnd: row.sim_end,
      error: row.error,
    };
  }

  private parentsOf(row: RunRow): ReportParent[] {
    if (row.report_json === null) return [];
    return ((JSON.parse(row.report_json) as { parents?: ReportParent[] }).parents ?? []).slice();
  }

  listRuns(q: RunQuery): Page<RunSummary> {
    const all = this.rows()
      .map((r) => this.summary(r))
      .filter(
        (s) =>
          (q.scenario === undefined || s['scenario'] === q.scenario) &&
          (q.status === undefined || s['state'] === q.status) &&
          (q.passed === undefined || s['passed'] === q.passed) &&
          (q.seed === undefined || s['seed'] === q.seed) &&
          (q.symbol === undefined || s['symbol'] === q.symbol) &&
          (q.venue === undefined || s['venue'] === q.venue),
      );
    const start = q.cursor === undefined ? 0 : Number(q.cursor);
    if (!Number.isSafeInteger(start) || start < 0) {
      const err = new Error('cursor: not one this reader gave out');
      err.name = 'BadCursorError';
      throw err;
    }
    const limit = q.limit ?? 50;
    const items = all.slice(start, start + limit);
    return { items, nextCursor: start + limit < all.length ? String(start + limit) : null };
  }

  getRun(id: string): RunSummary | null {
    const row = this.rows().find((r) => r.id === id);
    if (!row) return null;
    const parents = this.parentsOf(row).map((p) => ({
      parentOrderId: p.id,
      side: p.side,
      targetQty: p.qty,
      filledQty: p.filledQty,
      fillRatio: p.fillRatio,
      arrivalPrice: p.arrivalPrice,
      avgFillPrice: p.avgPrice,
      shortfallBps: p.shortfallBps,
      vwapSlippageBps: p.vwapSlippageBps,
      twapSlippageBps: p.twapSlippageBps,
      durationMs: p.durationMs,
      status: p.status,
      stopReason: p.stopReason,
    }));
    return { ...this.summary(row), parents };
  }

  orders(): Page<RunSummary> | null {
    throw new Error('orders: not in the test reader');
  }

  fills(_id: string, _q: PageQuery): Page<RunSummary> | null {
    throw new Error('fills: not in the test reader');
  }

  events(id: string, q: EventQuery): Page<EventRow> | null {
    if (!this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id)) return null;
    const kinds = q.kinds ?? [];
    const limit = q.limit ?? 100;
    const rows = this.db
      .prepare(
        `SELECT seq, time, kind, payload FROM events WHERE run_id = ? AND seq >= ? AND seq <= ?
         ${kinds.length > 0 ? `AND kind IN (${kinds.map(() => '?').join(', ')})` : ''} ORDER BY seq LIMIT ?`,
      )
      .all(id, q.fromSeq ?? 1, q.toSeq ?? Number.MAX_SAFE_INTEGER, ...kinds, limit + 1) as Array<{
      seq: number;
      time: number;
      kind: string;
      payload: string;
    }>;
    const items = rows.slice(0, limit).map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
    return { items, nextCursor: rows.length > limit ? String(items.at(-1)?.seq) : null };
  }

  series(id: string, q: SeriesQuery): RunSeries | null {
    return runSeries(this.db, id, q);
  }

  compare(ids: string[]): Comparison {
    const runs = ids.map((id) => this.getRun(id));
    const known = runs.filter((r): r is RunSummary => r !== null);
    const base = known[0];
    const delta = (a: unknown, b: unknown): number | null =>
      typeof a === 'number' && typeof b === 'number' ? a - b : null;
    return {
      baseline: base ? base['id'] : null,
      runs: known.map((r) => ({
        id: r['id'],
        scenario: r['scenario'],
        seed: r['seed'],
        state: r['state'],
        digest: r['digest'],
        passed: r['passed'],
        shortfallBps: r['shortfallBps'],
        fillRatio: r['fillRatio'],
        delta: {
          shortfallBps: delta(r['shortfallBps'], base?.['shortfallBps']),
          fillRatio: delta(r['fillRatio'], base?.['fillRatio']),
        },
      })),
      unknown: ids.filter((_, i) => runs[i] === null),
      digestsEqual: known.length > 1 && known.every((r) => r['digest'] !== null && r['digest'] === base?.['digest']),
      scenarioDiff: [],
      parents: [],
    };
  }

  listSweeps(): Page<SweepSummary> {
    return { items: [], nextCursor: null };
  }

  getSweep(): SweepDetail | null {
    return null;
  }

  sweepPaths(): Page<SweepPath> | null {
    return null;
  }

  sweepHistogram(): SweepHistogram | null {
    return null;
  }

  scenarioOf(runId: string): RunScenario | null {
    const row = this.db.prepare('SELECT scenario_name, scenario_json FROM runs WHERE id = ?').get(runId) as
      { scenario_name: string; scenario_json: string } | undefined;
    return row ? { runId, name: row.scenario_name, scenario: JSON.parse(row.scenario_json) as unknown } : null;
  }
}
