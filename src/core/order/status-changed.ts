// The ledger's record that an order's status moved: derived from every venue message that moves
// one (several per child), so it writes its own canonical payload (SelfWrittenPayload).
import { payloadHeads, SelfWrittenPayload, type CanonicalBytes } from '../log/canonical-bytes.ts';
import type { OrderStatusChanged } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { OrderStatus } from '../model/order-status.ts';

const HEADS = payloadHeads(['cause', 'clientOrderId', 'filledQty', 'from', 'to']);

/** An OrderStatusChanged with the event's keys in its order (kind first). */
export class StatusChange extends SelfWrittenPayload implements OrderStatusChanged {
  readonly kind = 'OrderStatusChanged';
  readonly clientOrderId: ClientOrderId;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly filledQty: number;
  readonly cause: number;

  constructor(clientOrderId: ClientOrderId, from: OrderStatus, to: OrderStatus, filledQty: number, cause: number) {
    super();
    this.clientOrderId = clientOrderId;
    this.from = from;
    this.to = to;
    this.filledQty = filledQty;
    this.cause = cause;
  }

  writeCanonical(out: CanonicalBytes): void {
    out.open();
    out.head(HEADS.cause, true);
    out.finite(this.cause);
    out.head(HEADS.clientOrderId, false);
    out.string(this.clientOrderId);
    out.head(HEADS.filledQty, false);
    out.finite(this.filledQty);
    out.head(HEADS.from, false);
    out.string(this.from);
    out.head(HEADS.to, false);
    out.string(this.to);
    out.close();
  }
}
