// A service session's recent quotes: a quote is kept only when it has a side and changed, the
// newest `limit` are kept, and the latest for a symbol is read with its age and staleness.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Symbol } from '../model/ids.ts';
import type { TopOfBook } from '../ports/broker.ts';
import { RecentQuotes } from './recent-quotes.ts';

const BTC = 'BTCUSDT' as Symbol;
const ETH = 'ETHUSDT' as Symbol;

/** A venue showing `top` for every symbol, updated at `at` (null: it gives no update time). */
function venue(top: TopOfBook, at: number | null) {
  return { topOfBook: () => top, lastUpdateAt: () => at };
}
const book = (bid: number | null, ask: number | null): TopOfBook => ({ bid, ask, bidQty: 1, askQty: 1 });

describe('RecentQuotes', () => {
  it('keeps a quote only when it has a side and changed, at the venue time or else now', () => {
    const ring = new RecentQuotes(10, 5_000);
    ring.sample(venue(book(null, null), 1_000), BTC, () => 1_500);
    expect(ring.latest(BTC, 2_000)).toBeNull();
    ring.sample(venue(book(100, 101), 1_000), BTC, () => 1_500);
    ring.sample(venue(book(100, 101), 1_000), BTC, () => 1_600);
    expect(ring.latest(BTC, 2_000)).toEqual({
      symbol: BTC,
      top: book(100, 101),
      at: 1_000,
      ageMs: 1_000,
      stale: false,
    });
    ring.sample(venue(book(100, 102), null), BTC, () => 3_000);
    expect(ring.latest(BTC, 9_000)).toMatchObject({ top: book(100, 102), at: 3_000, ageMs: 6_000, stale: true });
    expect(ring.latest(ETH, 9_000)).toBeNull();
    // A clock behind the quote's time reads it as new, not of a negative age.
    expect(ring.latest(BTC, 2_000)).toMatchObject({ ageMs: 0, stale: false });
  });

  it('reads the newest quote of the symbol asked for', () => {
    const ring = new RecentQuotes(10, 5_000);
    ring.sample(venue(book(100, 101), 1_000), BTC, () => 0);
    ring.sample(venue(book(20, 21), 1_100), ETH, () => 0);
    expect(ring.latest(BTC, 1_200)).toMatchObject({ top: book(100, 101), ageMs: 200 });
    expect(ring.latest(ETH, 1_200)).toMatchObject({ top: book(20, 21), ageMs: 100 });
  });

  it('property: the latest is the last quote that changed, however many were kept', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 })), { minLength: 1 }),
        (limit, samples) => {
          const ring = new RecentQuotes(limit, 1_000);
          for (const [bid, at] of samples) ring.sample(venue(book(bid, bid + 1), at), BTC, () => 0);
          const [bid, at] = samples.at(-1)!;
          expect(ring.latest(BTC, 10)).toMatchObject({ top: book(bid, bid + 1), at });
        },
      ),
    );
  });
});
