// The ten properties of robust fill detection, as fast-check tests on a
// FillMonitor driven by a scripted fake venue on a VirtualClock (test-harness.ts). The fake
// venue is the truth: every property compares what monitoring reported with it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../../test/support/hot-expect.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { VenueMessage } from '../model/reports.ts';
import { formatBps, slippageBps } from './fees.ts';
import type { PartialFillPolicy } from './fill-config.ts';
import type { ObservedStatus } from './fill-status.ts';
import { FILL_METHODS, verifyFill } from './fill-verifier.ts';
import { Harness, STEP_BOUND, T0, type QueryAnswer } from '../../../test/support/fill-harness.ts';

const RUNS = { numRuns: 120 };
const TIMEOUT = 30_000;
const PRICE = 10_001;
/** Long enough for any run to finish: deadline + every bounded final step at the backoff cap. */
const HORIZON = 200_000;

interface Plan {
  qty: number;
  fills: Array<{ at: number; qty: number; price: number }>;
  /** Bit i: the i-th push of a fill / cancel / expiry is lost. */
  lostMask: number;
  latency: number;
  policy: PartialFillPolicy;
  /** Answers of the first lookups before `faultUntil` (then 'ok'). */
  faults: QueryAnswer[];
  faultUntil: number;
}

const fillsArb = (maxAt: number) =>
  fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: maxAt }),
      qty: fc.integer({ min: 1, max: 8 }),
      price: fc.integer({ min: 9_990, max: 10_010 }),
    }),
    { maxLength: 5 },
  );

/** Failures in runs of at most `maxRun` in a row (the default retry limit is 3), each run ended by an answer. */
const burstsOf = (maxRun: number): fc.Arbitrary<QueryAnswer[]> =>
  fc
    .array(fc.integer({ min: 0, max: maxRun }), { maxLength: 8 })
    .map((runs) => runs.flatMap((r): QueryAnswer[] => [...Array<QueryAnswer>(r).fill('fail'), 'ok']));

const planArb = (
  o: {
    maxAt?: number;
    faults?: fc.Arbitrary<QueryAnswer>;
    faultList?: fc.Arbitrary<QueryAnswer[]>;
    policies?: PartialFillPolicy[];
    faultUntil?: number;
  } = {},
): fc.Arbitrary<Plan> =>
  fc.record({
    qty: fc.integer({ min: 1, max: 20 }),
    fills: fillsArb(o.maxAt ?? 45_000),
    lostMask: fc.integer({ min: 0, max: 0xffff }),
    latency: fc.integer({ min: 1, max: 300 }),
    policy: fc.constantFrom<PartialFillPolicy>(...(o.policies ?? ['cancel_remainder', 'wait'])),
    faults:
      o.faultList ?? fc.array(o.faults ?? fc.constantFrom<QueryAnswer>('ok', 'fail'), { maxLength: 24, size: 'max' }),
    faultUntil: fc.constant(o.faultUntil ?? 0),
  });

const PUSHES = new Set(['FillReport', 'CancelReport', 'ExpiredReport']);

/** One order run by the plan; faults apply to lookups asked before T0 + faultUntil. */
function runPlan(p: Plan, extra: { seed?: number } = {}): { h: Harness; id: ClientOrderId } {
  let pushes = 0;
  const h = new Harness({
    seed: extra.seed ?? 7,
    script: {
      latencyMs: p.latency,
      pushLost: (m: VenueMessage) => PUSHES.has(m.kind) && ((p.lostMask >> (pushes++ % 16)) & 1) === 1,
      queryAnswer: (_id, n, at) => (at < T0 + p.faultUntil ? (p.faults[n - 1] ?? 'ok') : 'ok'),
    },
  });
  const id = h.place({ qty: p.qty, policy: p.policy });
  for (const f of p.fills) h.fillAt(id, f.at, f.qty, f.price);
  h.run(HORIZON);
  return { h, id };
}

/** When the monitor's deadline falls: the ack's arrival (2 hops) plus the timeout. */
const deadlineOf = (p: Plan): number => T0 + 2 * p.latency + TIMEOUT;

describe('fill detection properties', () => {
  const completeness = (faults: fc.Arbitrary<QueryAnswer[]>) => () => {
    fc.assert(
      fc.property(planArb({ faultUntil: 25_000, faultList: faults }), (p) => {
        const { h, id } = runPlan(p);
        const truth = h.venue.truth.get(id)!;
        const end = h.ended(id);
        expect(end.filledQty).toBe(truth.filled);
        expect(h.ledger.order(id)!.filledQty).toBe(truth.filled);
        expect(['new', 'partially_filled']).not.toContain(truth.status); // nothing left working
        const want = truth.filled === p.qty ? 'filled' : truth.filled > 0 ? 'partial' : 'timeout';
        expect(end.result).toBe(want);
        expect(end.leftOpen).toBe(false);
      }),
      RUNS,
    );
  };

  it(
    '1. completeness: every fill the venue made is reported, lost pushes included (failures up to the retry limit in a row)',
    completeness(burstsOf(3)),
  );

  // Failure runs longer than maxRetries (see the regression test in fill-monitor.test.ts).
  it(
    '1. completeness, with any number of transient failures in a row before the deadline',
    completeness(fc.array(fc.constantFrom<QueryAnswer>('ok', 'fail'), { maxLength: 24, size: 'max' })),
  );

  it('2. multi-method redundancy: some method detects every filled observation, none claims a non-fill', () => {
    const filledSpelling = fc.constant<ObservedStatus>('filled');
    const otherSpelling = fc.constantFrom<ObservedStatus>(
      'new',
      'accepted',
      'pending_new',
      'partially_filled',
      'canceled',
      'expired',
      'pending_cancel',
      'rejected',
    );
    // Statuses that say nothing of fills.
    const unknown = fc.constantFrom<ObservedStatus>('submitted', 'submitted_unconfirmed', 'failed');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 1e7 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.boolean(),
        filledSpelling,
        otherSpelling,
        unknown,
        fc.record({ status: fc.boolean(), qty: fc.boolean(), price: fc.boolean(), time: fc.boolean() }),
        fc.integer({ min: 0, max: 49 }),
        (qty, price, after, isFill, fillSp, otherSp, unk, shown, partialSeed) => {
          // At least one method that can confirm a full fill sees the data (status, qty or time).
          const show = { ...shown, status: shown.status || (!shown.qty && !shown.time) };
          if (isFill) {
            const v = verifyFill(
              {
                status: show.status ? fillSp : unk,
                qty: show.qty ? qty : null,
                filledQty: show.qty ? qty : null,
                avgPrice: show.price ? price : null,
                filledAt: show.time ? T0 + after : null,
                submittedAt: T0,
              },
              { qty },
            );
            expect(v.outcome).toBe('filled');
            expect(v.filledQty).toBe(qty);
            expect(v.agreed.length).toBeGreaterThan(0);
            expect(v.disagreed).toEqual([]);
          } else {
            const filled = partialSeed % qty; // 0 <= filled < qty
            const v = verifyFill(
              {
                status: show.status ? otherSp : unk,
                qty: show.qty ? qty : null,
                filledQty: show.qty ? filled : null,
                avgPrice: show.price ? (filled > 0 ? price : 0) : null,
                filledAt: null,
                submittedAt: T0,
              },
              { qty },
            );
            expect(v.outcome).not.toBe('filled');
            for (const m of FILL_METHODS) expect(v.claims[m]).not.toBe('full');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  const resilience = (faults: fc.Arbitrary<QueryAnswer[]>) => () => {
    fc.assert(
      fc.property(
        planArb({ maxAt: 80_000, faultList: faults }).map((p) => ({ ...p, faultUntil: 2 * p.latency + TIMEOUT })),
        (p) => {
          const { h, id } = runPlan(p);
          const deadline = deadlineOf(p);
          const end = h.ended(id);
          const truth = h.venue.truth.get(id)!;
          if (end.at < deadline) {
            // Only a fill ends monitoring before the deadline (a full one, or a partial cancelled).
            expect(['filled', 'partial']).toContain(end.result);
            expect(truth.filled).toBeGreaterThan(0);
          }
          expect(end.result).not.toBe('unresolved');
          expect(end.filledQty).toBe(truth.filled);
          for (const f of h.events('FillQueryFailed', id)) if (f.at < deadline) expect(f.errorClass).toBe('transient');
          // Polling goes on: no gap between lookups (or from the ack to the first) above the
          // poll cap plus the backoff cap plus an answer's round trip, up to the end or deadline.
          const stop = Math.min(end.at, deadline);
          const times = [T0 + 2 * p.latency, ...h.queries(id).filter((t) => t <= stop), stop];
          const bound = h.config.pollMaxMs + h.config.backoffMaxMs + 2 * p.latency;
          for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(bound);
        },
      ),
      RUNS,
    );
  };

  it(
    '3. error-recovery resilience: transient query failures never end monitoring early, polling goes on (bursts up to the retry limit)',
    resilience(burstsOf(3)),
  );

  // Failure bursts of any length (see the regression test in fill-monitor.test.ts).
  it(
    '3. error-recovery resilience, with failure bursts of any length before the deadline',
    resilience(fc.array(fc.constantFrom<QueryAnswer>('fail', 'fail', 'ok'), { maxLength: 24, size: 'max' })),
  );

  it('4. final verification guarantee: every order at its deadline gets a final query, then a fill or cancel + check', () => {
    fc.assert(
      fc.property(
        planArb({ maxAt: 60_000, faults: fc.constantFrom<QueryAnswer>('ok', 'fail', 'silent'), faultUntil: HORIZON }),
        fc.integer({ min: 0, max: 3 }),
        (p, lostCancels) => {
          let pushes = 0;
          const h = new Harness({
            script: {
              latencyMs: p.latency,
              pushLost: (m) => PUSHES.has(m.kind) && ((p.lostMask >> (pushes++ % 16)) & 1) === 1,
              queryAnswer: (_id, n) => p.faults[n - 1] ?? 'ok',
              cancelArrives: (_id, n) => n > lostCancels,
            },
          });
          const id = h.place({ qty: p.qty, policy: 'wait' });
          for (const f of p.fills) h.fillAt(id, f.at, f.qty, f.price);
          h.run(HORIZON);
          const end = h.ended(id);
          const trace = h.trace;
          const d = trace.findIndex((t) => t.event?.kind === 'FillDeadlineReached');
          const e = trace.findIndex((t) => t.event?.kind === 'FillMonitorEnded');
          if (d < 0) {
            expect(end.result).toBe('filled'); // only a complete fill (wait policy) ends before the deadline
            return;
          }
          const isQuery = (i: number) => trace[i]!.call?.call === 'query';
          const q = trace.findIndex((t, i) => i > d && isQuery(i));
          expect(q).toBeGreaterThan(d);
          expect(q).toBeLessThan(e);
          if (end.result === 'filled' || end.result === 'unresolved') {
            // unresolved: the venue did not answer; the steps after the deadline are bounded.
            const steps = trace.slice(d, e).filter((t) => t.call?.call === 'query' || t.call?.call === 'cancel').length;
            expect(steps).toBeLessThanOrEqual(STEP_BOUND(h.config.maxRetries));
            return;
          }
          const c = trace.findIndex((t, i) => i > d && t.event?.kind === 'CancelOrder');
          expect(c).toBeGreaterThan(d);
          expect(c).toBeLessThan(e);
          expect(trace.some((t, i) => i > c && i < e && isQuery(i))).toBe(true);
          const truth = h.venue.truth.get(id)!;
          expect(end.filledQty).toBe(truth.filled);
          expect(end.result).toBe(truth.filled > 0 ? 'partial' : 'timeout');
        },
      ),
      RUNS,
    );
  });

  it('5. cancel-versus-fill race: a cancel refused because the order filled gives filled + cancelRace, never timeout', () => {
    fc.assert(
      fc.property(
        planArb({ maxAt: 25_000, policies: ['wait', 'cancel_remainder'] }),
        fc.boolean(),
        fc.boolean(),
        (p, losePush, withFaults) => {
          let pushes = 0;
          const h: Harness = new Harness({
            script: {
              latencyMs: p.latency,
              // The fill that wins the race is made at the venue right before our cancel lands.
              beforeCancel: (cid) => {
                h.venue.fill(cid, p.qty, PRICE);
              },
              pushLost: (m) =>
                (m.kind === 'FillReport' && losePush) ||
                (PUSHES.has(m.kind) && ((p.lostMask >> (pushes++ % 16)) & 1) === 1),
              queryAnswer: (_id, n) => (withFaults ? (p.faults[n - 1] ?? 'ok') : 'ok'),
            },
          });
          const id = h.place({ qty: p.qty, policy: p.policy });
          for (const f of p.fills) h.fillAt(id, f.at, f.qty, f.price);
          h.run(HORIZON);
          const end = h.ended(id);
          const truth = h.venue.truth.get(id)!;
          expect(end.result).not.toBe('timeout');
          if (h.events('CancelRejectReport', id).length > 0) {
            expect(truth.status).toBe('filled');
            expect(end.result).toBe('filled');
            expect(end.cancelRace).toBe(true);
            expect(end.filledQty).toBe(p.qty);
          }
          if (end.result !== 'unresolved') expect(end.filledQty).toBe(truth.filled);
        },
      ),
      RUNS,
    );
  });

  it('6. state consistency: after random fills (pushes lost), the position checks end consistent and match the venue', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            qty: fc.integer({ min: 1, max: 10 }),
            side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
            at: fc.integer({ min: 0, max: 20_000 }),
            fills: fillsArb(40_000),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom<PartialFillPolicy>('cancel_remainder', 'wait', 'accept'),
        (orders, lostMask, latency, policy) => {
          let pushes = 0;
          const h = new Harness({
            script: {
              latencyMs: latency,
              pushLost: (m) => m.kind === 'FillReport' && ((lostMask >> (pushes++ % 16)) & 1) === 1,
            },
          });
          const ids: ClientOrderId[] = [];
          for (const o of orders) {
            h.clock.schedule(() => {
              const id = h.place({ qty: o.qty, side: o.side, policy });
              ids.push(id);
              for (const f of o.fills) h.fillAt(id, f.at, f.qty, f.price);
            }, o.at);
          }
          h.run(HORIZON);
          const settled = [...h.venue.truth.values()].every((t) => !['new', 'partially_filled'].includes(t.status));
          const checks = h.events('PositionChecked');
          const venueFilled = [...h.venue.truth.values()].some((t) => t.filled > 0);
          if (h.events('FillMonitorEnded').some((e) => e.filledQty > 0)) expect(checks.length).toBeGreaterThan(0);
          for (const [i, c] of checks.entries()) {
            if (c.consistent || c.afterSync) continue;
            // A mismatch starts a sync, followed by a check after it.
            const syncs = h.events('PositionSyncStarted').filter((s) => s.at >= c.at);
            expect(syncs.length).toBeGreaterThan(0);
            expect(checks.slice(i + 1).some((n) => n.afterSync)).toBe(true);
          }
          // accept leaves a partly filled order working and unwatched (leftOpen): its later fills
          // are not owed to us. Every other policy ends with every order settled and matching.
          if (policy === 'accept') return;
          expect(settled).toBe(true);
          if (venueFilled) expect(checks[checks.length - 1]!.consistent).toBe(true);
          expect(h.ledger.position).toBe(h.venue.position);
          for (const id of ids) expect(h.ledger.order(id)!.filledQty).toBe(h.venue.truth.get(id)!.filled);
        },
      ),
      RUNS,
    );
  });

  it('7. observability: start, every status change, fill confirmation, every failed query, exactly one end', () => {
    fc.assert(
      fc.property(
        planArb({
          faults: fc.constantFrom<QueryAnswer>('ok', 'fail', 'not_found'),
          faultUntil: 20_000,
          policies: ['accept', 'cancel_remainder', 'wait'],
        }),
        (p) => {
          const { h, id } = runPlan(p);
          expect(h.events('FillMonitorStarted', id)).toHaveLength(1);
          const end = h.ended(id);
          const start = h.events('FillMonitorStarted', id)[0]!;
          expect(start).toMatchObject({ qty: p.qty, timeoutMs: TIMEOUT, partialFillPolicy: p.policy });
          // Status changes form one chain from the status at the start to the status at the end.
          const seen = h.events('FillStatusObserved', id);
          let status = 'submitted';
          for (const s of seen) {
            expect(s.from).toBe(status);
            expect(s.to).not.toBe(s.from);
            expect(s.at).toBeLessThanOrEqual(end.at);
            expect(s.elapsedMs).toBe(s.at - start.at);
            status = s.to;
          }
          const changes = h.events('OrderStatusChanged', id).filter((c) => c.at <= end.at);
          const statusAtEnd = changes.length ? changes[changes.length - 1]!.to : 'submitted';
          // The monitor may not have looked at the ledger after its own cancel (pending_cancel).
          if (statusAtEnd !== 'pending_cancel') expect(status).toBe(statusAtEnd);
          if (end.filledQty > 0) {
            const v = h
              .events('FillVerified', id)
              .filter((x) => x.at <= end.at)
              .pop()!;
            expect(v.outcome).toBe(end.result === 'filled' ? 'filled' : 'partially_filled');
            expect(v.agreed.length).toBeGreaterThan(0);
            expect(end.methods).toEqual(v.agreed);
          }
          // One FillQueryFailed per failed lookup while monitored, each with its retry delay.
          const failedAnswers = h.entries.filter(
            (e) =>
              e.time <= end.at &&
              (e.event.kind === 'QueryFailedReport' || e.event.kind === 'OrderNotFoundReport') &&
              'clientOrderId' in e.event &&
              e.event.clientOrderId === id,
          );
          const failed = h.events('FillQueryFailed', id);
          expect(failed).toHaveLength(failedAnswers.length);
          expect(end.errors).toBe(failed.length);
          for (const f of failed) {
            if (f.errorClass === 'transient' && f.attempt <= h.config.maxRetries)
              expect(f.retryInMs).toBeGreaterThan(0);
            else expect(f.retryInMs).toBeNull();
          }
          expect(end.apiCalls).toBeGreaterThanOrEqual(end.polls);
        },
      ),
      RUNS,
    );
  });

  it('8. slippage: sign and magnitude against a reference, and a warning exactly above the threshold', () => {
    /** Reference in exact rationals: round half away from zero of (signed diff / expected) x 1e6, / 100. */
    const reference = (side: 'buy' | 'sell', expected: number, notional: number, filled: number): number => {
      const diff = BigInt(side === 'buy' ? notional - expected * filled : expected * filled - notional) * 1_000_000n;
      const den = BigInt(expected * filled);
      const abs = diff < 0n ? -diff : diff;
      const r = Number((2n * abs + den) / (2n * den));
      return r === 0 ? 0 : (diff < 0n ? -r : r) / 100;
    };
    fc.assert(
      fc.property(
        fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
        fc.integer({ min: 9_000, max: 11_000 }),
        fc.array(fc.record({ qty: fc.integer({ min: 1, max: 5 }), price: fc.integer({ min: 9_900, max: 10_100 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 200 }),
        (side, limit, fills, warnBps) => {
          const qty = fills.reduce((s, f) => s + f.qty, 0);
          const h = new Harness({ config: { slippageWarnBps: warnBps } });
          const id = h.place({ qty, side, limitPrice: limit });
          fills.forEach((f, i) => h.fillAt(id, 100 + i, f.qty, f.price));
          h.run(HORIZON);
          const end = h.ended(id);
          expect(end.result).toBe('filled');
          const notional = fills.reduce((s, f) => s + f.qty * f.price, 0);
          const ref = reference(side, limit, notional, qty);
          expect(end.slippageBps).toBe(formatBps(ref));
          expect(slippageBps(side, limit, notional / qty)).toBeCloseTo(ref, 9);
          // Worse for us is positive: a buy above the limit, a sell below it.
          const avg = notional / qty;
          expect(Math.sign(ref)).toBe(side === 'buy' ? Math.sign(avg - limit) : Math.sign(limit - avg));
          const warnings = h.events('SlippageWarning', id);
          expect(warnings).toHaveLength(ref > warnBps ? 1 : 0);
          if (warnings[0]) expect(warnings[0].slippageBps).toBe(formatBps(ref));
        },
      ),
      RUNS,
    );
  });

  it('9. partial-fill policy: accept, cancel_remainder, wait; IOC/FOK are never cancelled for a partial', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 100, max: 20_000 }),
        fc.integer({ min: 1, max: 99 }),
        fc.option(fc.integer({ min: 0, max: 40_000 }), { nil: null }),
        fc.constantFrom<PartialFillPolicy>('accept', 'cancel_remainder', 'wait'),
        fc.constantFrom('GTC', 'IOC', 'FOK'),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        (qty, firstAt, pct, restAfter, policy, tif, latency, losePush) => {
          const first = Math.max(1, Math.min(qty - 1, Math.floor((qty * pct) / 100)));
          const h = new Harness({
            script: { latencyMs: latency, pushLost: (m) => losePush && m.kind === 'FillReport' },
          });
          const id = h.place({ qty, policy, tif: tif as 'GTC' | 'IOC' | 'FOK' });
          if (tif === 'GTC') {
            h.fillAt(id, latency + firstAt, first, PRICE); // after the order reached the venue
            if (restAfter !== null) h.fillAt(id, latency + firstAt + restAfter, qty - first, PRICE);
          } else {
            // The venue ends an IOC/FOK remainder by itself right after the first fill.
            h.clock.schedule(() => {
              h.venue.fill(id, first, PRICE);
              h.venue.expire(id);
            }, 2 * latency);
          }
          h.run(HORIZON);
          const end = h.ended(id);
          const truth = h.venue.truth.get(id)!;
          const cancels = h.events('CancelOrder', id);
          const detected = h.events('PartialFillDetected', id);
          for (const d of detected) expect(d).toMatchObject({ remainingQty: qty - d.filledQty, policy });
          if (tif !== 'GTC') {
            // Seen while the order was live, the partial is waited on (the venue ends the rest);
            // learned together with the expiry (its push lost), it is recorded with no action.
            expect(cancels).toHaveLength(0);
            expect(detected).toHaveLength(1);
            expect(['wait', 'none']).toContain(detected[0]?.action);
            expect(end).toMatchObject({
              result: 'partial',
              filledQty: first,
              remainingQty: qty - first,
              leftOpen: false,
            });
            return;
          }
          if (detected.length === 0) {
            // Both fills landed before monitoring saw either (lost pushes, one poll): no partial to handle.
            expect(end.result).toBe('filled');
            expect(h.events('FillVerified', id).map((v) => v.outcome)).toEqual(['filled']);
            return;
          }
          const deadline = T0 + 2 * latency + TIMEOUT;
          if (policy === 'accept') {
            expect(end.result).toBe(detected[0]!.filledQty === qty ? 'filled' : 'partial');
            expect(end.leftOpen).toBe(true);
            expect(end.at).toBe(detected[0]!.at);
            expect(end.filledQty).toBe(detected[0]!.filledQty);
            expect(cancels).toHaveLength(0);
          } else if (policy === 'cancel_remainder') {
            expect(cancels.length).toBeGreaterThan(0);
            expect(cancels[0]!.at).toBe(detected[0]!.at);
            expect(end.filledQty).toBe(truth.filled);
            expect(end.result).toBe(truth.filled === qty ? 'filled' : 'partial');
            expect(end.leftOpen).toBe(false);
          } else {
            expect(cancels.filter((c) => c.at < deadline)).toHaveLength(0);
            if (end.result !== 'filled') expect(end.at).toBeGreaterThanOrEqual(deadline);
            expect(end.filledQty).toBe(truth.filled);
          }
        },
      ),
      RUNS,
    );
  });

  it('10. adaptive polling: intervals never shrink and stop growing at pollMaxMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 3_000 }),
        fc.oneof(
          fc.record({ mode: fc.constant('step' as const), ms: fc.integer({ min: 0, max: 2_000 }) }),
          fc.record({ mode: fc.constant('factor' as const), factor: fc.double({ min: 1, max: 3, noNaN: true }) }),
        ),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 45 }),
        (initial, increase, extra, latency) => {
          // latency < initial / 2: the ack is in before the first poll falls due.
          const pollMaxMs = initial + extra;
          const h = new Harness({
            config: { timeoutMs: 120_000, pollInitialMs: initial, pollIncrease: increase, pollMaxMs },
            script: { latencyMs: latency },
          });
          const id = h.place({ qty: 5 });
          h.run(119_000);
          const q = h.queries(id);
          expectIs(q[0], T0 + initial);
          const gaps = q.slice(1).map((t, i) => t - q[i]!);
          // Checked for every poll of every case (up to a thousand): expect is called only on a mismatch.
          for (let i = 0; i < gaps.length; i++) {
            const gap = gaps[i]!;
            if (!(gap <= pollMaxMs)) expect(gap).toBeLessThanOrEqual(pollMaxMs);
            if (i > 0 && !(gap >= gaps[i - 1]!)) expect(gap).toBeGreaterThanOrEqual(gaps[i - 1]!);
            expectIs(
              gap,
              Math.min(
                pollMaxMs,
                Math.round(
                  increase.mode === 'step' ? initial + increase.ms * (i + 1) : initial * increase.factor ** (i + 1),
                ),
              ),
            );
          }
          // Once at the cap, it stays there.
          const capAt = gaps.indexOf(pollMaxMs);
          if (capAt >= 0) for (const g of gaps.slice(capAt)) expectIs(g, pollMaxMs);
          if (!(gaps.length >= 8)) expect(gaps.length).toBeGreaterThanOrEqual(8);
        },
      ),
      RUNS,
    );
  });
});
