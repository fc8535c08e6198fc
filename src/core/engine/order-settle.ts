// Settling an order by the venue's own word: an order whose end reached us without its details
// is looked up by client order id until the venue states it, and the answer is folded like any
// report. Nothing here sends an order. Which orders, the backoff, owed cancels:
// docs/0069-core-and-simulator-notes.md.
import type { ClientOrderId } from '../model/ids.ts';
import { isTerminal } from '../model/order-status.ts';
import type { VenueMessage } from '../model/reports.ts';
import { neverShown } from '../order/apply-event.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { RetryPolicy } from './order-retry.ts';
import { StampedLookups } from './stamped-lookups.ts';

export interface SettleDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly policy: RetryPolicy;
  /** The sequence number of the last log entry: what the broker stamps a lookup with now. */
  seq(): number;
}

export class OrderSettle {
  private readonly settling: StampedLookups<null>;

  constructor(private readonly deps: SettleDeps) {
    this.settling = new StampedLookups({
      clock: deps.clock,
      broker: deps.broker,
      soonMs: deps.policy.lookupFirstDelayMs,
      seq: () => deps.seq(),
    });
  }

  /** Orders waiting for the venue's answer. */
  get pending(): number {
    return this.settling.size;
  }

  /** Looks the order up `afterMs` from now, and again until the venue answers. An order already
   *  being settled keeps its schedule. */
  settle(id: ClientOrderId, afterMs = this.deps.policy.lookupFirstDelayMs): void {
    if (this.settling.has(id) || !this.deps.ledger.order(id)) return;
    this.settling.ask(id, afterMs, this.deps.policy.lookupFirstDelayMs, null);
  }

  /** A venue message after it was logged and folded. */
  onMessage(msg: VenueMessage): void {
    const first = this.deps.policy.lookupFirstDelayMs;
    this.settling.venueMessage(msg, (id) => this.settling.ask(id, first, first, null));
    if (!('clientOrderId' in msg) || msg.clientOrderId === null) return;
    const id = msg.clientOrderId;
    if (msg.kind === 'CancelRejectReport') {
      // Refused: the order may have ended without our hearing how, or the cancel is owed after a
      // transient refusal (its lookup shows the order open, and the engine sends it again). An
      // order the venue never showed is order-retry.ts's (its cancel may have overtaken it).
      const order = this.deps.ledger.order(id);
      if (order && !isTerminal(order.status) && !neverShown(order))
        this.settle(id, msg.failure === 'transient' ? first : 1);
      return;
    }
    // While ours waits for its time (a partial accepted is looked up at its deadline), other
    // answers are not the one it waits for.
    const s = this.settling.get(id);
    if (!s || !this.settling.answers(s, msg)) return;
    if (msg.kind === 'OrderStatusReport' || msg.kind === 'OrderNotFoundReport') this.settling.delete(id);
    else if (msg.kind === 'QueryFailedReport')
      this.settling.ask(id, s.nextDelay, Math.min(s.nextDelay * 2, this.deps.policy.lookupMaxDelayMs), null, true);
  }
}
