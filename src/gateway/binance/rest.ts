// Binance's REST API (/api/v3/...) at the gateway, as a Hono app over a route table (method, path,
// weight, SIGNED or a new order, handler). Each request is read, admitted by the request limits,
// met by a read's faults and checked for its signature before its handler; every refusal is
// Binance's {code, msg}. Order of checks and headers: docs/0068-gateway-notes.md.
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { VenueClock } from '../gateway-clock.ts';
import type { WireFaults } from '../wire-faults.ts';
import { account, allOrders, myTrades } from './account-reads.ts';
import { ORDER_PARAMS } from './binance-order-request.ts';
import { CANCEL_REPLACE_PARAMS, cancelReplace } from './cancel-replace.ts';
import type { BinanceOrders, OrderAnswer } from './binance-orders.ts';
import type { MarketAnswer, MarketRest } from './market-rest.ts';
import { testOrder, testOrderWeight } from './order-test.ts';
import { RequestFields, SIGNED_PARAMS } from './request-fields.ts';
import type { RequestLimits } from './request-limits.ts';
import { bySymbol, depthWeight, fixed, ticker24hWeight, tickerWindowWeight } from './route-weights.ts';
import type { UnfilledOrders } from './unfilled-orders.ts';
import { readParams, type RequestSigner } from './signed-request.ts';
import { binanceError, isBinanceError, NOT_FOUND, SEND_STATUS_UNKNOWN, type BinanceError } from './wire.ts';
import type { Scenario } from '../../scenario/schema.ts';

type Env = { Bindings: HttpBindings };
type Handler = (f: RequestFields) => OrderAnswer | MarketAnswer | Promise<OrderAnswer>;

interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** The parameters it reads (SIGNED ones add timestamp and recvWindow). */
  readonly params: readonly string[];
  readonly weight: (f: RequestFields) => number;
  readonly signed: boolean;
  /** Places an order: counted as unfilled (X-MBX-ORDER-COUNT-*) unless the venue refuses it. */
  readonly order?: boolean;
  readonly handle: Handler;
}

export interface RestOptions {
  readonly orders: BinanceOrders;
  readonly market: MarketRest;
  readonly scenario: Scenario;
  readonly signer: RequestSigner;
  readonly limits: RequestLimits;
  /** The account's unfilled order count. */
  readonly unfilled: UnfilledOrders;
  readonly wire: WireFaults;
  readonly clock: VenueClock;
  /** The venue's time now (skew applied). */
  readonly now: () => number;
}

/** The largest request body the gateway reads. */
const MAX_BODY_BYTES = 64 * 1024;

/** Whether an order request's answer leaves the order counted as unfilled: it was placed, its
 *  answer was lost (the venue may have it), or it was a cancel-replace that got as far as the cancel
 *  (Binance counts its new order even when not attempted). */
function placedOrder(answer: OrderAnswer | MarketAnswer): boolean {
  if (!('kind' in answer)) return !isBinanceError(answer);
  if (answer.kind !== 'error') return true;
  return answer.error.data !== undefined;
}

function routes(o: RestOptions): Route[] {
  const m = o.market;
  const orders = o.orders;
  const signedRoute = (r: Omit<Route, 'signed'>): Route => ({
    ...r,
    signed: true,
    params: [...r.params, ...SIGNED_PARAMS],
  });
  return [
    { method: 'GET', path: 'ping', params: [], weight: fixed(1), signed: false, handle: () => ({ body: {} }) },
    {
      method: 'GET',
      path: 'time',
      params: [],
      weight: fixed(1),
      signed: false,
      handle: () => ({ body: { serverTime: o.now() } }),
    },
    {
      method: 'GET',
      path: 'exchangeInfo',
      params: ['symbol', 'symbols', 'permissions', 'showPermissionSets', 'symbolStatus'],
      weight: fixed(20),
      signed: false,
      handle: (f) => m.exchangeInfo(f),
    },
    {
      method: 'GET',
      path: 'depth',
      params: ['symbol', 'limit'],
      weight: depthWeight,
      signed: false,
      handle: (f) => m.depth(f),
    },
    {
      method: 'GET',
      path: 'trades',
      params: ['symbol', 'limit'],
      weight: fixed(25),
      signed: false,
      handle: (f) => m.trades(f),
    },
    {
      method: 'GET',
      path: 'aggTrades',
      params: ['symbol', 'fromId', 'startTime', 'endTime', 'limit'],
      weight: fixed(4),
      signed: false,
      handle: (f) => m.aggTrades(f),
    },
    {
      method: 'GET',
      path: 'klines',
      params: ['symbol', 'interval', 'startTime', 'endTime', 'timeZone', 'limit'],
      weight: fixed(2),
      signed: false,
      handle: (f) => m.klines(f),
    },
    {
      method: 'GET',
      path: 'avgPrice',
      params: ['symbol'],
      weight: fixed(2),
      signed: false,
      handle: (f) => m.avgPrice(f),
    },
    {
      method: 'GET',
      path: 'ticker/24hr',
      params: ['symbol', 'symbols', 'type'],
      weight: ticker24hWeight,
      signed: false,
      handle: (f) => m.ticker24h(f),
    },
    {
      method: 'GET',
      path: 'ticker',
      params: ['symbol', 'symbols', 'windowSize', 'type'],
      weight: tickerWindowWeight,
      signed: false,
      handle: (f) => m.tickerWindow(f),
    },
    {
      method: 'GET',
      path: 'ticker/price',
      params: ['symbol', 'symbols'],
      weight: bySymbol(2, 4),
      signed: false,
      handle: (f) => m.tickerPrice(f),
    },
    {
      method: 'GET',
      path: 'ticker/bookTicker',
      params: ['symbol', 'symbols'],
      weight: bySymbol(2, 4),
      signed: false,
      handle: (f) => m.bookTickerAnswer(f),
    },
    signedRoute({
      method: 'POST',
      path: 'order',
      params: ORDER_PARAMS,
      weight: fixed(1),
      order: true,
      handle: (f) => orders.submit(f),
    }),
    signedRoute({
      method: 'POST',
      path: 'order/cancelReplace',
      params: CANCEL_REPLACE_PARAMS,
      weight: fixed(1),
      order: true,
      handle: (f) => cancelReplace(orders, f),
    }),
    signedRoute({
      method: 'POST',
      path: 'order/test',
      params: [...ORDER_PARAMS, 'computeCommissionRates'],
      weight: testOrderWeight,
      handle: (f) => testOrder(orders, o.scenario, f),
    }),
    signedRoute({
      method: 'GET',
      path: 'order',
      params: ['symbol', 'orderId', 'origClientOrderId'],
      weight: fixed(4),
      handle: (f) => orders.query(f),
    }),
    signedRoute({
      method: 'DELETE',
      path: 'order',
      params: ['symbol', 'orderId', 'origClientOrderId', 'newClientOrderId', 'cancelRestrictions'],
      weight: fixed(1),
      handle: (f) => orders.cancel(f),
    }),
    signedRoute({
      method: 'GET',
      path: 'openOrders',
      params: ['symbol'],
      weight: bySymbol(6, 80),
      handle: (f) => ({
        kind: 'ok',
        body: orders.openOrders(f.params.get('symbol')).map((r) => orders.orderJson(r)),
      }),
    }),
    signedRoute({
      method: 'DELETE',
      path: 'openOrders',
      params: ['symbol'],
      weight: fixed(1),
      handle: (f) => orders.cancelAll(f.params.get('symbol')),
    }),
    signedRoute({
      method: 'GET',
      path: 'allOrders',
      params: ['symbol', 'orderId', 'startTime', 'endTime', 'limit'],
      weight: fixed(20),
      handle: (f) => allOrders(orders, f),
    }),
    signedRoute({
      method: 'GET',
      path: 'myTrades',
      params: ['symbol', 'orderId', 'startTime', 'endTime', 'fromId', 'limit'],
      weight: (f) => (f.params.has('orderId') ? 5 : 20),
      handle: (f) => myTrades(orders, f),
    }),
    signedRoute({
      method: 'GET',
      path: 'account',
      params: ['omitZeroBalances'],
      weight: fixed(20),
      handle: (f) => account(orders, o.scenario, f, o.now()),
    }),
    signedRoute({
      method: 'GET',
      path: 'rateLimit/order',
      params: [],
      weight: fixed(40),
      handle: () => ({ body: o.unfilled.report() }),
    }),
  ];
}

/** The symbol check of routes whose symbol is mandatory (or optional, for the listings): one of
 *  the `served` symbols. */
function symbolError(route: Route, f: RequestFields, served: readonly string[]): BinanceError | null {
  if (route.path === 'openOrders' && route.method === 'GET') {
    const s = f.optional('symbol');
    if (isBinanceError(s)) return s;
    return s === undefined || served.includes(s) ? null : binanceError(400, -1121, 'Invalid symbol.');
  }
  if (route.signed && route.path !== 'account' && route.path !== 'rateLimit/order') {
    const s = f.symbol(served);
    return isBinanceError(s) ? s : null;
  }
  return null;
}

export function createRestApp(o: RestOptions): Hono<Env> {
  const app = new Hono<Env>();
  const table = routes(o);
  const served = o.orders.symbols;

  const fail = (c: Context<Env>, e: BinanceError, headers: Record<string, string>): Response => {
    const h = { ...headers };
    if (e.retryAfterS !== undefined) h['Retry-After'] = String(e.retryAfterS);
    return c.json(
      e.data === undefined ? { code: e.code, msg: e.msg } : { code: e.code, msg: e.msg, data: e.data },
      e.status,
      h,
    );
  };
  const reset = (c: Context<Env>): Response => {
    // What a client of a venue in an outage sees: the connection drops without an answer.
    c.env.incoming.socket.destroy();
    return c.body(null, 503);
  };

  // A bug, not bad input: a 5xx, so that the fuzz tests find it.
  app.onError((err, c) =>
    fail(
      c,
      binanceError(500, -1000, `An unknown error occurred while processing the request. (${err.message.slice(0, 80)})`),
      {},
    ),
  );
  app.notFound((c) => fail(c, NOT_FOUND, {}));
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => fail(c, binanceError(413, -1000, `Request body over ${MAX_BODY_BYTES / 1024} KiB.`), {}),
    }),
  );

  /** A handler's answer as the HTTP response. */
  const answered = (c: Context<Env>, answer: OrderAnswer | MarketAnswer, headers: Record<string, string>): Response => {
    if ('kind' in answer) {
      switch (answer.kind) {
        case 'ok':
          return c.json(answer.body as object, 200, headers);
        case 'error':
          return fail(c, answer.error, headers);
        case 'reset':
          return reset(c);
      }
    }
    return isBinanceError(answer) ? fail(c, answer, headers) : c.json(answer.body as object, 200, headers);
  };

  app.all('/api/v3/*', async (c) => {
    const path = c.req.path.slice('/api/v3/'.length);
    const method = c.req.method;
    const atPath = table.filter((r) => r.path === path);
    const route = atPath.find((r) => r.method === method);
    if (!route)
      return fail(c, atPath.length > 0 ? binanceError(405, -1020, 'This operation is not supported.') : NOT_FOUND, {});
    const url = c.req.url;
    const q = url.indexOf('?');
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const rawBody = method === 'GET' ? '' : await c.req.text();
    const read = readParams(rawQuery, rawBody);
    const client = c.env.incoming.socket.remoteAddress ?? 'unknown';
    if (isBinanceError(read)) {
      const admitted = o.limits.admit(client, 1);
      return fail(c, admitted.refused ?? read, admitted.headers);
    }
    const f = new RequestFields(read.params);
    const admitted = o.limits.admit(client, route.weight(f));
    let headers = admitted.headers;
    if (admitted.refused) return fail(c, admitted.refused, headers);
    const tooMany = route.order === true ? o.unfilled.refusal() : null;
    if (tooMany) return fail(c, tooMany, headers);
    if (method === 'GET') {
      const fate = o.wire.readFate(`GET ${path.slice(0, 40)}`);
      switch (fate.kind) {
        case 'rate_limited': {
          const wait = o.wire.rateLimitWait();
          return fail(
            c,
            { ...binanceError(429, -1003, 'Too many requests queued.'), retryAfterS: wait.waitS },
            headers,
          );
        }
        case 'server_error':
          return fail(c, SEND_STATUS_UNKNOWN, headers);
        case 'timeout':
          await new Promise<void>((resolve) => o.clock.schedule(resolve, fate.timeoutMs));
          return reset(c);
        case 'deliver':
          break;
      }
    }
    const unread = f.unread(route.params);
    if (route.signed) {
      const refused = o.signer.check(
        c.req.header('x-mbx-apikey'),
        (k) => f.params.get(k),
        read.payload,
        read.signature,
        o.now(),
      );
      if (refused) return fail(c, refused, headers);
    }
    if (unread) return fail(c, unread, headers);
    const symbolRefused = symbolError(route, f, served);
    if (symbolRefused) return fail(c, symbolRefused, headers);
    if (route.order !== true) return answered(c, await route.handle(f), headers);
    // Counted before the venue sees it, so that the order's own first fill is taken off after.
    const placed = o.unfilled.place();
    headers = { ...headers, ...placed.headers };
    const answer = await route.handle(f);
    if (!placedOrder(answer)) o.unfilled.refused(placed.counted);
    return answered(c, answer, headers);
  });
  return app;
}
