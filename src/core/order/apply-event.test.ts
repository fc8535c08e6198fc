import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol, tradeId, venueOrderId } from '../model/ids.ts';
import type { OrderRequest } from '../model/order.ts';
import type { ReportedTrade } from '../model/reports.ts';
import {
  ORDER_EVENT_KINDS,
  ORDER_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  isTerminal,
} from '../model/order-status.ts';
import { applyOrderEvent, newOrderState, type OrderEvent, type OrderState } from './apply-event.ts';

const cid = clientOrderId('c1');
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

/** One execution as a venue lists it. */
const trade = (id: string, qty: number, price = 1): ReportedTrade => ({
  tradeId: tradeId(id),
  qty,
  price,
  fee: 0,
  liquidity: 'maker',
  venueTime: 0,
});

/** A lookup's answer for the order: the venue's status, quantity, filled quantity and trades. */
const lookup = (
  status: 'new' | 'partially_filled' | 'expired',
  qty: number,
  filledQty: number,
  trades: ReportedTrade[],
): OrderEvent => ({
  kind: 'OrderStatusReport',
  clientOrderId: cid,
  venueOrderId: venueOrderId('v1'),
  status,
  qty,
  trades,
  filledQty,
});

const eventArb = (qty: number): fc.Arbitrary<OrderEvent> =>
  fc.oneof(
    fc.constantFrom<OrderEvent>(
      { kind: 'SubmitOrder', clientOrderId: cid },
      { kind: 'CancelOrder', clientOrderId: cid, reason: 'test' },
      { kind: 'AckReport', clientOrderId: cid, venueOrderId: venueOrderId('v1') },
      { kind: 'RejectReport', clientOrderId: cid, code: '-1013', reason: 'no' },
      { kind: 'CancelReport', clientOrderId: cid },
      { kind: 'CancelRejectReport', clientOrderId: cid, code: '-2011', reason: 'unknown', failure: 'not_cancelable' },
      { kind: 'ExpiredReport', clientOrderId: cid, reason: 'ioc' },
      { kind: 'OutcomeUnknownReport', clientOrderId: cid, request: 'submit', reason: 'timeout' },
      { kind: 'OrderNotFoundReport', clientOrderId: cid },
      { kind: 'RetryableRejectReport', clientOrderId: cid, code: '-1003', reason: 'too many requests' },
      { kind: 'OrderAbandoned', clientOrderId: cid, reason: 'retries exhausted' },
    ),
    fc.record({
      kind: fc.constant('ChildAmended' as const),
      clientOrderId: fc.constant(cid),
      qty: fc.integer({ min: 1, max: qty }),
      limitPrice: fc.constantFrom(null, 100),
      stopPrice: fc.constant(null),
    }),
    fc.record({
      kind: fc.constant('OrderStatusReport' as const),
      clientOrderId: fc.constant(cid),
      venueOrderId: fc.constant(venueOrderId('v1')),
      status: fc.constantFrom(
        'new',
        'partially_filled',
        'filled',
        'canceled',
        'expired',
        'rejected',
      ) as fc.Arbitrary<'new'>,
      qty: fc.constant(qty),
      trades: fc.array(
        fc.record({
          tradeId: fc.integer({ min: 1, max: 6 }).map((n) => tradeId(`t${n}`)),
          qty: fc.integer({ min: 1, max: qty }),
          price: fc.integer({ min: 1, max: 200 }),
          fee: fc.constant(0),
          liquidity: fc.constant('maker' as const),
          venueTime: fc.constant(0),
        }),
        { maxLength: 3 },
      ),
      filledQty: fc.integer({ min: 0, max: qty }),
    }),
    fc.record({
      kind: fc.constant('FillReport' as const),
      clientOrderId: fc.constant(cid),
      venueOrderId: fc.constant(venueOrderId('v1')),
      tradeId: fc.integer({ min: 1, max: 6 }).map((n) => tradeId(`t${n}`)), // small pool: duplicates happen
      qty: fc.integer({ min: -1, max: qty + 1 }), // includes invalid and overfilling sizes
      price: fc.integer({ min: 0, max: 200 }),
      fee: fc.constant(0),
      liquidity: fc.constant('maker' as const),
      venueTime: fc.constant(0),
    }),
  );

describe('order status transition table', () => {
  it('covers every status and only names known event kinds', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
    for (const row of Object.values(TRANSITIONS)) {
      for (const kind of Object.keys(row)) expect(ORDER_EVENT_KINDS).toContain(kind);
    }
  });

  it('lets a terminal status move only to itself, or to filled through a late fill (failed aside: the venue revives it)', () => {
    for (const status of TERMINAL_STATUSES) {
      if (status === 'failed') continue;
      for (const [kind, target] of Object.entries(TRANSITIONS[status])) {
        if (target === 'late_fill') expect(kind).toBe('FillReport');
        else if (target === 'sync') expect(kind).toBe('OrderStatusReport');
        else expect(target === 'same' || target === status).toBe(true);
      }
    }
    // A rejected order takes nothing but a "not found" or a refused cancel, which agree with the refusal.
    expect(TRANSITIONS.rejected).toEqual({ OrderNotFoundReport: 'same', CancelRejectReport: 'same' });
  });

  it('failed (we gave up after "not found") is revived by the venue proving the order exists, and by nothing else', () => {
    expect(TRANSITIONS.failed).toMatchObject({
      AckReport: 'open',
      FillReport: 'by_fill',
      OrderStatusReport: 'sync',
      ExpiredReport: 'expired',
      CancelReport: 'canceled',
    });
    for (const [kind, target] of Object.entries(TRANSITIONS.failed)) {
      if (['AckReport', 'FillReport', 'OrderStatusReport', 'ExpiredReport', 'CancelReport'].includes(kind)) continue;
      expect(target, kind).toBe('same');
    }
    const failed: OrderState = { ...newOrderState(request(10), 0), status: 'failed', attempts: 3 };
    const ack = applyOrderEvent(failed, { kind: 'AckReport', clientOrderId: cid, venueOrderId: venueOrderId('v1') }, 5);
    expect(ack).toMatchObject({ kind: 'applied', state: { status: 'accepted', venueOrderId: 'v1' } });
    const fill = applyOrderEvent(
      failed,
      {
        kind: 'FillReport',
        clientOrderId: cid,
        venueOrderId: venueOrderId('v1'),
        tradeId: tradeId('f'),
        qty: 4,
        price: 100,
        fee: 0,
        liquidity: 'taker',
        venueTime: 5,
      },
      5,
    );
    expect(fill).toMatchObject({ kind: 'applied', state: { status: 'partially_filled', filledQty: 4 } });
    const full = applyOrderEvent(
      failed,
      {
        kind: 'OrderStatusReport',
        clientOrderId: cid,
        venueOrderId: venueOrderId('v1'),
        status: 'expired',
        qty: 10,
        filledQty: 3,
        trades: [{ tradeId: tradeId('g'), qty: 3, price: 100, fee: 0, liquidity: 'taker', venueTime: 5 }],
      },
      5,
    );
    expect(full).toMatchObject({ kind: 'applied', state: { status: 'expired', filledQty: 3 } });
    // Given up on after a fill: a lookup that shows it open revives it partially filled, as an ack
    // does, never accepted with lots filled.
    const filledThenFailed: OrderState = {
      ...(fill.kind === 'applied' ? fill.state : failed),
      status: 'failed',
    };
    const open = applyOrderEvent(filledThenFailed, lookup('new', 10, 4, [trade('f', 4, 100)]), 6);
    expect(open).toMatchObject({ kind: 'applied', state: { status: 'partially_filled', filledQty: 4 } });
    const acked = applyOrderEvent(
      filledThenFailed,
      { kind: 'AckReport', clientOrderId: cid, venueOrderId: venueOrderId('v1') },
      6,
    );
    expect(acked).toMatchObject({ kind: 'applied', state: { status: 'partially_filled', filledQty: 4 } });
    expect(applyOrderEvent(failed, { kind: 'OrderNotFoundReport', clientOrderId: cid }, 5)).toMatchObject({
      kind: 'applied',
      state: { status: 'failed' },
    });
  });

  it('a pending_new order the venue proves it has (a "not found" raced the send) takes the venue\'s word', () => {
    const back: OrderState = { ...newOrderState(request(10), 0), status: 'pending_new', attempts: 1, lastSentSeq: 7 };
    expect(
      applyOrderEvent(back, { kind: 'AckReport', clientOrderId: cid, venueOrderId: venueOrderId('v2') }, 5),
    ).toMatchObject({ kind: 'applied', state: { status: 'accepted' } });
    expect(
      applyOrderEvent(
        back,
        { kind: 'RejectReport', clientOrderId: cid, code: '-2010', reason: 'insufficient balance' },
        5,
      ),
    ).toMatchObject({ kind: 'applied', state: { status: 'rejected' } });
    expect(
      applyOrderEvent(back, { kind: 'RetryableRejectReport', clientOrderId: cid, code: '-1003', reason: '429' }, 5),
    ).toMatchObject({ kind: 'applied', state: { status: 'pending_new' } });
  });

  it('a rejected order looked up by a lookup asked before the refusal arrived: "not found" agrees, and is no discrepancy', () => {
    const sent: OrderState = { ...newOrderState(request(10), 0), status: 'submitted', attempts: 1, lastSentSeq: 7 };
    const refused = applyOrderEvent(
      sent,
      { kind: 'RejectReport', clientOrderId: cid, code: '-1013', reason: 'Filter failure: NOTIONAL' },
      9,
    );
    expect(refused).toMatchObject({ kind: 'applied', state: { status: 'rejected' } });
    if (refused.kind !== 'applied') throw new Error('not applied');
    const after = applyOrderEvent(
      refused.state,
      { kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 8 },
      10,
    );
    expect(after.kind).not.toBe('discrepancy');
    if ('state' in after) expect(after.state.status).toBe('rejected');
  });

  it('a rejected order whose cancel the venue refuses (sent before the refusal arrived): no discrepancy, still rejected', () => {
    const sent: OrderState = {
      ...newOrderState(request(10), 0),
      status: 'pending_cancel',
      attempts: 1,
      lastSentSeq: 7,
    };
    const refused = applyOrderEvent(
      sent,
      { kind: 'RejectReport', clientOrderId: cid, code: '-1013', reason: 'Filter failure: NOTIONAL' },
      9,
    );
    expect(refused).toMatchObject({ kind: 'applied', state: { status: 'rejected' } });
    if (refused.kind !== 'applied') throw new Error('not applied');
    const after = applyOrderEvent(
      refused.state,
      {
        kind: 'CancelRejectReport',
        clientOrderId: cid,
        code: '-2011',
        reason: 'Unknown order sent.',
        failure: 'not_found',
      },
      10,
    );
    expect(after.kind).not.toBe('discrepancy');
    if ('state' in after) expect(after.state.status).toBe('rejected');
  });

  it('a "not found" asked before our latest send is stale: it never moves the order back', () => {
    let s = newOrderState(request(10), 0);
    const step = (e: OrderEvent, seq: number) => {
      const out = applyOrderEvent(s, e, seq, seq);
      if (out.kind === 'applied') s = out.state;
      return out;
    };
    step({ kind: 'SubmitOrder', clientOrderId: cid }, 10);
    expect(s.lastSentSeq).toBe(10);
    expect(step({ kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 9 }, 12)).toMatchObject({
      kind: 'ignored',
      reason: 'stale_answer',
    });
    expect(s.status).toBe('submitted');
    // Asked after the send (it overtook the send at the venue): taken at its word.
    expect(step({ kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 10 }, 13)).toMatchObject({
      kind: 'applied',
    });
    expect(s.status).toBe('pending_new');
    step({ kind: 'SubmitOrder', clientOrderId: cid }, 20);
    expect(step({ kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 19 }, 21)).toMatchObject({
      kind: 'ignored',
    });
    expect(s).toMatchObject({ status: 'submitted', attempts: 2, lastSentSeq: 20 });
    // Unstamped answers are taken at their word.
    expect(step({ kind: 'OrderNotFoundReport', clientOrderId: cid }, 22)).toMatchObject({
      kind: 'applied',
      state: { status: 'pending_new' },
    });
  });

  it('a "not found" asked before the venue last showed the order (the fill came first on the stream) is stale', () => {
    let s = newOrderState(request(10), 0);
    const step = (e: OrderEvent, seq: number) => {
      const out = applyOrderEvent(s, e, seq, seq);
      if (out.kind === 'applied') s = out.state;
      return out;
    };
    step({ kind: 'SubmitOrder', clientOrderId: cid }, 10);
    step(
      {
        kind: 'FillReport',
        clientOrderId: cid,
        venueOrderId: venueOrderId('v'),
        tradeId: tradeId('a'),
        qty: 10,
        price: 100,
        fee: 0,
        liquidity: 'taker',
        venueTime: 1,
      },
      14,
    );
    expect(s).toMatchObject({ status: 'filled', lastSeenSeq: 14 });
    // Asked at 12, after the send but before the fill arrived: it overtook the send at the venue.
    expect(step({ kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 12 }, 15)).toMatchObject({
      kind: 'ignored',
      reason: 'stale_answer',
    });
    // Asked after: the venue no longer lists a finished order; it stays filled, no discrepancy.
    expect(step({ kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 15 }, 16)).toMatchObject({
      kind: 'applied',
      state: { status: 'filled' },
    });
  });
});

describe('applyOrderEvent', () => {
  it('walks the happy path: submit, ack, partial fill, fill', () => {
    let s = newOrderState(request(10), 0);
    const step = (e: OrderEvent) => {
      const out = applyOrderEvent(s, e, 1);
      if (out.kind !== 'applied') throw new Error(out.detail);
      s = out.state;
    };
    step({ kind: 'SubmitOrder', clientOrderId: cid });
    expect(s.status).toBe('submitted');
    step({ kind: 'AckReport', clientOrderId: cid, venueOrderId: venueOrderId('v9') });
    expect(s.venueOrderId).toBe('v9');
    step({
      kind: 'FillReport',
      clientOrderId: cid,
      venueOrderId: venueOrderId('v9'),
      tradeId: tradeId('a'),
      qty: 4,
      price: 100,
      fee: 3,
      liquidity: 'maker',
      venueTime: 1,
    });
    expect(s.status).toBe('partially_filled');
    step({
      kind: 'FillReport',
      clientOrderId: cid,
      venueOrderId: venueOrderId('v9'),
      tradeId: tradeId('b'),
      qty: 6,
      price: 110,
      fee: 4,
      liquidity: 'taker',
      venueTime: 1,
    });
    expect(s).toMatchObject({
      status: 'filled',
      filledQty: 10,
      filledNotional: 4 * 100 + 6 * 110,
      fees: 7,
      fillCount: 2,
    });
  });

  it('ignores a fill whose trade id was already applied', () => {
    const fill: OrderEvent = {
      kind: 'FillReport',
      clientOrderId: cid,
      venueOrderId: venueOrderId('v'),
      tradeId: tradeId('t'),
      qty: 1,
      price: 5,
      fee: 0,
      liquidity: 'maker',
      venueTime: 0,
    };
    const submitted = applyOrderEvent(newOrderState(request(5), 0), { kind: 'SubmitOrder', clientOrderId: cid }, 0);
    if (submitted.kind !== 'applied') throw new Error('submit');
    const once = applyOrderEvent(submitted.state, fill, 0);
    if (once.kind !== 'applied') throw new Error('fill');
    expect(applyOrderEvent(once.state, fill, 0)).toMatchObject({ kind: 'ignored', reason: 'duplicate_trade' });
    // also once the order is finished (a lookup applied it before the stream's copy arrived)
    const done = { ...once.state, status: 'filled' as const };
    expect(applyOrderEvent(done, fill, 0)).toMatchObject({ kind: 'ignored', reason: 'duplicate_trade' });
  });

  it('refuses a lookup that lists one trade twice, even where its quantities add up to the total', () => {
    const submitted = applyOrderEvent(newOrderState(request(20), 0), { kind: 'SubmitOrder', clientOrderId: cid }, 0);
    if (submitted.kind !== 'applied') throw new Error('submit');
    // 7 + 1 + 7 is the stated 15, but t1 is one execution: the listing contradicts itself.
    expect(
      applyOrderEvent(
        submitted.state,
        lookup('partially_filled', 20, 15, [trade('t2', 7), trade('t1', 1), trade('t1', 7)]),
        1,
      ),
    ).toEqual({
      kind: 'discrepancy',
      reason: 'invalid_report',
      detail: 'venue lists trade t1 twice',
    });
    const fine = applyOrderEvent(
      submitted.state,
      lookup('partially_filled', 20, 15, [trade('t2', 7), trade('t1', 8)]),
      1,
    );
    expect(fine.kind === 'applied' && fine.state.filledQty).toBe(15);
  });
  it('accepts a late fill after a cancel (the venue raced us) and completes the order', () => {
    let s: OrderState = { ...newOrderState(request(5), 0), status: 'canceled', filledQty: 3, filledNotional: 300 };
    const out = applyOrderEvent(
      s,
      {
        kind: 'FillReport',
        clientOrderId: cid,
        venueOrderId: venueOrderId('v'),
        tradeId: tradeId('late'),
        qty: 2,
        price: 100,
        fee: 0,
        liquidity: 'maker',
        venueTime: 0,
      },
      9,
    );
    expect(out).toMatchObject({ kind: 'applied', state: { status: 'filled', filledQty: 5 } });
    s = { ...s, filledQty: 1 };
    const partial = applyOrderEvent(
      s,
      {
        kind: 'FillReport',
        clientOrderId: cid,
        venueOrderId: venueOrderId('v'),
        tradeId: tradeId('late'),
        qty: 2,
        price: 100,
        fee: 0,
        liquidity: 'maker',
        venueTime: 0,
      },
      9,
    );
    expect(partial).toMatchObject({ kind: 'applied', state: { status: 'canceled', filledQty: 3 } });
  });

  it('returns to the open status when a cancel is rejected', () => {
    const s: OrderState = { ...newOrderState(request(5), 0), status: 'pending_cancel', filledQty: 2 };
    const out = applyOrderEvent(
      s,
      { kind: 'CancelRejectReport', clientOrderId: cid, code: '-2011', reason: 'x', failure: 'not_cancelable' },
      1,
    );
    expect(out).toMatchObject({ kind: 'applied', state: { status: 'partially_filled' } });
  });

  it('a resend refused as a duplicate id is of unknown outcome (the first send is there); a first send refused so is rejected', () => {
    const dup: OrderEvent = {
      kind: 'RejectReport',
      clientOrderId: cid,
      code: '-2010',
      reason: 'Duplicate order sent.',
      duplicate: true,
    };
    let st = newOrderState(request(5), 0);
    const step = (e: OrderEvent, seq: number) => {
      const out = applyOrderEvent(st, e, seq, seq);
      if (out.kind !== 'applied') throw new Error(out.detail);
      st = out.state;
    };
    step({ kind: 'SubmitOrder', clientOrderId: cid }, 1);
    const first = applyOrderEvent(st, dup, 2, 2);
    expect(first).toMatchObject({ kind: 'applied', state: { status: 'rejected' } });
    step({ kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 1 }, 2); // sent back
    expect(st.status).toBe('pending_new');
    step({ kind: 'SubmitOrder', clientOrderId: cid }, 3);
    step(dup, 4);
    expect(st).toMatchObject({ status: 'submitted_unconfirmed', attempts: 2 });
  });

  describe('a cancel that may have overtaken its order, or did nothing, stays owed', () => {
    const sent = (): OrderState => {
      let st = newOrderState(request(5), 0);
      for (const [e, seq] of [
        [{ kind: 'SubmitOrder', clientOrderId: cid }, 1],
        [{ kind: 'CancelOrder', clientOrderId: cid, reason: 'x' }, 2],
      ] as const) {
        const out = applyOrderEvent(st, e, seq * 10, seq);
        if (out.kind !== 'applied') throw new Error(out.detail);
        st = out.state;
      }
      return st;
    };
    const apply = (st: OrderState, e: OrderEvent, seq: number): OrderState => {
      const out = applyOrderEvent(st, e, seq * 10, seq);
      if (out.kind !== 'applied') throw new Error(`${out.kind}: ${out.detail}`);
      return out.state;
    };
    const notFound: OrderEvent = {
      kind: 'CancelRejectReport',
      clientOrderId: cid,
      code: '-2011',
      reason: 'unknown',
      failure: 'not_found',
    };

    it('records when it was sent', () => {
      expect(sent()).toMatchObject({ status: 'pending_cancel', lastSentAt: 10, cancelOwed: false });
    });

    it('"unknown order" to the cancel of an order the venue never showed keeps it pending_cancel, the cancel owed', () => {
      expect(apply(sent(), notFound, 3)).toMatchObject({ status: 'pending_cancel', cancelOwed: true });
      // So does a lookup that finds nothing while cancelling: the order may still be on its way.
      expect(apply(sent(), { kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 2 }, 3)).toMatchObject({
        status: 'pending_cancel',
        cancelOwed: true,
      });
    });

    it('once the venue has shown the order, "unknown order" to its cancel is its end as before', () => {
      const acked = apply(sent(), { kind: 'AckReport', clientOrderId: cid, venueOrderId: venueOrderId('v1') }, 3);
      expect(apply(acked, { kind: 'OrderNotFoundReport', clientOrderId: cid, askedAfterSeq: 3 }, 4).status).toBe(
        'canceled',
      );
      expect(apply(acked, notFound, 4)).toMatchObject({ status: 'accepted', cancelOwed: false });
    });

    it('a transient refusal or an unknown outcome of the cancel leaves it owed; a new CancelOrder settles it', () => {
      const refused = apply(
        sent(),
        { kind: 'CancelRejectReport', clientOrderId: cid, code: '-1003', reason: 'busy', failure: 'transient' },
        3,
      );
      expect(refused).toMatchObject({ status: 'pending_cancel', cancelOwed: true });
      const unknown = apply(
        sent(),
        { kind: 'OutcomeUnknownReport', clientOrderId: cid, request: 'cancel', reason: 'timeout' },
        3,
      );
      expect(unknown).toMatchObject({ status: 'pending_cancel', cancelOwed: true });
      expect(apply(unknown, { kind: 'CancelOrder', clientOrderId: cid, reason: 'again' }, 4).cancelOwed).toBe(false);
      // An unknown outcome of the submit says nothing about a cancel.
      const submitUnknown = apply(
        sent(),
        { kind: 'OutcomeUnknownReport', clientOrderId: cid, request: 'submit', reason: 'timeout' },
        3,
      );
      expect(submitUnknown.cancelOwed).toBe(false);
    });

    it('the order arriving after all (its ack, its fill) keeps it pending_cancel, the cancel still owed', () => {
      const owed = apply(sent(), notFound, 3);
      const acked = apply(owed, { kind: 'AckReport', clientOrderId: cid, venueOrderId: venueOrderId('v1') }, 4);
      expect(acked).toMatchObject({ status: 'pending_cancel', cancelOwed: true, venueOrderId: 'v1' });
    });

    it('dropping an order whose cancel found nothing ends it canceled', () => {
      const owed = apply(sent(), notFound, 3);
      expect(apply(owed, { kind: 'OrderAbandoned', clientOrderId: cid, reason: 'not coming' }, 4).status).toBe(
        'canceled',
      );
    });
  });

  it('property: random event sequences never overfill, never un-fill, and terminal stays terminal but for the late fill', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc
          .integer({ min: 1, max: 20 })
          .chain((q) => fc.tuple(fc.constant(q), fc.array(eventArb(q), { maxLength: 40, size: 'max' }))),
        (_n, [qty, events]) => {
          let s = newOrderState(request(qty), 0);
          const applied = new Set<string>();
          for (const e of events) {
            const out = applyOrderEvent(s, e, 1);
            if (out.kind !== 'applied') {
              if (e.kind === 'FillReport' && s.tradeIds.has(e.tradeId)) expect(out.kind).toBe('ignored');
              continue; // not applied: state unchanged by construction
            }
            const next = out.state;
            expect(next.filledQty).toBeGreaterThanOrEqual(s.filledQty);
            expect(next.filledQty).toBeLessThanOrEqual(next.request.qty);
            if (e.kind === 'ChildAmended') expect(s.status).toBe('pending_new'); // only unsent orders change size
            if (e.kind === 'FillReport') {
              expect(applied.has(e.tradeId)).toBe(false);
              applied.add(e.tradeId);
            } else if (e.kind === 'OrderStatusReport') {
              // a lookup answer applies only trades we had not seen, and never leaves us below the
              // venue's total; we may hold more (executions the stream delivered after it answered)
              const unseen = (e.trades ?? []).filter((t) => !s.tradeIds.has(t.tradeId));
              for (const t of e.trades ?? []) applied.add(t.tradeId);
              expect(next.filledQty).toBeLessThanOrEqual(
                e.trades === undefined
                  ? Math.max(s.filledQty, e.filledQty)
                  : s.filledQty + unseen.reduce((n, t) => n + t.qty, 0),
              );
              expect(next.filledQty).toBeGreaterThanOrEqual(e.filledQty);
            } else {
              expect(next.filledQty).toBe(s.filledQty);
            }
            if (isTerminal(s.status) && s.status !== 'failed') {
              expect(isTerminal(next.status)).toBe(true);
              if (next.status !== s.status) {
                expect(['FillReport', 'OrderStatusReport']).toContain(e.kind);
                expect(next.status).toBe('filled');
              }
            }
            if (next.status === 'filled') expect(next.filledQty).toBe(next.request.qty);
            if (next.status === 'partially_filled') expect(next.filledQty).toBeGreaterThan(0);
            if (next.status === 'accepted') expect(next.filledQty).toBe(0);
            s = next;
          }
          expect(s.fillCount).toBe(s.tradeIds.size);
          for (const t of s.tradeIds) expect(applied.has(t)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
