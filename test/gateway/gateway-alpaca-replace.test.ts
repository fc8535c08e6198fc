// PATCH /v2/orders/{id} through the real SDK (patchOrderByOrderId): the gateway replaces an order
// as a cancel followed by a submit on the simulated venue. The old order ends `replaced` with
// `replaced_by`, the new one carries `replaces`; the stream says pending_replace and replaced for
// the old order and new for its successor. The book is test/fixtures/gateway/alpaca-aapl.yaml
// (asks 10 at 187.50, 100 at 187.60; bids 20 at 187.40). No sleeps: every wait is bounded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { streaming as sdkStreaming } from '@alpacahq/alpaca-trade-api';
import { priceToTicks } from '../../src/core/model/instrument.ts';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import type { TradeUpdate } from '../../src/gateway/alpaca/alpaca-orders.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { FIXTURE, gateway, KEY, onCleanup, refusal, SECRET, waitFor } from '../support/gateway-harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'execsim-gateway-replace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function streaming(gw: AlpacaGateway) {
  const c = gatewayClient(gw.url, KEY, SECRET);
  const updates: sdkStreaming.TradeUpdate[] = [];
  let listening = 0;
  c.updates.onTradeUpdate((u) => updates.push(u));
  c.updates.on('subscription' as never, () => (listening += 1));
  onCleanup(() => c.updates.disconnect());
  c.updates.connect();
  expect((await c.updates.whenAuthenticated()).authenticated).toBe(true);
  await waitFor(() => listening >= 1);
  return { ...c, updates };
}

describe('PATCH /v2/orders/{id}: replace as cancel-then-submit', () => {
  it('replaces a resting limit: new id with replaces, old replaced with replaced_by, events in order', async () => {
    const gw = await gateway();
    const c = await streaming(gw);
    const orders = c.alpaca.trading.orders;
    const old = await orders.limit({ symbol: 'AAPL', qty: 5, side: 'buy', limitPrice: 186, clientOrderId: 'r-old' });
    const next = await orders.patchOrderByOrderId({
      orderId: old.id as string,
      patchOrderRequest: { qty: '7', limitPrice: '186.5', timeInForce: 'gtc', clientOrderId: 'r-new' },
    });
    expect(next.id).not.toBe(old.id);
    expect([next.qty, next.limitPrice, next.timeInForce, next.clientOrderId, next.status]).toEqual([
      '7',
      '186.5',
      'gtc',
      'r-new',
      'new',
    ]);
    expect(next.replaces).toBe(old.id);
    const was = await orders.getOrderByOrderID({ orderId: old.id as string });
    expect(was.status).toBe('replaced');
    expect(was.replacedBy).toBe(next.id);
    expect(was.replacedAt).toBeInstanceOf(Date);
    expect(was.canceledAt ?? null).toBeNull();
    const open = await orders.getAllOrders({ status: 'open' });
    expect(open.map((o) => o.id)).toEqual([next.id]);
    // Buying power: only the new order locks cash.
    expect((await c.alpaca.trading.account.getAccount()).buyingPower).toBe(String(100000 - 7 * 186.5));

    await waitFor(() => c.updates.some((u) => u.event === 'replaced') && c.updates.length >= 4);
    expect(c.updates.map((u) => [u.event, u.order.id])).toEqual([
      ['new', old.id],
      ['pending_replace', old.id],
      ['replaced', old.id],
      ['new', next.id],
    ]);
    const replaced = c.updates[2] as sdkStreaming.TradeUpdate;
    expect(replaced.order.status).toBe('replaced');
    expect(replaced.order.replacedBy).toBe(next.id);
    // The old order's client id stays taken.
    expect(
      await refusal(orders.limit({ symbol: 'AAPL', qty: 1, side: 'buy', limitPrice: 180, clientOrderId: 'r-old' })),
    ).toMatchObject({ status: 422, code: 40010001 });
  });

  it('a replace that makes the order marketable fills the new order; qty defaults to what is left', async () => {
    const gw = await gateway();
    const c = await streaming(gw);
    const orders = c.alpaca.trading.orders;
    const old = await orders.limit({ symbol: 'AAPL', qty: 4, side: 'buy', limitPrice: 187 });
    const next = await orders.patchOrderByOrderId({
      orderId: old.id as string,
      patchOrderRequest: { limitPrice: '187.5' },
    });
    expect(next.qty).toBe('4');
    const filled = await waitFor(async () => {
      const o = await orders.getOrderByOrderID({ orderId: next.id as string });
      return o.status === 'filled' && o;
    });
    expect(filled.filledAvgPrice).toBe('187.5');
    expect((await orders.getOrderByOrderID({ orderId: old.id as string })).filledQty).toBe('0');
  });

  it('refuses what cannot be replaced with Alpaca bodies, and leaves the order as it was', async () => {
    const gw = await gateway();
    const c = await streaming(gw);
    const orders = c.alpaca.trading.orders;
    const filled = await orders.market({ symbol: 'AAPL', qty: 1, side: 'buy' });
    await waitFor(async () => (await orders.getOrderByOrderID({ orderId: filled.id as string })).status === 'filled');
    expect(
      await refusal(orders.patchOrderByOrderId({ orderId: filled.id as string, patchOrderRequest: { qty: '2' } })),
    ).toMatchObject({ status: 422, code: 42210000, message: expect.stringContaining('"filled"') });

    const resting = await orders.limit({ symbol: 'AAPL', qty: 2, side: 'buy', limitPrice: 180, clientOrderId: 'keep' });
    const unchanged = await refusal(
      orders.patchOrderByOrderId({ orderId: resting.id as string, patchOrderRequest: { qty: '2' } }),
    );
    expect(unchanged).toMatchObject({ status: 403, code: 40310000 });
    expect(
      await refusal(
        orders.patchOrderByOrderId({ orderId: resting.id as string, patchOrderRequest: { limitPrice: '180.001' } }),
      ),
    ).toMatchObject({ status: 422, code: 42210000 });
    expect(
      await refusal(
        orders.patchOrderByOrderId({ orderId: resting.id as string, patchOrderRequest: { clientOrderId: 'keep' } }),
      ),
    ).toMatchObject({ status: 422, code: 40010001 });
    // A name every object inherits is no time in force either: refused before the order is touched.
    for (const tif of ['constructor', 'toString', '__proto__'])
      expect(
        await refusal(
          orders.patchOrderByOrderId({
            orderId: resting.id as string,
            patchOrderRequest: { timeInForce: tif as never },
          }),
        ),
      ).toMatchObject({ status: 422, code: 40010001, message: `invalid time_in_force "${tif}"` });
    expect(
      await refusal(
        orders.patchOrderByOrderId({
          orderId: '00000000-0000-4000-8000-000000000000',
          patchOrderRequest: { qty: '1' },
        }),
      ),
    ).toMatchObject({ status: 404, code: 40410000 });
    const still = await orders.getOrderByOrderID({ orderId: resting.id as string });
    expect([still.status, still.qty, still.limitPrice]).toEqual(['new', '2', '180']);
    expect(c.updates.filter((u) => u.order.id === resting.id).map((u) => u.event)).toEqual(['new']);
  });

  it('a successor the venue refuses leaves the old order canceled (not atomic) and answers the refusal', async () => {
    const gw = await gateway();
    const c = await streaming(gw);
    const orders = c.alpaca.trading.orders;
    const old = await orders.limit({ symbol: 'AAPL', qty: 10, side: 'buy', limitPrice: 180 });
    // 600 at 180 costs 108,000: more than the account's 100,000, which the venue checks at submit.
    const refused = await refusal(
      orders.patchOrderByOrderId({ orderId: old.id as string, patchOrderRequest: { qty: '600' } }),
    );
    expect(refused).toMatchObject({ status: 403, code: 40310000 });
    const was = await orders.getOrderByOrderID({ orderId: old.id as string });
    expect([was.status, was.replacedBy ?? null]).toEqual(['canceled', null]);
    await waitFor(() => c.updates.some((u) => u.event === 'canceled'));
    expect(c.updates.map((u) => u.event)).toEqual(['new', 'pending_replace', 'canceled']);
    expect(await orders.getAllOrders({ status: 'all' })).toHaveLength(1);
  });
});

describe('PATCH without qty: the replacement is what was left when the cancel took effect', () => {
  it('a fill landing on the old order while the cancel travels is not placed again', async () => {
    // Order entry takes 400 ms: the PATCH's cancel is on its way that long.
    const file = path.join(dir, 'slow-entry.yaml');
    const text = readFileSync(FIXTURE, 'utf8').replace('orderEntry: 1,', 'orderEntry: 400,');
    expect(text).toContain('orderEntry: 400,');
    writeFileSync(file, text);
    const updates: TradeUpdate[] = [];
    const gw = await gateway(file, { onUpdate: (u) => updates.push(u) });
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const orders = alpaca.trading.orders;
    // Inside the spread (bid 187.40, ask 187.50): nothing is ahead of it, so a trade there fills it.
    const old = await orders.limit({ symbol: 'AAPL', qty: 40, side: 'buy', limitPrice: 187.45 });
    const patched = orders.patchOrderByOrderId({
      orderId: old.id as string,
      patchOrderRequest: { limitPrice: '187.44' },
    });
    // The replace has begun (pending_replace): its cancel is on its way. Another participant sells
    // 10 at 187.45, on the venue's clock as a market model's trade would be: the old order fills 10.
    await waitFor(() => updates.some((u) => u.event === 'pending_replace'));
    const price = priceToTicks(gw.venue.instrument, '187.45');
    gw.venue.clock.post(() => {
      gw.venue.venue.marketTrade(price, 10);
      gw.venue.exchange.marketTrade(price, 10, 'sell');
    }, 0);
    const next = await patched;
    const was = await orders.getOrderByOrderID({ orderId: old.id as string });
    expect([was.status, was.filledQty, was.replacedBy]).toEqual(['replaced', '10', next.id]);
    expect([next.qty, next.limitPrice, next.replaces, next.status]).toEqual(['30', '187.44', old.id, 'new']);
    await waitFor(() => updates.some((u) => u.event === 'new' && u.order['id'] === next.id));
    expect(updates.map((u) => [u.event, u.order['id']])).toEqual([
      ['new', old.id],
      ['pending_replace', old.id],
      ['partial_fill', old.id],
      ['replaced', old.id],
      ['new', next.id],
    ]);
    // Buying power: the old order's 10 are bought, the replacement locks its 30 at 187.44.
    const account = await alpaca.trading.account.getAccount();
    expect(Number(account.buyingPower)).toBeCloseTo(100000 - 10 * 187.45 - 30 * 187.44, 6);
  });
});
