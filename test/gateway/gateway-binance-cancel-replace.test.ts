// POST /api/v3/order/cancelReplace at the Binance gateway: through ccxt's editOrder (a bot moving
// its resting order) and on the raw wire for each way it can end (both parts done, one, neither,
// the new order refused by a filter before anything is cancelled, the parameters it refuses, a
// cancel whose answer a 5xx window lost).
// The static BTCUSDT book: asks 0.1 @ 65000, 1 @ 65001, 5 @ 65003; bids 0.2 @ 64999, 0.5 @ 64998;
// 1,000,000 USDT and no BTC. Real sockets on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BTC_FIXTURE,
  binanceGateway,
  ccxtClient,
  raw,
  rawLimitBuy,
  type RawAnswer,
} from '../support/binance-gateway-harness.ts';
import type { BinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';

const SYMBOL = 'BTCUSDT';

/** A resting limit buy placed on the raw wire: its order id. */
async function restingBuy(gw: BinanceGateway, clientId: string, price = '64000'): Promise<number> {
  const a = await rawLimitBuy(gw, price, clientId);
  expect(a.status).toBe(200);
  return (a.body as { orderId: number }).orderId;
}

function cancelReplace(gw: BinanceGateway, params: Record<string, string>): Promise<RawAnswer> {
  return raw(gw, 'POST', 'order/cancelReplace', { symbol: SYMBOL, side: 'BUY', type: 'LIMIT', ...params }, true);
}

async function openIds(gw: BinanceGateway): Promise<string[]> {
  const a = await raw(gw, 'GET', 'openOrders', { symbol: SYMBOL }, true);
  return (a.body as Array<{ clientOrderId: string }>).map((o) => o.clientOrderId).sort();
}

async function statusOf(gw: BinanceGateway, clientId: string): Promise<string> {
  const a = await raw(gw, 'GET', 'order', { symbol: SYMBOL, origClientOrderId: clientId }, true);
  return (a.body as { status: string }).status;
}

/** The account's unfilled orders today (GET rateLimit/order). */
async function unfilledToday(gw: BinanceGateway): Promise<unknown> {
  return ((await raw(gw, 'GET', 'rateLimit/order', {}, true)).body as Array<{ count: number }>)[1]?.count;
}

const NEW_ORDER = { timeInForce: 'GTC', price: '64100', quantity: '0.02' };

const dir = mkdtempSync(path.join(tmpdir(), 'execsim-cancel-replace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cancelReplace at the Binance gateway', () => {
  it('moves a resting order through ccxt editOrder: the old one cancelled, a new one at the new price and size', async () => {
    const gw = await binanceGateway();
    const ex = await ccxtClient(gw);
    const first = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 64000, { newClientOrderId: 'bot-1' });
    const moved = await ex.editOrder(first.id as string, 'BTC/USDT', 'limit', 'buy', 0.02, 64100, {
      newClientOrderId: 'bot-2',
    });
    expect([moved.status, moved.price, moved.amount, moved.clientOrderId]).toEqual(['open', 64100, 0.02, 'bot-2']);
    expect(moved.id).not.toBe(first.id);
    expect((await ex.fetchOrder(first.id as string, 'BTC/USDT')).status).toBe('canceled');
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.id)).toEqual([moved.id]);
    // Only the new order holds quote: 0.02 x 64100.
    expect((await ex.fetchBalance())['USDT']?.used).toBeCloseTo(1282, 6);
    // Moved across the spread, it takes the ask at once.
    const taken = await ex.editOrder(moved.id as string, 'BTC/USDT', 'limit', 'buy', 0.05, 65000, {
      newClientOrderId: 'bot-3',
    });
    expect([taken.status, taken.filled]).toEqual(['closed', 0.05]);
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await ex.fetchBalance())['BTC']?.total).toBeCloseTo(0.05, 8);
    // An order that is gone: ccxt raises Binance's -2022, and nothing new is placed.
    let refusal = '';
    try {
      await ex.editOrder(first.id as string, 'BTC/USDT', 'limit', 'buy', 0.01, 64000, { newClientOrderId: 'bot-4' });
    } catch (err) {
      refusal = (err as Error).message;
    }
    expect(refusal).toContain('-2022');
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('answers 200 with both results when both parts succeed, the cancel named by either id', async () => {
    const gw = await binanceGateway();
    const id = await restingBuy(gw, 'old-1');
    const a = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: String(id),
      cancelNewClientOrderId: 'the-cancel',
      newClientOrderId: 'new-1',
      newOrderRespType: 'RESULT',
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'SUCCESS',
      cancelResponse: { origClientOrderId: 'old-1', clientOrderId: 'the-cancel', orderId: id, status: 'CANCELED' },
      newOrderResponse: { clientOrderId: 'new-1', price: '64100.00000000', origQty: '0.02000000', status: 'NEW' },
    });
    const b = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrigClientOrderId: 'new-1',
      newClientOrderId: 'new-2',
    });
    expect([b.status, (b.body as { cancelResult: string }).cancelResult]).toEqual([200, 'SUCCESS']);
    expect(await openIds(gw)).toEqual(['new-2']);
  });

  it('stops on a failed cancel: 400 -2022, the new order NOT_ATTEMPTED and never placed', async () => {
    const gw = await binanceGateway();
    await restingBuy(gw, 'keep');
    const a = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: '987654',
      newClientOrderId: 'never',
    });
    expect([a.status, a.body]).toEqual([
      400,
      {
        code: -2022,
        msg: 'Order cancel-replace failed.',
        data: {
          cancelResult: 'FAILURE',
          newOrderResult: 'NOT_ATTEMPTED',
          cancelResponse: { code: -2011, msg: 'Unknown order sent.' },
          newOrderResponse: null,
        },
      },
    ]);
    expect(await openIds(gw)).toEqual(['keep']);
    // Binance counts the new order not attempted as an unfilled order all the same.
    expect(await unfilledToday(gw)).toBe(2);
  });

  it('refuses a cancel id Binance would not take, as an order id is refused, touching nothing', async () => {
    const gw = await binanceGateway();
    await restingBuy(gw, 'keep');
    const bad = 'has space!';
    const a = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrigClientOrderId: 'keep',
      cancelNewClientOrderId: bad,
    });
    const b = await raw(
      gw,
      'DELETE',
      'order',
      { symbol: 'BTCUSDT', origClientOrderId: 'keep', newClientOrderId: bad },
      true,
    );
    const placed = await raw(
      gw,
      'POST',
      'order',
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: bad },
      true,
    );
    for (const answer of [a, b]) expect([answer.status, answer.body]).toEqual([placed.status, placed.body]);
    expect((placed.body as { code: number }).code).toBe(-1100);
    expect(await openIds(gw)).toEqual(['keep']);
  });

  it('with ALLOW_FAILURE places the new order anyway: 409 -2021 when only one part succeeded', async () => {
    const gw = await binanceGateway();
    const a = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrigClientOrderId: 'nobody',
      newClientOrderId: 'placed-anyway',
    });
    expect(a.status).toBe(409);
    expect(a.body).toMatchObject({
      code: -2021,
      msg: 'Order cancel-replace partially failed.',
      data: {
        cancelResult: 'FAILURE',
        newOrderResult: 'SUCCESS',
        cancelResponse: { code: -2011 },
        newOrderResponse: { clientOrderId: 'placed-anyway', status: 'NEW' },
      },
    });
    expect(await openIds(gw)).toEqual(['placed-anyway']);
  });

  it('a cancel that succeeds and a new order the venue refuses: 409 -2021, the old order cancelled', async () => {
    const gw = await binanceGateway();
    const id = await restingBuy(gw, 'old');
    await restingBuy(gw, 'taken', '63000');
    const a = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: String(id),
      newClientOrderId: 'taken', // open already: a duplicate
    });
    expect(a.status).toBe(409);
    expect(a.body).toMatchObject({
      code: -2021,
      data: {
        cancelResult: 'SUCCESS',
        newOrderResult: 'FAILURE',
        cancelResponse: { origClientOrderId: 'old', status: 'CANCELED' },
        newOrderResponse: { code: -2010, msg: 'Duplicate order sent.' },
      },
    });
    expect(await statusOf(gw, 'old')).toBe('CANCELED');
    expect(await openIds(gw)).toEqual(['taken']);
    // Neither: 400 -2022 with both failures.
    const b = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrderId: String(id), // cancelled above
      newClientOrderId: 'taken',
    });
    expect(b.status).toBe(400);
    expect(b.body).toMatchObject({
      code: -2022,
      data: {
        cancelResult: 'FAILURE',
        newOrderResult: 'FAILURE',
        cancelResponse: { code: -2011 },
        newOrderResponse: { code: -2010 },
      },
    });
  });

  it('refuses a new order its filters refuse before cancelling anything, and bad parameters with one error each', async () => {
    const gw = await binanceGateway();
    const id = await restingBuy(gw, 'stays');
    const cases: Array<[Record<string, string>, number, number, string]> = [
      [{ ...NEW_ORDER, quantity: '0.000001' }, 400, -1013, 'Filter failure: LOT_SIZE'],
      [{ ...NEW_ORDER, price: '64100.005' }, 400, -1013, 'Filter failure: PRICE_FILTER'],
      [{ ...NEW_ORDER, cancelReplaceMode: '' }, 400, -1105, "'cancelReplaceMode'"],
      [{ ...NEW_ORDER, cancelReplaceMode: 'SOMETIMES' }, 400, -1100, "'cancelReplaceMode'"],
      [{ ...NEW_ORDER, cancelRestrictions: 'NEVER' }, 400, -1145, 'Invalid cancelRestrictions'],
      [{ ...NEW_ORDER, orderRateLimitExceededMode: 'CANCEL_ONLY' }, 400, -1104, ''],
    ];
    for (const [params, status, code, text] of cases) {
      const a = await cancelReplace(gw, { cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrderId: String(id), ...params });
      expect([a.status, (a.body as { code: number }).code], JSON.stringify(params)).toEqual([status, code]);
      expect((a.body as { msg: string }).msg).toContain(text);
      expect((a.body as { data?: unknown }).data).toBeUndefined();
    }
    const noMode = await cancelReplace(gw, { ...NEW_ORDER, cancelOrderId: String(id) });
    expect(noMode.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'cancelReplaceMode' was not sent, was empty/null, or malformed.",
    });
    const noId = await cancelReplace(gw, { ...NEW_ORDER, cancelReplaceMode: 'STOP_ON_FAILURE' });
    expect(noId.body).toEqual({
      code: -1102,
      msg: "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, but both were empty/null!",
    });
    expect(await statusOf(gw, 'stays')).toBe('NEW');
    expect(await unfilledToday(gw)).toBe(1); // the refused requests placed nothing, counted nothing
    // A restriction the order does not meet is the cancel's failure: nothing placed.
    const restricted = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: String(id),
      cancelRestrictions: 'ONLY_PARTIALLY_FILLED',
    });
    expect(restricted.body).toMatchObject({
      code: -2022,
      data: { cancelResult: 'FAILURE', cancelResponse: { code: -2011 }, newOrderResult: 'NOT_ATTEMPTED' },
    });
    expect(await openIds(gw)).toEqual(['stays']);
    const info = await raw(gw, 'GET', 'exchangeInfo', { symbol: SYMBOL });
    expect((info.body as { symbols: Array<{ cancelReplaceAllowed: boolean }> }).symbols[0]?.cancelReplaceAllowed).toBe(
      true,
    );
  });

  it('a cancel whose answer is lost in a 5xx window is the request’s answer, and no new order is placed', async () => {
    const file = path.join(dir, '5xx.yaml');
    writeFileSync(
      file,
      `${readFileSync(BTC_FIXTURE, 'utf8')}faults:\n  - { kind: http_5xx, from: PT10M, until: PT20M, probability: 1 }\n`,
    );
    // The gateway's clock, moved on by the test into the window (no wait on the wall clock).
    let shift = 0;
    const gw = await binanceGateway(file, { now: () => Date.now() + shift });
    const id = await restingBuy(gw, 'before');
    // Every order the gateway tries to place from here on, counted.
    let placeCalls = 0;
    const place = gw.orders.place.bind(gw.orders);
    gw.orders.place = (parsed) => {
      placeCalls++;
      return place(parsed);
    };
    shift = gw.venue.startedAt + 10 * 60_000 + 1000 - Date.now();
    const stamp = () => String(Date.now() + shift);
    const a = await cancelReplace(gw, {
      ...NEW_ORDER,
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrderId: String(id),
      newClientOrderId: 'after',
      timestamp: stamp(),
    });
    expect([a.status, (a.body as { code: number }).code]).toEqual([503, -1007]);
    expect(placeCalls).toBe(0);
    expect(gw.orders.desk.byClientOrderId('after')).toBeUndefined();
    shift = gw.venue.startedAt + 20 * 60_000 - Date.now();
    const looked = await raw(
      gw,
      'GET',
      'order',
      { symbol: SYMBOL, origClientOrderId: 'after', timestamp: stamp() },
      true,
    );
    expect(looked.body).toEqual({ code: -2013, msg: 'Order does not exist.' });
  });
});
