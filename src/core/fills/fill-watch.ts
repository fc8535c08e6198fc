// The state fill detection keeps per watched order, and the pure parts of its work: the
// observation a report (or our ledger) gives the verifier, which path detected a result, and the
// result event itself with its fees and slippage (fill-monitor.ts drives the state machine).
import type { FillMonitorEnded, FillResultKind, SlippageWarning } from '../model/fill-events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import { fractionalTicksToPrice, ticksToPrice, unitsToQuote, type Instrument } from '../model/instrument.ts';
import { isTerminal, type OrderStatus } from '../model/order-status.ts';
import type { OrderStatusReport, ReportedTrade } from '../model/reports.ts';
import type { OrderState } from '../order/apply-event.ts';
import { formatBps, slippageBps, tradeFeeUnits, type Assets } from './fees.ts';
import type { FillConfig, PartialFillPolicy } from './fill-config.ts';
import type { FillObservation, FillOutcome, Verification } from './fill-verifier.ts';

export type Phase = 'monitoring' | 'confirming' | 'final_query' | 'cancelling' | 'post_cancel' | 'done';
export type Source = 'push' | 'poll';
export type Timer = { unsubscribe(): void };

export interface Watch {
  readonly id: ClientOrderId;
  readonly startedAt: number;
  readonly expectedPrice: number | null;
  readonly policy: PartialFillPolicy;
  /** The deadline after acceptance; null: none (a resting order, watched until it ends). */
  readonly timeoutMs: number | null;
  phase: Phase;
  polls: number;
  apiCalls: number;
  errors: number;
  /** Query failures in a row. */
  failures: number;
  /** Queries and cancels made since the deadline (or the confirmation) began: bounded. */
  finalSteps: number;
  queryAt: number | null;
  lastStatus: OrderStatus;
  lastOutcome: FillOutcome;
  lastVerification: Verification | null;
  /** What lastVerification verified, and the quantity it was verified against: a poll that
   *  observes the same again (a resting order's usual answer) reuses it. */
  lastObservation: FillObservation | null;
  lastVerifiedQty: number;
  lastFilled: number;
  partialHandled: boolean;
  cancelSent: boolean;
  cancelRace: boolean;
  deadlinePassed: boolean;
  /** A permanent error: no more polls (pushes and the deadline still apply). */
  stopPolling: boolean;
  notFound: number;
  /** The last full-state answer was to our own query (false: someone else's lookup). */
  lastAnswerOurs: boolean;
  /** Trades seen for the order (executions and inferred fills), by trade id. */
  readonly trades: Map<string, Pick<ReportedTrade, 'qty' | 'price' | 'fee' | 'commission' | 'venueTime'>>;
  timer: Timer | null;
  deadlineTimer: Timer | null;
}

/** A fresh watch of an order, in 'monitoring'. Its expected price is the order's limit, else the
 *  touch it would take (`top`), else null. */
export function newWatch(
  id: ClientOrderId,
  order: OrderState,
  top: { bid: number | null; ask: number | null },
  policy: PartialFillPolicy,
  timeoutMs: number | null,
  now: number,
): Watch {
  const r = order.request;
  return {
    id,
    startedAt: now,
    expectedPrice: r.limitPrice ?? (r.side === 'buy' ? top.ask : top.bid),
    policy,
    phase: 'monitoring',
    timeoutMs,
    polls: 0,
    apiCalls: 0,
    errors: 0,
    failures: 0,
    finalSteps: 0,
    queryAt: null,
    lastStatus: order.status,
    lastOutcome: 'not_filled',
    lastVerification: null,
    lastObservation: null,
    lastVerifiedQty: 0,
    lastFilled: 0,
    partialHandled: false,
    cancelSent: false,
    cancelRace: false,
    deadlinePassed: false,
    stopPolling: false,
    notFound: 0,
    lastAnswerOurs: false,
    trades: new Map(),
    timer: null,
    deadlineTimer: null,
  };
}

export const POLLABLE = new Set<OrderStatus>(['accepted', 'partially_filled', 'pending_cancel']);
export const UNRESOLVED_SUBMISSION = new Set<OrderStatus>(['pending_new', 'submitted', 'submitted_unconfirmed']);

export function observation(w: Watch, o: OrderState, report: OrderStatusReport | null): FillObservation {
  if (report) {
    // A report without trades states the cumulative and its average; its fill time is the
    // order's update time at the venue (when it has one).
    const trades = report.trades;
    const filled = trades ? trades.reduce((s, t) => s + t.qty, 0) : report.filledQty;
    const notional = trades
      ? trades.reduce((s, t) => s + t.qty * t.price, 0)
      : (report.avgPrice ?? 0) * report.filledQty;
    const last = trades
      ? trades.reduce((m, t) => Math.max(m, t.venueTime), -Infinity)
      : (report.updatedAt ?? -Infinity);
    return {
      status: report.status,
      qty: report.qty,
      filledQty: report.filledQty,
      avgPrice: filled > 0 ? notional / filled : 0,
      filledAt: report.status === 'filled' && Number.isFinite(last) ? last : null,
      submittedAt: w.startedAt,
    };
  }
  const last = lastTradeAt(w);
  return {
    status: o.status,
    qty: o.request.qty,
    filledQty: o.filledQty,
    avgPrice: o.filledQty > 0 ? o.filledNotional / o.filledQty : 0,
    filledAt: o.status === 'filled' ? last : null,
    submittedAt: w.startedAt,
  };
}

/** Whether two observations have the same fields: verifyFill, a function of the observation and
 *  the quantity ordered alone, gives them the same verification. */
export function sameObservation(a: FillObservation, b: FillObservation): boolean {
  return (
    a.status === b.status &&
    a.qty === b.qty &&
    a.filledQty === b.filledQty &&
    a.avgPrice === b.avgPrice &&
    a.filledAt === b.filledAt &&
    a.submittedAt === b.submittedAt
  );
}

export function lastTradeAt(w: Watch): number | null {
  let last: number | null = null;
  for (const t of w.trades.values()) if (last === null || t.venueTime > last) last = t.venueTime;
  return last;
}

export function detectedBy(w: Watch, source: Source): FillMonitorEnded['detectedBy'] {
  if (source === 'push') return 'push';
  if (w.phase === 'final_query') return 'final_check';
  if (w.phase === 'post_cancel' || w.phase === 'cancelling') return 'post_cancel';
  return w.lastAnswerOurs ? 'poll' : 'lookup';
}

export function endedKind(w: Watch, o: OrderState): FillResultKind {
  return o.filledQty > 0 ? 'partial' : w.deadlinePassed && w.cancelSent ? 'timeout' : 'unfilled';
}

export interface ResultContext {
  readonly instrument: Instrument;
  readonly config: FillConfig;
  readonly assets: Assets;
  readonly priceOf?: ((asset: string) => number | null) | undefined;
}

const noPrice = (): null => null;

/** The result event of a watch, and a slippage warning when the fill was worse than allowed. */
export function resultOf(
  w: Watch,
  o: OrderState,
  ctx: ResultContext,
  now: number,
  result: FillResultKind,
  detectedBy: FillMonitorEnded['detectedBy'],
  leftOpen: boolean,
): { ended: FillMonitorEnded; warning: SlippageWarning | null } {
  const { instrument, config } = ctx;
  const avgTicks = o.filledQty > 0 ? o.filledNotional / o.filledQty : null;
  const feeCtx = {
    instrument,
    assets: ctx.assets,
    priceOf: ctx.priceOf ?? noPrice,
    fallbackBps: config.feeFallbackBps,
  };
  let feeUnits = 0;
  for (const t of w.trades.values()) feeUnits += tradeFeeUnits(t, feeCtx).units;
  const slip =
    avgTicks !== null && w.expectedPrice !== null && w.expectedPrice > 0
      ? slippageBps(o.request.side, w.expectedPrice, avgTicks)
      : null;
  const lastTrade = lastTradeAt(w);
  const v = w.lastVerification;
  const ended: FillMonitorEnded = {
    kind: 'FillMonitorEnded',
    clientOrderId: w.id,
    result,
    filledQty: o.filledQty,
    remainingQty: o.request.qty - o.filledQty,
    avgPrice: avgTicks === null ? null : fractionalTicksToPrice(instrument, avgTicks),
    fees: unitsToQuote(instrument, feeUnits),
    slippageBps: slip === null ? null : formatBps(slip),
    methods: v ? v.agreed : [],
    confidencePct: v ? Math.round(v.confidence * 100) : 0,
    elapsedMs: now - w.startedAt,
    detectionLatencyMs: o.filledQty > 0 && lastTrade !== null ? Math.max(0, now - lastTrade) : null,
    polls: w.polls,
    apiCalls: w.apiCalls,
    errors: w.errors,
    detectedBy,
    cancelRace: w.cancelRace,
    leftOpen: leftOpen && !isTerminal(o.status),
  };
  const warning: SlippageWarning | null =
    slip !== null && slip > config.slippageWarnBps && avgTicks !== null && w.expectedPrice !== null
      ? {
          kind: 'SlippageWarning',
          clientOrderId: w.id,
          expectedPrice: ticksToPrice(instrument, w.expectedPrice),
          avgPrice: fractionalTicksToPrice(instrument, avgTicks),
          slippageBps: formatBps(slip),
          thresholdBps: String(config.slippageWarnBps),
        }
      : null;
  return { ended, warning };
}
