// Walking an adapter's orders listing page by page, each page asked after the last one's cursor,
// lists every order at or after `since` exactly once, in (submission time, venue id) order,
// whatever the page size, ties on time and the order the venue answered in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, venueOrderId } from '../core/model/ids.ts';
import type { OrdersCursor } from '../core/ports/broker.ts';
import { mergedOrdersPage, submittedOrdersPage, type ListedOrder } from './orders-page.ts';

const byNumber = (a: string, b: string): number => Number(a) - Number(b);

const listed = (at: number, id: number): ListedOrder => ({
  at,
  row: {
    clientOrderId: clientOrderId(`c${id}`),
    venueOrderId: venueOrderId(String(id)),
    status: 'filled',
    qty: 1,
    filledQty: 1,
  },
});

describe('an orders listing by submission time, page by page', () => {
  it('property: every order at or after since, once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40, size: 'max' }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 10 }),
        (times, limit, since) => {
          const all = times.map((at, i) => listed(at, i + 1));
          const shuffled = [...all].reverse();
          const seen: string[] = [];
          let cursor: OrdersCursor | undefined;
          for (let pages = 0; pages <= all.length + 1; pages++) {
            const page = submittedOrdersPage(since, shuffled, cursor, limit, false, byNumber);
            seen.push(...page.orders.map((o) => o.venueOrderId));
            expect(page.orders.length).toBeLessThanOrEqual(limit);
            if (page.next === null) break;
            cursor = page.next;
          }
          const expected = all
            .filter((o) => o.at >= since)
            .sort((a, b) => a.at - b.at || byNumber(a.row.venueOrderId, b.row.venueOrderId))
            .map((o) => o.row.venueOrderId);
          expect(seen).toEqual(expected);
        },
      ),
    );
  });

  it('says there may be more when the venue answered as many as were asked for', () => {
    const page = submittedOrdersPage(0, [listed(5, 1)], undefined, 10, true, byNumber);
    expect(page.next).toEqual({ at: 5, venueOrderId: '1' });
    expect(page.orders[0]).toMatchObject({ updatedAt: 5, submittedAt: 5 });
    expect(submittedOrdersPage(0, [listed(5, 1)], undefined, 10, false, byNumber).next).toBeNull();
  });
});

describe('a listing merged from symbols listed apart (Binance of several symbols)', () => {
  /** A symbol's answer from `from` on: its orders created since, by id (which grows with time),
   *  the first `ask` of them. */
  const read = (orders: readonly ListedOrder[], from: number, ask: number) => {
    const got = orders.filter((o) => o.at >= from).slice(0, ask);
    return { listed: got, full: got.length >= ask };
  };

  it('property: page by page, every order of every symbol at or after since, once, in order', () => {
    fc.assert(
      fc.property(
        // Each symbol's gaps between orders (ms; 0: two orders in one millisecond).
        fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 25, size: 'max' }), {
          minLength: 2,
          maxLength: 3,
        }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 3, max: 8 }),
        fc.integer({ min: 0, max: 30 }),
        (gaps, limit, ask, since) => {
          // Ids grow with time on each symbol and are never the same on two (1, 4, 7, ... on the
          // first of three): the listing tells rows apart by (time, id).
          const symbols = gaps.map((g, s) => {
            let at = 0;
            return g.map((gap, k) => listed((at += gap), s + 1 + k * gaps.length));
          });
          const seen: string[] = [];
          let cursor: OrdersCursor | undefined;
          const total = symbols.flat().length;
          for (let pages = 0; pages <= 2 * total + 2; pages++) {
            const from = Math.max(since, cursor?.at ?? since);
            const page = mergedOrdersPage(
              since,
              symbols.map((orders) => read(orders, from, ask)),
              cursor,
              limit,
              byNumber,
            );
            seen.push(...page.orders.map((o) => o.venueOrderId));
            expect(page.orders.length).toBeLessThanOrEqual(limit);
            if (page.next === null) break;
            cursor = page.next;
          }
          const expected = symbols
            .flat()
            .filter((o) => o.at >= since)
            .sort((a, b) => a.at - b.at || byNumber(a.row.venueOrderId, b.row.venueOrderId))
            .map((o) => o.row.venueOrderId);
          // A symbol's orders in one millisecond outnumbering one answer could stall the walk;
          // the adapter asks for a whole page (1,000), so those cases are not the venue's.
          const crowded = symbols.some((orders) => {
            const perMs = new Map<number, number>();
            for (const o of orders) perMs.set(o.at, (perMs.get(o.at) ?? 0) + 1);
            return [...perMs.values()].some((n) => n >= ask);
          });
          if (!crowded) expect(seen).toEqual(expected);
        },
      ),
    );
  });

  it('stops a page at the earliest full answer: rows past it wait for the next page', () => {
    const btc = { listed: [listed(1, 10), listed(2, 11)], full: true };
    const eth = { listed: [listed(1, 20), listed(3, 21), listed(9, 22)], full: false };
    const page = mergedOrdersPage(0, [btc, eth], undefined, 10, byNumber);
    expect(page.orders.map((o) => o.venueOrderId)).toEqual(['10', '20', '11']);
    expect(page.next).toEqual({ at: 2, venueOrderId: '11' });
  });
});
