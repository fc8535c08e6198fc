// Unknown outcomes and transient refusals, resolved without ever sending a second order: a
// lookup by client order id decides, and an order is resent with the same id only if the venue
// does not have it. Everything here reacts to logged messages and schedules on the clock: no
// Promises, no sleeps. Details: docs/0069-core-and-simulator-notes.md.
import type { ClientOrderId } from '../model/ids.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { OrderStatus } from '../model/order-status.ts';
import { neverShown, type OrderState } from '../order/apply-event.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import { StampedLookups, type StampedLookup } from './stamped-lookups.ts';

export interface RetryPolicy {
  /** Sends in all (the first one included). */
  readonly maxAttempts: number;
  /** Wait before retry k (1-based) is backoffMs[k-1]; the last value repeats. */
  readonly backoffMs: readonly number[];
  /** Wait before the first lookup after an unknown outcome. */
  readonly lookupFirstDelayMs: number;
  /** Cap of the doubling backoff between failed lookups. */
  readonly lookupMaxDelayMs: number;
  /** How long after a send the venue may still take the order (a request's receive window):
   *  a "not found" for an order never shown is final only for a lookup asked after it. */
  readonly inFlightMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  backoffMs: Object.freeze([2_000, 4_000, 8_000]),
  lookupFirstDelayMs: 1_000,
  lookupMaxDelayMs: 30_000,
  inFlightMs: 5_000,
});

export interface RetryDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly policy: RetryPolicy;
  /** The sequence number of the last log entry: what the broker stamps a lookup with now. */
  seq(): number;
  /** Sends the order again (same id), or abandons it if the guards say no. */
  resend(id: ClientOrderId): void;
  abandon(id: ClientOrderId, reason: string): void;
  /** Gives up on an order whose cancel found nothing and that cannot be on its way any more. */
  drop(id: ClientOrderId, reason: string): void;
}

/** What a "not found" to our lookup leads to: a resend (a retry), giving up (the confirmation
 *  after the last attempt), a retry decision (the lookup after an unknown outcome), or dropping
 *  an order whose cancel found nothing (once it cannot be on its way any more). */
type OnMissing = 'resend' | 'abandon' | 'decide' | 'drop';

/** A lookup of ours, and what its "not found" leads to. */
type Lookup = StampedLookup<OnMissing>;

export class OrderRetry {
  private readonly lookups: StampedLookups<OnMissing>;

  constructor(private readonly deps: RetryDeps) {
    this.lookups = new StampedLookups(
      { clock: deps.clock, broker: deps.broker, soonMs: deps.policy.lookupFirstDelayMs, seq: () => deps.seq() },
      (id) => {
        const status = deps.ledger.order(id)?.status;
        // Still of unknown fate, or back at pending_new (by this lookup's cause or another
        // answer: our answer decides); anything else was resolved meanwhile (a late ack or fill)
        // or given up.
        return status === 'submitted_unconfirmed' || status === 'pending_cancel' || status === 'pending_new';
      },
    );
  }

  /** Reacts to a venue message after it was logged and folded; `before`: the order's status
   *  before the fold. */
  onMessage(msg: VenueMessage, before?: OrderStatus): void {
    // The venue answers again (any answer, to anyone): lookups backing off after failures are
    // asked again soon.
    this.lookups.venueMessage(msg, (id, entry) => this.lookup(id, this.deps.policy.lookupFirstDelayMs, entry.purpose));
    if (!('clientOrderId' in msg) || msg.clientOrderId === null) return;
    const id = msg.clientOrderId;
    const order = this.deps.ledger.order(id);
    if (!order) return;
    const pending = this.lookups.get(id);
    const ours = pending !== undefined && this.lookups.answers(pending, msg);
    switch (msg.kind) {
      case 'OutcomeUnknownReport':
        if (!pending) this.lookup(id, this.deps.policy.lookupFirstDelayMs, 'decide');
        return;
      case 'RejectReport': // a resend refused as a duplicate: the first send is there, look it up
        if (msg.duplicate === true && order.status === 'submitted_unconfirmed' && !pending)
          this.lookup(id, this.deps.policy.lookupFirstDelayMs, 'decide');
        return;
      case 'CancelRejectReport': // a refused cancel of a send never confirmed: unknown again
        if (owesCancel(order)) return this.confirmGone(id, pending);
        if (!pending && order.status === 'submitted_unconfirmed')
          this.lookup(id, this.deps.policy.lookupFirstDelayMs, 'decide');
        return;
      case 'QueryFailedReport':
        if (pending && ours) this.lookup(id, pending.nextDelay, pending.purpose, true);
        return;
      case 'OrderStatusReport':
        this.lookups.delete(id);
        return;
      case 'OrderNotFoundReport': {
        if (owesCancel(order)) {
          if (pending && !ours) return; // our own lookup is still to come: its answer decides
          const horizon = this.arrivalHorizon(order);
          if (ours && pending?.purpose === 'drop' && (pending.askedAt ?? -Infinity) >= horizon) {
            this.lookups.delete(id);
            this.deps.drop(
              id,
              `cancelled before it reached the venue: not there ${this.deps.policy.inFlightMs} ms after it was sent`,
            );
            return;
          }
          return this.confirmGone(id, ours ? undefined : pending);
        }
        if (order.status !== 'pending_new') {
          if (ours) this.lookups.delete(id);
          return;
        }
        if (pending && !ours) return; // our own lookup is still to come: its answer decides
        if (!pending && before === 'pending_new') return; // not ours to send: already unsent, its owner (recovery) decides
        this.lookups.delete(id);
        if (pending?.purpose === 'resend') this.deps.resend(id);
        else if (pending?.purpose === 'abandon')
          this.deps.abandon(id, `not at the venue after ${order.attempts} attempts`);
        else this.scheduleRetry(id);
        return;
      }
      case 'RetryableRejectReport':
        if (order.status === 'pending_new' && !pending && before !== 'pending_new') this.scheduleRetry(id);
        return;
      default:
        return;
    }
  }

  /**
   * An order whose cancel found nothing at the venue, never shown by it: look it up once it
   * cannot be on its way any more (inFlightMs after its latest send). A lookup already waiting
   * to confirm it stays.
   */
  private confirmGone(id: ClientOrderId, pending: Lookup | undefined): void {
    if (pending?.purpose === 'drop' && pending.askedAt === null) return;
    const order = this.deps.ledger.order(id);
    if (!order) return;
    const horizon = this.arrivalHorizon(order);
    const wait = Math.max(this.deps.policy.lookupFirstDelayMs, horizon - this.deps.clock.now());
    this.lookup(id, wait, 'drop');
  }

  /** When an order can no longer be on its way to the venue: inFlightMs after its latest send. */
  private arrivalHorizon(order: OrderState): number {
    return (order.lastSentAt ?? order.createdAt) + this.deps.policy.inFlightMs;
  }

  /** Someone else owns the order's next send now (restart recovery decided it): any pending
   *  lookup or resend of ours is dropped. */
  release(id: ClientOrderId): void {
    this.lookups.delete(id);
  }

  /**
   * Back at pending_new after a send: after the backoff for its attempt, look it up and resend
   * if the venue still does not have it. After the last attempt, the same lookup confirms the
   * absence before the order is abandoned: a "not found" that raced the last send must not
   * give up on an order the venue is about to acknowledge.
   */
  private scheduleRetry(id: ClientOrderId): void {
    const order = this.deps.ledger.order(id);
    if (!order) return;
    const { maxAttempts, backoffMs } = this.deps.policy;
    const delay = backoffMs[Math.min(order.attempts, backoffMs.length) - 1] ?? backoffMs[backoffMs.length - 1] ?? 0;
    this.lookup(id, delay, order.attempts >= maxAttempts ? 'abandon' : 'resend');
  }

  /** Looks the order up `delayMs` from now; a failed lookup is asked again after twice as long,
   *  capped at lookupMaxDelayMs. */
  private lookup(id: ClientOrderId, delayMs: number, onMissing: OnMissing, backingOff = false): void {
    const nextDelay = Math.min(Math.max(delayMs, 1) * 2, this.deps.policy.lookupMaxDelayMs);
    this.lookups.ask(id, delayMs, nextDelay, onMissing, backingOff);
  }
}

/** The order's cancel found nothing at the venue, which has never shown it: a cancel is owed. */
const owesCancel = (o: OrderState): boolean => o.status === 'pending_cancel' && o.cancelOwed && neverShown(o);
