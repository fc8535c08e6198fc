// The SimVenue as a Broker: answers to lookups and snapshots, paginated listings that never skip
// or repeat an order, the venue's own refusal codes from its rules table, and what a submit
// says becomes of its request under faults.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/clock/rng.ts';
import { VirtualClock } from '../../core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol, type ClientOrderId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { OrderRequest, OrderType, TimeInForce } from '../../core/model/order.ts';
import type { OrdersPageReport, VenueMessage } from '../../core/model/reports.ts';
import type { OrdersCursor } from '../../core/ports/broker.ts';
import { venueRules } from '../../core/venues/index.ts';
import type { VenueId } from '../../core/venues/venue-rules.ts';
import { L2Book } from '../book/l2-book.ts';
import { FaultSchedule, type Delivery, type FaultSpec } from '../faults.ts';
import { LatencyModel } from '../latency-model.ts';
import { makeQueueModel } from './queue-model.ts';
import { SimExchange } from './sim-exchange.ts';
import { SimVenue } from './sim-venue.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const path = { ms: 10, jitterMs: 0 };

function setup(
  venue: VenueId = 'binance-spot',
  start = Date.UTC(2024, 7, 9),
  account: { quoteUnits: number; baseLots: number } | null = null,
  faultSpecs: readonly FaultSpec[] = [],
  faultSeed = 1,
) {
  const clock = new VirtualClock(start);
  const rules = venueRules(venue);
  const book = new L2Book();
  const exchange = new SimExchange(
    book,
    {
      instrument: inst,
      makerFeeBps: 10,
      takerFeeBps: 10,
      queue: makeQueueModel({ model: 'risk_averse' }),
      fillOnTouch: false,
      account,
      clientIdUniqueness: rules.clientIdUniqueness,
    },
    () => clock.now(),
  );
  const faults = new FaultSchedule(faultSpecs, new Rng(faultSeed));
  const sim = new SimVenue(
    clock,
    exchange,
    new LatencyModel({ orderEntry: path, ack: path, fillReport: path, marketData: path }, new Rng(1)),
    faults,
    {
      rules,
      onFault: () => {},
    },
  );
  const got: VenueMessage[] = [];
  sim.setReportHandler((m) => got.push(m));
  exchange.setLevel('bid', 6_000_000, 100_000);
  exchange.setLevel('ask', 6_000_100, 100_000);
  sim.start();
  return { clock, sim, exchange, got };
}

let n = 0;
const order = (type: OrderType, tif: TimeInForce, limitPrice?: number, id?: ClientOrderId): OrderRequest => ({
  clientOrderId: id ?? clientOrderId(`c${++n}`),
  parentId: parentOrderId('p'),
  sliceNum: 1,
  totalSlices: 1,
  scheduledTime: 0,
  symbol: symbol('BTCUSDT'),
  side: 'buy',
  type,
  tif,
  qty: 1000,
  ...(limitPrice === undefined ? {} : { limitPrice }),
});

describe('SimVenue queries', () => {
  it('answers a lookup with the full order truth, and unknown ids with OrderNotFoundReport', () => {
    const { clock, sim, got } = setup();
    const o = order('market', 'IOC');
    sim.submit(o);
    clock.advanceBy(100);
    sim.queryOrder(o.clientOrderId);
    sim.queryOrder(clientOrderId('nope'));
    clock.advanceBy(100);
    const status = got.find((m) => m.kind === 'OrderStatusReport');
    expect(status).toMatchObject({
      status: 'filled',
      qty: 1000,
      filledQty: 1000,
      trades: [{ qty: 1000, price: 6_000_100, liquidity: 'taker' }],
    });
    expect(got.some((m) => m.kind === 'OrderNotFoundReport' && m.clientOrderId === 'nope')).toBe(true);
  });

  it('lists open orders and the account: without starting balances, totals only', () => {
    const { clock, sim, got } = setup();
    sim.submit(order('limit', 'GTC', 5_900_000));
    sim.submit(order('market', 'IOC'));
    clock.advanceBy(100);
    sim.queryOpenOrders();
    sim.queryAccount();
    clock.advanceBy(100);
    const open = got.find((m) => m.kind === 'OpenOrdersReport');
    expect(open?.kind === 'OpenOrdersReport' && open.orders.map((o) => o.status)).toEqual(['new']);
    const account = got.find((m) => m.kind === 'AccountReport');
    expect(account).toMatchObject({ symbol: 'BTCUSDT', position: 1000 });
    expect(account).not.toHaveProperty('balances');
  });

  it('with starting balances, splits them into free and what open orders lock', () => {
    const quoteUnits = 10_000_000_000_000;
    const { clock, sim, got } = setup('binance-spot', Date.UTC(2024, 7, 9), { quoteUnits, baseLots: 5000 });
    sim.submit(order('limit', 'GTC', 5_900_000)); // a resting buy of 1000 lots
    sim.submit({ ...order('limit', 'GTC', 7_000_000), clientOrderId: clientOrderId('s1'), side: 'sell' });
    clock.advanceBy(100);
    sim.queryAccount();
    clock.advanceBy(100);
    const account = got.find((m) => m.kind === 'AccountReport');
    if (account?.kind !== 'AccountReport') throw new Error('no account answer');
    const lockedQuote = 5_900_000 * 1000;
    expect(account).toMatchObject({ symbol: 'BTCUSDT', position: 5000, quote: quoteUnits });
    expect(account.balances).toEqual({
      base: { free: 4000, locked: 1000 },
      quote: { free: quoteUnits - lockedQuote, locked: lockedQuote },
    });
  });

  it('property: paging through orders since a time returns every order exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 25, size: 'max' }),
        (count, limit, gaps) => {
          const { clock, sim, got } = setup();
          for (let i = 0; i < count; i++) {
            sim.submit(order('limit', 'GTC', 5_900_000 - i));
            clock.advanceBy(gaps[i % gaps.length] as number); // several orders share a timestamp
          }
          clock.advanceBy(100);
          const seen: string[] = [];
          let cursor: OrdersCursor | undefined;
          for (let page = 0; page < 100; page++) {
            got.length = 0;
            sim.queryOrdersSince(0, limit, cursor);
            clock.advanceBy(100);
            const report = got.find((m): m is OrdersPageReport => m.kind === 'OrdersPageReport') as OrdersPageReport;
            expect(report.orders.length).toBeLessThanOrEqual(limit);
            seen.push(...report.orders.map((o) => o.clientOrderId));
            if (report.next === null) break;
            cursor = report.next;
          }
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.length).toBe(count);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('SimVenue refusals come from the venue rules', () => {
  it('Binance: DAY is not a Binance time in force; a bad client id is refused', () => {
    const { clock, sim, got } = setup();
    sim.submit(order('limit', 'DAY', 5_900_000));
    sim.submit(order('limit', 'GTC', 5_900_000, clientOrderId('has space')));
    clock.advanceBy(100);
    const rejects = got.filter((m) => m.kind === 'RejectReport');
    expect(rejects).toHaveLength(2);
    for (const r of rejects) expect(r.kind === 'RejectReport' && r.code.startsWith('-')).toBe(true);
  });

  it('Binance: a duplicate open client id is -2010', () => {
    const { clock, sim, got } = setup();
    const o = order('limit', 'GTC', 5_900_000);
    sim.submit(o);
    clock.advanceBy(50);
    sim.submit(o);
    clock.advanceBy(50);
    expect(got.filter((m) => m.kind === 'RejectReport')).toMatchObject([{ code: '-2010' }]);
  });

  it('Alpaca: outside regular hours an order is accepted and parked until the open, and DAY expires at the close', () => {
    // 2024-08-09 is a Friday; 12:00 UTC = 08:00 New York, before the 09:30 open.
    const { clock, sim, exchange, got } = setup('alpaca-equities', Date.UTC(2024, 7, 9, 12));
    const mkt = order('market', 'DAY');
    const lmt = order('limit', 'DAY', 5_900_000);
    sim.submit(mkt);
    sim.submit(lmt);
    clock.advanceBy(1000);
    expect(got.filter((m) => m.kind === 'AckReport')).toHaveLength(2);
    expect(exchange.order(mkt.clientOrderId)?.filled).toBe(0);
    clock.advanceTo(Date.UTC(2024, 7, 9, 13, 30) + 1000); // 09:30 New York
    expect(exchange.order(mkt.clientOrderId)?.status).toBe('filled');
    expect(exchange.order(lmt.clientOrderId)?.status).toBe('new');
    clock.advanceTo(Date.UTC(2024, 7, 9, 20) + 1000); // 16:00 New York
    expect(exchange.order(lmt.clientOrderId)?.status).toBe('expired');
    expect(got.some((m) => m.kind === 'ExpiredReport' && m.clientOrderId === lmt.clientOrderId)).toBe(true);
  });
});

describe('SimVenue cancel contract', () => {
  it('cancels by client order id with or without the venue order id, and classes a refusal', () => {
    const { clock, sim, got } = setup();
    const a = order('limit', 'GTC', 5_000_000);
    const b = order('limit', 'GTC', 5_000_000);
    sim.submit(a);
    sim.submit(b);
    clock.advanceBy(100);
    const ack = got.find((m) => m.kind === 'AckReport' && m.clientOrderId === a.clientOrderId);
    if (ack?.kind !== 'AckReport') throw new Error('no ack');
    sim.cancel(a.clientOrderId, ack.venueOrderId); // with the venue's id
    sim.cancel(b.clientOrderId, null); // by client id only: the simulator needs no lookup
    sim.cancel(clientOrderId('never-sent'), null);
    clock.advanceBy(100);
    const cancels = got.filter((m) => m.kind === 'CancelReport').map((m) => m.clientOrderId);
    expect(cancels).toEqual([a.clientOrderId, b.clientOrderId]);
    expect(got.find((m) => m.kind === 'CancelRejectReport')).toMatchObject({
      clientOrderId: 'never-sent',
      failure: 'not_found',
    });
  });
});

describe('SimVenue submit says what becomes of its request', () => {
  const start = Date.UTC(2024, 7, 9);
  // Order entry takes 10 ms: the outage's 5 ms timeout answers before a received order is booked.
  const faultSpecs: FaultSpec[] = [
    { kind: 'outage', mode: 'mixed', timeoutMs: 5, from: start, until: start + 1000 },
    { kind: 'http_5xx', probability: 0.5, from: start + 1000, until: start + 2000 },
    { kind: 'rate_limit', probability: 0.5, scope: 'orders', from: start + 2000, until: start + 3000 },
  ];

  it('property: answered gets the venue verdict; unanswered and unreceived lose it, and only the first reaches the exchange', () => {
    const seen = new Set<Delivery>();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 3999 }), { minLength: 1, maxLength: 12, size: 'max' }),
        (seed, gaps) => {
          const { clock, sim, exchange, got } = setup('binance-spot', start, null, faultSpecs, seed);
          const sent: Array<{ cid: ClientOrderId; delivery: Delivery }> = [];
          for (const at of [...gaps].sort((a, b) => a - b)) {
            clock.advanceTo(start + at);
            const o = order('limit', 'GTC', 5_900_000);
            sent.push({ cid: o.clientOrderId, delivery: sim.submit(o) });
          }
          clock.advanceBy(1000);
          for (const { cid, delivery } of sent) {
            seen.add(delivery);
            const answers = got.filter((m) => 'clientOrderId' in m && m.clientOrderId === cid).map((m) => m.kind);
            const atExchange = exchange.order(cid) !== undefined;
            if (delivery === 'answered') {
              expect(answers).toHaveLength(1);
              expect(['AckReport', 'RejectReport', 'RetryableRejectReport']).toContain(answers[0]);
              expect(atExchange).toBe(answers[0] === 'AckReport');
            } else {
              expect(answers).toEqual(['OutcomeUnknownReport']);
              expect(atExchange).toBe(delivery === 'unanswered');
            }
          }
        },
      ),
      { numRuns: 60 },
    );
    expect([...seen].sort()).toEqual(['answered', 'unanswered', 'unreceived']);
  });
});
