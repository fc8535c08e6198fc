// POST /api/v3/order/cancelReplace at the gateway: cancels an order and places a new one on the
// same symbol, as Binance's spot API does (ccxt's editOrder on a spot market sends it). The new
// order is read and checked against the symbol's filters first: a new order Binance would refuse
// is the whole request's error, nothing cancelled. Then the cancel; with STOP_ON_FAILURE a failed
// cancel ends it (-2022, the new order NOT_ATTEMPTED), with ALLOW_FAILURE the new order goes out
// anyway. Both answers come back together: 200 when both succeeded, 409 and -2021 when one did,
// 400 and -2022 when neither did, each result under `data` as Binance writes it. Where the
// simulated venue differs from Binance's matching engine, which does both in one step: the
// cancel and the order are two requests to it, a venue latency apart, so the market may trade
// against either in between. A lost answer (an outage) of either is the request's answer: a lost
// cancel places nothing. The unfilled-order-count modes are not served (orderRateLimitExceededMode
// is refused as an unknown parameter): the order count is checked on admission, as for any order.
import { clientIdRefusal, ORDER_PARAMS, parseOrderRequest } from './binance-order-request.ts';
import { cancelRestriction, newClientId, type BinanceOrders, type OrderAnswer } from './binance-orders.ts';
import { RequestFields } from './request-fields.ts';
import {
  badRequest,
  binanceError,
  illegal,
  isBinanceError,
  mandatory,
  UNKNOWN_ORDER,
  type BinanceError,
} from './wire.ts';

/** The parameters that belong to the cancel; the rest are the new order's. */
const CANCEL_KEYS = [
  'cancelReplaceMode',
  'cancelNewClientOrderId',
  'cancelOrigClientOrderId',
  'cancelOrderId',
  'cancelRestrictions',
] as const;

export const CANCEL_REPLACE_PARAMS: readonly string[] = [...ORDER_PARAMS, ...CANCEL_KEYS];

const CANCEL_NAMES = { orderId: 'cancelOrderId', clientId: 'cancelOrigClientOrderId' } as const;

type Result = 'SUCCESS' | 'FAILURE' | 'NOT_ATTEMPTED';

/** An answer that says nothing of what the venue did: a dropped connection, or -1007. */
const lost = (a: OrderAnswer): boolean => a.kind === 'reset' || (a.kind === 'error' && a.error.code === -1007);

/** A failed part's answer as Binance nests it: {code, msg}. */
const failure = (e: BinanceError): { code: number; msg: string } => ({ code: e.code, msg: e.msg });

export async function cancelReplace(orders: BinanceOrders, f: RequestFields): Promise<OrderAnswer> {
  const refuse = (e: BinanceError): OrderAnswer => ({ kind: 'error', error: e });
  const mode = f.oneOf('cancelReplaceMode', ['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const, () =>
    illegal('cancelReplaceMode', 'STOP_ON_FAILURE, ALLOW_FAILURE'),
  );
  if (isBinanceError(mode)) return refuse(mode);
  if (mode === undefined) return refuse(mandatory('cancelReplaceMode'));
  const restriction = cancelRestriction(f);
  if (isBinanceError(restriction)) return refuse(restriction);
  const cancelId = f.optional('cancelNewClientOrderId');
  if (isBinanceError(cancelId)) return refuse(badRequest(-1118, 'New client order ID was empty.'));
  const badId = clientIdRefusal(orders.rules, cancelId);
  if (badId !== null) return refuse(badId);
  // The new order, read and checked as POST order reads it, before anything is cancelled.
  const own = new Set<string>(CANCEL_KEYS);
  const parsed = parseOrderRequest(
    new RequestFields(new Map([...f.params].filter(([k]) => !own.has(k)))),
    orders.instruments,
    orders.rules,
  );
  if (isBinanceError(parsed)) return refuse(parsed);
  // The order to cancel: one of the two names must be given (a malformed one is the request's
  // error); one that names no order of the symbol is the cancel's failure.
  const named = orders.named(f, UNKNOWN_ORDER, CANCEL_NAMES);
  if (isBinanceError(named) && named !== UNKNOWN_ORDER) return refuse(named);

  let cancelled: OrderAnswer;
  if (isBinanceError(named)) cancelled = refuse(named);
  else {
    const restricted = orders.restricted(named, restriction);
    cancelled = restricted ? refuse(restricted) : await orders.cancelRecord(named, cancelId ?? newClientId());
  }
  if (lost(cancelled)) return cancelled;
  const cancelResult: Result = cancelled.kind === 'ok' ? 'SUCCESS' : 'FAILURE';
  const cancelResponse =
    cancelled.kind === 'ok' ? cancelled.body : failure((cancelled as { error: BinanceError }).error);

  if (cancelResult === 'FAILURE' && mode === 'STOP_ON_FAILURE')
    return refuse({
      ...badRequest(-2022, 'Order cancel-replace failed.'),
      data: { cancelResult, newOrderResult: 'NOT_ATTEMPTED', cancelResponse, newOrderResponse: null },
    });

  const placed = await orders.place(parsed);
  if (lost(placed)) return placed;
  const newOrderResult: Result = placed.kind === 'ok' ? 'SUCCESS' : 'FAILURE';
  const newOrderResponse = placed.kind === 'ok' ? placed.body : failure((placed as { error: BinanceError }).error);
  const data = { cancelResult, newOrderResult, cancelResponse, newOrderResponse };
  if (cancelResult === 'SUCCESS' && newOrderResult === 'SUCCESS') return { kind: 'ok', body: data };
  if (cancelResult === 'FAILURE' && newOrderResult === 'FAILURE')
    return refuse({ ...badRequest(-2022, 'Order cancel-replace failed.'), data });
  return refuse({ ...binanceError(409, -2021, 'Order cancel-replace partially failed.'), data });
}
