// SimExchange answers its open orders and its listing by submission time from indexes (an open
// list, a submission-ordered array) instead of walking every order of the run. The answers must
// be what the walk gives, in the same order, whatever happens to the orders: fills, rests,
// cancels, DAY expiries, parked orders, and client ids used again after their order ended.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol, type ClientOrderId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { OrderRequest, Side, TimeInForce } from '../../core/model/order.ts';
import { L2Book } from '../book/l2-book.ts';
import { isOpenStatus, type ExchangeOrder } from './exchange-order.ts';
import { makeQueueModel } from './queue-model.ts';
import { SimExchange } from './sim-exchange.ts';

const instrument = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });

const ids = fc.integer({ min: 0, max: 7 }).map((i) => `o${i}`);
const side = fc.constantFrom<Side>('buy', 'sell');
const op = fc.oneof(
  fc.record({
    k: fc.constant('limit' as const),
    id: ids,
    side,
    qty: fc.integer({ min: 1, max: 5 }),
    price: fc.integer({ min: 97, max: 103 }),
    tif: fc.constantFrom<TimeInForce>('GTC', 'DAY'),
    parked: fc.boolean(),
  }),
  fc.record({ k: fc.constant('market' as const), id: ids, side, qty: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ k: fc.constant('cancel' as const), id: ids }),
  fc.record({ k: fc.constant('activate' as const), id: ids }),
  fc.record({
    k: fc.constant('trade' as const),
    price: fc.integer({ min: 97, max: 103 }),
    qty: fc.integer({ min: 1, max: 6 }),
    side,
  }),
  fc.record({ k: fc.constant('expireDay' as const) }),
  fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3 }) }),
);

function request(id: string, s: Side, qty: number, price: number | null, tif: TimeInForce): OrderRequest {
  return {
    clientOrderId: clientOrderId(id),
    parentId: parentOrderId('p'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('T'),
    side: s,
    type: price === null ? 'market' : 'limit',
    tif,
    qty,
    ...(price === null ? {} : { limitPrice: price }),
  };
}

describe('SimExchange indexes', () => {
  it('open orders and the listing by submission time are what a walk over every order gives', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60, size: 'max' }), fc.integer({ min: 0, max: 12 }), (ops, since) => {
        const clock = { t: 0 };
        const ex = new SimExchange(
          new L2Book(),
          {
            instrument,
            makerFeeBps: 0,
            takerFeeBps: 0,
            queue: makeQueueModel({ model: 'risk_averse' }),
            fillOnTouch: false,
            account: null,
            clientIdUniqueness: 'open-orders',
          },
          () => clock.t,
        );
        ex.setListener({ accepted: () => {}, filled: () => {}, canceled: () => {}, expired: () => {} });
        for (const [p, q] of [
          [99, 3],
          [98, 5],
        ] as const)
          ex.setLevel('bid', p, q);
        for (const [p, q] of [
          [101, 3],
          [102, 5],
        ] as const)
          ex.setLevel('ask', p, q);
        // The walk's reference: the venue's record in Map key order (first use of each id).
        const keys: ClientOrderId[] = [];
        const every = (): ExchangeOrder[] => keys.map((k) => ex.order(k) as ExchangeOrder);
        const check = (): void => {
          expect(ex.openOrders()).toEqual(every().filter((o) => isOpenStatus(o.status)));
          const listed = ex.ordersSince(since, 'submitted');
          const walked = every().filter((o) => o.createdAt >= since);
          expect(new Set(listed)).toEqual(new Set(walked));
          expect(listed.length).toBe(walked.length);
          expect(listed.map((o) => o.createdAt)).toEqual([...listed.map((o) => o.createdAt)].sort((a, b) => a - b));
        };
        for (const o of ops) {
          if (o.k === 'limit' || o.k === 'market') {
            const r =
              o.k === 'limit'
                ? request(o.id, o.side, o.qty, o.price, o.tif)
                : request(o.id, o.side, o.qty, null, 'IOC');
            const out = ex.submit(r, false, o.k === 'limit' && o.parked);
            if (typeof out !== 'string' && !keys.includes(r.clientOrderId)) keys.push(r.clientOrderId);
          } else if (o.k === 'cancel') ex.cancel(clientOrderId(o.id));
          else if (o.k === 'activate') ex.activate(clientOrderId(o.id));
          else if (o.k === 'trade') ex.marketTrade(o.price, o.qty, o.side);
          else if (o.k === 'expireDay') ex.expireDayOrders();
          else clock.t += o.ms;
          check();
        }
      }),
      { numRuns: 300 },
    );
  });
});
