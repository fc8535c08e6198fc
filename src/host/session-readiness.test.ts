// A session's readiness judged from its facts: each fact that is not healthy gives its reason,
// in a fixed order, and the session is ready exactly when there is none.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FallbackStatus } from '../core/market/quote-fallback.ts';
import type { Symbol } from '../core/model/ids.ts';
import { assessReadiness, type ReadinessFacts } from './session-readiness.ts';

const strategy = (over: Partial<NonNullable<ReadinessFacts['strategy']>> = {}): ReadinessFacts['strategy'] => ({
  name: 'bars',
  module: 'bars.ts',
  codeHash: 'h',
  params: '{}',
  running: true,
  stopped: false,
  notHydrated: [],
  ...over,
});

const healthy: ReadinessFacts = {
  stopping: false,
  status: {
    stopped: false,
    gate: 'ready',
    killSwitch: 'active',
    breaker: { tripped: false, reason: null },
    connections: { orders: 'connected' },
  },
  started: true,
  quotes: [{ symbol: 'BTCUSDT', quote: { ageMs: 10, stale: false } }],
  fallback: [],
  strategy: strategy(),
};

const fallback = (over: Partial<FallbackStatus>): FallbackStatus => ({
  symbol: 'BTCUSDT' as Symbol,
  reason: 'feed down',
  onFallback: true,
  fallbackAgeMs: 1234.4,
  ...over,
});

describe('assessReadiness', () => {
  it('is ready with no reason when every fact is healthy', () => {
    expect(assessReadiness(healthy)).toEqual({ ready: true, reasons: [] });
  });

  it('names each unhealthy fact, in order', () => {
    const r = assessReadiness({
      stopping: false,
      status: {
        stopped: false,
        gate: { waiting: 'not ready: startup reconciliation timed out' },
        killSwitch: 'halted',
        breaker: { tripped: true, reason: '3 venue errors in 60 s' },
        connections: { orders: 'connected', market: 'disconnected' },
      },
      started: false,
      quotes: [{ symbol: 'BTCUSDT', quote: { ageMs: 9000, stale: true } }],
      fallback: [fallback({}), fallback({ onFallback: false, fallbackAgeMs: null, symbol: 'ETHUSDT' as Symbol })],
      strategy: strategy({ notHydrated: ['BTCUSDT: warm-up 1 of 2 bars'] }),
    });
    expect(r).toEqual({
      ready: false,
      reasons: [
        'not ready: startup reconciliation timed out',
        'the kill switch is halted',
        'the circuit breaker is tripped: 3 venue errors in 60 s',
        'market data stale: the latest quote is 9000 ms old',
        'market data degraded: BTCUSDT reads fallback quotes (feed down; the newest is 1234 ms old)',
        'market data degraded: ETHUSDT has no quote (feed down; no fallback quote is held)',
        'venue stream market disconnected',
        'strategy bars not hydrated: BTCUSDT: warm-up 1 of 2 bars',
      ],
    });
  });

  it('says startup runs until the gate opened once, and no market data before the first quote', () => {
    expect(
      assessReadiness({ ...healthy, started: false, quotes: [{ symbol: 'BTCUSDT', quote: null }] }).reasons,
    ).toEqual(['not ready: startup reconciliation is running', 'no market data yet']);
    expect(assessReadiness({ ...healthy, fallback: [fallback({ onFallback: false })] }).reasons).toEqual([
      'market data degraded: BTCUSDT has no quote (feed down; the newest fallback quote is 1234 ms old, past its limit)',
    ]);
  });

  it('a session of several symbols names the symbol of each quote missing or stale', () => {
    const quotes = [
      { symbol: 'BTCUSDT', quote: { ageMs: 10, stale: false } },
      { symbol: 'ETHUSDT', quote: null },
      { symbol: 'SOLUSDT', quote: { ageMs: 7000, stale: true } },
    ];
    expect(assessReadiness({ ...healthy, quotes }).reasons).toEqual([
      'no market data of ETHUSDT yet',
      'market data stale: the latest quote of SOLUSDT is 7000 ms old',
    ]);
  });

  it('a stopped strategy is a reason, except while the session stops (it stops the strategy too)', () => {
    const stopped = strategy({ running: false, stopped: true });
    expect(assessReadiness({ ...healthy, strategy: stopped }).reasons).toEqual(['strategy bars has stopped']);
    expect(assessReadiness({ ...healthy, stopping: true, strategy: stopped }).reasons).toEqual([
      'the session is stopping',
    ]);
    expect(
      assessReadiness({ ...healthy, status: { ...healthy.status, stopped: true }, strategy: stopped }).reasons,
    ).toEqual(['the session is stopping', 'strategy bars has stopped']);
  });

  it('property: ready exactly when no reason is given, and every healthy fact adds none', () => {
    const facts = fc.record({
      stopping: fc.boolean(),
      status: fc.record({
        stopped: fc.boolean(),
        gate: fc.oneof(fc.constant('ready' as const), fc.record({ waiting: fc.constant('waiting') })),
        killSwitch: fc.constantFrom('active', 'reducing', 'halted'),
        breaker: fc.record({ tripped: fc.boolean(), reason: fc.option(fc.constant('errors')) }),
        connections: fc.dictionary(
          fc.constantFrom('orders', 'market'),
          fc.constantFrom('connected', 'disconnected', 'connecting'),
        ),
      }),
      started: fc.boolean(),
      quotes: fc.array(
        fc.record({
          symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT', 'SOLUSDT'),
          quote: fc.option(fc.record({ ageMs: fc.nat(), stale: fc.boolean() })),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      fallback: fc.array(
        fc.record({ onFallback: fc.boolean() }).map((f) => fallback(f)),
        { maxLength: 2 },
      ),
      strategy: fc.option(
        fc
          .record({ stopped: fc.boolean(), notHydrated: fc.array(fc.constant('x'), { maxLength: 2 }) })
          .map((s) => strategy(s)),
      ),
    });
    fc.assert(
      fc.property(facts, (f) => {
        const r = assessReadiness(f);
        expect(r.ready).toBe(r.reasons.length === 0);
        const healthyNow =
          !f.stopping &&
          !f.status.stopped &&
          f.status.gate === 'ready' &&
          f.started &&
          f.status.killSwitch !== 'halted' &&
          !f.status.breaker.tripped &&
          f.quotes.every((q) => q.quote !== null && !q.quote.stale) &&
          f.fallback.length === 0 &&
          Object.values(f.status.connections).every((s) => s === 'connected') &&
          (f.strategy === null || (!f.strategy.stopped && f.strategy.notHydrated.length === 0));
        expect(r.ready).toBe(healthyNow);
      }),
    );
  });
});
