// What a strategy's context says of its trading, per symbol: P&L from the fills the host has handed
// the strategy (average cost, the report's own arithmetic in core/report/pnl-book.ts, marked at
// the latest price the strategy was handed), the parents it was told of that have not ended, and
// the node's open orders and balances as the order ledger folds them. Everything it returns is a
// frozen plain copy: the strategy runs in another realm and must not hold the host's objects.
// Design notes: docs/0086-strategy-context.md
import { lotsToQty, type Instrument } from '../core/model/instrument.ts';
import { InstrumentSet } from '../core/model/instrument-set.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import { SymbolPnl } from '../core/report/pnl-book.ts';
import type { ParentOrderId } from '../core/model/ids.ts';
import { lotsAsUnits, priceOf, quoteOf } from './own-orders-feed.ts';
import type { Balances, OpenChildOrder, OpenParent, OwnFill, ParentUpdate, StrategyPnl } from './strategy-api.ts';
import type { FeedSample } from './strategy-feed.ts';

/** A parent the strategy was told was created and not yet that it ended. */
interface Tracked {
  readonly parentId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly signalId: string | null;
  filled: number;
}

export class StrategyBook {
  private readonly books = new Map<string, SymbolPnl>();
  private readonly parents = new Map<string, Tracked>();
  /** Each order's fees as the book counted them (quote units): a fee a matched execution adds
   *  later is the difference to the ledger's. */
  private readonly feesOf = new Map<string, number>();

  /** `instruments`: the run's, its own first. */
  constructor(
    private readonly instruments: readonly Instrument[],
    private readonly ledger: OrderLedger,
  ) {
    for (const inst of instruments) this.books.set(inst.symbol, new SymbolPnl());
  }

  /**
   * Starts from what the node already knows (a restarted process, a resumed paper run): every
   * order's fills so far as one trade at its average price, in the order the orders were made,
   * and the parents not ended. A fresh run's ledger is empty and this does nothing.
   */
  seed(): void {
    for (const o of this.ledger.orders.values()) {
      const inst = this.instrumentOf(o.request.symbol);
      if (!inst || o.filledQty === 0) continue;
      const qty = lotsAsUnits(inst, o.filledQty);
      const price = priceOf(inst, o.filledNotional / o.filledQty);
      const fees = quoteOf(inst, o.fees);
      this.trade(o.request.symbol, o.request.side, qty, price, fees);
      this.feesOf.set(o.request.clientOrderId, fees);
    }
    for (const [id, p] of this.ledger.parents) {
      const inst = this.instrumentOf(p.spec.symbol);
      if (!inst || p.completed !== null) continue;
      this.parents.set(id, {
        parentId: id,
        symbol: p.spec.symbol,
        side: p.spec.side,
        qty: lotsAsUnits(inst, p.spec.qty),
        signalId: null,
        filled: lotsAsUnits(inst, p.totals.filled),
      });
    }
  }

  // ---- what the strategy is handed, read before it sees it ---------------------------------

  /** A market sample: its quote's mid marks the symbol, else its trades' last price, else the
   *  close of its last bar (a history of bars only). */
  sample(sample: FeedSample): void {
    const q = sample.quote;
    const symbol = (q ?? sample.bars[0] ?? sample.trades)?.symbol;
    const book = symbol === undefined ? undefined : this.books.get(symbol);
    if (!book) return;
    const bar = sample.bars[sample.bars.length - 1];
    if (q !== null && q.mid !== null) book.setMark(q.mid, 'quote');
    else if (sample.trades) book.setMark(sample.trades.last, 'trade');
    else if (bar) book.setMark(bar.close, 'bar');
  }

  fill(f: OwnFill): void {
    this.trade(f.symbol, f.side, f.qty, f.price, f.fee);
    this.feesOf.set(f.clientOrderId, (this.feesOf.get(f.clientOrderId) ?? 0) + f.fee);
    const p = this.parents.get(f.parentId);
    if (p) p.filled += f.qty;
  }

  /** An order's fees now, after a fill inferred without a fee was matched to the venue's
   *  execution: the fee not yet counted is paid (a fill of the book's symbol, no trade). */
  feesSettled(symbol: string, clientOrderId: string, feesSoFar: number): void {
    const book = this.books.get(symbol);
    const counted = this.feesOf.get(clientOrderId) ?? 0;
    if (!book || feesSoFar === counted) return;
    book.fees += feesSoFar - counted;
    this.feesOf.set(clientOrderId, feesSoFar);
  }

  parent(u: ParentUpdate): void {
    if (u.state === 'created') {
      this.parents.set(u.parentId, {
        parentId: u.parentId,
        symbol: u.symbol,
        side: u.side,
        qty: u.qty,
        signalId: u.signalId,
        filled: this.parents.get(u.parentId)?.filled ?? 0,
      });
    } else if (u.state !== 'rejected') this.parents.delete(u.parentId);
  }

  // ---- what the strategy asks ----------------------------------------------------------------

  pnl(symbol: string): StrategyPnl {
    const b = this.books.get(symbol) ?? new SymbolPnl();
    const unrealized = b.unrealized();
    return Object.freeze({
      symbol,
      position: b.position,
      averagePrice: b.position === 0 ? null : b.cost,
      realized: b.realized,
      unrealized,
      fees: b.fees,
      net: b.realized + unrealized - b.fees,
      mark: b.mark,
      markSource: b.markSource as StrategyPnl['markSource'],
    });
  }

  /** The parents not ended, of one symbol or all, by id. */
  openParents(symbol: string | undefined): readonly OpenParent[] {
    const out: OpenParent[] = [];
    for (const p of [...this.parents.values()].sort((a, b) => (a.parentId < b.parentId ? -1 : 1))) {
      if (symbol !== undefined && p.symbol !== symbol) continue;
      const state = this.ledger.parents.get(p.parentId as ParentOrderId);
      const spec = state?.spec;
      out.push(
        Object.freeze({
          parentId: p.parentId,
          signalId: p.signalId,
          symbol: p.symbol,
          side: p.side,
          qty: p.qty,
          filled: Math.min(p.filled, p.qty),
          state: state?.cancelRequested ? ('cancelling' as const) : ('working' as const),
          algorithm: spec === undefined ? 'single' : spec.route === 'algo' ? (state?.algo ?? 'algo') : spec.route,
        }),
      );
    }
    return Object.freeze(out);
  }

  /** The node's orders sent to the venue and not ended, of one symbol or all, in the order made. */
  openOrders(symbol: string | undefined): readonly OpenChildOrder[] {
    const out: OpenChildOrder[] = [];
    for (const o of this.ledger.sentOrders()) {
      const r = o.request;
      const inst = this.instrumentOf(r.symbol);
      if (!inst || (symbol !== undefined && r.symbol !== symbol)) continue;
      out.push(
        Object.freeze({
          clientOrderId: r.clientOrderId,
          parentId: r.parentId,
          symbol: r.symbol,
          side: r.side,
          qty: lotsAsUnits(inst, r.qty),
          filled: lotsAsUnits(inst, Math.min(o.filledQty, r.qty)),
          price: r.limitPrice === undefined ? null : priceOf(inst, r.limitPrice),
          status: o.status,
        }),
      );
    }
    return Object.freeze(out);
  }

  /** The account as the node folds it: what it held before the run (the venue's account as the
   *  first process read it) plus our fills, fees paid. One quote currency for every symbol. */
  balances(): Balances {
    // The account's quote is in account units: the finest notional unit of the run's instruments
    // (the one instrument's own, for a run of one).
    const set = this.instruments.length > 0 ? InstrumentSet.of(this.instruments) : null;
    const unit = set && this.instruments.find((i) => set.scaleOf(i.symbol) === 1);
    const start = this.ledger.baseline;
    const quoteAtStart = unit && start ? quoteOf(unit, start.quote) : null;
    let quote = quoteAtStart ?? 0;
    const base: Record<string, number> = {};
    for (const inst of this.instruments) {
      quote += quoteOf(inst, this.ledger.cashOf(inst.symbol));
      base[inst.symbol] = Number(lotsToQty(inst, this.ledger.accountPositionOf(inst.symbol)));
    }
    return Object.freeze({ quote, quoteAtStart, base: Object.freeze(base) });
  }

  private trade(symbol: string, side: 'buy' | 'sell', qty: number, price: number, fee: number): void {
    this.books.get(symbol)?.trade(side === 'buy' ? qty : -qty, price, fee);
  }

  private instrumentOf(symbol: string): Instrument | undefined {
    return this.instruments.find((i) => i.symbol === symbol);
  }
}
