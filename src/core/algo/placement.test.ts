// Placement policies on a hand-built ledger and venue: passive-then-cross crosses only when the
// parent is behind by more than its threshold, at a slice or between slices (a resting child
// re-priced to cross, once per slice, resumed after a crash); every price is held to the
// never-worse price; a chaser's replacement ids derive from the slice's; and, whatever order
// fills, cancels and touch moves come in, neither policy ever has two children of one slice
// working at once nor commits or fills the parent past its quantity.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { ExecEvent } from '../model/events.ts';
import { clientOrderId, parentOrderId, symbol, tradeId, venueOrderId, type ClientOrderId } from '../model/ids.ts';
import { makeInstrument } from '../model/instrument.ts';
import { isTerminal } from '../model/order-status.ts';
import { OrderLedger } from '../order/order-ledger.ts';
import type { MarketDataPort } from '../ports/broker.ts';
import {
  chaseEveryMs,
  crosses,
  crossPrice,
  MAX_CHASE_CHECKS,
  offTouch,
  passivePrice,
  type Placement,
} from './placement.ts';
import type { LoggedReplacement } from './child-chaser.ts';
import type { SchedulerOps } from './scheduler-ops.ts';
import { SliceScheduler } from './slice-scheduler.ts';
import { replacementClientOrderId } from './twap-client-order-id.ts';
import { planTwapSlices } from './twap-slicer.ts';

const side = fc.constantFrom('buy' as const, 'sell' as const);
const touch = fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 50 }));

/** One step of the venue the property tests play: every pending cancel acknowledged when the
 *  step says so, every working child filled by the step's share of what it has left; then the
 *  parent has never filled or committed past its 100 lots. */
function answerStep(
  t: ReturnType<typeof chased>,
  s: { readonly fillShare: number; readonly ackCancel: boolean },
): void {
  for (const c of t.ledger.childrenOf(parentId)) {
    const id = c.request.clientOrderId;
    if (c.status === 'pending_cancel' && s.ackCancel) t.cancelled(id);
    else if (c.status === 'accepted' || c.status === 'partially_filled' || c.status === 'pending_cancel') {
      const q = Math.floor((c.request.qty - c.filledQty) * s.fillShare);
      if (q > 0) t.fill(id, q);
    }
  }
  const parent = t.ledger.parents.get(parentId)!;
  expect(parent.totals.filled).toBeLessThanOrEqual(100);
  expect(parent.totals.committed).toBeLessThanOrEqual(100);
}

describe('placement prices', () => {
  it('crosses only when behind by more than the threshold (a share of the parent or lots)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.oneof(
          fc.double({ min: 0, max: 1, noNaN: true }).map((share) => ({ share })),
          fc.integer({ min: 0, max: 10_000 }).map((lots) => ({ lots })),
        ),
        (qty, due, filled, t) => {
          const allowance = 'lots' in t ? t.lots : t.share * qty;
          expect(crosses(t, qty, due, filled)).toBe(due - filled > allowance);
        },
      ),
    );
    expect(crosses({ share: 0.05 }, 100, 10, 5)).toBe(false); // 5 behind, 5 allowed
    expect(crosses({ share: 0.05 }, 100, 10, 4)).toBe(true);
    expect(crosses({ lots: 0 }, 100, 10, 10)).toBe(false); // on the line: passive
  });

  it('passive at the near touch plus the offset, crossing at the far touch, both held to the never-worse price', () => {
    fc.assert(
      fc.property(
        side,
        touch,
        fc.integer({ min: -20, max: 20 }),
        fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
        (s, [bid, spread], offset, worst) => {
          const top = { bid, ask: bid + spread };
          const passive = passivePrice(s, top, offset, worst) as number;
          const cross = crossPrice(s, top, worst) as number;
          const better = (a: number, b: number) => (s === 'buy' ? a <= b : a >= b);
          if (worst !== undefined) {
            expect(better(passive, worst)).toBe(true);
            expect(better(cross, worst)).toBe(true);
          } else {
            expect(passive).toBe(Math.max(1, s === 'buy' ? bid - offset : bid + spread + offset));
            expect(cross).toBe(s === 'buy' ? bid + spread : bid);
          }
          expect(passive).toBeGreaterThanOrEqual(1);
        },
      ),
    );
    expect(passivePrice('buy', { bid: null, ask: 5 }, 0, undefined)).toBeNull();
    expect(crossPrice('sell', { bid: null, ask: 5 }, undefined)).toBeNull();
  });

  it('re-prices past the threshold only, and caps the checks a long horizon schedules', () => {
    expect(offTouch(100, 102, 2)).toBe(false);
    expect(offTouch(100, 103, 2)).toBe(true);
    expect(offTouch(103, 100, 2)).toBe(true);
    expect(offTouch(null, 100, 0)).toBe(false);
    expect(chaseEveryMs(2_000, 600_000)).toBe(2_000);
    const day = 86_400_000;
    expect(chaseEveryMs(2_000, 366 * day)).toBe(Math.ceil((366 * day) / MAX_CHASE_CHECKS));
  });

  it("derives a replacement's id from its slice's, within the venue's limit, never a slice's id", () => {
    const slice = clientOrderId(`x${'a'.repeat(32)}`);
    expect(replacementClientOrderId(slice, 1, 128)).toBe(`${slice}-r1`);
    expect(replacementClientOrderId(slice, 1, 36)).toBe(`${slice}-r1`);
    const tenth = replacementClientOrderId(slice, 10, 36);
    expect(tenth).toHaveLength(36);
    expect(tenth.endsWith('-r10')).toBe(true);
    expect(replacementClientOrderId(slice, 10, 36)).toBe(tenth);
    expect(() => replacementClientOrderId(slice, 0, 36)).toThrow();
  });
});

const inst = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '0' });
const parentId = parentOrderId('p');

/** A chased buy of 100 lots in 5 slices, 10 s apart, on a ledger this test plays the venue for.
 *  `restart` plays a crash: a new clock and scheduler on the same ledger, which resumes. */
function chased(placement: Placement, worst?: number, instrument = inst) {
  let clock = new VirtualClock(0);
  const ledger = new OrderLedger();
  let seq = 0;
  const record = (e: ExecEvent) => {
    for (const d of ledger.apply({ seq: ++seq, time: clock.now(), event: e }))
      ledger.apply({ seq: ++seq, time: clock.now(), event: d });
  };
  const plan = planTwapSlices({
    side: 'buy',
    qty: 100,
    startTime: 0,
    durationMs: 50_000,
    intervalMs: 10_000,
    instrument,
    referencePrice: 100,
    childType: 'market',
  });
  record({
    kind: 'ParentOrderCreated',
    parentId,
    symbol: 'T',
    side: 'buy',
    qty: 100,
    type: 'market',
    tif: 'IOC',
    limitPrice: null,
    totalSlices: plan.totalSlices,
    route: 'twap',
    arrivalBid: 100,
    arrivalAsk: 102,
    source: 'test',
  });
  const children: ClientOrderId[] = plan.slices.map((s) => {
    const id = clientOrderId(`x${String(s.sliceNum).padStart(32, '0')}`);
    record({
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId,
      sliceNum: s.sliceNum,
      totalSlices: plan.totalSlices,
      scheduledTime: s.scheduledTime,
      symbol: symbol('T'),
      side: 'buy',
      type: 'limit',
      tif: 'GTC',
      qty: s.qty,
      limitPrice: null,
      stopPrice: null,
    });
    return id;
  });
  let bid = 100;
  const market: MarketDataPort = {
    topOfBook: () => ({ bid, bidQty: 1000, ask: bid + 2, askQty: 1000 }),
    window: () => ({ vwap: null, twapMid: null, volume: 0 }),
    lastUpdateAt: () => null,
  };
  /** Every send, with the statuses of its slice's other children at that moment. */
  const sends: Array<{ id: ClientOrderId; others: string[] }> = [];
  const opsOn = (clock: VirtualClock): SchedulerOps => ({
    clock,
    ledger,
    marketData: market,
    instrument,
    record,
    blocked: () => null,
    send: (id) => {
      const slice = ledger.order(id)?.request.sliceNum;
      const others = ledger
        .childrenOf(parentId)
        .filter((c) => c.request.sliceNum === slice && c.request.clientOrderId !== id)
        .map((c) => c.status);
      sends.push({ id, others });
      record({ kind: 'SubmitOrder', clientOrderId: id });
      record({ kind: 'AckReport', clientOrderId: id, venueOrderId: venueOrderId(`v-${id}`) });
    },
    cancelChild: (id, reason) => record({ kind: 'CancelOrder', clientOrderId: id, reason }),
    create: record,
    settling: () => false,
    clientIdMaxLength: 36,
  });
  const schedulerOn = (c: VirtualClock, replacements: readonly LoggedReplacement[] = []) =>
    new SliceScheduler(
      opsOn(c),
      parentId,
      plan,
      children,
      'carry',
      {
        maxSpread: 0.5,
        maxPriceDeviation: 0.5,
        minLiquidity: 0,
        ...(worst !== undefined ? { worstPrice: worst } : {}),
      },
      101,
      undefined,
      null,
      { placement, replacements },
    );
  let scheduler = schedulerOn(clock);
  let trades = 0;
  const fill = (id: ClientOrderId, qty: number) =>
    record({
      kind: 'FillReport',
      clientOrderId: id,
      venueOrderId: venueOrderId(`v-${id}`),
      tradeId: tradeId(`t${++trades}`),
      qty,
      price: ledger.order(id)?.request.limitPrice ?? bid,
      fee: 0,
      liquidity: 'maker',
      venueTime: clock.now(),
    });
  return {
    get clock() {
      return clock;
    },
    ledger,
    get scheduler() {
      return scheduler;
    },
    children,
    /** The process dies now and a new one resumes: the slices never sent run at their times,
     *  with the replacements the log holds; the old clock's actions never run. */
    restart: (replacements: readonly LoggedReplacement[]) => {
      clock = new VirtualClock(clock.now());
      scheduler = schedulerOn(clock, replacements);
      const runs = plan.slices
        .filter((sl, i) => (ledger.order(children[i] as ClientOrderId)?.attempts ?? 0) === 0 && sl.scheduledTime > 0)
        .map((sl) => ({ sliceNum: sl.sliceNum, at: sl.scheduledTime }));
      scheduler.resume(runs);
    },
    sends,
    fill,
    move: (to: number) => (bid = to),
    cancelled: (id: ClientOrderId) => record({ kind: 'CancelReport', clientOrderId: id }),
  };
}

describe('a chaser and the minimum notional', () => {
  // 1 tick x 1 lot = 1 unit, the minimum 1,000: 20-lot slices at 100 are worth 2,000.
  const minInst = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '1000' });
  const stopReasons = (t: ReturnType<typeof chased>) => t.ledger.parents.get(parentId)?.stopReason ?? null;

  it('leaves a child working at its price when what it has unfilled could not go out re-priced', () => {
    const t = chased(CHASER, undefined, minInst);
    t.scheduler.start();
    t.clock.advanceTo(0);
    const first = t.children[0] as ClientOrderId;
    t.fill(first, 12); // 8 left: 880 at 110
    t.move(110);
    t.clock.advanceTo(3_000);
    expect(t.ledger.order(replacementClientOrderId(first, 1, 36))).toBeUndefined();
    expect(t.ledger.order(first)?.status).toBe('partially_filled');
    // With 10 left (1,100 at 110) it is chased.
    const u = chased(CHASER, undefined, minInst);
    u.scheduler.start();
    u.clock.advanceTo(0);
    u.fill(u.children[0] as ClientOrderId, 10);
    u.move(110);
    u.clock.advanceTo(1_000);
    expect(u.ledger.order(replacementClientOrderId(u.children[0] as ClientOrderId, 1, 36))?.status).toBe('pending_new');
  });

  /** Slice k's child (0-based) filled 5 lots, chased at 110, then 8 more fill before its cancel
   *  lands: its replacement would carry 7 lots (770). */
  function shortReplacement(k: number) {
    const t = chased(CHASER, undefined, minInst);
    t.scheduler.start();
    for (let i = 0; i < k; i++) {
      t.clock.advanceTo(i * 10_000);
      t.fill(t.children[i] as ClientOrderId, 20);
    }
    t.clock.advanceTo(k * 10_000);
    const child = t.children[k] as ClientOrderId;
    t.fill(child, 5);
    t.move(110);
    t.clock.advanceTo(k * 10_000 + 1_000);
    const r1 = replacementClientOrderId(child, 1, 36);
    expect(t.ledger.order(r1)?.status).toBe('pending_new');
    t.fill(child, 8);
    t.cancelled(child);
    t.clock.advanceTo(k * 10_000 + 2_000);
    return { t, r1 };
  }

  it('carries a replacement the venue would refuse to the next slice, never sent', () => {
    const { t, r1 } = shortReplacement(0);
    expect(t.sends.map((x) => x.id)).not.toContain(r1);
    expect(t.ledger.order(r1)?.status).toBe('canceled');
    expect(stopReasons(t)).toBeNull();
    t.clock.advanceTo(10_000);
    expect(t.ledger.order(t.children[1] as ClientOrderId)?.request.qty).toBe(27); // 20 + the 7 carried
  });

  it('at the last slice, ends the parent with the reason instead of sending it', () => {
    const { t, r1 } = shortReplacement(4);
    expect(t.sends.map((x) => x.id)).not.toContain(r1);
    expect(t.ledger.order(r1)?.status).toBe('canceled');
    expect(stopReasons(t)).toBe('remainder below the minimum notional: 7 at 110 is 770, under 1000');
    expect(t.ledger.parents.get(parentId)?.totals.filled).toBe(93);
  });
});

const CHASER: Placement = { kind: 'chaser', offsetTicks: 0, thresholdTicks: 2, everyMs: 1_000, maxChases: 3 };

describe('a chaser on the scheduler', () => {
  it('re-prices a working child once the touch moved past the threshold: the replacement is created, the child cancelled, and the replacement sent at the new touch only once the child ended', () => {
    const t = chased(CHASER);
    t.scheduler.start();
    t.clock.advanceTo(0);
    const first = t.children[0] as ClientOrderId;
    expect(t.ledger.order(first)?.request.limitPrice).toBe(100);
    t.fill(first, 5);
    t.move(110);
    t.clock.advanceTo(1_000);
    const r1 = replacementClientOrderId(first, 1, 36);
    expect(t.ledger.order(first)?.status).toBe('pending_cancel');
    expect(t.ledger.order(r1)?.status).toBe('pending_new');
    t.clock.advanceTo(1_900);
    expect(t.ledger.order(r1)?.status).toBe('pending_new'); // the child has not ended yet
    t.fill(first, 3); // a fill races the cancel
    t.cancelled(first);
    t.move(111);
    t.clock.advanceTo(2_500);
    expect(t.ledger.order(r1)?.status).toBe('accepted');
    expect(t.ledger.order(r1)?.request.qty).toBe(20 - 8);
    expect(t.ledger.order(r1)?.request.limitPrice).toBe(111);
    // Within the threshold: left alone.
    t.move(112);
    t.clock.advanceTo(5_000);
    expect(t.ledger.order(replacementClientOrderId(first, 2, 36))).toBeUndefined();
  });

  it('stops at maxChases per slice and re-prices down when the touch falls, held to the never-worse price', () => {
    const t = chased({ ...CHASER, maxChases: 2 }, 105);
    t.scheduler.start();
    t.clock.advanceTo(0);
    const first = t.children[0] as ClientOrderId;
    for (const [k, to] of [
      [1, 120],
      [2, 90],
      [3, 130],
    ] as const) {
      t.move(to);
      t.clock.advanceTo(k * 2_000 - 1_000);
      const prev = k === 1 ? first : replacementClientOrderId(first, k - 1, 36);
      if (t.ledger.order(prev)?.status === 'pending_cancel') t.cancelled(prev);
      t.clock.advanceTo(k * 2_000 - 500);
    }
    const r1 = t.ledger.order(replacementClientOrderId(first, 1, 36));
    const r2 = t.ledger.order(replacementClientOrderId(first, 2, 36));
    expect(r1?.request.limitPrice).toBe(105); // 120 held to 105
    expect(r2?.request.limitPrice).toBe(90);
    expect(t.ledger.order(replacementClientOrderId(first, 3, 36))).toBeUndefined();
  });

  it('never has two children of one slice working, and never commits or fills past the parent, whatever fills, cancels and moves interleave', () => {
    const step = fc.record({
      dt: fc.integer({ min: 1, max: 3_000 }),
      move: fc.integer({ min: -6, max: 6 }),
      fillShare: fc.double({ min: 0, max: 1, noNaN: true }),
      ackCancel: fc.boolean(),
    });
    let replacementsSent = 0;
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        (steps, threshold, maxChases) => {
          const t = chased({ ...CHASER, thresholdTicks: threshold, maxChases });
          let bid = 100;
          t.scheduler.start();
          for (const s of steps) {
            t.clock.advanceTo(t.clock.now() + s.dt);
            bid = Math.max(10, bid + s.move);
            t.move(bid);
            answerStep(t, s);
          }
          t.clock.advanceTo(t.clock.now() + 60_000);
          replacementsSent += t.sends.filter((x) => x.id.includes('-r')).length;
          for (const send of t.sends)
            for (const status of send.others)
              expect(isTerminal(status as never) || status === 'pending_new').toBe(true);
          expect(t.ledger.parents.get(parentId)!.totals.filled).toBeLessThanOrEqual(100);
        },
      ),
      { numRuns: 150 },
    );
    expect(replacementsSent).toBeGreaterThan(50); // the runs did chase
  });
});

describe('passive then cross on the scheduler', () => {
  it('places passively while on the line and crosses the slice once behind by more than the threshold', () => {
    const t = chased({ kind: 'passive-then-cross', offsetTicks: 1, crossWhenBehind: { share: 0.1 } });
    t.scheduler.start();
    t.clock.advanceTo(0);
    expect(t.ledger.order(t.children[0] as ClientOrderId)?.request.limitPrice).toBe(99); // bid - 1
    t.fill(t.children[0] as ClientOrderId, 20);
    t.clock.advanceTo(10_000); // 20 due, 20 filled: passive
    expect(t.ledger.order(t.children[1] as ClientOrderId)?.request.limitPrice).toBe(99);
    t.fill(t.children[1] as ClientOrderId, 10);
    // Each slice goes out once the cancel of the child it replaced is confirmed.
    t.clock.advanceTo(20_000); // 40 due, 30 filled: 10 behind, not more than 10
    t.cancelled(t.children[1] as ClientOrderId);
    t.clock.advanceTo(20_100);
    expect(t.ledger.order(t.children[2] as ClientOrderId)?.request.limitPrice).toBe(99);
    t.clock.advanceTo(30_000); // 60 due, 30 filled: crosses at the ask
    t.cancelled(t.children[2] as ClientOrderId);
    t.clock.advanceTo(30_100);
    expect(t.ledger.order(t.children[3] as ClientOrderId)?.request.limitPrice).toBe(102);
  });
});

describe('passive then cross between slices', () => {
  const PTC = (lots: number, extra: Partial<Placement> = {}): Placement =>
    ({ kind: 'passive-then-cross', offsetTicks: 0, crossWhenBehind: { lots }, ...extra }) as Placement;
  const r = (id: ClientOrderId, k = 1) => replacementClientOrderId(id, k, 36);

  it('re-prices a passive child to cross once the parent falls behind mid-slice, before the next slice: created, the child cancelled, sent at the ask once the child ended', () => {
    // 20 lots due over the first 10 s: behind by more than 5 once more than 2.5 s have gone.
    const t = chased(PTC(5));
    t.scheduler.start();
    t.clock.advanceTo(0);
    const first = t.children[0] as ClientOrderId;
    expect(t.ledger.order(first)?.request.limitPrice).toBe(100); // the bid
    t.fill(first, 1);
    t.clock.advanceTo(2_000); // 4 due, 1 filled: 3 behind
    expect(t.ledger.order(r(first))).toBeUndefined();
    t.clock.advanceTo(4_000); // 8 due, 1 filled: 7 behind
    expect(t.ledger.order(r(first))?.status).toBe('pending_new');
    expect(t.ledger.order(first)?.status).toBe('pending_cancel');
    t.clock.advanceTo(5_000);
    expect(t.ledger.order(r(first))?.status).toBe('pending_new'); // the child has not ended yet
    t.fill(first, 2); // a fill races the cancel
    t.cancelled(first);
    t.move(103);
    t.clock.advanceTo(5_500);
    const sent = t.ledger.order(r(first));
    expect(sent?.status).toBe('accepted');
    expect(sent?.request.limitPrice).toBe(105); // the ask of that moment
    expect(sent?.request.qty).toBe(20 - 3);
    expect(t.sends.map((s) => s.id)).toEqual([first, r(first)]);
    // A crossing child is not re-priced again, however far the market runs from it.
    t.move(150);
    t.clock.advanceTo(9_999);
    expect(t.ledger.order(r(first, 2))).toBeUndefined();
    expect(t.ledger.order(r(first))?.status).toBe('accepted');
  });

  it('leaves a passive child alone while the parent is within its threshold', () => {
    const t = chased(PTC(5));
    t.scheduler.start();
    t.clock.advanceTo(0);
    const first = t.children[0] as ClientOrderId;
    t.fill(first, 2);
    t.clock.advanceTo(3_000); // 6 due, 2 filled: 4 behind
    t.fill(first, 13);
    t.clock.advanceTo(9_999); // under 20 due, 15 filled: under 5 behind
    expect(t.ledger.order(r(first))).toBeUndefined();
    expect(t.ledger.order(first)?.status).toBe('partially_filled');
    expect(t.ledger.order(first)?.request.limitPrice).toBe(100);
    // A threshold of a share: 30% of the parent is never reached in the first slice.
    const u = chased({ kind: 'passive-then-cross', offsetTicks: 0, crossWhenBehind: { share: 0.3 } });
    u.scheduler.start();
    u.clock.advanceTo(9_999);
    expect(u.ledger.order(r(u.children[0] as ClientOrderId))).toBeUndefined();
  });

  it('checks on its own cadence (everyMs), and never re-prices a child that went out crossing', () => {
    // Checked every 5 s: at 5 s, 10 due and 0 filled is 10 behind; nothing happened at 4 s.
    const t = chased(PTC(5, { everyMs: 5_000 }));
    t.scheduler.start();
    t.clock.advanceTo(4_999);
    expect(t.ledger.order(r(t.children[0] as ClientOrderId))).toBeUndefined();
    t.clock.advanceTo(5_000);
    expect(t.ledger.order(r(t.children[0] as ClientOrderId))?.status).toBe('pending_new');
    t.cancelled(t.children[0] as ClientOrderId);
    // The next slice: 20 due, nothing filled: it goes out crossing (once the replacement's
    // cancel is confirmed), and stays as it went out.
    t.clock.advanceTo(10_000);
    t.cancelled(r(t.children[0] as ClientOrderId));
    t.clock.advanceTo(10_100);
    const second = t.children[1] as ClientOrderId;
    expect(t.ledger.order(second)?.request.limitPrice).toBe(102);
    t.move(120);
    t.clock.advanceTo(19_999);
    expect(t.ledger.order(r(second))).toBeUndefined();
    expect(t.ledger.order(second)?.status).toBe('accepted');
  });

  it('holds the crossing price to the never-worse price, and leaves a child already there', () => {
    const t = chased(PTC(0), 101);
    t.scheduler.start();
    t.clock.advanceTo(0);
    const first = t.children[0] as ClientOrderId;
    t.clock.advanceTo(2_000);
    t.cancelled(first);
    t.clock.advanceTo(2_500);
    expect(t.ledger.order(r(first))?.request.limitPrice).toBe(101); // the ask 102, held to 101
    // With the never-worse price at the bid, crossing gains nothing: no replacement.
    const u = chased(PTC(0), 100);
    u.scheduler.start();
    u.clock.advanceTo(9_999);
    expect(u.ledger.order(r(u.children[0] as ClientOrderId))).toBeUndefined();
    expect(u.sends).toHaveLength(1);
  });

  it("after a crash between the child's cancel and the replacement's send, the restarted process sends the replacement crossing, once the child ended, and no second one", () => {
    const t = chased(PTC(5));
    t.scheduler.start();
    t.clock.advanceTo(4_000);
    const first = t.children[0] as ClientOrderId;
    expect(t.ledger.order(r(first))?.status).toBe('pending_new');
    expect(t.ledger.order(first)?.status).toBe('pending_cancel');
    t.restart([{ id: r(first), sliceNum: 1 }]);
    t.move(104);
    t.clock.advanceTo(5_000);
    expect(t.ledger.order(r(first))?.status).toBe('pending_new'); // the child has not ended yet
    t.fill(first, 4);
    t.cancelled(first);
    t.clock.advanceTo(5_500);
    const sent = t.ledger.order(r(first));
    expect(sent?.status).toBe('accepted');
    expect(sent?.request.limitPrice).toBe(106); // the ask when it went out
    expect(sent?.request.qty).toBe(16);
    expect(t.sends.map((x) => x.id)).toEqual([first, r(first)]);
    expect(t.sends[1]?.others).toEqual(['canceled']);
    t.move(130);
    t.clock.advanceTo(9_999);
    expect(t.ledger.order(r(first, 2))).toBeUndefined();
    // The next slice runs as usual: 20 due, 4 filled, crossing at the ask.
    t.clock.advanceTo(10_000);
    t.cancelled(r(first));
    t.clock.advanceTo(10_100);
    expect(t.ledger.order(t.children[1] as ClientOrderId)?.request.limitPrice).toBe(132);
  });

  it("after a restart leaves the resumed slice's own child as it is (the log does not say whether it went out crossing)", () => {
    const t = chased(PTC(5));
    t.scheduler.start();
    t.clock.advanceTo(1_000);
    const first = t.children[0] as ClientOrderId;
    t.restart([]);
    t.clock.advanceTo(9_999); // 19 due, nothing filled
    expect(t.ledger.order(r(first))).toBeUndefined();
    expect(t.ledger.order(first)?.status).toBe('accepted');
    t.clock.advanceTo(10_000);
    expect(t.ledger.order(first)?.status).toBe('pending_cancel'); // superseded by the next slice
    t.cancelled(first);
    t.clock.advanceTo(10_100);
    expect(t.ledger.order(t.children[1] as ClientOrderId)?.request.limitPrice).toBe(102);
  });

  it('does not cross while an early stop holds (the next slice stops the parent instead)', () => {
    const t = chased(PTC(0));
    t.scheduler.start();
    t.clock.advanceTo(0);
    t.move(160); // the mid 59% from the start: past maxPriceDeviation (50%), the ask far above the child
    t.clock.advanceTo(9_999);
    expect(t.ledger.order(r(t.children[0] as ClientOrderId))).toBeUndefined();
    t.clock.advanceTo(10_000);
    expect(t.ledger.parents.get(parentId)?.stopReason).toMatch(/price moved/);
  });

  it('never has two children of one slice working, re-prices at most once per slice, never crosses past the never-worse price, and never commits or fills past the parent, whatever interleaves', () => {
    const step = fc.record({
      dt: fc.integer({ min: 1, max: 3_000 }),
      move: fc.integer({ min: -3, max: 3 }),
      fillShare: fc.double({ min: 0, max: 1, noNaN: true }),
      ackCancel: fc.boolean(),
    });
    let crossings = 0;
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }),
        fc.integer({ min: 0, max: 30 }),
        fc.option(fc.integer({ min: 98, max: 106 }), { nil: undefined }),
        fc.constantFrom(undefined, 500, 2_000, 7_000),
        (steps, lots, worst, everyMs) => {
          const t = chased(PTC(lots, everyMs === undefined ? {} : { everyMs }), worst);
          let bid = 100;
          t.scheduler.start();
          for (const s of steps) {
            t.clock.advanceTo(t.clock.now() + s.dt);
            bid = Math.max(90, Math.min(110, bid + s.move));
            t.move(bid);
            answerStep(t, s);
          }
          t.clock.advanceTo(t.clock.now() + 60_000);
          for (const send of t.sends)
            for (const status of send.others)
              expect(isTerminal(status as never) || status === 'pending_new').toBe(true);
          for (const c of t.ledger.childrenOf(parentId)) {
            expect(c.request.clientOrderId.endsWith('-r2')).toBe(false);
            if (worst !== undefined && c.request.limitPrice !== null && c.request.limitPrice !== undefined)
              expect(c.request.limitPrice).toBeLessThanOrEqual(worst);
          }
          crossings += t.sends.filter((x) => x.id.endsWith('-r1')).length;
          expect(t.ledger.parents.get(parentId)!.totals.filled).toBeLessThanOrEqual(100);
        },
      ),
      { numRuns: 150 },
    );
    expect(crossings).toBeGreaterThan(25); // the runs did re-price to cross
  });
});
