// A simulated venue trading two symbols on one account: each order meets its own symbol's book,
// buys on either book spend and lock the one quote balance (in account units: the finer of the
// two notional units), client ids and venue ids are the venue's (unique across books), the
// listings name each row's symbol, and the account answer states every symbol's position.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/clock/rng.ts';
import { VirtualClock } from '../../core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../../core/model/ids.ts';
import { makeInstrument, type Instrument } from '../../core/model/instrument.ts';
import type { OrderRequest, Side } from '../../core/model/order.ts';
import type { VenueMessage } from '../../core/model/reports.ts';
import { venueRules } from '../../core/venues/index.ts';
import { L2Book } from '../book/l2-book.ts';
import { FaultSchedule } from '../faults.ts';
import { LatencyModel } from '../latency-model.ts';
import { QuotePurse } from './exchange-account.ts';
import { VenueIds } from './book-matcher.ts';
import { makeQueueModel } from './queue-model.ts';
import { SimExchange } from './sim-exchange.ts';
import { SimVenue } from './sim-venue.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const ETH = makeInstrument({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001', minNotional: '5' });
/** ETH's notional unit (0.01 x 0.0001 = 1e-6 USDT) in account units (BTC's, 1e-7 USDT). */
const ETH_SCALE = 10;
const path = { ms: 10, jitterMs: 0 };

/** Account units of `usdt` (1e-7 USDT each). */
const units = (usdt: number): number => Math.round(usdt * 1e7);

function twoBooks(quoteUsdt: number | null, base: { btc: number; eth: number } = { btc: 0, eth: 0 }) {
  const clock = new VirtualClock(Date.UTC(2024, 7, 9));
  const rules = venueRules('binance-spot');
  const purse = new QuotePurse(quoteUsdt !== null, quoteUsdt === null ? 0 : units(quoteUsdt));
  const ids = new VenueIds();
  const exchangeOf = (instrument: Instrument, baseLots: number, quoteScale: number): SimExchange =>
    new SimExchange(
      new L2Book(),
      {
        instrument,
        makerFeeBps: 10,
        takerFeeBps: 10,
        queue: makeQueueModel({ model: 'risk_averse' }),
        fillOnTouch: false,
        account: quoteUsdt === null ? null : { quoteUnits: 0, baseLots },
        clientIdUniqueness: rules.clientIdUniqueness,
        shared: { purse, quoteScale, ids },
      },
      () => clock.now(),
    );
  const btc = exchangeOf(BTC, base.btc, 1);
  const eth = exchangeOf(ETH, base.eth, ETH_SCALE);
  const venue = new SimVenue(
    clock,
    btc,
    new LatencyModel({ orderEntry: path, ack: path, fillReport: path, marketData: path }, new Rng(1)),
    new FaultSchedule([], new Rng(1)),
    { rules, onFault: () => {} },
  );
  const ethBook = venue.addExchange(eth);
  // BTC 60000.00 / 60000.10, 1 coin deep; ETH 3000.00 / 3000.05, 20 coins deep.
  btc.setLevel('bid', 6_000_000, 100_000);
  btc.setLevel('ask', 6_000_010, 100_000);
  eth.setLevel('bid', 300_000, 200_000);
  eth.setLevel('ask', 300_005, 200_000);
  venue.refreshTop();
  ethBook.refreshTop();
  const got: VenueMessage[] = [];
  venue.setReportHandler((m) => got.push(m));
  let n = 0;
  const order = (inst: Instrument, side: Side, qty: number, limitPrice?: number, id = `o${++n}`): OrderRequest => ({
    clientOrderId: clientOrderId(id),
    parentId: parentOrderId('p'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: clock.now(),
    symbol: inst.symbol,
    side,
    type: limitPrice === undefined ? 'market' : 'limit',
    tif: limitPrice === undefined ? 'IOC' : 'GTC',
    qty,
    ...(limitPrice === undefined ? {} : { limitPrice }),
  });
  const settle = (): void => void clock.advanceBy(1_000);
  return { clock, venue, btc, eth, purse, got, order, settle };
}

describe('a simulated venue with two books on one account', () => {
  it('routes each order to its own book and shows each symbol its own market', () => {
    const v = twoBooks(null);
    v.settle();
    expect(v.venue.topOfBook(symbol('BTCUSDT')).ask).toBe(6_000_010);
    expect(v.venue.topOfBook(symbol('ETHUSDT')).ask).toBe(300_005);
    v.venue.submit(v.order(ETH, 'buy', 5_000));
    v.settle();
    expect(v.eth.position).toBe(5_000);
    expect(v.btc.position).toBe(0);
    const fill = v.got.find((m) => m.kind === 'FillReport');
    expect(fill).toMatchObject({ qty: 5_000, price: 300_005 });
    // What the ETH buy took is gone from ETH's top only.
    expect(v.venue.topOfBook(symbol('ETHUSDT')).askQty).toBe(195_000);
    expect(v.venue.topOfBook(symbol('BTCUSDT')).askQty).toBe(100_000);
    expect(v.venue.window(symbol('ETHUSDT'), 0, v.clock.now()).volume).toBe(5_000);
    expect(v.venue.window(symbol('BTCUSDT'), 0, v.clock.now()).volume).toBe(0);
  });

  it('spends and locks one quote balance across both books, in account units', () => {
    // 100,000 USDT: a resting BTC buy of 1 coin at 59,000 locks 59,000 of it.
    const v = twoBooks(100_000);
    v.venue.submit(v.order(BTC, 'buy', 100_000, 5_900_000));
    v.settle();
    expect(v.got.at(-1)?.kind).toBe('AckReport');
    // 14 ETH at 3000.05 is about 42,000 USDT: more than the 41,000 left free.
    v.venue.submit(v.order(ETH, 'buy', 140_000));
    v.settle();
    expect(v.got.at(-1)).toMatchObject({ kind: 'RejectReport', code: '-2010' });
    // 10 ETH fits; the balance falls by its notional and fee in account units.
    v.venue.submit(v.order(ETH, 'buy', 100_000));
    v.settle();
    const fills = v.got.filter((m) => m.kind === 'FillReport');
    expect(fills).toHaveLength(1);
    const notional = 100_000 * 300_005; // ETH notional units
    const fee = Math.round((notional * 10) / 10_000);
    expect(v.purse.quote).toBe(units(100_000) - (notional + fee) * ETH_SCALE);
    v.venue.queryAccount('a1');
    v.settle();
    const account = v.got.at(-1);
    expect(account).toMatchObject({
      kind: 'AccountReport',
      symbol: 'BTCUSDT',
      position: 0,
      quote: v.purse.quote,
      balances: { quote: { locked: 100_000 * 5_900_000 } },
      others: [{ symbol: 'ETHUSDT', position: 100_000, base: { free: 100_000, locked: 0 } }],
    });
  });

  it("keeps client ids and venue ids unique across books and names each listed row's symbol", () => {
    const v = twoBooks(null);
    v.venue.submit(v.order(BTC, 'buy', 1_000, 5_900_000, 'same'));
    v.venue.submit(v.order(ETH, 'buy', 1_000, 290_000, 'same'));
    v.venue.submit(v.order(ETH, 'sell', 1_000, 310_000, 'other'));
    v.settle();
    expect(v.got.map((m) => m.kind)).toEqual(['AckReport', 'RejectReport', 'AckReport']);
    expect(v.got[1]).toMatchObject({ code: '-2010', duplicate: true });
    v.venue.queryOpenOrders('r1');
    v.venue.queryOrdersSince(0, 10, undefined, 'r2');
    v.settle();
    const open = v.got.find((m) => m.kind === 'OpenOrdersReport');
    const page = v.got.find((m) => m.kind === 'OrdersPageReport');
    if (open?.kind !== 'OpenOrdersReport' || page?.kind !== 'OrdersPageReport') throw new Error('no listings');
    expect(open.orders.map((o) => [o.clientOrderId, o.symbol])).toEqual([
      ['same', 'BTCUSDT'],
      ['other', 'ETHUSDT'],
    ]);
    expect(page.orders.map((o) => [o.clientOrderId, o.symbol, o.venueOrderId])).toEqual([
      ['same', 'BTCUSDT', 'S1'],
      ['other', 'ETHUSDT', 'S2'],
    ]);
    // A cancel and a lookup find the order on whichever book holds it.
    v.venue.cancel(clientOrderId('other'), null);
    v.venue.queryOrder(clientOrderId('other'));
    v.settle();
    expect(v.got.at(-2)).toMatchObject({ kind: 'CancelReport', clientOrderId: 'other' });
    expect(v.got.at(-1)).toMatchObject({ kind: 'OrderStatusReport', clientOrderId: 'other', status: 'canceled' });
    expect(v.eth.order(clientOrderId('other'))?.status).toBe('canceled');
  });

  it("refuses an order for a symbol it does not trade with the venue's own answer", () => {
    const v = twoBooks(null);
    v.venue.submit({ ...v.order(BTC, 'buy', 1_000), symbol: symbol('SOLUSDT') });
    v.settle();
    expect(v.got).toEqual([
      expect.objectContaining({ kind: 'RejectReport', code: '-1121', reason: 'Invalid symbol.' }),
    ]);
  });

  it('never spends more quote than the account holds, and the balance is what the fills say', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            eth: fc.boolean(),
            side: fc.constantFrom<Side>('buy', 'sell'),
            qty: fc.integer({ min: 1, max: 60_000 }),
            offset: fc.integer({ min: -3, max: 3 }),
          }),
          { maxLength: 25, size: 'max' },
        ),
        (steps) => {
          const v = twoBooks(20_000, { btc: 20_000, eth: 20_000 });
          for (const s of steps) {
            const inst = s.eth ? ETH : BTC;
            const touch = s.eth ? (s.side === 'buy' ? 300_005 : 300_000) : s.side === 'buy' ? 6_000_010 : 6_000_000;
            const qty = s.eth ? Math.ceil(s.qty / 10) : s.qty;
            v.venue.submit(v.order(inst, s.side, qty, touch + s.offset * (s.side === 'buy' ? 1 : -1)));
            v.settle();
            expect(v.purse.quote).toBeGreaterThanOrEqual(0);
          }
          let expected = units(20_000);
          for (const m of v.got) {
            if (m.kind !== 'FillReport') continue;
            const onEth = v.eth.order(m.clientOrderId) !== undefined;
            const side = (onEth ? v.eth : v.btc).order(m.clientOrderId)?.side;
            const sign = side === 'buy' ? 1 : -1;
            expected -= (sign * m.qty * m.price + m.fee) * (onEth ? ETH_SCALE : 1);
          }
          expect(v.purse.quote).toBe(expected);
          expect(v.btc.position).toBeGreaterThanOrEqual(0);
          expect(v.eth.position).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
