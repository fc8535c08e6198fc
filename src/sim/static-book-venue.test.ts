import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/clock/rng.ts';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../core/model/ids.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import type { OrderRequest, OrderType, Side, TimeInForce } from '../core/model/order.ts';
import type { VenueReport } from '../core/model/reports.ts';
import { StaticBookVenue, type StaticBookConfig } from './static-book-venue.ts';

const instrument = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });

function setup(bids: Array<[number, number]>, asks: Array<[number, number]>, extra: Partial<StaticBookConfig> = {}) {
  const clock = new VirtualClock(0);
  const config: StaticBookConfig = {
    instrument,
    bids: bids.map(([price, qty]) => ({ price, qty })),
    asks: asks.map(([price, qty]) => ({ price, qty })),
    makerFeeBps: 0,
    takerFeeBps: 10,
    latency: { submitMs: 10, reportMs: 5, jitterMs: 7 },
    clientIdMaxLength: 36,
    rejectWindows: [],
    ...extra,
  };
  const venue = new StaticBookVenue(clock, new Rng(1).stream('venue'), config);
  const reports: Array<{ at: number; r: VenueReport }> = [];
  venue.setReportHandler((r) => reports.push({ at: clock.now(), r }));
  return { clock, venue, reports };
}

let n = 0;
const order = (side: Side, qty: number, type: OrderType, tif: TimeInForce, limitPrice?: number, stopPrice?: number): OrderRequest => ({
  clientOrderId: clientOrderId(`c${++n}`), parentId: parentOrderId('p'), sliceNum: 1, totalSlices: 1, scheduledTime: 0,
  symbol: symbol('T'), side, type, tif, qty,
  ...(limitPrice === undefined ? {} : { limitPrice }),
  ...(stopPrice === undefined ? {} : { stopPrice }),
});

const fills = (reports: Array<{ r: VenueReport }>, id?: string) =>
  reports.map((x) => x.r).filter((r): r is Extract<VenueReport, { kind: 'FillReport' }> => r.kind === 'FillReport' && (id === undefined || r.clientOrderId === id));

describe('StaticBookVenue', () => {
  it('walks levels for a market order, one fill per level, with taker fees', () => {
    const { clock, venue, reports } = setup([[99, 5]], [[101, 2], [102, 3], [105, 10]]);
    const o = order('buy', 4, 'market', 'IOC');
    venue.submit(o);
    clock.runUntilIdle();
    expect(reports.map((x) => x.r.kind)).toEqual(['AckReport', 'FillReport', 'FillReport']);
    expect(fills(reports).map((f) => [f.price, f.qty, f.fee])).toEqual([[101, 2, Math.round((202 * 10) / 10_000)], [102, 2, Math.round((204 * 10) / 10_000)]]);
    expect(venue.topOfBook(symbol('T'))).toEqual({ bid: 99, bidQty: 5, ask: 102, askQty: 1 });
  });

  it('delivers reports in order and after the configured latency', () => {
    const { clock, venue, reports } = setup([], [[101, 1], [102, 1], [103, 1]]);
    venue.submit(order('buy', 3, 'market', 'IOC'));
    clock.runUntilIdle();
    const times = reports.map((x) => x.at);
    expect(times[0]).toBeGreaterThanOrEqual(15);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('rests a limit remainder, expires an IOC remainder, and kills an unfillable FOK', () => {
    const { clock, venue, reports } = setup([[99, 5]], [[101, 2], [102, 3]]);
    const gtc = order('buy', 4, 'limit', 'GTC', 101);
    const ioc = order('buy', 9, 'limit', 'IOC', 102);
    const fok = order('sell', 6, 'limit', 'FOK', 90);
    venue.submit(gtc);
    venue.submit(ioc);
    venue.submit(fok);
    clock.runUntilIdle();
    const kinds = (id: string) => reports.filter((x) => x.r.clientOrderId === id).map((x) => x.r.kind);
    expect(kinds(gtc.clientOrderId)).toEqual(['AckReport', 'FillReport']);
    expect(kinds(ioc.clientOrderId)).toEqual(['AckReport', 'FillReport', 'ExpiredReport']);
    expect(kinds(fok.clientOrderId)).toEqual(['AckReport', 'ExpiredReport']);
    venue.cancel(gtc.clientOrderId, null);
    venue.cancel(ioc.clientOrderId, null);
    clock.runUntilIdle();
    expect(kinds(gtc.clientOrderId).at(-1)).toBe('CancelReport');
    expect(kinds(ioc.clientOrderId).at(-1)).toBe('CancelRejectReport');
  });

  it('refuses a duplicate open client id, a below-minimum notional, and everything inside a reject window', () => {
    const inst = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '500' });
    const { clock, venue, reports } = setup([[99, 5]], [[101, 2]], {
      instrument: inst,
      rejectWindows: [{ from: 1000, until: 2000, code: '-1003', reason: 'busy' }],
    });
    const resting = order('buy', 10, 'limit', 'GTC', 90);
    venue.submit(resting);
    venue.submit(resting);
    venue.submit(order('buy', 1, 'market', 'IOC'));
    clock.runUntilIdle();
    const rejects = reports.map((x) => x.r).filter((r) => r.kind === 'RejectReport');
    expect(rejects.map((r) => (r.kind === 'RejectReport' ? r.code : '')).sort()).toEqual(['-1013', '-2010']);
    clock.advanceTo(995);
    venue.submit(order('buy', 10, 'limit', 'GTC', 90));
    clock.runUntilIdle();
    expect(reports.at(-1)?.r).toMatchObject({ kind: 'RejectReport', code: '-1003' });
  });

  it('triggers a stop only when the touch is already through it', () => {
    const { clock, venue, reports } = setup([[99, 5]], [[101, 2]]);
    const through = order('buy', 1, 'stop', 'GTC', undefined, 100);
    const waiting = order('buy', 1, 'stop', 'GTC', undefined, 110);
    venue.submit(through);
    venue.submit(waiting);
    clock.runUntilIdle();
    expect(fills(reports, through.clientOrderId)).toHaveLength(1);
    expect(fills(reports, waiting.clientOrderId)).toHaveLength(0);
  });

  it('property: fills never exceed an order, never take more than a level held, and conserve depth', () => {
    const level = fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10 }));
    const req = fc.record({
      side: fc.constantFrom<Side>('buy', 'sell'),
      qty: fc.integer({ min: 1, max: 30 }),
      type: fc.constantFrom<OrderType>('market', 'limit'),
      tif: fc.constantFrom<TimeInForce>('GTC', 'IOC', 'FOK'),
      offset: fc.integer({ min: -5, max: 25 }),
    });
    fc.assert(
      fc.property(fc.array(level, { maxLength: 6 }), fc.array(level, { maxLength: 6 }), fc.array(req, { maxLength: 12 }), (bidSteps, askSteps, reqs) => {
        let p = 1000;
        const bids = bidSteps.map(([step, qty]) => [(p -= step), qty] as [number, number]);
        p = 1000;
        const asks = askSteps.map(([step, qty]) => [(p += step), qty] as [number, number]);
        const { clock, venue, reports } = setup(bids, asks);
        const orders = reqs.map((r) => {
          const limit = r.side === 'buy' ? 1000 + r.offset : 1000 - r.offset;
          return r.type === 'market' ? order(r.side, r.qty, 'market', r.tif === 'GTC' ? 'IOC' : r.tif) : order(r.side, r.qty, 'limit', r.tif, limit);
        });
        orders.forEach((o) => venue.submit(o));
        clock.runUntilIdle();
        const all = fills(reports);
        for (const o of orders) {
          const mine = fills(reports, o.clientOrderId);
          expect(mine.reduce((s, f) => s + f.qty, 0)).toBeLessThanOrEqual(o.qty);
          for (const f of mine) {
            if (o.limitPrice !== undefined) expect(o.side === 'buy' ? f.price <= o.limitPrice : f.price >= o.limitPrice).toBe(true);
          }
        }
        for (const [price, qty] of [...bids, ...asks]) {
          const taken = all.filter((f) => f.price === price).reduce((s, f) => s + f.qty, 0);
          expect(taken).toBeLessThanOrEqual(qty);
        }
        const takenTotal = all.reduce((s, f) => s + f.qty, 0);
        const depthBefore = [...bids, ...asks].reduce((s, [, q]) => s + q, 0);
        const top = venue.topOfBook(symbol('T'));
        expect(top.bidQty).toBeGreaterThanOrEqual(0);
        expect(top.askQty).toBeGreaterThanOrEqual(0);
        expect(takenTotal).toBeLessThanOrEqual(depthBefore);
      }),
      { numRuns: 300 },
    );
  });
});
