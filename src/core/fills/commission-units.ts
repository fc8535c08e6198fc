// A commission's value in the run's quote currency, in notional units (tick x lot). A venue
// states each trade's commission in the asset it took it in: in the quote asset it is worth its
// amount; in the base asset, its amount at the trade's price; in any other asset (Binance's BNB),
// its amount at that asset's quote price, when one is known. One rule for the live adapters,
// which value a commission before they report the fill so the ledger's fees count it, and for
// fill detection. Rounded half up to whole notional units, never negative: an amount that does
// not read or is negative has no value here, nor has another asset without a positive price.
import type { Instrument } from '../model/instrument.ts';

/** The base and quote assets of a symbol, as ccxt names currencies ("BTC", "USDT"). */
export interface Assets {
  readonly base: string;
  readonly quote: string;
}

/** Which of the symbol's assets a commission is in: the quote, the base, or another. */
export type CommissionAssetKind = 'quote' | 'base' | 'other';

export function commissionAssetKind(assets: Assets, asset: string): CommissionAssetKind {
  const a = asset.toUpperCase();
  return a === assets.quote.toUpperCase() ? 'quote' : a === assets.base.toUpperCase() ? 'base' : 'other';
}

/** The amount as a number, or null when it is not a finite, non-negative decimal. */
export function commissionAmount(amount: string): number | null {
  const n = Number(amount);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/**
 * The commission's value in notional units: `priceTicks` is the trade's price (for the base
 * asset), `rate` the quote price of one unit of another asset (null when none is known). Null
 * when it has no value here (see the top comment).
 */
export function commissionUnits(
  inst: Instrument,
  assets: Assets,
  commission: { readonly asset: string; readonly amount: string },
  priceTicks: number,
  rate: number | null,
): number | null {
  const amount = commissionAmount(commission.amount);
  if (amount === null) return null;
  switch (commissionAssetKind(assets, commission.asset)) {
    case 'quote':
      return Math.round(amount / (Number(inst.tickSize) * Number(inst.lotSize)));
    case 'base':
      // amount (base) x price (ticks x tickSize, quote per base) / unit = amount x ticks / lotSize.
      return Math.round((amount * priceTicks) / Number(inst.lotSize));
    case 'other':
      if (rate === null || !Number.isFinite(rate) || rate <= 0) return null;
      return Math.round((amount * rate) / (Number(inst.tickSize) * Number(inst.lotSize)));
  }
}

/** A base-asset commission in lots of the instrument (fractional: commissions are stated finer
 *  than a lot), or null when the amount does not read. */
export function commissionLots(inst: Instrument, amount: string): number | null {
  const n = commissionAmount(amount);
  return n === null ? null : n / Number(inst.lotSize);
}
