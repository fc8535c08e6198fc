// The venue's answers written out field by field say exactly what the spreads they replace said:
// a stamped answer is the answer's fields then the stamp's, in that order; a row of a page of
// orders is the order's status report without its kind, then its update and submission times;
// a row of the open orders is the status report without its kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol, tradeId, venueOrderId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { VenueMessage } from '../../core/model/reports.ts';
import { venueRules } from '../../core/venues/index.ts';
import { L2Book } from '../book/l2-book.ts';
import { makeQueueModel } from './queue-model.ts';
import { SimExchange } from './sim-exchange.ts';
import { CanonicalBytes } from '../../core/log/canonical-bytes.ts';
import type { ReportedTrade } from '../../core/model/reports.ts';
import { expectWritesItsPlainCopy, payloadNumber as number } from '../../../test/support/self-written.ts';
import {
  openOrdersAnswer,
  orderAnswer,
  ordersPageAnswer,
  SimStatusReport,
  stamped,
  statusReport,
} from './venue-queries.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

/** An exchange of `inst` with Binance's rules, no account, its clock `now`. */
function exchangeAt(now: () => number): SimExchange {
  return new SimExchange(
    new L2Book(),
    {
      instrument: inst,
      makerFeeBps: 10,
      takerFeeBps: 10,
      queue: makeQueueModel({ model: 'risk_averse' }),
      fillOnTouch: false,
      account: null,
      clientIdUniqueness: venueRules('binance-spot').clientIdUniqueness,
    },
    now,
  );
}

/** Same fields, same values, same order. */
function expectSame(got: unknown, want: unknown): void {
  expect(got).toStrictEqual(want);
  expect(Object.keys(got as object)).toEqual(Object.keys(want as object));
}

describe('stamped', () => {
  it('is the answer then its stamp, as a spread of both', () => {
    // Answers have field names, never an index or __proto__.
    const value = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.string(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const answer = fc
      .dictionary(fc.stringMatching(/^[a-zA-Z]\w{0,8}$/), value)
      .map((fields) => ({ ...fields, kind: 'OrderStatusReport' }) as unknown as VenueMessage);
    const stamp = fc.record({ askedAfterSeq: fc.nat(), requestId: fc.string() }, { requiredKeys: [] });
    fc.assert(
      fc.property(answer, stamp, (a, s) => {
        const got = stamped(a, s);
        expectSame(got, { ...a, ...s });
        if (s.askedAfterSeq === undefined && s.requestId === undefined) expect(got).toBe(a);
      }),
    );
  });
});

describe('rows of the listings', () => {
  it('are the status report without its kind (and, in a page, its times)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -500, max: 500 }), fc.boolean(), (skewMs, withCommission) => {
        let now = Date.UTC(2024, 7, 9) + 0.25;
        const exchange = exchangeAt(() => now);
        exchange.setLevel('bid', 6_000_000, 100_000);
        exchange.setLevel('ask', 6_000_100, 100_000);
        for (let i = 0; i < 4; i++) {
          const market = i % 2 === 0;
          exchange.submit(
            {
              clientOrderId: clientOrderId(`c${i}`),
              parentId: parentOrderId('p'),
              sliceNum: 1,
              totalSlices: 1,
              scheduledTime: 0,
              symbol: symbol('BTCUSDT'),
              side: 'buy',
              type: market ? 'market' : 'limit',
              tif: market ? 'IOC' : 'GTC',
              qty: 1000 + i,
              ...(market ? {} : { limitPrice: 5_990_000 }),
            },
            false,
          );
          now += 7.5;
        }
        const commission = withCommission ? (fee: number) => ({ asset: 'BNB', amount: String(fee) }) : undefined;
        const page = ordersPageAnswer([{ exchange, commission }], 0, 10, undefined, 'updated', now, skewMs);
        const open = openOrdersAnswer([{ exchange, commission }], now, skewMs);
        if (page.kind !== 'OrdersPageReport' || open.kind !== 'OpenOrdersReport') throw new Error('not listings');
        expect(page.orders).toHaveLength(4);
        expect(open.orders).toHaveLength(2);
        for (const row of page.orders) {
          const o = exchange.order(row.clientOrderId);
          if (!o) throw new Error('unknown order');
          const { kind: _k, ...rest } = statusReport(o, commission, skewMs);
          expectSame(row, { ...rest, updatedAt: o.updatedAt + skewMs, submittedAt: o.createdAt + skewMs });
        }
        for (const row of open.orders) {
          const o = exchange.order(row.clientOrderId);
          if (!o) throw new Error('unknown order');
          const { kind: _k, ...rest } = statusReport(o, commission, skewMs);
          expectSame(row, rest);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('an order lookup answer (SimStatusReport)', () => {
  const trade = fc.record(
    {
      tradeId: fc.string({ minLength: 1, maxLength: 6 }).map(tradeId),
      qty: number,
      price: number,
      fee: number,
      liquidity: fc.constantFrom('maker' as const, 'taker' as const),
      venueTime: number,
      commission: fc.record({ asset: fc.string({ maxLength: 4 }), amount: fc.string({ maxLength: 6 }) }),
    },
    { requiredKeys: ['tradeId', 'qty', 'price', 'fee', 'liquidity', 'venueTime'] },
  );
  const report = fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 40, size: 'max' }).map(clientOrderId),
      fc.string({ minLength: 1, maxLength: 8 }).map(venueOrderId),
      fc.constantFrom('new' as const, 'partially_filled' as const, 'filled' as const, 'canceled' as const),
      number,
      number,
      fc.array(trade, { maxLength: 3 }),
      number,
      fc.constantFrom('buy' as const, 'sell' as const),
      fc.option(number, { nil: null }),
    )
    // The answer to one lookup, stamped with `seq` or not.
    .map((f) => (seq?: number) => new SimStatusReport(...f, seq));

  it('writes the bytes of its plain copy, stamped or not, with the fields the answer always had in their order', () => {
    fc.assert(
      fc.property(report, fc.option(fc.nat(), { nil: undefined }), fc.nat(), number, (answerTo, seq, n, time) => {
        const answer = answerTo(seq);
        // Stamped where it is made: the fields of the unstamped answer then the stamp's.
        if (seq !== undefined) expectSame({ ...answer }, stamped({ ...answerTo() }, { askedAfterSeq: seq }));
        const keys = ['kind', 'clientOrderId', 'venueOrderId', 'status', 'qty', 'filledQty', 'trades', 'updatedAt'];
        expectWritesItsPlainCopy(
          answer,
          [...keys, 'side', 'limitPrice', ...(seq === undefined ? [] : ['askedAfterSeq'])],
          n,
          time,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('is stamped as the not-found answer is, which carries the stamp the same way', () => {
    const exchange = exchangeAt(() => 0);
    const id = clientOrderId('nobody');
    expectSame(orderAnswer(exchange, id, undefined, 0, 7), stamped(orderAnswer(exchange, id), { askedAfterSeq: 7 }));
    expect(orderAnswer(exchange, id)).toEqual({ kind: 'OrderNotFoundReport', clientOrderId: id });
  });

  it('fails on a non-finite number as the generic writer does', () => {
    const t: ReportedTrade = { tradeId: tradeId('T1'), qty: 1, price: 2, fee: 0, liquidity: 'maker', venueTime: 3 };
    const r = new SimStatusReport(clientOrderId('c'), venueOrderId('v'), 'new', 5, 0, [t], NaN, 'buy', null);
    const writer = new CanonicalBytes();
    expect(() => writer.line({ seq: 1, time: 2, event: r })).toThrow(/non-finite number/);
    expect(() => new CanonicalBytes().line({ seq: 1, time: 2, event: { ...r } })).toThrow(/non-finite number/);
    expect(writer.used).toBe(0);
  });
});
