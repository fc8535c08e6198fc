// Order manager properties: copies of one signal never become two orders, also when the
// memory is rebuilt from the log after a restart; only an accepted signal occupies its dedup
// window (one refused by a guard or a check does not); no signal passes a halted kill switch or
// a tripped breaker. Scenarios run on a static book (no randomness but the generated cases).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import type { SignalDedupRecord } from '../../src/core/model/safety-events.ts';
import { SignalDeduplicator } from '../../src/core/safety/signal-dedup.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

interface Sig {
  at: number;
  side: 'buy' | 'sell';
  price: number | null;
  /** Above the default pre-trade limits without a confirmation: refused by the checks. */
  big?: boolean;
}

function yaml(signals: readonly Sig[], actions: readonly string[] = []): string {
  return `
name: manager-property
seed: 5
venue: { name: binance-spot, latency: { orderEntry: 5, ack: 5, fillReport: 5 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT20M
market:
  model: static_book
  bids: [["60999.00", "50"], ["60990.00", "50"]]
  asks: [["61001.00", "50"], ["61010.00", "50"]]
routing: { twapThreshold: "1000000" }
fillDetection: { enabled: false }
actions: [${actions.join(', ')}]
signals:
${signals.map((s, i) => `  - { id: s${i}, at: PT${s.at}S, side: ${s.side}, qty: "${s.big ? '1' : '0.01'}"${s.price === null ? '' : `, price: "${s.price}.00"`} }`).join('\n')}
`;
}

function run(signals: readonly Sig[], actions: readonly string[] = []) {
  const log: LogEntry[] = [];
  runScenario(parseScenario(yaml(signals, actions), 'inline.yaml'), { onEntry: (e) => log.push(e) });
  return log;
}

const sigArbFields = {
  at: fc.integer({ min: 1, max: 1100 }),
  side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
  price: fc.option(fc.constantFrom(60995, 61000, 61005), { nil: null }),
};
const sigArb = fc.record(sigArbFields);

describe('order manager', () => {
  it('never lets two orders through for copies of one signal within the dedup window', () => {
    fc.assert(
      fc.property(fc.array(sigArb, { minLength: 1, maxLength: 12, size: 'max' }), (signals) => {
        const log = run(signals);
        const accepted = log.flatMap((e) => (e.event.kind === 'SignalAccepted' ? [e] : []));
        const received = new Map(
          log.flatMap((e) => (e.event.kind === 'SignalReceived' ? [[e.event.signalId, e] as const] : [])),
        );
        // No two accepted signals with the same key less than 5 minutes (the window) apart.
        for (const a of accepted) {
          for (const b of accepted) {
            if (a === b) continue;
            const ra = received.get((a.event as { signalId: string }).signalId)?.event;
            const rb = received.get((b.event as { signalId: string }).signalId)?.event;
            if (ra?.kind !== 'SignalReceived' || rb?.kind !== 'SignalReceived') throw new Error('no SignalReceived');
            const sameKey = ra.side === rb.side && ra.price === rb.price;
            if (sameKey) expect(Math.abs(a.time - b.time)).toBeGreaterThanOrEqual(300_000);
          }
        }
        // One parent per accepted signal, one submission per parent's order, never a second venue order.
        const parents = accepted.map((e) => (e.event as { parentId: string }).parentId);
        expect(new Set(parents).size).toBe(parents.length);
        const acks = new Map<string, Set<string>>();
        for (const { event } of log) {
          if (event.kind !== 'AckReport') continue;
          acks.set(event.clientOrderId, (acks.get(event.clientOrderId) ?? new Set()).add(event.venueOrderId));
        }
        for (const ids of acks.values()) expect(ids.size).toBe(1);
        // The dedup memory logs each accepted signal once, right before its acceptance: a second
        // copy would double the records a restart rebuilds the memory from.
        const registered = log.filter((e) => e.event.kind === 'SignalRegistered');
        expect(registered).toHaveLength(accepted.length);
        for (const r of registered) expect(log[log.indexOf(r) + 1]?.event.kind).toBe('SignalAccepted');
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('remembers only accepted signals: one refused by a guard or a check leaves its window to the next copy', () => {
    const halt = fc
      .tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 190 }))
      .map(([at, len]) => [
        `{ at: PT${at}S, kind: kill_switch, state: halted, actor: ops, reason: test }`,
        `{ at: PT${at + len}S, kind: kill_switch, state: active, actor: ops, reason: test }`,
      ]);
    fc.assert(
      fc.property(
        fc.array(fc.record({ ...sigArbFields, big: fc.boolean() }), { minLength: 2, maxLength: 12, size: 'max' }),
        fc.option(halt, { nil: null }),
        (signals, window) => {
          const log = run(signals, window ?? []);
          const accepted = new Set(log.flatMap((e) => (e.event.kind === 'SignalAccepted' ? [e.event.signalId] : [])));
          for (const { event } of log) {
            if (event.kind !== 'SignalRejected' || event.code !== 'duplicate-signal') continue;
            // A duplicate names the signal it copies: always one that was accepted, at an ISO time.
            const m = /^duplicate of signal (\S+) at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$/.exec(event.reason);
            expect(m, event.reason).not.toBeNull();
            expect(accepted.has(m![1]!), event.reason).toBe(true);
          }
          // A refused signal (a guard, a pre-trade check) registered nothing.
          const refused = new Set(
            log.flatMap((e) =>
              e.event.kind === 'SignalRejected' && e.event.stage !== 'dedup' ? [e.event.signalId] : [],
            ),
          );
          for (const { event } of log)
            if (event.kind === 'SignalRegistered') expect(refused.has(event.signalId ?? '')).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it('a deduplicator rebuilt from the logged records after a restart refuses the same copies', () => {
    fc.assert(
      fc.property(fc.array(sigArb, { minLength: 2, maxLength: 12, size: 'max' }), fc.nat(), (signals, cut) => {
        const sorted = [...signals].sort((a, b) => a.at - b.at);
        const start = Date.UTC(2024, 7, 9);
        const answer = (d: SignalDeduplicator, clock: VirtualClock, s: Sig) => {
          clock.advanceTo(start + s.at * 1000);
          return d.admit({
            symbol: 'BTCUSDT',
            side: s.side,
            entryPrice: s.price === null ? null : `${s.price}.00`,
            time: start + s.at * 1000,
          }).duplicate;
        };
        const c1 = new VirtualClock(start);
        const records: SignalDedupRecord[] = [];
        const original = new SignalDeduplicator(c1, (r) => records.push(r));
        const expected = sorted.map((s) => answer(original, c1, s));
        // Restart after `k` signals: a new deduplicator on a new clock, memory from the records.
        const k = cut % sorted.length;
        const before: SignalDedupRecord[] = [];
        const c2 = new VirtualClock(start);
        const first = new SignalDeduplicator(c2, (r) => before.push(r));
        const got = sorted.slice(0, k).map((s) => answer(first, c2, s));
        const c3 = new VirtualClock(start + (sorted[k]?.at ?? 0) * 1000);
        const restarted = new SignalDeduplicator(c3, () => {});
        restarted.restore(before);
        got.push(...sorted.slice(k).map((s) => answer(restarted, c3, s)));
        expect(got).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('no signal is accepted while the kill switch is halted or the breaker is tripped', () => {
    const action = fc
      .tuple(fc.integer({ min: 1, max: 1100 }), fc.constantFrom('halt', 'release', 'trip', 'reset'))
      .map(([at, k]) =>
        k === 'halt'
          ? `{ at: PT${at}S, kind: kill_switch, state: halted, actor: ops, reason: test }`
          : k === 'release'
            ? `{ at: PT${at}S, kind: kill_switch, state: active, actor: ops, reason: test }`
            : k === 'trip'
              ? `{ at: PT${at}S, kind: circuit_breaker, state: tripped, actor: ops, reason: test }`
              : `{ at: PT${at}S, kind: circuit_breaker, state: reset, actor: ops, reason: test }`,
      );
    fc.assert(
      fc.property(
        fc.array(sigArb, { minLength: 1, maxLength: 10 }),
        fc.array(action, { maxLength: 6 }),
        (signals, actions) => {
          let halted = false;
          let tripped = false;
          for (const { event } of run(signals, actions)) {
            if (event.kind === 'KillSwitchChanged') halted = event.state === 'halted';
            if (event.kind === 'CircuitBreakerTripped') tripped = true;
            if (event.kind === 'CircuitBreakerReset') tripped = false;
            if (event.kind === 'SignalAccepted' || event.kind === 'SubmitOrder') {
              expect(halted || tripped).toBe(false);
            }
            if (event.kind === 'SignalRejected' && event.stage === 'guards') expect(halted || tripped).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);
});
