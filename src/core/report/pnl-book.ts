// Profit and loss of one symbol's trading, by average cost (docs/0052-pnl.md): each fill that adds
// to the position moves its average cost, each fill that reduces it realizes (price - average
// cost) on what it closed, and what is open is marked at the latest mark. Inventory the run did
// not trade (the account's baseline, a position reconciliation corrected) is opened at a
// reference price, the latest arrival mid of the symbol, as if bought there without cash: its
// later moves count, its history before the run does not. The arithmetic is unit-free (a
// quantity times a price is a notional): the run report feeds lots and ticks, the run page's
// series base and quote amounts.

/** One symbol's book. Quantities are signed (long > 0); `fees` and amounts are notionals. */
export class SymbolPnl {
  /** The open position, inventory included. */
  position = 0;
  /** Average cost of the open position (0 when flat). */
  cost = 0;
  realized = 0;
  fees = 0;
  /** Traded notional, both sides. */
  turnover = 0;
  /** Sells' notional less buys' (fees apart), and the value inventory was opened at: with the
   *  position at the mark they give the P&L another way (the accounting identity). */
  cash = 0;
  opened = 0;
  /** Inventory not opened yet: no reference price was known when it came. */
  pending = 0;
  /** The price inventory is opened at; null before the first. */
  reference: number | null = null;
  /** The latest mark, and where it came from; null before the first. */
  mark: number | null = null;
  markSource: string | null = null;

  /** A fill of `qty` (signed: buy > 0) at `price` paying `fee`. Inventory still waiting for a
   *  reference opens at the fill's price first (the first price the run had for the symbol). */
  trade(qty: number, price: number, fee: number): void {
    if (this.pending !== 0) this.openPending(price);
    this.cash -= qty * price;
    this.turnover += Math.abs(qty * price);
    this.fees += fee;
    this.move(qty, price);
  }

  /** Inventory that came without a trade (signed): opened at the reference price, or once one
   *  is known. */
  inventory(qty: number): void {
    if (qty === 0) return;
    if (this.reference === null) this.pending += qty;
    else this.open(qty, this.reference);
  }

  /** The latest arrival mid: the reference price from now on, and a mark. */
  setReference(price: number, source: string): void {
    this.reference = price;
    if (this.pending !== 0) this.openPending(price);
    this.setMark(price, source);
  }

  setMark(price: number, source: string): void {
    this.mark = price;
    this.markSource = source;
  }

  /** The run's last mark: inventory still waiting opens at it (its P&L is then 0). */
  close(price: number, source: string): void {
    if (this.pending !== 0) this.openPending(price);
    this.setMark(price, source);
  }

  /** What the open position gains at the mark over its average cost (0 without a mark). */
  unrealized(): number {
    return this.mark === null || this.position === 0 ? 0 : this.position * (this.mark - this.cost);
  }

  /** Net P&L so far: realized + unrealized - fees. */
  equity(): number {
    return this.realized + this.unrealized() - this.fees;
  }

  /** The open position's value, long or short, at the mark (its cost without one). */
  exposure(): number {
    return Math.abs(this.position) * (this.mark ?? this.cost);
  }

  /** Opens the inventory waiting for a reference at `price` (the P&L fold opens it itself first,
   *  to tell its round trips the leg; trade(), setReference() and close() do otherwise). */
  openPending(price: number): void {
    const qty = this.pending;
    this.pending = 0;
    this.open(qty, price);
  }

  private open(qty: number, price: number): void {
    this.opened += qty * price;
    this.move(qty, price);
  }

  /** Average cost: adding to the position (or from flat) moves the cost; reducing it realizes
   *  on the part closed; past flat, the rest opens at `price`. */
  private move(qty: number, price: number): void {
    const pos = this.position;
    if (pos === 0 || Math.sign(pos) === Math.sign(qty)) {
      const next = pos + qty;
      this.cost = (pos * this.cost + qty * price) / next;
      this.position = next;
      return;
    }
    const closed = Math.min(Math.abs(qty), Math.abs(pos)) * Math.sign(pos);
    this.realized += closed * (price - this.cost);
    const next = pos + qty;
    this.position = next;
    if (next === 0) this.cost = 0;
    else if (Math.sign(next) !== Math.sign(pos)) this.cost = price;
  }
}

/**
 * Every symbol's book and the run's equity curve over them: after each change, the total net P&L
 * (in a common unit: each symbol's notional times its `scale`) against its running peak gives
 * the drawdown, and the books' exposures the gross exposure; per symbol too. The curve starts at
 * 0 (nothing made or lost before the run traded).
 */
export class PnlCurve {
  readonly books = new Map<string, SymbolPnl>();
  private readonly peaks = new Map<string, { peak: number; drawdown: number; exposure: number }>();
  private peak = 0;
  maxDrawdown = 0;
  maxGrossExposure = 0;

  constructor(private readonly scaleOf: (symbol: string) => number = () => 1) {}

  book(symbol: string): SymbolPnl {
    let b = this.books.get(symbol);
    if (!b) {
      b = new SymbolPnl();
      this.books.set(symbol, b);
      this.peaks.set(symbol, { peak: 0, drawdown: 0, exposure: 0 });
    }
    return b;
  }

  /** A point of the curve after `symbol`'s book changed: returns the total equity. */
  observe(symbol: string): number {
    const b = this.book(symbol);
    const own = this.peaks.get(symbol) as { peak: number; drawdown: number; exposure: number };
    const equity = b.equity();
    if (equity > own.peak) own.peak = equity;
    else if (own.peak - equity > own.drawdown) own.drawdown = own.peak - equity;
    const exposure = b.exposure();
    if (exposure > own.exposure) own.exposure = exposure;
    let total = 0;
    let gross = 0;
    if (this.books.size === 1) {
      const scale = this.scaleOf(symbol);
      total = equity * scale;
      gross = exposure * scale;
    } else
      for (const [s, x] of this.books) {
        const scale = this.scaleOf(s);
        total += x.equity() * scale;
        gross += x.exposure() * scale;
      }
    if (total > this.peak) this.peak = total;
    else if (this.peak - total > this.maxDrawdown) this.maxDrawdown = this.peak - total;
    if (gross > this.maxGrossExposure) this.maxGrossExposure = gross;
    return total;
  }

  /** `symbol`'s own largest drawdown and exposure so far (in its notional). */
  extremesOf(symbol: string): { readonly maxDrawdown: number; readonly maxExposure: number } {
    const own = this.peaks.get(symbol);
    return { maxDrawdown: own?.drawdown ?? 0, maxExposure: own?.exposure ?? 0 };
  }
}
