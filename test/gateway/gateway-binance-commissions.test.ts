// The Binance gateway's commissions in another asset than the traded pair's: with commissions
// stated in BNB at a price, it lists BNBUSDT for that price only (exchangeInfo with status BREAK,
// the tickers; no book, trades or orders), which ccxt reads as any bot would; a scenario without
// such a commission (or a gateway told not to) lists the one symbol as before. Commissions stated
// in the base asset come out of the base balance, as Binance's do, and not out of the quote.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_KEY, binanceGateway, ccxtClient, raw } from '../support/binance-gateway-harness.ts';

const BNB_VENUE = 'test/fixtures/paper/binance-bnb-fees-venue.yaml';
const BTC_VENUE = 'test/fixtures/paper/binance-btc-fees-venue.yaml';

type Info = { symbols: Array<Record<string, unknown>> };

describe('the commission asset listed for its price', () => {
  it('exchangeInfo lists BNBUSDT, not trading; the tickers state its price; nothing else serves it', async () => {
    const gw = await binanceGateway(BNB_VENUE);
    const info = (await raw(gw, 'GET', 'exchangeInfo')).body as Info;
    expect(info.symbols.map((s) => [s['symbol'], s['status']])).toEqual([
      ['BTCUSDT', 'TRADING'],
      ['BNBUSDT', 'BREAK'],
    ]);
    expect(info.symbols[1]).toMatchObject({ baseAsset: 'BNB', quoteAsset: 'USDT', isSpotTradingAllowed: false });
    const trading = (await raw(gw, 'GET', 'exchangeInfo', { symbolStatus: 'TRADING' })).body as Info;
    expect(trading.symbols.map((s) => s['symbol'])).toEqual(['BTCUSDT']);
    const one = (await raw(gw, 'GET', 'exchangeInfo', { symbol: 'BNBUSDT' })).body as Info;
    expect(one.symbols.map((s) => s['symbol'])).toEqual(['BNBUSDT']);

    expect((await raw(gw, 'GET', 'ticker/price', { symbol: 'BNBUSDT' })).body).toEqual({
      symbol: 'BNBUSDT',
      price: '500.00000000',
    });
    expect((await raw(gw, 'GET', 'ticker/24hr', { symbol: 'BNBUSDT' })).body).toMatchObject({
      symbol: 'BNBUSDT',
      lastPrice: '500.00000000',
      openPrice: '500.00000000',
      volume: '0.00000000',
      count: 0,
    });
    const both = (await raw(gw, 'GET', 'ticker/price', { symbols: '["BNBUSDT","BTCUSDT"]' })).body as Array<
      Record<string, unknown>
    >;
    expect(both.map((t) => t['symbol'])).toEqual(['BNBUSDT', 'BTCUSDT']);
    expect(((await raw(gw, 'GET', 'ticker/24hr', { type: 'MINI' })).body as unknown[]).length).toBe(2);
    expect((await raw(gw, 'GET', 'ticker/bookTicker', { symbol: 'BNBUSDT' })).body).toMatchObject({
      bidPrice: '0.00000000',
      askPrice: '0.00000000',
    });

    for (const p of ['depth', 'trades', 'klines', 'avgPrice'])
      expect(
        (await raw(gw, 'GET', p, { symbol: 'BNBUSDT', ...(p === 'klines' ? { interval: '1m' } : {}) })).body,
        p,
      ).toMatchObject({ code: -1121 });
    const order = await raw(
      gw,
      'POST',
      'order',
      { symbol: 'BNBUSDT', side: 'BUY', type: 'MARKET', quantity: '1' },
      true,
      API_KEY,
    );
    expect(order.body).toMatchObject({ code: -1121 });

    // ccxt loads both markets and reads the price as the Binance adapter does.
    const ex = await ccxtClient(gw);
    const markets = await ex.loadMarkets();
    expect(markets['BTC/USDT']?.active).toBe(true);
    expect(markets['BNB/USDT']?.active).toBe(false);
    expect((await ex.fetchTicker('BNB/USDT')).last).toBe(500);
  });

  it('lists the one symbol without a commission in another asset, or when told not to', async () => {
    for (const gw of [await binanceGateway(), await binanceGateway(BNB_VENUE, { commissionTicker: false })]) {
      const info = (await raw(gw, 'GET', 'exchangeInfo')).body as Info;
      expect(info.symbols.map((s) => s['symbol'])).toEqual(['BTCUSDT']);
      expect((await raw(gw, 'GET', 'ticker/price', { symbol: 'BNBUSDT' })).body).toMatchObject({ code: -1121 });
    }
  });
});

describe('commissions in the base asset', () => {
  it('come out of the base balance, not the quote', async () => {
    const gw = await binanceGateway(BTC_VENUE);
    const ex = await ccxtClient(gw);
    const buy = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    expect(buy.trades?.map((t) => [t.fee?.currency, t.fee?.cost])).toEqual([['BTC', 0.0000075]]);
    const body = (await raw(gw, 'GET', 'account', {}, true)).body as {
      balances: Array<{ asset: string; free: string; locked: string }>;
    };
    expect(body.balances).toEqual([
      { asset: 'BTC', free: '0.00999250', locked: '0.00000000' },
      { asset: 'USDT', free: '999350.00000000', locked: '0.00000000' },
    ]);
  });
});

describe('commissions at Binance places', () => {
  it('a commission whose conversion has more than 8 places is stated rounded to 8', async () => {
    // The BNB venue at 300 USDT a BNB: 0.0001 BTC at 65000 pays 0.0065 USDT, 0.00002166... BNB.
    const dir = mkdtempSync(path.join(tmpdir(), 'execsim-bnb-300-'));
    try {
      const file = path.join(dir, 'venue.yaml');
      writeFileSync(
        file,
        readFileSync(BNB_VENUE, 'utf8').replace('commissionAssetPrice: "500"', 'commissionAssetPrice: "300"'),
      );
      const gw = await binanceGateway(file);
      const buy = await raw(
        gw,
        'POST',
        'order',
        { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0001' },
        true,
      );
      expect((buy.body as { fills: unknown[] }).fills).toEqual([
        {
          price: '65000.00000000',
          qty: '0.00010000',
          commission: '0.00002167',
          commissionAsset: 'BNB',
          tradeId: expect.any(Number),
        },
      ]);
      const trades = await raw(gw, 'GET', 'myTrades', { symbol: 'BTCUSDT' }, true);
      expect((trades.body as Array<{ commission: string }>).map((t) => t.commission)).toEqual(['0.00002167']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
