// The replay display on its own, driven through its three calls as the replay model drives it:
// a ticker newer than the book refines the displayed top, a diff covering it ends it, a stale
// diff's levels past the ticker stay hidden, and a self-crossed book has its stale side trimmed.
// At no level update is the displayed book crossed or locked. Prices in ticks, quantities in lots.
import { describe, expect, it } from 'vitest';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import { ReplayDisplay } from '../../src/sim/market/replay-display.ts';
import type { BinanceBbo, BinanceDepth, BinanceLevels } from '../../src/sim/replay/binance-messages.ts';
import { WatchedBook } from '../support/replay-drive.ts';

function setup(bids: BinanceLevels, asks: BinanceLevels) {
  const book = new L2Book();
  const sink = new WatchedBook();
  const display = new ReplayDisplay(book, sink, (q) => q);
  apply(book, bids, asks);
  display.rebuilt();
  /** Applies a diff to the book, as the depth sync does, then tells the display. */
  const diff = (lastId: number, b: BinanceLevels, a: BinanceLevels) => {
    apply(book, b, a);
    const d: BinanceDepth = { kind: 'depth', recvMs: 0, eventMs: 0, firstId: lastId, lastId, bids: b, asks: a };
    display.depthApplied(d);
  };
  return { book, sink, display, diff };
}

function apply(book: L2Book, bids: BinanceLevels, asks: BinanceLevels): void {
  for (let i = 0; i < bids.length; i += 2) book.set('bid', bids[i] as number, bids[i + 1] as number);
  for (let i = 0; i < asks.length; i += 2) book.set('ask', asks[i] as number, asks[i + 1] as number);
}

function ticker(updateId: number, bid: number, bidQty: number, ask: number, askQty: number): BinanceBbo {
  return { kind: 'bbo', recvMs: 0, updateId, bid, bidQty, ask, askQty };
}

function shown(sink: WatchedBook) {
  return { bids: sink.book.depth('bid', 10), asks: sink.book.depth('ask', 10) };
}

describe('replay display', () => {
  it('shows the ticker in force at its top until a diff covers its update id', () => {
    const { sink, display, diff } = setup([100, 5, 99, 5], [103, 5, 104, 5]);
    display.showTicker(ticker(10, 101, 2, 103, 1));
    expect(shown(sink)).toEqual({
      bids: [
        [101, 2],
        [100, 5],
        [99, 5],
      ],
      asks: [
        [103, 1],
        [104, 5],
      ],
    });
    // The ticker moves down: the level of the old ticker's bid is not in the book and goes.
    display.showTicker(ticker(11, 100, 4, 102, 3));
    expect(shown(sink).bids).toEqual([
      [100, 4],
      [99, 5],
    ]);
    expect(shown(sink).asks[0]).toEqual([102, 3]);
    // A diff covering it: the book as it stands is shown again.
    diff(11, [100, 6], [102, 2]);
    expect(display.ticker).toBeNull();
    expect(shown(sink)).toEqual({
      bids: [
        [100, 6],
        [99, 5],
      ],
      asks: [
        [102, 2],
        [103, 5],
        [104, 5],
      ],
    });
    expect(display.counts).toEqual({
      staleDepthUpdates: 0,
      levelsHeldBack: 0,
      crossedPrevented: 0,
      lockedPrevented: 0,
    });
    expect([sink.crossedAtUpdate, sink.lockedAtUpdate]).toEqual([0, 0]);
  });

  it('writes what shrinks before what grows: a ticker moving up never locks the display between updates', () => {
    const { sink, display } = setup([100, 5], [102, 5]);
    display.showTicker(ticker(10, 100, 5, 101, 1));
    display.showTicker(ticker(11, 101, 2, 102, 5));
    expect(shown(sink)).toEqual({
      bids: [
        [101, 2],
        [100, 5],
      ],
      asks: [[102, 5]],
    });
    expect([sink.crossedAtUpdate, sink.lockedAtUpdate]).toEqual([0, 0]);
  });

  it('keeps a stale diff’s levels past the ticker hidden, counts them, and shows them once it is covered', () => {
    const { sink, display, diff } = setup([100, 5], [102, 5]);
    display.showTicker(ticker(10, 100, 5, 101, 1));
    // Older than the ticker: an ask at the ticker's bid would lock the displayed book.
    diff(9, [], [100, 4]);
    expect(display.ticker).not.toBeNull();
    expect(shown(sink).asks).toEqual([
      [101, 1],
      [102, 5],
    ]);
    expect(display.counts).toEqual({
      staleDepthUpdates: 1,
      levelsHeldBack: 1,
      crossedPrevented: 0,
      lockedPrevented: 1,
    });
    // The covering diff removes that ask and the ticker's: the book's top is shown again.
    diff(10, [], [100, 0, 101, 2]);
    expect(display.ticker).toBeNull();
    expect(shown(sink)).toEqual({
      bids: [[100, 5]],
      asks: [
        [101, 2],
        [102, 5],
      ],
    });
    expect([sink.crossedAtUpdate, sink.lockedAtUpdate]).toEqual([0, 0]);
  });

  it('shows a held-back level that is still in the book once a diff covers the ticker', () => {
    const { sink, display, diff } = setup([100, 5], [104, 5]);
    display.showTicker(ticker(10, 100, 5, 103, 1));
    diff(9, [], [102, 4]);
    expect(shown(sink).asks[0]).toEqual([103, 1]);
    expect(display.counts).toEqual({
      staleDepthUpdates: 1,
      levelsHeldBack: 1,
      crossedPrevented: 0,
      lockedPrevented: 0,
    });
    // This diff does not touch the ask side: the held-back ask comes back from the hidden levels.
    diff(10, [99, 1], []);
    expect(shown(sink).asks).toEqual([
      [102, 4],
      [104, 5],
    ]);
    expect([sink.crossedAtUpdate, sink.lockedAtUpdate]).toEqual([0, 0]);
  });

  it('shows a book level again that a ticker of under one lot blanked, once a lower ticker and a diff have passed', () => {
    const { sink, display, diff } = setup([999, 2, 998, 3, 995, 1], [1001, 2]);
    // The ticker's best bid is the book's 998, at less than a lot: nothing is displayed there.
    display.showTicker(ticker(101, 998, 0, 999, 0));
    expect(shown(sink).bids).toEqual([[995, 1]]);
    // A newer ticker further down: 998 is now beyond its top, as 999 and 995 are.
    display.showTicker(ticker(102, 990, 0, 991, 0));
    expect(shown(sink).bids).toEqual([]);
    // A diff that changes nothing but covers both tickers: the display is the book again.
    diff(102, [], []);
    expect(shown(sink).bids).toEqual([
      [999, 2],
      [998, 3],
      [995, 1],
    ]);
    expect([sink.crossedAtUpdate, sink.lockedAtUpdate]).toEqual([0, 0]);
  });

  it('trims the side a diff did not touch while the book itself is crossed, until it uncrosses', () => {
    const { sink, display, diff } = setup([100, 5], [102, 5, 105, 5]);
    // The bid moved above the stale best ask: that ask is hidden, not the new bid.
    diff(1, [103, 1], []);
    expect(shown(sink)).toEqual({
      bids: [
        [103, 1],
        [100, 5],
      ],
      asks: [[105, 5]],
    });
    expect(display.counts.crossedPrevented).toBe(1);
    // The ask side catches up: the book uncrosses and nothing is hidden any more.
    diff(2, [], [102, 0, 104, 2]);
    expect(shown(sink)).toEqual({
      bids: [
        [103, 1],
        [100, 5],
      ],
      asks: [
        [104, 2],
        [105, 5],
      ],
    });
    expect([sink.crossedAtUpdate, sink.lockedAtUpdate]).toEqual([0, 0]);
  });
});
