// The ledger's running totals over a parent's children (open, pendingNew, filled, committed)
// must equal a walk over the children after every entry, whatever the venue says in whatever
// order: the engine completes parents and the TWAP sizes slices from these totals alone. The
// same for its index of open orders, which reconciliation passes and a halt walk instead of
// every order: the same orders in the same (creation) order as a walk over all of them, also
// when an order that ended comes back (a failed order the venue turns out to have).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog } from '../log/event-log.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, tradeId, venueOrderId, type ClientOrderId } from '../model/ids.ts';
import { isTerminal } from '../model/order-status.ts';
import { earliestSubmission, neverSent } from './open-orders.ts';
import { committedLots, OrderLedger, type ChildTotals } from './order-ledger.ts';

const T0 = Date.UTC(2024, 7, 9);
const CHILDREN = 4;

/** The totals as a walk over the children computes them. */
function walk(ledger: OrderLedger, children: readonly ClientOrderId[]): ChildTotals {
  const t: ChildTotals = { open: 0, pendingNew: 0, filled: 0, committed: 0 };
  for (const id of children) {
    const o = ledger.order(id);
    if (!o) continue;
    if (!isTerminal(o.status)) t.open++;
    if (o.status === 'pending_new') t.pendingNew++;
    t.filled += o.filledQty;
    t.committed += committedLots(o);
  }
  return t;
}

const child = fc.integer({ min: 0, max: CHILDREN - 1 });
const lots = fc.integer({ min: 1, max: 6 });
const step = fc.oneof(
  fc.record({ k: fc.constant('submit' as const), c: child }),
  fc.record({ k: fc.constant('ack' as const), c: child }),
  fc.record({ k: fc.constant('fill' as const), c: child, qty: lots, t: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ k: fc.constant('cancel' as const), c: child }),
  fc.record({ k: fc.constant('canceled' as const), c: child }),
  fc.record({ k: fc.constant('expired' as const), c: child }),
  fc.record({ k: fc.constant('rejected' as const), c: child }),
  fc.record({ k: fc.constant('retryable' as const), c: child }),
  fc.record({ k: fc.constant('unknown' as const), c: child }),
  fc.record({ k: fc.constant('notFound' as const), c: child }),
  fc.record({ k: fc.constant('abandon' as const), c: child }),
  fc.record({ k: fc.constant('amend' as const), c: child, qty: lots }),
  fc.record({
    k: fc.constant('status' as const),
    c: child,
    status: fc.constantFrom('new', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected'),
    filled: fc.integer({ min: 0, max: 8 }),
  }),
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

const PARENT: ExecEvent = {
  kind: 'ParentOrderCreated',
  parentId: parentOrderId('p'),
  symbol: 'T' as never,
  side: 'buy',
  qty: 8 * CHILDREN,
  type: 'market',
  tif: 'IOC',
  limitPrice: null,
  totalSlices: CHILDREN,
  route: 'twap',
  arrivalBid: null,
  arrivalAsk: null,
  source: 'test',
};

function created(id: ClientOrderId, i: number, scheduledTime = T0): ExecEvent {
  return {
    kind: 'OrderCreated',
    clientOrderId: id,
    parentId: parentOrderId('p'),
    sliceNum: i + 1,
    totalSlices: CHILDREN,
    scheduledTime,
    symbol: 'T' as never,
    side: 'buy',
    type: 'market',
    tif: 'IOC',
    qty: 8,
    limitPrice: null,
    stopPrice: null,
  };
}

function eventOf(s: Step, ids: readonly ClientOrderId[]): ExecEvent {
  const id = ids[s.c] as ClientOrderId;
  const vid = venueOrderId(`v${s.c}`);
  switch (s.k) {
    case 'submit':
      return { kind: 'SubmitOrder', clientOrderId: id };
    case 'ack':
      return { kind: 'AckReport', clientOrderId: id, venueOrderId: vid };
    case 'fill':
      return {
        kind: 'FillReport',
        clientOrderId: id,
        venueOrderId: vid,
        tradeId: tradeId(`t${s.c}-${s.t}`),
        qty: s.qty,
        price: 10_000,
        fee: 1,
        liquidity: 'taker',
        venueTime: T0,
      };
    case 'cancel':
      return { kind: 'CancelOrder', clientOrderId: id, reason: 'test' };
    case 'canceled':
      return { kind: 'CancelReport', clientOrderId: id };
    case 'expired':
      return { kind: 'ExpiredReport', clientOrderId: id, reason: 'test' };
    case 'rejected':
      return { kind: 'RejectReport', clientOrderId: id, code: 'x', reason: 'test' };
    case 'retryable':
      return { kind: 'RetryableRejectReport', clientOrderId: id, code: 'x', reason: 'test' };
    case 'unknown':
      return { kind: 'OutcomeUnknownReport', clientOrderId: id, request: 'submit', reason: 'test' };
    case 'notFound':
      return { kind: 'OrderNotFoundReport', clientOrderId: id };
    case 'abandon':
      return { kind: 'OrderAbandoned', clientOrderId: id, reason: 'test' };
    case 'amend':
      return { kind: 'ChildAmended', clientOrderId: id, qty: s.qty, limitPrice: null, stopPrice: null };
    case 'status':
      return {
        kind: 'OrderStatusReport',
        clientOrderId: id,
        venueOrderId: vid,
        status: s.status,
        qty: 8,
        filledQty: s.filled,
        ...(s.filled > 0 ? { avgPrice: 10_000 } : {}),
      };
  }
}

describe('OrderLedger child totals', () => {
  it('equal a walk over the children after every entry, for any sequence of commands and reports', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40, size: 'max' }), (steps) => {
        const log = new EventLog(new VirtualClock(T0));
        const ledger = new OrderLedger();
        const fold = (e: ExecEvent): void => {
          for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
        };
        const parentId = parentOrderId('p');
        const ids = Array.from({ length: CHILDREN }, (_, i) => clientOrderId(`c${i}`));
        fold(PARENT);
        const totals = (): ChildTotals => ({ ...(ledger.parents.get(parentId)?.totals as ChildTotals) });
        // Checked after every entry of every case: expect is called only on a mismatch.
        ids.forEach((id, i) => {
          fold(created(id, i));
          expectEqual(totals(), walk(ledger, ids));
        });
        for (const s of steps) {
          fold(eventOf(s, ids));
          expectEqual(totals(), walk(ledger, ids));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('open, sent and never-sent orders are what a walk over all orders finds, in creation order, after every entry', () => {
    let revived = 0;
    let sentOutOfOrder = 0;
    const creation = fc.record({ k: fc.constant('create' as const) });
    const schedule = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: CHILDREN, maxLength: CHILDREN });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(step, step, creation), { maxLength: 50, size: 'max' }),
        schedule,
        (steps, offsets) => {
          const log = new EventLog(new VirtualClock(T0));
          const ledger = new OrderLedger();
          const fold = (e: ExecEvent): void => {
            for (const d of ledger.apply(log.append(e))) ledger.apply(log.append(d));
          };
          const ids = Array.from({ length: CHILDREN }, (_, i) => clientOrderId(`c${i}`));
          const walked = () => [...ledger.orders.values()].filter((o) => !isTerminal(o.status));
          fold(PARENT);
          let made = 0;
          for (const s of steps) {
            if (s.k === 'create') {
              if (made < CHILDREN)
                fold(created(ids[made] as ClientOrderId, made, T0 + 1000 * (offsets[made++] as number)));
            } else {
              const before = ledger.order(ids[s.c] as ClientOrderId);
              const youngerSent = walked().some((o) => !neverSent(o) && o.request.sliceNum > s.c + 1);
              fold(eventOf(s, ids));
              const after = ledger.order(ids[s.c] as ClientOrderId);
              if (before && after && isTerminal(before.status) && !isTerminal(after.status)) revived++;
              // Sent (or back) after a younger order was: the index must put it back in its place.
              const joined = before && after && !isTerminal(after.status) && !neverSent(after);
              if (joined && (isTerminal(before.status) || neverSent(before)) && youngerSent) sentOutOfOrder++;
            }
            // Checked after every entry of every case: expect is called only on a mismatch.
            const open = walked();
            expectEqual([...ledger.openOrders()], open);
            expectIs(ledger.openCount, open.length);
            const sent = open.filter((o) => !neverSent(o));
            expectEqual([...ledger.sentOrders()], sent);
            const firstDue = Math.min(...open.filter(neverSent).map(earliestSubmission));
            const oldest = ledger.oldestNeverSent();
            // What the toEqual below asks: a pending_new order never attempted, or none.
            const oldestAsWalked = Number.isFinite(firstDue)
              ? oldest !== undefined && oldest.status === 'pending_new' && Object.is(oldest.attempts, 0)
              : oldest === undefined;
            if (!oldestAsWalked)
              expect(oldest).toEqual(
                Number.isFinite(firstDue) ? expect.objectContaining({ status: 'pending_new', attempts: 0 }) : undefined,
              );
            if (Number.isFinite(firstDue)) expectIs(earliestSubmission(ledger.oldestNeverSent() as never), firstDue);
          }
        },
      ),
      { numRuns: 400 },
    );
    // The runs above must have revived orders and sent them out of creation order, or the
    // re-ordering went untested.
    expect(revived).toBeGreaterThan(0);
    expect(sentOutOfOrder).toBeGreaterThan(0);
  });
});
