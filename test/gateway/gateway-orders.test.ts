// The venue-neutral order desk on its own (src/gateway/gateway-orders.ts), with no venue's JSON
// in between: what each request's answer is, which events it tells and in what order, what
// exists and which client ids stay used. The static AAPL book: a market buy of 30 takes 10 at
// 187.50 and 20 at 187.60; a buy limit at 187.00 rests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Symbol } from '../../src/core/model/ids.ts';
import type { OrderType, Side } from '../../src/core/model/order.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import { ALPACA_PROFILE } from '../../src/gateway/alpaca/alpaca-profile.ts';
import type { DeskEvent, DeskOrder, DeskRecord } from '../../src/gateway/desk-record.ts';
import { GatewayOrders } from '../../src/gateway/gateway-orders.ts';
import { GatewayVenue } from '../../src/gateway/gateway-venue.ts';
import { FIXTURE, onCleanup, waitFor } from '../support/gateway-harness.ts';

function desk(file = FIXTURE) {
  const gv = GatewayVenue.load(file, { profile: ALPACA_PROFILE });
  const told: string[] = [];
  const events: DeskEvent[] = [];
  let n = 0;
  const orders = new GatewayOrders(
    gv,
    (e) => {
      events.push(e);
      told.push(
        e.kind === 'fill'
          ? `fill ${e.rec.clientOrderId} ${e.trades} ${e.positionAfter}`
          : `${e.kind} ${e.rec.clientOrderId}`,
      );
    },
    () => `id-${++n}`,
  );
  gv.start();
  onCleanup(() => gv.stop());
  const order = (side: Side, type: OrderType, qty: number, limitPrice: number | null = null): DeskOrder => ({
    side,
    type,
    tif: 'GTC',
    qty,
    limitPrice,
    stopPrice: null,
  });
  const place = (o: DeskOrder, clientId: string) =>
    orders.place(o, clientId, (rec, report): [DeskRecord, VenueMessage] => [rec, report]);
  return { gv, orders, told, events, order, place };
}

describe('GatewayOrders', () => {
  it('a market buy: acknowledged, told new then each execution with the position after it', async () => {
    const { orders, told, order, place } = desk();
    const [rec, answer] = await place(order('buy', 'market', 30), 'c1');
    expect(answer.kind).toBe('AckReport');
    await waitFor(() => orders.status(rec) === 'filled');
    await waitFor(() => told.length >= 3);
    expect(told).toEqual(['new c1', 'fill c1 1 10', 'fill c1 2 30']);
    expect(orders.orders()).toEqual([rec]);
    expect(orders.byClientOrderId('c1')).toBe(rec);
    expect(orders.holdings.executions().map((e) => e.trade.qty)).toEqual([10, 20]);
  });

  it('a resting limit cancelled: pending_cancel, then closed; a second cancel sends nothing', async () => {
    const { orders, told, order, place } = desk();
    const [rec] = await place(order('buy', 'limit', 5, 18_700), 'c1');
    expect(orders.status(rec)).toBe('new');
    expect(orders.holdings.lockedForBuys()).toBe(5 * 18_700);
    const answer = await orders.cancel(rec, (r) => r?.kind ?? null);
    expect(answer).toBe('CancelReport');
    expect(orders.status(rec)).toBe('canceled');
    expect(told).toEqual(['new c1', 'pending_cancel c1', 'closed c1']);
    expect(await orders.cancel(rec, (r) => r?.kind ?? null)).toBeNull();
    expect(orders.clientIdUsed('c1')).toBe(true);
  });

  it('an order the exchange refuses is forgotten: nothing listed, nothing told, its client id free', async () => {
    const { orders, told, order, place } = desk();
    const [rec, answer] = await place(order('sell', 'market', 5), 'c1');
    expect(answer.kind).toBe('RejectReport');
    expect(orders.orders()).toEqual([]);
    expect(orders.visible(rec.id)).toBeUndefined();
    expect(orders.clientIdUsed('c1')).toBe(false);
    expect(told).toEqual([]);
  });

  it('a client id is open while its order is on its way or open; reused, it names its latest order', async () => {
    const { orders, order, place } = desk();
    const placing = place(order('buy', 'limit', 5, 18_700), 'c1');
    expect(orders.clientIdOpen('c1')).toBe(true); // on its way: a second copy would be a duplicate
    const [first] = await placing;
    expect(orders.clientIdOpen('c1')).toBe(true);
    await orders.cancel(first, () => null);
    expect([orders.clientIdOpen('c1'), orders.clientIdUsed('c1')]).toEqual([false, true]);
    const [second] = await place(order('buy', 'market', 10), 'c1');
    await waitFor(() => orders.status(second) === 'filled');
    expect(orders.byClientOrderId('c1')).toBe(second);
    // A reuse the exchange refuses (a sell of 99 when 10 are held) leaves the id naming the
    // order before it.
    const [refused, answer] = await place(order('sell', 'market', 99), 'c1');
    expect(answer.kind).toBe('RejectReport');
    expect(orders.visible(refused.id)).toBeUndefined();
    expect(orders.byClientOrderId('c1')).toBe(second);
    expect(orders.clientIdOpen('c1')).toBe(false);
    expect(orders.orders()).toEqual([first, second]);
  });

  it('a replace cancels, then places what the old order has left under the new client id', async () => {
    const { orders, told, order, place } = desk();
    const [old] = await place(order('buy', 'limit', 5, 18_700), 'c1');
    const o = orders.exchangeOrder(old);
    if (!o) throw new Error('not at the exchange');
    const [successor, answer] = await orders.replace(old, o, order('buy', 'limit', 99, 18_710), false, 'c2', {
      placed: (rec, report): [DeskRecord, VenueMessage] => [rec, report],
      cancelFailed: () => {
        throw new Error('the cancel failed');
      },
    });
    expect(answer.kind).toBe('AckReport');
    expect(successor).toMatchObject({ clientOrderId: 'c2', replaces: old.id, qty: 5, limitPrice: 18_710 });
    expect(orders.status(old)).toBe('replaced');
    expect(old.replacedBy).toBe(successor.id);
    expect(told).toEqual(['new c1', 'pending_replace c1', 'replaced c1', 'new c2']);
  });

  it('whatever is placed and cancelled: each order told new once and first, closed at most once and last, never overfilled', async () => {
    const action = fc.oneof(
      fc.record({ buy: fc.integer({ min: 18_690, max: 18_760 }), qty: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ cancel: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), async (actions) => {
        const { orders, events, order, place } = desk();
        const placed: DeskRecord[] = [];
        for (const [i, a] of actions.entries()) {
          if ('buy' in a) placed.push((await place(order('buy', 'limit', a.qty, a.buy), `c${i}`))[0]);
          else if (placed.length > 0) await orders.cancel(placed[a.cancel % placed.length] as DeskRecord, () => null);
        }
        // Every order ends filled, cancelled or resting, and its events have all been told.
        await waitFor(() =>
          orders.orders().every((r) => {
            const s = orders.status(r);
            const filled = orders.exchangeOrder(r)?.filled ?? 0;
            const fills = events.filter((e) => e.rec === r && e.kind === 'fill').length;
            const closed = events.some((e) => e.rec === r && e.kind === 'closed');
            return (
              (s === 'canceled') === closed &&
              fills === (orders.exchangeOrder(r)?.trades.length ?? 0) &&
              filled <= r.qty
            );
          }),
        );
        for (const r of orders.orders()) {
          const kinds = events.filter((e) => e.rec === r).map((e) => e.kind);
          expect(kinds[0]).toBe('new');
          expect(kinds.filter((k) => k === 'new')).toHaveLength(1);
          expect(kinds.filter((k) => k === 'closed').length).toBeLessThanOrEqual(1);
          if (kinds.includes('closed')) expect(kinds.at(-1)).toBe('closed');
          const o = orders.exchangeOrder(r);
          expect(o?.filled ?? 0).toBeLessThanOrEqual(r.qty);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('GatewayOrders serving two symbols', () => {
  // scenarios/gateway/aapl-msft.yaml: AAPL asks 10 at 187.50, 300 at 187.60; MSFT asks 50 at
  // 415.20, bids 100 at 415.00; 20 MSFT held at the start; 100,000 in cash for both.
  const two = () => desk('scenarios/gateway/aapl-msft.yaml');
  const MSFT = 'MSFT' as Symbol;

  it("routes each order to its symbol's book; positions after each fill are that symbol's", async () => {
    const { gv, orders, told, order, place } = two();
    const [aapl] = await place(order('buy', 'market', 30), 'a1');
    const [msft] = await place({ ...order('buy', 'market', 5), symbol: MSFT }, 'm1');
    expect([aapl.symbol, msft.symbol]).toEqual(['AAPL', 'MSFT']);
    await waitFor(() => orders.status(aapl) === 'filled' && orders.status(msft) === 'filled');
    await waitFor(() => told.length >= 5);
    expect(told.filter((t) => t.includes('m1'))).toEqual(['new m1', 'fill m1 1 25']);
    expect(told.filter((t) => t.includes('a1'))).toEqual(['new a1', 'fill a1 1 10', 'fill a1 2 30']);
    expect(orders.exchangeOrder(msft)?.trades.map((t) => t.price)).toEqual([41_520]);
    expect(gv.desk.positionOf(MSFT)).toBe(25);
    expect(gv.desk.position).toBe(30);
    // One cash balance paid for both.
    expect(gv.desk.quoteBalance).toBe(10_000_000 - (10 * 18_750 + 20 * 18_760) - 5 * 41_520);
  });

  it('what a sell may take and what buys lock: lots per symbol, quote over both', async () => {
    const { orders, order, place } = two();
    await place({ ...order('sell', 'limit', 8, 42_000), symbol: MSFT }, 'm-sell');
    await place(order('buy', 'limit', 5, 18_700), 'a-buy');
    await place({ ...order('buy', 'limit', 2, 41_000), symbol: MSFT }, 'm-buy');
    expect(orders.holdings.sellable(null, MSFT)).toBe(12);
    expect(orders.holdings.heldForSells(MSFT)).toBe(8);
    expect(orders.holdings.sellable(null)).toBe(0); // AAPL: none held
    expect(orders.holdings.lockedForBuys()).toBe(5 * 18_700 + 2 * 41_000);
  });

  it('an order for a symbol the gateway does not serve is a bug of the wire: it throws, nothing is placed', async () => {
    const { orders, order, place } = two();
    await expect(place({ ...order('buy', 'market', 1), symbol: 'TSLA' as Symbol }, 't1')).rejects.toThrow(
      /does not serve TSLA/,
    );
    expect(orders.orders()).toEqual([]);
    expect(orders.clientIdUsed('t1')).toBe(false);
  });
});
