// Unknown outcomes and transient refusals, resolved without ever sending a second order.
// - An OutcomeUnknownReport (timeout, 5xx) is answered by a lookup by client order id, repeated
//   with a doubling backoff while lookups fail.
// - An order back at pending_new after it was sent (the venue refused without processing it,
//   e.g. 429, or a lookup found nothing) is retried: after the backoff for its attempt (2 s, 4 s,
//   8 s by default, on the clock) it is looked up once more and resubmitted with the same client
//   order id only if the venue still does not have it; the venue deduplicates by that id anyway.
//   After the last attempt it is abandoned (failed). Guards are checked again at each resend.
// Everything here reacts to logged messages and schedules on the clock: no Promises, no sleeps.
import type { ClientOrderId } from '../model/ids.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';

export interface RetryPolicy {
  /** Sends in all (the first one included). */
  readonly maxAttempts: number;
  /** Wait before retry k (1-based) is backoffMs[k-1]; the last value repeats. */
  readonly backoffMs: readonly number[];
  /** Wait before the first lookup after an unknown outcome. */
  readonly lookupFirstDelayMs: number;
  /** Cap of the doubling backoff between failed lookups. */
  readonly lookupMaxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  backoffMs: Object.freeze([2_000, 4_000, 8_000]),
  lookupFirstDelayMs: 1_000,
  lookupMaxDelayMs: 30_000,
});

export interface RetryDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly policy: RetryPolicy;
  /** Sends the order again (same id), or abandons it if the guards say no. */
  resend(id: ClientOrderId): void;
  abandon(id: ClientOrderId, reason: string): void;
}

interface Lookup {
  /** Delay for the next lookup if this one fails. */
  nextDelay: number;
  /** Resend when the answer is "not found" (a retry), rather than just learn the truth. */
  resendIfMissing: boolean;
}

export class OrderRetry {
  private readonly lookups = new Map<ClientOrderId, Lookup>();

  constructor(private readonly deps: RetryDeps) {}

  /** Reacts to a venue message after it was logged and folded. */
  onMessage(msg: VenueMessage): void {
    if (!('clientOrderId' in msg) || msg.clientOrderId === null) return;
    const id = msg.clientOrderId;
    const order = this.deps.ledger.order(id);
    if (!order) return;
    switch (msg.kind) {
      case 'OutcomeUnknownReport':
        if (!this.lookups.has(id)) this.lookup(id, this.deps.policy.lookupFirstDelayMs, false);
        return;
      case 'QueryFailedReport': {
        const pending = this.lookups.get(id);
        if (pending) this.lookup(id, pending.nextDelay, pending.resendIfMissing);
        return;
      }
      case 'OrderStatusReport':
        this.lookups.delete(id);
        return;
      case 'OrderNotFoundReport': {
        const pending = this.lookups.get(id);
        this.lookups.delete(id);
        if (order.status !== 'pending_new') return;
        if (pending?.resendIfMissing) this.deps.resend(id);
        else this.scheduleRetry(id);
        return;
      }
      case 'RetryableRejectReport':
        if (order.status === 'pending_new') this.scheduleRetry(id);
        return;
      default:
        return;
    }
  }

  private scheduleRetry(id: ClientOrderId): void {
    const order = this.deps.ledger.order(id);
    if (!order) return;
    const { maxAttempts, backoffMs } = this.deps.policy;
    if (order.attempts >= maxAttempts) {
      this.deps.abandon(id, `no acceptance after ${order.attempts} attempts`);
      return;
    }
    const delay = backoffMs[Math.min(order.attempts, backoffMs.length) - 1] ?? backoffMs[backoffMs.length - 1] ?? 0;
    this.lookup(id, delay, true);
  }

  private lookup(id: ClientOrderId, delayMs: number, resendIfMissing: boolean): void {
    this.lookups.set(id, { nextDelay: Math.min(Math.max(delayMs, 1) * 2, this.deps.policy.lookupMaxDelayMs), resendIfMissing });
    this.deps.clock.schedule(() => {
      const order = this.deps.ledger.order(id);
      const stillUnknown = order?.status === 'submitted_unconfirmed' || order?.status === 'pending_cancel';
      const awaitingRetry = resendIfMissing && order?.status === 'pending_new';
      if (!stillUnknown && !awaitingRetry) {
        this.lookups.delete(id); // resolved meanwhile (a late ack or fill) or given up
        return;
      }
      this.deps.broker.queryOrder(id);
    }, delayMs);
  }
}
