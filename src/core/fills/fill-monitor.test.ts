// Example-based tests of FillMonitor's edge cases, on the scripted fake venue of test-harness.ts
// (virtual clock: no sleeps). The ten properties of fill detection are in fill-properties.test.ts.
import { describe, expect, it } from 'vitest';
import { Harness, STEP_BOUND, T0 } from '../../../test/support/fill-harness.ts';

const PRICE = 6_000_000; // 60,000.00 USDT
const BTC = 100_000; // lots in 1 BTC

describe('FillMonitor', () => {
  it('finds a fill whose push was lost by polling, before the deadline', () => {
    const h = new Harness({ script: { latencyMs: 10, pushLost: (m) => m.kind === 'FillReport' } });
    const id = h.place({ qty: 10 });
    h.fillAt(id, 3_000, 10, 10_001);
    h.run(60_000);
    const end = h.ended(id);
    expect(end).toMatchObject({
      result: 'filled',
      filledQty: 10,
      remainingQty: 0,
      detectedBy: 'poll',
      cancelRace: false,
      leftOpen: false,
    });
    // Polls at 2.0 s (nothing yet) and 4.5 s (2.0 + 2.5): the second finds the fill.
    expect(h.queries(id)).toEqual([T0 + 2_000, T0 + 4_500]);
    expect(end.at).toBe(T0 + 4_510);
    expect(end.detectionLatencyMs).toBe(1_510);
    expect(end.methods).toEqual(['status', 'quantity', 'price', 'timestamp']);
    expect(end.confidencePct).toBe(100);
    expect(h.events('FillDeadlineReached', id)).toEqual([]);
    expect(h.events('CancelOrder', id)).toEqual([]);
  });

  it('a fill a lookup states without trades (a cumulative and its average) is dated by the venue: its detection latency counts', () => {
    const h = new Harness({
      script: { latencyMs: 10, pushLost: (m) => m.kind === 'FillReport', answerTrades: false },
    });
    const id = h.place({ qty: 10 });
    h.fillAt(id, 3_000, 10, 10_001);
    h.run(60_000);
    const end = h.ended(id);
    expect(end).toMatchObject({ result: 'filled', filledQty: 10, detectedBy: 'poll', avgPrice: '100.01' });
    expect(h.events('FillInferred', id)).toHaveLength(1);
    // The fill is inferred from the answer at 4.51 s; the venue filled at 3.0 s.
    expect(end.at).toBe(T0 + 4_510);
    expect(end.detectionLatencyMs).toBe(1_510);
  });

  it('the same fill pushed is detected at once by the push', () => {
    const h = new Harness({ script: { latencyMs: 10 } });
    const id = h.place({ qty: 10 });
    h.fillAt(id, 3_000, 10, 10_001);
    h.run(60_000);
    expect(h.ended(id)).toMatchObject({
      result: 'filled',
      detectedBy: 'push',
      at: T0 + 3_010,
      detectionLatencyMs: 10,
      polls: 1,
    });
  });

  it('classifies "not found" lookups as transient, then permanent after unknownOrderAfterLookups, and stops polling', () => {
    const h = new Harness({
      config: { unknownOrderAfterLookups: 3 },
      script: { latencyMs: 10, queryAnswer: () => 'not_found' },
    });
    const id = h.place({ qty: 10 });
    h.run(29_000);
    const failed = h.events('FillQueryFailed', id);
    expect(failed.map((f) => [f.errorClass, f.category, f.attempt])).toEqual([
      ['transient', 'unknown_order', 1],
      ['transient', 'unknown_order', 2],
      ['permanent', 'unknown_order', 3],
    ]);
    expect(failed[0]!.retryInMs).toBeGreaterThan(0);
    expect(failed[2]!.retryInMs).toBeNull();
    // No lookup after the permanent verdict until the deadline.
    const q = h.queries(id);
    expect(q).toHaveLength(3);
    expect(h.events('FillMonitorEnded', id)).toEqual([]);
    h.run(200_000);
    // The deadline still runs its final verification (query, cancel) and the order ends.
    expect(h.queries(id).filter((t) => t >= T0 + 30_020).length).toBeGreaterThan(0);
    expect(h.events('CancelOrder', id)).toHaveLength(1);
    expect(h.ended(id)).toMatchObject({ result: 'timeout', filledQty: 0 });
  });

  const unreachable = (mode: 'silent' | 'fail') =>
    new Harness({
      script: {
        latencyMs: 10,
        queryAnswer: (_id, _n, at) => (at >= T0 + 30_020 ? mode : 'ok'),
        cancelArrives: () => false,
      },
    });

  it.each(['silent', 'fail'] as const)(
    'with the venue unreachable at the deadline (%s) ends unresolved after bounded steps',
    (mode) => {
      const h = unreachable(mode);
      const id = h.place({ qty: 10 });
      h.run(30_020);
      const before = h.venue.calls.length;
      // It must stop by itself: the clock runs dry, well within a bounded number of actions.
      expect(h.clock.runUntilIdle(1_000)).toBeLessThan(100);
      const end = h.ended(id);
      expect(end).toMatchObject({ result: 'unresolved', leftOpen: true, filledQty: 0, cancelRace: false });
      const after = h.venue.calls.slice(before);
      expect(after.filter((c) => c.call === 'query').length).toBeGreaterThanOrEqual(1);
      // Bounded in maxRetries (generously: a few check-cancel-check rounds per retry).
      expect(after.length).toBeLessThanOrEqual(STEP_BOUND(h.config.maxRetries));
      expect(h.clock.pending()).toBe(0);
      expect(h.events('FillDeadlineReached', id)).toHaveLength(1);
    },
  );

  it('attempts a cancel at the deadline when the final queries fail', () => {
    const h = unreachable('fail');
    const id = h.place({ qty: 10 });
    h.clock.runUntilIdle(1_000);
    expect(h.events('CancelOrder', id)).toHaveLength(1);
    expect(h.venue.calls.filter((c) => c.call === 'cancel')).toHaveLength(1);
  });

  // Regression: when the final queries went unanswered (lost requests, no QueryFailedReport) the
  // monitor spent its step budget and ended 'unresolved' without ever sending the cancel.
  it('attempts a cancel at the deadline when the final queries go unanswered', () => {
    const h = unreachable('silent');
    const id = h.place({ qty: 10 });
    h.clock.runUntilIdle(1_000);
    expect(h.events('CancelOrder', id)).toHaveLength(1);
    expect(h.venue.calls.filter((c) => c.call === 'cancel')).toHaveLength(1);
  });

  it('ends an order refused at submission as unfilled at once, without a lookup', () => {
    const h = new Harness({ script: { latencyMs: 10, submit: 'reject' } });
    const id = h.place({ qty: 10 });
    h.run(60_000);
    expect(h.ended(id)).toMatchObject({
      result: 'unfilled',
      at: T0 + 20,
      filledQty: 0,
      detectedBy: 'push',
      polls: 0,
      apiCalls: 0,
    });
    expect(h.venue.calls.filter((c) => c.call !== 'submit')).toEqual([]);
    expect(h.clock.pending()).toBe(0);
  });

  it('confirms a cancel learned from a push with one query before the result', () => {
    const h = new Harness({ script: { latencyMs: 10 } });
    const id = h.place({ qty: 10 });
    h.clock.schedule(() => {
      h.venue.truth.get(id)!.status = 'canceled';
      h.deliver({ kind: 'CancelReport', clientOrderId: id }); // cancelled by someone else
    }, 1_000);
    h.run(60_000);
    expect(h.queries(id)).toEqual([T0 + 1_000]);
    expect(h.ended(id)).toMatchObject({ result: 'unfilled', at: T0 + 1_010, detectedBy: 'poll' });
  });

  it('the confirming query finds a fill still on the stream (its push lost): partial, not unfilled', () => {
    const h = new Harness({ script: { latencyMs: 10, pushLost: (m) => m.kind === 'FillReport' } });
    const id = h.place({ qty: 10 });
    h.fillAt(id, 900, 4, 10_000);
    h.clock.schedule(() => {
      h.venue.truth.get(id)!.status = 'canceled';
      h.deliver({ kind: 'CancelReport', clientOrderId: id });
    }, 1_000);
    h.run(60_000);
    expect(h.ended(id)).toMatchObject({ result: 'partial', filledQty: 4, remainingQty: 6 });
    expect(h.ledger.order(id)!.filledQty).toBe(4);
  });

  // Regression: after more than maxRetries failed confirming queries of a push-learned cancel the
  // monitor ended at once on our record, which missed a fill whose push was lost.
  it('a push-learned cancel whose confirming queries fail past the retry limit still finds the lost fill', () => {
    let pushes = 0;
    const h = new Harness({
      script: {
        latencyMs: 1,
        pushLost: (m) => m.kind === 'FillReport' && pushes++ === 0, // the first fill's push is lost
        queryAnswer: (_id, n) => (n <= 4 ? 'fail' : 'ok'), // 4 = maxRetries + 1 failures in a row
      },
    });
    const id = h.place({ qty: 3, policy: 'cancel_remainder' });
    h.fillAt(id, 1, 1, 9_990);
    h.fillAt(id, 1, 1, 9_990);
    h.run(200_000);
    expect(h.venue.truth.get(id)).toMatchObject({ status: 'canceled', filled: 2 });
    expect(h.ended(id)).toMatchObject({ result: 'partial', filledQty: 2 });
  });

  describe('fees', () => {
    const run = (commission: { asset: string; amount: string }, priceOf?: (a: string) => number | null) => {
      const h = new Harness({ script: { latencyMs: 10 }, ...(priceOf ? { priceOf } : {}) });
      const id = h.place({ qty: BTC, limitPrice: PRICE });
      h.fillAt(id, 100, BTC, PRICE, { commission });
      h.run(60_000);
      return h.ended(id);
    };

    it('converts a commission in BNB with the price source', () => {
      expect(Number(run({ asset: 'BNB', amount: '0.001' }, (a) => (a === 'BNB' ? 600 : null)).fees)).toBeCloseTo(
        0.6,
        9,
      );
    });

    it('falls back to the configured rate (10 bps of the fill value) when BNB has no price', () => {
      expect(Number(run({ asset: 'BNB', amount: '0.001' }).fees)).toBeCloseTo(60, 9);
      expect(Number(run({ asset: 'BNB', amount: '0.001' }, () => null).fees)).toBeCloseTo(60, 9);
    });

    it('values a commission in the base asset at the trade price', () => {
      expect(Number(run({ asset: 'BTC', amount: '0.0005' }).fees)).toBeCloseTo(30, 9);
    });

    it('takes a commission in the quote asset as it is', () => {
      expect(Number(run({ asset: 'USDT', amount: '12.5' }).fees)).toBeCloseTo(12.5, 9);
    });
  });
});
