// One page of an adapter's orders listing by submission time (Broker.queryOrdersSince with
// ordersSinceBy 'submitted'): the venue's rows at or after `since`, in (submission time, venue
// order id) order, strictly after the cursor, at most `limit`; `next` is set when there may be
// more (rows past the page, or a venue answer as long as was asked for). Venue ids compare by the
// venue's own order.
import type { OrderStatusReport, OrdersPageReport } from '../core/model/reports.ts';
import type { OrdersCursor } from '../core/ports/broker.ts';

/** One order as listed: its full state, when the venue received it, and its last update. */
export interface ListedOrder {
  readonly row: Omit<OrderStatusReport, 'kind'>;
  /** Submission time (the listing's key), venue clock. */
  readonly at: number;
  /** Last update, when the venue states it apart from the row. */
  readonly updatedAt?: number | null;
}

export function submittedOrdersPage(
  since: number,
  listed: readonly ListedOrder[],
  cursor: OrdersCursor | undefined,
  limit: number,
  /** The venue answered as many orders as were asked for: there may be more beyond them. */
  answerFull: boolean,
  compareIds: (a: string, b: string) => number,
): OrdersPageReport {
  const rows = listed
    .filter((r) => r.at >= since)
    .filter(
      (r) =>
        cursor === undefined ||
        r.at > cursor.at ||
        (r.at === cursor.at && compareIds(r.row.venueOrderId, cursor.venueOrderId) > 0),
    )
    .sort((a, b) => a.at - b.at || compareIds(a.row.venueOrderId, b.row.venueOrderId));
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const more = rows.length > limit || answerFull;
  return {
    kind: 'OrdersPageReport',
    since,
    orders: page.map(({ row, at, updatedAt }) => ({
      ...row,
      updatedAt: updatedAt ?? row.updatedAt ?? at,
      submittedAt: at,
    })),
    next: more && last ? { at: last.at, venueOrderId: last.row.venueOrderId } : null,
  };
}
