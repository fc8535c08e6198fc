// Our delayed market-data view: on a virtual clock a top-of-book change is kept as data (arrival
// time and its place in the clock's order) and applied when the view is read; on a clock without
// that (a wall clock) each delivery is posted. Both must show the same view at every read: same
// top, same last-update time, for random book changes, latencies (zero, with jitter), stale-quote
// windows, and reads at the very instant a delivery lands, queued before or after it. And what
// the view shows after our own trades: a displayed level they emptied is not the best price (the
// model has not refreshed it, but nothing is left there to trade), and no side shows a size of 0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/clock/rng.ts';
import { VirtualClock } from '../../core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { Side } from '../../core/model/order.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { venueRules } from '../../core/venues/index.ts';
import { L2Book } from '../book/l2-book.ts';
import { FaultSchedule } from '../faults.ts';
import { LatencyModel } from '../latency-model.ts';
import { makeQueueModel } from './queue-model.ts';
import { SimExchange } from './sim-exchange.ts';
import { SimVenue } from './sim-venue.ts';

const inst = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });
const SYM = symbol('T');

/** The Clock port of a virtual clock without orderMark/hasRun: the venue posts every delivery. */
function portOnly(clock: VirtualClock): Clock {
  return {
    now: () => clock.now(),
    scheduler: clock,
    schedule: (work, delay) => clock.schedule(work, delay),
    post: ((work: (arg?: unknown) => void, delay: number, arg?: unknown) =>
      clock.post(work as (a: unknown) => void, delay, arg)) as Clock['post'],
  };
}

interface Act {
  /** When the action runs, ms from the start. */
  readonly at: number;
  /** A book change (new best bid and its lots) or a read of the view (with a follow-up read
   *  `then` ms later, queued from inside the action). */
  readonly change: { readonly bid: number; readonly qty: number } | null;
  readonly then: number | null;
}

const act = fc.record({
  at: fc.integer({ min: 0, max: 30 }),
  change: fc.option(fc.record({ bid: fc.integer({ min: 90, max: 95 }), qty: fc.integer({ min: 1, max: 3 }) })),
  then: fc.option(fc.integer({ min: 0, max: 4 })),
});

/** An exchange on an L2 book of the test instrument, no fees, on `clock`. */
function newExchange(clock: VirtualClock): SimExchange {
  return new SimExchange(
    new L2Book(),
    {
      instrument: inst,
      makerFeeBps: 0,
      takerFeeBps: 0,
      queue: makeQueueModel({ model: 'risk_averse' }),
      fillOnTouch: false,
      account: null,
      clientIdUniqueness: 'open-orders',
    },
    () => clock.now(),
  );
}

function run(
  lazy: boolean,
  acts: readonly Act[],
  latency: { ms: number; jitterMs: number },
  stale: boolean,
): unknown[] {
  const clock = new VirtualClock(0);
  const exchange = newExchange(clock);
  const faults = new FaultSchedule(stale ? [{ kind: 'stale_quotes', from: 6, until: 13 }] : [], new Rng(1));
  const path = { ms: 1, jitterMs: 0 };
  const venue = new SimVenue(
    lazy ? clock : portOnly(clock),
    exchange,
    new LatencyModel({ orderEntry: path, ack: path, fillReport: path, marketData: latency }, new Rng(7)),
    faults,
    { rules: venueRules('binance-spot'), onFault: () => {} },
  );
  const seen: unknown[] = [];
  const read = (label: string) => seen.push([label, clock.now(), venue.lastUpdateAt(SYM), venue.topOfBook(SYM)]);
  let bid: number | null = null;
  venue.refreshTop();
  read('setup');
  acts.forEach((a, i) => {
    clock.post(() => {
      if (a.change) {
        if (bid !== null && bid !== a.change.bid) exchange.setLevel('bid', bid, 0);
        bid = a.change.bid;
        exchange.setLevel('bid', bid, a.change.qty);
        venue.refreshTop();
      } else read(`read ${i}`);
      if (a.then !== null) clock.post(() => read(`then ${i}`), a.then);
    }, a.at);
  });
  for (const t of [3, 8, 8, 20, 40]) {
    clock.advanceTo(t);
    read(`between advances at ${t}`);
  }
  return seen;
}

describe('the market-data view computed when read', () => {
  it('property: shows exactly what posted deliveries show, at every read', () => {
    fc.assert(
      fc.property(
        fc.array(act, { minLength: 1, maxLength: 30, size: 'max' }),
        fc.constantFrom({ ms: 0, jitterMs: 0 }, { ms: 2, jitterMs: 0 }, { ms: 1, jitterMs: 2 }),
        fc.boolean(),
        (acts, latency, stale) => {
          expect(run(true, acts, latency, stale)).toEqual(run(false, acts, latency, stale));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the view's top after our own trades", () => {
  it('a level our trades emptied is not the best price: the next level is, with its size; the benchmark mid too', () => {
    const clock = new VirtualClock(0);
    const exchange = newExchange(clock);
    const path = { ms: 1, jitterMs: 0 };
    const venue = new SimVenue(
      clock,
      exchange,
      new LatencyModel(
        { orderEntry: path, ack: path, fillReport: path, marketData: { ms: 2, jitterMs: 0 } },
        new Rng(7),
      ),
      new FaultSchedule([], new Rng(1)),
      { rules: venueRules('binance-spot'), onFault: () => {} },
    );
    venue.setReportHandler(() => {});
    for (const [price, qty] of [
      [99, 4],
      [98, 6],
    ] as const)
      exchange.setLevel('bid', price, qty);
    for (const [price, qty] of [
      [101, 2],
      [102, 3],
      [104, 9],
    ] as const)
      exchange.setLevel('ask', price, qty);
    venue.refreshTop();
    let n = 0;
    const market = (side: Side, qty: number) =>
      venue.submit({
        clientOrderId: clientOrderId(`m${++n}`),
        parentId: parentOrderId('p'),
        sliceNum: 1,
        totalSlices: 1,
        scheduledTime: clock.now(),
        symbol: SYM,
        side,
        type: 'market',
        tif: 'IOC',
        qty,
      });
    clock.advanceTo(10);
    expect(venue.topOfBook(SYM)).toEqual({ bid: 99, bidQty: 4, ask: 101, askQty: 2 });

    market('buy', 4); // all 2 at 101 and 2 of the 3 at 102
    clock.advanceTo(20);
    expect(exchange.book.bestAsk()).toBe(101); // still displayed: a static book never refreshes
    expect(venue.topOfBook(SYM)).toEqual({ bid: 99, bidQty: 4, ask: 102, askQty: 1 });
    expect(venue.tape.window(20, 20).twapMid).toBe((99 + 102) / 2);

    market('sell', 4); // the whole best bid
    market('buy', 1); // the rest at 102
    clock.advanceTo(30);
    expect(venue.topOfBook(SYM)).toEqual({ bid: 98, bidQty: 6, ask: 104, askQty: 9 });
    expect(venue.tape.window(30, 30).twapMid).toBe((98 + 104) / 2);

    market('buy', 9); // nothing left on the ask side: no ask at all, not an ask of size 0
    clock.advanceTo(40);
    expect(venue.topOfBook(SYM)).toEqual({ bid: 98, bidQty: 6, ask: null, askQty: 0 });

    exchange.setLevel('ask', 102, 3); // the model refreshes a level: it is quoted again
    venue.refreshTop();
    clock.advanceTo(50);
    expect(venue.topOfBook(SYM)).toEqual({ bid: 98, bidQty: 6, ask: 102, askQty: 3 });
  });
});
