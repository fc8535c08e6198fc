// Fill detection of resting orders (GTC limits) with its default rules: watched without a
// deadline, never cancelled by it; status polls go on finding fills whose reports were lost, for
// as long as the order rests; the watch ends when the order is final, cancelled by its owner
// included. Orders that end by themselves (IOC, FOK, market) keep their deadline. On the scripted
// venue and a virtual clock: minutes pass without waiting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Harness, T0 } from '../../../test/support/fill-harness.ts';
import { DEFAULT_FILL_CONFIG } from './fill-config.ts';

const MINUTE = 60_000;
/** The harness over fill detection's defaults: resting orders have no deadline. */
const defaults = (lostFills = false) =>
  new Harness({
    config: { restingTimeoutMs: null },
    script: { latencyMs: 10, ...(lostFills ? { pushLost: (m) => m.kind === 'FillReport' } : {}) },
  });

describe('resting orders under the default rules', () => {
  it('the harness runs on the defaults', () => {
    expect(defaults().config).toEqual(DEFAULT_FILL_CONFIG);
  });

  it('a GTC limit resting for 10 minutes is still working and watched; its fill then is found by a poll', () => {
    const h = defaults(true);
    const id = h.place({ qty: 10 });
    h.run(10 * MINUTE);
    expect(h.ledger.order(id)!.status).toBe('accepted');
    expect(h.monitor.active).toBe(1);
    expect(h.events('FillMonitorStarted', id)).toMatchObject([{ timeoutMs: null, partialFillPolicy: 'wait' }]);
    expect(h.events('FillDeadlineReached', id)).toEqual([]);
    expect(h.events('CancelOrder', id)).toEqual([]);
    expect(h.events('FillMonitorEnded', id)).toEqual([]);
    // Polled all along, at most pollMaxMs (5 s) apart once the interval has grown.
    const polls = h.queries(id);
    expect(polls.length).toBeGreaterThan(100);
    expect(Math.max(...polls.slice(1).map((t, i) => t - polls[i]!))).toBeLessThanOrEqual(5_000);
    h.fillAt(id, 1_000, 10, 10_001); // filled at 10 min 1 s; its push is lost
    h.run(MINUTE);
    const end = h.ended(id);
    expect(end).toMatchObject({ result: 'filled', filledQty: 10, detectedBy: 'poll', leftOpen: false });
    expect(end.at - (T0 + 10 * MINUTE + 1_000)).toBeLessThanOrEqual(5_000 + 10);
    expect(h.events('CancelOrder', id)).toEqual([]);
    expect(h.monitor.active).toBe(0);
  });

  it('a partial fill is waited out, not cancelled: the rest fills later', () => {
    const h = defaults();
    const id = h.place({ qty: 10 });
    h.fillAt(id, MINUTE, 4, 10_001);
    h.fillAt(id, 15 * MINUTE, 6, 10_001);
    h.run(20 * MINUTE);
    expect(h.events('PartialFillDetected', id)).toMatchObject([{ filledQty: 4, action: 'wait' }]);
    expect(h.events('CancelOrder', id)).toEqual([]);
    expect(h.ended(id)).toMatchObject({ result: 'filled', filledQty: 10 });
  });

  it('ends when its owner cancels it, with no deadline on the way', () => {
    const h = defaults();
    const id = h.place({ qty: 10 });
    h.run(5 * MINUTE);
    h.cancel(id, 'the desk changed its mind');
    h.run(MINUTE);
    expect(h.ended(id)).toMatchObject({ result: 'unfilled', filledQty: 0 });
    expect(h.events('FillDeadlineReached', id)).toEqual([]);
    expect(h.monitor.active).toBe(0);
  });

  it('an IOC limit keeps its 30 s deadline: cancelled and verified there', () => {
    const h = defaults();
    const id = h.place({ qty: 10, tif: 'IOC' });
    h.run(2 * MINUTE);
    expect(h.events('FillMonitorStarted', id)).toMatchObject([
      { timeoutMs: 30_000, partialFillPolicy: 'cancel_remainder' },
    ]);
    expect(h.events('FillDeadlineReached', id)).toHaveLength(1);
    expect(h.events('CancelOrder', id)).toMatchObject([{ reason: 'fill detection deadline' }]);
    expect(h.ended(id)).toMatchObject({ result: 'timeout' });
  });

  it('a config that gives resting orders a deadline still gets it', () => {
    const h = new Harness({ config: { timeoutMs: 30_000 }, script: { latencyMs: 10 } });
    const id = h.place({ qty: 10 });
    h.run(2 * MINUTE);
    expect(h.events('FillDeadlineReached', id)).toHaveLength(1);
    expect(h.ended(id)).toMatchObject({ result: 'timeout' });
  });

  it('property: over times in force, order types and fill times, only an order that ends by itself meets a deadline', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const),
        fc.constantFrom('limit' as const, 'market' as const),
        fc.integer({ min: 20, max: 30 * MINUTE }), // after the venue has the order (10 ms)
        fc.boolean(),
        (tif, type, fillAt, lost) => {
          const h = defaults(lost);
          const id = h.place({ qty: 10, tif: type === 'market' ? 'IOC' : tif, type });
          h.fillAt(id, fillAt, 10, 10_001);
          h.run(40 * MINUTE);
          const resting = type === 'limit' && tif === 'GTC';
          const deadlines = h.events('FillDeadlineReached', id);
          const end = h.ended(id);
          if (resting) {
            // Never a deadline nor a cancel: the fill is found, by push or by a poll within 5 s.
            expect(deadlines).toEqual([]);
            expect(h.events('CancelOrder', id)).toEqual([]);
            expect(end).toMatchObject({ result: 'filled', filledQty: 10 });
            expect(end.at - (T0 + fillAt)).toBeLessThanOrEqual(lost ? 5_010 : 10);
          } else {
            // The deadline: 30 s after the venue's acknowledgement.
            const deadline = h.events('AckReport', id)[0]!.at + 30_000 - T0;
            if (fillAt < deadline) {
              expect(deadlines).toEqual([]);
              expect(end).toMatchObject({ result: 'filled', filledQty: 10 });
            } else {
              // It came first: a final query, a cancel and a check; a fill landing before the
              // cancel is the cancel race, found as a fill.
              expect(deadlines).toHaveLength(1);
              expect(deadlines[0]!.at).toBe(T0 + deadline);
              if (fillAt > deadline + 100) expect(end.result).toBe('timeout');
              else expect(['timeout', 'filled']).toContain(end.result);
            }
          }
          expect(h.monitor.active).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
