// The venue's markets of the instruments a Binance adapter trades, once loaded and checked
// against them (binance-adapter.ts): each with its instrument, ccxt's unified symbol and its
// assets, found by our symbol ("BTCUSDT") or ccxt's ("BTC/USDT").
import type { MarketInterface as Market } from 'ccxt';
import type { Instrument } from '../../core/model/instrument.ts';
import type { Assets } from '../../core/fills/commission-units.ts';

export interface ReadyMarket {
  /** The instrument traded on it. */
  readonly inst: Instrument;
  readonly market: Market;
  /** ccxt's unified symbol ("BTC/USDT"). */
  readonly symbol: string;
  readonly assets: Assets;
}

/** The markets of the instruments traded, found by our symbol ("BTCUSDT") or ccxt's ("BTC/USDT"). */
export class ReadyMarkets {
  constructor(readonly all: readonly [ReadyMarket, ...ReadyMarket[]]) {}

  /** The run's instrument's market. */
  get first(): ReadyMarket {
    return this.all[0];
  }

  /** The market of one of our symbols, or null. */
  of(symbol: string): ReadyMarket | null {
    return this.all.find((m) => m.inst.symbol === symbol) ?? null;
  }

  /** The market an order of `symbol` goes to: its own; with one market, that one whatever the
   *  symbol (as a single adapter always sent them); null for a symbol not traded among several. */
  forOrder(symbol: string): ReadyMarket | null {
    return this.all.length === 1 ? this.first : this.of(symbol);
  }

  /** The market of ccxt's unified symbol (an order's or a trade's), or null: not ours. */
  unified(symbol: string | undefined): ReadyMarket | null {
    return this.all.find((m) => m.symbol === symbol) ?? null;
  }
}
