// A run's rows as the read model's queries return them (snake_case columns, 0/1 for booleans)
// and the port's objects they become (read-model-port.ts): a run's summary, whose state is judged
// against the liveness of the call (run-state.ts), its per-parent figures, its orders and its
// fills. SUMMARY_COLUMNS is the select list a SummaryRow comes from.
import type { FillRow, OrderRow, ParentMetrics, RunSummary } from './read-model-port.ts';
import { runState, type Liveness, type RunState } from './run-state.ts';
import type { StoredStatus } from './stored-rows.ts';

/** The columns of a summary row. */
export const SUMMARY_COLUMNS = `id, scenario_name, scenario_hash, seed, code_version, mode, venue, symbol, sweep_id, status,
  passed, digest, event_count, order_count, fill_count, shortfall_bps, fill_ratio, net_pnl, trade_count, win_rate,
  profit_factor, sharpe, max_drawdown, started_at, finished_at, heartbeat_at,
  sim_start, sim_end, writer_pid, writer_host, error, venue_url, market_hours,
  (SELECT json_group_array(symbol) FROM (SELECT symbol FROM run_symbols s WHERE s.run_id = runs.id ORDER BY position))
    AS other_symbols`;

export interface SummaryRow {
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
  readonly net_pnl: number | null;
  readonly trade_count: number | null;
  readonly win_rate: number | null;
  readonly profit_factor: number | null;
  readonly sharpe: number | null;
  readonly max_drawdown: number | null;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly heartbeat_at: string | null;
  readonly sim_start: number;
  readonly sim_end: number | null;
  readonly writer_pid: number | null;
  readonly writer_host: string | null;
  readonly error: string | null;
  readonly venue_url: string | null;
  readonly market_hours: string | null;
  /** The further symbols of a run of several, as a JSON array ('[]' for a run of one). */
  readonly other_symbols: string;
}

export function summaryOf(r: SummaryRow, live: Liveness): RunSummary {
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
    symbols: r.symbol === null ? [] : [r.symbol, ...(JSON.parse(r.other_symbols) as string[])],
    sweepId: r.sweep_id,
    state,
    status: r.status,
    passed: r.passed === null ? null : r.passed === 1,
    digest: r.digest,
    events: r.event_count,
    // Counted when the run finishes: a run that has not (yet) has no count, not zero.
    orders: r.status === 'finished' ? r.order_count : null,
    fills: r.status === 'finished' ? r.fill_count : null,
    shortfallBps: r.shortfall_bps,
    fillRatio: r.fill_ratio,
    netPnl: r.net_pnl,
    trades: r.trade_count,
    winRate: r.win_rate,
    profitFactor: r.profit_factor,
    sharpe: r.sharpe,
    maxDrawdown: r.max_drawdown,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    heartbeatAt: r.heartbeat_at,
    simStart: r.sim_start,
    simEnd: r.sim_end,
    writer: r.writer_pid === null ? null : { pid: r.writer_pid, host: r.writer_host },
    error: r.error,
    venueUrl: r.venue_url,
    marketHours: r.market_hours === 'venue' || r.market_hours === 'always' ? r.market_hours : null,
  };
}

export interface ParentMetricsRow {
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

export const parentOf = (r: ParentMetricsRow): ParentMetrics => ({
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

export interface OrderTableRow {
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

export const orderOf = (r: OrderTableRow): OrderRow => ({
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

export interface FillTableRow {
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

export const fillOf = (r: FillTableRow): FillRow => ({
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
