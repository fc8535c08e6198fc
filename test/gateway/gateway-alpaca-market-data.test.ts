// The gateway's stocks market-data websocket (/v2/iex) through the real SDK v4 stream
// (alpaca.marketData.stockStream, MessagePack both ways), and the same stream in JSON for a client
// that does not ask for MessagePack. The gateway serves test/fixtures/gateway/alpaca-aapl.yaml (a
// static AAPL book: 10 at 187.50, 100 at 187.60 on the ask), so a market buy of 30 prints 10 at
// 187.50 and 20 at 187.60 and moves the best ask to what is left at 187.60. The latest quote after
// our own trades: a level they emptied is not quoted, and no side is quoted with a size of 0. Also
// the other way Alpaca's stream docs allow to authenticate: the APCA-API-KEY-ID and
// APCA-API-SECRET-KEY headers on the upgrade. No sleeps: every wait is bounded.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { streaming as sdkStreaming } from '@alpacahq/alpaca-trade-api';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { gateway, KEY, onCleanup, SECRET, waitFor } from '../support/gateway-harness.ts';

function dataClient(gw: AlpacaGateway, keyId = KEY, secret = SECRET) {
  const { alpaca } = gatewayClient(gw.url, keyId, secret);
  const data = alpaca.marketData.stockStream({ feed: 'iex', url: gw.dataStreamUrl, reconnect: false });
  const quotes: sdkStreaming.StreamQuote[] = [];
  const trades: sdkStreaming.StreamTrade[] = [];
  const subscriptions: Array<Record<string, string[]>> = [];
  const errors: string[] = [];
  data.onQuote((q) => quotes.push(q));
  data.onTrade((t) => trades.push(t));
  data.on('subscription', (s: Record<string, string[]>) => subscriptions.push(s));
  data.on('error', (e: string) => errors.push(e));
  onCleanup(() => data.disconnect());
  return { alpaca, data, quotes, trades, subscriptions, errors };
}

describe('the market-data stream, through the real SDK (MessagePack)', () => {
  it('quotes and trades arrive as the venue changes and match the REST latest quote and trade', async () => {
    const gw = await gateway();
    const c = dataClient(gw);
    c.data.onConnect(() => {
      c.data.subscribeForQuotes(['AAPL']);
      c.data.subscribeForTrades(['AAPL']);
    });
    c.data.connect();
    expect((await c.data.whenAuthenticated()).authenticated).toBe(true);
    await waitFor(() => c.subscriptions.some((s) => s['quotes']?.includes('AAPL') && s['trades']?.includes('AAPL')));
    // The SDK sent subscribe once per call and once more from its resubscribe: the set is a union.
    expect(c.data.getSubscriptions().quotes).toEqual(['AAPL']);
    expect(c.data.getSubscriptions().trades).toEqual(['AAPL']);

    await c.alpaca.trading.orders.market({ symbol: 'AAPL', qty: 30, side: 'buy' });
    // Both prints, then the quote they moved: the buy emptied 187.50, so the best ask is what is
    // left at 187.60 (the static book still displays 187.50, but nothing is there to trade).
    await waitFor(() => c.trades.length >= 2 && c.quotes.length >= 1);
    expect(c.trades.map((t) => [t.symbol, t.price, t.size])).toEqual([
      ['AAPL', 187.5, 10],
      ['AAPL', 187.6, 20],
    ]);
    expect(c.trades.map((t) => t.id)).toEqual([1, 2]);
    const lastQuote = c.quotes[c.quotes.length - 1] as sdkStreaming.StreamQuote;
    expect([lastQuote.bidPrice, lastQuote.bidSize, lastQuote.askPrice, lastQuote.askSize]).toEqual([
      187.4, 20, 187.6, 80,
    ]);
    // Timestamps came as the MessagePack timestamp extension (the SDK keeps nanoseconds).
    expect(lastQuote.timestampRaw).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    expect(Math.abs((lastQuote.timestamp as Date).getTime() - Date.now())).toBeLessThan(5_000);

    const rest = await c.alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'AAPL' });
    expect([rest.quote.bp, rest.quote.bs, rest.quote.ap, rest.quote.as]).toEqual([187.4, 20, 187.6, 80]);
    expect((rest.quote.t as Date).getTime()).toBe((lastQuote.timestamp as Date).getTime());
    const lastTrade = c.trades[1] as sdkStreaming.StreamTrade;
    const restTrade = await c.alpaca.marketData.stocks.stockLatestTradeSingle({ symbol: 'AAPL' });
    expect([restTrade.trade.p, restTrade.trade.s, restTrade.trade.i]).toEqual([187.6, 20, 2]);
    expect((restTrade.trade.t as Date).getTime()).toBe((lastTrade.timestamp as Date).getTime());
    expect(c.errors).toEqual([]);
  });

  it('unsubscribing stops the channel and shrinks the subscription; subscribing twice sends nothing twice', async () => {
    const gw = await gateway();
    const c = dataClient(gw);
    c.data.connect();
    expect((await c.data.whenAuthenticated()).authenticated).toBe(true);
    c.data.subscribeForTrades(['AAPL', 'MSFT']);
    c.data.subscribeForQuotes(['AAPL']);
    await waitFor(() => c.subscriptions.some((s) => s['quotes']?.includes('AAPL')));
    c.data.unsubscribeFromQuotes(['AAPL']);
    await waitFor(() => c.subscriptions.some((s) => s['quotes']?.length === 0));
    expect(c.data.getSubscriptions().trades.sort()).toEqual(['AAPL', 'MSFT']);

    await c.alpaca.trading.orders.market({ symbol: 'AAPL', qty: 5, side: 'buy' });
    await waitFor(() => c.trades.length >= 1);
    // A second order's print proves the first was not followed by a quote still on its way.
    await c.alpaca.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy' });
    await waitFor(() => c.trades.length >= 2);
    expect(c.trades.map((t) => [t.price, t.size])).toEqual([
      [187.5, 5],
      [187.5, 1],
    ]);
    expect(c.quotes).toEqual([]);
  });

  it('a bad key gets the terminal auth error and no reconnect', async () => {
    const gw = await gateway();
    const c = dataClient(gw, KEY, 'wrong-secret');
    c.data.connect();
    const auth = await c.data.whenAuthenticated();
    expect(auth.authenticated).toBe(false);
    expect(auth.status).toBe('server_rejected');
    expect(auth.code).toBe(402);
    await waitFor(() => gw.marketData.size === 0);
  });
});

describe('the latest quote after our own trades', () => {
  it('shows the next level once our trades empty the best one, and never a size of zero', async () => {
    const gw = await gateway();
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const served: number[][] = [];
    const latest = async (): Promise<number[]> => {
      const { quote: q } = await alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'AAPL' });
      const row = [q.bp, q.bs, q.ap, q.as] as number[];
      served.push(row);
      return row;
    };
    const trade = async (side: 'buy' | 'sell', qty: number, quoted: number[]) => {
      const o = await alpaca.trading.orders.market({ symbol: 'AAPL', qty, side });
      await waitFor(
        async () => (await alpaca.trading.orders.getOrderByOrderID({ orderId: o.id as string })).status === 'filled',
      );
      await waitFor(async () => (await latest()).join() === quoted.join());
    };
    expect(await latest()).toEqual([187.4, 20, 187.5, 10]);
    await trade('buy', 10, [187.4, 20, 187.6, 100]); // exactly the best ask
    await trade('buy', 100, [187.4, 20, 187.8, 500]); // and the next one
    await trade('sell', 20, [187.3, 50, 187.8, 500]); // exactly the best bid
    // The static book still displays every level it started with; the quotes never showed them.
    for (const [, bidSize, , askSize] of served) {
      expect(bidSize).toBeGreaterThan(0);
      expect(askSize).toBeGreaterThan(0);
    }
    const many = await fetch(`${gw.url}/v2/stocks/quotes/latest?symbols=AAPL`, {
      headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET },
    });
    expect(many.status).toBe(200);
    const body = (await many.json()) as { quotes: Record<string, Record<string, unknown>> };
    expect(body.quotes['AAPL']).toMatchObject({ bp: 187.3, bs: 50, ap: 187.8, as: 500 });
  });
});

/** A JSON client of the stream, opened (the upgrade taken), with `headers` on its upgrade request. */
async function raw(gw: AlpacaGateway, path = '/v2/sip', headers: Record<string, string> = {}) {
  const ws = new WebSocket(gw.url.replace(/^http/, 'ws') + path, { headers });
  onCleanup(() => ws.terminate());
  const frames: Array<{ text: boolean; messages: Array<Record<string, unknown>> }> = [];
  ws.on('message', (data, isBinary) => frames.push({ text: !isBinary, messages: JSON.parse(String(data)) }));
  let closeCode: number | undefined;
  ws.on('close', (code) => (closeCode = code));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (i: number) => (await waitFor(() => frames[i])).messages;
  /** The close code, once the connection closed. */
  const closed = () => waitFor(() => closeCode);
  return { ws, frames, next, closed };
}

describe('the market-data stream in JSON (no MessagePack asked for)', () => {
  it('speaks text JSON with RFC 3339 times and Alpaca control frames, errors included', async () => {
    const gw = await gateway();
    const { ws, frames, next } = await raw(gw);
    expect(await next(0)).toEqual([{ T: 'success', msg: 'connected' }]);
    ws.send(JSON.stringify({ action: 'subscribe', quotes: ['AAPL'] }));
    expect(await next(1)).toEqual([{ T: 'error', code: 401, msg: 'not authenticated' }]);
    ws.send('not json');
    expect(await next(2)).toEqual([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
    ws.send(JSON.stringify({ action: 'auth', key: KEY, secret: SECRET }));
    expect(await next(3)).toEqual([{ T: 'success', msg: 'authenticated' }]);
    ws.send(JSON.stringify({ action: 'auth', key: KEY, secret: SECRET }));
    expect(await next(4)).toEqual([{ T: 'error', code: 403, msg: 'already authenticated' }]);
    ws.send(JSON.stringify({ action: 'subscribe', trades: ['AAPL'], quotes: ['AAPL'] }));
    ws.send(JSON.stringify({ action: 'subscribe', trades: ['AAPL'] }));
    const sub = await next(5);
    expect(sub).toEqual([
      {
        T: 'subscription',
        trades: ['AAPL'],
        quotes: ['AAPL'],
        bars: [],
        updatedBars: [],
        dailyBars: [],
        statuses: [],
        lulds: [],
        imbalances: [],
        corrections: ['AAPL'],
        cancelErrors: ['AAPL'],
      },
    ]);
    expect(await next(6)).toEqual(sub); // idempotent

    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 12, side: 'buy' });
    const data = () => frames.slice(7).flatMap((f) => f.messages);
    await waitFor(() => data().filter((m) => m['T'] === 't').length >= 2 && data().some((m) => m['T'] === 'q'));
    expect(frames.every((f) => f.text)).toBe(true);
    const trades = data().filter((m) => m['T'] === 't');
    expect(trades.map((t) => [t['S'], t['p'], t['s'], t['i']])).toEqual([
      ['AAPL', 187.5, 10, 1],
      ['AAPL', 187.6, 2, 2],
    ]);
    for (const m of data()) expect(m['t']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('an iex connection takes 30 symbols: past them, error 405 and the set unchanged; sip has no limit', async () => {
    const gw = await gateway();
    const thirty = Array.from({ length: 30 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    const subscribed = async (path: string) => {
      const c = await raw(gw, path);
      await c.next(0);
      c.ws.send(JSON.stringify({ action: 'auth', key: KEY, secret: SECRET }));
      await c.next(1);
      c.ws.send(JSON.stringify({ action: 'subscribe', trades: thirty.slice(0, 20), bars: thirty.slice(10) }));
      return c;
    };
    const iex = await subscribed('/v2/iex');
    expect((await iex.next(2))[0]).toMatchObject({ T: 'subscription', trades: thirty.slice(0, 20) });
    // The same 30 symbols on another channel are no new symbols; one more symbol on any channel is.
    iex.ws.send(JSON.stringify({ action: 'subscribe', quotes: thirty }));
    const thirtyEverywhere = await iex.next(3);
    expect(thirtyEverywhere[0]).toMatchObject({ quotes: thirty });
    iex.ws.send(JSON.stringify({ action: 'subscribe', quotes: ['AAPL'], trades: ['S00'] }));
    expect(await iex.next(4)).toEqual([{ T: 'error', code: 405, msg: 'symbol limit exceeded' }]);
    iex.ws.send(JSON.stringify({ action: 'subscribe', trades: ['S00'] }));
    expect(await iex.next(5)).toEqual(thirtyEverywhere); // nothing of the refused request was kept
    // Unsubscribing one everywhere makes room for another.
    iex.ws.send(JSON.stringify({ action: 'unsubscribe', trades: ['S29'], quotes: ['S29'], bars: ['S29'] }));
    await iex.next(6);
    iex.ws.send(JSON.stringify({ action: 'subscribe', quotes: ['AAPL'] }));
    expect((await iex.next(7))[0]).toMatchObject({ T: 'subscription', quotes: [...thirty.slice(0, 29), 'AAPL'] });
    // The real-time SIP feed is a paid plan's: no limit.
    const sip = await subscribed('/v2/sip');
    await sip.next(2);
    sip.ws.send(JSON.stringify({ action: 'subscribe', quotes: ['AAPL', 'MSFT'] }));
    expect((await sip.next(3))[0]).toMatchObject({ T: 'subscription', quotes: ['AAPL', 'MSFT'] });
  });

  it('refuses an unknown feed path with a 404 and a bad key with error 402 and a close', async () => {
    const gw = await gateway();
    const refused = new WebSocket(gw.url.replace(/^http/, 'ws') + '/v2/nasdaq');
    refused.on('error', () => {});
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? -1);
      });
      refused.once('open', () => resolve(101));
    });
    expect(status).toBe(404);
    const { ws, next } = await raw(gw, '/v2/iex');
    await next(0);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ action: 'auth', key: KEY, secret: 'nope' }));
    expect(await next(1)).toEqual([{ T: 'error', code: 402, msg: 'auth failed' }]);
    expect(await closed).toBe(1008);
  });
});

describe('authentication with the APCA headers on the upgrade', () => {
  const AUTH = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET };
  const CONNECTED = [{ T: 'success', msg: 'connected' }];

  it('is authenticated right after the welcome frame and gets quotes and trades once subscribed', async () => {
    const gw = await gateway();
    const { ws, frames, next } = await raw(gw, '/v2/iex', AUTH);
    expect(await next(0)).toEqual(CONNECTED);
    expect(await next(1)).toEqual([{ T: 'success', msg: 'authenticated' }]);
    ws.send(JSON.stringify({ action: 'subscribe', trades: ['AAPL'], quotes: ['AAPL'] }));
    expect((await next(2))[0]).toMatchObject({ T: 'subscription', trades: ['AAPL'], quotes: ['AAPL'] });

    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 12, side: 'buy' });
    const data = () => frames.slice(3).flatMap((f) => f.messages);
    await waitFor(() => data().filter((m) => m['T'] === 't').length >= 2 && data().some((m) => m['T'] === 'q'));
    const trades = data().filter((m) => m['T'] === 't');
    expect(trades.map((t) => [t['S'], t['p'], t['s']])).toEqual([
      ['AAPL', 187.5, 10],
      ['AAPL', 187.6, 2],
    ]);
    expect(data().some((m) => m['T'] === 'error')).toBe(false);
  });

  it('answers a later auth message with 403 already authenticated and stays open', async () => {
    const gw = await gateway();
    const { ws, next } = await raw(gw, '/v2/iex', AUTH);
    await next(1);
    ws.send(JSON.stringify({ action: 'auth', key: KEY, secret: SECRET }));
    expect(await next(2)).toEqual([{ T: 'error', code: 403, msg: 'already authenticated' }]);
    ws.send(JSON.stringify({ action: 'subscribe', trades: ['AAPL'] }));
    expect((await next(3))[0]).toMatchObject({ T: 'subscription', trades: ['AAPL'] });
  });

  it.each([
    ['a wrong secret', { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': 'wrong-secret' }],
    ['a wrong key id', { 'APCA-API-KEY-ID': 'wrong-key', 'APCA-API-SECRET-KEY': SECRET }],
    ['the key id without its secret', { 'APCA-API-KEY-ID': KEY }],
  ])('refuses %s as a bad in-band key: the upgrade is taken, then 402 auth failed and a close', async (_n, headers) => {
    const gw = await gateway();
    const { frames, next, closed } = await raw(gw, '/v2/iex', headers);
    expect(await next(0)).toEqual(CONNECTED);
    expect(await next(1)).toEqual([{ T: 'error', code: 402, msg: 'auth failed' }]);
    expect(await closed()).toBe(1008);
    expect(frames).toHaveLength(2);
    await waitFor(() => gw.marketData.size === 0);
  });

  it('without the headers the client still authenticates in-band', async () => {
    const gw = await gateway();
    const { ws, frames, next } = await raw(gw, '/v2/iex');
    expect(await next(0)).toEqual(CONNECTED);
    ws.send(JSON.stringify({ action: 'subscribe', trades: ['AAPL'] }));
    expect(await next(1)).toEqual([{ T: 'error', code: 401, msg: 'not authenticated' }]);
    ws.send(JSON.stringify({ action: 'auth', key: KEY, secret: SECRET }));
    expect(await next(2)).toEqual([{ T: 'success', msg: 'authenticated' }]);
    expect(frames).toHaveLength(3);
  });
});
