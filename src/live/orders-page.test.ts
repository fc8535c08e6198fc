// Walking an adapter's orders listing page by page, each page asked after the last one's cursor,
// lists every order at or after `since` exactly once, in (submission time, venue id) order,
// whatever the page size, ties on time and the order the venue answered in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, venueOrderId } from '../core/model/ids.ts';
import type { OrdersCursor } from '../core/ports/broker.ts';
import { submittedOrdersPage, type ListedOrder } from './orders-page.ts';

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
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }),
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
