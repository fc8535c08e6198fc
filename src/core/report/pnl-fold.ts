// The run report's P&L (docs/0052-pnl.md), folded from events the log already holds: our fills
// (as the order ledger applied them), each parent's arrival mid (its symbol's reference price and
// a mark), the account's baseline and reconciliation's position corrections (inventory), the
// market samples (marks of the run's symbol, when the run samples) and the fees of executions
// matched to an inferred fill. The run's host gives the last mark, the book as the run ended
// (markEnd): a run with samples and the same run without them (a sweep's path) then report the
// same realized, unrealized and net P&L; only the curve between (drawdown, exposure) sees more
// marks with samples. Nothing here is logged: the digest does not change.
import type { LogEntry } from '../model/events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import { fractionalTicksToPrice, lotsToQty, unitsToQuote } from '../model/instrument.ts';
import { InstrumentSet } from '../model/instrument-set.ts';
import type { AppliedTrade, OrderLedger } from '../order/order-ledger.ts';
import { PnlCurve, type SymbolPnl } from './pnl-book.ts';
import { unvaluedByAsset, type UnvaluedFee } from './unvalued-fees.ts';
import { TradeFold, type TradesReport } from './trade-fold.ts';
import type { Leg } from './trade-book.ts';

/** The figures of a symbol or of the whole run, quote-currency decimal strings. */
export interface PnlFigures {
  /** Realized by fills that reduced a position, against its average cost. */
  readonly realized: string;
  /** The open position at the mark against its average cost. */
  readonly unrealized: string;
  /** Fees our fills paid (valued commissions). */
  readonly fees: string;
  /** Commissions no price was known for, per asset as stated: `fees` and `net` leave them out. */
  readonly unvaluedFees: readonly UnvaluedFee[];
  /** realized + unrealized - fees. */
  readonly net: string;
  /** Traded notional, buys and sells. */
  readonly turnover: string;
  /** The largest value of the open position(s), long or short, at the marks. */
  readonly maxGrossExposure: string;
  /** The largest fall of net P&L from its running peak (the curve starts at 0). */
  readonly maxDrawdown: string;
}

export interface SymbolPnlReport extends PnlFigures {
  readonly symbol: string;
  /** At the end, the baseline included; base units. */
  readonly position: string;
  /** What the account held before the run (AccountBaseline); "0" without one. */
  readonly baseline: string;
  /** Average cost of the open position; null when flat. */
  readonly avgCost: string | null;
  /** The last mark and where it came from: the book as the run ended (`end`), a market sample,
   *  a parent's arrival; null when the run never had a price of the symbol. */
  readonly mark: string | null;
  readonly markSource: 'end' | 'sample' | 'arrival' | null;
}

export interface PnlReport {
  readonly method: 'average-cost';
  /** Every symbol the node trades, the run's first. */
  readonly symbols: readonly SymbolPnlReport[];
  readonly total: PnlFigures;
}

/** A mid, or the one side there is; null for an empty book. */
export function midOf(bid: number | null, ask: number | null): number | null {
  if (bid !== null && ask !== null) return (bid + ask) / 2;
  return bid ?? ask;
}

export class PnlFold {
  private readonly set: InstrumentSet;
  private readonly curve: PnlCurve;
  /** Fees counted per order: an execution matched to an inferred fill adds its fee to the order
   *  without a trade of its own, found as the difference. */
  private readonly feesSeen = new Map<string, number>();
  private readonly baselines = new Map<string, number>();
  private readonly primary: string;
  /** The round trips and the equity curve's statistics, told every change (trade-fold.ts). */
  private readonly roundTrips: TradeFold;
  /** The time of the entry being folded, and the run's end (markEnd's, else the last seen). */
  private time = 0;
  private endAt: number | null = null;

  /** `equityIntervalMs`: the equity curve's sampling interval for Sharpe and Sortino. */
  constructor(instruments: readonly Instrument[], equityIntervalMs?: number) {
    this.set = InstrumentSet.of(instruments);
    this.primary = this.set.primary.symbol;
    this.curve = new PnlCurve(instruments.length === 1 ? undefined : (s) => this.scale(s));
    this.roundTrips = new TradeFold(equityIntervalMs);
    for (const i of instruments) this.curve.book(i.symbol);
  }

  /** A point of the curve after `symbol`'s book changed, for the statistics too. */
  private observe(symbol: string): void {
    const total = this.curve.observe(symbol);
    let holding = false;
    for (const b of this.curve.books.values()) if (b.position !== 0) holding = true;
    this.roundTrips.equity.observe(this.time, total, holding);
  }

  /** Changes `symbol`'s book by `change`, telling the round trips the leg it made. */
  private leg(symbol: string, leg: Omit<Leg, 'time' | 'before' | 'realized'>, change: (b: SymbolPnl) => void): void {
    const b = this.curve.book(symbol);
    const before = b.position;
    const realized = b.realized;
    change(b);
    // Written out rather than spread: a spread of the three callers' shapes went through the
    // engine's generic object copy, several microseconds a fill.
    this.roundTrips.leg(symbol, {
      time: this.time,
      before,
      qty: leg.qty,
      price: leg.price,
      fee: leg.fee,
      realized: b.realized - realized,
      kind: leg.kind,
    });
  }

  /** Inventory waiting for a reference opens at `price`: a leg of its own, before what follows. */
  private openPending(symbol: string, price: number): void {
    const qty = this.curve.book(symbol).pending;
    if (qty !== 0) this.leg(symbol, { qty, price, fee: 0, kind: 'inventory' }, (b) => b.openPending(price));
  }

  private scale(symbol: string): number {
    return this.set.has(symbol) ? this.set.scaleOf(symbol) : 1;
  }

  /** An entry's own event (its trades come through trades()). */
  add(entry: LogEntry, ledger: OrderLedger): void {
    const e = entry.event;
    this.roundTrips.equity.start(entry.time);
    if (entry.time > this.time) this.time = entry.time;
    switch (e.kind) {
      case 'MarketSampled': {
        const mid = midOf(e.bid, e.ask);
        if (mid === null) return;
        this.curve.book(this.primary).setMark(mid, 'sample');
        this.observe(this.primary);
        return;
      }
      case 'ParentOrderCreated': {
        const mid = midOf(e.arrivalBid, e.arrivalAsk);
        if (mid === null) return;
        this.openPending(e.symbol, mid);
        this.curve.book(e.symbol).setReference(mid, 'arrival');
        this.observe(e.symbol);
        return;
      }
      case 'AccountBaseline':
        // Once per symbol (the ledger's rule too: a restarted process never takes another).
        if (this.baselines.has(e.symbol)) return;
        this.baselines.set(e.symbol, e.position);
        this.inventory(e.symbol, e.position);
        return;
      case 'PositionCorrected':
        this.inventory(e.symbol ?? this.primary, e.adjustment);
        return;
      case 'InferredFillMatched': {
        const order = ledger.order(e.clientOrderId);
        if (!order) return;
        const fee = order.fees - (this.feesSeen.get(e.clientOrderId) ?? 0);
        if (fee === 0) return;
        this.feesSeen.set(e.clientOrderId, order.fees);
        const symbol = order.request.symbol;
        this.leg(symbol, { qty: 0, price: 0, fee, kind: 'fee' }, (b) => (b.fees += fee));
        this.observe(symbol);
        return;
      }
      default:
        return;
    }
  }

  /** Inventory that came without a trade: a leg once it has a price (pnl-book.ts). */
  private inventory(symbol: string, qty: number): void {
    const reference = this.curve.book(symbol).reference;
    if (reference === null || qty === 0) this.curve.book(symbol).inventory(qty);
    else this.leg(symbol, { qty, price: reference, fee: 0, kind: 'inventory' }, (b) => b.inventory(qty));
    this.observe(symbol);
  }

  /** The fills the ledger applied for one entry (at `time`, the entry's). */
  trades(trades: readonly AppliedTrade[], ledger: OrderLedger, time: number = this.time): void {
    if (time > this.time) this.time = time;
    for (const t of trades) {
      const order = ledger.order(t.clientOrderId);
      if (!order) continue;
      const symbol = order.request.symbol;
      const qty = order.request.side === 'buy' ? t.qty : -t.qty;
      this.openPending(symbol, t.price);
      this.leg(symbol, { qty, price: t.price, fee: t.fee, kind: 'fill' }, (b) => b.trade(qty, t.price, t.fee));
      this.feesSeen.set(t.clientOrderId, (this.feesSeen.get(t.clientOrderId) ?? 0) + t.fee);
      this.observe(symbol);
    }
  }

  /** The book of `symbol` as the run ended (ticks): its last mark. An empty book leaves the last
   *  mark the run had. `at`: when the run ended (else the last time seen). */
  markEnd(symbol: string, bid: number | null, ask: number | null, at?: number): void {
    if (at !== undefined) {
      this.endAt = Math.max(this.endAt ?? at, at);
      if (at > this.time) this.time = at;
    }
    const mid = midOf(bid, ask);
    if (mid === null) return;
    this.openPending(symbol, mid);
    this.curve.book(symbol).close(mid, 'end');
    this.observe(symbol);
  }

  /** The run's round trips and statistics, at its end (trade-fold.ts). */
  roundTripReport(): TradesReport {
    const finest = this.set.all.find((i) => this.scale(i.symbol) === 1) ?? this.set.primary;
    return this.roundTrips.summary(
      this.set.all,
      (s) => this.curve.book(s),
      (s) => this.scale(s),
      finest,
      this.endAt ?? this.time,
    );
  }

  /** The figures; `unvalued` are the commissions without a value by the order that paid them. */
  summary(ledger: OrderLedger, unvalued: ReadonlyMap<string, readonly UnvaluedFee[]>): PnlReport {
    const unvaluedBySymbol = new Map<string, UnvaluedFee[]>();
    for (const [id, list] of unvalued) {
      const symbol = ledger.order(id as ClientOrderId)?.request.symbol ?? this.primary;
      unvaluedBySymbol.set(symbol, [...(unvaluedBySymbol.get(symbol) ?? []), ...list]);
    }
    const totals = { realized: 0, unrealized: 0, fees: 0, turnover: 0 };
    const symbols = this.set.all.map((inst): SymbolPnlReport => {
      const b = this.curve.book(inst.symbol);
      const units = figures(b);
      const scale = this.scale(inst.symbol);
      totals.realized += units.realized * scale;
      totals.unrealized += units.unrealized * scale;
      totals.fees += units.fees * scale;
      totals.turnover += units.turnover * scale;
      const extremes = this.curve.extremesOf(inst.symbol);
      const position = Math.round(b.position + b.pending);
      const source = b.markSource as SymbolPnlReport['markSource'];
      return {
        symbol: inst.symbol,
        position: lotsToQty(inst, position),
        baseline: lotsToQty(inst, this.baselines.get(inst.symbol) ?? 0),
        avgCost: b.position === 0 ? null : fractionalTicksToPrice(inst, b.cost),
        mark: b.mark === null ? null : fractionalTicksToPrice(inst, b.mark),
        markSource: source,
        ...quoted(inst, units, Math.round(extremes.maxDrawdown), Math.round(extremes.maxExposure)),
        unvaluedFees: unvaluedByAsset(unvaluedBySymbol.get(inst.symbol) ?? []),
      };
    });
    // The run's figures in account units (the finest symbol's notional unit).
    const finest = this.set.all.find((i) => this.scale(i.symbol) === 1) ?? this.set.primary;
    return {
      method: 'average-cost',
      symbols,
      total: {
        ...quoted(finest, totals, Math.round(this.curve.maxDrawdown), Math.round(this.curve.maxGrossExposure)),
        unvaluedFees: unvaluedByAsset([...unvaluedBySymbol.values()].flat()),
      },
    };
  }
}

interface Units {
  readonly realized: number;
  readonly unrealized: number;
  readonly fees: number;
  readonly turnover: number;
}

/** A book's figures in whole notional units (net is made of the rounded parts, so the printed
 *  figures add up exactly). */
function figures(b: SymbolPnl): Units {
  return {
    realized: Math.round(b.realized),
    unrealized: Math.round(b.unrealized()),
    fees: Math.round(b.fees),
    turnover: Math.round(b.turnover),
  };
}

function quoted(
  inst: Instrument,
  u: Units,
  maxDrawdown: number,
  maxGrossExposure: number,
): Omit<PnlFigures, 'unvaluedFees'> {
  return {
    realized: quote(inst, u.realized),
    unrealized: quote(inst, u.unrealized),
    fees: quote(inst, u.fees),
    net: quote(inst, u.realized + u.unrealized - u.fees),
    turnover: quote(inst, u.turnover),
    maxGrossExposure: quote(inst, maxGrossExposure),
    maxDrawdown: quote(inst, maxDrawdown),
  };
}

/** Whole notional units as quote currency; past 2^53 units (no longer exact) as a float's text. */
function quote(inst: Instrument, units: number): string {
  if (Number.isSafeInteger(units)) return unitsToQuote(inst, units + 0);
  return String(units * Number(unitsToQuote(inst, 1)));
}
