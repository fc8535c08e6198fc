// Run by test/live/venue-answer-shapes.test.ts in a child `node --allow-natives-syntax`: asks a
// simulated venue the same stamped questions many times over orders of several kinds, and prints
// (JSON) whether the answers to the last two rounds have the same hidden classes, V8's
// %HaveSameMap, field by field of what the reconciler reads: the page, each row, the account,
// the order lookup.
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import { venueRules } from '../../src/core/venues/index.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import { FaultSchedule } from '../../src/sim/faults.ts';
import { LatencyModel } from '../../src/sim/latency-model.ts';
import { makeQueueModel } from '../../src/sim/venue/queue-model.ts';
import { SimExchange } from '../../src/sim/venue/sim-exchange.ts';
import { SimVenue } from '../../src/sim/venue/sim-venue.ts';

// V8's own test of hidden classes: the syntax parses only with --allow-natives-syntax.
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const clock = new VirtualClock(Date.UTC(2024, 7, 9));
const rules = venueRules('binance-spot');
const exchange = new SimExchange(
  new L2Book(),
  {
    instrument: inst,
    makerFeeBps: 10,
    takerFeeBps: 10,
    queue: makeQueueModel({ model: 'risk_averse' }),
    fillOnTouch: false,
    account: { quoteUnits: 10 ** 15, baseLots: 10 ** 9 },
    clientIdUniqueness: rules.clientIdUniqueness,
  },
  () => clock.now(),
);
const path = { ms: 10, jitterMs: 5 };
const latency = new LatencyModel({ orderEntry: path, ack: path, fillReport: path, marketData: path }, new Rng(1));
const venue = new SimVenue(clock, exchange, latency, new FaultSchedule([], new Rng(1)), { rules, onFault: () => {} });
const got: VenueMessage[] = [];
venue.setReportHandler((m) => got.push(m));
exchange.setLevel('bid', 6_000_000, 100_000);
exchange.setLevel('ask', 6_000_100, 100_000);
venue.start();

// Resting limit orders and filled market orders: rows whose fields hold different kinds of values.
for (let i = 0; i < 8; i++) {
  const market = i % 2 === 1;
  venue.submit({
    clientOrderId: clientOrderId(`c${i}`),
    parentId: parentOrderId('p'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('BTCUSDT'),
    side: i % 4 < 2 ? 'buy' : 'sell',
    type: market ? 'market' : 'limit',
    tif: market ? 'IOC' : 'GTC',
    qty: 1000 + 7 * i,
    ...(market ? {} : { limitPrice: i % 4 < 2 ? 5_990_000 : 6_010_000 }),
  });
  clock.advanceBy(13.5);
}

/** One round of stamped questions; the answers in the order asked. */
function round(k: number): VenueMessage[] {
  got.length = 0;
  venue.queryOrdersSince(0, 100, undefined, `page-${k}`);
  venue.queryAccount(`account-${k}`);
  venue.queryOpenOrders(`open-${k}`);
  venue.queryOrder(clientOrderId('c1'), k);
  clock.advanceBy(500);
  return [...got];
}

/** The answers of a round by kind (they arrive in the order their latencies make). */
const byKind = (answers: VenueMessage[]): Map<string, VenueMessage> => new Map(answers.map((m) => [m.kind, m]));
let previous = new Map<string, VenueMessage>();
let last = new Map<string, VenueMessage>();
for (let k = 0; k < 60; k++) [previous, last] = [last, byKind(round(k))];

const rowsOf = (m: VenueMessage | undefined): unknown[] => (m !== undefined && 'orders' in m ? [...m.orders] : []);
const answers = [...last].map(([kind, m]) => ({
  kind,
  same: sameMap(m, previous.get(kind)),
  rows: rowsOf(m).length,
  sameRows: rowsOf(m).every((row, j) => sameMap(row, rowsOf(previous.get(kind))[j])),
}));
process.stdout.write(JSON.stringify(answers));
