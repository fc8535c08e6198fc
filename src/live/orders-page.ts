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

/** One symbol's answer to a listing from a time on: its rows, and whether it held as many as
 *  were asked for (more may follow them). */
export interface SymbolListing {
  readonly listed: readonly ListedOrder[];
  readonly full: boolean;
}

/**
 * One page of a venue that lists each symbol apart (Binance's allOrders): every symbol read from
 * the same time on, merged. A symbol whose answer was full may have rows past its last one, so
 * the page stops at the earliest such last row: what it holds is then every symbol's, in order,
 * and the next page starts after it. Rows are told apart by (time, venue order id) alone.
 */
export function mergedOrdersPage(
  since: number,
  symbols: readonly SymbolListing[],
  cursor: OrdersCursor | undefined,
  limit: number,
  compareIds: (a: string, b: string) => number,
): OrdersPageReport {
  const key = (r: ListedOrder) => ({ at: r.at, id: r.row.venueOrderId });
  const before = (a: { at: number; id: string }, b: { at: number; id: string }) =>
    a.at < b.at || (a.at === b.at && compareIds(a.id, b.id) <= 0);
  let horizon: { at: number; id: string } | null = null;
  for (const s of symbols) {
    if (!s.full || s.listed.length === 0) continue;
    const last = s.listed.map(key).reduce((a, b) => (before(a, b) ? b : a));
    if (horizon === null || before(last, horizon)) horizon = last;
  }
  const h = horizon;
  const rows = symbols.flatMap((s) => s.listed).filter((r) => h === null || before(key(r), h));
  return submittedOrdersPage(
    since,
    rows,
    cursor,
    limit,
    symbols.some((s) => s.full),
    compareIds,
  );
}
