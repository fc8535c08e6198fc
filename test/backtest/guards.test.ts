// Safety guards asserted through what a run does (events, ledger, the venue's own records), so
// that a guard that stops working fails here whatever the pinned digests say. Each test is built
// to fail when its guard is removed: the comment above it names the guard and what breaks.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { prepareRun } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';

const T0 = Date.UTC(2024, 7, 9);
const HEAD = `
seed: 3
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
`;
/** A deep static book: market orders fill at once, nothing trades unless we or a test do. */
const BOOK = `market: { model: static_book, bids: [["60999.00", "50"], ["60990.00", "50"]], asks: [["61001.00", "50"], ["61010.00", "50"]] }
`;

/**
 * A run kept open: the clock, the prepared run (its ledger and engine are the live process's),
 * the venue, and the log as it stands (after a crash, the durable log and what followed).
 */
function world(body: string, head = HEAD) {
  const { scenario: s } = parseScenario(`name: guard\n${head}${body}`, 'guard.yaml');
  const instrument = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const log: LogEntry[] = [];
  const run = prepareRun({
    scenario: s,
    file: 'guard.yaml',
    clock,
    rng: new Rng(s.seed),
    log: new EventLog(clock),
    instrument,
    start,
    sinks: [{ write: (e) => log.push(e), rollback: (durable) => log.splice(0, log.length, ...durable) }],
  });
  const events = <K extends ExecEvent['kind']>(kind: K) =>
    log.filter((e) => e.event.kind === kind) as Array<LogEntry<Extract<ExecEvent, { kind: K }>>>;
  return { clock, run, events, end: start + parseDurationMs(s.duration) };
}

function finished(body: string) {
  const w = world(body);
  w.clock.advanceTo(w.end);
  return w;
}

const ms = (t: number): number => t - T0;

describe('reconciliation corrects a position only when a second look confirms the difference', () => {
  // Guard: reconciler.ts finishIfDone / confirmPosition. A first position difference is asked
  // again after settleMs and corrected only when the same difference persists. Without it, a
  // fill that our stream delivered after the venue took its account snapshot is "corrected"
  // away, and our position is wrong until the next pass.
  it('does not correct a difference that fills in flight explain', () => {
    // The pass at 60 s reads the account at the venue at 60.010 s; our market order reaches the
    // venue at 60.013 s and its fill report is with us at 60.018 s, before the pass's answers
    // (60.020 s). Our fills are 0.02 ahead of the snapshot; the re-read 2 s later agrees. (Fill
    // detection is off: its own position check would ask the account sooner.)
    const w = finished(`duration: PT100S
${BOOK}reconciliation: { periodMs: 60000 }
fillDetection: { enabled: false }
orders:
  - { id: early, at: PT10S, side: buy, qty: "0.01", type: market, route: single }
  - { id: in-flight, at: PT60.003S, side: buy, qty: "0.02", type: market, route: single }`);
    expect(w.events('PositionCorrected')).toEqual([]);
    expect(w.events('ReconciliationMismatch')).toEqual([]);
    const started = w.events('ReconciliationStarted');
    const completed = w.events('ReconciliationCompleted');
    expect(started.map((e) => ms(e.time))).toEqual([60_000]);
    // The first look differed: the pass waited for a second account read before it ended.
    const accounts = w.events('AccountReport').filter((e) => e.time > started[0]!.time && e.time <= completed[0]!.time);
    expect(accounts.map((e) => e.event.position)).toEqual([1_000, 3_000]);
    expect(ms(completed[0]!.time)).toBeGreaterThanOrEqual(62_000);
    expect(completed.map((e) => e.event.mismatches)).toEqual([0]);
    expect(w.run.ledger.position).toBe(3_000);
    expect(w.run.venue.exchange.position).toBe(3_000);
  });

  it('corrects a difference that persists (fills at the venue that are not in our orders), after the second look', () => {
    // Someone else on the account buys 0.05 at 30 s with an order that fills at once: never an
    // open orphan, so only the position shows it. The pass at 60 s sees +0.05, asks again after
    // settleMs, and corrects then.
    const w = finished(`duration: PT100S
${BOOK}reconciliation: { periodMs: 60000 }
externalOrders:
  - { at: PT30S, clientOrderId: desk-taker, side: buy, qty: "0.05", limitPrice: "61005.00" }
orders:
  - { id: ours, at: PT10S, side: buy, qty: "0.01", type: market, route: single }`);
    const started = w.events('ReconciliationStarted');
    const corrected = w.events('PositionCorrected');
    expect(corrected.map((e) => [e.event.ours, e.event.venue, e.event.adjustment])).toEqual([[1_000, 6_000, 5_000]]);
    expect(corrected[0]!.time - started[0]!.time).toBeGreaterThanOrEqual(2_000);
    expect(w.events('ReconciliationMismatch').map((e) => e.event.mismatch)).toEqual(['position']);
    expect(w.run.ledger.position).toBe(w.run.venue.exchange.position);
  });
});

describe('startup reconciliation looks up every due order the store holds as never sent', () => {
  // Guard: reconciler.ts lookUpTheRest, `p.mode === 'startup' && o.request.scheduledTime <= now`.
  // A crash between the broker send and the commit of its SubmitOrder leaves an order at the
  // venue that the store holds as pending_new. Startup must ask the venue about it before
  // recovery decides: without the lookup recovery runs the slice again, and Binance (client ids
  // unique among open orders only) takes a second order under the same id.
  it('learns the fill of a slice whose send the crash did not store, and never sends it again', () => {
    const w = world(`duration: PT2M
${BOOK}restarts: [{ at: PT44.99S, downtime: PT10S }]
orders:
  - { id: twap, at: PT5S, side: buy, qty: "0.05", type: market, twap: { duration: PT100S, slices: 5 } }`);
    // Slices at 5, 25, 45, 65 and 85 s. Just before the crash the process hands slice 3 to the
    // venue and dies before its SubmitOrder is stored: the venue has it, our store does not.
    w.clock.advanceTo(T0 + 44_980);
    const third = w.run.ledger.childrenOf(parentOrderId('twap'))[2]!;
    expect(third.status).toBe('pending_new');
    const id = third.request.clientOrderId;
    w.run.venue.submit(third.request);
    w.clock.advanceTo(w.end);

    expect(w.events('ProcessRestarted')).toHaveLength(1);
    expect(w.run.venue.exchange.order(id)?.filled).toBe(1_000);
    // The restarted process asked, learned the fill, and did not send the slice.
    expect(w.events('SubmitOrder').filter((e) => e.event.clientOrderId === id)).toEqual([]);
    expect(w.events('ReconciliationMismatch').map((e) => [e.event.mismatch, e.event.clientOrderId])).toContainEqual([
      'missed_fill',
      id,
    ]);
    expect(w.run.ledger.order(id)?.status).toBe('filled');
    const children = w.run.ledger.childrenOf(parentOrderId('twap'));
    expect(children.reduce((s, c) => s + c.filledQty, 0)).toBe(5_000);
    expect(w.run.venue.exchange.position).toBe(5_000);
    expect(w.run.ledger.position).toBe(5_000);
    expect(w.events('PositionCorrected')).toEqual([]);
  });
});

describe('periodic reconciliation asks again for the overlap before its high-water mark', () => {
  // Guard: reconciler.ts run, `since = highWaterMark - overlapMs`. A pass leaves as its mark the
  // time it started on our clock (or the newest venue time it read); the venue states times on
  // its own clock. Here the venue's clock is 5 s behind ours: an order that fills and is cancelled
  // just after a pass carries venue times before that pass's mark, and only the overlap finds its
  // fill, which the stream lost.
  it('finds a lost fill on an order that ended just after a pass, stamped before its mark by a venue clock behind ours', () => {
    const w = world(
      `duration: PT3M
${BOOK}fillDetection: { enabled: false }
reconciliation: { periodMs: 60000 }
faults: [{ kind: lost_reports, from: PT60.5S, until: PT61.5S, probability: 1 }]
orders:
  - { id: bid, at: PT50S, side: buy, qty: "0.03", type: limit, limitPrice: "61000.00", route: single, cancelAt: PT62S }`,
      `
seed: 3
venue: { name: binance-spot, clockSkewMs: -5000, latency: { orderEntry: 10, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
`,
    );
    // Our bid rests alone at 61000.00, inside the spread. At 61 s another participant sells 0.01
    // into it; the stream loses that fill. At 62 s we cancel the rest: we hold it cancelled,
    // nothing filled; the venue stamps both at about 56-57 s, before the first pass's mark (60 s).
    w.clock.advanceTo(T0 + 61_000);
    const [bid] = w.run.ledger.orders.values();
    const id = bid!.request.clientOrderId;
    w.run.venue.exchange.marketTrade(bid!.request.limitPrice!, 1_000, 'sell');
    w.clock.advanceTo(T0 + 70_000);
    expect(w.run.ledger.order(id)).toMatchObject({ status: 'canceled', filledQty: 0 });
    expect(w.run.venue.exchange.order(id)).toMatchObject({ status: 'canceled', filled: 1_000 });
    w.clock.advanceTo(w.end);

    // Binance lists orders by submission time: the first pass's mark is the creation of the
    // oldest order open when it began (our bid, 50 s); the venue, 5 s behind, stamped the bid's
    // submission before that mark, so only the overlap lets the next pass list it.
    const first = w.events('ReconciliationCompleted')[0]!;
    expect(ms(first.event.highWaterMark)).toBe(50_000);
    expect(w.run.venue.exchange.order(id)!.createdAt - 5_000).toBeLessThan(first.event.highWaterMark);
    const missed = w.events('ReconciliationMismatch').filter((e) => e.event.mismatch === 'missed_fill');
    expect(missed.map((e) => [e.event.clientOrderId, ms(e.time) >= 120_000])).toEqual([[id, true]]);
    expect(w.run.ledger.order(id)).toMatchObject({ status: 'canceled', filledQty: 1_000 });
    expect(w.run.ledger.position).toBe(w.run.venue.exchange.position);
  });
});

describe('the engine sends only orders that are still unsent', () => {
  // Guard: execution-engine.ts send, `if (!order || order.status !== 'pending_new') return`.
  // Recovery schedules a send for later and other paths may settle the order before it fires:
  // here an operator cancels the parent while recovery holds its order for the next open.
  // Without the guard that send takes an order our store calls cancelled to the venue, where it
  // fills: a position the ledger never hears of.
  it('does not send an order cancelled after recovery scheduled it for the next open', () => {
    // Alpaca, Thursday 15:59:50 New York: the order leaves into an outage that drops it, and the
    // process dies right after the send. It restarts at 16:00:30, after the close: the lookup
    // finds nothing, so the order is unsent again; recovery keeps it for Friday's open (within
    // the 60 s grace). At 18:00 the operator cancels the parent.
    const w = world(
      `duration: PT17H35M
market: { model: static_book, bids: [["219.99", "5000"]], asks: [["220.01", "5000"]] }
reconciliation: { periodMs: 3600000 }
faults: [{ kind: outage, from: PT1M45S, until: PT1M55S, mode: timeout_before, timeoutMs: 2000 }]
restarts: [{ afterSubmit: 1, downtime: PT40S }]
actions: [{ at: PT2H2M, kind: cancel, parent: late-buy, reason: "not wanted tomorrow" }]
orders:
  - { id: late-buy, at: PT1M50S, side: buy, qty: "10", type: market, route: single }`,
      `
seed: 3
venue: { name: alpaca-equities, latency: { orderEntry: 10, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-08T19:58:00Z
`,
    );
    w.clock.advanceTo(w.end);
    const [order] = w.run.ledger.orders.values();
    const id = order!.request.clientOrderId;
    const open = Date.UTC(2024, 7, 9, 13, 30);
    expect(w.events('SliceRecovered').map((e) => [e.event.action, e.event.at])).toEqual([['rescheduled', open]]);
    // The open came and went: nothing was sent after the first send, the venue never had it.
    expect(w.events('SubmitOrder').map((e) => e.event.clientOrderId)).toEqual([id]);
    expect(w.run.ledger.order(id)?.status).toBe('canceled');
    expect(w.run.venue.exchange.order(id)).toBeUndefined();
    expect(w.run.venue.exchange.position).toBe(0);
    expect(w.events('DiscrepancyRecorded')).toEqual([]);
  });

  it('a "not found" for an order recovery holds for the next open does not start a resend that the closed venue would abandon', () => {
    const w = world(
      `duration: PT17H35M
market: { model: static_book, bids: [["219.99", "5000"]], asks: [["220.01", "5000"]] }
reconciliation: { periodMs: 3600000 }
faults: [{ kind: outage, from: PT1M45S, until: PT1M55S, mode: timeout_before, timeoutMs: 2000 }]
restarts: [{ afterSubmit: 1, downtime: PT40S }]
orders:
  - { id: late-buy, at: PT1M50S, side: buy, qty: "10", type: market, route: single }`,
      `
seed: 3
venue: { name: alpaca-equities, latency: { orderEntry: 10, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-08T19:58:00Z
`,
    );
    w.clock.advanceTo(w.end);
    const [order] = w.run.ledger.orders.values();
    const open = Date.UTC(2024, 7, 9, 13, 30);
    // Hourly reconciliation looks the unsent order up all night; none of its answers resends it.
    expect(w.events('OrderAbandoned')).toEqual([]);
    expect(w.events('SubmitOrder').map((e) => e.time)).toEqual([Date.UTC(2024, 7, 8, 19, 59, 50), open]);
    expect(w.run.ledger.order(order!.request.clientOrderId)).toMatchObject({ status: 'filled', filledQty: 10 });
    expect(w.run.venue.exchange.position).toBe(10);
  });
});

describe('a limit TWAP keeps one child working at a time', () => {
  // Guard: slice-scheduler.ts runSlice, "Limit mode: the previous child's unfilled part is
  // cancelled". Without it every unfilled child keeps resting while the next slice (carrying
  // the same unfilled quantity) joins it: the parent is working more than it wants to buy.
  it('cancels each unfilled child when the next slice runs, so no two children rest at the venue at once', () => {
    // Each child bids 100 ticks (1.00) below the best bid of a static book: nothing fills them.
    const w = world(`duration: PT3M
${BOOK}orders:
  - { id: bid, at: PT5S, side: buy, qty: "0.04", type: limit, twap: { duration: PT80S, slices: 4, limitOffsetTicks: 100 } }`);
    const parent = parentOrderId('bid');
    const slices = [5_000, 25_000, 45_000, 65_000];
    const working = () =>
      w.run.ledger
        .childrenOf(parent)
        .filter((c) => w.run.venue.exchange.openOrders().some((o) => o.clientOrderId === c.request.clientOrderId))
        .map((c) => c.request.sliceNum);
    for (const at of slices) {
      // The previous child's cancel reaches the venue 10 ms after the slice; the new child goes
      // out once that cancel is confirmed (looked at every 100 ms) and reaches the venue 10 ms on.
      const first = slices.indexOf(at) === 0;
      w.clock.advanceTo(T0 + at + 10);
      if (!first) expect(working(), `at ${at + 10} ms`).toEqual([]);
      w.clock.advanceTo(T0 + at + (first ? 10 : 110));
      expect(working(), `at ${at} ms`).toEqual([slices.indexOf(at) + 1]);
    }
    w.clock.advanceTo(w.end);
    const children = w.run.ledger.childrenOf(parent);
    expect(children.every((c) => c.filledQty === 0)).toBe(true);
    const cancels = w.events('CancelOrder');
    for (const child of children.slice(0, -1)) {
      const next = slices[child.request.sliceNum]!;
      const cancel = cancels.filter((e) => e.event.clientOrderId === child.request.clientOrderId);
      expect(
        cancel.map((e) => [ms(e.time), e.event.reason]),
        `slice ${child.request.sliceNum}`,
      ).toEqual([[next, 'replaced by the next slice']]);
      expect(w.run.venue.exchange.order(child.request.clientOrderId)?.status).toBe('canceled');
    }
    expect(w.events('SubmitOrder')).toHaveLength(4);
  });
});

describe('halting the kill switch', () => {
  // Guard: execution-engine.ts onKillSwitch. A halt cancels every order working at the venue
  // (cancels always pass the switch); without it resting orders keep working through the halt.
  // While halted the TWAP's later slices are skipped (kill-switch.ts blocks, checked per slice).
  it('cancels every working order at once, the venue confirms each, and no later slice goes out', () => {
    const w = world(`duration: PT2M
${BOOK}orders:
  - { id: bid, at: PT5S, side: buy, qty: "0.01", type: limit, limitPrice: "60990.00", route: single }
  - { id: ask, at: PT6S, side: sell, qty: "0.02", type: limit, limitPrice: "61010.00", route: single }
  - { id: twap, at: PT7S, side: buy, qty: "0.03", type: limit, twap: { duration: PT90S, slices: 3, limitOffsetTicks: 100 } }
actions:
  - { at: PT20S, kind: kill_switch, state: halted, actor: risk, reason: "desk halt" }`);
    w.clock.advanceTo(T0 + 19_999);
    const working = [...w.run.ledger.orders.values()].filter((o) => o.status === 'accepted');
    // Both single orders and the TWAP's first child rest at the venue; its later slices wait.
    expect(working.map((o) => o.request.parentId)).toEqual(['bid', 'ask', 'twap']);
    expect(w.run.venue.exchange.openOrders()).toHaveLength(3);
    w.clock.advanceTo(T0 + 20_100);
    const cancels = w.events('CancelOrder');
    expect(cancels.map((e) => [e.event.clientOrderId, ms(e.time), e.event.reason])).toEqual(
      working.map((o) => [o.request.clientOrderId, 20_000, 'kill switch halted']),
    );
    expect(w.run.venue.exchange.openOrders()).toEqual([]);
    for (const o of working) {
      expect(w.run.venue.exchange.order(o.request.clientOrderId)?.status).toBe('canceled');
      expect(w.run.ledger.order(o.request.clientOrderId)?.status).toBe('canceled');
    }
    w.clock.advanceTo(w.end);
    expect(w.events('SubmitOrder').every((e) => ms(e.time) < 20_000)).toBe(true);
    expect(w.events('SliceSkipped').map((e) => [e.event.sliceNum, ms(e.time), e.event.reason])).toEqual([
      [2, 37_000, 'kill switch halted'],
      [3, 67_000, 'kill switch halted'],
    ]);
    expect(w.run.venue.exchange.openOrders()).toEqual([]);
  });
});

describe('reduce-only signals are checked against the venue, fresh', () => {
  // Guard: order-manager.ts, the reduce-only stage: the venue's position and open orders, asked
  // again when the last view is older than exposureMaxAgeMs (5 s), an open order we do not know
  // making the view unusable. Fill detection and periodic reconciliation are off, so the only
  // account and open-orders reads are the ones the order manager asks for.
  const RO = `${BOOK}fillDetection: { enabled: false }
reconciliation: { periodMs: null }
routing: { twapThreshold: "1000000" }
`;
  const fate = (w: ReturnType<typeof world>) =>
    Object.fromEntries(
      w
        .events('SignalRejected')
        .map((e) => [e.event.signalId, e.event.code])
        .concat(w.events('SignalAccepted').map((e) => [e.event.signalId, 'accepted'])),
    );

  it('counts reducing orders already open against the position; open orders that add exposure make no room', () => {
    const w = finished(`duration: PT1M
${RO}orders:
  - { id: long, at: PT5S, side: buy, qty: "0.05", type: market, route: single }
  - { id: resting-bid, at: PT12S, side: buy, qty: "0.05", type: limit, limitPrice: "60900.00", route: single }
signals:
  - { id: close-3, at: PT10S, side: sell, qty: "0.03", price: "61100.00", reduceOnly: true }
  - { id: close-3-more, at: PT20S, side: sell, qty: "0.03", price: "61200.00", reduceOnly: true }
  - { id: close-2, at: PT30S, side: sell, qty: "0.02", price: "61300.00", reduceOnly: true }`);
    // Long 0.05 with a sell of 0.03 resting (and a buy of 0.05 that may never fill): 0.02 left.
    expect(fate(w)).toEqual({
      'close-3': 'accepted',
      'close-3-more': 'reduce-only-exceeds-available',
      'close-2': 'accepted',
    });
    const sells = [...w.run.ledger.orders.values()].filter((o) => o.request.side === 'sell');
    expect(sells.reduce((s, o) => s + o.request.qty, 0)).toBe(5_000);
  });

  it('asks the venue again when its last answer is older than the limit', () => {
    // The first reduce-only signal reads the venue (long 0.05); we then sell everything. Ten
    // seconds later that read is stale: the second signal asks again and finds us flat.
    const w = finished(`duration: PT1M
${RO}orders:
  - { id: long, at: PT5S, side: buy, qty: "0.05", type: market, route: single }
  - { id: flatten, at: PT21S, side: sell, qty: "0.04", type: market, route: single }
signals:
  - { id: close-1, at: PT20S, side: sell, qty: "0.01", price: "60000.00", reduceOnly: true }
  - { id: close-1-again, at: PT30S, side: sell, qty: "0.01", price: "60500.00", reduceOnly: true }`);
    expect(fate(w)).toEqual({ 'close-1': 'accepted', 'close-1-again': 'reduce-only-flat' });
    expect(w.events('AccountReport').map((e) => ms(e.time))).toEqual([20_020, 30_020]);
    expect(w.run.venue.exchange.position).toBe(0);
  });

  it('two reduce-only signals a moment apart on one fresh view do not both close the position', () => {
    // Long 0.05; two sells of 0.05 at 20 s and 20.025 s. The second reuses the view the first
    // asked for (fresh), but the first is now ours and working (then filled): together they
    // would flip the account to short 0.05.
    const w = finished(`duration: PT1M
${RO}orders:
  - { id: long, at: PT5S, side: buy, qty: "0.05", type: market, route: single }
signals:
  - { id: close-all, at: PT20S, side: sell, qty: "0.05", price: "60000.00", reduceOnly: true }
  - { id: close-all-again, at: PT20.025S, side: sell, qty: "0.05", price: "60500.00", reduceOnly: true }`);
    expect(fate(w)).toEqual({ 'close-all': 'accepted', 'close-all-again': 'reduce-only-nothing-to-close' });
    expect(w.run.venue.exchange.position).toBe(0);
  });

  it('denies when the venue shows an open order that is not ours (the exposure is unknown)', () => {
    const w = finished(`duration: PT1M
${RO}externalOrders:
  - { at: PT3S, clientOrderId: desk-offer, side: sell, qty: "0.05", limitPrice: "61500.00" }
orders:
  - { id: long, at: PT5S, side: buy, qty: "0.05", type: market, route: single }
signals:
  - { id: close-1, at: PT10S, side: sell, qty: "0.01", price: "60000.00", reduceOnly: true }`);
    expect(fate(w)).toEqual({ 'close-1': 'reduce-only-open-orders-unknown' });
    expect(w.run.venue.exchange.position).toBe(5_000);
  });
});
