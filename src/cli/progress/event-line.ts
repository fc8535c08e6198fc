// One terminal line per notable event of a paper run or a service session, as it happens: warm-up
// progress, signals accepted or refused, parents created and done, fills, faults (venue errors,
// unknown outcomes, disconnects, the kill switch, the breaker), readiness. A pure function of the
// log entry and what the run's orders are so far (ProgressView, folded by run-watch.ts), so a
// table of entries tests it. Every kind of event has a rule in LINE_RULES: a kind the compiler
// sees added to the log without one does not build. What prints where: docs/0085-live-progress.md.
import type { ExecEvent, LogEntry } from '../../core/model/events.ts';
import { MIN_SECRET_LENGTH } from '../../live/redact-secrets.ts';
import type { ClientOrderId, ParentOrderId } from '../../core/model/ids.ts';
import { fractionalTicksToPrice, lotsToQty, unitsToQuote, type Instrument } from '../../core/model/instrument.ts';
import type { OrderState } from '../../core/order/apply-event.ts';
import type { AppliedTrade, ParentState } from '../../core/order/order-ledger.ts';

/** What the formatter reads besides the entry: the run's orders as folded up to and including it. */
export interface ProgressView {
  /** The instrument of `symbol`; the run's first when it is absent or not one the run trades. */
  instrument(symbol?: string): Instrument;
  order(id: ClientOrderId): OrderState | undefined;
  parent(id: ParentOrderId): ParentState | undefined;
  /** The fills the fold applied for this entry (a fill report's, a lookup answer's). */
  readonly applied: readonly AppliedTrade[];
  /** Texts never to print (the venue's keys): replaced by ***. */
  readonly secrets: readonly string[];
}

/**
 * How each kind prints: 'line' always one line; 'silent' never (routine bookkeeping, or told by
 * another line: a SignalReceived by its SignalAccepted or SignalRejected); 'fills' one line when
 * the entry applied fills, else none; 'notable' one line when it is out of the ordinary (see
 * `notable` below), else none.
 */
export type LineRule = 'line' | 'silent' | 'fills' | 'notable';

export const LINE_RULES: Readonly<Record<ExecEvent['kind'], LineRule>> = {
  RunStarted: 'line',
  ParentOrderCreated: 'line',
  ParentOrderCompleted: 'line',
  ParentRejected: 'line',
  ParentStopped: 'line',
  ParentCancelRequested: 'line',
  SliceSkipped: 'line',
  OrderCreated: 'silent',
  SubmitOrder: 'silent',
  CancelOrder: 'silent',
  ChildAmended: 'silent',
  OrderAbandoned: 'line',
  FillReport: 'fills',
  OrderStatusReport: 'fills',
  AckReport: 'silent',
  RejectReport: 'line',
  RetryableRejectReport: 'line',
  CancelReport: 'silent',
  CancelRejectReport: 'silent',
  ExpiredReport: 'silent',
  OutcomeUnknownReport: 'line',
  OrderNotFoundReport: 'silent',
  QueryFailedReport: 'line',
  OpenOrdersReport: 'silent',
  OrdersPageReport: 'silent',
  AccountReport: 'silent',
  ConnectionReport: 'line',
  OrderStatusChanged: 'silent',
  DiscrepancyRecorded: 'line',
  ReportIgnored: 'silent',
  FillInferred: 'silent',
  InferredFillMatched: 'silent',
  CommissionUnvalued: 'line',
  FaultApplied: 'line',
  KillSwitchChanged: 'line',
  CircuitBreakerTripped: 'line',
  CircuitBreakerReset: 'line',
  TwapPlanned: 'silent',
  MarketBenchmark: 'silent',
  MarketDataGap: 'line',
  MarketDataRebuilt: 'silent',
  MarketDataEnded: 'line',
  ModelWarning: 'silent',
  MarketSampled: 'silent',
  FillMonitorStarted: 'silent',
  FillStatusObserved: 'silent',
  FillVerified: 'silent',
  FillQueryFailed: 'silent',
  PartialFillDetected: 'silent',
  FillDeadlineReached: 'silent',
  FillMonitorEnded: 'notable',
  SlippageWarning: 'line',
  PositionChecked: 'notable',
  PositionCheckDeferred: 'silent',
  PositionSyncStarted: 'silent',
  FillAudit: 'silent',
  SignalReceived: 'silent',
  SignalRejected: 'line',
  SignalAccepted: 'line',
  SignalRegistered: 'silent',
  SignalExecuted: 'silent',
  LargeOrderConfirmed: 'silent',
  ProcessRestarted: 'line',
  StartupGateChanged: 'line',
  ReconciliationStarted: 'silent',
  ReconciliationMismatch: 'line',
  ReconciliationUnresolved: 'line',
  ReconciliationCompleted: 'notable',
  OrphanDetected: 'line',
  OrphanResolved: 'line',
  OrphanResolutionRefused: 'line',
  SliceRecovered: 'line',
  AccountBaseline: 'silent',
  PositionCorrected: 'line',
  RequestDecided: 'silent',
  StrategyStarted: 'line',
  StrategyHydration: 'line',
  StrategyOutputRefused: 'line',
  StrategyFailed: 'line',
  StrategySwapRequested: 'line',
  StrategySwapDecided: 'line',
  DailyVolumeRead: 'silent',
  // The host warns of it on stderr already (execsim: liquidity cap off ...).
  LiquidityCapOff: 'silent',
  AlgoPlanned: 'silent',
  AlgoMemo: 'silent',
  AlgoIntentRefused: 'line',
  MarketDataDegraded: 'line',
  MarketDataFallbackExpired: 'line',
  MarketDataRestored: 'line',
  ReplayStats: 'silent',
};

/** A time of the run's clock as HH:MM:SS.mmm, UTC. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** The entry's line (its time first, no line break), or null when it prints nothing. */
export function eventLine(entry: LogEntry, view: ProgressView): string | null {
  const rule = LINE_RULES[entry.event.kind];
  if (rule === 'silent') return null;
  if (rule === 'fills' && view.applied.length === 0) return null;
  const text = rule === 'fills' ? fillText(entry.event, view) : describe(entry.event, view);
  return text === null ? null : `${clockTime(entry.time)}  ${oneLine(text, view.secrets)}`;
}

/** The longest line: a venue's or a module's message can be long. */
const MAX_LINE = 400;

/** A secret (of MIN_SECRET_LENGTH characters or more, as the adapters mask) becomes ***, control
 *  characters (a line break in a venue's message) spaces, and a text past MAX_LINE is cut after
 *  that: whatever an event carries, it stays one line and shows no key, not even part of one. */
export function oneLine(text: string, secrets: readonly string[]): string {
  let t = text;
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) t = t.split(s).join('***');
  // eslint-disable-next-line no-control-regex
  t = t.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return t.length <= MAX_LINE ? t : `${t.slice(0, MAX_LINE - 1)}…`;
}

function fillText(e: ExecEvent, view: ProgressView): string {
  const t = view.applied;
  const first = t[0] as AppliedTrade;
  const order = view.order(first.clientOrderId);
  const inst = view.instrument(order?.request.symbol);
  const lots = t.reduce((s, x) => s + x.qty, 0);
  const notional = t.reduce((s, x) => s + x.qty * x.price, 0);
  const fees = t.reduce((s, x) => s + x.fee, 0);
  const how = t.some((x) => x.liquidity === 'inferred')
    ? ', inferred from the venue’s filled quantity'
    : e.kind === 'OrderStatusReport'
      ? ', found by a lookup'
      : '';
  const parent = order ? `, parent ${order.request.parentId}` : '';
  return (
    `fill ${inst.symbol} ${order?.request.side ?? ''} ${lotsToQty(inst, lots)} @ ${fractionalTicksToPrice(inst, notional / lots)}` +
    `${t.length > 1 ? ` (${t.length} executions)` : ''}, fee ${unitsToQuote(inst, Math.round(fees))}` +
    ` (order ${first.clientOrderId}${parent}${how})`
  );
}

/** The text of a kind whose rule is 'line' or 'notable' (null: a notable one that is not). */
function describe(e: ExecEvent, view: ProgressView): string | null {
  const qty = (lots: number, symbol?: string): string => lotsToQty(view.instrument(symbol), lots);
  const orderSymbol = (id: ClientOrderId | null): string | undefined =>
    id === null ? undefined : view.order(id)?.request.symbol;
  switch (e.kind) {
    case 'RunStarted':
      return `run started: ${e.scenario} on ${e.symbol}`;
    case 'ParentOrderCreated': {
      const inst = view.instrument(e.symbol);
      const limit = e.limitPrice === null ? '' : ` ${fractionalTicksToPrice(inst, e.limitPrice)}`;
      const how = e.route === 'twap' ? `, ${e.totalSlices} slices` : e.route === 'algo' ? ', algorithm' : '';
      return `parent ${e.parentId} created: ${e.side} ${lotsToQty(inst, e.qty)} ${e.symbol} ${e.type}${limit}${how} (${e.source})`;
    }
    case 'ParentOrderCompleted':
      return parentDone(e.parentId, e.status, e.filledQty, e.revises !== undefined, view);
    case 'ParentRejected':
      return `parent ${e.parentId} refused at ${e.stage ?? 'plan'}: ${e.reason}${e.code ? ` (${e.code})` : ''}`;
    case 'ParentStopped':
      return `parent ${e.parentId} stopped: ${e.reason}`;
    case 'ParentCancelRequested':
      return `parent ${e.parentId} cancel requested: ${e.reason}`;
    case 'SliceSkipped':
      return `parent ${e.parentId} slice ${e.sliceNum} skipped: ${e.reason}`;
    case 'OrderAbandoned':
      return `order ${e.clientOrderId} abandoned: ${e.reason}`;
    case 'RejectReport':
      return `venue rejected order ${e.clientOrderId}: ${e.reason} (${e.code})`;
    case 'RetryableRejectReport':
      return `venue refused order ${e.clientOrderId} for now: ${e.reason} (${e.code}); it is sent again`;
    case 'OutcomeUnknownReport':
      return `venue error: the ${e.request} of order ${e.clientOrderId} has an unknown outcome (${e.category ?? 'no answer'}): ${e.reason}; looked up by its id`;
    case 'QueryFailedReport':
      return `venue error: a query (${e.query}${e.clientOrderId === null ? '' : ` of ${e.clientOrderId}`}) failed, ${e.failure} ${e.category}: ${e.reason}`;
    case 'ConnectionReport':
      return `${e.stream === 'orders' ? 'order' : 'market data'} stream ${e.state}${e.reason ? `: ${e.reason}` : ''}`;
    case 'DiscrepancyRecorded':
      return `discrepancy ${e.reason}${e.clientOrderId === null ? '' : ` on ${e.clientOrderId}`}: ${e.detail}`;
    case 'CommissionUnvalued':
      return `commission of ${e.amount} ${e.asset} on ${e.clientOrderId} has no price: fees leave it out`;
    case 'FaultApplied':
      return `fault ${e.fault}: ${e.detail}`;
    case 'KillSwitchChanged':
      return `kill switch ${e.state} (${e.actor}): ${e.reason}`;
    case 'CircuitBreakerTripped':
      if (e.unchanged === true) return `circuit breaker trip (${e.actor ?? 'no actor'}), tripped already: ${e.reason}`;
      return `circuit breaker tripped${e.actor === undefined ? '' : ` (${e.actor})`}: ${e.reason}`;
    case 'CircuitBreakerReset':
      return `circuit breaker reset (${e.actor})${e.unchanged === true ? ', not tripped' : ''}: ${e.reason}`;
    case 'MarketDataGap':
      return `market data gap: expected update ${e.expectedId}, got ${e.gotId}`;
    case 'MarketDataEnded':
      return `market data ended after ${e.messages} messages`;
    case 'FillMonitorEnded':
      return e.result === 'unresolved'
        ? `fill detection could not resolve order ${e.clientOrderId} after ${e.polls} polls (${e.errors} errors)`
        : null;
    case 'SlippageWarning':
      return `slippage on ${e.clientOrderId}: avg ${e.avgPrice} vs expected ${e.expectedPrice}, ${e.slippageBps} bps (threshold ${e.thresholdBps})`;
    case 'PositionChecked': {
      if (e.consistent) return null;
      const symbol = e.symbol ?? orderSymbol(e.cause);
      return `position differs from the venue after ${e.cause}: ours ${qty(e.expected, symbol)}, venue ${qty(e.venue, symbol)}`;
    }
    case 'SignalRejected':
      return `signal ${e.signalId} refused at ${e.stage}: ${e.reason} (${e.code})`;
    case 'SignalAccepted':
      return `signal ${e.signalId} accepted: parent ${e.parentId}`;
    case 'ProcessRestarted':
      return `process restarted after ${(e.downtimeMs / 1000).toFixed(1)} s down${e.refusedInputs.length > 0 ? `; refused ${e.refusedInputs.length} inputs` : ''}`;
    case 'StartupGateChanged':
      return `readiness: ${e.state === 'gated' ? 'not ready' : e.state === 'ready' ? 'ready' : 'readiness timed out'} (${e.actor}): ${e.reason}`;
    case 'ReconciliationMismatch':
      return `reconciliation: ${e.mismatch} mismatch${e.clientOrderId === null ? '' : ` on ${e.clientOrderId}`}: ${mismatchDetail(e.detail, view.instrument(orderSymbol(e.clientOrderId)), view)}`;
    case 'ReconciliationUnresolved':
      return `reconciliation: order ${e.clientOrderId} unresolved: venue ${e.venueStatus} ${qty(e.venueFilledQty, orderSymbol(e.clientOrderId))} filled, ours ${e.status} ${qty(e.filledQty, orderSymbol(e.clientOrderId))}`;
    case 'ReconciliationCompleted':
      // Periodic passes that found nothing are routine; every other pass is worth a line.
      return e.mode === 'periodic' && e.mismatches === 0
        ? null
        : `reconciliation (${e.mode}) done: ${e.mismatches} mismatch${e.mismatches === 1 ? '' : 'es'}`;
    case 'OrphanDetected':
      return `orphan at the venue: ${e.clientOrderId} ${e.side ?? ''} ${qty(e.openQty, e.symbol)} open (${e.status})`;
    case 'OrphanResolved':
      return `orphan ${e.clientOrderId} ${e.resolution} (${e.actor}): ${e.reason}`;
    case 'OrphanResolutionRefused':
      return `orphan ${e.clientOrderId}: ${e.resolution} refused: ${e.refusal}`;
    case 'SliceRecovered':
      return `parent ${e.parentId} slice ${e.sliceNum} recovered: ${e.action} (${e.reason})`;
    case 'PositionCorrected':
      return `position corrected${e.symbol ? ` in ${e.symbol}` : ''}: ours ${qty(e.ours, e.symbol)}, venue ${qty(e.venue, e.symbol)}`;
    case 'StrategyStarted':
      return `strategy ${e.name} started (${e.role}, ${e.form})`;
    case 'StrategyHydration': {
      const shadow = e.role === 'shadow' ? ' (shadow)' : '';
      const state = e.state === 'hydrating' ? '' : e.state === 'hydrated' ? ' done' : ` ${e.state.replace('_', ' ')}`;
      return `warm-up ${e.symbol}${shadow} ${e.have}/${e.need} ${e.unit}${state}${e.detail && e.state !== 'hydrating' ? ` (${e.detail})` : ''}`;
    }
    case 'StrategyOutputRefused':
      return `strategy ${e.name}: ${e.output} ${e.ref} refused: ${e.reason}`;
    case 'StrategyFailed':
      return `strategy ${e.name} failed in ${e.phase}: ${e.message}`;
    case 'StrategySwapRequested':
      return `strategy swap ${e.swap} requested (${e.actor}): ${e.name} -> ${e.candidate}${e.override ? ', override' : ''}`;
    case 'StrategySwapDecided':
      return `strategy swap ${e.swap} ${e.decision}: ${e.reason}`;
    case 'AlgoIntentRefused':
      return `parent ${e.parentId}: algorithm's ${e.intent} ${e.outcome}: ${e.reason}`;
    case 'MarketDataDegraded':
      return `market data degraded for ${e.symbol}: ${e.reason}`;
    case 'MarketDataFallbackExpired':
      return `market data for ${e.symbol}: last quote older than ${(e.maxAgeMs / 1000).toFixed(0)} s, no quote now`;
    case 'MarketDataRestored':
      return `market data restored for ${e.symbol} after ${(e.degradedMs / 1000).toFixed(1)} s`;
    default:
      // A kind whose rule is 'line' or 'notable' always has a case above (event-line.test.ts).
      return null;
  }
}

/**
 * A mismatch's detail with its quantities in the instrument's units, as the other lines give
 * them: the reconciler states a missed fill ("venue filled 1000, we had 0") and a position
 * ("BTCUSDT: venue position 1000 lots, ours 0") in lots, which are the instrument's units only
 * when its lot is 1. Kept as stored in the log (the log is the run's record); printed here
 * converted, each quantity followed by its symbol. Any other detail is printed as it is.
 */
function mismatchDetail(detail: string, orderInstrument: Instrument, view: ProgressView): string {
  const units = (inst: Instrument, lots: string): string => `${lotsToQty(inst, Number(lots))} ${inst.symbol}`;
  const fill = /^venue filled (\d+), we had (\d+)$/.exec(detail);
  if (fill)
    return `venue filled ${units(orderInstrument, fill[1] as string)}, we had ${units(orderInstrument, fill[2] as string)}`;
  const position = /^(?:(\S+): )?venue position (-?\d+) lots, ours (-?\d+)$/.exec(detail);
  if (position) {
    const inst = view.instrument(position[1]);
    return `${position[1] ? `${position[1]}: ` : ''}venue position ${units(inst, position[2] as string)}, ours ${units(inst, position[3] as string)}`;
  }
  return detail;
}

function parentDone(
  id: ParentOrderId,
  status: string,
  filledLots: number,
  revised: boolean,
  view: ProgressView,
): string {
  const p = view.parent(id);
  const inst = view.instrument(p?.spec.symbol);
  let lots = 0;
  let notional = 0;
  for (const child of p?.children ?? []) {
    const o = view.order(child);
    if (o === undefined) continue;
    lots += o.filledQty;
    notional += o.filledNotional;
  }
  const avg = lots > 0 ? `, avg ${fractionalTicksToPrice(inst, notional / lots)}` : '';
  const of = p ? `/${lotsToQty(inst, p.spec.qty)}` : '';
  return `parent ${id} done${revised ? ' (revised)' : ''}: ${status}, ${lotsToQty(inst, filledLots)}${of} filled${avg}`;
}
