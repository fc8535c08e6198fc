import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIMES_IN_FORCE, type OrderType } from '../model/order.ts';
import {
  DEFAULT_FILL_CONFIG,
  FillConfigError,
  parseFillConfig,
  PARTIAL_FILL_POLICIES,
  watchRulesOf,
} from './fill-config.ts';

const RUNS = { numRuns: 200 };

describe('fill config', () => {
  it('has every default in one place', () => {
    expect(DEFAULT_FILL_CONFIG).toEqual({
      timeoutMs: 30_000,
      restingTimeoutMs: null,
      pollInitialMs: 2_000,
      pollIncrease: { mode: 'step', ms: 500 },
      pollMaxMs: 5_000,
      maxRetries: 3,
      backoffBaseMs: 500,
      backoffMaxMs: 8_000,
      jitterFraction: 0.1,
      partialFillPolicy: null,
      slippageWarnBps: 50,
      feeFallbackBps: 10,
      finalVerification: true,
      unknownOrderAfterLookups: 3,
    });
    expect(parseFillConfig(undefined)).toEqual(DEFAULT_FILL_CONFIG);
    expect(parseFillConfig(null)).toEqual(DEFAULT_FILL_CONFIG);
  });

  it('is frozen, nested objects included', () => {
    const c = parseFillConfig({ pollIncrease: { mode: 'factor', factor: 1.5 } });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.pollIncrease)).toBe(true);
    expect(Object.isFrozen(DEFAULT_FILL_CONFIG)).toBe(true);
    expect(() => {
      (c as { timeoutMs: number }).timeoutMs = 1;
    }).toThrow();
  });

  it('overrides only what is given', () => {
    const c = parseFillConfig({ timeoutMs: 60_000, partialFillPolicy: 'wait', finalVerification: false });
    expect(c).toEqual({
      ...DEFAULT_FILL_CONFIG,
      timeoutMs: 60_000,
      restingTimeoutMs: 60_000, // a timeoutMs given is every order's deadline, as before
      partialFillPolicy: 'wait',
      finalVerification: false,
    });
    expect(parseFillConfig({ timeoutMs: 60_000, restingTimeoutMs: null }).restingTimeoutMs).toBeNull();
    expect(parseFillConfig({ restingTimeoutMs: 600_000 })).toEqual({
      ...DEFAULT_FILL_CONFIG,
      restingTimeoutMs: 600_000,
    });
  });

  it('watches a resting order (GTC or DAY, not market) without a deadline and waits out its partial fills; the rest to timeoutMs', () => {
    const types: OrderType[] = ['market', 'limit', 'stop', 'stop_limit'];
    const rules = (config: object, type: OrderType, tif: (typeof TIMES_IN_FORCE)[number]) =>
      watchRulesOf(parseFillConfig(config), { type, tif });
    expect(rules({}, 'limit', 'GTC')).toEqual({ timeoutMs: null, policy: 'wait' });
    expect(rules({}, 'stop_limit', 'DAY')).toEqual({ timeoutMs: null, policy: 'wait' });
    expect(rules({}, 'limit', 'IOC')).toEqual({ timeoutMs: 30_000, policy: 'cancel_remainder' });
    expect(rules({}, 'market', 'GTC')).toEqual({ timeoutMs: 30_000, policy: 'cancel_remainder' });
    // A file that gave timeoutMs keeps it for resting orders too, with the policy it had.
    expect(rules({ timeoutMs: 120_000 }, 'limit', 'GTC')).toEqual({ timeoutMs: 120_000, policy: 'cancel_remainder' });
    expect(rules({ timeoutMs: 120_000, restingTimeoutMs: null }, 'limit', 'GTC')).toEqual({
      timeoutMs: null,
      policy: 'wait',
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.constantFrom(...TIMES_IN_FORCE),
        fc.option(fc.integer({ min: 2_000, max: 86_400_000 }), { nil: undefined }),
        fc.option(fc.option(fc.integer({ min: 2_000, max: 86_400_000 }), { nil: null }), { nil: undefined }),
        fc.option(fc.constantFrom(...PARTIAL_FILL_POLICIES), { nil: undefined }),
        fc.option(fc.constantFrom(...PARTIAL_FILL_POLICIES), { nil: undefined }),
        (type, tif, timeoutMs, restingTimeoutMs, configPolicy, orderPolicy) => {
          const config = parseFillConfig({ timeoutMs, restingTimeoutMs, partialFillPolicy: configPolicy });
          const r = watchRulesOf(config, { type, tif }, orderPolicy);
          const resting = type !== 'market' && (tif === 'GTC' || tif === 'DAY');
          const restingDeadline = restingTimeoutMs !== undefined ? restingTimeoutMs : (timeoutMs ?? null);
          expect(r.timeoutMs).toBe(resting ? restingDeadline : (timeoutMs ?? 30_000));
          expect(r.policy).toBe(orderPolicy ?? configPolicy ?? (r.timeoutMs === null ? 'wait' : 'cancel_remainder'));
          // Fill detection cancels nothing of an order it watches without a deadline, unless asked to.
          if (r.timeoutMs === null && orderPolicy === undefined && configPolicy === undefined)
            expect(r.policy).toBe('wait');
        },
      ),
      RUNS,
    );
  });

  it.each([
    [{ timeoutMs: -1 }, /^fill config: timeoutMs: must be at least 1 ms$/],
    [{ timeoutMs: 1.5 }, /timeoutMs: must be a whole number of milliseconds/],
    [{ timeoutMs: '30s' }, /timeoutMs: must be a number of milliseconds/],
    [{ pollMaxMs: 1_000 }, /pollMaxMs: must not be below pollInitialMs/],
    [{ timeoutMs: 1_000 }, /pollInitialMs: must not exceed timeoutMs/],
    [{ restingTimeoutMs: 1_000 }, /pollInitialMs: must not exceed restingTimeoutMs/],
    [{ restingTimeoutMs: 0 }, /restingTimeoutMs: must be at least 1 ms/],
    [{ restingTimeoutMs: 86_400_001 }, /restingTimeoutMs: must be at most one day/],
    [{ backoffBaseMs: 10_000 }, /backoffMaxMs: must not be below backoffBaseMs/],
    [
      { pollIncrease: { mode: 'linear', ms: 5 } },
      /pollIncrease\.mode: must be \{ mode: "step", ms \} or \{ mode: "factor", factor \}/,
    ],
    [{ pollIncrease: { mode: 'factor', factor: 0.5 } }, /pollIncrease\.factor: must be at least 1/],
    [{ jitterFraction: 1.5 }, /jitterFraction: must be between 0 and 1/],
    [{ maxRetries: -1 }, /maxRetries: must not be negative/],
    [{ partialFillPolicy: 'reject' }, /partialFillPolicy: must be one of accept, cancel_remainder, wait/],
    [{ slippageWarnBps: -5 }, /slippageWarnBps: must not be negative/],
    [{ feeFallbackBps: 20_000 }, /feeFallbackBps: must be at most 10000 bps/],
    [{ finalVerification: 'yes' }, /finalVerification: must be true or false/],
    [{ timeoutMs: 30_000, pollIntervalMs: 5 }, /unknown field "pollIntervalMs"/],
    [[1, 2], /must be an object of fields/],
    ['fast', /must be an object of fields/],
  ])('rejects %j with one message naming the field', (input, message) => {
    expect(() => parseFillConfig(input)).toThrow(FillConfigError);
    expect(() => parseFillConfig(input)).toThrow(message);
  });

  it('names the bad field first, not a cross-field check it breaks on the way', () => {
    // timeoutMs -1 also fails "pollInitialMs <= timeoutMs"; the message is about timeoutMs alone.
    expect(() => parseFillConfig({ timeoutMs: -1 })).toThrow(/^fill config: timeoutMs: must be at least 1 ms$/);
    expect(() => parseFillConfig({ timeoutMs: -1, maxRetries: -1 })).toThrow(/timeoutMs: .* \(and 1 more problem\)$/);
  });

  it('round-trips any valid config and keeps the invariants the schedules rely on', () => {
    const arb = fc.record(
      {
        timeoutMs: fc.integer({ min: 1, max: 86_400_000 }),
        restingTimeoutMs: fc.option(fc.integer({ min: 1, max: 86_400_000 }), { nil: null }),
        pollInitialMs: fc.integer({ min: 1, max: 1_000 }),
        pollIncrease: fc.oneof(
          fc.record({ mode: fc.constant('step' as const), ms: fc.integer({ min: 0, max: 10_000 }) }),
          fc.record({ mode: fc.constant('factor' as const), factor: fc.double({ min: 1, max: 10, noNaN: true }) }),
        ),
        maxRetries: fc.integer({ min: 0, max: 100 }),
        jitterFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        partialFillPolicy: fc.constantFrom('accept' as const, 'cancel_remainder' as const, 'wait' as const),
        finalVerification: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arb, (input) => {
        let c;
        try {
          c = parseFillConfig(input);
        } catch (e) {
          // Only the cross-field rule can refuse these: the first poll after the deadline.
          expect(String(e)).toMatch(/pollInitialMs: must not exceed (resting)?timeoutMs/i);
          return;
        }
        expect(parseFillConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
        expect(c.pollMaxMs).toBeGreaterThanOrEqual(c.pollInitialMs);
        expect(c.backoffMaxMs).toBeGreaterThanOrEqual(c.backoffBaseMs);
      }),
      RUNS,
    );
  });
});
