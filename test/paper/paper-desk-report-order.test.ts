// The alpaca-paper desk on the gateway's own wall clock (GatewayClock: real Node timers), with the
// clock's reading scripted: it moves a millisecond at some reads and stands still at others, as on
// a loaded machine where the process loses the CPU between two reads. The desk sends its reports
// through latency channels; a timer's delay is counted from Node's loop time and a delay of 0 runs
// as an immediate, so when the clock moves between the reads of one send, a later report can fire
// before an earlier one. The channels must deliver in the order they were sent all the same: an
// order's remainder fill never arrives before its partial fill, and each order's executions, as a
// client sees them, are the same however the clock moves. (With each timer delivering its own
// report, on a clock that moves at every other read, o21's 1-lot partial fill arrived after its
// 9-lot remainder.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { OrderRequest } from '../../src/core/model/order.ts';
import { parseUtcInstant } from '../../src/core/model/time-fields.ts';
import { GatewayClock } from '../../src/gateway/gateway-clock.ts';
import { alpacaPaperDesk } from '../support/alpaca-paper-desk.ts';
import { buildVenue } from '../../src/scenario/build-venue.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { FIXTURE } from '../support/gateway-harness.ts';

// The gateway tests' static AAPL book (1 ms latencies), with cash for every order.
const loaded = loadScenarioFile(FIXTURE);
const s = { ...loaded.scenario, venue: { ...loaded.scenario.venue, account: { quote: '100000000', base: '0' } } };
const instrument = makeInstrument(s.instrument);
const ORDERS = 40;
const QTY = 10;
const DEADLINE_MS = 10_000;

/** `p`, or a failure naming `what` once `DEADLINE_MS` has passed. */
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Outcome {
  /** The fill reports' trade numbers, in the order they arrived. */
  readonly trades: number[];
  /** Each order's executions (lots), in the order they arrived. */
  readonly byOrder: Map<string, number[]>;
}

/**
 * Market buys of QTY lots at the desk, each sent once the previous one is acknowledged (as the
 * gateway's REST clients do), until every lot is reported filled. The desk's clock reads a wall
 * clock that moves 1 ms at the reads where `moves` (taken in turn, over and over) is true.
 */
async function trade(moves: readonly boolean[]): Promise<Outcome> {
  const start = parseUtcInstant(s.start);
  // The market: a static book on a clock of its own that nothing advances.
  const built = buildVenue(s, loaded.file, new VirtualClock(start), new Rng(s.seed), instrument, start, () => {});
  built.start();
  let wall = start;
  let reads = 0;
  const errors: unknown[] = [];
  const clock = new GatewayClock(
    (err) => errors.push(err),
    () => (moves[reads++ % moves.length] ? ++wall : wall),
  );
  const desk = alpacaPaperDesk({
    clock,
    exchange: built.exchange,
    instrument,
    venue: s.venue.name,
    latency: s.venue.latency,
    rng: new Rng(s.seed).stream('paper'),
  });
  const trades: number[] = [];
  const byOrder = new Map<string, number[]>();
  let acked = (): void => {};
  let reported = 0;
  let allReported = (): void => {};
  const done = new Promise<void>((resolve) => (allReported = resolve));
  desk.setReportHandler((m) => {
    if (m.kind === 'AckReport') acked();
    if (m.kind !== 'FillReport') return;
    trades.push(Number(m.tradeId.slice(1)));
    byOrder.set(m.clientOrderId, [...(byOrder.get(m.clientOrderId) ?? []), m.qty]);
    reported += m.qty;
    if (reported === ORDERS * QTY) allReported();
  });
  const order = (id: string): OrderRequest => ({
    clientOrderId: clientOrderId(id),
    parentId: parentOrderId(id),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: wall,
    symbol: instrument.symbol,
    side: 'buy',
    type: 'market',
    tif: 'GTC',
    qty: QTY,
  });
  try {
    for (let i = 0; i < ORDERS; i++) {
      const id = `o${i}`;
      await within(
        new Promise<void>((resolve) => {
          acked = resolve;
          expect(desk.submit(order(id))).toBe('answered');
        }),
        `the ack of ${id}`,
      );
    }
    await within(done, 'every fill report');
  } finally {
    clock.stop();
  }
  expect(errors).toEqual([]);
  return { trades, byOrder };
}

describe("the alpaca-paper desk's reports on a wall clock that moves between reads", () => {
  it('arrive in the order the desk sent them, and each order fills the same as on a steady clock', async () => {
    const steady = await trade([false]);
    // Every order filled in full, in order, and several in more than one execution: the case
    // where an order's reports can overtake each other.
    expect(steady.byOrder.size).toBe(ORDERS);
    for (const executions of steady.byOrder.values()) expect(executions.reduce((a, b) => a + b, 0)).toBe(QTY);
    expect(steady.trades).toEqual([...steady.trades].sort((a, b) => a - b));
    expect([...steady.byOrder.values()].filter((e) => e.length > 1).length).toBeGreaterThanOrEqual(2);

    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 24 }), async (moves) => {
        const moving = await trade(moves);
        expect(moving.trades).toEqual([...moving.trades].sort((a, b) => a - b));
        expect(moving.byOrder).toEqual(steady.byOrder);
      }),
      // Clocks that moved between the two reads of a remainder fill's send (in the same piece of
      // work as the order's partial fill): it got a delay of 0 and arrived first.
      { numRuns: 15, examples: [[[false, true]], [[true, true, false]]] },
    );
  });
});
