// The session metric fold on hand-made logs (what each entry is worth), and properties over any
// log: counters and histograms never go down, the fold's memory ends with the orders it pairs,
// metrics opened late (the backlog, then the follow) equal metrics that followed from the start,
// and fills and notional are the ledger's sums. The real session is in test/service/session-metrics.test.ts.
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../test/support/hot-expect.ts';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import {
  clientOrderId,
  parentOrderId,
  tradeId,
  venueOrderId,
  type ClientOrderId,
  type ParentOrderId,
} from '../core/model/ids.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { ORDER_STATUSES, type OrderStatus } from '../core/model/order-status.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { SessionMetricFold, type MetricUpdate } from './session-metric-fold.ts';
import { sessionMetrics } from './session-metrics.ts';
import type { SessionPort } from './session-port.ts';

const IDS: readonly ClientOrderId[] = ['a', 'b', 'c'].map(clientOrderId);
const PARENTS: readonly ParentOrderId[] = ['p', 'q'].map(parentOrderId);
const INSTRUMENT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

const created = (id: ClientOrderId, parentId: ParentOrderId, scheduledTime: number): ExecEvent => ({
  kind: 'OrderCreated',
  clientOrderId: id,
  parentId,
  sliceNum: 1,
  totalSlices: 2,
  scheduledTime,
  symbol: INSTRUMENT.symbol,
  side: 'buy',
  type: 'market',
  tif: 'IOC',
  qty: 10,
  limitPrice: null,
  stopPrice: null,
});
const parent = (parentId: ParentOrderId, route: 'single' | 'twap'): ExecEvent => ({
  kind: 'ParentOrderCreated',
  parentId,
  symbol: INSTRUMENT.symbol,
  side: 'buy',
  qty: 20,
  type: 'market',
  tif: 'IOC',
  limitPrice: null,
  totalSlices: 2,
  route,
  arrivalBid: null,
  arrivalAsk: null,
  source: 'test',
});
const fill = (id: ClientOrderId, trade: string, qty = 10, price = 100): ExecEvent => ({
  kind: 'FillReport',
  clientOrderId: id,
  venueOrderId: venueOrderId(`v-${id}`),
  tradeId: tradeId(trade),
  qty,
  price,
  fee: 0,
  liquidity: 'taker',
  venueTime: 0,
});
const changed = (id: ClientOrderId, from: OrderStatus, to: OrderStatus, filledQty: number): ExecEvent => ({
  kind: 'OrderStatusChanged',
  clientOrderId: id,
  from,
  to,
  filledQty,
  cause: 0,
});

/** Entries from events at the given times, numbered from 1. */
const log = (...timed: (readonly [number, ExecEvent])[]): LogEntry[] =>
  timed.map(([time, event], i) => ({ seq: i + 1, time, event }));

/** Every update of a log, in order. */
const foldAll = (entries: readonly LogEntry[], fold = new SessionMetricFold()): MetricUpdate[] =>
  entries.flatMap((e) => [...fold.add(e)]);

describe('the session metric fold', () => {
  it('times a slice from its schedule, its send, its fill and its ack, then forgets it', () => {
    const a = IDS[0] as ClientOrderId;
    const p = PARENTS[0] as ParentOrderId;
    const fold = new SessionMetricFold();
    const updates = foldAll(
      log(
        [1000, parent(p, 'twap')],
        [1000, created(a, p, 1_500)],
        [1_520, { kind: 'SubmitOrder', clientOrderId: a }],
        [1_550, fill(a, 't1')],
        [1_550, changed(a, 'submitted', 'filled', 10)],
        [1_560, { kind: 'AckReport', clientOrderId: a, venueOrderId: venueOrderId('v') }],
      ),
      fold,
    );
    expect(updates).toEqual([
      { type: 'inc', metric: 'parents_started', labels: { route: 'twap' } },
      { type: 'inc', metric: 'twap_slices', labels: { state: 'planned' } },
      { type: 'inc', metric: 'orders_submitted', labels: {} },
      { type: 'inc', metric: 'twap_slices', labels: { state: 'sent' } },
      { type: 'observe', metric: 'slice_schedule_lag', labels: {}, seconds: 0.02 },
      {
        type: 'observe',
        metric: 'venue_request_duration',
        labels: { request: 'submit', outcome: 'accepted' },
        seconds: 0.03,
      },
      { type: 'observe', metric: 'ack_latency', labels: {}, seconds: 0.03 },
      { type: 'observe', metric: 'fill_latency', labels: {}, seconds: 0.03 },
      { type: 'inc', metric: 'twap_slices', labels: { state: 'filled' } },
    ]);
    // The ack after the fill found nothing left to time; the parent is still held until it completes.
    expect(fold.size).toBe(1);
    fold.add({
      seq: 7,
      time: 1_600,
      event: { kind: 'ParentOrderCompleted', parentId: p, status: 'filled', filledQty: 10 },
    });
    expect(fold.size).toBe(0);
  });

  it('counts a resend once as submitted, times each request to its own answer, and an unknown outcome', () => {
    const a = IDS[0] as ClientOrderId;
    const updates = foldAll(
      log(
        [0, created(a, PARENTS[0] as ParentOrderId, 0)],
        [10, { kind: 'SubmitOrder', clientOrderId: a }],
        [5_010, { kind: 'OutcomeUnknownReport', clientOrderId: a, request: 'submit', reason: 'timeout' }],
        [6_000, { kind: 'SubmitOrder', clientOrderId: a }],
        [6_040, { kind: 'AckReport', clientOrderId: a, venueOrderId: venueOrderId('v') }],
        [7_000, { kind: 'CancelOrder', clientOrderId: a, reason: 'test' }],
        [7_100, { kind: 'CancelReport', clientOrderId: a }],
        [7_100, changed(a, 'pending_cancel', 'canceled', 0)],
      ),
    );
    const incs = updates.filter((u) => u.type === 'inc').map((u) => [u.metric, u.labels]);
    expect(incs).toEqual([
      ['orders_submitted', {}],
      ['outcome_unknown', { request: 'submit' }],
      ['order_resends', {}],
    ]);
    const observed = updates.flatMap((u) => (u.type === 'observe' ? [[u.metric, u.labels, u.seconds]] : []));
    expect(observed).toEqual([
      ['venue_request_duration', { request: 'submit', outcome: 'unknown' }, 5],
      ['venue_request_duration', { request: 'submit', outcome: 'accepted' }, 0.04],
      // The ack latency counts from the order's first send.
      ['ack_latency', {}, 6.03],
      ['venue_request_duration', { request: 'cancel', outcome: 'canceled' }, 0.1],
    ]);
  });

  it('counts refusals by source, stage and code, dedup, and a reconnect only after a disconnect', () => {
    const updates = foldAll(
      log(
        [0, { kind: 'ConnectionReport', stream: 'orders', state: 'connected', reason: '' }],
        [
          1,
          {
            kind: 'ParentRejected',
            parentId: PARENTS[0] as ParentOrderId,
            reason: 'x',
            stage: 'gating',
            code: 'not-ready',
          },
        ],
        [2, { kind: 'ParentRejected', parentId: PARENTS[1] as ParentOrderId, reason: 'impossible plan' }],
        [
          3,
          {
            kind: 'SignalRejected',
            signalId: 's',
            fingerprint: 'f',
            stage: 'dedup',
            code: 'duplicate-signal',
            reason: '',
          },
        ],
        [4, { kind: 'ConnectionReport', stream: 'orders', state: 'disconnected', reason: '' }],
        [5, { kind: 'ConnectionReport', stream: 'orders', state: 'connected', reason: '' }],
        [6, { kind: 'RejectReport', clientOrderId: IDS[0] as ClientOrderId, code: '-2010', reason: 'x' }],
        [7, changed(IDS[0] as ClientOrderId, 'submitted', 'rejected', 0)],
      ),
    );
    expect(updates.map((u) => [u.metric, u.labels])).toEqual([
      ['orders_denied', { source: 'parent', stage: 'gating', code: 'not-ready' }],
      ['orders_denied', { source: 'parent', stage: 'plan', code: 'plan-impossible' }],
      ['orders_denied', { source: 'signal', stage: 'dedup', code: 'duplicate-signal' }],
      ['signals_deduplicated', {}],
      ['reconnects', { stream: 'orders' }],
      ['orders_rejected', {}],
    ]);
  });

  it('counts strategy swaps by decision, once each, and not their requests', () => {
    const decided = (swap: number, decision: 'accepted' | 'rejected' | 'refused' | 'abandoned'): ExecEvent => ({
      kind: 'StrategySwapDecided',
      swap,
      name: 'old',
      candidate: 'new',
      decision,
      basis: null,
      samples: 0,
      correlation: null,
      meanDifference: null,
      signChanges: 0,
      range: null,
      reason: '',
    });
    const requested: ExecEvent = {
      kind: 'StrategySwapRequested',
      swap: 1,
      name: 'old',
      candidate: 'new',
      module: './new.ts',
      codeHash: 'h',
      params: '{}',
      samples: 100,
      timeoutMs: 1,
      minCorrelation: '0.5000',
      maxMeanDifference: '0.5000',
      actor: 'ops',
      override: false,
      reason: '',
    };
    const updates = foldAll(
      log(
        [0, requested],
        [1, decided(1, 'rejected')],
        [2, decided(2, 'refused')],
        [3, decided(3, 'accepted')],
        [4, decided(4, 'abandoned')],
      ),
    );
    expect(updates.map((u) => [u.metric, u.labels])).toEqual([
      ['strategy_swaps', { decision: 'rejected' }],
      ['strategy_swaps', { decision: 'refused' }],
      ['strategy_swaps', { decision: 'accepted' }],
      ['strategy_swaps', { decision: 'abandoned' }],
    ]);
  });
});

// Any log over a few orders and parents: every kind the fold reads, and one it does not, with
// times that may go backwards (a wall clock stepped back).
const id = fc.constantFrom(...IDS);
const pid = fc.constantFrom(...PARENTS);
const status = fc.constantFrom(...ORDER_STATUSES);
const anyEvent: fc.Arbitrary<ExecEvent> = fc.oneof(
  fc.tuple(pid, fc.constantFrom('single' as const, 'twap' as const)).map(([p, r]) => parent(p, r)),
  fc.tuple(id, pid, fc.integer({ min: 0, max: 10_000 })).map(([i, p, t]) => created(i, p, t)),
  id.map((i): ExecEvent => ({ kind: 'SubmitOrder', clientOrderId: i })),
  id.map((i): ExecEvent => ({ kind: 'CancelOrder', clientOrderId: i, reason: '' })),
  id.map((i): ExecEvent => ({ kind: 'AckReport', clientOrderId: i, venueOrderId: venueOrderId('v') })),
  fc.tuple(id, fc.constantFrom('t1', 't2')).map(([i, t]) => fill(i, t)),
  fc.tuple(id, fc.boolean()).map(([i, d]): ExecEvent => ({
    kind: 'RejectReport',
    clientOrderId: i,
    code: 'x',
    reason: '',
    ...(d ? { duplicate: true } : {}),
  })),
  id.map((i): ExecEvent => ({ kind: 'RetryableRejectReport', clientOrderId: i, code: 'x', reason: '' })),
  fc
    .tuple(id, fc.constantFrom('submit' as const, 'cancel' as const))
    .map(([i, request]): ExecEvent => ({ kind: 'OutcomeUnknownReport', clientOrderId: i, request, reason: '' })),
  id.map((i): ExecEvent => ({ kind: 'CancelReport', clientOrderId: i })),
  id.map((i): ExecEvent => ({
    kind: 'CancelRejectReport',
    clientOrderId: i,
    code: 'x',
    reason: '',
    failure: 'not_cancelable',
  })),
  fc.tuple(id, status, status, fc.integer({ min: 0, max: 10 })).map(([i, f, t, q]) => changed(i, f, t, q)),
  fc.tuple(pid, fc.boolean()).map(([p, revised]): ExecEvent => ({
    kind: 'ParentOrderCompleted',
    parentId: p,
    status: 'filled',
    filledQty: 1,
    ...(revised ? { revises: { status: 'unfilled', filledQty: 0 } } : {}),
  })),
  pid.map((p): ExecEvent => ({ kind: 'SliceSkipped', parentId: p, sliceNum: 1, reason: '' })),
  fc.tuple(pid, fc.option(fc.constantFrom('pre_trade', 'gating'), { nil: undefined })).map(([p, stage]): ExecEvent => ({
    kind: 'ParentRejected',
    parentId: p,
    reason: '',
    ...(stage === undefined ? {} : { stage, code: 'c' }),
  })),
  fc.tuple(id, fc.option(fc.integer({ min: -5, max: 5_000 }), { nil: null })).map(([i, latency]): ExecEvent => ({
    kind: 'FillMonitorEnded',
    clientOrderId: i,
    result: 'filled',
    filledQty: 1,
    remainingQty: 0,
    avgPrice: null,
    fees: '0',
    slippageBps: null,
    methods: [],
    confidencePct: 100,
    elapsedMs: 1,
    detectionLatencyMs: latency,
    polls: 0,
    apiCalls: 0,
    errors: 0,
    detectedBy: 'push',
    cancelRace: false,
    leftOpen: false,
  })),
  fc.tuple(fc.constantFrom('orders' as const, 'market_data' as const), fc.boolean()).map(([stream, up]): ExecEvent => ({
    kind: 'ConnectionReport',
    stream,
    state: up ? 'connected' : 'disconnected',
    reason: '',
  })),
  fc.constantFrom<ExecEvent>(
    { kind: 'ReconciliationStarted', mode: 'periodic', since: null },
    { kind: 'ReconciliationMismatch', mismatch: 'status', clientOrderId: null, detail: '' },
    { kind: 'CircuitBreakerTripped', reason: '' },
    {
      kind: 'SignalReceived',
      signalId: 's',
      fingerprint: 'f',
      side: 'buy',
      qty: 1,
      price: null,
      reduceOnly: false,
      confirmations: [],
    },
    { kind: 'SignalRejected', signalId: 's', fingerprint: 'f', stage: 'dedup', code: 'duplicate-signal', reason: '' },
    { kind: 'FaultApplied', fault: 'x', detail: '' },
  ),
);
const anyLog = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), anyEvent), { maxLength: 60, size: 'max' })
  .map((timed) => log(...timed));

/** A port over a growing list of entries: the backlog is what was pushed before `sessionMetrics`. */
function fakePort(ledger = new OrderLedger()) {
  const entries: LogEntry[] = [];
  const followers = new Set<(e: LogEntry) => void>();
  const port = {
    instrument: INSTRUMENT,
    instruments: [INSTRUMENT],
    ledger,
    reconciling: false,
    entriesAfter: (after: number) => entries.filter((e) => e.seq > after),
    follow(listener: (e: LogEntry) => void) {
      followers.add(listener);
      return () => followers.delete(listener);
    },
    status: () => ({
      gate: 'ready' as const,
      connections: {},
      reconciling: false,
      killSwitch: 'active',
      breaker: { tripped: false, reason: null },
      openParents: [],
      openOrders: 0,
      stopped: false,
    }),
    readiness: () => ({ ready: true, reasons: [] }),
    latestQuote: () => null,
    marketDataFallback: () => [],
    breaker: () => ({ trip: null, lastTrip: null }),
    orphans: () => [],
  } as unknown as SessionPort;
  return {
    port,
    push(...more: LogEntry[]) {
      entries.push(...more);
      for (const e of more) for (const f of followers) f(e);
    },
  };
}

/** Every counter and histogram sample by name and labels. */
async function samples(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of await registry.getMetricsAsJSON()) {
    const type = String(m.type);
    if (type !== 'counter' && type !== 'histogram') continue;
    for (const v of m.values as { metricName?: string; labels: object; value: number }[])
      out.set(`${v.metricName ?? m.name}${JSON.stringify(v.labels)}`, v.value);
  }
  return out;
}

describe('session metrics over any log', () => {
  it('refuses a registry that holds a session already, adding nothing, and takes it again after stop', () => {
    const registry = new Registry();
    const first = sessionMetrics(fakePort().port, registry);
    const count = registry.getMetricsAsArray().length;
    expect(() => sessionMetrics(fakePort().port, registry)).toThrow(/already holds a session's metrics/);
    expect(registry.getMetricsAsArray()).toHaveLength(count);
    first.stop();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    sessionMetrics(fakePort().port, registry).stop();
  });

  it('only ever counts up and observes finite, non-negative durations', async () => {
    await fc.assert(
      fc.asyncProperty(anyLog, async (entries) => {
        // Checked for every sample after every entry: expect is called only on a mismatch.
        for (const u of foldAll(entries))
          if (u.type === 'observe' && !(u.seconds >= 0)) expect(u.seconds).toBeGreaterThanOrEqual(0);
        const { port, push } = fakePort();
        const registry = new Registry();
        const metrics = sessionMetrics(port, registry);
        let before = await samples(registry);
        for (const e of entries) {
          push(e);
          const after = await samples(registry);
          for (const [key, value] of after) {
            expectIs(Number.isFinite(value), true);
            const least = before.get(key) ?? 0;
            if (!(value >= least)) expect(value).toBeGreaterThanOrEqual(least);
          }
          before = after;
        }
        metrics.stop();
      }),
      { numRuns: 60 },
    );
  });

  it('holds nothing once every order has ended and every parent is over', () => {
    fc.assert(
      fc.property(anyLog, (entries) => {
        const fold = new SessionMetricFold();
        foldAll(entries, fold);
        let seq = entries.length;
        for (const i of IDS) fold.add({ seq: ++seq, time: 0, event: changed(i, 'accepted', 'canceled', 0) });
        for (const p of PARENTS)
          fold.add({
            seq: ++seq,
            time: 0,
            event: { kind: 'ParentOrderCompleted', parentId: p, status: 'unfilled', filledQty: 0 },
          });
        expectIs(fold.size, 0);
      }),
      { numRuns: 200 },
    );
  });

  it('opened late (the backlog, then the follow, an entry delivered twice) equals following from the start', async () => {
    await fc.assert(
      fc.asyncProperty(anyLog, fc.nat(), async (entries, cut) => {
        const k = entries.length === 0 ? 0 : cut % (entries.length + 1);
        const live = fakePort();
        const fromStart = new Registry();
        const a = sessionMetrics(live.port, fromStart);
        live.push(...entries);
        const late = fakePort();
        late.push(...entries.slice(0, k));
        const opened = new Registry();
        const b = sessionMetrics(late.port, opened);
        // The entry at the cut arrives again on the follow: it is folded once.
        const again = entries.slice(Math.max(0, k - 1));
        late.push(...again);
        expectIs(await opened.metrics(), await fromStart.metrics());
        a.stop();
        b.stop();
      }),
      { numRuns: 60 },
    );
  });

  it("counts the ledger's fills and notional by side, never down, however reports repeat", async () => {
    const a = IDS[0] as ClientOrderId;
    const b = IDS[1] as ClientOrderId;
    const report = fc.tuple(
      fc.constantFrom(a, b),
      fc.constantFrom('t1', 't2', 't3', 't4'),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 1_000_000 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(report, { maxLength: 20, size: 'max' }), async (reports) => {
        const ledger = new OrderLedger();
        const { port } = fakePort(ledger);
        const registry = new Registry();
        const metrics = sessionMetrics(port, registry);
        let seq = 0;
        // As the engine does: each event and what its fold derived, into the ledger.
        const apply = (time: number, event: ExecEvent): void => {
          for (const derived of ledger.apply({ seq: ++seq, time, event }))
            ledger.apply({ seq: ++seq, time, event: derived });
        };
        apply(0, parent(PARENTS[0] as ParentOrderId, 'single'));
        apply(0, { ...parent(PARENTS[1] as ParentOrderId, 'single'), side: 'sell' } as ExecEvent);
        apply(0, created(a, PARENTS[0] as ParentOrderId, 0));
        apply(0, { ...created(b, PARENTS[1] as ParentOrderId, 0), side: 'sell' } as ExecEvent);
        for (const i of [a, b]) apply(1, { kind: 'SubmitOrder', clientOrderId: i });
        let last = { buy: 0, sell: 0 };
        for (const [i, t, qty, price] of reports) {
          apply(2, fill(i, `${i}-${t}`, qty, price));
          const now = { buy: 0, sell: 0 };
          let notional = { buy: 0, sell: 0 };
          for (const o of ledger.orders.values()) {
            now[o.request.side] += o.fillCount;
            notional = { ...notional, [o.request.side]: notional[o.request.side] + o.filledNotional };
          }
          const got = await samples(registry);
          // Checked for both sides after every report: expect is called only on a mismatch.
          for (const side of ['buy', 'sell'] as const) {
            const fills = got.get(`execsim_session_fills_total{"side":"${side}"}`) ?? 0;
            expectIs(fills, now[side]);
            if (!(fills >= last[side])) expect(fills).toBeGreaterThanOrEqual(last[side]);
            const quote = got.get(`execsim_session_filled_notional_total{"side":"${side}"}`) ?? 0;
            // toBeCloseTo(x, 6) passes when the difference is under 10^-6 / 2.
            const want = notional[side] * 1e-7;
            if (!(Math.abs(quote - want) < 10 ** -6 / 2)) expect(quote).toBeCloseTo(want, 6);
          }
          last = now;
        }
        metrics.stop();
      }),
      { numRuns: 60 },
    );
  });
});
