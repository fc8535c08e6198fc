// Lookups of our orders by client order id, on the clock: each goes out stamped with the log
// position it was asked at (stampLookups: the broker the engine hands out stamps every lookup),
// so that only the answer to it, or to a later lookup, counts as its answer, not one to a lookup
// asked before (a reconciliation's, or a stale one of ours). A failed lookup is asked again after
// a wait its owner chooses (a doubling backoff); when the venue answers again, lookups still
// waiting out such a backoff are asked again within lookupFirstDelayMs. Shared by the order
// retries (order-retry.ts) and the settling lookups (order-settle.ts), which decide what an
// answer means.
import type { ClientOrderId } from '../model/ids.ts';
import { showsVenueAnswering, type VenueMessage } from '../model/reports.ts';
import type { EventLog } from '../log/event-log.ts';
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';

export interface LookupDeps {
  readonly clock: Clock;
  readonly broker: Broker;
  /** Wait before a lookup is asked again once the venue answers (lookupFirstDelayMs). */
  readonly soonMs: number;
  /** The sequence number of the last log entry: what the broker stamps a lookup with now. */
  seq(): number;
}

export interface StampedLookup<T> {
  /** What its owner does with its answer. */
  readonly purpose: T;
  /** The wait before the next lookup if this one fails. */
  readonly nextDelay: number;
  /** The stamp the lookup went out with, and when; null while it waits for its time. */
  askedAfter: number | null;
  askedAt: number | null;
  /** Waiting after failed lookups (a backoff), and until when. */
  readonly backingOff: boolean;
  readonly dueAt: number;
}

export class StampedLookups<T> {
  private readonly entries = new Map<ClientOrderId, StampedLookup<T>>();

  /** `stillNeeded`: asked when a lookup's time comes; false forgets it unasked. */
  constructor(
    private readonly deps: LookupDeps,
    private readonly stillNeeded: (id: ClientOrderId) => boolean = () => true,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: ClientOrderId): StampedLookup<T> | undefined {
    return this.entries.get(id);
  }

  has(id: ClientOrderId): boolean {
    return this.entries.has(id);
  }

  delete(id: ClientOrderId): void {
    this.entries.delete(id);
  }

  /** Looks `id` up `delayMs` from now, replacing any lookup of it not yet answered. */
  ask(id: ClientOrderId, delayMs: number, nextDelay: number, purpose: T, backingOff = false): void {
    const { clock } = this.deps;
    const entry: StampedLookup<T> = {
      purpose,
      nextDelay,
      askedAfter: null,
      askedAt: null,
      backingOff,
      dueAt: clock.now() + delayMs,
    };
    this.entries.set(id, entry);
    clock.schedule(() => {
      if (this.entries.get(id) !== entry) return; // replaced by a newer lookup, or settled
      if (!this.stillNeeded(id)) {
        this.entries.delete(id);
        return;
      }
      entry.askedAfter = this.deps.seq();
      entry.askedAt = clock.now();
      this.deps.broker.queryOrder(id);
    }, delayMs);
  }

  /** Whether `msg` is the lookup's answer: the lookup went out, and `msg` answers it or a later one. */
  answers(entry: StampedLookup<T>, msg: VenueMessage): boolean {
    if (entry.askedAfter === null) return false;
    const stamp = 'askedAfterSeq' in msg ? msg.askedAfterSeq : undefined;
    return stamp === undefined || stamp >= entry.askedAfter;
  }

  /** A venue message: when it shows the venue answering again, `reask` is called for each lookup
   *  still waiting out a backoff that would end later than lookupFirstDelayMs from now (an outage
   *  can grow that wait to lookupMaxDelayMs), so an order's fate does not outlast the outage by
   *  most of a backoff. */
  venueMessage(msg: VenueMessage, reask: (id: ClientOrderId, entry: StampedLookup<T>) => void): void {
    if (this.entries.size === 0 || !showsVenueAnswering(msg)) return;
    const soon = this.deps.clock.now() + this.deps.soonMs;
    for (const [id, entry] of [...this.entries])
      if (entry.backingOff && entry.askedAt === null && entry.dueAt > soon) reask(id, entry);
  }
}

/**
 * The broker with each order lookup stamped with the sequence number of the last log entry, so
 * its answer can be matched to when it was asked: a "not found" asked before our latest send of
 * the order answers a question about the venue before that send, and must not move the order
 * back (apply-event.ts). Everything else passes through.
 */
export function stampLookups(broker: Broker, log: EventLog): Broker {
  return {
    clientIdMaxLength: broker.clientIdMaxLength,
    ordersSinceBy: broker.ordersSinceBy,
    setReportHandler: (h) => broker.setReportHandler(h),
    submit: (o) => broker.submit(o),
    cancel: (id, venueId) => broker.cancel(id, venueId),
    queryOrder: (id) => broker.queryOrder(id, log.count),
    queryOpenOrders: (requestId) => broker.queryOpenOrders(requestId),
    queryOrdersSince: (since, limit, after, requestId) => broker.queryOrdersSince(since, limit, after, requestId),
    queryAccount: (requestId) => broker.queryAccount(requestId),
  };
}
