// requestWith builds an order's request field by field; it must say what the copies it replaces
// said: the fields without the prices (a rest copy), then the quantity, then the prices that are
// not null, in that order (the spread), for every mix of optional fields.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol } from './ids.ts';
import { ORDER_TYPES, requestWith, SIDES, TIMES_IN_FORCE, type OrderRequest } from './order.ts';

const price = fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: null });
/** The fields of a request in the order an OrderCreated event lists them (the ledger's input),
 *  the optional ones present or not. */
const fields = fc.record(
  {
    clientOrderId: fc.string({ minLength: 1 }).map(clientOrderId),
    parentId: fc.string({ minLength: 1 }).map(parentOrderId),
    sliceNum: fc.nat(),
    totalSlices: fc.nat(),
    scheduledTime: fc.double({ min: 0, max: 2e12, noNaN: true }),
    symbol: fc.constantFrom('BTCUSDT', 'AAPL').map(symbol),
    side: fc.constantFrom(...SIDES),
    type: fc.constantFrom(...ORDER_TYPES),
    tif: fc.constantFrom(...TIMES_IN_FORCE),
    qty: fc.integer({ min: 1, max: 2 ** 40 }),
    limitPrice: fc.integer({ min: 1, max: 2 ** 40 }),
    stopPrice: fc.integer({ min: 1, max: 2 ** 40 }),
    postOnly: fc.boolean(),
  },
  {
    requiredKeys: [
      'clientOrderId',
      'parentId',
      'sliceNum',
      'totalSlices',
      'scheduledTime',
      'symbol',
      'side',
      'type',
      'tif',
      'qty',
    ],
  },
);

describe('requestWith', () => {
  it('is the request without its prices, then the quantity and the prices that are not null', () => {
    fc.assert(
      fc.property(
        fields,
        fc.integer({ min: 1, max: 2 ** 40 }),
        price,
        price,
        (r: OrderRequest, qty, limitPrice, stopPrice) => {
          const { limitPrice: _l, stopPrice: _s, ...base } = r;
          const want = {
            ...base,
            qty,
            ...(limitPrice === null ? {} : { limitPrice }),
            ...(stopPrice === null ? {} : { stopPrice }),
          };
          const got = requestWith(r, qty, limitPrice, stopPrice);
          expect(got).toStrictEqual(want);
          expect(Object.keys(got)).toEqual(Object.keys(want));
        },
      ),
    );
  });
});
