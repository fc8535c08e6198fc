// The submit command on Alpaca: an OrderRequest becomes POST /v2/orders, and its one answer a
// report: AckReport, RejectReport, RetryableRejectReport (never sent, or a transient refusal) or
// OutcomeUnknownReport (no answer, or a 5xx or 408 after sending). Separate because what a
// submit's answer means is its own question, with failure classes unlike a cancel's or a read's.
import { venueOrderId as toVenueOrderId, type ClientOrderId } from '../../core/model/ids.ts';
import { lotsToQty, ticksToPrice } from '../../core/model/instrument.ts';
import type { OrderRequest } from '../../core/model/order.ts';
import type { VenueMessage } from '../../core/model/reports.ts';
import { refusal, type VenueRules } from '../../core/venues/venue-rules.ts';
import { orderFields } from './alpaca-convert.ts';
import {
  failureCode,
  failureText,
  refusalClass,
  refusalReason,
  unknownCategory,
  wireFailure,
  type WireFailure,
} from './alpaca-failures.ts';
import type { AlpacaLink } from './alpaca-link.ts';

/** Sends one order; its answer comes through the link's reports, never synchronously. */
export function submitOrder(
  link: Pick<AlpacaLink, 'alpaca' | 'instruments' | 'signal' | 'ids' | 'reports'>,
  rules: VenueRules,
  order: OrderRequest,
): void {
  const { instruments, ids, reports } = link;
  const cid = order.clientOrderId;
  // Amounts are written on the grid of the order's own symbol.
  const inst = instruments.forRow(order.symbol);
  if (inst === null) {
    const r = refusal(rules, 'unknown-symbol');
    reports.later({ kind: 'RejectReport', clientOrderId: cid, code: r.code, reason: `${order.symbol}: ${r.message}` });
    return;
  }
  if (order.postOnly) {
    // Alpaca has no post-only order and would silently take liquidity: refuse it here.
    const r = refusal(rules, 'unsupported-order-type');
    reports.later({ kind: 'RejectReport', clientOrderId: cid, code: r.code, reason: `post-only: ${r.message}` });
    return;
  }
  const body = {
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    timeInForce: order.tif.toLowerCase() as 'day' | 'gtc' | 'ioc' | 'fok',
    qty: lotsToQty(inst, order.qty),
    clientOrderId: ids.wire(cid),
    ...(order.limitPrice === undefined ? {} : { limitPrice: ticksToPrice(inst, order.limitPrice) }),
    ...(order.stopPrice === undefined ? {} : { stopPrice: ticksToPrice(inst, order.stopPrice) }),
  };
  link.alpaca.trading.orders.postOrder({ postOrderRequest: body }, { signal: link.signal }).then(
    (o) => {
      const f = orderFields(ids.local(o));
      if (f.status === 'rejected')
        reports.emit({
          kind: 'RejectReport',
          clientOrderId: cid,
          code: 'rejected',
          reason: 'order rejected by Alpaca',
        });
      else if (f.id === '')
        reports.emit({
          kind: 'OutcomeUnknownReport',
          clientOrderId: cid,
          request: 'submit',
          reason: 'Alpaca answered the order without an id',
        });
      else reports.emit({ kind: 'AckReport', clientOrderId: cid, venueOrderId: toVenueOrderId(f.id) });
    },
    (err: unknown) => reports.emit(submitFailure(rules, cid, wireFailure(err))),
  );
}

function submitFailure(rules: VenueRules, cid: ClientOrderId, f: WireFailure): VenueMessage {
  const text = failureText(f);
  if (f.noAnswer && f.notSent)
    return { kind: 'RetryableRejectReport', clientOrderId: cid, code: failureCode(f), reason: `not sent: ${text}` };
  if (f.noAnswer || (f.httpStatus !== undefined && (f.httpStatus >= 500 || f.httpStatus === 408)))
    return {
      kind: 'OutcomeUnknownReport',
      clientOrderId: cid,
      request: 'submit',
      reason: text,
      category: unknownCategory(f),
    };
  const reason = refusalReason(rules, f);
  const cls = reason === null ? (f.httpStatus === 429 ? 'transient' : 'reject') : refusalClass(reason);
  if (cls === 'transient')
    return { kind: 'RetryableRejectReport', clientOrderId: cid, code: failureCode(f), reason: text };
  // reject, and any class a submit cannot have (a 404): refused as it stands. A duplicate client
  // id says the venue holds an order with it: core tells whether that is this order (a resend).
  return {
    kind: 'RejectReport',
    clientOrderId: cid,
    code: failureCode(f),
    reason: text,
    ...(reason === 'duplicate-client-id' ? { duplicate: true as const } : {}),
  };
}
