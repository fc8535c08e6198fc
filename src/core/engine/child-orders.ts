// Ending our orders short of a fill: an unsent child abandoned (a guard said no, or the retry
// logic gave up), an order the venue does not know failed, a child cancelled (locally when it
// was never sent, at the venue when it works), a parent cancelled with its slices and children,
// and everything working cancelled when the kill switch halts. Each end may complete its parent.
import type { FillMonitor } from '../fills/fill-monitor.ts';
import type { ExecEvent } from '../model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../model/ids.ts';
import { isTerminal } from '../model/order-status.ts';
import type { EventLog } from '../log/event-log.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { CancelResult } from './engine-types.ts';
import type { ParentCompletion } from './parent-completion.ts';
import type { RunningTwaps } from './running-twaps.ts';

export interface ChildOrdersDeps {
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly fills: FillMonitor | null;
  readonly twaps: RunningTwaps;
  readonly completion: ParentCompletion;
  record(e: ExecEvent): void;
}

export class ChildOrders {
  constructor(private readonly deps: ChildOrdersDeps) {}

  /** An order still pending_new is given up before it went out. */
  abandon(id: ClientOrderId, reason: string): void {
    const order = this.deps.ledger.order(id);
    if (order?.status !== 'pending_new') return;
    this.deps.record({ kind: 'OrderAbandoned', clientOrderId: id, reason });
    this.deps.fills?.onLocalChange(id);
    this.deps.completion.completeIfDone(order.request.parentId);
  }

  /** Reconciliation: a live order the venue does not know is failed, and its parent may complete. */
  failUnknown(id: ClientOrderId, reason: string): void {
    const order = this.deps.ledger.order(id);
    if (!order) return;
    this.deps.record({ kind: 'OrderAbandoned', clientOrderId: id, reason });
    this.deps.fills?.onLocalChange(id);
    this.deps.completion.completeIfDone(order.request.parentId);
  }

  /**
   * Cancels one child: locally when it was never sent, at the venue when it is working. With
   * `resend`, a cancel already pending is sent again (fill detection found the order still open
   * after the first cancel's outcome was unknown); cancels are idempotent at the venue.
   */
  cancel(id: ClientOrderId, reason: string, resend = false): void {
    const { ledger, broker } = this.deps;
    const child = ledger.order(id);
    if (!child || isTerminal(child.status)) return;
    if (child.status === 'pending_cancel') {
      if (!resend) return;
      this.deps.record({ kind: 'CancelOrder', clientOrderId: id, reason: `${reason} (sent again)` });
      broker.cancel(id, child.venueOrderId);
      return;
    }
    const wasSent = child.status !== 'pending_new';
    this.deps.record({ kind: 'CancelOrder', clientOrderId: id, reason });
    if (wasSent) broker.cancel(id, child.venueOrderId);
    else this.deps.fills?.onLocalChange(id);
    this.deps.completion.completeIfDone(child.request.parentId);
  }

  /**
   * Cancels a parent: the request is logged and committed first, then its remaining slices and
   * its open children at the venue are cancelled; the result says what was cancelled and what
   * had already filled.
   */
  cancelParent(parentId: ParentOrderId, reason: string): CancelResult {
    const { ledger } = this.deps;
    const parent = ledger.parents.get(parentId);
    if (!parent) throw new Error(`no parent ${parentId}`);
    const filledQty = ledger.childrenOf(parentId).reduce((s, c) => s + c.filledQty, 0);
    if (parent.completed) return { cancelledSlices: 0, cancelRequests: 0, filledQty };
    this.deps.record({ kind: 'ParentCancelRequested', parentId, reason });
    this.deps.log.commit();
    const scheduler = this.deps.twaps.schedulerOf(parentId);
    let result: { cancelledSlices: number; cancelRequests: number };
    if (scheduler) result = scheduler.cancel(reason);
    else {
      result = { cancelledSlices: 0, cancelRequests: 0 };
      for (const child of ledger.childrenOf(parentId)) {
        if (isTerminal(child.status) || child.status === 'pending_cancel') continue;
        if (child.status === 'pending_new') result.cancelledSlices++;
        else result.cancelRequests++;
        this.cancel(child.request.clientOrderId, reason);
      }
    }
    this.deps.completion.completeIfDone(parentId);
    return { ...result, filledQty };
  }

  /** The kill switch halted: what is working at the venue is cancelled (cancels always pass). */
  cancelWorking(reason: string): void {
    // A copy: each cancel is logged and folded while the walk goes on.
    for (const order of [...this.deps.ledger.sentOrders()]) {
      if (order.status === 'pending_new' || order.status === 'pending_cancel') continue;
      this.cancel(order.request.clientOrderId, reason);
    }
  }
}
