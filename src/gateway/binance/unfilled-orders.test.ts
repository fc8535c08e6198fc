import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnfilledOrders, type CountedOrder } from './unfilled-orders.ts';

const T0 = Date.UTC(2024, 0, 2, 12, 0, 0);

describe('UnfilledOrders', () => {
  it('counts placed orders per window, takes first fills off, refuses at the limit with the wait', () => {
    let t = T0 + 2_500;
    const u = new UnfilledOrders({ ordersPer10s: 2, ordersPerDay: 5 }, () => t);
    expect(u.place().headers).toEqual({ 'X-MBX-ORDER-COUNT-10S': '1', 'X-MBX-ORDER-COUNT-1D': '1' });
    u.place();
    expect(u.refusal()).toEqual({
      status: 429,
      code: -1015,
      msg: 'Too many new orders; current limit is 2 orders per 10 SECOND.',
      retryAfterS: 8, // 7.5 s to the window's end, in whole seconds up
    });
    u.firstFill();
    expect(u.refusal()).toBeNull();
    u.place();
    t += 10_000; // a new 10-second window; the day's count goes on
    u.place();
    u.place();
    expect(u.report()).toEqual([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 2, count: 2 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 5, count: 4 },
    ]);
    t += 10_000;
    u.place();
    expect(u.refusal()?.msg).toBe('Too many new orders; current limit is 5 orders per 1 DAY.');
    expect(u.refusal()?.retryAfterS).toBe(Math.ceil((T0 + 12 * 3_600_000 - t) / 1000));
  });

  it('a refused order is taken back only in the windows it was counted in', () => {
    let t = T0 + 9_000;
    const u = new UnfilledOrders({ ordersPer10s: 100, ordersPerDay: 100 }, () => t);
    u.place();
    const late = u.place().counted;
    t += 2_000; // the 10-second window it was counted in is over
    u.place();
    u.refused(late);
    expect(u.report().map((r) => r['count'])).toEqual([1, 2]);
  });

  // A model: every operation at a time, and the counts a window holds since it started.
  type Op =
    | { readonly kind: 'wait'; readonly ms: number }
    | { readonly kind: 'place' }
    | { readonly kind: 'fill' }
    | { readonly kind: 'refuse'; readonly which: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 15_000 }) }),
    fc.constant({ kind: 'place' as const }),
    fc.constant({ kind: 'fill' as const }),
    fc.record({ kind: fc.constant('refuse' as const), which: fc.nat() }),
  );

  it('holds the model: never below zero, refused exactly at the limit, each window from zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 80, size: 'max' }), (limit, ops) => {
        let t = T0;
        const u = new UnfilledOrders({ ordersPer10s: limit, ordersPerDay: 1_000 }, () => t);
        let window = Math.floor(t / 10_000);
        let count = 0;
        const counted: Array<{ c: CountedOrder; window: number; back: boolean }> = [];
        for (const o of ops) {
          if (o.kind === 'wait') t += o.ms;
          const now = Math.floor(t / 10_000);
          if (now !== window) [window, count] = [now, 0];
          if (o.kind === 'place') {
            expect(u.refusal() !== null).toBe(count >= limit);
            counted.push({ c: u.place().counted, window, back: false });
            count++;
          } else if (o.kind === 'fill') {
            u.firstFill();
            count = Math.max(0, count - 1);
          } else if (o.kind === 'refuse' && counted.length > 0) {
            const one = counted[o.which % counted.length]!;
            if (one.back) continue; // an order is refused once
            one.back = true;
            u.refused(one.c);
            if (one.window === window) count = Math.max(0, count - 1);
          }
          expect(u.report()[0]?.['count']).toBe(count);
        }
      }),
    );
  });
});
