// Answers of the Binance gateway that once differed from Binance spot's for requests the real ccxt
// client sends, each checked against Binance's documented wire: a cancel's executionReport (`c` the
// cancel's own client id, `C` the id of the order cancelled, as the cancel's REST answer states
// them), the refusal of a quote-quantity market order (Binance's own message, word for word), and
// of a stop order the last trade has already triggered (-2010 "Order would trigger immediately."),
// the bookTicker stream's `u` (the order book's update id of the quote, as the depth snapshot
// states it), a test order's commission rates when asked for them (computeCommissionRates), and two
// cancels of one order in flight together: one cancels it, the other finds it gone (-2011).
// A static BTCUSDT book (contract fixture: 1,000,000 USDT, no BTC, no fees). Real sockets on
// 127.0.0.1; every wait is a bounded condition.
import { describe, expect, it } from 'vitest';
import {
  binanceGateway,
  ccxtClient,
  rawSocket,
  subscribeParams,
  watchUntil,
} from '../support/binance-gateway-harness.ts';
import { waitFor } from '../support/gateway-harness.ts';

const SYMBOL = 'BTC/USDT';

type Event = Record<string, unknown>;

/** A raw user data stream subscription: every event it got, in order. */
async function userEvents(gw: Awaited<ReturnType<typeof binanceGateway>>): Promise<() => Event[]> {
  const { frames, send } = await rawSocket(gw.wsApiUrl);
  send({ id: 1, method: 'userDataStream.subscribe.signature', params: subscribeParams() });
  await waitFor(() => frames.some((f) => f.msg['id'] === 1));
  return () => frames.map((f) => f.msg['event'] as Event | undefined).filter((e): e is Event => e !== undefined);
}

describe('cancels on the user data stream', () => {
  it("a CANCELED executionReport names the cancel's client id in c and the cancelled order's in C", async () => {
    const gw = await binanceGateway();
    const ex = await ccxtClient(gw);
    const events = await userEvents(gw);
    await ex.loadMarkets();
    const canceledOf = (id: string) =>
      events().find((e) => e['e'] === 'executionReport' && e['i'] === Number(id) && e['x'] === 'CANCELED');

    // By order id: the gateway makes the cancel's client id, the answer and the report share it.
    const a = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64000, { newClientOrderId: 'cx-a' });
    const ca = await ex.cancelOrder(a.id as string, SYMBOL);
    const answerA = ca.info as { clientOrderId: string; origClientOrderId: string };
    expect(answerA.origClientOrderId).toBe('cx-a');
    const reportA = await waitFor(() => canceledOf(a.id as string));
    expect([reportA['c'], reportA['C'], reportA['X']]).toEqual([answerA.clientOrderId, 'cx-a', 'CANCELED']);

    // By client id, with the cancel's own id (newClientOrderId of DELETE order).
    const b = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64001, { newClientOrderId: 'cx-b' });
    const cb = await ex.cancelOrder(undefined as unknown as string, SYMBOL, {
      origClientOrderId: 'cx-b',
      newClientOrderId: 'cx-b-cancel',
    });
    expect((cb.info as { clientOrderId: string }).clientOrderId).toBe('cx-b-cancel');
    const reportB = await waitFor(() => canceledOf(b.id as string));
    expect([reportB['c'], reportB['C']]).toEqual(['cx-b-cancel', 'cx-b']);

    // DELETE openOrders: each cancelled order's report carries its own cancel id from the answer.
    const c1 = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64002, { newClientOrderId: 'cx-c1' });
    const c2 = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64003, { newClientOrderId: 'cx-c2' });
    const all = (await ex.cancelAllOrders(SYMBOL)).map((o) => o.info as { orderId: number; clientOrderId: string });
    expect(all.map((o) => o.orderId)).toEqual([Number(c1.id), Number(c2.id)]);
    for (const [order, cid] of [
      [c1, 'cx-c1'],
      [c2, 'cx-c2'],
    ] as const) {
      const report = await waitFor(() => canceledOf(order.id as string));
      const answer = all.find((o) => o.orderId === Number(order.id));
      expect([report['c'], report['C']]).toEqual([answer?.clientOrderId, cid]);
    }

    // Everything else names the order's own id in c and leaves C empty, as Binance does.
    const others = events().filter((e) => e['e'] === 'executionReport' && e['x'] !== 'CANCELED');
    expect(others.map((e) => [e['x'], e['C']])).toEqual(others.map((e) => [e['x'], '']));
    expect(others.map((e) => e['c'])).toEqual(['cx-a', 'cx-b', 'cx-c1', 'cx-c2']);
  });

  it('ccxt watchOrders still names a cancelled order by its own client id', async () => {
    const gw = await binanceGateway();
    const ex = await ccxtClient(gw);
    await ex.loadMarkets();
    const first = ex.watchOrders(SYMBOL);
    await waitFor(() => gw.wsApi.subscriptions > 0);
    const o = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64000, { newClientOrderId: 'cx-w' });
    await ex.cancelOrder(o.id as string, SYMBOL);
    const seen = await watchUntil(
      () => ex.watchOrders(SYMBOL),
      (os) => os.some((x) => x.id === o.id && x.status === 'canceled'),
      first,
    );
    expect(seen.find((x) => x.id === o.id && x.status === 'canceled')?.clientOrderId).toBe('cx-w');
  });
});

describe('quote-quantity market orders', () => {
  it("are refused with Binance's message (-2010), which ccxt reads as InvalidOrder", async () => {
    const gw = await binanceGateway();
    const ex = await ccxtClient(gw);
    await ex.loadMarkets();
    let caught: unknown;
    try {
      await ex.createMarketBuyOrderWithCost(SYMBOL, 100);
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).constructor.name).toBe('InvalidOrder');
    expect(JSON.parse(ex.last_http_response as string)).toEqual({
      code: -2010,
      msg: 'Quote order qty market orders are not support for this symbol.',
    });
  });
});

describe('stop orders', () => {
  it('refuses a stop the last trade already reached (-2010), takes one it has not', async () => {
    const gw = await binanceGateway();
    const ex = await ccxtClient(gw);
    await ex.loadMarkets();
    // No trade yet: nothing to compare with, the stop is taken (and waits for a trade).
    const early = await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, {
      stopPrice: 60000,
      newClientOrderId: 'st-early',
    });
    expect(early.status).toBe('open');
    await ex.cancelOrder(early.id as string, SYMBOL);
    // A market buy of 0.3 trades 0.1 at 65000.00, then 0.2 at 65001.00: the last price.
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.3, undefined, { newClientOrderId: 'st-buy' });
    expect((await ex.fetchTicker(SYMBOL)).last).toBe(65001);
    const refusal = async (side: 'buy' | 'sell', stop: number, price?: number) => {
      const cid = `st-${side}-${String(stop).replace('.', '_')}`;
      const type = price === undefined ? 'market' : 'limit';
      try {
        await ex.createOrder(SYMBOL, type, side, 0.01, price, { stopPrice: stop, newClientOrderId: cid });
      } catch (err) {
        return { name: (err as Error).constructor.name, body: JSON.parse(ex.last_http_response as string) as unknown };
      }
      return 'taken';
    };
    const immediately = {
      name: 'OrderImmediatelyFillable',
      body: { code: -2010, msg: 'Order would trigger immediately.' },
    };
    // A sell stop triggers at or below its price, a buy stop at or above.
    expect(await refusal('sell', 65001)).toEqual(immediately);
    expect(await refusal('sell', 70000, 69000)).toEqual(immediately);
    expect(await refusal('buy', 65001)).toEqual(immediately);
    expect(await refusal('buy', 60000, 61000)).toEqual(immediately);
    expect(await refusal('sell', 65000.99)).toBe('taken');
    expect(await refusal('buy', 65001.01, 65002)).toBe('taken');
    // Nothing refused was placed: the two taken stops are the open orders, waiting untriggered.
    const open = await ex.fetchOpenOrders(SYMBOL);
    expect(open.map((o) => o.clientOrderId).sort()).toEqual(['st-buy-65001_01', 'st-sell-65000_99']);
  });
});

describe('the bookTicker stream', () => {
  it("states each quote with the order book's update id, the one the depth snapshot has", async () => {
    const gw = await binanceGateway();
    const ex = await ccxtClient(gw);
    await ex.loadMarkets();
    const before = await ex.fetchOrderBook(SYMBOL, 100);
    // Only a bookTicker stream: no depth stream reads the book between the quotes.
    const { frames } = await rawSocket(`${gw.streamUrl}/btcusdt@bookTicker`);
    await waitFor(() => gw.streams.size === 1);
    const quotes = () => frames.map((f) => f.msg);
    // 0.05 of the 0.1 at 65000.00, then the rest: the best ask shrinks, then moves to 65001.00.
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.05, undefined, { newClientOrderId: 'bt-1' });
    await waitFor(() => quotes().some((q) => q['A'] === '0.05000000'));
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.05, undefined, { newClientOrderId: 'bt-2' });
    await waitFor(() => quotes().some((q) => q['a'] === '65001.00000000'));
    const shrunk = quotes().find((q) => q['A'] === '0.05000000') as Record<string, unknown>;
    const moved = quotes().find((q) => q['a'] === '65001.00000000') as Record<string, unknown>;
    // The book changed after the snapshot, and again between the two quotes.
    expect(shrunk['u'] as number).toBeGreaterThan(before.nonce as number);
    expect(moved['u'] as number).toBeGreaterThan(shrunk['u'] as number);
    // Nothing has changed since: the snapshot is the book the last quote came from, at its id.
    const after = await ex.fetchOrderBook(SYMBOL, 100);
    expect(after.nonce).toBe(moved['u']);
    expect(after.asks[0]).toEqual([65001, 1]);
    // Quotes that differ never share an id.
    const byId = new Map<unknown, string>();
    for (const q of quotes()) {
      const text = `${String(q['b'])} ${String(q['B'])} ${String(q['a'])} ${String(q['A'])}`;
      expect(byId.get(q['u']) ?? text).toBe(text);
      byId.set(q['u'], text);
    }
  });
});

describe('test orders', () => {
  it('answer {} at weight 1, or the commission rates the order would pay at weight 20', async () => {
    // A maker fee of 2 bps, a taker fee of 7.
    const gw = await binanceGateway('test/fixtures/gateway/binance-fees.yaml');
    const ex = await ccxtClient(gw);
    await ex.loadMarkets();
    const weight = () => Number((ex.last_response_headers as Record<string, string>)['X-Mbx-Used-Weight-1m']);
    const order = { newClientOrderId: 'test-1', test: true };
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 60000, order);
    expect(JSON.parse(ex.last_http_response as string)).toEqual({});
    const before = weight();
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 60000, { ...order, computeCommissionRates: true });
    expect(weight() - before).toBe(20);
    const rate = (maker: string, taker: string) => ({ maker, taker });
    expect(JSON.parse(ex.last_http_response as string)).toEqual({
      standardCommissionForOrder: rate('0.00020000', '0.00070000'),
      specialCommissionForOrder: rate('0.00000000', '0.00000000'),
      taxCommissionForOrder: rate('0.00000000', '0.00000000'),
      // The gateway takes no BNB discount: the account has it off.
      discount: { enabledForAccount: false, enabledForSymbol: true, discountAsset: 'BNB', discount: '0.25000000' },
    });
    // Not a boolean: refused as Binance refuses a bad value of a parameter.
    await expect(
      ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 60000, { ...order, computeCommissionRates: 'yes' }),
    ).rejects.toThrow(/-1130/);
    expect(await ex.fetchOpenOrders(SYMBOL)).toEqual([]);
  });
});

describe('cancels in flight together', () => {
  it('cancel one order once: the first cancel takes it, a second one finds it gone (-2011)', async () => {
    // Orders and cancels take 200 ms to reach the venue: both cancels are on their way at once.
    const gw = await binanceGateway('test/fixtures/gateway/binance-slow-entry.yaml');
    const ex = await ccxtClient(gw);
    await ex.loadMarkets();
    ex.enableRateLimit = false; // sent together, not spaced by ccxt's throttle
    const events = await userEvents(gw);
    const cancelOf = async (o: { id?: string | undefined }, cid: string) => {
      try {
        const c = await ex.cancelOrder(o.id as string, SYMBOL, { newClientOrderId: cid });
        return c.status as string;
      } catch (err) {
        return `${(err as Error).constructor.name} ${(err as Error).message}`;
      }
    };
    // The gateway's record of an order: a cancel of it is on its way while pendingCancel holds.
    const cancelling = (cid: string) => gw.orders.desk.orders().find((r) => r.clientOrderId === cid)?.pendingCancel;
    const order = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64000, { newClientOrderId: 'twice' });
    const firstCancel = cancelOf(order, 'twice-c1');
    await waitFor(() => cancelling('twice'));
    const answers = await Promise.all([firstCancel, cancelOf(order, 'twice-c2')]);
    expect(answers).toEqual(['canceled', 'OrderNotFound binance {"code":-2011,"msg":"Unknown order sent."}']);
    // One CANCELED report, naming the cancel that took the order.
    await waitFor(() => events().some((e) => e['x'] === 'CANCELED'));
    const cancelled = events().filter((e) => e['e'] === 'executionReport' && e['x'] === 'CANCELED');
    expect(cancelled.map((e) => [e['c'], e['C']])).toEqual([['twice-c1', 'twice']]);

    // A replace (ccxt editOrder: cancelReplace) and a cancel together: the replace's cancel goes
    // first and takes the order; the cancel finds it gone, and the new order stands.
    const old = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 64000, { newClientOrderId: 'moved' });
    const editing = ex.editOrder(old.id as string, SYMBOL, 'limit', 'buy', 0.02, 64001, {
      newClientOrderId: 'moved-2',
    });
    await waitFor(() => cancelling('moved'));
    const [edited, cancel] = await Promise.all([editing, cancelOf(old, 'moved-c')]);
    expect(cancel).toBe('OrderNotFound binance {"code":-2011,"msg":"Unknown order sent."}');
    expect([edited.clientOrderId, edited.status]).toEqual(['moved-2', 'open']);
    expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.clientOrderId)).toEqual(['moved-2']);
  });
});
