// Counts the depth diffs that cross or lock a book rebuilt from snapshots and diffs as the replay
// rebuilds it (depth-sync.ts): a diff after which the best bid is at or above the best ask, where
// it was below before. A snapshot's or a quote's own crossing is counted where it is read; this is
// the crossing a diff makes (a bid put at or above the best ask, an ask at or below the best bid),
// which only the book built so far shows. How many diffs in all left the book so is counted too:
// a crossing level no later diff removes keeps the book crossed. An import prints both among its
// checks, beside the crossed snapshots and quotes.
import { groupedDigits } from '../../core/model/count-text.ts';
import { L2Book } from '../book/l2-book.ts';
import type { BinanceMessage } from './binance-message-types.ts';
import { DepthSync } from './depth-sync.ts';

const crossedOrLocked = (book: L2Book): boolean => {
  const bid = book.bestBid();
  const ask = book.bestAsk();
  return bid !== null && ask !== null && bid >= ask;
};

export class CrossedDiffs {
  /** Diffs that crossed or locked the book (it was not before them). */
  crossings = 0;
  /** Where the first was read (`file: line N`), as `where` said then. */
  first = '';
  /** Diffs after which the book was crossed or locked, whatever made it so. */
  crossedAfter = 0;
  /** The book, synced as a replay syncs it (its counts: diffs applied, gaps, ...). */
  readonly sync: DepthSync;
  private crossedNow = false;

  /** `where` says where the message being read came from (asked once, at the first crossing). */
  constructor(private readonly where: () => string) {
    this.sync = new DepthSync(new L2Book(), {
      onApplied: (_diff, book) => {
        const crossed = crossedOrLocked(book);
        if (crossed) {
          this.crossedAfter++;
          if (!this.crossedNow && this.crossings++ === 0) this.first = this.where();
        }
        this.crossedNow = crossed;
      },
    });
  }

  /** Feeds a message to the book (snapshots and diffs; the rest is no part of it). */
  see(m: BinanceMessage): void {
    if (m.kind === 'depth') this.sync.onDepth(m);
    else if (m.kind === 'snapshot' && this.sync.onSnapshot(m) === 'loaded')
      this.crossedNow = crossedOrLocked(this.sync.book);
  }

  /** The check's line for an import's notes (none when no diff crossed the book). */
  note(): string[] {
    if (this.crossings === 0) return [];
    const n = groupedDigits;
    return [
      `${n(this.crossings)} depth diffs crossed or locked the book (best bid at or above best ask; first at ` +
        `${this.first}); it was so after ${n(this.crossedAfter)} diffs in all`,
    ];
  }
}
