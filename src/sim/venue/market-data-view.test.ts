// Our delayed market-data view: on a virtual clock a top-of-book change is kept as data (arrival
// time and its place in the clock's order) and applied when the view is read; on a clock without
// that (a wall clock) each delivery is posted. Both must show the same view at every read: same
// top, same last-update time, for random book changes, latencies (zero, with jitter), stale-quote
// windows, and reads at the very instant a delivery lands, queued before or after it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/clock/rng.ts';
import { VirtualClock } from '../../core/clock/virtual-clock.ts';
import { symbol } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
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

function run(
  lazy: boolean,
  acts: readonly Act[],
  latency: { ms: number; jitterMs: number },
  stale: boolean,
): unknown[] {
  const clock = new VirtualClock(0);
  const exchange = new SimExchange(
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
        fc.array(act, { minLength: 1, maxLength: 30 }),
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
