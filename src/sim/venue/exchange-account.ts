// Our account at the simulated venue: the quote balance (in account units), and per book the
// position (lots) and what its open orders lock; what a new order or a fill can still afford.
// Without starting balances in the scenario the account is unlimited and never refuses anything.
// Several symbols and account units: docs/0069-core-and-simulator-notes.md.
import type { OrderRequest } from '../../core/model/order.ts';
import type { RefusalReason } from '../../core/venues/venue-rules.ts';
import type { ExchangeOrder } from './exchange-order.ts';

/** The quote balance every book of a venue shares, account units. */
export class QuotePurse {
  quote: number;
  /** The books' accounts, in the order they joined. */
  readonly members: ExchangeAccount[] = [];

  constructor(
    /** false: no balances were given, nothing is checked. */
    readonly limited: boolean,
    quoteUnits: number,
  ) {
    this.quote = quoteUnits;
  }
}

/** Whose open orders lock an account's balances: its book's exchange. */
export interface OpenOrdersSource {
  openOrders(): Iterable<ExchangeOrder>;
}

export class ExchangeAccount {
  position: number;

  constructor(
    readonly purse: QuotePurse,
    baseLots: number,
    /** Account units in one of this book's notional units (tick x lot). */
    readonly scale = 1,
    /** The exchange whose open orders this account's are (another book's account reads them
     *  for the quote they lock). A reference set once, not a closure: a function stored in a
     *  field and replaced after construction made the bench hour take a fifth more CPU. */
    private readonly book: OpenOrdersSource | null = null,
  ) {
    this.position = baseLots;
    purse.members.push(this);
  }

  get limited(): boolean {
    return this.purse.limited;
  }

  /** The shared quote balance, account units. */
  get quote(): number {
    return this.purse.quote;
  }

  /** Quote locked by open buys (limit or stop price x remaining) on every book of the account,
   *  account units: `open` are this book's open orders, `except` one of them left out. */
  lockedQuote(open: Iterable<ExchangeOrder>, except?: ExchangeOrder): number {
    let sum = this.ownLockedQuote(open, except);
    const members = this.purse.members;
    if (members.length > 1)
      for (const m of members) if (m !== this && m.book) sum += m.ownLockedQuote(m.book.openOrders());
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
      return (reference ?? 0) * req.qty * this.scale > this.quote - this.lockedQuote(list)
        ? 'insufficient-balance'
        : null;
    return req.qty > this.position - this.lockedBase(list) ? 'insufficient-position' : null;
  }

  /** Lots of `o` (a buy) the balance still pays for at `price` with a fee of `feeBps`. */
  affordable(o: ExchangeOrder, price: number, feeBps: number, open: Iterable<ExchangeOrder>): number {
    if (!this.limited || o.side !== 'buy') return Number.MAX_SAFE_INTEGER;
    const spendable = this.quote - this.lockedQuote(open, o);
    return Math.floor(spendable / (price * this.scale * (1 + feeBps / 10_000)));
  }

  /** A fill of `qty` lots at `price` ticks with `fee` in this book's notional units. */
  applyFill(side: 'buy' | 'sell', qty: number, price: number, fee: number): void {
    const sign = side === 'buy' ? 1 : -1;
    this.position += sign * qty;
    this.purse.quote -= (sign * qty * price + fee) * this.scale;
  }

  private ownLockedQuote(open: Iterable<ExchangeOrder>, except?: ExchangeOrder): number {
    let sum = 0;
    for (const o of open)
      if (o.side === 'buy' && o !== except) sum += (o.limitPrice ?? o.stopPrice ?? 0) * (o.qty - o.filled);
    return sum * this.scale;
  }
}
