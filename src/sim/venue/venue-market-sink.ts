// What a market model drives (GridMarketSink): one symbol's book at the simulated venue (its tape
// and our delayed view of it) and its exchange (which updates our queue positions and fills our
// resting orders). Why a class: docs/0069-core-and-simulator-notes.md.
import type { Side } from '../../core/model/order.ts';
import type { DisplayedBook } from '../book/l2-book.ts';
import type { GridMarketSink } from '../market/market-model.ts';
import type { SimExchange } from './sim-exchange.ts';
import type { VenueBook } from './venue-book.ts';

export class VenueMarketSink implements GridMarketSink {
  constructor(
    private readonly venue: VenueBook,
    private readonly exchange: SimExchange,
    /** The book the exchange matches against (what levelQty and best read). */
    private readonly book: DisplayedBook,
  ) {}

  setLevel(side: 'bid' | 'ask', price: number, qty: number, refresh?: boolean): void {
    this.exchange.setLevel(side, price, qty, refresh);
  }

  setGrid(side: 'bid' | 'ask', best: number, gap: number, qtys: ArrayLike<number>, count: number): void {
    this.exchange.setGrid(side, best, gap, qtys, count);
  }

  marketTrade(price: number, qty: number, aggressor: Side): void {
    this.venue.marketTrade(price, qty);
    this.exchange.marketTrade(price, qty, aggressor);
  }

  refreshTop(): void {
    this.venue.refreshTop();
  }

  levelQty(side: 'bid' | 'ask', price: number): number {
    return this.book.qty(side, price);
  }

  best(side: 'bid' | 'ask'): number | null {
    return side === 'bid' ? this.book.bestBid() : this.book.bestAsk();
  }

  available(side: 'bid' | 'ask', price: number): number {
    return this.exchange.available(side, price);
  }

  canDefer(lowestBid: number, highestAsk: number): boolean {
    return this.venue.canDefer(lowestBid, highestAsk);
  }

  publishTop(bid: number | null, bidQty: number, ask: number | null, askQty: number): void {
    this.venue.publishTop(bid, bidQty, ask, askQty);
  }

  catchUpStarted(): void {
    this.venue.catchUpStarted();
  }

  catchUpEnded(): void {
    this.venue.catchUpEnded();
  }

  quietTrade(price: number, qty: number): void {
    this.venue.marketTrade(price, qty);
    this.exchange.noteMarketTrade(price);
  }
}
