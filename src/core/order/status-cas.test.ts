// Conflict-safe full-state updates: a venue order's life is reported as full-state snapshots
// (lookups, reconciliation rows, stream copies), delivered late, twice and out of order. Whatever
// the order, an order's status never moves back, its fill never shrinks, a finished order stays
// as it is, and every order of delivery ends in the state the venue-time order gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, symbol, tradeId, venueOrderId } from '../model/ids.ts';
import type { OrderRequest } from '../model/order.ts';
import { isTerminal, type OrderStatus } from '../model/order-status.ts';
import type { OrderStatusReport, ReportedTrade } from '../model/reports.ts';
import { applyOrderEvent, newOrderState, type ApplyOutcome, type OrderState } from './apply-event.ts';
import { OrderLedger } from './order-ledger.ts';
import {
  CAS_SKIP_REASONS,
  decideStatusUpdate,
  sourcePriority,
  statusRank,
  type CasCurrent,
  type UpdateSource,
} from './status-cas.ts';

const cid = clientOrderId('c1');
const vid = venueOrderId('v1');
const SOURCES: readonly UpdateSource[] = ['stream', 'lookup', 'reconciliation', 'manual'];
const request = (qty: number): OrderRequest => ({
  clientOrderId: cid,
  parentId: parentOrderId('p1'),
  sliceNum: 1,
  totalSlices: 1,
  scheduledTime: 0,
  symbol: symbol('BTCUSDT'),
  side: 'buy',
  type: 'limit',
  tif: 'GTC',
  qty,
  limitPrice: 100,
});
const submitted = (qty: number): OrderState => {
  const out = applyOrderEvent(newOrderState(request(qty), 0), { kind: 'SubmitOrder', clientOrderId: cid }, 0);
  if (out.kind !== 'applied') throw new Error('submit');
  return out.state;
};

type Snapshot = Omit<OrderStatusReport, 'source'> & { readonly updatedAt: number };

/** A venue order's life as the snapshots it passes through, oldest first (times may repeat). */
const lifeArb = fc
  .record({
    qty: fc.integer({ min: 1, max: 10 }),
    fills: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 5 }),
    end: fc.constantFrom('open', 'canceled', 'expired', 'rejected'),
    gaps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
  })
  .map(({ qty, fills, end, gaps }): Snapshot[] => {
    let t = 1_000;
    const at = (i: number): number => (t += gaps[i % gaps.length] ?? 0);
    const snap = (status: OrderStatusReport['status'], trades: ReportedTrade[], i: number): Snapshot => ({
      kind: 'OrderStatusReport',
      clientOrderId: cid,
      venueOrderId: vid,
      status,
      qty,
      filledQty: trades.reduce((s, x) => s + x.qty, 0),
      trades,
      updatedAt: at(i),
    });
    if (end === 'rejected') return [snap('rejected', [], 0)];
    const life = [snap('new', [], 0)];
    const trades: ReportedTrade[] = [];
    for (const [i, f] of fills.entries()) {
      const q = Math.min(f, qty - trades.reduce((s, x) => s + x.qty, 0));
      if (q <= 0) break;
      trades.push({ tradeId: tradeId(`t${i}`), qty: q, price: 100 + i, fee: 0, liquidity: 'maker', venueTime: t });
      const done = trades.reduce((s, x) => s + x.qty, 0) === qty;
      life.push(snap(done ? 'filled' : 'partially_filled', [...trades], i + 1));
    }
    if (life[life.length - 1]?.status !== 'filled' && (end === 'canceled' || end === 'expired'))
      life.push(snap(end, [...trades], 7));
    return life;
  });

interface Delivery {
  readonly snap: number;
  readonly source: UpdateSource;
  readonly timed: boolean;
}
const deliveriesArb = (timedOnly: boolean) =>
  fc.array(
    fc.record({
      snap: fc.nat(),
      source: fc.constantFrom(...SOURCES),
      timed: timedOnly ? fc.constant(true) : fc.boolean(),
    }),
    { minLength: 1, maxLength: 16, size: 'max' },
  );

/** Venue-time order: by snapshot; copies of one snapshot in the reverse of their delivery. */
const venueOrder = (ds: readonly Delivery[], n: number): Delivery[] =>
  ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.snap % n) - (b.d.snap % n) || b.i - a.i)
    .map((x) => x.d);

const reportOf = (life: Snapshot[], d: Delivery): OrderStatusReport => {
  const { updatedAt, ...rest } = life[d.snap % life.length] as Snapshot;
  return { ...rest, source: d.source, ...(d.timed ? { updatedAt } : {}) };
};

/** expect(CAS_SKIP_REASONS).toContain(reason), calling expect only when it is not there. */
function expectSkipReason(reason: string): void {
  if (!(CAS_SKIP_REASONS as readonly string[]).includes(reason)) expect(CAS_SKIP_REASONS).toContain(reason);
}

/** Delivers reports one by one, checking the per-step invariants; returns the final state.
 *  Checked after every report of every case: expect is called only on a mismatch. */
function deliver(qty: number, reports: readonly OrderStatusReport[]): OrderState {
  let s = submitted(qty);
  for (const r of reports) {
    const out: ApplyOutcome = applyOrderEvent(s, r, 1);
    if (out.kind === 'discrepancy') throw new Error(`discrepancy: ${out.detail}`); // a stale answer is no quantity mismatch now
    if (out.kind === 'ignored') {
      expectSkipReason(out.reason);
      if (!(out.detail.length > 0)) expect(out.detail.length).toBeGreaterThan(0);
      continue;
    }
    const next = out.state;
    const [rank, before] = [statusRank(next.status), statusRank(s.status)];
    if (!(rank >= before)) expect(rank).toBeGreaterThanOrEqual(before);
    if (!(next.filledQty >= s.filledQty)) expect(next.filledQty).toBeGreaterThanOrEqual(s.filledQty);
    if (isTerminal(s.status)) {
      // a finished order's state changes only by gaining fill (and then only towards filled)
      if (next.filledQty === s.filledQty) expectIs(next.status, s.status);
      else if (!([s.status, 'filled'] as OrderStatus[]).includes(next.status))
        expect([s.status, 'filled']).toContain(next.status);
    }
    s = next;
  }
  return s;
}

const visible = (s: OrderState) => ({
  status: s.status,
  filledQty: s.filledQty,
  filledNotional: s.filledNotional,
  trades: [...s.tradeIds].sort(),
  venueOrderId: s.venueOrderId,
});
const whole = (s: OrderState) => ({
  ...visible(s),
  lastVenueUpdateAt: s.lastVenueUpdateAt,
  lastSourcePriority: s.lastSourcePriority,
});

describe('full-state updates in any order', () => {
  it('property: rank and fill never go back, terminal stays, and any order converges to the venue-time order (timed reports)', () => {
    fc.assert(
      fc.property(lifeArb, deliveriesArb(true), (life, ds) => {
        const qty = life[0]?.qty ?? 1;
        const shuffled = deliver(
          qty,
          ds.map((d) => reportOf(life, d)),
        );
        const inVenueOrder = venueOrder(ds, life.length);
        const ordered = deliver(
          qty,
          inVenueOrder.map((d) => reportOf(life, d)),
        );
        expectEqual(whole(shuffled), whole(ordered));
        // and that state is the newest delivered snapshot
        const newest = life[Math.max(...ds.map((d) => d.snap % life.length))] as Snapshot;
        expectIs(shuffled.filledQty, newest.filledQty);
        expectIs(shuffled.lastVenueUpdateAt, newest.updatedAt);
      }),
      { numRuns: 600 },
    );
  });

  it('property: the same holds for reports without a venue time (rank and fill order them)', () => {
    fc.assert(
      fc.property(lifeArb, deliveriesArb(false), (life, ds) => {
        const qty = life[0]?.qty ?? 1;
        const shuffled = deliver(
          qty,
          ds.map((d) => reportOf(life, d)),
        );
        const inVenueOrder = venueOrder(ds, life.length);
        expectEqual(
          visible(shuffled),
          visible(
            deliver(
              qty,
              inVenueOrder.map((d) => reportOf(life, d)),
            ),
          ),
        );
      }),
      { numRuns: 600 },
    );
  });

  it('property: the decision applies only what keeps fill and (but for newer venue times) rank, and names every skip', () => {
    const status = fc.constantFrom<OrderStatus>(
      'pending_new',
      'submitted',
      'accepted',
      'partially_filled',
      'pending_cancel',
      'filled',
      'canceled',
      'expired',
      'rejected',
    );
    const time = fc.option(fc.integer({ min: 0, max: 4 }), { nil: null });
    fc.assert(
      fc.property(
        status,
        fc.nat(5),
        time,
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
        status,
        fc.nat(5),
        time,
        fc.constantFrom(...SOURCES),
        (cs, cq, ct, cp, is, iq, it_, src) => {
          const cur: CasCurrent = { status: cs, filledQty: cq, lastVenueUpdateAt: ct, lastSourcePriority: cp };
          const d = decideStatusUpdate(cur, { status: is, filledQty: iq, updatedAt: it_ ?? undefined, source: src });
          // Checked in each of 2,000 cases: expect is called only on a mismatch.
          if (d.kind === 'skip') {
            expectSkipReason(d.reason);
            return;
          }
          if (!(iq >= cq)) expect(iq).toBeGreaterThanOrEqual(cq);
          if (isTerminal(cs)) expectIs(iq > cq || (is === cs && iq === cq), true);
          if (!isTerminal(cs) && it_ !== null && ct !== null && !(it_ >= ct)) expect(it_).toBeGreaterThanOrEqual(ct);
          const newer = it_ !== null && (ct === null || it_ > ct);
          if (!newer && !isTerminal(cs) && !(statusRank(is) >= statusRank(cs)))
            expect(statusRank(is)).toBeGreaterThanOrEqual(statusRank(cs));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('skip reasons', () => {
  const report = (
    status: OrderStatusReport['status'],
    filledQty: number,
    updatedAt?: number,
    source?: UpdateSource,
  ): OrderStatusReport => ({
    kind: 'OrderStatusReport',
    clientOrderId: cid,
    venueOrderId: vid,
    status,
    qty: 10,
    filledQty,
    trades:
      filledQty > 0
        ? [{ tradeId: tradeId('a'), qty: filledQty, price: 100, fee: 0, liquidity: 'maker', venueTime: 0 }]
        : [],
    ...(updatedAt === undefined ? {} : { updatedAt }),
    ...(source === undefined ? {} : { source }),
  });
  const after = (s: OrderState, r: OrderStatusReport): OrderState => {
    const out = applyOrderEvent(s, r, 1);
    if (out.kind !== 'applied') throw new Error(`${out.kind}: ${out.detail}`);
    return out.state;
  };

  it('terminal_locked: a canceled order does not reopen; its own echo is a no-op; a late fill still lands', () => {
    const canceled = after(submitted(10), report('canceled', 0, 50));
    expect(applyOrderEvent(canceled, report('new', 0, 60), 2)).toMatchObject({
      kind: 'ignored',
      reason: 'terminal_locked',
    });
    expect(applyOrderEvent(canceled, report('canceled', 0, 50), 2)).toMatchObject({
      kind: 'applied',
      state: { status: 'canceled' },
    });
    expect(applyOrderEvent(canceled, report('canceled', 4, 70), 2)).toMatchObject({
      kind: 'applied',
      state: { status: 'canceled', filledQty: 4 },
    });
    const rejected = after(submitted(10), report('rejected', 0, 50, 'manual'));
    expect(applyOrderEvent(rejected, report('rejected', 0, 50, 'stream'), 2)).toMatchObject({
      kind: 'applied',
      state: { status: 'rejected', lastSourcePriority: 3 },
    });
    const filled = after(submitted(10), report('filled', 10, 50));
    expect(applyOrderEvent(filled, report('partially_filled', 10, 90), 2)).toMatchObject({
      kind: 'ignored',
      reason: 'terminal_locked',
    });
  });

  it('stale_update: an answer older than the one applied is skipped, where it used to be a quantity discrepancy', () => {
    const s = after(submitted(10), report('partially_filled', 4, 200));
    expect(applyOrderEvent(s, report('new', 0, 100), 2)).toMatchObject({ kind: 'ignored', reason: 'stale_update' });
    expect(
      decideStatusUpdate(
        { status: 'accepted', filledQty: 0, lastVenueUpdateAt: 200, lastSourcePriority: 2 },
        { status: 'partially_filled', filledQty: 3, updatedAt: 199, source: 'stream' },
      ),
    ).toMatchObject({ kind: 'skip', reason: 'stale_update' });
  });

  it('fill_regression: a newer (or untimed) answer with less fill is skipped', () => {
    const s = after(submitted(10), report('partially_filled', 4));
    expect(applyOrderEvent(s, report('new', 0, 300), 2)).toMatchObject({ kind: 'ignored', reason: 'fill_regression' });
    expect(
      decideStatusUpdate(
        { status: 'partially_filled', filledQty: 4, lastVenueUpdateAt: null, lastSourcePriority: null },
        { status: 'pending_cancel', filledQty: 2, updatedAt: undefined, source: 'stream' },
      ),
    ).toMatchObject({ kind: 'skip', reason: 'fill_regression' });
  });

  it('lower_rank: at the same venue time, or without one, a status behind ours is skipped', () => {
    const s: OrderState = { ...after(submitted(10), report('new', 0, 100)), status: 'pending_cancel' };
    expect(applyOrderEvent(s, report('new', 0, 100), 2)).toMatchObject({ kind: 'ignored', reason: 'lower_rank' });
    expect(applyOrderEvent(s, report('new', 0), 2)).toMatchObject({ kind: 'ignored', reason: 'lower_rank' });
    expect(applyOrderEvent(s, report('new', 0, 101), 2)).toMatchObject({
      kind: 'applied',
      state: { status: 'pending_cancel' },
    }); // newer: the venue's word
  });

  it('lower_priority: an equal update from a lower source is skipped, an equal or higher one applies', () => {
    const s = after(submitted(10), report('partially_filled', 4, 100, 'stream'));
    expect(s.lastSourcePriority).toBe(sourcePriority('stream'));
    expect(applyOrderEvent(s, report('partially_filled', 4, 100, 'reconciliation'), 2)).toMatchObject({
      kind: 'ignored',
      reason: 'lower_priority',
    });
    expect(applyOrderEvent(s, report('partially_filled', 4, 100, 'stream'), 2)).toMatchObject({ kind: 'applied' });
    const manual = after(submitted(10), report('partially_filled', 4, 100, 'manual'));
    expect(after(manual, report('partially_filled', 4, 100)).lastSourcePriority).toBe(sourcePriority('lookup'));
  });

  it('the ledger records a skipped update as ReportIgnored with its reason and changes nothing', () => {
    const ledger = new OrderLedger();
    let seq = 0;
    const fold = (event: ExecEvent) => ledger.apply({ seq: ++seq, time: 1, event });
    fold({
      kind: 'ParentOrderCreated',
      parentId: parentOrderId('p1'),
      symbol: symbol('BTCUSDT'),
      side: 'buy',
      qty: 10,
      type: 'limit',
      tif: 'GTC',
      limitPrice: 100,
      totalSlices: 1,
      route: 'single',
      arrivalBid: null,
      arrivalAsk: null,
      source: 'test',
    });
    const { clientOrderId: _c, parentId, ...rest } = request(10);
    fold({ kind: 'OrderCreated', clientOrderId: cid, parentId, ...rest, stopPrice: null, limitPrice: 100 });
    fold({ kind: 'SubmitOrder', clientOrderId: cid });
    fold(report('partially_filled', 4, 200));
    const before = ledger.order(cid);
    expect(fold(report('new', 0, 100))).toEqual([
      {
        kind: 'ReportIgnored',
        clientOrderId: cid,
        reason: 'stale_update',
        detail: expect.stringContaining('older') as unknown as string,
        cause: seq,
      },
    ]);
    expect(ledger.order(cid)).toBe(before);
    expect(ledger.position).toBe(4);
  });
});
