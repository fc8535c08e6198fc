// The Binance gateway's ticker streams on the wire, against its REST answers at the same moment:
// `<symbol>@ticker` (24hrTicker) against GET ticker/24hr, `@miniTicker` against its MINI form,
// `@ticker_<1h|4h|1d>` against GET ticker?windowSize=, `@avgPrice` against GET avgPrice, and the
// all-market arrays. The gateway's clock stands still unless the test moves it, so an event's
// moment (E) and REST's (closeTime) are the same and every field must agree; moving the clock an
// hour on empties the 1h window and nothing else. Stream names, control messages and refusals,
// and GET ticker's own refusals. The static BTCUSDT book: a market buy of 0.15 takes 0.1 @ 65000
// and 0.05 @ 65001. Real sockets on 127.0.0.1; every wait is a bounded condition.
import { describe, expect, it } from 'vitest';
import { binanceGateway, raw, rawSocket } from '../support/binance-gateway-harness.ts';
import { scoped, waitFor } from '../support/gateway-harness.ts';

const SYMBOL = 'BTCUSDT';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
type Json = Record<string, unknown>;
type Frame = { at: number; msg: Json };

/** A venue clock that stands still until the test moves it (forward only). */
function stillClock() {
  let t = Math.floor(Date.now() / MINUTE) * MINUTE + 30_000;
  return {
    now: () => t,
    moveTo(to: number): void {
      t = Math.max(t, to);
    },
  };
}

const get = async (gw: Parameters<typeof raw>[0], path: string, params: Record<string, string>): Promise<Json> => {
  const answer = await raw(gw, 'GET', path, params);
  expect(answer.status).toBe(200);
  return answer.body as Json;
};

// Binance's event of each REST answer, written from web-socket-streams.md field by field.
const full24h = (r: Json, E: number): Json => ({
  e: '24hrTicker',
  E,
  s: r['symbol'],
  p: r['priceChange'],
  P: r['priceChangePercent'],
  w: r['weightedAvgPrice'],
  x: r['prevClosePrice'],
  c: r['lastPrice'],
  Q: r['lastQty'],
  b: r['bidPrice'],
  B: r['bidQty'],
  a: r['askPrice'],
  A: r['askQty'],
  o: r['openPrice'],
  h: r['highPrice'],
  l: r['lowPrice'],
  v: r['volume'],
  q: r['quoteVolume'],
  O: r['openTime'],
  C: r['closeTime'],
  F: r['firstId'],
  L: r['lastId'],
  n: r['count'],
});
const mini = (r: Json, E: number): Json => ({
  e: '24hrMiniTicker',
  E,
  s: r['symbol'],
  c: r['lastPrice'],
  o: r['openPrice'],
  h: r['highPrice'],
  l: r['lowPrice'],
  v: r['volume'],
  q: r['quoteVolume'],
});
const rolling = (window: string, r: Json, E: number): Json => ({
  e: `${window}Ticker`,
  E,
  s: r['symbol'],
  p: r['priceChange'],
  P: r['priceChangePercent'],
  o: r['openPrice'],
  h: r['highPrice'],
  l: r['lowPrice'],
  c: r['lastPrice'],
  w: r['weightedAvgPrice'],
  v: r['volume'],
  q: r['quoteVolume'],
  O: r['openTime'],
  C: r['closeTime'],
  F: r['firstId'],
  L: r['lastId'],
  n: r['count'],
});
const avg = (r: Json, E: number): Json => ({ e: 'avgPrice', E, s: SYMBOL, i: '5m', w: r['price'], T: r['closeTime'] });

const STREAMS = [
  'btcusdt@ticker',
  'btcusdt@miniTicker',
  'btcusdt@ticker_1h',
  'btcusdt@ticker_4h',
  'btcusdt@ticker_1d',
  'btcusdt@avgPrice',
  '!miniTicker@arr',
  '!ticker_1h@arr',
];

/** The data of the last frame of `stream` stamped `E`, once there is one. */
const latest = (frames: Frame[], stream: string, E: number): Promise<unknown> =>
  waitFor(() => {
    const f = frames.filter((x) => x.msg['stream'] === stream).at(-1)?.msg['data'];
    const at = Array.isArray(f) ? (f[0] as Json | undefined)?.['E'] : (f as Json | undefined)?.['E'];
    return at === E ? f : undefined;
  });

/** Each ticker stream's event at the clock's moment against the REST answers of that moment. */
async function agreeAt(gw: Parameters<typeof raw>[0], frames: Frame[], E: number): Promise<Record<string, Json>> {
  const rest: Record<string, Json> = {
    full: await get(gw, 'ticker/24hr', { symbol: SYMBOL }),
    mini: await get(gw, 'ticker/24hr', { symbol: SYMBOL, type: 'MINI' }),
    '1h': await get(gw, 'ticker', { symbol: SYMBOL, windowSize: '1h' }),
    '4h': await get(gw, 'ticker', { symbol: SYMBOL, windowSize: '4h' }),
    '1d': await get(gw, 'ticker', { symbol: SYMBOL, windowSize: '1d' }),
    avg: await get(gw, 'avgPrice', { symbol: SYMBOL }),
  };
  expect(await latest(frames, 'btcusdt@ticker', E)).toStrictEqual(full24h(rest['full']!, E));
  expect(await latest(frames, 'btcusdt@miniTicker', E)).toStrictEqual(mini(rest['mini']!, E));
  for (const w of ['1h', '4h', '1d'])
    expect(await latest(frames, `btcusdt@ticker_${w}`, E)).toStrictEqual(rolling(w, rest[w]!, E));
  expect(await latest(frames, 'btcusdt@avgPrice', E)).toStrictEqual(avg(rest['avg']!, E));
  return rest;
}

describe.concurrent('ticker streams against REST at the same moment', () => {
  it(
    'each stream states its REST answer, field for field, and follows the windows as the clock moves',
    scoped(async () => {
      const clock = stillClock();
      const gw = await binanceGateway(undefined, { now: clock.now });
      const T = clock.now();
      const order = { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.15', timestamp: String(T) };
      expect((await raw(gw, 'POST', 'order', order, true)).status).toBe(200);
      await waitFor(() => gw.feed.prints.length === 2 && gw.feed.quote()?.askQty === 95_000); // both fills in
      const { frames } = await rawSocket(`${gw.url.replace('http', 'ws')}/stream?streams=${STREAMS.join('/')}`);

      const at = await agreeAt(gw, frames, T);
      // What the two trades make, as Binance types them: decimals as strings, ids and times numbers.
      expect(at['full']).toMatchObject({
        lastPrice: '65001.00000000',
        lastQty: '0.05000000',
        openPrice: '65000.00000000',
        prevClosePrice: '0.00000000',
        volume: '0.15000000',
        bidPrice: '64999.00000000',
        askPrice: '65001.00000000',
        askQty: '0.95000000',
        openTime: T - DAY,
        closeTime: T,
        firstId: 1,
        lastId: 2,
        count: 2,
      });
      expect(at['1h']).toMatchObject({ openTime: Math.floor(T / MINUTE) * MINUTE - HOUR, closeTime: T, count: 2 });
      expect(at['avg']).toEqual({ mins: 5, price: '65000.33333333', closeTime: T });
      // The arrays: the one symbol, once (it has not changed since). The 1h array is the tick's last.
      await latest(frames, '!ticker_1h@arr', T);
      const arrays = (stream: string) => frames.filter((f) => f.msg['stream'] === stream).map((f) => f.msg['data']);
      expect(arrays('!miniTicker@arr')).toEqual([[mini(at['mini']!, T)]]);
      expect(arrays('!ticker_1h@arr')).toEqual([[rolling('1h', at['1h']!, T)]]);

      // An hour and a minute on: the 1h window and avgPrice's 5 minutes are empty, the rest are not.
      const T2 = T + HOUR + MINUTE;
      clock.moveTo(T2);
      const later = await agreeAt(gw, frames, T2);
      expect(later['1h']).toMatchObject({ count: 0, firstId: -1, lastId: -1, volume: '0.00000000' });
      expect(later['4h']).toMatchObject({ count: 2, lastPrice: '65001.00000000' });
      expect(later['full']).toMatchObject({ count: 2, openTime: T2 - DAY, closeTime: T2 });
      expect(later['avg']).toEqual({ mins: 5, price: '0.00000000', closeTime: T2 });
      // Two ticks at T2 (the first one's frames all in): the 1h array pushed its change; the mini
      // array had none to push.
      await waitFor(
        () =>
          frames.filter((f) => f.msg['stream'] === 'btcusdt@ticker' && (f.msg['data'] as Json)['E'] === T2).length >= 2,
      );
      expect(arrays('!ticker_1h@arr')).toEqual([[rolling('1h', at['1h']!, T)], [rolling('1h', later['1h']!, T2)]]);
      expect(arrays('!miniTicker@arr')).toHaveLength(1);
    }),
  );

  it(
    'serves every symbol: the arrays list each, and each symbol stream its own market',
    scoped(async () => {
      const clock = stillClock();
      const gw = await binanceGateway('scenarios/gateway/btc-eth.yaml', { now: clock.now });
      const T = clock.now();
      const order = { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '1', timestamp: String(T) };
      expect((await raw(gw, 'POST', 'order', order, true)).status).toBe(200);
      await waitFor(() => gw.markets.get('ETHUSDT')?.feed.prints.length === 1);
      const { frames } = await rawSocket(
        `${gw.url.replace('http', 'ws')}/stream?streams=!ticker_4h@arr/ethusdt@ticker_4h/btcusdt@ticker_4h`,
      );
      const both = await get(gw, 'ticker', { symbols: '["BTCUSDT","ETHUSDT"]', windowSize: '4h' });
      const [btc, eth] = both as unknown as [Json, Json];
      expect([btc['count'], eth['count'], eth['lastPrice']]).toEqual([0, 1, '2600.00000000']);
      expect(await latest(frames, '!ticker_4h@arr', T)).toStrictEqual([rolling('4h', btc, T), rolling('4h', eth, T)]);
      expect(await latest(frames, 'ethusdt@ticker_4h', T)).toStrictEqual(rolling('4h', eth, T));
      expect(await latest(frames, 'btcusdt@ticker_4h', T)).toStrictEqual(rolling('4h', btc, T));
    }),
  );
});

describe('ticker stream names', () => {
  it('raw streams unwrapped; SUBSCRIBE, LIST_SUBSCRIPTIONS and UNSUBSCRIBE of them; bad names refused', async () => {
    const gw = await binanceGateway();
    const plain = await rawSocket(`${gw.streamUrl}/btcusdt@avgPrice`);
    await waitFor(() => plain.frames.length > 0);
    expect(Object.keys(plain.frames[0]!.msg)).toEqual(['e', 'E', 's', 'i', 'w', 'T']);
    expect(plain.frames[0]!.msg).toMatchObject({ e: 'avgPrice', s: SYMBOL, i: '5m', w: '0.00000000' });

    const { frames, send } = await rawSocket(`${gw.streamUrl}/0`);
    const answer = async (m: unknown): Promise<unknown> => {
      const n = frames.length;
      const reply = () => frames.slice(n).find((f) => 'id' in f.msg)?.msg;
      send(m);
      await waitFor(() => reply() !== undefined);
      return reply();
    };
    const names = ['btcusdt@ticker', 'btcusdt@miniTicker', 'btcusdt@ticker_4h', '!miniTicker@arr', '!ticker_1d@arr'];
    expect(await answer({ method: 'SUBSCRIBE', params: names, id: 1 })).toEqual({ result: null, id: 1 });
    expect(await answer({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({ result: names, id: 2 });
    await waitFor(() => frames.some((f) => f.msg['e'] === '4hTicker'));
    expect(frames.find((f) => f.msg['e'] === '24hrTicker')?.msg).toMatchObject({ s: SYMBOL, n: 0, F: -1, L: -1 });
    expect(await answer({ method: 'UNSUBSCRIBE', params: ['btcusdt@ticker', '!ticker_1d@arr'], id: 3 })).toEqual({
      result: null,
      id: 3,
    });
    expect(await answer({ method: 'LIST_SUBSCRIPTIONS', id: 4 })).toEqual({
      result: ['btcusdt@miniTicker', 'btcusdt@ticker_4h', '!miniTicker@arr'],
      id: 4,
    });
    for (const [i, bad] of ['btcusdt@ticker_2h', '!ticker@arr', 'BTCUSDT@miniTicker', 'btcusdt@avgprice'].entries())
      expect(await answer({ method: 'SUBSCRIBE', params: ['btcusdt@ticker', bad], id: 10 + i })).toEqual({
        error: { code: 2, msg: 'Invalid request: invalid stream' },
        id: 10 + i,
      });
    // A refused SUBSCRIBE subscribes none of its names.
    expect(await answer({ method: 'LIST_SUBSCRIPTIONS', id: 20 })).toEqual({
      result: ['btcusdt@miniTicker', 'btcusdt@ticker_4h', '!miniTicker@arr'],
      id: 20,
    });
  });
});

describe('GET /api/v3/ticker', () => {
  it('refuses what Binance refuses and weighs 4 a symbol', async () => {
    const gw = await binanceGateway();
    const refused = async (params: Record<string, string>) => {
      const a = await raw(gw, 'GET', 'ticker', params);
      return [a.status, (a.body as Json)['code']];
    };
    expect(await refused({})).toEqual([400, -1102]);
    expect(await refused({ symbol: SYMBOL, windowSize: '24h' })).toEqual([400, -1100]);
    expect(await refused({ symbol: SYMBOL, windowSize: '8d' })).toEqual([400, -1100]);
    expect(await refused({ symbol: SYMBOL, windowSize: '1w' })).toEqual([400, -1100]);
    expect(await refused({ symbol: SYMBOL, type: 'HALF' })).toEqual([400, -1139]);
    expect(await refused({ symbols: '["BTCUSDT","XRPUSDT"]' })).toEqual([400, -1121]);
    expect(await refused({ symbol: SYMBOL, symbols: '["BTCUSDT"]' })).toEqual([400, -1128]);
    const before = Number((await raw(gw, 'GET', 'ping')).headers.get('x-mbx-used-weight-1m'));
    const one = await raw(gw, 'GET', 'ticker', { symbol: SYMBOL, windowSize: '59m', type: 'MINI' });
    expect(one.status).toBe(200);
    expect(Number(one.headers.get('x-mbx-used-weight-1m')) - before).toBe(4);
    expect(Object.keys(one.body as Json)).toEqual([
      'symbol',
      'openPrice',
      'highPrice',
      'lowPrice',
      'lastPrice',
      'volume',
      'quoteVolume',
      'openTime',
      'closeTime',
      'firstId',
      'lastId',
      'count',
    ]);
  });
});
