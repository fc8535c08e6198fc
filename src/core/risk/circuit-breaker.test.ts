import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { CircuitBreaker, foldBreaker, type BreakerEvent, type BreakerTrippedEvent } from './circuit-breaker.ts';
import { DEFAULT_BREAKER_CONFIG, parseBreakerConfig, type BreakerConfigInput } from './breaker-config.ts';

const T0 = 1_700_000_000_000;
const OFF = { rejects: null, errors: null, priceBand: null, staleData: null } as const;

function setup(config: BreakerConfigInput = {}) {
  const clock = new VirtualClock(T0);
  const events: BreakerEvent[] = [];
  const times: number[] = [];
  const breaker = new CircuitBreaker(
    (e) => {
      events.push(e);
      times.push(clock.now());
    },
    { clock, config: { ...OFF, ...config } },
  );
  return { clock, events, times, breaker };
}
const trips = (events: BreakerEvent[]) =>
  events.filter((e): e is BreakerTrippedEvent => e.kind === 'CircuitBreakerTripped');

describe('breaker config', () => {
  it('has documented defaults, and null switches a condition off', () => {
    expect(DEFAULT_BREAKER_CONFIG).toEqual({
      rejects: { maxCount: 5, windowMs: 60_000, cooldownMs: 60_000 },
      errors: { maxCount: 5, windowMs: 60_000, cooldownMs: 60_000 },
      loss: null,
      drawdown: null,
      priceBand: { bps: 500, cooldownMs: 60_000 },
      staleData: { maxAgeMs: 60_000, cooldownMs: 60_000 },
    });
    expect(parseBreakerConfig({ rejects: null, loss: { max: 100 } })).toMatchObject({
      rejects: null,
      loss: { max: 100, cooldownMs: null },
    });
    expect(parseBreakerConfig({ errors: { maxCount: 2 } }).errors).toEqual({
      maxCount: 2,
      windowMs: 60_000,
      cooldownMs: 60_000,
    });
  });
  it('rejects a bad field with one message naming it', () => {
    expect(() => parseBreakerConfig({ rejects: { maxCount: 0 } })).toThrow(
      'breaker config: rejects.maxCount: must be at least 1',
    );
    expect(() => parseBreakerConfig({ loss: {} })).toThrow(/^breaker config: loss\.max: /);
    expect(() => parseBreakerConfig({ priceBand: { bps: 1.5 } })).toThrow(
      'breaker config: priceBand.bps: must be a whole number of basis points',
    );
    expect(() => parseBreakerConfig({ staleData: { maxAgeMs: -1 } })).toThrow(
      'staleData.maxAgeMs: must be at least 1 ms',
    );
    expect(() => parseBreakerConfig({ cooldown: 5 })).toThrow('breaker config: unknown field "cooldown"');
    expect(() => parseBreakerConfig([])).toThrow('breaker config: must be an object');
  });
});

describe('manual trip and reset (the existing API)', () => {
  it('works without options, and reports then trip nothing', () => {
    const events: BreakerEvent[] = [];
    const b = new CircuitBreaker((e) => events.push(e));
    for (let i = 0; i < 20; i++) b.recordReject(T0 + i);
    b.recordPrice(1);
    b.recordPrice(1000);
    b.recordMarketData(0);
    expect(b.blocks()).toBeNull();
    b.trip('ops');
    b.trip('again');
    expect(b.blocks()).toBe('circuit breaker tripped: ops');
    b.reset('alice', 'checked');
    expect(b.tripped).toBe(false);
    const manual = { condition: 'manual', at: null, observed: null, limit: null, reference: null, resetDueAt: null };
    expect(events).toEqual([
      { kind: 'CircuitBreakerTripped', reason: 'ops', ...manual },
      // Tripped by hand already: the second trip is logged, changing nothing.
      { kind: 'CircuitBreakerTripped', reason: 'again', unchanged: true, ...manual },
      {
        kind: 'CircuitBreakerReset',
        actor: 'alice',
        reason: 'checked',
        condition: 'manual',
        at: null,
        automatic: false,
      },
    ]);
  });
  it("logs every operator's trip and reset with its actor, one that changes nothing marked unchanged", () => {
    const { breaker, clock, events } = setup({ errors: { maxCount: 1, cooldownMs: 10 } });
    breaker.reset('ops', 'nothing to reset');
    breaker.trip('drill', 'ops');
    clock.advanceBy(5);
    breaker.trip('drill2', 'desk');
    expect(breaker.state).toEqual({ condition: 'manual', reason: 'drill', resetDueAt: null });
    breaker.reset('ops', 'drill over');
    breaker.reset('desk', 'again');
    expect(breaker.tripped).toBe(false);
    expect(events.map((e) => [e.kind, e.actor, e.reason, e.unchanged ?? false, e.condition, e.at])).toEqual([
      ['CircuitBreakerReset', 'ops', 'nothing to reset', true, null, T0],
      ['CircuitBreakerTripped', 'ops', 'drill', false, 'manual', T0],
      ['CircuitBreakerTripped', 'desk', 'drill2', true, 'manual', T0 + 5],
      ['CircuitBreakerReset', 'ops', 'drill over', false, 'manual', T0 + 5],
      ['CircuitBreakerReset', 'desk', 'again', true, null, T0 + 5],
    ]);
    // An automatic trip is unchanged: no actor; an operator's trip replaces it, with theirs.
    breaker.recordError();
    breaker.trip('hold', 'ops');
    expect(events.slice(5).map((e) => [e.kind, e.actor, e.condition, e.unchanged ?? false])).toEqual([
      ['CircuitBreakerTripped', undefined, 'errors', false],
      ['CircuitBreakerTripped', 'ops', 'manual', false],
    ]);
    expect(foldBreaker(events)).toEqual(breaker.state);
  });
  it('a manual trip never resets itself', () => {
    const { clock, breaker } = setup({ rejects: { maxCount: 1 } });
    breaker.trip('ops');
    clock.advanceBy(10 * 86_400_000);
    expect(breaker.tripped).toBe(true);
  });
});

describe('conditions', () => {
  it('rejects: the N-th within the window trips, with the observed values', () => {
    const { breaker, events } = setup({ rejects: { maxCount: 3, windowMs: 1000 } });
    breaker.recordReject(T0);
    breaker.recordReject(T0 + 600);
    breaker.recordReject(T0 + 1000); // first one left
    expect(breaker.tripped).toBe(false);
    breaker.recordReject(T0 + 1100);
    expect(breaker.blocks()).toBe('circuit breaker tripped: 3 rejects within 1000 ms (limit 3)');
    expect(events).toEqual([
      {
        kind: 'CircuitBreakerTripped',
        reason: '3 rejects within 1000 ms (limit 3)',
        condition: 'rejects',
        at: T0,
        observed: '3',
        limit: '3',
        reference: '1000',
        resetDueAt: T0 + 60_000,
      },
    ]);
  });
  it('errors: counted apart from rejects, at clock time by default', () => {
    const { breaker, clock } = setup({ rejects: { maxCount: 2 }, errors: { maxCount: 2, windowMs: 500 } });
    breaker.recordError();
    breaker.recordReject();
    expect(breaker.tripped).toBe(false);
    clock.advanceBy(499);
    breaker.recordError();
    expect(breaker.state?.condition).toBe('errors');
  });
  it('loss from the start and drawdown from the peak (strictly above the limit)', () => {
    const a = setup({ loss: { max: 100 } });
    a.breaker.recordEquity(1000);
    a.breaker.recordEquity(2000);
    a.breaker.recordEquity(900);
    expect(a.breaker.tripped).toBe(false);
    a.breaker.recordEquity(899);
    expect(trips(a.events)[0]).toMatchObject({
      condition: 'loss',
      observed: '101',
      limit: '100',
      reference: '1000',
      resetDueAt: null,
    });
    const b = setup({ drawdown: { max: 100, cooldownMs: 5 } });
    b.breaker.setEquityBase(0);
    b.breaker.recordEquity(500);
    b.breaker.recordEquity(400);
    expect(b.breaker.tripped).toBe(false);
    b.breaker.recordEquity(399);
    expect(trips(b.events)[0]).toMatchObject({
      condition: 'drawdown',
      observed: '101',
      reference: '500',
      resetDueAt: T0 + 5,
    });
  });
  it('price band around the first price or a set reference', () => {
    const { breaker, events } = setup({ priceBand: { bps: 100 } });
    breaker.recordPrice(10_000);
    breaker.recordPrice(10_100);
    breaker.recordPrice(9_900);
    expect(breaker.tripped).toBe(false);
    breaker.recordPrice(9_899);
    expect(trips(events)[0]).toMatchObject({
      condition: 'priceBand',
      observed: '9899',
      limit: '100',
      reference: '10000',
    });
    const c = setup({ priceBand: {} });
    c.breaker.setReferencePrice(100);
    c.breaker.recordPrice(106);
    expect(c.breaker.state?.reason).toBe('price 106 outside 500 bps of reference 100');
  });
  it('stale data: checked on blocks() against clock.now(), never before the first report', () => {
    const { breaker, clock, events } = setup({ staleData: { maxAgeMs: 1000 } });
    clock.advanceBy(5000);
    expect(breaker.blocks()).toBeNull();
    breaker.recordMarketData(T0 + 5000);
    clock.advanceBy(1000);
    expect(breaker.blocks()).toBeNull();
    clock.advanceBy(1);
    expect(breaker.blocks()).toBe('circuit breaker tripped: market data 1001 ms old (limit 1000 ms)');
    expect(trips(events)[0]).toMatchObject({
      condition: 'staleData',
      observed: '1001',
      limit: '1000',
      reference: String(T0 + 5000),
      at: T0 + 6001,
    });
  });
});

describe('cooldown and resets', () => {
  it('resets exactly at trip time + cooldown, then the window starts empty', () => {
    const { breaker, clock, events, times } = setup({ rejects: { maxCount: 2, cooldownMs: 1000 } });
    breaker.recordReject();
    breaker.recordReject();
    clock.advanceTo(T0 + 999);
    expect(breaker.tripped).toBe(true);
    clock.advanceTo(T0 + 1000);
    expect(breaker.tripped).toBe(false);
    expect(events[1]).toEqual({
      kind: 'CircuitBreakerReset',
      actor: 'circuit-breaker',
      reason: 'cooldown elapsed after rejects trip',
      condition: 'rejects',
      at: T0 + 1000,
      automatic: true,
    });
    expect(times).toEqual([T0, T0 + 1000]);
    breaker.recordReject();
    expect(breaker.tripped).toBe(false);
  });
  it('a manual trip replaces an automatic one and cancels its cooldown', () => {
    const { breaker, clock, events } = setup({ errors: { maxCount: 1, cooldownMs: 10 } });
    breaker.recordError();
    breaker.trip('hold');
    clock.advanceBy(1000);
    expect(breaker.state).toEqual({ condition: 'manual', reason: 'hold', resetDueAt: null });
    expect(events).toHaveLength(2);
  });
  it('a manual reset works any time, and re-anchors the price band', () => {
    const { breaker, clock } = setup({ priceBand: { bps: 100, cooldownMs: null } });
    breaker.recordPrice(100);
    breaker.recordPrice(120);
    clock.advanceBy(86_400_000);
    expect(breaker.tripped).toBe(true);
    breaker.reset('bob', 'new level');
    breaker.recordPrice(121);
    expect(breaker.tripped).toBe(false);
  });
});

describe('restart', () => {
  it('restore() rebuilds the trip and its pending cooldown from the events alone', () => {
    const a = setup({ rejects: { maxCount: 1, cooldownMs: 1000 } });
    a.breaker.recordReject();
    const b = setup();
    b.clock.advanceTo(T0 + 400);
    b.breaker.restore(a.events);
    expect(b.breaker.blocks()).toBe('circuit breaker tripped: 1 rejects within 60000 ms (limit 1)');
    b.clock.advanceTo(T0 + 999);
    expect(b.breaker.tripped).toBe(true);
    b.clock.advanceTo(T0 + 1000);
    expect(b.breaker.tripped).toBe(false);
    expect(b.events).toMatchObject([{ kind: 'CircuitBreakerReset', automatic: true, at: T0 + 1000 }]);
  });
  it('old events without a condition fold to a manual trip; a reset clears', () => {
    expect(foldBreaker([{ kind: 'CircuitBreakerTripped', reason: 'x' }])).toEqual({
      condition: 'manual',
      reason: 'x',
      resetDueAt: null,
    });
    expect(
      foldBreaker([
        { kind: 'CircuitBreakerTripped', reason: 'x' },
        { kind: 'CircuitBreakerReset', actor: 'a', reason: 'r' },
      ]),
    ).toBeNull();
  });
});

// ---- properties -------------------------------------------------------------------------------

type Op =
  | { k: 'reject' }
  | { k: 'error' }
  | { k: 'trip' }
  | { k: 'reset' }
  | { k: 'data' }
  | { k: 'equity'; v: number }
  | { k: 'price'; v: number }
  | { k: 'wait'; ms: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Op>({ k: 'reject' }, { k: 'error' }, { k: 'trip' }, { k: 'reset' }, { k: 'data' }),
  fc.record({ k: fc.constant('equity' as const), v: fc.integer({ min: -500, max: 500 }) }),
  fc.record({ k: fc.constant('price' as const), v: fc.integer({ min: 90, max: 110 }) }),
  fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
);
function apply(b: CircuitBreaker, clock: VirtualClock, op: Op): void {
  if (op.k === 'reject') b.recordReject();
  else if (op.k === 'error') b.recordError();
  else if (op.k === 'trip') b.trip('manual', 'ops');
  else if (op.k === 'reset') b.reset('ops', 'ok');
  else if (op.k === 'data') b.recordMarketData(clock.now());
  else if (op.k === 'equity') b.recordEquity(op.v);
  else if (op.k === 'price') b.recordPrice(op.v);
  else clock.advanceBy(op.ms);
}
const allOn: BreakerConfigInput = {
  rejects: { maxCount: 3, windowMs: 2000, cooldownMs: 1500 },
  errors: { maxCount: 2, windowMs: 1000, cooldownMs: 0 },
  loss: { max: 300, cooldownMs: 2000 },
  drawdown: { max: 400 },
  priceBand: { bps: 500, cooldownMs: 1000 },
  staleData: { maxAgeMs: 2500, cooldownMs: 700 },
};

describe('properties', () => {
  it("while tripped blocks() is never null (and null otherwise); the events fold to the state; every operator's trip and reset is logged", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60, size: 'max' }), (ops) => {
        const { breaker, clock, events } = setup(allOn);
        for (const op of ops) {
          const before = events.length;
          apply(breaker, clock, op);
          if (op.k === 'trip' || op.k === 'reset') {
            expect(events.length).toBe(before + 1);
            expect(events[before]).toMatchObject(
              op.k === 'trip'
                ? { kind: 'CircuitBreakerTripped', actor: 'ops', reason: 'manual' }
                : { kind: 'CircuitBreakerReset', actor: 'ops', reason: 'ok', automatic: false },
            );
          }
          const why = breaker.blocks();
          expect(why !== null).toBe(breaker.tripped);
          expect(foldBreaker(events)).toEqual(breaker.state);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects trip exactly when the model count within the window reaches N', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40, size: 'max' }),
        (n, w, gaps) => {
          const { breaker, events } = setup({ rejects: { maxCount: n, windowMs: w, cooldownMs: null } });
          const at: number[] = [];
          let t = T0,
            expected = -1,
            got = -1;
          gaps.forEach((g, i) => {
            t += g;
            at.push(t);
            if (expected < 0 && at.filter((x) => x > t - w).length >= n) expected = i;
            breaker.recordReject(t);
            if (got < 0 && events.length > 0) got = i;
          });
          expect(got).toBe(expected);
          expect(events.length).toBe(expected < 0 ? 0 : 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('loss, drawdown and price band trip exactly at the first model crossing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.array(fc.tuple(fc.integer({ min: -400, max: 400 }), fc.integer({ min: 800, max: 1200 })), {
          minLength: 1,
          maxLength: 40,
          size: 'max',
        }),
        (maxLoss, maxDd, bps, samples) => {
          const { breaker, events } = setup({ loss: { max: maxLoss }, drawdown: { max: maxDd }, priceBand: { bps } });
          const [e0, p0] = samples[0] as [number, number];
          let peak = e0,
            expected: string | null = null,
            got: string | null = null;
          samples.forEach(([e, p], i) => {
            peak = Math.max(peak, e);
            const want =
              e0 - e > maxLoss
                ? 'loss'
                : peak - e > maxDd
                  ? 'drawdown'
                  : Math.abs(p - p0) * 10_000 > bps * p0
                    ? 'priceBand'
                    : null;
            if (expected === null && want) expected = `${i}:${want}`;
            breaker.recordEquity(e);
            breaker.recordPrice(p);
            if (got === null && events.length > 0) got = `${i}:${trips(events)[0]?.condition}`;
          });
          expect(got).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stale data trips on the first check later than maxAgeMs after the last data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 600 })), { maxLength: 30, size: 'max' }),
        (maxAge, steps) => {
          const { breaker, clock } = setup({ staleData: { maxAgeMs: maxAge, cooldownMs: null } });
          let last: number | null = null,
            model = false;
          for (const [data, wait] of steps) {
            clock.advanceBy(wait);
            if (data) {
              breaker.recordMarketData(clock.now());
              last = clock.now();
            }
            model ||= last !== null && clock.now() - last > maxAge;
            breaker.blocks();
            expect(breaker.tripped).toBe(model);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an automatic reset happens exactly at trip time + cooldown unless a manual trip or reset comes first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.array(opArb, { maxLength: 60, size: 'max' }),
        (cooldownMs, ops) => {
          const { breaker, clock, events, times } = setup({
            rejects: { maxCount: 1, cooldownMs },
            errors: { maxCount: 1, cooldownMs },
          });
          for (const op of ops)
            apply(
              breaker,
              clock,
              op.k === 'equity' || op.k === 'price' || op.k === 'data' ? { k: 'wait', ms: 100 } : op,
            );
          clock.advanceBy(cooldownMs);
          events.forEach((e, i) => {
            expect(e.at).toBe(times[i]);
            if (e.kind !== 'CircuitBreakerTripped' || e.condition === 'manual') return;
            expect(e.resetDueAt).toBe((e.at as number) + cooldownMs);
            const next = events[i + 1];
            expect(next).toBeDefined();
            if (next?.kind === 'CircuitBreakerReset' && next.automatic) expect(next.at).toBe(e.resetDueAt);
            else expect(next?.at).toBeLessThanOrEqual(e.resetDueAt as number);
          });
          expect(events.filter((e) => e.kind === 'CircuitBreakerReset' && e.automatic)).toHaveLength(
            events.filter(
              (e, i) =>
                e.kind === 'CircuitBreakerTripped' &&
                e.condition !== 'manual' &&
                events[i + 1]?.kind === 'CircuitBreakerReset' &&
                (events[i + 1] as { automatic: boolean }).automatic,
            ).length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
