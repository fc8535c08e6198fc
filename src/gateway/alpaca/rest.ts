// Alpaca's trading and market-data REST routes over the gateway's order desk and account, as a
// Hono app. Every request carries APCA-API-KEY-ID and APCA-API-SECRET-KEY (401 otherwise); every
// answer that is not a success is Alpaca's {code, message} with its HTTP status, and a bad request
// is always a 4xx (a 5xx is only a simulated fault or a bug). Never a redirect: the SDK refuses
// them. The literal colon of /v2/orders:by_client_order_id is a route of its own. Every symbol the
// scenario trades is served (orders, positions, assets, market data); another is answered as
// Alpaca answers an asset it does not have.
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { lotsToQty, type Instrument } from '../../core/model/instrument.ts';
import type { TradingHours } from '../../core/venues/index.ts';
import type { AlpacaAccount } from './account.ts';
import type { FillActivities } from './activities.ts';
import { barsPage, calendar, historyDays, type BarsPage } from './history.ts';
import { multiSymbolBars } from './multi-bars.ts';
import type { MinuteHistory } from '../minute-history.ts';
import type { DailyHistory } from '../daily-history.ts';
import type { MarketFeed } from '../market-feed.ts';
import type { VenueClock } from '../gateway-clock.ts';
import type { KeyCheck } from '../socket-auth.ts';
import type { WireFaults } from '../wire-faults.ts';
import type { DeskRecord } from '../desk-record.ts';
import type { AlpacaOrders, DeskAnswer } from './alpaca-orders.ts';
import { alpacaError, invalid, NOT_AUTHORIZED, parseTime, rateLimitHeaders, type AlpacaError } from './wire.ts';

export interface RestOptions {
  readonly orders: AlpacaOrders;
  readonly account: AlpacaAccount;
  /** The account's FILL activities (one per execution the stream announced). */
  readonly activities: FillActivities;
  /** Every served symbol's market, the scenario's first symbol first. */
  readonly markets: ReadonlyMap<string, SymbolMarket>;
  /** The venue's clock against the wall clock, ms. */
  readonly skewMs: number;
  /** The gateway's trading hours (always open, or the venue's calendar). */
  readonly hours: TradingHours;
  /** The scenario's faults on reads, and the headers of a 429. */
  readonly wire: WireFaults;
  readonly clock: VenueClock;
  /** Whether a request's key id and secret are the gateway's. */
  readonly authorized: KeyCheck;
}

/** One served symbol's market data. */
export interface SymbolMarket {
  readonly instrument: Instrument;
  readonly feed: MarketFeed;
  /** The days before the gateway's first, as day bars (the scenario's liquidity.adv), or null. */
  readonly dailyHistory?: DailyHistory | null;
  /** The minutes before the gateway's start, as intraday bars (liquidity.minuteHistoryDays), or null. */
  readonly minuteHistory?: MinuteHistory | null;
}

type Env = { Bindings: HttpBindings };

/** The order body that closes a position (as a client would POST it). */
interface ClosingOrder {
  readonly symbol: string;
  readonly qty: string;
  readonly side: 'sell';
  readonly type: 'market';
  readonly time_in_force: 'day';
}

/** The largest request body the gateway reads. */
const MAX_BODY_BYTES = 64 * 1024;

const CLOSED = new Set(['filled', 'canceled', 'expired', 'replaced', 'rejected', 'done_for_day']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const errorBody = (e: AlpacaError) => ({ code: e.code, message: e.message });

export function createRestApp(o: RestOptions): Hono<Env> {
  const app = new Hono<Env>();
  const { orders, account } = o;
  const first = [...o.markets.values()][0];
  if (first === undefined) throw new Error('the Alpaca gateway serves no symbol');

  // A 429 says how long to wait (Retry-After) and the limit's state, as Alpaca's do.
  const fail = (c: Context<Env>, e: AlpacaError): Response =>
    c.json(
      { code: e.code, message: e.message },
      e.status,
      e.status === 429 ? rateLimitHeaders(o.wire.rateLimitWait()) : {},
    );

  const answer = (c: Context<Env>, a: DeskAnswer): Response => {
    switch (a.kind) {
      case 'ok':
        return a.status === 204 ? c.body(null, 204) : c.json(a.body, 200);
      case 'error':
        return fail(c, a.error);
      case 'reset':
        // What a client of a venue in an outage sees: the connection drops without an answer.
        c.env.incoming.socket.destroy();
        return c.body(null, 503);
    }
  };

  app.onError((err, c) => fail(c, alpacaError(500, 50010000, `internal error: ${err.message}`)));
  app.notFound((c) => fail(c, alpacaError(404, 40410000, 'endpoint not found')));

  app.use('*', async (c, next) => {
    if (!o.authorized(c.req.header('apca-api-key-id'), c.req.header('apca-api-secret-key')))
      return fail(c, NOT_AUTHORIZED);
    // Reads never reach the venue: the scenario's request faults are applied here.
    if (c.req.method === 'GET') {
      const fate = o.wire.readFate(`GET ${c.req.path.slice(0, 60)}`);
      switch (fate.kind) {
        case 'rate_limited':
          return fail(c, alpacaError(429, 42910000, 'rate limit exceeded'));
        case 'server_error':
          return fail(c, alpacaError(503, 50310000, 'service unavailable'));
        case 'timeout':
          await new Promise<void>((resolve) => o.clock.schedule(resolve, fate.timeoutMs));
          return answer(c, { kind: 'reset' });
        case 'deliver':
          break;
      }
    }
    await next();
  });

  // An order or a replace is a few hundred bytes: a body past this is refused before it is read
  // whole (on Content-Length, or as it streams in), not buffered and parsed.
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => fail(c, alpacaError(413, 40010000, `request body over ${MAX_BODY_BYTES / 1024} KiB`)),
    }),
  );

  app.get('/v2/account', (c) => c.json(account.account()));
  app.get('/v2/clock', (c) => c.json(account.clock()));
  app.get('/v2/account/activities', (c) => {
    const page = o.activities.page((k) => c.req.query(k));
    return Array.isArray(page) ? c.json(page) : fail(c, page);
  });
  app.get('/v2/account/activities/:type', (c) => {
    const page = o.activities.page((k) => c.req.query(k), c.req.param('type'));
    return Array.isArray(page) ? c.json(page) : fail(c, page);
  });
  app.get('/v2/calendar', (c) => {
    const days = calendar(o.hours, orders.now(), (k) => c.req.query(k));
    return Array.isArray(days) ? c.json(days) : fail(c, days);
  });
  app.get('/v2/assets/:symbol', (c) => {
    const asset = account.asset(c.req.param('symbol'));
    return asset !== null
      ? c.json(asset)
      : fail(c, alpacaError(404, 40410000, `asset not found for ${c.req.param('symbol').slice(0, 40)}`));
  });

  app.post('/v2/orders', async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return fail(c, alpacaError(400, 40010000, 'request body format is invalid'));
    }
    return answer(c, await orders.submit(body));
  });

  app.get('/v2/orders', (c) => {
    const listed = listOrders(orders, (k) => c.req.query(k));
    return 'status' in listed && !Array.isArray(listed) ? fail(c, listed) : c.json(listed);
  });

  app.delete('/v2/orders', async (c) => c.json(await orders.cancelAll(), 207));

  app.get('/v2/orders:by_client_order_id', (c) => {
    const id = c.req.query('client_order_id');
    if (id === undefined || id === '') return fail(c, invalid('client_order_id is required'));
    const rec = orders.byClientOrderId(id);
    return rec ? c.json(orders.orderJson(rec)) : fail(c, alpacaError(404, 40410000, 'order not found'));
  });

  const byId = (c: Context<Env>): DeskRecord | AlpacaError => {
    const id = c.req.param('id') ?? '';
    if (!UUID.test(id)) return invalid('order_id must be a UUID');
    return orders.visible(id.toLowerCase()) ?? alpacaError(404, 40410000, 'order not found');
  };

  app.get('/v2/orders/:id', (c) => {
    const rec = byId(c);
    return 'status' in rec && !('cid' in rec) ? fail(c, rec) : c.json(orders.orderJson(rec as DeskRecord));
  });

  app.delete('/v2/orders/:id', async (c) => {
    const rec = byId(c);
    if ('status' in rec && !('cid' in rec)) return fail(c, rec);
    return answer(c, await orders.cancel((rec as DeskRecord).id));
  });

  app.patch('/v2/orders/:id', async (c) => {
    const rec = byId(c);
    if ('status' in rec && !('cid' in rec)) return fail(c, rec);
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return fail(c, alpacaError(400, 40010000, 'request body format is invalid'));
    }
    return answer(c, await orders.replace((rec as DeskRecord).id, body));
  });

  app.get('/v2/positions', (c) => c.json(account.positions()));

  app.get('/v2/positions/:symbol', (c) => {
    const p = account.position(c.req.param('symbol'));
    return p === null ? fail(c, alpacaError(404, 40410000, 'position does not exist')) : c.json(p);
  });

  /** The market sell that closes the position in `symbolOrAssetId` (all of it, `qty`, or
   *  `percentage` of it), or why there is none. */
  const closing = (
    symbolOrAssetId: string,
    qty: string | undefined,
    percentage: string | undefined,
  ): ClosingOrder | AlpacaError => {
    const symbol = account.symbolOf(symbolOrAssetId);
    const market = symbol === undefined ? undefined : o.markets.get(symbol);
    const lots = symbol === undefined ? 0 : account.positionLots(symbol);
    if (market === undefined || lots <= 0) return alpacaError(404, 40410000, 'position does not exist');
    const inst = market.instrument;
    if (qty !== undefined && percentage !== undefined) return invalid('qty and percentage cannot both be given');
    let closeQty = lotsToQty(inst, lots);
    if (qty !== undefined) closeQty = qty;
    else if (percentage !== undefined) {
      const pct = /^\d+(\.\d+)?$/.test(percentage) ? Number(percentage) : NaN;
      if (!(pct > 0 && pct <= 100)) return invalid('percentage must be a number above 0 and at most 100');
      const part = Math.floor((lots * pct) / 100);
      if (part === 0) return invalid(`percentage ${percentage} of the position is less than one lot (${inst.lotSize})`);
      closeQty = lotsToQty(inst, part);
    }
    return { symbol: inst.symbol, qty: closeQty, side: 'sell', type: 'market', time_in_force: 'day' };
  };

  // Closing a position is Alpaca's liquidation: a market sell (the account cannot be short) of
  // the whole position, of `qty`, or of `percentage` of it (whole lots, rounded down), placed and
  // checked as any order is, so shares held by open sells make it a 403 as they would a sell.
  app.delete('/v2/positions/:symbol', async (c) => {
    const order = closing(c.req.param('symbol'), c.req.query('qty'), c.req.query('percentage'));
    return 'status' in order ? fail(c, order) : answer(c, await orders.submit(order));
  });

  // Every position closed (each served symbol's that is open, in the order they are served),
  // after cancelling the open orders when cancel_orders=true; 207 with one {symbol, status, body}
  // per position, [] when there is none.
  app.delete('/v2/positions', async (c) => {
    const cancel = c.req.query('cancel_orders');
    if (cancel !== undefined && cancel !== 'true' && cancel !== 'false')
      return fail(c, invalid('cancel_orders must be true or false'));
    if (cancel === 'true') await orders.cancelAll();
    const closings: ClosingOrder[] = [];
    for (const symbol of o.markets.keys()) {
      if (account.positionLots(symbol) <= 0) continue;
      const order = closing(symbol, undefined, undefined);
      if ('status' in order) return fail(c, order);
      closings.push(order);
    }
    const answers = await Promise.all(closings.map((order) => orders.submit(order)));
    const reset = answers.find((a) => a.kind === 'reset');
    if (reset !== undefined) return answer(c, reset);
    const rows = answers.map((a, n) => {
      const [status, body] =
        a.kind === 'ok' ? [200, a.body] : a.kind === 'error' ? [a.error.status, errorBody(a.error)] : [503, null];
      return { symbol: (closings[n] as ClosingOrder).symbol, status, body };
    });
    return c.json(rows, 207);
  });

  // Market data (the SDK's data host, rewritten to the gateway like the trading host).
  const symbols = (c: Context<Env>): string[] | AlpacaError => {
    const s = c.req.query('symbols');
    if (s === undefined || s === '') return alpacaError(400, 40010001, 'symbols is required');
    return s.split(',').map((x) => x.trim());
  };
  const latest = (what: 'quote' | 'trade') => (c: Context<Env>) => {
    const s = c.req.param('symbol') ?? '';
    const value = o.markets.has(s) ? (what === 'quote' ? account.quote(s) : account.trade(s)) : null;
    if (value === null) return fail(c, alpacaError(404, 40410000, `no ${what} found for ${String(s).slice(0, 40)}`));
    return c.json({ symbol: s, [what]: value });
  };
  // Every listed symbol served that has one; another is left out of the map, as Alpaca leaves out
  // a symbol it has no data for.
  const latestMany = (what: 'quote' | 'trade') => (c: Context<Env>) => {
    const list = symbols(c);
    if (!Array.isArray(list)) return fail(c, list);
    const map: Record<string, unknown> = {};
    for (const s of list) {
      if (!o.markets.has(s) || s in map) continue;
      const value = what === 'quote' ? account.quote(s) : account.trade(s);
      if (value !== null) map[s] = value;
    }
    return c.json({ [`${what}s`]: map });
  };
  /** A symbol's page of bars (a symbol not served has none: its page is empty). */
  const bars = (c: Context<Env>, symbol: string, query: (k: string) => string | undefined = (k) => c.req.query(k)) => {
    const market = o.markets.get(symbol);
    return barsPage(
      market ? market.feed.prints : [],
      market?.instrument ?? first.instrument,
      o.skewMs,
      orders.now(),
      query,
      () => (market ? historyDays(market.dailyHistory ?? null, o.hours) : []),
      () => (market ? (market.minuteHistory?.minutes() ?? []) : []),
    );
  };
  app.get('/v2/stocks/bars', (c) => {
    const list = symbols(c);
    if (!Array.isArray(list)) return fail(c, list);
    const served = [...new Set(list)].filter((s) => o.markets.has(s)).sort();
    if (served.length <= 1) {
      // One symbol served: its page and its token as the single-symbol route has them.
      const symbol = served[0] ?? first.instrument.symbol;
      const page = bars(c, symbol);
      if ('status' in page) return fail(c, page);
      const map: Record<string, unknown> = {};
      if (list.includes(symbol) && page.bars.length > 0) map[symbol] = page.bars;
      return c.json({ bars: map, next_page_token: page.next_page_token });
    }
    const page = multiSymbolBars(
      served,
      (k) => c.req.query(k),
      (symbol, query): BarsPage | AlpacaError => bars(c, symbol, query),
    );
    return 'status' in page ? fail(c, page) : c.json(page);
  });
  app.get('/v2/stocks/:symbol/bars', (c) => {
    const symbol = c.req.param('symbol');
    const page = bars(c, symbol);
    if ('status' in page) return fail(c, page);
    return c.json({ symbol, bars: page.bars, next_page_token: page.next_page_token });
  });
  app.get('/v2/stocks/quotes/latest', latestMany('quote'));
  app.get('/v2/stocks/trades/latest', latestMany('trade'));
  app.get('/v2/stocks/:symbol/quotes/latest', latest('quote'));
  app.get('/v2/stocks/:symbol/trades/latest', latest('trade'));

  return app;
}

/** GET /v2/orders: status, limit, after, until, direction, nested, symbols, side. */
export function listOrders(orders: AlpacaOrders, query: (k: string) => string | undefined): AlpacaError | unknown[] {
  const status = query('status') ?? 'open';
  if (status !== 'open' && status !== 'closed' && status !== 'all')
    return invalid(`invalid status "${status.slice(0, 40)}": must be open, closed or all`);
  const limitText = query('limit');
  let limit = 50;
  if (limitText !== undefined) {
    if (!/^\d{1,9}$/.test(limitText) || Number(limitText) < 1)
      return invalid(`invalid limit "${limitText.slice(0, 40)}": must be a positive integer`);
    limit = Math.min(500, Number(limitText)); // Alpaca's maximum page
  }
  const time = (k: 'after' | 'until'): number | null | AlpacaError => {
    const v = query(k);
    if (v === undefined || v === '') return null;
    return parseTime(v) ?? invalid(`invalid ${k} "${v.slice(0, 40)}": must be an RFC 3339 time`);
  };
  const after = time('after');
  if (after !== null && typeof after !== 'number') return after;
  const until = time('until');
  if (until !== null && typeof until !== 'number') return until;
  const direction = query('direction') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc')
    return invalid(`invalid direction "${direction.slice(0, 40)}": must be asc or desc`);
  const nested = query('nested');
  if (nested !== undefined && nested !== 'true' && nested !== 'false')
    return invalid(`invalid nested "${nested.slice(0, 40)}": must be true or false`);
  const side = query('side');
  if (side !== undefined && side !== 'buy' && side !== 'sell')
    return invalid(`invalid side "${side.slice(0, 40)}": must be buy or sell`);
  const symbolsText = query('symbols');
  const symbols = symbolsText ? new Set(symbolsText.split(',').map((s) => s.trim())) : null;
  const picked = orders.orders().filter((r) => {
    const s = orders.status(r);
    if (status === 'open' && CLOSED.has(s)) return false;
    if (status === 'closed' && !CLOSED.has(s)) return false;
    if (after !== null && !(r.submittedAt > after)) return false;
    if (until !== null && !(r.submittedAt < until)) return false;
    if (side !== undefined && r.side !== side) return false;
    if (symbols !== null && !symbols.has(r.symbol)) return false;
    return true;
  });
  if (direction === 'desc') picked.reverse();
  return picked.slice(0, limit).map((r) => orders.orderJson(r));
}
