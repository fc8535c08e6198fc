// The account's lists and its state as Binance answers them: GET /api/v3/allOrders and myTrades
// (of the request's symbol; by id from `orderId`/`fromId` on, or in a time window of at most 24
// hours: from startTime, the oldest first; up to endTime alone, the latest; neither, the latest;
// always listed oldest first, `limit` default 500, at most 1000), openOrders, and GET
// /api/v3/account (commission rates from the scenario's fees, every served symbol's base and the
// shared quote, free and locked).
import type { Scenario } from '../../scenario/schema.ts';
import type { BinanceOrders, OrderAnswer } from './binance-orders.ts';
import type { RequestFields } from './request-fields.ts';
import { badRequest, isBinanceError, type BinanceError } from './wire.ts';

const DAY_MS = 86_400_000;

/** Picks `limit` items of a time- or id-ordered list the way Binance pages: from a start, the
 *  first; up to an end only, the last; neither, the last. */
function page<T>(items: T[], fromStart: boolean, limit: number): T[] {
  return fromStart ? items.slice(0, limit) : items.slice(Math.max(0, items.length - limit));
}

/** startTime and endTime, checked: each a LONG, at most 24 hours apart. */
function window(f: RequestFields): { start?: number; end?: number } | BinanceError {
  const start = f.long('startTime');
  if (isBinanceError(start)) return start;
  const end = f.long('endTime');
  if (isBinanceError(end)) return end;
  if (start !== undefined && end !== undefined && end - start > DAY_MS)
    return badRequest(-1127, 'More than 24 hours between startTime and endTime.');
  return { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
}

const inWindow = (t: number, w: { start?: number; end?: number }): boolean =>
  (w.start === undefined || t >= w.start) && (w.end === undefined || t <= w.end);

export function allOrders(orders: BinanceOrders, f: RequestFields): OrderAnswer {
  const fail = (e: BinanceError): OrderAnswer => ({ kind: 'error', error: e });
  const orderId = f.long('orderId');
  if (isBinanceError(orderId)) return fail(orderId);
  const w = window(f);
  if (isBinanceError(w)) return fail(w);
  const limit = f.limit(500, 1000);
  if (isBinanceError(limit)) return fail(limit);
  const picked = orders
    .orders(f.params.get('symbol'))
    .filter((r) => (orderId === undefined || Number(r.id) >= orderId) && inWindow(r.submittedAt, w));
  const fromStart = orderId !== undefined || w.start !== undefined;
  return { kind: 'ok', body: page(picked, fromStart, limit).map((r) => orders.orderJson(r)) };
}

/** The parameter sets myTrades takes (besides symbol), as Binance lists them. */
const TRADE_COMBINATIONS = ['', 'orderId', 'startTime', 'endTime', 'fromId', 'startTime,endTime', 'orderId,fromId'];

export function myTrades(orders: BinanceOrders, f: RequestFields): OrderAnswer {
  const fail = (e: BinanceError): OrderAnswer => ({ kind: 'error', error: e });
  const given = ['orderId', 'startTime', 'endTime', 'fromId'].filter((k) => f.params.has(k)).join(',');
  if (!TRADE_COMBINATIONS.includes(given))
    return fail(badRequest(-1128, 'Combination of optional parameters invalid.'));
  const orderId = f.long('orderId');
  if (isBinanceError(orderId)) return fail(orderId);
  const fromId = f.long('fromId');
  if (isBinanceError(fromId)) return fail(fromId);
  const w = window(f);
  if (isBinanceError(w)) return fail(w);
  const limit = f.limit(500, 1000);
  if (isBinanceError(limit)) return fail(limit);
  const symbol = f.params.get('symbol') ?? orders.inst.symbol;
  const fields = orders.fieldsOf(symbol);
  const rows = orders.desk.holdings
    .executions()
    .filter(({ rec }) => rec.symbol === symbol)
    .map(({ rec, trade }) => fields.trade(rec, trade))
    .filter(
      (t) =>
        (orderId === undefined || t['orderId'] === orderId) &&
        (fromId === undefined || (t['id'] as number) >= fromId) &&
        inWindow(t['time'] as number, w),
    );
  const fromStart = fromId !== undefined || w.start !== undefined;
  return { kind: 'ok', body: page(rows, fromStart, limit) };
}

/** GET /api/v3/account. */
export function account(orders: BinanceOrders, scenario: Scenario, f: RequestFields, now: number): OrderAnswer {
  const omit = f.oneOf('omitZeroBalances', ['true', 'false'], () =>
    badRequest(-1130, "Data sent for parameter 'omitZeroBalances' is not valid."),
  );
  if (isBinanceError(omit)) return { kind: 'error', error: omit };
  const { makerBps, takerBps } = scenario.venue.fees;
  const rate = (bps: number) => (bps / 10_000).toFixed(8);
  const last = orders.desk.holdings.executions().at(-1);
  const balances = orders.balances().filter((b) => omit !== 'true' || Number(b.free) !== 0 || Number(b.locked) !== 0);
  return {
    kind: 'ok',
    body: {
      makerCommission: Math.round(makerBps),
      takerCommission: Math.round(takerBps),
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: rate(makerBps), taker: rate(takerBps), buyer: rate(0), seller: rate(0) },
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: last ? last.trade.time + scenario.venue.clockSkewMs : now,
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
      uid: 1,
    },
  };
}
