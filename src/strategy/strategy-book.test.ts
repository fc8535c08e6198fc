// The context's book: its P&L is the report's average-cost arithmetic over the fills handed (net =
// realized + unrealized - fees, and the accounting identity: cash + position x mark - fees), its
// open parents follow the parent updates handed, its open orders are the ledger's sent orders and
// never show more filled than asked, and every answer is a frozen copy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { EventLog } from '../core/log/event-log.ts';
import type { ExecEvent } from '../core/model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId, type ClientOrderId } from '../core/model/ids.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { SymbolPnl } from '../core/report/pnl-book.ts';
import type { OwnFill } from './strategy-api.ts';
import { StrategyBook } from './strategy-book.ts';

const T0 = Date.UTC(2024, 7, 9);
const BTC = makeInstrument({ symbol: 'T', tickSize: '0.01', lotSize: '0.001', minNotional: '1' });

const fillArb = fc.record({
  side: fc.constantFrom('buy' as const, 'sell' as const),
  qty: fc.integer({ min: 1, max: 5_000 }).map((n) => n / 1000),
  price: fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 100),
  fee: fc.integer({ min: 0, max: 500 }).map((n) => n / 100),
  mark: fc.option(
    fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 100),
    { nil: null },
  ),
});

function ownFill(f: { side: 'buy' | 'sell'; qty: number; price: number; fee: number }, i: number): OwnFill {
  return { symbol: 'T', time: T0 + i, parentId: 'p', clientOrderId: `c${i}`, ...f };
}

const quoteAt = (mid: number) => ({
  quote: { symbol: 'T', time: T0, bid: mid, ask: mid, bidSize: 1, askSize: 1, mid },
  trades: null,
  bars: [],
});

describe('StrategyBook P&L', () => {
  it('is the report book over the fills handed: net = realized + unrealized - fees = cash + position x mark - fees', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 40, size: 'max' }), (fills) => {
        const book = new StrategyBook([BTC], new OrderLedger());
        const report = new SymbolPnl();
        let cash = 0;
        let fees = 0;
        fills.forEach((f, i) => {
          if (f.mark !== null) {
            book.sample(quoteAt(f.mark));
            report.setMark(f.mark, 'quote');
          }
          book.fill(ownFill(f, i));
          const signed = f.side === 'buy' ? f.qty : -f.qty;
          report.trade(signed, f.price, f.fee);
          cash -= signed * f.price;
          fees += f.fee;
          const p = book.pnl('T');
          expect(p.net).toBe(p.realized + p.unrealized - p.fees);
          expect(p.net).toBe(report.equity());
          expect(p.position).toBe(report.position);
          expect(p.averagePrice).toBe(report.position === 0 ? null : report.cost);
          if (p.mark !== null) {
            const identity = cash + p.position * p.mark - fees;
            expect(Math.abs(p.net - identity)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(cash) + Math.abs(identity)));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('marks at the quote mid, else the last trade, else a bar close, and answers frozen copies', () => {
    const book = new StrategyBook([BTC], new OrderLedger());
    expect(book.pnl('T')).toMatchObject({ mark: null, markSource: null, position: 0, averagePrice: null });
    book.sample({
      quote: null,
      trades: null,
      bars: [{ symbol: 'T', time: T0, ms: 60_000, open: 1, high: 2, low: 1, close: 2, volume: 1 }],
    });
    expect(book.pnl('T')).toMatchObject({ mark: 2, markSource: 'bar' });
    const noMid = { symbol: 'T', time: T0, bid: null, ask: 3, bidSize: 0, askSize: 1, mid: null };
    book.sample({ quote: noMid, trades: { symbol: 'T', time: T0, count: 1, size: 1, vwap: 3, last: 3 }, bars: [] });
    expect(book.pnl('T')).toMatchObject({ mark: 3, markSource: 'trade' });
    book.sample(quoteAt(4));
    book.fill(ownFill({ side: 'buy', qty: 2, price: 3, fee: 0.5 }, 0));
    const p = book.pnl('T');
    expect(p).toEqual({
      symbol: 'T',
      position: 2,
      averagePrice: 3,
      realized: 0,
      unrealized: 2,
      fees: 0.5,
      net: 1.5,
      mark: 4,
      markSource: 'quote',
    });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(book.openParents(undefined))).toBe(true);
    expect(Object.isFrozen(book.balances().base)).toBe(true);
  });
});

describe('StrategyBook balances', () => {
  it("states the account's quote at the start in account units: the finest notional unit of the run's instruments", () => {
    // ETH's notional unit (0.01 x 0.0001) is ten of BTC's (0.01 x 0.00001): account units are BTC's.
    const eth = makeInstrument({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001', minNotional: '1' });
    const btc = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '1' });
    const ledger = new OrderLedger();
    const log = new EventLog(new VirtualClock(T0));
    // 1,000 USDT is 10^10 account units (1e-7 each).
    ledger.apply(
      log.append({ kind: 'AccountBaseline', symbol: 'ETHUSDT', position: 0, quote: 10_000_000_000, balances: null }),
    );
    const b = new StrategyBook([eth, btc], ledger).balances();
    expect(b.quoteAtStart).toBe(1000);
    expect(b.quote).toBe(1000);
    // One instrument: its own notional unit.
    expect(new StrategyBook([eth], ledger).balances().quoteAtStart).toBe(10_000);
  });
});

describe('StrategyBook parents', () => {
  it('lists parents created and not ended, their fills handed, by id', () => {
    const book = new StrategyBook([BTC], new OrderLedger());
    const update = (parentId: string, state: 'created' | 'filled' | 'rejected') =>
      book.parent({ symbol: 'T', time: T0, parentId, signalId: 's', side: 'buy', qty: 1, state });
    update('p2', 'created');
    update('p1', 'created');
    update('', 'rejected');
    book.fill({ ...ownFill({ side: 'buy', qty: 0.4, price: 10, fee: 0 }, 0), parentId: 'p2' });
    expect(book.openParents(undefined).map((p) => [p.parentId, p.filled, p.state, p.algorithm])).toEqual([
      ['p1', 0, 'working', 'single'],
      ['p2', 0.4, 'working', 'single'],
    ]);
    expect(book.openParents('OTHER')).toEqual([]);
    update('p2', 'filled');
    expect(book.openParents('T').map((p) => p.parentId)).toEqual(['p1']);
  });
});

// ---- open orders over any sequence of venue reports ---------------------------------------------

const CHILDREN = 3;
const child = fc.integer({ min: 0, max: CHILDREN - 1 });
const step = fc.oneof(
  fc.record({ k: fc.constant('submit' as const), c: child }),
  fc.record({ k: fc.constant('ack' as const), c: child }),
  fc.record({ k: fc.constant('fill' as const), c: child, qty: fc.integer({ min: 1, max: 9 }), t: fc.nat(5) }),
  fc.record({ k: fc.constant('amend' as const), c: child, qty: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ k: fc.constant('canceled' as const), c: child }),
  fc.record({
    k: fc.constant('status' as const),
    c: child,
    status: fc.constantFrom('new', 'partially_filled', 'filled', 'canceled'),
    filled: fc.integer({ min: 0, max: 12 }),
  }),
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function eventOf(s: Step, id: ClientOrderId): ExecEvent {
  const vid = venueOrderId(`v${s.c}`);
  switch (s.k) {
    case 'submit':
      return { kind: 'SubmitOrder', clientOrderId: id };
    case 'ack':
      return { kind: 'AckReport', clientOrderId: id, venueOrderId: vid };
    case 'fill':
      return {
        kind: 'FillReport',
        clientOrderId: id,
        venueOrderId: vid,
        tradeId: tradeId(`t${s.c}-${s.t}`),
        qty: s.qty,
        price: 10_000,
        fee: 1,
        liquidity: 'taker',
        venueTime: T0,
      };
    case 'amend':
      return { kind: 'ChildAmended', clientOrderId: id, qty: s.qty, limitPrice: 9_999, stopPrice: null };
    case 'canceled':
      return { kind: 'CancelReport', clientOrderId: id };
    case 'status':
      return {
        kind: 'OrderStatusReport',
        clientOrderId: id,
        venueOrderId: vid,
        status: s.status,
        qty: 8,
        filledQty: s.filled,
        ...(s.filled > 0 ? { avgPrice: 10_000 } : {}),
      };
  }
}

describe('StrategyBook seeded from the node (a restarted process)', () => {
  it("starts from the ledger's fills, as one trade per order at its average price, and its unended parents", () => {
    const log = new EventLog(new VirtualClock(T0));
    const ledger = new OrderLedger();
    const fold = (e: ExecEvent): void => {
      for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
    };
    const id = clientOrderId('c0');
    fold({
      kind: 'ParentOrderCreated',
      parentId: parentOrderId('p'),
      symbol: 'T',
      side: 'buy',
      qty: 3_000,
      type: 'market',
      tif: 'IOC',
      limitPrice: null,
      totalSlices: 1,
      route: 'single',
      arrivalBid: null,
      arrivalAsk: null,
      source: 'test',
    });
    fold({
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId: parentOrderId('p'),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: T0,
      symbol: 'T' as never,
      side: 'buy',
      type: 'market',
      tif: 'GTC',
      qty: 3_000,
      limitPrice: null,
      stopPrice: null,
    });
    fold({ kind: 'SubmitOrder', clientOrderId: id });
    const fill = (t: string, qty: number, price: number) =>
      fold({
        kind: 'FillReport',
        clientOrderId: id,
        venueOrderId: venueOrderId('v'),
        tradeId: tradeId(t),
        qty,
        price,
        fee: 100,
        liquidity: 'taker',
        venueTime: T0,
      });
    fill('t1', 1_000, 10_000);
    fill('t2', 1_000, 10_300);
    const book = new StrategyBook([BTC], ledger);
    book.seed();
    // 2 units at an average of 101.50; two fees of 100 notional units (a unit is 0.01 x 0.001).
    expect(book.pnl('T')).toMatchObject({ position: 2, averagePrice: 101.5, realized: 0 });
    expect(book.pnl('T').fees).toBeCloseTo(0.002, 12);
    expect(book.openParents('T')).toEqual([
      {
        parentId: 'p',
        signalId: null,
        symbol: 'T',
        side: 'buy',
        qty: 3,
        filled: 2,
        state: 'working',
        algorithm: 'single',
      },
    ]);
    expect(book.openOrders('T').map((o) => [o.clientOrderId, o.qty, o.filled, o.price])).toEqual([['c0', 3, 2, null]]);
  });
});

describe('StrategyBook open orders', () => {
  it('are the sent orders not ended, never with more filled than their quantity', () => {
    let shown = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40, size: 'max' }), (steps) => {
        const log = new EventLog(new VirtualClock(T0));
        const ledger = new OrderLedger();
        const fold = (e: ExecEvent): void => {
          for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
        };
        const book = new StrategyBook([BTC], ledger);
        const ids = Array.from({ length: CHILDREN }, (_, i) => clientOrderId(`c${i}`));
        fold({
          kind: 'ParentOrderCreated',
          parentId: parentOrderId('p'),
          symbol: 'T',
          side: 'buy',
          qty: 8 * CHILDREN,
          type: 'limit',
          tif: 'GTC',
          limitPrice: 10_000,
          totalSlices: CHILDREN,
          route: 'twap',
          arrivalBid: null,
          arrivalAsk: null,
          source: 'test',
        });
        ids.forEach((id, i) =>
          fold({
            kind: 'OrderCreated',
            clientOrderId: id,
            parentId: parentOrderId('p'),
            sliceNum: i + 1,
            totalSlices: CHILDREN,
            scheduledTime: T0,
            symbol: 'T' as never,
            side: 'buy',
            type: 'limit',
            tif: 'GTC',
            qty: 8,
            limitPrice: 10_000,
            stopPrice: null,
          }),
        );
        for (const s of steps) {
          fold(eventOf(s, ids[s.c] as ClientOrderId));
          const open = book.openOrders(undefined);
          const sent = [...ledger.sentOrders()].map((o) => o.request.clientOrderId);
          expect(open.map((o) => o.clientOrderId)).toEqual(sent);
          for (const o of open) {
            shown++;
            expect(o.filled).toBeLessThanOrEqual(o.qty);
            expect(o.filled).toBeGreaterThanOrEqual(0);
            expect(Object.isFrozen(o)).toBe(true);
            expect([100, 99.99]).toContain(o.price);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(shown).toBeGreaterThan(100);
  });
});
