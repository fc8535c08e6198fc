// Commissions Binance takes in an asset that is neither the symbol's base nor its quote (BNB),
// valued in quote before the fill is reported, so the ledger's fees, the report and the breaker's
// equity count them: at the scenario's price, else the venue's ticker, else reported unvalued.
// Bounded ticker reads: docs/0066-live-adapter-notes.md; the decision:
// docs/0047-valuing-commissions-in-another-asset.md.
import { commissionAssetKind, commissionUnits } from '../../core/fills/commission-units.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { ReportedTrade, TradeCommission } from '../../core/model/reports.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { plainDecimal } from '../wire-amounts.ts';
import type { BinanceExchange } from './binance-ccxt.ts';
import type { Assets } from '../../core/fills/commission-units.ts';

/** A price of one unit of a commission asset in the quote, and where it came from. */
export type CommissionPrice = NonNullable<TradeCommission['valuedAt']>;

/** The asset Binance takes commissions in when an account pays them in its own token. */
const FEE_ASSET = 'BNB';

/** How old a ticker price may be before a fill asks for a new one: a minute. */
export const COMMISSION_PRICE_REFRESH_MS = 60_000;

/** The trade with its commission valued at `price` (fee in notional units, `valuedAt`), or
 *  said to be without a value (`unvalued`, fee 0) when there is no price. Trades whose
 *  commission is in the base or quote asset, or that state none, are returned as they are. */
export function valuedTrade(
  inst: Instrument,
  assets: Assets,
  trade: ReportedTrade,
  price: CommissionPrice | null,
): ReportedTrade {
  const c = trade.commission;
  if (c === undefined || commissionAssetKind(assets, c.asset) !== 'other') return trade;
  const { asset, amount } = c;
  const units = price === null ? null : commissionUnits(inst, assets, c, trade.price, Number(price.price));
  if (price === null || units === null) return { ...trade, fee: 0, commission: { asset, amount, unvalued: true } };
  return { ...trade, fee: units, commission: { asset, amount, valuedAt: price } };
}

/** What the prices are read through: ccxt's loaded markets and its ticker. */
export type TickerSource = Pick<BinanceExchange, 'fetchTicker'> & { readonly markets: BinanceExchange['markets'] };

interface Held {
  price: CommissionPrice | null;
  /** When the last read started (clock ms), and that read while it is in flight. */
  triedAt: number;
  reading: Promise<CommissionPrice | null> | null;
}

export class CommissionPrices {
  private readonly held = new Map<string, Held>();
  private stopped = false;

  constructor(
    private readonly ex: TickerSource,
    private readonly clock: Clock,
    /** The scenario's prices by asset code (decimal strings). */
    private readonly fixed: ReadonlyMap<string, string> = new Map(),
    private readonly refreshMs: number = COMMISSION_PRICE_REFRESH_MS,
  ) {}

  /** Once the markets are loaded: BNB's ticker is read ahead of the first fill, unless the
   *  scenario prices BNB or it is one of the symbol's own assets. */
  prime(assets: Assets): void {
    if (commissionAssetKind(assets, FEE_ASSET) === 'other') void this.priceOf(FEE_ASSET, assets);
  }

  /** Every trade of `trades` with its commission valued (see valuedTrade); never rejects. */
  async value(inst: Instrument, assets: Assets, trades: readonly ReportedTrade[]): Promise<ReportedTrade[]> {
    const out: ReportedTrade[] = [];
    for (const t of trades) {
      const c = t.commission;
      const other = c !== undefined && commissionAssetKind(assets, c.asset) === 'other';
      out.push(other ? valuedTrade(inst, assets, t, await this.priceOf(c.asset, assets)) : t);
    }
    return out;
  }

  /** The price of one `asset` in the quote: the scenario's, else the venue's ticker, else null. */
  async priceOf(asset: string, assets: Assets): Promise<CommissionPrice | null> {
    const fixed = this.fixed.get(asset.toUpperCase());
    if (fixed !== undefined) return { price: fixed, source: 'scenario' };
    const symbol = `${asset.toUpperCase()}/${assets.quote.toUpperCase()}`;
    if (this.stopped || this.ex.markets?.[symbol] === undefined) return null;
    let h = this.held.get(symbol);
    if (h === undefined) this.held.set(symbol, (h = { price: null, triedAt: -Infinity, reading: null }));
    if (h.reading === null && this.clock.now() - h.triedAt >= this.refreshMs) h.reading = this.read(symbol, h);
    // A price held (even an old one) values the fill now; a first read is waited for.
    if (h.price !== null) return h.price;
    return h.reading ?? null;
  }

  /** Reads of prices end; a read in flight is dropped. */
  stop(): void {
    this.stopped = true;
  }

  private async read(symbol: string, h: Held): Promise<CommissionPrice | null> {
    h.triedAt = this.clock.now();
    try {
      const ticker = await this.ex.fetchTicker(symbol);
      const text = plainDecimal(ticker.last);
      if (text !== null && Number(text) > 0) h.price = { price: text, source: 'ticker' };
    } catch {
      // No price this time: the one held (if any) stays, and the next read waits a period.
    } finally {
      h.reading = null;
    }
    return h.price;
  }
}
