// The scripted venue's answers that are not a plain read of one order's truth: why it refuses an
// order (its rules, its book, the script), the refusal of a cancel, a rate limit, the client's
// report of a request that failed or went unanswered, and a page of an orders listing.
import type { ClientOrderId } from '../../../src/core/model/ids.ts';
import type { OrderRequest } from '../../../src/core/model/order.ts';
import type { OrdersPageReport, VenueMessage } from '../../../src/core/model/reports.ts';
import type { OrdersCursor } from '../../../src/core/ports/broker.ts';
import {
  isValidClientId,
  orderShapeRefusal,
  refusal,
  type RefusalReason,
  type VenueRules,
} from '../../../src/core/venues/venue-rules.ts';
import type { ScriptedBook } from './scripted-book.ts';
import { isLive, rowOf, type Truth } from './scripted-order.ts';
import type { Call } from './scripted-script.ts';

/** The stamp or request id a request carried, echoed by its answer. */
export function stampOf(call: Call): { askedAfterSeq?: number; requestId?: string } {
  if (call.askedAfterSeq !== undefined) return { askedAfterSeq: call.askedAfterSeq };
  if (call.requestId !== undefined) return { requestId: call.requestId };
  return {};
}

/** Why the venue refuses `order` (its rules first, then its book), or the script's refusal. */
export function refusalOf(
  rules: VenueRules,
  order: OrderRequest,
  existing: Truth | undefined,
  book: ScriptedBook,
  minNotionalUnits: number,
  scripted: RefusalReason | null,
): RefusalReason | null {
  if (!isValidClientId(rules, order.clientOrderId)) return 'invalid-client-id';
  if (existing && (rules.clientIdUniqueness === 'all-orders' || isLive(existing))) return 'duplicate-client-id';
  const shape = orderShapeRefusal(rules, order.type, order.tif);
  if (shape !== null) return shape;
  if (order.postOnly && !rules.postOnly.supported) return 'unsupported-order-type';
  const touch = book.touch(order.side);
  const reference = order.limitPrice ?? touch;
  if (reference !== null && reference * order.qty < minNotionalUnits) return 'below-min-notional';
  const takes = touch !== null && (order.side === 'buy' ? order.limitPrice! >= touch : order.limitPrice! <= touch);
  if (order.postOnly && takes) return 'post-only-would-take';
  return scripted;
}

/** The refusal of a cancel of an order that is not live: finished where the rules tell it from
 *  an unknown one (Alpaca), else as for an unknown order (Binance's -2011). */
export function cancelRefusal(rules: VenueRules, id: ClientOrderId, t: Truth | undefined): VenueMessage {
  const r =
    t !== undefined && rules.errors['cancel-finished-order'] !== undefined
      ? refusal(rules, 'cancel-finished-order', { status: t.status })
      : refusal(rules, 'cancel-unknown-order');
  const failure = r.failure as 'not_found' | 'not_cancelable';
  return { kind: 'CancelRejectReport', clientOrderId: id, code: r.code, reason: r.message, failure };
}

/** A request refused unprocessed by the venue's rate limit. */
export function rateLimited(rules: VenueRules, call: Call): VenueMessage {
  const r = refusal(rules, 'rate-limited');
  const id = call.id!;
  if (call.call === 'submit')
    return { kind: 'RetryableRejectReport', clientOrderId: id, code: r.code, reason: r.message };
  if (call.call === 'cancel')
    return { kind: 'CancelRejectReport', clientOrderId: id, code: r.code, reason: r.message, failure: 'transient' };
  return failure(call, 'rate_limit', r.message);
}

/** The client's report of a request that failed or whose answer it never got. */
export function failure(call: Call, category: 'timeout' | 'server' | 'rate_limit', text?: string): VenueMessage {
  const reason = text ?? (category === 'timeout' ? 'timed out' : '503 Service Unavailable');
  if (call.call === 'submit' || call.call === 'cancel')
    return {
      kind: 'OutcomeUnknownReport',
      clientOrderId: call.id!,
      request: call.call,
      reason,
      ...(category === 'rate_limit' ? {} : { category }),
    };
  const query = ({ query: 'order', open: 'open_orders', since: 'orders_since', account: 'account' } as const)[
    call.call
  ];
  return {
    kind: 'QueryFailedReport',
    clientOrderId: call.id,
    query,
    failure: 'transient',
    category,
    reason,
    ...stampOf(call),
  };
}

/** One page of the orders listed at or after `since` by `by`, ordered by (that time, venue id),
 *  strictly after the cursor `after`. */
export function pageOf(
  orders: readonly Truth[],
  by: 'updated' | 'submitted',
  query: { since: number; limit: number; after?: OrdersCursor },
  answerTrades: boolean,
): Pick<OrdersPageReport, 'since' | 'orders' | 'next'> {
  const { since, limit, after } = query;
  const time = (t: Truth) => (by === 'submitted' ? t.submittedAt : t.updatedAt);
  const rows = orders
    .filter((t) => time(t) >= since)
    .sort((a, b) => time(a) - time(b) || (a.vid < b.vid ? -1 : a.vid > b.vid ? 1 : 0))
    .filter((t) => after === undefined || time(t) > after.at || (time(t) === after.at && t.vid > after.venueOrderId));
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    since,
    orders: shown.map((t) => rowOf(t, answerTrades)),
    next: rows.length > limit && last ? { at: time(last), venueOrderId: String(last.vid) } : null,
  };
}
