// For the adapter's tests: ccxt's Binance class with the markets of a Binance exchangeInfo
// answer parsed by ccxt's own parseMarket, as its fetchMarkets does (which first resets the
// margin pairs it would read from sapi). No request is made.
import ccxt from 'ccxt';
import { readFileSync } from 'node:fs';
import type { MarketInterface } from 'ccxt';

export const EXCHANGE_INFO = JSON.parse(readFileSync('test/fixtures/binance/exchange-info.json', 'utf8')) as {
  symbols: Array<Record<string, unknown>>;
};

/** A ccxt Binance exchange whose markets are those of `info` (the fixture by default). */
export function exchangeWithMarkets(info: { symbols: Array<Record<string, unknown>> } = EXCHANGE_INFO) {
  const ex = new ccxt.pro.binance({
    options: { defaultType: 'spot', crossMarginPairsData: [], isolatedMarginPairsData: [] },
  });
  ex.setMarkets(info.symbols.map((s) => ex.parseMarket(s)));
  return ex;
}

export const btcusdt = (ex: ReturnType<typeof exchangeWithMarkets>): MarketInterface => ex.market('BTC/USDT');
