// Fees and slippage of a detected fill: each trade's commission in quote (valued when the venue
// took it in another asset), and slippage in signed basis points against the expected price,
// positive when worse for us. Valuation rules and rounding: docs/0069-core-and-simulator-notes.md.
import type { Instrument } from '../model/instrument.ts';
import type { Side } from '../model/order.ts';
import type { ReportedTrade } from '../model/reports.ts';
import { commissionUnits, type Assets } from './commission-units.ts';

export type { Assets } from './commission-units.ts';

/** What a fee conversion reads of a trade (an inferred fill has these too). */
export type FeeTrade = Pick<ReportedTrade, 'qty' | 'price' | 'fee' | 'commission'>;

/** Quote currencies recognised at the end of a symbol, longest first (BTCFDUSD, ETHBTC, AAPL). */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USD', 'EUR', 'GBP', 'TRY', 'BTC', 'ETH', 'BNB'];

/** BTCUSDT -> BTC/USDT, BTC/USD -> BTC/USD, AAPL (an equity) -> AAPL/USD. */
export function assetsOf(symbol: string): Assets {
  const s = symbol.toUpperCase();
  const slash = s.split(/[/-]/);
  if (slash.length === 2 && slash[0] && slash[1]) return { base: slash[0], quote: slash[1] };
  const quote = QUOTES.find((q) => s.length > q.length && s.endsWith(q));
  return quote ? { base: s.slice(0, -quote.length), quote } : { base: s, quote: 'USD' };
}

export interface FeeContext {
  readonly instrument: Instrument;
  readonly assets: Assets;
  /** Price of one unit of `asset` in the quote currency, or null when unknown. */
  readonly priceOf: (asset: string) => number | null;
  readonly fallbackBps: number;
}

export type FeeMethod = 'quote' | 'commission_quote' | 'commission_base' | 'converted' | 'fallback';

/** A trade's fee in notional units (tick x lot of quote) and how it was obtained. */
export function tradeFeeUnits(trade: FeeTrade, ctx: FeeContext): { units: number; method: FeeMethod } {
  const c = trade.commission;
  if (!c) return { units: trade.fee, method: 'quote' };
  if (c.valuedAt !== undefined) return { units: trade.fee, method: 'converted' };
  const asset = c.asset.toUpperCase();
  const method: FeeMethod =
    asset === ctx.assets.quote ? 'commission_quote' : asset === ctx.assets.base ? 'commission_base' : 'converted';
  const units = commissionUnits(
    ctx.instrument,
    ctx.assets,
    c,
    trade.price,
    method === 'converted' ? ctx.priceOf(asset) : null,
  );
  return units === null ? fallback(trade, ctx) : { units, method };
}

function fallback(trade: FeeTrade, ctx: FeeContext): { units: number; method: FeeMethod } {
  return { units: Math.round((trade.qty * trade.price * ctx.fallbackBps) / 10_000), method: 'fallback' };
}

/**
 * Slippage in bps, positive = worse for us: buy (avg - expected) / expected, sell (expected -
 * avg) / expected, x 10,000, rounded to 0.01 bps. Prices in any one unit (ticks here).
 */
export function slippageBps(side: Side, expected: number, avg: number): number {
  if (!(expected > 0) || !(avg > 0) || !Number.isFinite(expected) || !Number.isFinite(avg)) {
    throw new RangeError(`slippage needs positive prices, got expected ${expected}, average ${avg}`);
  }
  // Scaled before dividing (x 10,000 bps x 100 for two decimals): an exact tie such as 0.375 bps
  // stays exact in binary and rounds half away from zero.
  const diff = side === 'buy' ? avg - expected : expected - avg;
  const rounded = (Math.sign(diff) * Math.round((Math.abs(diff) * 1_000_000) / expected)) / 100;
  return rounded === 0 ? 0 : rounded;
}

/** "12.30" style, two decimals, no "-0.00". */
export const formatBps = (bps: number): string => (bps === 0 ? '0.00' : bps.toFixed(2));
