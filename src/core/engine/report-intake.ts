// What a venue message does, in order: logged and folded into the ledger (with what the fold
// derived), then handed to the retry logic, the settling of orders, the breaker's feed, fill
// detection and the observers (order manager, reconciliation). Then the order's own follow-ups:
// a cancel sent again while the venue shows the order open, an order we hold as ended but the
// venue holds open cancelled, a revived order's remainder cancelled; its parent may complete.
import type { FillMonitor } from '../fills/fill-monitor.ts';
import type { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { isTerminal, statusOfVenue } from '../model/order-status.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { OrderState } from '../order/apply-event.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { BreakerFeed } from '../risk/breaker-feed.ts';
import type { ChildOrders } from './child-orders.ts';
import { appendAndFold } from './append-and-fold.ts';
import type { OrderRetry } from './order-retry.ts';
import type { OrderSettle } from './order-settle.ts';
import type { ParentCompletion } from './parent-completion.ts';
import type { RunningTwaps } from './running-twaps.ts';

/** Told of every venue message after the engine logged and handled it, with the order as it was
 *  before the message was folded, if it is ours. */
export type ReportObserver = (msg: VenueMessage, before: OrderState | undefined) => void;

export interface ReportIntakeDeps {
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly retry: OrderRetry;
  readonly settler: OrderSettle;
  readonly breakerFeed: BreakerFeed;
  readonly fills: FillMonitor | null;
  readonly observers: readonly ReportObserver[];
  readonly children: ChildOrders;
  readonly completion: ParentCompletion;
  readonly twaps: RunningTwaps;
  record(e: ExecEvent): void;
}

export class ReportIntake {
  constructor(private readonly deps: ReportIntakeDeps) {}

  onReport(report: VenueMessage): void {
    const { ledger, children } = this.deps;
    const id = 'clientOrderId' in report ? report.clientOrderId : null;
    const prior = id === null ? undefined : ledger.order(id);
    const before = prior?.status;
    const { trades } = appendAndFold(this.deps.log, ledger, report);
    this.deps.retry.onMessage(report, before);
    this.deps.settler.onMessage(report);
    this.deps.breakerFeed.onReport(report);
    this.deps.fills?.onMessage(report, trades);
    for (const observe of this.deps.observers) observe(report, prior);
    const order = id === null ? undefined : ledger.order(id);
    if (!order) return;
    if (order.status === 'pending_cancel' && order.cancelOwed && showsOpen(report)) {
      // Our latest cancel found nothing (it overtook the order) or its outcome is unknown, and
      // the venue shows the order open now: the cancel goes out again (idempotent at the venue).
      children.cancel(order.request.clientOrderId, 'the venue shows the order open after its cancel', true);
    } else if (
      (order.status === 'canceled' || order.status === 'expired') &&
      report.kind === 'OrderStatusReport' &&
      showsOpen(report) &&
      (report.askedAfterSeq === undefined || order.lastSeenSeq === null || report.askedAfterSeq >= order.lastSeenSeq)
    ) {
      // The venue holds open an order we hold as ended (an answer no older than what ended it
      // for us): it is working with nobody watching it. It is cancelled, never ignored; its fills
      // so far count (the late-fill rule), and the venue's answer to the cancel ends it.
      this.deps.record({
        kind: 'CancelOrder',
        clientOrderId: order.request.clientOrderId,
        reason: `the venue holds open an order we held as ${order.status}`,
      });
      this.deps.broker.cancel(order.request.clientOrderId, order.venueOrderId);
    } else if (before === 'failed' && !isTerminal(order.status)) {
      // The venue has an order we gave up on: its quantity may have gone out again in another
      // child, and nothing watches it any more. Its fills so far count; the rest is cancelled.
      children.cancel(
        order.request.clientOrderId,
        'revived after it was given up on: the venue has it, its remainder is cancelled',
      );
    }
    // A fill or an end of an algorithm's child asks the algorithm (on the clock, after this).
    this.deps.twaps.runnerOf(order.request.parentId)?.onChild(prior, order);
    this.deps.completion.completeIfDone(order.request.parentId);
  }
}

/** The venue showing the order open: its acknowledgement, or a full state that is not an end. */
const showsOpen = (r: VenueMessage): boolean =>
  r.kind === 'AckReport' || (r.kind === 'OrderStatusReport' && !isTerminal(statusOfVenue(r.status)));
