// Settling an order by the venue's own word. Some ends reach us without their details: fill
// detection gave up waiting for an answer (an outage), a partial was accepted and the remainder
// rests with its reports possibly lost, a cancel was refused (a filled order is "unknown" to a
// cancel on some venues; a rate-limited cancel did nothing). Each such order is looked up by its
// client order id until the venue answers with its state: a failed lookup is asked again after a
// doubling backoff, capped at lookupMaxDelayMs. The answer is folded like any report (its trades
// are applied, deduplicated), so lost fills are found whatever reconciliation is set to, and the
// engine sends an owed cancel again when the answer shows the order open. Only an answer to a
// lookup asked no earlier than ours settles it; nothing here sends an order.
import type { ClientOrderId } from '../model/ids.ts';
import { isTerminal } from '../model/order-status.ts';
import { showsVenueAnswering, type VenueMessage } from '../model/reports.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { RetryPolicy } from './order-retry.ts';

export interface SettleDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly policy: RetryPolicy;
  /** The sequence number of the last log entry: what the broker stamps a lookup with now. */
  seq(): number;
}

interface Settling {
  /** Delay for the next lookup if this one fails. */
  nextDelay: number;
  /** The stamp our lookup went out with; null while it waits for its time. */
  askedAfter: number | null;
  /** Waiting after failed lookups (the doubling backoff), and until when. */
  readonly backingOff: boolean;
  readonly dueAt: number;
}

export class OrderSettle {
  private readonly settling = new Map<ClientOrderId, Settling>();

  constructor(private readonly deps: SettleDeps) {}

  /** Orders waiting for the venue's answer. */
  get pending(): number {
    return this.settling.size;
  }

  /** Looks the order up `afterMs` from now, and again until the venue answers. An order already
   *  being settled keeps its schedule. */
  settle(id: ClientOrderId, afterMs = this.deps.policy.lookupFirstDelayMs): void {
    if (this.settling.has(id) || !this.deps.ledger.order(id)) return;
    this.ask(id, this.deps.policy.lookupFirstDelayMs, afterMs, false);
  }

  /** A venue message after it was logged and folded. */
  onMessage(msg: VenueMessage): void {
    if (this.settling.size > 0 && showsVenueAnswering(msg)) this.venueAnswers();
    if (!('clientOrderId' in msg) || msg.clientOrderId === null) return;
    const id = msg.clientOrderId;
    if (msg.kind === 'CancelRejectReport') {
      // Refused: the order may have ended without our hearing how, or the cancel is owed after a
      // transient refusal (its lookup shows the order open, and the engine sends it again). An
      // order the venue never showed is order-retry.ts's (its cancel may have overtaken it).
      const order = this.deps.ledger.order(id);
      if (order && !isTerminal(order.status) && (order.venueOrderId !== null || order.filledQty > 0))
        this.settle(id, msg.failure === 'transient' ? this.deps.policy.lookupFirstDelayMs : 1);
      return;
    }
    // While ours waits for its time (a partial accepted is looked up at its deadline), other
    // answers are not the one it waits for.
    const s = this.settling.get(id);
    if (!s || s.askedAfter === null) return;
    const stamp = 'askedAfterSeq' in msg ? msg.askedAfterSeq : undefined;
    if (stamp !== undefined && stamp < s.askedAfter) return; // asked before ours
    if (msg.kind === 'OrderStatusReport' || msg.kind === 'OrderNotFoundReport') this.settling.delete(id);
    else if (msg.kind === 'QueryFailedReport')
      this.ask(id, Math.min(s.nextDelay * 2, this.deps.policy.lookupMaxDelayMs), s.nextDelay, true);
  }

  /** The venue answers again: lookups backing off after failures are asked within
   *  lookupFirstDelayMs instead of waiting out their backoff. */
  private venueAnswers(): void {
    const first = this.deps.policy.lookupFirstDelayMs;
    const soon = this.deps.clock.now() + first;
    for (const [id, s] of [...this.settling])
      if (s.backingOff && s.askedAfter === null && s.dueAt > soon) this.ask(id, first, first, false);
  }

  private ask(id: ClientOrderId, nextDelay: number, delayMs: number, backingOff: boolean): void {
    const entry: Settling = { nextDelay, askedAfter: null, backingOff, dueAt: this.deps.clock.now() + delayMs };
    this.settling.set(id, entry);
    this.deps.clock.schedule(() => {
      if (this.settling.get(id) !== entry) return;
      entry.askedAfter = this.deps.seq();
      this.deps.broker.queryOrder(id);
    }, delayMs);
  }
}
