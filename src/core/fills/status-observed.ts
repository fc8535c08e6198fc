// Fill detection's record that an order's status moved as it watched it: several per child, so
// it writes its own canonical payload (SelfWrittenPayload).
import { payloadHeads, SelfWrittenPayload, type CanonicalBytes } from '../log/canonical-bytes.ts';
import type { FillStatusObserved } from '../model/fill-events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { OrderStatus } from '../model/order-status.ts';

const HEADS = payloadHeads(['clientOrderId', 'elapsedMs', 'from', 'polls', 'source', 'to']);

/** A FillStatusObserved with the event's keys in its order (kind first). */
export class StatusObserved extends SelfWrittenPayload implements FillStatusObserved {
  readonly kind = 'FillStatusObserved';
  readonly clientOrderId: ClientOrderId;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly elapsedMs: number;
  readonly polls: number;
  readonly source: FillStatusObserved['source'];

  constructor(
    clientOrderId: ClientOrderId,
    from: OrderStatus,
    to: OrderStatus,
    elapsedMs: number,
    polls: number,
    source: FillStatusObserved['source'],
  ) {
    super();
    this.clientOrderId = clientOrderId;
    this.from = from;
    this.to = to;
    this.elapsedMs = elapsedMs;
    this.polls = polls;
    this.source = source;
  }

  writeCanonical(out: CanonicalBytes): void {
    out.open();
    out.head(HEADS.clientOrderId, true);
    out.string(this.clientOrderId);
    out.head(HEADS.elapsedMs, false);
    out.finite(this.elapsedMs);
    out.head(HEADS.from, false);
    out.string(this.from);
    out.head(HEADS.polls, false);
    out.finite(this.polls);
    out.head(HEADS.source, false);
    out.string(this.source);
    out.head(HEADS.to, false);
    out.string(this.to);
    out.close();
  }
}
