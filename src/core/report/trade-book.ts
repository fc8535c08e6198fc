// One symbol's round trips (docs/0084-round-trips-and-run-statistics.md), told leg by leg by the
// P&L fold as it changes the symbol's average-cost book (pnl-book.ts): a trade opens when the
// position leaves zero, takes every leg that adds to it, and closes when the position returns to
// zero; a leg that flips the position closes the trade with the part that flattens it and opens
// the next with the rest, its fee split pro rata. What a trade realizes is the book's own realized
// change on its legs (no second P&L arithmetic), so the trades' P&L adds up to the book's.
// Inventory the run did not trade (a baseline, a correction) is a leg like a fill, at the price
// the book opened it at, with no fee and no fill counted. Units are the book's (lots, ticks).

/** A round trip in the book's units: quantities in lots, notionals in lots x ticks. */
export interface RoundTrip {
  /** 1 long, -1 short. */
  readonly side: 1 | -1;
  readonly entryTime: number;
  /** When the position returned to zero; null while open. */
  exitTime: number | null;
  /** Everything that opened or added to it, and its notional (average entry = notional / qty). */
  entryQty: number;
  entryNotional: number;
  /** Everything that reduced it, and its notional. */
  exitQty: number;
  exitNotional: number;
  /** What its reducing legs realized against the book's average cost. */
  realized: number;
  fees: number;
  /** Our fills that touched it (a flipping fill counts in both trades). */
  fills: number;
  /** Part of it came from inventory the run did not trade. */
  inventory: boolean;
}

/** One change of the book, as the P&L fold made it. */
export interface Leg {
  readonly time: number;
  /** The position before the change (lots, signed). */
  readonly before: number;
  /** Signed quantity moved (buy or inventory gained > 0); 0 for a fee alone. */
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  /** The book's realized P&L change the leg made. */
  readonly realized: number;
  /** 'fill' (one of our fills), 'inventory' (a baseline or correction), 'fee' (a fee alone). */
  readonly kind: 'fill' | 'inventory' | 'fee';
}

export class TradeBook {
  readonly closed: RoundTrip[] = [];
  open: RoundTrip | null = null;
  /** Fees that came when no trade had ever been made (none in practice: kept so the sum holds). */
  unattributedFees = 0;

  add(leg: Leg): void {
    const fill = leg.kind === 'fill' ? 1 : 0;
    if (leg.qty === 0) {
      const to = this.open ?? this.closed.at(-1);
      if (to) to.fees += leg.fee;
      else this.unattributedFees += leg.fee;
      return;
    }
    const cur = this.open;
    if (leg.before === 0 || cur === null) {
      this.start(leg, Math.abs(leg.qty), leg.fee, fill);
      return;
    }
    if (Math.sign(leg.qty) === cur.side) {
      cur.entryQty += Math.abs(leg.qty);
      cur.entryNotional += Math.abs(leg.qty) * leg.price;
      cur.fees += leg.fee;
      cur.fills += fill;
      cur.inventory ||= leg.kind === 'inventory';
      return;
    }
    const moved = Math.abs(leg.qty);
    const closing = Math.min(moved, Math.abs(leg.before));
    const share = (leg.fee * closing) / moved;
    cur.exitQty += closing;
    cur.exitNotional += closing * leg.price;
    cur.realized += leg.realized;
    cur.fees += share;
    cur.fills += fill;
    cur.inventory ||= leg.kind === 'inventory';
    if (closing < Math.abs(leg.before)) return;
    cur.exitTime = leg.time;
    this.closed.push(cur);
    this.open = null;
    if (moved > closing) this.start(leg, moved - closing, leg.fee - share, fill);
  }

  private start(leg: Leg, qty: number, fee: number, fills: number): void {
    this.open = {
      side: leg.qty > 0 ? 1 : -1,
      entryTime: leg.time,
      exitTime: null,
      entryQty: qty,
      entryNotional: qty * leg.price,
      exitQty: 0,
      exitNotional: 0,
      realized: 0,
      fees: fee,
      fills,
      inventory: leg.kind === 'inventory',
    };
  }
}
