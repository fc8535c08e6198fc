// A symbol the gateway lists for its price only: the scenario's commission asset against the
// quote (BNBUSDT when `venue.fees.commissionAsset` is BNB at `commissionAssetPrice`), so a client
// that values its BNB commissions at the venue's ticker, as execsim's Binance adapter does, finds
// one, at the very price the venue states its commissions at. Nothing trades it: its status is
// BREAK (Binance's for a symbol not trading), it has no book, trades or orders (those endpoints
// answer -1121 for it), and exchangeInfo, the tickers (24hr, rolling, price) and bookTicker state its
// constant price with no volume.
import { assetsOf } from '../../core/fills/fees.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { TickerShape } from './ticker-stats.ts';
import { places8, ZERO8 } from './wire.ts';

type Json = Record<string, unknown>;

export interface PriceOnlySymbol {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** The price as Binance writes it ("500.00000000"). */
  readonly price: string;
}

/** The commission asset's symbol, when the scenario states commissions in an asset that is
 *  neither the instrument's base nor its quote (its price is then required); else null. */
export function priceOnlySymbol(scenario: Scenario, inst: Instrument): PriceOnlySymbol | null {
  const { commissionAsset: asset, commissionAssetPrice: price } = scenario.venue.fees;
  const { base, quote } = assetsOf(inst.symbol);
  if (asset === undefined || price === undefined || asset === base || asset === quote) return null;
  return { symbol: `${asset}${quote}`, base: asset, quote, price: places8(price) };
}

/** Its exchangeInfo entry: listed, not trading, no filters. */
export function priceOnlyInfo(p: PriceOnlySymbol): Json {
  return {
    symbol: p.symbol,
    status: 'BREAK',
    baseAsset: p.base,
    baseAssetPrecision: 8,
    quoteAsset: p.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    opoAllowed: false,
    quoteOrderQtyMarketAllowed: false,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: false,
    isMarginTradingAllowed: false,
    filters: [],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'NONE',
    allowedSelfTradePreventionModes: ['NONE'],
  };
}

/** GET /api/v3/ticker/24hr and GET /api/v3/ticker (rolling windows) over [openTime, closeTime]:
 *  the price all along, no volume, no trades; in the shape of the others (ticker-stats.ts). */
export function priceOnlyTicker(p: PriceOnlySymbol, openTime: number, closeTime: number, shape: TickerShape): Json {
  const mini = {
    openPrice: p.price,
    highPrice: p.price,
    lowPrice: p.price,
    lastPrice: p.price,
    volume: ZERO8,
    quoteVolume: ZERO8,
    openTime,
    closeTime,
    firstId: -1,
    lastId: -1,
    count: 0,
  };
  if (shape === 'mini') return { symbol: p.symbol, ...mini };
  const changes = { priceChange: ZERO8, priceChangePercent: '0.000', weightedAvgPrice: p.price };
  if (shape === 'fullRolling') return { symbol: p.symbol, ...changes, ...mini };
  const { lastPrice, ...rest } = mini;
  return {
    symbol: p.symbol,
    ...changes,
    prevClosePrice: p.price,
    lastPrice,
    lastQty: ZERO8,
    bidPrice: ZERO8,
    bidQty: ZERO8,
    askPrice: ZERO8,
    askQty: ZERO8,
    ...rest,
  };
}

/** GET /api/v3/ticker/price. */
export const priceOnlyPrice = (p: PriceOnlySymbol): Json => ({ symbol: p.symbol, price: p.price });

/** GET /api/v3/ticker/bookTicker: no book. */
export const priceOnlyBookTicker = (p: PriceOnlySymbol): Json => ({
  symbol: p.symbol,
  bidPrice: ZERO8,
  bidQty: ZERO8,
  askPrice: ZERO8,
  askQty: ZERO8,
});
