// Orders the desk announced before they reached the book: the venue will act on the request but
// its answer was lost (Delivery in src/sim/faults.ts), so the order exists at once, arriving until
// the exchange has it. Past the order-entry bound it is there (its `new` told) or the exchange
// refused it (`rejected` told); whatever waited for it (a cancel) then goes on.
import type { ExchangeOrder } from '../sim/venue/exchange-order.ts';
import type { DeskEvents } from './desk-events.ts';
import type { DeskEvent, DeskRecord } from './desk-record.ts';

export interface ArrivingOrdersDeps {
  /** The order at the exchange, once it is there. */
  readonly exchangeOrder: (rec: DeskRecord) => ExchangeOrder | undefined;
  /** The venue's time now (clock skew applied), epoch ms. */
  readonly now: () => number;
  readonly events: DeskEvents;
  readonly tell: (event: DeskEvent) => void;
  /** Runs `fn` once a request sent now has surely reached the venue. */
  readonly afterOrderEntry: (fn: () => void) => void;
}

export class ArrivingOrders {
  /** Announced orders still on their way to the book, each with what waits for it to get there. */
  private readonly arriving = new Map<DeskRecord, Array<() => void>>();

  constructor(private readonly deps: ArrivingOrdersDeps) {}

  /** Whether the order is announced and not at the exchange yet (nor refused there). */
  has(rec: DeskRecord): boolean {
    return this.arriving.has(rec);
  }

  /** After the venue's work: every order on its way that the exchange now has has arrived. */
  checkArrived(): void {
    for (const rec of this.arriving.keys()) if (this.deps.exchangeOrder(rec)) this.arrived(rec);
  }

  /**
   * The venue will act on this order's request but its answer is lost: the order exists from
   * now, arriving until the exchange has it. A received request reaches the venue within the
   * order-entry bound; an order the exchange does not have past it was refused there.
   */
  announce(rec: DeskRecord, created: (rec: DeskRecord) => void): void {
    rec.announced = true;
    this.arriving.set(rec, []);
    created(rec);
    this.deps.afterOrderEntry(() => this.settle(rec));
  }

  /** Resolves once the order is no longer on its way to the book (at once if it is not). */
  arrival(rec: DeskRecord): Promise<void> {
    const waiting = this.arriving.get(rec);
    if (!waiting) return Promise.resolve();
    return new Promise<void>((resolve) => waiting.push(resolve));
  }

  /** Past the order-entry bound: the order is at the exchange, or the exchange refused it. */
  private settle(rec: DeskRecord): void {
    if (!this.arriving.has(rec)) return;
    if (this.deps.exchangeOrder(rec)) {
      this.arrived(rec);
      return;
    }
    rec.rejectedAt = this.deps.now();
    this.landed(rec);
    this.deps.tell({ kind: 'rejected', rec, at: rec.rejectedAt });
  }

  /** The exchange has an announced order: its `new` told, and whatever waited for it goes on. */
  private arrived(rec: DeskRecord): void {
    this.landed(rec);
    this.deps.events.sendNew(rec);
  }

  private landed(rec: DeskRecord): void {
    const waiting = this.arriving.get(rec) ?? [];
    this.arriving.delete(rec);
    for (const go of waiting) go();
  }
}
