// What the exchange's record of a desk order tells the wire, each once and at the exchange's time:
// its `new` (before anything else of it), each fill with the account's position after it, and its
// `closed` once the exchange has cancelled or expired it (for a cancel whose answer was lost, when
// it takes effect). The desk's requests tell their own steps (pending_cancel, pending_replace,
// replaced, replace_rejected) themselves.
import type { ExchangeOrder } from '../sim/venue/exchange-order.ts';
import type { DeskHoldings } from './desk-holdings.ts';
import type { DeskEvent, DeskRecord } from './desk-record.ts';

export interface DeskEventsDeps {
  /** The order at the exchange, once it is there. */
  readonly exchangeOrder: (rec: DeskRecord) => ExchangeOrder | undefined;
  /** The venue's time now (clock skew applied), epoch ms. */
  readonly now: () => number;
  /** The venue's clock against the wall clock, ms. */
  readonly skewMs: number;
  /** What the orders hold of the account (the position after each execution). */
  readonly holdings: DeskHoldings;
  readonly tell: (event: DeskEvent) => void;
  /** Runs `fn` once a request sent now has surely reached the venue. */
  readonly afterOrderEntry: (fn: () => void) => void;
}

export class DeskEvents {
  constructor(private readonly deps: DeskEventsDeps) {}

  sendNew(rec: DeskRecord): void {
    if (rec.newSent) return;
    rec.newSent = true;
    const o = this.deps.exchangeOrder(rec);
    this.deps.tell({ kind: 'new', rec, at: o ? o.createdAt + this.deps.skewMs : this.deps.now() });
  }

  sendFill(rec: DeskRecord, tradeId: string): void {
    const trades = this.deps.exchangeOrder(rec)?.trades ?? [];
    const index = trades.findIndex((t) => t.tradeId === tradeId);
    const trade = trades[index];
    if (!trade) return;
    this.sendNew(rec);
    this.deps.tell({
      kind: 'fill',
      rec,
      at: trade.time + this.deps.skewMs,
      trade,
      trades: index + 1,
      positionAfter: this.deps.holdings.positionAfter(tradeId, rec.symbol),
    });
  }

  /**
   * A cancel whose answer was lost: the venue may act on it after the client has given up (a
   * received request reaches it within the order-entry bound), and the exchange says nothing on
   * the stream when it does (our cancels are answered on the REST channel, and that answer is
   * gone). Its `closed` is told now if the exchange has closed the order, else once the bound has
   * passed and it has (a fill that won the race leaves it filled, and nothing is told).
   */
  closedWhenCancelled(rec: DeskRecord): void {
    this.sendClosed(rec);
    if (!rec.closedSent) this.deps.afterOrderEntry(() => this.sendClosed(rec));
  }

  /** Cancelled or expired, told once, when the exchange has closed the order that way. */
  sendClosed(rec: DeskRecord): void {
    const o = this.deps.exchangeOrder(rec);
    if (!o || rec.closedSent || rec.replacing || (o.status !== 'canceled' && o.status !== 'expired')) return;
    this.sendNew(rec);
    rec.closedSent = true;
    this.deps.tell({ kind: 'closed', rec, at: o.updatedAt + this.deps.skewMs });
  }
}
