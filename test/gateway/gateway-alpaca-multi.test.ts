// The real Alpaca SDK (v4) against `execsim gateway alpaca` serving two symbols on one account
// (scenarios/gateway/aapl-msft.yaml: static books, AAPL asks 10 at 187.50 and 300 at 187.60, bids
// 200 at 187.40; MSFT asks 50 at 415.20 and 400 at 415.40, bids 100 at 415.00; 100,000 in cash
// and 20 MSFT held at the start). Orders on either symbol fill on its own book; positions, the
// account, the stream, activities and the market data (REST and the stream) cover both; a symbol
// the gateway does not serve is answered as Alpaca answers an asset it does not have.
// No sleeps: every wait is for a condition, bounded.
import { describe, expect, it } from 'vitest';
import { timeFrame, TimeFrameUnit, type streaming as sdkStreaming } from '@alpacahq/alpaca-trade-api';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { gateway, KEY, onCleanup, refusal, SECRET, waitFor } from '../support/gateway-harness.ts';

const TWO = 'scenarios/gateway/aapl-msft.yaml';

async function streaming(gw: AlpacaGateway) {
  const c = gatewayClient(gw.url, KEY, SECRET);
  const updates: sdkStreaming.TradeUpdate[] = [];
  const listening: unknown[] = [];
  c.updates.onTradeUpdate((u) => updates.push(u));
  c.updates.on('subscription' as never, (s: unknown) => listening.push(s));
  onCleanup(() => c.updates.disconnect());
  c.updates.connect();
  expect((await c.updates.whenAuthenticated()).authenticated).toBe(true);
  await waitFor(() => listening.length >= 1);
  return { ...c, updates };
}

describe('execsim gateway alpaca serving two symbols, through the real SDK', () => {
  it('orders on both symbols fill on their own books; positions, account, stream and activities cover both', async () => {
    const gw = await gateway(TWO);
    const c = await streaming(gw);
    const { orders, positions, account } = c.alpaca.trading;
    const before = await account.getAccount();
    expect(before.cash).toBe('100000');
    // The 20 MSFT held at the start, at MSFT's mid (415.10).
    expect(before.equity).toBe('108302');

    const aapl = await orders.market({ symbol: 'AAPL', qty: 30, side: 'buy', clientOrderId: 'a-1' });
    const msft = await orders.market({ symbol: 'MSFT', qty: 10, side: 'buy', clientOrderId: 'm-1' });
    expect([aapl.symbol, msft.symbol]).toEqual(['AAPL', 'MSFT']);
    const filled = async (id: string) =>
      waitFor(async () => {
        const o = await orders.getOrderByOrderID({ orderId: id });
        return o.status === 'filled' && o;
      });
    expect(Number((await filled(aapl.id as string)).filledAvgPrice)).toBeCloseTo((10 * 187.5 + 20 * 187.6) / 30, 5);
    expect((await filled(msft.id as string)).filledAvgPrice).toBe('415.2');

    // The stream: each symbol's executions, each with that symbol's position after it.
    await waitFor(() => c.updates.filter((u) => u.event === 'fill').length >= 2);
    const fills = c.updates.filter((u) => u.executionId);
    expect(fills.map((u) => [u.order.symbol, u.qty, u.price, u.positionQty])).toEqual([
      ['AAPL', '10', '187.5', '10'],
      ['AAPL', '20', '187.6', '30'],
      ['MSFT', '10', '415.2', '30'],
    ]);

    const open = await positions.getAllOpenPositions();
    expect(open.map((p) => [p.symbol, p.qty, p.qtyAvailable])).toEqual([
      ['AAPL', '30', '30'],
      ['MSFT', '30', '30'],
    ]);
    const one = await positions.getOpenPosition({ symbolOrAssetId: 'MSFT' });
    expect([one.symbol, one.qty, one.marketValue]).toEqual(['MSFT', '30', '12453']);
    // By asset id as well, as Alpaca takes either.
    const asset = await c.alpaca.trading.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'MSFT' });
    expect(asset.symbol).toBe('MSFT');
    const byId = await positions.getOpenPosition({ symbolOrAssetId: asset.id as string });
    expect(byId.symbol).toBe('MSFT');

    // One cash balance paid for both; equity is it plus both positions at their marks (the
    // static books' displayed mids: AAPL's still shows 187.50 on the ask, 187.45).
    const after = await account.getAccount();
    expect(after.cash).toBe(String(100_000 - (10 * 187.5 + 20 * 187.6) - 10 * 415.2));
    const values = open.map((p) => Number(p.marketValue));
    expect(values).toEqual([30 * 187.45, 30 * 415.1]);
    expect(Number(after.longMarketValue)).toBeCloseTo(values[0]! + values[1]!, 6);
    expect(Number(after.equity)).toBeCloseTo(90_221 + values[0]! + values[1]!, 6);

    const activities = await c.alpaca.trading.accountActivities.getAccountActivitiesByActivityType({
      activityType: 'FILL',
    });
    expect(activities.map((a) => (a as { symbol: string }).symbol).sort()).toEqual(['AAPL', 'AAPL', 'MSFT']);
    const listed = await orders.getAllOrders({ status: 'all', symbols: 'MSFT' });
    expect(listed.map((o) => o.clientOrderId)).toEqual(['m-1']);

    // Closing every position: one market sell per symbol, both filled on their own books.
    const closed = await positions.deleteAllOpenPositions();
    expect(closed.map((r) => [r.symbol, r.status])).toEqual([
      ['AAPL', 200],
      ['MSFT', 200],
    ]);
    await waitFor(async () => (await positions.getAllOpenPositions()).length === 0);
    const end = await account.getAccount();
    expect(end.cash).toBe(String(90_221 + 30 * 187.4 + 30 * 415));
  });

  it('a sell is checked against its own symbol; replace and cancel keep the order on its symbol', async () => {
    const gw = await gateway(TWO);
    const { orders } = gatewayClient(gw.url, KEY, SECRET).alpaca.trading;
    // AAPL: none held, whatever MSFT holds.
    expect(await refusal(orders.market({ symbol: 'AAPL', qty: 1, side: 'sell' }))).toMatchObject({ status: 403 });
    expect(await refusal(orders.market({ symbol: 'MSFT', qty: 21, side: 'sell' }))).toMatchObject({ status: 403 });
    const sell = await orders.limit({ symbol: 'MSFT', qty: 20, side: 'sell', limitPrice: 420, timeInForce: 'gtc' });
    expect(sell.status).toBe('new');
    // All 20 are held by the open sell now.
    expect(await refusal(orders.market({ symbol: 'MSFT', qty: 1, side: 'sell' }))).toMatchObject({ status: 403 });
    const replaced = await orders.patchOrderByOrderId({
      orderId: sell.id as string,
      patchOrderRequest: { qty: '5', limitPrice: '421' },
    });
    expect([replaced.symbol, replaced.qty, replaced.limitPrice]).toEqual(['MSFT', '5', '421']);
    await orders.deleteOrderByOrderID({ orderId: replaced.id as string });
    const cancelled = await waitFor(async () => {
      const o = await orders.getOrderByOrderID({ orderId: replaced.id as string });
      return o.status === 'canceled' && o;
    });
    expect(cancelled.symbol).toBe('MSFT');
  });

  it('a symbol the gateway does not serve: 422 on an order, 404 on its position, asset and latest quote', async () => {
    const gw = await gateway(TWO);
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    expect(await refusal(alpaca.trading.orders.market({ symbol: 'TSLA', qty: 1, side: 'buy' }))).toMatchObject({
      status: 422,
      message: expect.stringContaining('could not find asset "TSLA"'),
    });
    expect(await refusal(alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: 'TSLA' }))).toMatchObject({
      status: 404,
    });
    expect(await refusal(alpaca.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'TSLA' }))).toMatchObject({
      status: 404,
    });
    expect(await refusal(alpaca.trading.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'TSLA' }))).toMatchObject({
      status: 404,
    });
    expect(await refusal(alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'TSLA' }))).toMatchObject({
      status: 404,
    });
  });

  it('market data per symbol: latest quotes and trades, the symbols= forms, bars paged across symbols', async () => {
    const gw = await gateway(TWO);
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    await waitFor(() => gw.feeds.get('MSFT')?.quote() != null && gw.feed.quote() != null);
    const { quote: m } = await alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'MSFT' });
    expect([m.bp, m.ap]).toEqual([415, 415.2]);
    const { quote: a } = await alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'AAPL' });
    expect([a.bp, a.ap]).toEqual([187.4, 187.5]);
    const many = await alpaca.marketData.stocks.stockLatestQuotes({ symbols: 'AAPL,MSFT,TSLA' });
    expect(Object.keys(many.quotes).sort()).toEqual(['AAPL', 'MSFT']);
    expect(many.quotes['MSFT']?.ap).toBe(415.2);

    // Minute bars from a whole minute before the orders (a bar's time is its minute's start).
    const start = new Date(Math.floor((Date.now() - 60_000) / 60_000) * 60_000);
    await alpaca.trading.orders.market({ symbol: 'MSFT', qty: 60, side: 'buy' });
    await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 5, side: 'buy' });
    await waitFor(() => (gw.feeds.get('MSFT')?.prints.length ?? 0) >= 2 && gw.feed.prints.length >= 1);
    const trade = await alpaca.marketData.stocks.stockLatestTradeSingle({ symbol: 'MSFT' });
    expect([trade.trade.p, trade.trade.s]).toEqual([415.4, 10]);
    const trades = await alpaca.marketData.stocks.stockLatestTrades({ symbols: 'MSFT,AAPL' });
    expect([trades.trades['AAPL']?.p, trades.trades['MSFT']?.p]).toEqual([187.5, 415.4]);

    // A page of one bar at a time across both symbols: the SDK follows the tokens to the end.
    const bars = await alpaca.marketData.collectStockBarsBySymbol({
      symbols: ['MSFT', 'AAPL'],
      timeframe: timeFrame(1, TimeFrameUnit.Minute),
      start,
      limit: 1,
    });
    expect(Object.keys(bars).sort()).toEqual(['AAPL', 'MSFT']);
    expect(bars['MSFT']?.reduce((s, b) => s + b.v, 0)).toBe(60);
    expect(bars['AAPL']?.reduce((s, b) => s + b.v, 0)).toBe(5);
    const first = await alpaca.marketData.stocks.stockBars({
      symbols: 'MSFT,AAPL',
      timeframe: '1Min',
      start,
      limit: 1,
    });
    expect(Object.keys(first.bars)).toEqual(['AAPL']);
    expect(first.nextPageToken).toBeTruthy();
    expect(
      await refusal(
        alpaca.marketData.stocks.stockBars({ symbols: 'MSFT,AAPL', timeframe: '1Min', start, pageToken: 'bm9wZQ' }),
      ),
    ).toMatchObject({ status: 400 });
  });

  it("the market-data stream sends each subscribed symbol's trades and quotes, and no other's", async () => {
    const gw = await gateway(TWO);
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const data = alpaca.marketData.stockStream({ feed: 'iex', url: gw.dataStreamUrl, reconnect: false });
    onCleanup(() => data.disconnect());
    const trades: sdkStreaming.StreamTrade[] = [];
    const quotes: sdkStreaming.StreamQuote[] = [];
    data.onTrade((t) => trades.push(t));
    data.onQuote((q) => quotes.push(q));
    data.connect();
    expect((await data.whenAuthenticated()).authenticated).toBe(true);
    data.subscribeForTrades(['MSFT']);
    data.subscribeForQuotes(['MSFT']);
    await waitFor(() => data.getSubscriptions().trades.includes('MSFT'));
    await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 5, side: 'buy' });
    await alpaca.trading.orders.market({ symbol: 'MSFT', qty: 5, side: 'buy' });
    await waitFor(() => trades.length >= 1 && quotes.length >= 1);
    // The AAPL print came first: had it been sent, it would be here before MSFT's.
    expect(trades.map((t) => [t.symbol, t.price])).toEqual([['MSFT', 415.2]]);
    expect(new Set(quotes.map((q) => q.symbol))).toEqual(new Set(['MSFT']));
  });
});
