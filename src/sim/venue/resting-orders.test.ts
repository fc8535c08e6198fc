import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClientOrderId, VenueOrderId } from '../../core/model/ids.ts';
import type { Side } from '../../core/model/order.ts';
import type { ExchangeOrder } from './exchange-order.ts';
import { RestingOrders } from './resting-orders.ts';

function order(n: number, side: Side, price: number): ExchangeOrder {
  return {
    clientOrderId: `c${n}` as ClientOrderId,
    venueOrderId: `v${n}` as VenueOrderId,
    side,
    type: 'limit',
    tif: 'GTC',
    qty: 10,
    limitPrice: price,
    stopPrice: null,
    postOnly: false,
    createdAt: 0,
    status: 'new',
    triggered: true,
    filled: 0,
    notional: 0,
    ahead: 0,
    updatedAt: 0,
    trades: [],
  };
}

/** The best price on a side worked out from every order still resting. */
function scanned(live: readonly ExchangeOrder[], side: Side): number | null {
  const prices = live.filter((o) => o.side === side).map((o) => o.limitPrice as number);
  if (prices.length === 0) return null;
  return side === 'buy' ? Math.max(...prices) : Math.min(...prices);
}

describe('our resting orders', () => {
  it('tell their best price on each side after any adds and removes (the kept best equals a scan)', () => {
    const step = fc.oneof(
      fc.record({
        add: fc.constant(true),
        side: fc.constantFrom<Side>('buy', 'sell'),
        price: fc.integer({ min: 1, max: 8 }),
      }),
      fc.record({ add: fc.constant(false), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60, size: 'max' }), (steps) => {
        const book = new RestingOrders();
        const live: ExchangeOrder[] = [];
        let n = 0;
        for (const s of steps) {
          if (s.add) {
            const o = order(n++, s.side, s.price);
            book.add(o);
            live.push(o);
          } else if (live.length > 0) {
            const [o] = live.splice(s.pick % live.length, 1) as [ExchangeOrder];
            expect(book.remove(o)).toBe(true);
            expect(book.remove(o)).toBe(false);
          }
          expect(book.size).toBe(live.length);
          expect(book.bestPrice('buy')).toBe(scanned(live, 'buy'));
          expect(book.bestPrice('sell')).toBe(scanned(live, 'sell'));
        }
      }),
      { numRuns: 300 },
    );
  });
});
