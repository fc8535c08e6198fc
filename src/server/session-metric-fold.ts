// A service session's Prometheus counters and histograms as a fold of its committed log: each
// entry, in order, yields the metric updates it causes (a counter incremented, a duration
// observed), so the metrics say what the log says and a test can feed the fold any entries.
// Its only state is what pairs a later entry with an earlier one: per order still working, when
// it was created for, first sent, and which request waits for its answer; per stream, its last
// reported state. An order leaves the fold when it ends, so the state is bounded by the open
// orders, not the session's length. Durations are between entry times (the session's wall clock).
import type { LogEntry } from '../core/model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../core/model/ids.ts';
import type { MismatchKind, ReconMode } from '../core/model/recon-events.ts';
import { isTerminal } from '../core/model/order-status.ts';
import { FAILURE_CATEGORIES } from '../core/model/reports.ts';
import type { SwapDecision } from '../core/model/strategy-events.ts';

export type SessionCounter =
  | 'parents_started'
  | 'parents_completed'
  | 'orders_submitted'
  | 'order_resends'
  | 'orders_denied'
  | 'orders_rejected'
  | 'outcome_unknown'
  | 'orders_abandoned'
  | 'discrepancies'
  | 'twap_slices'
  | 'fill_detections'
  | 'fill_query_failures'
  | 'signals_received'
  | 'signals_deduplicated'
  | 'reconciliations'
  | 'reconciliation_mismatches'
  | 'orphans_detected'
  | 'reconnects'
  | 'breaker_trips'
  | 'strategy_swaps';

export type SessionHistogram =
  'venue_request_duration' | 'ack_latency' | 'fill_latency' | 'slice_schedule_lag' | 'fill_detection_latency';

export type MetricLabels = Readonly<Record<string, string>>;

/** What one entry does to the metrics: a counter goes up by one, or a histogram observes seconds. */
export type MetricUpdate =
  | { readonly type: 'inc'; readonly metric: SessionCounter; readonly labels: MetricLabels }
  | {
      readonly type: 'observe';
      readonly metric: SessionHistogram;
      readonly labels: MetricLabels;
      readonly seconds: number;
    };

/** An order the fold still pairs entries for (created, not ended). */
interface Working {
  slice: boolean;
  scheduledTime: number | null;
  firstSentAt: number | null;
  /** The latest SubmitOrder and CancelOrder still waiting for the venue's answer. */
  submitAt: number | null;
  cancelAt: number | null;
  acked: boolean;
  filled: boolean;
}

/** The states a TWAP slice is counted in: planned, sent, skipped, and how it ended. */
export const SLICE_STATES = [
  'planned',
  'sent',
  'skipped',
  'filled',
  'partially_filled',
  'unfilled',
  'not_sent',
] as const;
const RECON_MODES: readonly ReconMode[] = ['startup', 'periodic', 'reconnect', 'operator'];
const MISMATCH_KINDS: readonly MismatchKind[] = ['status', 'missed_fill', 'unknown_at_venue', 'position', 'orphan'];
const SWAP_DECISIONS: readonly SwapDecision[] = ['accepted', 'rejected', 'refused', 'abandoned'];

/** The label values of the counters whose labels are a small closed set: exported at 0 before
 *  the first increment, so a query over them finds a series from the start. */
export const KNOWN_LABELS: Partial<Record<SessionCounter, readonly MetricLabels[]>> = {
  parents_started: [{ route: 'single' }, { route: 'twap' }],
  twap_slices: SLICE_STATES.map((state) => ({ state })),
  outcome_unknown: [{ request: 'submit' }, { request: 'cancel' }],
  reconciliations: RECON_MODES.map((mode) => ({ mode })),
  reconciliation_mismatches: MISMATCH_KINDS.map((kind) => ({ kind })),
  reconnects: [{ stream: 'orders' }, { stream: 'market_data' }],
  strategy_swaps: SWAP_DECISIONS.map((decision) => ({ decision })),
};

const NONE: MetricLabels = Object.freeze({});
const CATEGORIES = new Set<string>(FAILURE_CATEGORIES);

export class SessionMetricFold {
  private readonly working = new Map<ClientOrderId, Working>();
  private readonly twapParents = new Set<ParentOrderId>();
  private readonly streams = new Map<string, string>();
  private out: MetricUpdate[] = [];

  /** Orders the fold holds (for tests of its bound). */
  get size(): number {
    return this.working.size + this.twapParents.size;
  }

  /** The updates `entry` causes; entries must come in log order, each once. */
  add(entry: LogEntry): readonly MetricUpdate[] {
    this.out = [];
    this.fold(entry);
    return this.out;
  }

  private inc(metric: SessionCounter, labels: MetricLabels = NONE): void {
    this.out.push({ type: 'inc', metric, labels });
  }

  /** Observes milliseconds as seconds (never below 0: a wall clock stepped back). */
  private observe(metric: SessionHistogram, ms: number, labels: MetricLabels = NONE): void {
    const seconds = Math.max(0, ms) / 1000;
    if (Number.isFinite(seconds)) this.out.push({ type: 'observe', metric, labels, seconds });
  }

  private order(id: ClientOrderId): Working {
    let w = this.working.get(id);
    if (!w) {
      w = {
        slice: false,
        scheduledTime: null,
        firstSentAt: null,
        submitAt: null,
        cancelAt: null,
        acked: false,
        filled: false,
      };
      this.working.set(id, w);
    }
    return w;
  }

  private answerSubmit(w: Working | undefined, time: number, outcome: string): void {
    if (w?.submitAt == null) return;
    this.observe('venue_request_duration', time - w.submitAt, { request: 'submit', outcome });
    w.submitAt = null;
  }

  private answerCancel(w: Working | undefined, time: number, outcome: string): void {
    if (w?.cancelAt == null) return;
    this.observe('venue_request_duration', time - w.cancelAt, { request: 'cancel', outcome });
    w.cancelAt = null;
  }

  /** The order shows at the venue (an ack, or a fill before it): its first such report. */
  private acked(w: Working | undefined, time: number): void {
    if (!w || w.acked || w.firstSentAt === null) return;
    w.acked = true;
    this.observe('ack_latency', time - w.firstSentAt);
  }

  private firstFill(w: Working | undefined, time: number): void {
    if (!w || w.filled || w.firstSentAt === null) return;
    w.filled = true;
    this.observe('fill_latency', time - w.firstSentAt);
  }

  private fold({ event: e, time }: LogEntry): void {
    // An event naming one of our orders (LargeOrderConfirmed's id is a plain string: no order yet).
    const id = 'clientOrderId' in e && typeof e.clientOrderId === 'string' ? (e.clientOrderId as ClientOrderId) : null;
    const w = id === null ? undefined : this.working.get(id);
    switch (e.kind) {
      case 'ParentOrderCreated':
        this.inc('parents_started', { route: e.route });
        if (e.route === 'twap') this.twapParents.add(e.parentId);
        return;
      case 'ParentOrderCompleted':
        this.twapParents.delete(e.parentId);
        if (e.revises === undefined) this.inc('parents_completed', { status: e.status });
        return;
      case 'ParentRejected':
        this.twapParents.delete(e.parentId);
        this.inc('orders_denied', { source: 'parent', stage: e.stage ?? 'plan', code: e.code ?? 'plan-impossible' });
        return;
      case 'OrderCreated': {
        const o = this.order(e.clientOrderId);
        o.slice = this.twapParents.has(e.parentId);
        o.scheduledTime = e.scheduledTime;
        if (o.slice) this.inc('twap_slices', { state: 'planned' });
        return;
      }
      case 'SubmitOrder': {
        const o = this.order(e.clientOrderId);
        o.submitAt = time;
        if (o.firstSentAt !== null) return this.inc('order_resends');
        o.firstSentAt = time;
        this.inc('orders_submitted');
        if (!o.slice) return;
        this.inc('twap_slices', { state: 'sent' });
        if (o.scheduledTime !== null) this.observe('slice_schedule_lag', time - o.scheduledTime);
        return;
      }
      case 'CancelOrder':
        if (w) w.cancelAt = time;
        return;
      case 'AckReport':
        this.answerSubmit(w, time, 'accepted');
        return this.acked(w, time);
      case 'FillReport':
        this.answerSubmit(w, time, 'accepted');
        this.acked(w, time);
        return this.firstFill(w, time);
      case 'FillInferred':
        return this.firstFill(w, time);
      case 'OrderStatusReport':
        if ((e.trades?.length ?? 0) > 0) this.firstFill(w, time);
        return;
      case 'RejectReport':
        // A refusal naming our own client id: the venue holds the order, the send found it.
        return this.answerSubmit(w, time, e.duplicate ? 'accepted' : 'rejected');
      case 'RetryableRejectReport':
        return this.answerSubmit(w, time, 'retry');
      case 'OutcomeUnknownReport':
        this.inc('outcome_unknown', { request: e.request });
        if (e.request === 'submit') this.answerSubmit(w, time, 'unknown');
        else this.answerCancel(w, time, 'unknown');
        return;
      case 'CancelReport':
        return this.answerCancel(w, time, 'canceled');
      case 'CancelRejectReport':
        return this.answerCancel(w, time, 'refused');
      case 'OrderStatusChanged':
        if (e.to === 'rejected') this.inc('orders_rejected');
        if (!isTerminal(e.to)) return;
        if (w?.slice) this.inc('twap_slices', { state: sliceEnd(e.to, e.filledQty, w.firstSentAt !== null) });
        this.working.delete(e.clientOrderId);
        return;
      case 'OrderAbandoned':
        return this.inc('orders_abandoned');
      case 'DiscrepancyRecorded':
        return this.inc('discrepancies', { reason: e.reason });
      case 'SliceSkipped':
        return this.inc('twap_slices', { state: 'skipped' });
      case 'FillMonitorEnded':
        this.inc('fill_detections', { detected_by: e.detectedBy, result: e.result });
        if (e.detectionLatencyMs !== null) this.observe('fill_detection_latency', e.detectionLatencyMs);
        return;
      case 'FillQueryFailed':
        return this.inc('fill_query_failures', { category: CATEGORIES.has(e.category) ? e.category : 'other' });
      case 'SignalReceived':
        return this.inc('signals_received');
      case 'SignalRejected':
        this.inc('orders_denied', { source: 'signal', stage: e.stage, code: e.code });
        if (e.stage === 'dedup') this.inc('signals_deduplicated');
        return;
      case 'ReconciliationStarted':
        return this.inc('reconciliations', { mode: e.mode });
      case 'ReconciliationMismatch':
        return this.inc('reconciliation_mismatches', { kind: e.mismatch });
      case 'OrphanDetected':
        return this.inc('orphans_detected');
      case 'CircuitBreakerTripped':
        // An operator's trip while tripped by hand already is audited but trips nothing.
        if (e.unchanged !== true) this.inc('breaker_trips');
        return;
      case 'StrategySwapDecided':
        return this.inc('strategy_swaps', { decision: e.decision });
      case 'ConnectionReport':
        // The first `connected` of a stream is its start; one after a `disconnected` a reconnect.
        if (e.state === 'connected' && this.streams.get(e.stream) === 'disconnected')
          this.inc('reconnects', { stream: e.stream });
        this.streams.set(e.stream, e.state);
        return;
      default:
        return;
    }
  }
}

/** How a TWAP slice ended: all filled, part, none after it was sent, or never sent (skipped, or
 *  cancelled with its parent). */
function sliceEnd(status: string, filledQty: number, sent: boolean): (typeof SLICE_STATES)[number] {
  if (status === 'filled') return 'filled';
  if (filledQty > 0) return 'partially_filled';
  return sent ? 'unfilled' : 'not_sent';
}
