// The Binance gateway's websockets byte for byte, over raw sockets: the market streams (raw and
// combined payloads, SUBSCRIBE and the other control messages with Binance's answers and error
// codes, trades, partial books, klines), the depth diffs' update ids (a property: a REST snapshot
// plus the diffs after it is the later snapshot, whatever orders change the book), the WebSocket
// API's user data stream (subscription, its refusals, the events' fields), server pings and the
// pong timeout, and serverShutdown before the gateway stops. Waits are bounded conditions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_KEY,
  binanceGateway,
  raw,
  rawLimitBuy,
  rawSocket,
  sign,
  subscribeParams,
} from '../support/binance-gateway-harness.ts';
import { waitFor } from '../support/gateway-harness.ts';

const SYMBOL = 'BTCUSDT';
type Frame = { at: number; msg: Record<string, unknown> };
const buy = (gw: Parameters<typeof raw>[0], qty: string) =>
  raw(gw, 'POST', 'order', { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: qty }, true);

describe('market streams', () => {
  it('a raw stream sends payloads as they are; a combined one wraps them as {stream, data}', async () => {
    const gw = await binanceGateway();
    const plain = await rawSocket(`${gw.streamUrl}/btcusdt@trade`);
    const combined = await rawSocket(`${gw.url.replace('http', 'ws')}/stream?streams=btcusdt@trade/btcusdt@bookTicker`);
    await waitFor(() => gw.streams.size === 2);
    expect((await buy(gw, '0.15')).status).toBe(200);
    await waitFor(() => plain.frames.length === 2);
    const first = plain.frames[0]?.msg as Record<string, unknown>;
    expect(first).toEqual({
      e: 'trade',
      E: first['E'],
      s: SYMBOL,
      t: 1,
      p: '65000.00000000',
      q: '0.10000000',
      T: first['T'],
      m: false,
      M: true,
    });
    expect(plain.frames[1]?.msg).toMatchObject({ t: 2, p: '65001.00000000', q: '0.05000000' });
    await waitFor(() => combined.frames.some((f) => f.msg['stream'] === 'btcusdt@bookTicker'));
    expect(combined.frames.filter((f) => f.msg['stream'] === 'btcusdt@trade').map((f) => f.msg['data'])).toEqual(
      plain.frames.map((f) => f.msg),
    );
    const ticker = combined.frames.find((f) => f.msg['stream'] === 'btcusdt@bookTicker')?.msg['data'];
    expect(ticker).toMatchObject({ s: SYMBOL, b: '64999.00000000', B: '0.20000000' });
  });

  it('answers control messages as Binance does, refusals included', async () => {
    const gw = await binanceGateway();
    const { frames, send } = await rawSocket(`${gw.streamUrl}/0`); // ccxt's way in: no stream named
    // A control message's answer is the next frame with an `id` (its own, or null): market data
    // of a stream subscribed a moment before can come first.
    const answer = async (m: unknown): Promise<unknown> => {
      const n = frames.length;
      const reply = () => frames.slice(n).find((f) => 'id' in f.msg)?.msg;
      send(m);
      await waitFor(() => reply() !== undefined);
      return reply();
    };
    expect(await answer({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'btcusdt@depth@100ms'], id: 1 })).toEqual({
      result: null,
      id: 1,
    });
    expect(await answer({ method: 'LIST_SUBSCRIPTIONS', id: 'list-2' })).toEqual({
      result: ['btcusdt@aggTrade', 'btcusdt@depth@100ms'],
      id: 'list-2',
    });
    expect(await answer({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 3 })).toEqual({
      result: null,
      id: 3,
    });
    expect(await answer({ method: 'SUBSCRIBE', params: ['BTCUSDT@trade'], id: 4 })).toEqual({
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 4,
    });
    expect(await answer('{"method": "SUBSCRIBE"')).toEqual({
      error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' },
      id: null,
    });
    expect(await answer({ method: 'SUBSCRIBE', params: [], id: { no: 1 } })).toMatchObject({
      error: { code: 2 },
      id: null,
    });
    expect(await answer({ method: 'PUBLISH', id: 5 })).toMatchObject({ error: { code: 2 }, id: 5 });
    expect(await answer({ method: 'GET_PROPERTY', params: ['combined'], id: 6 })).toEqual({ result: false, id: 6 });
    expect(await answer({ method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 7 })).toEqual({
      error: { code: 1, msg: 'Invalid value type: expected Boolean' },
      id: 7,
    });
    expect(await answer({ method: 'SET_PROPERTY', params: ['colour', true], id: 8 })).toEqual({
      error: { code: 0, msg: 'Unknown property' },
      id: 8,
    });
    expect(await answer({ method: 'SET_PROPERTY', params: ['combined', true], id: 9 })).toEqual({
      result: null,
      id: 9,
    });
    expect((await buy(gw, '0.05')).status).toBe(200);
    await waitFor(() => frames.some((f) => f.msg['stream'] === 'btcusdt@aggTrade'));
    expect(frames.find((f) => f.msg['stream'] === 'btcusdt@aggTrade')?.msg['data']).toMatchObject({
      e: 'aggTrade',
      s: SYMBOL,
      a: 1,
      p: '65000.00000000',
      q: '0.05000000',
      f: 1,
      l: 1,
    });
  });

  it('partial books and klines', async () => {
    const gw = await binanceGateway();
    const { frames } = await rawSocket(
      `${gw.url.replace('http', 'ws')}/stream?streams=btcusdt@depth5@100ms/btcusdt@kline_1m`,
    );
    await waitFor(() => frames.some((f) => f.msg['stream'] === 'btcusdt@depth5@100ms'));
    expect(frames[0]?.msg['data']).toEqual({
      lastUpdateId: gw.depth.lastUpdateId,
      bids: [
        ['64999.00000000', '0.20000000'],
        ['64998.00000000', '0.50000000'],
      ],
      asks: [
        ['65000.00000000', '0.10000000'],
        ['65001.00000000', '1.00000000'],
        ['65003.00000000', '5.00000000'],
      ],
    });
    expect((await buy(gw, '0.15')).status).toBe(200);
    const kline = await waitFor(() => frames.find((f) => f.msg['stream'] === 'btcusdt@kline_1m')?.msg['data']);
    expect(kline).toMatchObject({
      e: 'kline',
      s: SYMBOL,
      k: {
        i: '1m',
        f: 1,
        L: 2,
        o: '65000.00000000',
        c: '65001.00000000',
        h: '65001.00000000',
        v: '0.15000000',
        n: 2,
      },
    });
    // The first frame with the buy is the minute's kline as it stands, sent within the minute, or,
    // when the minute ended before the stream's next second (a loaded machine), the closed kline,
    // sent after its close time.
    const { E, k } = kline as { E: number; k: { t: number; T: number; x: boolean } };
    if (k.x) expect(E).toBeGreaterThan(k.T);
    else expect(E).toBeGreaterThanOrEqual(k.t);
  });

  it('diffs continue the REST snapshot: the snapshot and the diffs after it are the later snapshot', async () => {
    // Deep snapshots weigh 250 each: the run takes more than Binance's weight per minute.
    const gw = await binanceGateway(undefined, { limits: { weightPerMinute: 1_000_000, ordersPer10s: 1_000_000 } });
    const { frames } = await rawSocket(`${gw.streamUrl}/btcusdt@depth@100ms`);
    await waitFor(() => gw.streams.size === 1);
    type Book = { lastUpdateId: number; bids: string[][]; asks: string[][] };
    const snapshot = async () => (await raw(gw, 'GET', 'depth', { symbol: SYMBOL, limit: '5000' })).body as Book;
    const action = fc.oneof(
      fc.record({
        kind: fc.constant('market'),
        side: fc.constantFrom('BUY', 'SELL'),
        lots: fc.integer({ min: 100, max: 30_000 }),
      }),
      fc.record({
        kind: fc.constant('limit'),
        side: fc.constantFrom('BUY', 'SELL'),
        lots: fc.integer({ min: 100, max: 30_000 }),
        ticks: fc.integer({ min: 6_499_000, max: 6_500_600 }),
      }),
      fc.record({ kind: fc.constant('cancelAll') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 6 }), async (actions) => {
        const before = await snapshot();
        for (const a of actions) {
          if (a.kind === 'cancelAll') await raw(gw, 'DELETE', 'openOrders', { symbol: SYMBOL }, true);
          else {
            const qty = (a.lots / 100_000).toFixed(5);
            const p: Record<string, string> = {
              symbol: SYMBOL,
              side: a.side,
              type: a.kind.toUpperCase(),
              quantity: qty,
            };
            if (a.kind === 'limit') Object.assign(p, { timeInForce: 'GTC', price: (a.ticks / 100).toFixed(2) });
            await raw(gw, 'POST', 'order', p, true);
          }
        }
        const after = await snapshot();
        const diffs = () =>
          frames
            .map((f) => f.msg as { U: number; u: number; b: string[][]; a: string[][] })
            .filter((d) => d.u > before.lastUpdateId);
        await waitFor(
          () => after.lastUpdateId === before.lastUpdateId || diffs().some((d) => d.u >= after.lastUpdateId),
        );
        const book = {
          bids: new Map(before.bids.map(([p, q]) => [p as string, q as string])),
          asks: new Map(before.asks.map(([p, q]) => [p as string, q as string])),
        };
        let id = before.lastUpdateId;
        for (const d of diffs()) {
          if (d.u > after.lastUpdateId) break;
          expect(d.U).toBe(id + 1); // each diff begins where the one before ended
          for (const [side, levels] of [
            [book.bids, d.b],
            [book.asks, d.a],
          ] as const)
            for (const [p, q] of levels) {
              if (Number(q) === 0) side.delete(p as string);
              else side.set(p as string, q as string);
            }
          id = d.u;
        }
        expect(id).toBe(after.lastUpdateId);
        const sorted = (m: Map<string, string>, desc: boolean) =>
          [...m].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
        expect(sorted(book.bids, true)).toEqual(after.bids);
        expect(sorted(book.asks, false)).toEqual(after.asks);
      }),
      { numRuns: 12 },
    );
  });
});

describe('the WebSocket API and the user data stream', () => {
  it('takes timestamp and recvWindow as numbers or as their text, as REST does', async () => {
    const gw = await binanceGateway();
    const { frames, send } = await rawSocket(gw.wsApiUrl);
    const subscribe = async (id: number, timing: Record<string, unknown>): Promise<unknown> => {
      const params: Record<string, unknown> = { apiKey: API_KEY, ...timing };
      const payload = Object.keys(params)
        .sort()
        .map((k) => `${k}=${String(params[k])}`)
        .join('&');
      send({ id, method: 'userDataStream.subscribe.signature', params: { ...params, signature: sign(payload) } });
      return waitFor(() => frames.find((f) => f.msg['id'] === id)?.msg);
    };
    // Eight seconds old: outside the default window of 5,000 ms, inside one of 10,000.
    const old = String(Date.now() - 8_000);
    expect(await subscribe(1, { timestamp: old })).toMatchObject({ status: 400, error: { code: -1021 } });
    expect(await subscribe(2, { timestamp: old, recvWindow: 'ten' })).toMatchObject({
      status: 400,
      error: { code: -1102, msg: expect.stringContaining("'recvWindow'") },
    });
    expect(await subscribe(3, { timestamp: old, recvWindow: '10000.5' })).toEqual({
      id: 3,
      status: 200,
      result: { subscriptionId: 0 },
    });
  });

  it('subscribes with a signature, refuses what Binance refuses, and sends executionReport and outboundAccountPosition', async () => {
    const gw = await binanceGateway();
    const { frames, send } = await rawSocket(gw.wsApiUrl);
    // A control message's answer is the next frame with an `id` (its own, or null): market data
    // of a stream subscribed a moment before can come first.
    const answer = async (m: unknown): Promise<unknown> => {
      const n = frames.length;
      const reply = () => frames.slice(n).find((f) => 'id' in f.msg)?.msg;
      send(m);
      await waitFor(() => reply() !== undefined);
      return reply();
    };
    expect(await answer({ id: 'p', method: 'ping' })).toEqual({ id: 'p', status: 200, result: {} });
    const time = (await answer({ id: 't', method: 'time' })) as { result: { serverTime: number } };
    expect(Math.abs(time.result.serverTime - Date.now())).toBeLessThan(2000);
    const bad = { ...subscribeParams(), signature: 'f'.repeat(64) };
    expect(await answer({ id: 1, method: 'userDataStream.subscribe.signature', params: bad })).toEqual({
      id: 1,
      status: 400,
      error: { code: -1022, msg: 'Signature for this request is not valid.' },
    });
    expect(
      await answer({
        id: 2,
        method: 'userDataStream.subscribe.signature',
        params: subscribeParams(Date.now(), 'nope'),
      }),
    ).toEqual({ id: 2, status: 401, error: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
    expect(
      await answer({
        id: 3,
        method: 'userDataStream.subscribe.signature',
        params: subscribeParams(Date.now() - 10_000),
      }),
    ).toMatchObject({ id: 3, status: 400, error: { code: -1021 } });
    expect(await answer({ id: 4, method: 'userDataStream.subscribe.signature', params: subscribeParams() })).toEqual({
      id: 4,
      status: 200,
      result: { subscriptionId: 0 },
    });
    expect(await answer({ id: 5, method: 'userDataStream.subscribe.signature', params: subscribeParams() })).toEqual({
      id: 5,
      status: 400,
      error: { code: -2035, msg: 'User Data Stream subscription already active.' },
    });
    expect(await answer({ id: 6, method: 'session.subscriptions' })).toEqual({
      id: 6,
      status: 200,
      result: [{ subscriptionId: 0 }],
    });
    expect(await answer({ id: 7, method: 'userDataStream.subscribe' })).toMatchObject({
      status: 401,
      error: { code: -1002 },
    });
    expect(await answer({ id: 8, method: 'order.place', params: {} })).toMatchObject({
      status: 400,
      error: { code: -1020 },
    });
    expect(await answer('nope')).toEqual({
      id: null,
      status: 400,
      error: { code: -1135, msg: 'Invalid JSON Request' },
    });

    const placed = await rawLimitBuy(gw, '64000', 'ws-1');
    const events = () => frames.map((f) => f.msg).filter((m) => 'event' in m);
    await waitFor(() => events().length === 2);
    const [report, position] = events() as Array<{ subscriptionId: number; event: Record<string, unknown> }>;
    // Placed (transactTime) when the gateway took the request; NEW (E, T) when the venue had it.
    const placedAt = (placed.body as { transactTime: number }).transactTime;
    const at = report?.event['E'] as number;
    expect(at).toBeGreaterThanOrEqual(placedAt);
    expect(report).toEqual({
      subscriptionId: 0,
      event: {
        e: 'executionReport',
        E: at,
        s: SYMBOL,
        c: 'ws-1',
        S: 'BUY',
        o: 'LIMIT',
        f: 'GTC',
        q: '0.01000000',
        p: '64000.00000000',
        P: '0.00000000',
        F: '0.00000000',
        g: -1,
        C: '',
        x: 'NEW',
        X: 'NEW',
        r: 'NONE',
        i: 1,
        l: '0.00000000',
        z: '0.00000000',
        L: '0.00000000',
        n: '0',
        N: null,
        T: at,
        t: -1,
        I: 1,
        w: true,
        m: false,
        M: false,
        O: placedAt,
        Z: '0.00000000',
        Y: '0.00000000',
        Q: '0.00000000',
        V: 'NONE',
        W: placedAt,
      },
    });
    expect(position).toEqual({
      subscriptionId: 0,
      event: {
        e: 'outboundAccountPosition',
        E: at,
        u: at,
        B: [
          { a: 'BTC', f: '0.00000000', l: '0.00000000' },
          { a: 'USDT', f: '999360.00000000', l: '640.00000000' },
        ],
      },
    });
    expect(await answer({ id: 9, method: 'userDataStream.unsubscribe', params: { subscriptionId: 0 } })).toEqual({
      id: 9,
      status: 200,
      result: {},
    });
    expect(await answer({ id: 10, method: 'userDataStream.unsubscribe', params: { subscriptionId: 0 } })).toMatchObject(
      {
        error: { code: -2036 },
      },
    );
  });
});

describe('connection life', () => {
  it('pings every interval and drops a client that does not answer with a pong', async () => {
    const gw = await binanceGateway(undefined, { socketLife: { pingIntervalMs: 40, pongTimeoutMs: 1000 } });
    const answering = await rawSocket(`${gw.streamUrl}/btcusdt@trade`);
    let pings = 0;
    answering.ws.on('ping', () => pings++);
    const silent = await rawSocket(gw.wsApiUrl, { autoPong: false });
    let closed = false;
    silent.ws.on('close', () => (closed = true));
    await waitFor(() => closed);
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
  });

  it('sends serverShutdown on every socket before the gateway closes', async () => {
    const gw = await binanceGateway();
    const plain = await rawSocket(`${gw.streamUrl}/btcusdt@trade`);
    const combined = await rawSocket(`${gw.url.replace('http', 'ws')}/stream?streams=btcusdt@trade`);
    const api = await rawSocket(gw.wsApiUrl);
    const codes: number[] = [];
    for (const s of [plain, combined, api]) s.ws.on('close', (code) => codes.push(code));
    await waitFor(() => gw.streams.size === 2 && gw.wsApi.size === 1);
    await gw.close();
    await waitFor(() => codes.length === 3);
    const last = (frames: Frame[]) => frames.at(-1)?.msg;
    expect(last(plain.frames)).toEqual({ e: 'serverShutdown', E: expect.any(Number) });
    expect(last(combined.frames)).toEqual({
      stream: '!serverShutdown',
      data: { e: 'serverShutdown', E: expect.any(Number) },
    });
    expect(last(api.frames)).toEqual({ event: { e: 'serverShutdown', E: expect.any(Number) } });
    expect(codes).toEqual([1001, 1001, 1001]);
  });
});
