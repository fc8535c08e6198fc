// What a slice scheduler (and the chaser working for it) may do: read the clock, the ledger and
// the market, record events, ask the guard, send, cancel and create children. The engine's slice
// sender builds it (slicePort); tests build it by hand.
import type { ExecEvent, OrderCreated } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';

export interface SchedulerOps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly marketData: MarketDataPort;
  readonly instrument: Instrument;
  record(event: ExecEvent): void;
  /** Why this child may not go out now with this qty (kill switch, breaker, hours), or null: the
   *  slice's one guard decision, asked once per slice at its place among the slice's checks. */
  blocked(child: ClientOrderId, qty: number): string | null;
  /** Sends a pending_new child that `blocked` just cleared (SubmitOrder + broker), without
   *  deciding again (the engine's slice sender). */
  send(id: ClientOrderId): void;
  /** Cancels a child: locally when never sent, at the venue when working; `resend`: a cancel
   *  already pending goes out again (cancels are idempotent at the venue). */
  cancelChild(id: ClientOrderId, reason: string, resend?: boolean): void;
  /** Whether fill detection still watches an order: one that ended short of a fill has its end
   *  confirmed only then (fills a lost report hid are found by that confirmation). */
  settling(id: ClientOrderId): boolean;
  /** Logs a new child (a chaser's replacement) and commits it before anything else goes out. */
  create(e: OrderCreated): void;
  /** The venue's longest client order id. */
  readonly clientIdMaxLength: number;
}
