// Our account at the simulated venue: position (lots) and quote balance (notional units), what
// our open orders lock, and what a new order or a fill can still afford. Without starting
// balances in the scenario the account is unlimited and never refuses anything.
import type { OrderRequest } from '../../core/model/order.ts';
import type { RefusalReason } from '../../core/venues/venue-rules.ts';
import type { ExchangeOrder } from './exchange-order.ts';

export class ExchangeAccount {
  position: number;
  quote: number;

  constructor(
    /** false: no balances were given, nothing is checked. */
    readonly limited: boolean,
    quoteUnits: number,
    baseLots: number,
  ) {
    this.quote = quoteUnits;
    this.position = baseLots;
  }

  /** Quote locked by open buys (limit or stop price x remaining), except `except`. */
  lockedQuote(open: Iterable<ExchangeOrder>, except?: ExchangeOrder): number {
    let sum = 0;
    for (const o of open)
      if (o.side === 'buy' && o !== except) sum += (o.limitPrice ?? o.stopPrice ?? 0) * (o.qty - o.filled);
    return sum;
  }

  /** Base locked by open sells. */
  lockedBase(open: Iterable<ExchangeOrder>): number {
    let sum = 0;
    for (const o of open) if (o.side === 'sell') sum += o.qty - o.filled;
    return sum;
  }

  /** Why a new order cannot be afforded at `reference` (ticks), or null. */
  refusal(req: OrderRequest, reference: number | null, open: Iterable<ExchangeOrder>): RefusalReason | null {
    if (!this.limited) return null;
    const list = [...open];
    if (req.side === 'buy')
      return (reference ?? 0) * req.qty > this.quote - this.lockedQuote(list) ? 'insufficient-balance' : null;
    return req.qty > this.position - this.lockedBase(list) ? 'insufficient-position' : null;
  }

  /** Lots of `o` (a buy) the balance still pays for at `price` with a fee of `feeBps`. */
  affordable(o: ExchangeOrder, price: number, feeBps: number, open: Iterable<ExchangeOrder>): number {
    if (!this.limited || o.side !== 'buy') return Number.MAX_SAFE_INTEGER;
    const spendable = this.quote - this.lockedQuote(open, o);
    return Math.floor(spendable / (price * (1 + feeBps / 10_000)));
  }

  applyFill(side: 'buy' | 'sell', qty: number, price: number, fee: number): void {
    const sign = side === 'buy' ? 1 : -1;
    this.position += sign * qty;
    this.quote -= sign * qty * price + fee;
  }
}
