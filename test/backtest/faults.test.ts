// One test per fault kind: its effect on a whole scenario run, read from the event log the run
// writes (and, for lost reports, from the venue's own records). Every fault must show up in
// the log as FaultApplied events.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId, type ClientOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument, qtyToLots } from '../../src/core/model/instrument.ts';
import type { OrderStatus } from '../../src/core/model/order-status.ts';
import { prepareRun, runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';

const START = parseUtcInstant('2024-08-09T00:00:00Z');

/** A static book around 100.00 (tick 0.01, lot 0.01): bid 99.00 / ask 101.00, 10 deep each. */
const STATIC_BOOK = `
market:
  model: static_book
  bids: [["99.00", "10"], ["98.00", "10"]]
  asks: [["101.00", "10"], ["102.00", "10"]]`;

/** A synthetic book that does not move by itself: mid 100.00, spread 2 ticks, 5 lots a level. */
const STILL_SYNTHETIC = `
market: { model: synthetic, initialPrice: "100.00", volatility: 0, stepMs: 100, spreadTicks: 2, depth: ["5", "5", "5", "5", "5", "5"] }`;

interface Spec {
  readonly faults: readonly string[];
  readonly orders: readonly string[];
  readonly market?: string;
  readonly seed?: number;
  /** Fill detection polls and cancels at deadlines; these tests watch the venue's
   *  faults and the submission path alone, so it is off unless a test turns it on. */
  readonly fillDetection?: boolean;
}

function yaml({ faults, orders, market = STATIC_BOOK, seed = 3, fillDetection = false }: Spec): string {
  return `
name: fault-test
seed: ${seed}
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 10, fillReport: 10 } }
instrument: { symbol: TEST, tickSize: "0.01", lotSize: "0.01", minNotional: "0" }
start: 2024-08-09T00:00:00Z
duration: PT30S
fillDetection: { enabled: ${fillDetection} }
${market}
faults:
${faults.map((f) => `  - ${f}`).join('\n') || '  []'}
orders:
${orders.map((o) => `  - ${o}`).join('\n')}
`;
}

const instrument = makeInstrument({ symbol: 'TEST', tickSize: '0.01', lotSize: '0.01', minNotional: '0' });
const lots = (qty: string) => qtyToLots(instrument, qty);
const at = (d: string) => START + parseDurationMs(d);

type Of<K extends ExecEvent['kind']> = Extract<ExecEvent, { kind: K }>;

function run(spec: Spec) {
  const log: LogEntry[] = [];
  const report = runScenario(parseScenario(yaml(spec), 'inline.yaml'), { onEntry: (e) => log.push(e) });
  return { report, log, ...readLog(log) };
}

function readLog(log: readonly LogEntry[]) {
  const entries = <K extends ExecEvent['kind']>(kind: K) =>
    log.filter((e): e is LogEntry<Of<K>> => e.event.kind === kind);
  const events = <K extends ExecEvent['kind']>(kind: K) => entries(kind).map((e) => e.event);
  const child = (parent: string): ClientOrderId => {
    const created = events('OrderCreated').find((e) => e.parentId === parent);
    if (!created) throw new Error(`no child order for ${parent}`);
    return created.clientOrderId;
  };
  /** Every report about one order, in log order, as [kind, time]. */
  const about = (parent: string) => {
    const id = child(parent);
    return log.filter((e) => 'clientOrderId' in e.event && e.event.clientOrderId === id);
  };
  const statusOf = (parent: string): OrderStatus => {
    const id = child(parent);
    const changes = events('OrderStatusChanged').filter((e) => e.clientOrderId === id);
    return (changes[changes.length - 1] as Of<'OrderStatusChanged'>).to;
  };
  const kindsFor = (parent: string) =>
    about(parent)
      .map((e) => e.event.kind)
      .filter((k) => k !== 'OrderStatusChanged');
  const fills = (parent: string) => entries('FillReport').filter((e) => e.event.clientOrderId === child(parent));
  const faults = (kind: string) => events('FaultApplied').filter((f) => f.fault === kind);
  const arrival = (parent: string) => {
    const p = events('ParentOrderCreated').find((e) => e.parentId === parent) as Of<'ParentOrderCreated'>;
    return { bid: p.arrivalBid as number, ask: p.arrivalAsk as number };
  };
  return { entries, events, child, statusOf, kindsFor, fills, faults, arrival };
}

/** The window edges every windowed fault logs. */
function expectWindowLogged(faults: Array<Of<'FaultApplied'>>, kind: string) {
  expect(faults).toEqual(
    expect.arrayContaining([
      { kind: 'FaultApplied', fault: kind, detail: `${kind} begins` },
      { kind: 'FaultApplied', fault: kind, detail: `${kind} ends` },
    ]),
  );
}

const marketBuy = (id: string, when: string, qty = '1') =>
  `{ id: ${id}, at: ${when}, side: buy, qty: "${qty}", type: market }`;

describe('outage', () => {
  it('timeout_before: the order never reaches the venue; the lookup finds nothing, so it is resent with the same id and fills once', () => {
    const r = run({
      faults: ['{ kind: outage, from: PT1S, until: PT3S, mode: timeout_before, timeoutMs: 500 }'],
      orders: [marketBuy('a', 'PT2S')],
    });
    const id = r.child('a');
    expectWindowLogged(r.faults('outage'), 'outage');
    expect(r.faults('outage')).toContainEqual({
      kind: 'FaultApplied',
      fault: 'outage',
      detail: `submit ${id}: timed out after 500 ms; venue received it: false`,
    });
    expect(r.kindsFor('a').slice(0, 4)).toEqual([
      'OrderCreated',
      'SubmitOrder',
      'OutcomeUnknownReport',
      'OrderNotFoundReport',
    ]);
    const unknown = r.entries('OutcomeUnknownReport')[0] as LogEntry<Of<'OutcomeUnknownReport'>>;
    expect(unknown.time).toBe(at('PT2S') + 500);
    expect(unknown.event.request).toBe('submit');
    // Resent once, with the same client order id, after a second lookup confirmed it is missing.
    expect(r.kindsFor('a').filter((k) => k === 'SubmitOrder')).toHaveLength(2);
    expect(r.kindsFor('a').filter((k) => k === 'OrderNotFoundReport')).toHaveLength(2);
    expect(r.kindsFor('a').filter((k) => k === 'AckReport')).toHaveLength(1); // one order at the venue
    expect(r.statusOf('a')).toBe('filled');
    expect(r.report.parents[0]).toMatchObject({ id: 'a', filledQty: '1', status: 'filled' });
    expect(r.report.fills).toBe(1);
    expect(r.report.discrepancies).toBe(0);
  });

  it('timeout_after: the venue executes it; its fill still arrives on the stream and the late timeout changes nothing', () => {
    const r = run({
      faults: ['{ kind: outage, from: PT1S, until: PT3S, mode: timeout_after, timeoutMs: 500 }'],
      orders: [marketBuy('a', 'PT2S')],
    });
    const id = r.child('a');
    expect(r.faults('outage')).toContainEqual({
      kind: 'FaultApplied',
      fault: 'outage',
      detail: `submit ${id}: timed out after 500 ms; venue received it: true`,
    });
    // The answer to the submit is lost (no AckReport); the fill travels on the execution stream.
    expect(r.kindsFor('a')).toEqual(['OrderCreated', 'SubmitOrder', 'FillReport', 'OutcomeUnknownReport']);
    expect(r.statusOf('a')).toBe('filled');
    expect(r.events('OrderNotFoundReport')).toEqual([]);
    expect(r.report.discrepancies).toBe(0);
  });

  it('timeout_after with the stream down too: only the lookup shows the venue got it, and its trades are applied', () => {
    const r = run({
      faults: [
        '{ kind: outage, from: PT1S, until: PT3S, mode: timeout_after, timeoutMs: 500 }',
        '{ kind: lost_reports, from: PT1S, until: PT3S }',
      ],
      orders: [marketBuy('a', 'PT2S')],
    });
    expectWindowLogged(r.faults('outage'), 'outage');
    expect(r.faults('lost_reports').map((f) => f.detail)).toContain(`FillReport for ${r.child('a')} lost`);
    expect(r.kindsFor('a')).toEqual(['OrderCreated', 'SubmitOrder', 'OutcomeUnknownReport', 'OrderStatusReport']);
    const lookup = r.events('OrderStatusReport')[0] as Of<'OrderStatusReport'>;
    expect(lookup).toMatchObject({ status: 'filled', filledQty: lots('1') });
    expect(lookup.trades).toHaveLength(1);
    expect(r.statusOf('a')).toBe('filled');
    expect(r.report.parents[0]).toMatchObject({ id: 'a', filledQty: '1', status: 'filled', avgPrice: '101' });
    expect(r.report.discrepancies).toBe(0);
  });

  it('a lookup made while the outage lasts times out too, and is retried with backoff until it gets an answer', () => {
    const r = run({
      faults: ['{ kind: outage, from: PT1S, until: PT6S, mode: timeout_before, timeoutMs: 500 }'],
      orders: [marketBuy('a', 'PT2S')],
    });
    // Unknown at 2.5 s; lookups at 3.5 s (times out at 4 s), 6 s (after the outage: answered).
    expect(r.kindsFor('a').slice(0, 5)).toEqual([
      'OrderCreated',
      'SubmitOrder',
      'OutcomeUnknownReport',
      'QueryFailedReport',
      'OrderNotFoundReport',
    ]);
    expect(r.entries('QueryFailedReport').map((e) => [e.time - START, e.event.clientOrderId])).toEqual([
      [4000, r.child('a')],
    ]);
    expect(r.faults('outage').map((f) => f.detail)).toContain(
      `query ${r.child('a')}: timed out after 500 ms; venue received it: false`,
    );
    expect(r.statusOf('a')).toBe('filled');
  });

  it('gives up after the last attempt: an order refused unprocessed three times is abandoned (failed)', () => {
    // The new-order count limit: submits are refused, lookups still answered.
    const r = run({
      faults: ['{ kind: rate_limit, from: PT1S, until: PT60S, scope: orders }'],
      orders: [marketBuy('a', 'PT2S')],
    });
    const kinds = r.kindsFor('a');
    expect(kinds.filter((k) => k === 'SubmitOrder')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'RetryableRejectReport')).toHaveLength(3);
    expect(kinds.at(-1)).toBe('OrderAbandoned');
    expect(r.statusOf('a')).toBe('failed');
    // Each retry waited its backoff (2 s, then 4 s) and looked the order up before resending.
    const sends = r.entries('SubmitOrder').map((e) => e.time - START);
    expect(sends[1]! - sends[0]!).toBeGreaterThanOrEqual(2000);
    expect(sends[2]! - sends[1]!).toBeGreaterThanOrEqual(4000);
    expect(r.report.parents[0]).toMatchObject({ status: 'unfilled' });
  });

  it('mixed: whether the venue got each request is seeded: reproducible; received ones are found, lost ones resent; never two orders', () => {
    const spec: Spec = {
      faults: ['{ kind: outage, from: PT1S, until: PT3S, mode: mixed, timeoutMs: 300 }'],
      orders: ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => marketBuy(id, `PT2.${i}S`)),
    };
    const first = run(spec);
    const second = run(spec);
    expect(second.report.digest).toBe(first.report.digest);
    const fates = (r: ReturnType<typeof run>) =>
      ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => {
        const f = r.faults('outage').find((x) => x.detail.startsWith(`submit ${r.child(p)}:`)) as Of<'FaultApplied'>;
        return f.detail.endsWith('received it: true');
      });
    const pattern = fates(first);
    expect(fates(second)).toEqual(pattern);
    expect(pattern).toContain(true);
    expect(pattern).toContain(false);
    ['a', 'b', 'c', 'd', 'e', 'f'].forEach((p, i) => {
      expect(first.statusOf(p)).toBe('filled');
      expect(first.kindsFor(p).filter((k) => k === 'SubmitOrder')).toHaveLength(pattern[i] ? 1 : 2);
    });
    expect(first.report.duplicateOrders).toEqual([]);
    expect(first.report.discrepancies).toBe(0);
    // Another seed draws other fates (for these two seeds, at least one differs).
    expect(fates(run({ ...spec, seed: 4 }))).not.toEqual(pattern);
  });
});

describe('http_5xx', () => {
  it('leaves each submit unknown; the lookup resolves it the way the venue (seeded) handled it, resending only the lost ones', () => {
    const r = run({
      faults: ['{ kind: http_5xx, from: PT1S, until: PT3S }'],
      orders: ['a', 'b', 'c', 'd'].map((id, i) => marketBuy(id, `PT2.${i}S`)),
    });
    expectWindowLogged(r.faults('http_5xx'), 'http_5xx');
    const received: boolean[] = [];
    for (const p of ['a', 'b', 'c', 'd']) {
      const fault = r
        .faults('http_5xx')
        .find((f) => f.detail.startsWith(`submit ${r.child(p)}: 503 Service Unavailable; venue received it:`));
      expect(fault).toBeDefined();
      received.push((fault as Of<'FaultApplied'>).detail.endsWith('true'));
      const unknown = r.events('OutcomeUnknownReport').find((e) => e.clientOrderId === r.child(p));
      expect(unknown?.reason).toBe('503 Service Unavailable');
      expect(r.kindsFor(p).filter((k) => k === 'SubmitOrder')).toHaveLength(received.at(-1) ? 1 : 2);
      expect(r.statusOf(p)).toBe('filled');
    }
    expect(new Set(received)).toEqual(new Set([true, false]));
    expect(r.report.duplicateOrders).toEqual([]);
    expect(r.report.discrepancies).toBe(0);
  });
});

describe('rate_limit', () => {
  it("refuses the submit with the venue's 429 code, unprocessed; the retry after the window goes through with the same id", () => {
    const r = run({
      faults: ['{ kind: rate_limit, from: PT1S, until: PT3S }'],
      orders: [marketBuy('a', 'PT2S'), marketBuy('b', 'PT4S')],
    });
    expectWindowLogged(r.faults('rate_limit'), 'rate_limit');
    expect(r.faults('rate_limit').map((f) => f.detail)).toContain(`submit ${r.child('a')}: 429`);
    const refusal = r.events('RetryableRejectReport').find((e) => e.clientOrderId === r.child('a'));
    expect(refusal?.code).toBe('-1003'); // Binance's code for HTTP 429
    expect(refusal?.reason).toMatch(/Too much request weight used/);
    expect(r.kindsFor('a').filter((k) => k === 'SubmitOrder')).toHaveLength(2);
    expect(r.statusOf('a')).toBe('filled');
    expect(r.statusOf('b')).toBe('filled');
  });
});

describe('reject_window', () => {
  it('rejects new orders with the chosen code and reason during the window only', () => {
    const r = run({
      faults: ['{ kind: reject_window, from: PT1S, until: PT3S, code: "-1013", reason: "Maintenance." }'],
      orders: [marketBuy('a', 'PT2S'), marketBuy('b', 'PT3S')],
    });
    expectWindowLogged(r.faults('reject_window'), 'reject_window');
    expect(r.faults('reject_window').map((f) => f.detail)).toContain(`submit ${r.child('a')}: Maintenance.`);
    expect(r.events('RejectReport')).toEqual([
      { kind: 'RejectReport', clientOrderId: r.child('a'), code: '-1013', reason: 'Maintenance.' },
    ]);
    expect(r.statusOf('a')).toBe('rejected');
    expect(r.statusOf('b')).toBe('filled'); // `until` is exclusive
  });
});

describe('lost_reports', () => {
  const spec: Spec = { faults: ['{ kind: lost_reports, from: PT1S, until: PT3S }'], orders: [marketBuy('a', 'PT2S')] };

  it('a lost fill is never learned: the order stays working in our ledger while the venue has it filled', () => {
    const r = run(spec);
    expectWindowLogged(r.faults('lost_reports'), 'lost_reports');
    expect(r.faults('lost_reports').map((f) => f.detail)).toContain(`FillReport for ${r.child('a')} lost`);
    // The ack came on the REST channel; nothing unknown happened, so the engine never looks it up.
    expect(r.kindsFor('a')).toEqual(['OrderCreated', 'SubmitOrder', 'AckReport']);
    expect(r.statusOf('a')).toBe('accepted');
    expect(r.report.parents[0]).toMatchObject({ id: 'a', filledQty: '0', status: 'working' });
    expect(r.report.fills).toBe(0);

    // The venue's own record of the same run: filled.
    const venueSide = runKeepingVenue(spec);
    expect(venueSide.ledgerStatus).toBe('accepted');
    expect(venueSide.venueOrder).toMatchObject({ status: 'filled', filled: lots('1') });
  });

  it('with fill detection on, the status poll finds the lost fill: filled, detected by poll', () => {
    const r = run({ ...spec, fillDetection: true });
    expect(r.faults('lost_reports').map((f) => f.detail)).toContain(`FillReport for ${r.child('a')} lost`);
    expect(r.statusOf('a')).toBe('filled');
    expect(r.report.parents[0]).toMatchObject({ id: 'a', filledQty: '1', status: 'filled' });
    const ended = r.events('FillMonitorEnded').find((e) => e.clientOrderId === r.child('a'));
    expect(ended).toMatchObject({ result: 'filled', filledQty: lots('1'), detectedBy: 'poll', polls: 1 });
    // The first poll goes 2 s after submission (pollInitialMs); the fill was ~20 ms in.
    expect(ended?.detectionLatencyMs).toBeGreaterThan(1_900);
    expect(ended?.detectionLatencyMs).toBeLessThan(2_100);
    expect(r.report.fillDetection).toMatchObject({
      detectionRate: 1,
      falsePositives: 0,
      fillsByPoll: 1,
      consistency: 1,
    });
  });
});

describe('fill detection with nothing to detect', () => {
  it('has no detection rate when no order filled at the venue, and meets its criteria', () => {
    // A limit buy far below the book: watched, never filled.
    const r = run({
      faults: [],
      orders: ['{ id: a, at: PT1S, side: buy, qty: "1", type: limit, limitPrice: "1.00" }'],
      fillDetection: true,
    });
    expect(r.report.fills).toBe(0);
    expect(r.report.fillDetection).toMatchObject({ detectionRate: null, falsePositives: 0, meetsCriteria: true });
  });
});

/** The same run as runScenario, keeping the venue so a test can read its records. */
function runKeepingVenue(spec: Spec) {
  const { scenario: s } = parseScenario(yaml(spec), 'inline.yaml');
  const inst = makeInstrument(s.instrument);
  const clock = new VirtualClock(START);
  const { ledger, venue } = prepareRun({
    scenario: s,
    file: 'inline.yaml',
    clock,
    rng: new Rng(s.seed),
    log: new EventLog(clock),
    instrument: inst,
    start: START,
  });
  clock.advanceTo(START + parseDurationMs(s.duration));
  const child = ledger.childrenOf(parentOrderId((s.orders[0] as { id: string }).id))[0];
  if (!child) throw new Error('no child order');
  return { ledgerStatus: child.status, venueOrder: venue.exchange.order(child.request.clientOrderId) };
}

describe('delayed_reports', () => {
  it('delivers the fill delayMs later than it would have arrived', () => {
    const orders = [marketBuy('a', 'PT2S')];
    const plain = run({ faults: [], orders });
    const delayed = run({ faults: ['{ kind: delayed_reports, from: PT1S, until: PT3S, delayMs: 700 }'], orders });
    expectWindowLogged(delayed.faults('delayed_reports'), 'delayed_reports');
    expect(delayed.faults('delayed_reports').map((f) => f.detail)).toContain('FillReport delayed 700 ms');
    const t0 = (plain.fills('a')[0] as LogEntry).time;
    const t1 = (delayed.fills('a')[0] as LogEntry).time;
    expect(t1 - t0).toBe(700);
    // The venue time of the trade is the same: only the report is late.
    expect((delayed.fills('a')[0] as LogEntry<Of<'FillReport'>>).event.venueTime).toBe(
      (plain.fills('a')[0] as LogEntry<Of<'FillReport'>>).event.venueTime,
    );
    // The REST ack overtakes the delayed fill.
    expect(delayed.kindsFor('a')).toEqual(['OrderCreated', 'SubmitOrder', 'AckReport', 'FillReport']);
    expect(delayed.statusOf('a')).toBe('filled');
  });

  // When the lookup after a timeout has already applied a trade, the stream's late FillReport for
  // the same trade is a duplicate: recorded as ReportIgnored, not applied, not a discrepancy.
  it('a fill the stream delivers after a lookup already applied its trade is ignored, not a discrepancy', () => {
    const r = run({
      faults: [
        '{ kind: outage, from: PT1S, until: PT3S, mode: timeout_after, timeoutMs: 500 }',
        '{ kind: delayed_reports, from: PT1S, until: PT3S, delayMs: 5000 }',
      ],
      orders: [marketBuy('a', 'PT2S')],
    });
    expect(r.kindsFor('a')).toEqual([
      'OrderCreated',
      'SubmitOrder',
      'OutcomeUnknownReport',
      'OrderStatusReport',
      'FillReport',
      'ReportIgnored',
    ]);
    expect(r.statusOf('a')).toBe('filled');
    expect(r.report.discrepancies).toBe(0);
    expect(r.report.fills).toBe(1);
  });
});

describe('stale_quotes', () => {
  it('freezes our view: the arrival price comes from before the window, and the view catches up after it', () => {
    const r = run({
      faults: ['{ kind: stale_quotes, from: PT1S, until: PT3S }', '{ kind: price_jump, at: PT2S, bps: 100 }'],
      orders: [marketBuy('before', 'PT0.5S'), marketBuy('stale', 'PT2.5S'), marketBuy('after', 'PT4S')],
      market: STILL_SYNTHETIC,
    });
    expectWindowLogged(r.faults('stale_quotes'), 'stale_quotes');
    expect(r.arrival('before')).toEqual({ bid: 9999, ask: 10001 });
    // The book jumped to 10099 / 10101 at 2 s; the order at 2.5 s still sees the old quotes
    // and fills at the real price.
    expect(r.arrival('stale')).toEqual({ bid: 9999, ask: 10001 });
    expect((r.fills('stale')[0] as LogEntry<Of<'FillReport'>>).event.price).toBe(10101);
    // After the window the view shows the current book, although it has not moved since 2 s.
    expect(r.arrival('after')).toEqual({ bid: 10099, ask: 10101 });
  });
});

describe('market_data_outage', () => {
  it('freezes our view and reports the failure: the quote fallback serves the last quote, then the view is back', () => {
    const r = run({
      faults: ['{ kind: market_data_outage, from: PT1S, until: PT3S }', '{ kind: price_jump, at: PT2S, bps: 100 }'],
      orders: [marketBuy('before', 'PT0.5S'), marketBuy('during', 'PT2.5S'), marketBuy('after', 'PT4S')],
      market: STILL_SYNTHETIC,
    });
    expectWindowLogged(r.faults('market_data_outage'), 'market_data_outage');
    expect(r.arrival('before')).toEqual({ bid: 9999, ask: 10001 });
    // The order inside the window is priced from the ring's newest quote, from before the jump.
    expect(r.arrival('during')).toEqual({ bid: 9999, ask: 10001 });
    expect((r.fills('during')[0] as LogEntry<Of<'FillReport'>>).event.price).toBe(10101);
    expect(r.arrival('after')).toEqual({ bid: 10099, ask: 10101 });
    expect(r.events('MarketDataDegraded')).toEqual([
      expect.objectContaining({ reason: 'market data outage (scenario fault market_data_outage)' }),
    ]);
    expect(r.events('MarketDataRestored')).toHaveLength(1);
  });
});

describe('spread_shift', () => {
  it('widens the spread a market order sees during the window (synthetic model)', () => {
    const r = run({
      faults: ['{ kind: spread_shift, from: PT5S, until: PT10S, factor: 10 }'],
      orders: [marketBuy('before', 'PT2S'), marketBuy('during', 'PT7S'), marketBuy('after', 'PT12S')],
      market: STILL_SYNTHETIC,
    });
    expectWindowLogged(r.faults('spread_shift'), 'spread_shift');
    const spread = (p: string) => r.arrival(p).ask - r.arrival(p).bid;
    expect([spread('before'), spread('during'), spread('after')]).toEqual([2, 20, 2]);
    const price = (p: string) => (r.fills(p)[0] as LogEntry<Of<'FillReport'>>).event.price;
    expect([price('before'), price('during'), price('after')]).toEqual([10001, 10010, 10001]);
  });
});

describe('liquidity_drop', () => {
  it('thins the depth a market order walks during the window (synthetic model)', () => {
    const r = run({
      faults: ['{ kind: liquidity_drop, from: PT5S, until: PT10S, depthFactor: 0.2 }'],
      orders: [marketBuy('before', 'PT2S', '3'), marketBuy('during', 'PT7S', '3'), marketBuy('after', 'PT12S', '3')],
      market: STILL_SYNTHETIC,
    });
    expectWindowLogged(r.faults('liquidity_drop'), 'liquidity_drop');
    const walk = (p: string) => r.fills(p).map((e) => [e.event.price, e.event.qty]);
    expect(walk('before')).toEqual([[10001, lots('3')]]);
    // 5 lots a level x 0.2 = 1 lot a level: three levels for three lots.
    expect(walk('during')).toEqual([
      [10001, lots('1')],
      [10002, lots('1')],
      [10003, lots('1')],
    ]);
    expect(walk('after')).toEqual([[10001, lots('3')]]);
  });
});

describe('price_jump', () => {
  it('moves the mid by the given basis points at once', () => {
    const r = run({
      faults: ['{ kind: price_jump, at: PT5S, bps: -250 }'],
      orders: [marketBuy('before', 'PT4S'), marketBuy('after', 'PT6S')],
      market: STILL_SYNTHETIC,
    });
    expect(r.faults('price_jump')).toEqual([
      { kind: 'FaultApplied', fault: 'price_jump', detail: 'price jumps -250 bps' },
    ]);
    const mid = (p: string) => (r.arrival(p).bid + r.arrival(p).ask) / 2;
    expect(mid('before')).toBe(10000);
    expect(mid('after')).toBe(10000 * (1 - 0.025));
    expect((r.entries('FaultApplied').find((e) => e.event.fault === 'price_jump') as LogEntry).time).toBe(at('PT5S'));
  });
});

describe('halt', () => {
  it("refuses orders with the venue's market-closed code during the window and accepts them after", () => {
    const r = run({
      faults: ['{ kind: halt, from: PT1S, until: PT3S }'],
      orders: [marketBuy('a', 'PT2S'), marketBuy('b', 'PT4S')],
    });
    expectWindowLogged(r.faults('halt'), 'halt');
    expect(r.events('RejectReport')).toEqual([
      { kind: 'RejectReport', clientOrderId: r.child('a'), code: '-1013', reason: 'Market is closed.' },
    ]);
    expect(r.statusOf('a')).toBe('rejected');
    expect(r.statusOf('b')).toBe('filled');
  });

  it('stays halted while any of several overlapping windows is open', () => {
    // Overlapping (PT1S-PT3S and PT2S-PT5S) and nested (PT6S-PT9S around PT7S-PT8S) windows.
    const r = run({
      faults: [
        '{ kind: halt, from: PT1S, until: PT3S }',
        '{ kind: halt, from: PT2S, until: PT5S }',
        '{ kind: halt, from: PT6S, until: PT9S }',
        '{ kind: halt, from: PT7S, until: PT8S }',
      ],
      orders: [marketBuy('a', 'PT4S'), marketBuy('b', 'PT8.5S'), marketBuy('c', 'PT10S')],
    });
    expect(r.statusOf('a')).toBe('rejected');
    expect(r.statusOf('b')).toBe('rejected');
    expect(r.statusOf('c')).toBe('filled');
  });

  it('stops matching for resting orders until the halt ends', () => {
    const r = run({
      faults: ['{ kind: halt, from: PT1S, until: PT3S }', '{ kind: price_jump, at: PT2S, bps: -300 }'],
      orders: ['{ id: bid, at: PT0.5S, side: buy, qty: "1", type: limit, limitPrice: "99.50" }'],
      market: STILL_SYNTHETIC,
    });
    // The book jumps down through our bid during the halt: no fill until the halt ends.
    const fills = r.fills('bid');
    expect(fills.length).toBeGreaterThan(0);
    expect((fills[0] as LogEntry).time).toBeGreaterThanOrEqual(at('PT3S'));
    expect(fills.map((e) => e.event.price)).toEqual(fills.map(() => 9950));
  });
});
