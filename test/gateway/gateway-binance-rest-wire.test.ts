// The Binance gateway's REST wire byte for byte: bodies, headers, statuses and Binance's error
// codes for signatures and timestamps, parameters, filters, unknown orders, the request-weight
// and order-count limits (429 with Retry-After, then 418), and the answers' forms (ACK, RESULT,
// FULL, cancels, lists). Raw fetch over loopback with hand-made signatures. The static BTCUSDT
// book: asks 0.1 @ 65000, 1 @ 65001, 5 @ 65003; bids 0.2 @ 64999, 0.5 @ 64998; 1,000,000 USDT.
import { describe, expect, it } from 'vitest';
import { API_SECRET, binanceGateway, raw, rawLimitBuy, sign } from '../support/binance-gateway-harness.ts';
import { waitFor } from '../support/gateway-harness.ts';

const SYMBOL = 'BTCUSDT';
const DAY = 86_400_000;

/** Waits until the wall clock is at least `margin` ms away from the end of its `period` window
 *  (the gateway's limits count in windows aligned to the clock), at most one margin. */
async function awayFromWindowEnd(period: number, margin: number): Promise<void> {
  await waitFor(() => period - (Date.now() % period) > margin, margin + 1000);
}

describe('public endpoints', () => {
  it('ping, time and exchangeInfo with the instrument as filters; every answer states the weight used', async () => {
    const gw = await binanceGateway();
    await awayFromWindowEnd(60_000, 5000);
    const ping = await raw(gw, 'GET', 'ping');
    expect([ping.status, ping.body]).toEqual([200, {}]);
    expect(ping.headers.get('x-mbx-used-weight-1m')).toBe('1');
    const time = await raw(gw, 'GET', 'time');
    expect(Math.abs((time.body as { serverTime: number }).serverTime - Date.now())).toBeLessThan(2000);
    const info = await raw(gw, 'GET', 'exchangeInfo', { symbol: SYMBOL });
    expect(info.headers.get('x-mbx-used-weight-1m')).toBe('22'); // 1 + 1 + 20
    const body = info.body as { symbols: Array<Record<string, unknown>>; rateLimits: unknown[] };
    expect(body.rateLimits).toEqual([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
    ]);
    const [s] = body.symbols;
    expect(s).toMatchObject({
      symbol: SYMBOL,
      status: 'TRADING',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT'],
      quoteOrderQtyMarketAllowed: false,
      isSpotTradingAllowed: true,
    });
    expect(s?.['filters']).toEqual([
      { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '900.00000000', stepSize: '0.00001000' },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00001000', maxQty: '100.00000000', stepSize: '0.00001000' },
      {
        filterType: 'NOTIONAL',
        minNotional: '5.00000000',
        applyMinToMarket: true,
        maxNotional: '900000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ]);
    expect(await raw(gw, 'GET', 'exchangeInfo', { symbol: 'ETHUSDT' })).toMatchObject({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    expect((await raw(gw, 'GET', 'exchangeInfo', { symbols: '["BTCUSDT"]' })).status).toBe(200);
    expect((await raw(gw, 'GET', 'exchangeInfo', { symbols: 'BTCUSDT' })).body).toMatchObject({ code: -1100 });
    // A symbol named twice is refused, as Binance refuses it, not answered once.
    for (const path of ['exchangeInfo', 'ticker/price', 'ticker/24hr'])
      expect((await raw(gw, 'GET', path, { symbols: '["BTCUSDT","BTCUSDT"]' })).body, path).toEqual({
        code: -1151,
        msg: 'Symbol is present multiple times in the list.',
      });
  });

  it('depth, trades, klines and the tickers', async () => {
    const gw = await binanceGateway();
    const depth = await raw(gw, 'GET', 'depth', { symbol: SYMBOL, limit: '2' });
    expect(depth.body).toEqual({
      lastUpdateId: gw.depth.lastUpdateId,
      bids: [
        ['64999.00000000', '0.20000000'],
        ['64998.00000000', '0.50000000'],
      ],
      asks: [
        ['65000.00000000', '0.10000000'],
        ['65001.00000000', '1.00000000'],
      ],
    });
    expect((await raw(gw, 'GET', 'depth', {})).body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    });
    expect((await raw(gw, 'GET', 'ticker/bookTicker', { symbol: SYMBOL })).body).toEqual({
      symbol: SYMBOL,
      bidPrice: '64999.00000000',
      bidQty: '0.20000000',
      askPrice: '65000.00000000',
      askQty: '0.10000000',
    });
    expect((await raw(gw, 'GET', 'trades', { symbol: SYMBOL })).body).toEqual([]);
    // A market buy of 0.15: two prints, 0.1 @ 65000 and 0.05 @ 65001, buyers taking.
    const bought = await raw(
      gw,
      'POST',
      'order',
      { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.15' },
      true,
    );
    expect(bought.status).toBe(200);
    await waitFor(async () => ((await raw(gw, 'GET', 'trades', { symbol: SYMBOL })).body as unknown[]).length === 2);
    const trades = (await raw(gw, 'GET', 'trades', { symbol: SYMBOL })).body as Array<Record<string, unknown>>;
    expect(trades.map((t) => [t['id'], t['price'], t['qty'], t['quoteQty'], t['isBuyerMaker']])).toEqual([
      [1, '65000.00000000', '0.10000000', '6500.00000000', false],
      [2, '65001.00000000', '0.05000000', '3250.05000000', false],
    ]);
    const klines = (await raw(gw, 'GET', 'klines', { symbol: SYMBOL, interval: '1m' })).body as unknown[][];
    expect(klines.length).toBeGreaterThanOrEqual(1);
    const k = klines.at(-1) as unknown[];
    expect(k.slice(1, 6)).toEqual([
      '65000.00000000',
      '65001.00000000',
      '65000.00000000',
      '65001.00000000',
      '0.15000000',
    ]);
    expect([k[8], k[9]]).toEqual([2, '0.15000000']);
    expect((k[6] as number) - (k[0] as number)).toBe(59_999);
    expect((await raw(gw, 'GET', 'klines', { symbol: SYMBOL, interval: '7m' })).body).toEqual({
      code: -1120,
      msg: 'Invalid interval.',
    });
    const ticker = (await raw(gw, 'GET', 'ticker/24hr', { symbol: SYMBOL })).body as Record<string, unknown>;
    expect(ticker).toMatchObject({
      symbol: SYMBOL,
      openPrice: '65000.00000000',
      highPrice: '65001.00000000',
      lastPrice: '65001.00000000',
      volume: '0.15000000',
      quoteVolume: '9750.05000000',
      count: 2,
      firstId: 1,
      lastId: 2,
      priceChange: '1.00000000',
    });
    const list = (await raw(gw, 'GET', 'ticker/24hr', { type: 'MINI' })).body as unknown[];
    expect(list).toHaveLength(1);
    expect((await raw(gw, 'GET', 'ticker/24hr', { type: 'HUGE' })).body).toMatchObject({ code: -1139 });
  });
});

describe('signed requests', () => {
  it('checks the key, the signature and the timestamp, in that order', async () => {
    const gw = await binanceGateway();
    const ts = String(Date.now());
    const query = `timestamp=${ts}`;
    const get = (headers: Record<string, string>, q: string) =>
      fetch(`${gw.url}/api/v3/account?${q}`, { headers }).then(async (r) => [r.status, await r.json()]);
    expect(await get({}, `${query}&signature=${sign(query)}`)).toEqual([
      401,
      { code: -2014, msg: 'API-key format invalid.' },
    ]);
    expect(await get({ 'X-MBX-APIKEY': 'other' }, `${query}&signature=${sign(query)}`)).toEqual([
      401,
      { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    ]);
    const key = { 'X-MBX-APIKEY': 'binance-test-key' };
    expect(await get(key, `${query}&signature=${sign(query, 'wrong')}`)).toEqual([
      400,
      { code: -1022, msg: 'Signature for this request is not valid.' },
    ]);
    expect(await get(key, query)).toEqual([
      400,
      { code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." },
    ]);
    expect((await get(key, `${query}&signature=${sign(query).toUpperCase()}`))[0]).toBe(200);
    const old = `timestamp=${Date.now() - 6000}`;
    expect(await get(key, `${old}&signature=${sign(old)}`)).toEqual([
      400,
      { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
    ]);
    const wide = `timestamp=${Date.now() - 6000}&recvWindow=10000`;
    expect((await get(key, `${wide}&signature=${sign(wide)}`))[0]).toBe(200);
    const ahead = `timestamp=${Date.now() + 5000}`;
    expect(await get(key, `${ahead}&signature=${sign(ahead)}`)).toEqual([
      400,
      { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." },
    ]);
    const tooWide = `timestamp=${Date.now()}&recvWindow=60001`;
    expect((await get(key, `${tooWide}&signature=${sign(tooWide)}`))[1]).toMatchObject({ code: -1102 });
    const twice = `timestamp=${ts}&timestamp=${ts}`;
    expect((await get(key, `${twice}&signature=${sign(twice)}`))[1]).toMatchObject({ code: -1101 });
  });

  it('signs the query string followed by the body, the signature wherever it is', async () => {
    const gw = await binanceGateway();
    const q = `symbol=${SYMBOL}&side=BUY&type=LIMIT`;
    const body = `timeInForce=GTC&quantity=0.01&price=64000&timestamp=${Date.now()}`;
    const res = await fetch(`${gw.url}/api/v3/order?${q}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': 'binance-test-key', 'content-type': 'application/x-www-form-urlencoded' },
      body: `${body}&signature=${sign(q + body)}`,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('NEW');
    expect(API_SECRET).not.toBe('');
  });
});

describe('orders', () => {
  const order = (p: Record<string, string>) => ({ symbol: SYMBOL, ...p });

  it('answers ACK, RESULT and FULL, with order counts; fills carry commission and the trade id', async () => {
    const gw = await binanceGateway();
    await awayFromWindowEnd(10_000, 3000);
    const ack = await raw(
      gw,
      'POST',
      'order',
      order({ side: 'BUY', type: 'MARKET', quantity: '0.01', newClientOrderId: 'a-1', newOrderRespType: 'ACK' }),
      true,
    );
    expect(Object.keys(ack.body as object)).toEqual([
      'symbol',
      'orderId',
      'orderListId',
      'clientOrderId',
      'transactTime',
    ]);
    expect(ack.body).toMatchObject({ symbol: SYMBOL, orderId: 1, orderListId: -1, clientOrderId: 'a-1' });
    expect([ack.headers.get('x-mbx-order-count-10s'), ack.headers.get('x-mbx-order-count-1d')]).toEqual(['1', '1']);
    const result = await raw(
      gw,
      'POST',
      'order',
      order({
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '64000',
        newClientOrderId: 'r-1',
        newOrderRespType: 'RESULT',
      }),
      true,
    );
    expect(result.body).toEqual({
      symbol: SYMBOL,
      orderId: 2,
      orderListId: -1,
      clientOrderId: 'r-1',
      transactTime: (result.body as { transactTime: number }).transactTime,
      price: '64000.00000000',
      origQty: '0.01000000',
      executedQty: '0.00000000',
      origQuoteOrderQty: '0.00000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      workingTime: (result.body as { transactTime: number }).transactTime,
      selfTradePreventionMode: 'NONE',
    });
    // The count with this order in it; the first order, filled, no longer counts as unfilled.
    expect(result.headers.get('x-mbx-order-count-10s')).toBe('1');
    const looked = await raw(gw, 'GET', 'order', { symbol: SYMBOL, orderId: '2' }, true);
    expect((looked.body as { time: number }).time).toBe((result.body as { transactTime: number }).transactTime);
    // A market order answers FULL by default: 0.09 left at 65000, then 0.11 at 65001.
    const full = await raw(
      gw,
      'POST',
      'order',
      order({ side: 'BUY', type: 'MARKET', quantity: '0.2', newClientOrderId: 'f-1' }),
      true,
    );
    expect(full.body).toMatchObject({
      orderId: 3,
      status: 'FILLED',
      executedQty: '0.20000000',
      cummulativeQuoteQty: '13000.11000000',
      fills: [
        { price: '65000.00000000', qty: '0.09000000', commission: '0.00000000', commissionAsset: 'USDT', tradeId: 2 },
        { price: '65001.00000000', qty: '0.11000000', commission: '0.00000000', commissionAsset: 'USDT', tradeId: 3 },
      ],
    });
    const trades = (await raw(gw, 'GET', 'myTrades', { symbol: SYMBOL, orderId: '3' }, true)).body as unknown[];
    expect(trades).toEqual([
      expect.objectContaining({
        id: 2,
        orderId: 3,
        price: '65000.00000000',
        qty: '0.09000000',
        isBuyer: true,
        isMaker: false,
      }),
      expect.objectContaining({
        id: 3,
        orderId: 3,
        price: '65001.00000000',
        qty: '0.11000000',
        quoteQty: '7150.11000000',
      }),
    ]);
  });

  it('refuses bad parameters and filter failures with Binance codes, naming the parameter or filter', async () => {
    const gw = await binanceGateway();
    const post = async (p: Record<string, string>) => {
      const a = await raw(gw, 'POST', 'order', p, true);
      expect(a.status, JSON.stringify(a.body)).toBe(400);
      return a.body;
    };
    const limit = { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '64000' };
    expect(await post({ ...limit, price: '64000.000000001' })).toEqual({
      code: -1111,
      msg: "Parameter 'price' has too much precision.",
    });
    expect(await post({ ...limit, price: '64000.005' })).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect(await post({ ...limit, price: '0' })).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect(await post({ ...limit, price: '2000000' })).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect(await post({ ...limit, quantity: '0.000015' })).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    expect(await post({ ...limit, quantity: '1000' })).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    expect(await post({ symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '101' })).toEqual({
      code: -1013,
      msg: 'Filter failure: MARKET_LOT_SIZE',
    });
    expect(await post({ ...limit, quantity: '0.00001' })).toEqual({ code: -1013, msg: 'Filter failure: NOTIONAL' });
    expect(await post({ ...limit, quantity: '1e-2' })).toEqual({
      code: -1100,
      msg: "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    });
    expect(await post({ ...limit, side: 'LONG' })).toEqual({ code: -1117, msg: 'Invalid side.' });
    expect(await post({ ...limit, type: 'ICEBERG' })).toEqual({ code: -1116, msg: 'Invalid orderType.' });
    expect(await post({ ...limit, timeInForce: 'DAY' })).toEqual({ code: -1115, msg: 'Invalid timeInForce.' });
    const { timeInForce: _tif, ...noTif } = limit;
    expect(await post(noTif)).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
    });
    expect(await post({ symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.01', timeInForce: 'GTC' })).toEqual({
      code: -1106,
      msg: "Parameter 'timeInForce' sent when not required.",
    });
    expect(await post({ ...limit, symbol: 'ETHUSDT' })).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect(await post({ ...limit, colour: 'red' })).toMatchObject({ code: -1104 });
    expect(await post({ ...limit, newClientOrderId: 'has space' })).toEqual({
      code: -1100,
      msg: "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    });
    expect(await post({ ...limit, newClientOrderId: 'x'.repeat(37) })).toMatchObject({ code: -1100 });
    expect(await post({ ...limit, quantity: '100', price: '65000' })).toEqual({
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    expect(await post({ ...limit, type: 'LIMIT_MAKER' })).toMatchObject({
      code: -1106,
    });
    const { timeInForce: _t, ...maker } = { ...limit, type: 'LIMIT_MAKER', price: '65000' };
    expect(await post(maker)).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
    expect(await post({ symbol: SYMBOL, side: 'BUY', type: 'MARKET', quoteOrderQty: '100' })).toEqual({
      code: -2010,
      msg: 'Quote order qty market orders are not support for this symbol.',
    });
  });

  it('looks orders up, cancels them (one, all) and lists them by id or time window', async () => {
    const gw = await binanceGateway();
    const place = (price: string, cid: string) => rawLimitBuy(gw, price, cid);
    await place('64000', 'o-1');
    await place('63000', 'o-2');
    await place('62000', 'o-3');
    expect((await raw(gw, 'GET', 'order', { symbol: SYMBOL, origClientOrderId: 'o-2' }, true)).body).toMatchObject({
      orderId: 2,
      clientOrderId: 'o-2',
      status: 'NEW',
      isWorking: true,
    });
    expect(
      await raw(gw, 'GET', 'order', { symbol: SYMBOL, orderId: '2', origClientOrderId: 'o-1' }, true),
    ).toMatchObject({
      status: 400,
      body: { code: -2013, msg: 'Order does not exist.' },
    });
    expect((await raw(gw, 'GET', 'order', { symbol: SYMBOL }, true)).body).toEqual({
      code: -1102,
      msg: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    });
    const cancel = await raw(gw, 'DELETE', 'order', { symbol: SYMBOL, orderId: '1', newClientOrderId: 'cx-1' }, true);
    expect(cancel.body).toMatchObject({
      origClientOrderId: 'o-1',
      clientOrderId: 'cx-1',
      orderId: 1,
      status: 'CANCELED',
    });
    expect((await raw(gw, 'DELETE', 'order', { symbol: SYMBOL, orderId: '1' }, true)).body).toEqual({
      code: -2011,
      msg: 'Unknown order sent.',
    });
    const byId = (await raw(gw, 'GET', 'allOrders', { symbol: SYMBOL, orderId: '2' }, true)).body as Array<{
      orderId: number;
    }>;
    expect(byId.map((o) => o.orderId)).toEqual([2, 3]);
    const all = (await raw(gw, 'GET', 'allOrders', { symbol: SYMBOL, limit: '2' }, true)).body as Array<{
      orderId: number;
      time: number;
    }>;
    expect(all.map((o) => o.orderId)).toEqual([2, 3]); // the latest two, oldest first
    const from = String(all[0]?.time);
    const window = (await raw(gw, 'GET', 'allOrders', { symbol: SYMBOL, startTime: from }, true)).body as Array<{
      orderId: number;
    }>;
    expect(window.map((o) => o.orderId)).toEqual([2, 3]);
    expect(
      (await raw(gw, 'GET', 'allOrders', { symbol: SYMBOL, startTime: '0', endTime: String(86_400_001) }, true)).body,
    ).toEqual({
      code: -1127,
      msg: 'More than 24 hours between startTime and endTime.',
    });
    expect((await raw(gw, 'GET', 'myTrades', { symbol: SYMBOL, fromId: '1', startTime: '0' }, true)).body).toEqual({
      code: -1128,
      msg: 'Combination of optional parameters invalid.',
    });
    const open = (await raw(gw, 'GET', 'openOrders', { symbol: SYMBOL }, true)).body as Array<{ orderId: number }>;
    expect(open.map((o) => o.orderId)).toEqual([2, 3]);
    const cancelAll = (await raw(gw, 'DELETE', 'openOrders', { symbol: SYMBOL }, true)).body as Array<{
      status: string;
    }>;
    expect(cancelAll.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect((await raw(gw, 'DELETE', 'openOrders', { symbol: SYMBOL }, true)).body).toEqual({
      code: -2011,
      msg: 'Unknown order sent.',
    });
    const account = (await raw(gw, 'GET', 'account', {}, true)).body as Record<string, unknown>;
    expect(account).toMatchObject({
      makerCommission: 0,
      takerCommission: 0,
      accountType: 'SPOT',
      canTrade: true,
      permissions: ['SPOT'],
      balances: [
        { asset: 'BTC', free: '0.00000000', locked: '0.00000000' },
        { asset: 'USDT', free: '1000000.00000000', locked: '0.00000000' },
      ],
    });
    expect(
      ((await raw(gw, 'GET', 'account', { omitZeroBalances: 'true' }, true)).body as { balances: unknown[] }).balances,
    ).toEqual([{ asset: 'USDT', free: '1000000.00000000', locked: '0.00000000' }]);
  });
});

describe('request limits', () => {
  it('past the request weight: 429 -1003 with Retry-After to the next minute; ignored, a 418 ban', async () => {
    const gw = await binanceGateway(undefined, { limits: { weightPerMinute: 3, banAfter: 2, firstBanMs: 120_000 } });
    await awayFromWindowEnd(60_000, 5000);
    for (const used of ['1', '2', '3'])
      expect((await raw(gw, 'GET', 'ping')).headers.get('x-mbx-used-weight-1m')).toBe(used);
    // The seconds to the next minute as the gateway counted them, somewhere between the request
    // leaving and its answer arriving (a loaded machine may cross a second in between).
    const toNextMinute = (ms: number): number => Math.ceil((60_000 - (ms % 60_000)) / 1000);
    const sentAt = Date.now();
    const limited = await raw(gw, 'GET', 'ping');
    const answeredAt = Date.now();
    expect(limited.status).toBe(429);
    expect((limited.body as { code: number }).code).toBe(-1003);
    expect((limited.body as { msg: string }).msg).toBe(
      'Too much request weight used; current limit is 3 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
    );
    const wait = Number(limited.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(toNextMinute(answeredAt));
    expect(wait).toBeLessThanOrEqual(toNextMinute(sentAt));
    expect((await raw(gw, 'GET', 'ping')).status).toBe(429); // refused again while told to wait: 1
    const banned = await raw(gw, 'GET', 'ping'); // 2: banned
    expect(banned.status).toBe(418);
    expect((banned.body as { msg: string }).msg).toMatch(/^Way too much request weight used; IP banned until \d+\./);
    expect(Number(banned.headers.get('retry-after'))).toBe(120);
    expect((await raw(gw, 'GET', 'time')).status).toBe(418);
  });

  it('the unfilled order count: a resting order counts, past the limit 429 -1015, never a ban', async () => {
    // The day's limit, so that a loaded machine crossing a 10-second window changes nothing.
    const gw = await binanceGateway(undefined, { limits: { ordersPerDay: 2, banAfter: 2 } });
    await awayFromWindowEnd(DAY, 120_000);
    expect((await rawLimitBuy(gw, '60000.00', 'rest-1')).headers.get('x-mbx-order-count-1d')).toBe('1');
    expect((await rawLimitBuy(gw, '60000.00', 'rest-2')).headers.get('x-mbx-order-count-1d')).toBe('2');
    for (let i = 0; i < 4; i++) {
      const refused = await rawLimitBuy(gw, '60000.00', `rest-${3 + i}`);
      expect([refused.status, refused.body]).toEqual([
        429,
        { code: -1015, msg: 'Too many new orders; current limit is 2 orders per 1 DAY.' },
      ]);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // The count is the account's: refused again and again, the address is not banned for it.
    expect((await raw(gw, 'GET', 'openOrders', { symbol: SYMBOL }, true)).status).toBe(200);
    const counts = await raw(gw, 'GET', 'rateLimit/order', {}, true);
    expect([counts.status, counts.headers.get('x-mbx-used-weight-1m') !== null]).toEqual([200, true]);
    expect(counts.body).toEqual([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100, count: expect.any(Number) },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 2, count: 2 },
    ]);
  });

  it('orders that trade are taken off the count, and orders the venue refuses never count', async () => {
    const gw = await binanceGateway(undefined, { limits: { ordersPerDay: 2 } });
    await awayFromWindowEnd(DAY, 120_000);
    const buy = () =>
      raw(gw, 'POST', 'order', { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.001' }, true);
    // Five market buys, each filled at once: Binance lets a trader whose orders trade keep trading.
    for (let i = 0; i < 5; i++) expect((await buy()).status).toBe(200);
    const countToday = async () =>
      ((await raw(gw, 'GET', 'rateLimit/order', {}, true)).body as Array<{ count: number }>)[1]?.count;
    await waitFor(async () => (await countToday()) === 0);
    // Refused by the venue (more than the account's USDT; a filter): not placed, not counted.
    const refusedCode = async (quantity: string, price: string): Promise<number> =>
      (
        (
          await raw(
            gw,
            'POST',
            'order',
            { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity, price },
            true,
          )
        ).body as { code: number }
      ).code;
    expect(await refusedCode('100', '60000')).toBe(-2010);
    expect(await refusedCode('0.01', '60000.001')).toBe(-1013);
    expect(await countToday()).toBe(0);
    expect((await rawLimitBuy(gw, '60000.00', 'after-1')).status).toBe(200);
    expect((await rawLimitBuy(gw, '60000.00', 'after-2')).status).toBe(200);
    expect((await rawLimitBuy(gw, '60000.00', 'after-3')).status).toBe(429);
  });
});
