import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { declaredSpans, observedSpans, spansIn, type ShadedSpan } from './window-series.ts';

const row = (time: number, kind: string, payload: unknown) => ({
  seq: time,
  time,
  kind,
  payload: JSON.stringify(payload),
});

describe('declared spans', () => {
  it('are the scenario faults with a window, from the run start, in order', () => {
    const scenario = {
      faults: [
        { kind: 'http_5xx', from: 'PT1M', until: 'PT3M', probability: 0.1 },
        { kind: 'price_jump', at: 'PT2M', bps: 50 },
        { kind: 'lost_reports', from: 'PT0S', until: 'PT6M', probability: 0.5 },
        { kind: 'outage', from: 'PT5M', until: 'PT5M' },
        { kind: 'outage', from: 'soon', until: 'PT9M' },
      ],
    };
    expect(declaredSpans(JSON.stringify(scenario), 1_000_000)).toEqual([
      { kind: 'lost_reports', from: 1_000_000, until: 1_360_000, declared: true },
      { kind: 'http_5xx', from: 1_060_000, until: 1_180_000, declared: true },
    ]);
  });

  it('are none for a scenario without faults or not JSON', () => {
    expect(declaredSpans('{"name":"x"}', 0)).toEqual([]);
    expect(declaredSpans('not json', 0)).toEqual([]);
  });
});

describe('observed spans', () => {
  it('open at a disconnect, a gap, a trip or a halt and close at what ends each', () => {
    const spans = observedSpans(
      [
        row(10, 'ConnectionReport', { stream: 'orders', state: 'disconnected', reason: 'x' }),
        row(12, 'ConnectionReport', { stream: 'orders', state: 'disconnected', reason: 'again' }),
        row(15, 'ConnectionReport', { stream: 'market_data', state: 'disconnected', reason: 'x' }),
        row(20, 'ConnectionReport', { stream: 'orders', state: 'connected', reason: 'x' }),
        row(30, 'MarketDataGap', { expectedId: 5, gotId: 9, lastId: 4 }),
        row(35, 'MarketDataRebuilt', { lastUpdateId: 9 }),
        row(40, 'CircuitBreakerTripped', { reason: 'rejects' }),
        row(45, 'KillSwitchChanged', { state: 'halted', actor: 'ops', reason: 'x' }),
        row(50, 'KillSwitchChanged', { state: 'reducing', actor: 'ops', reason: 'x' }),
        row(55, 'KillSwitchChanged', { state: 'active', actor: 'ops', reason: 'x' }),
        row(60, 'CircuitBreakerReset', { actor: 'ops', reason: 'x' }),
        row(70, 'ConnectionReport', { stream: 'orders', state: 'connected', reason: 'not down' }),
        row(80, 'MarketDataGap', 'not an object'),
      ],
      100,
    );
    expect(spans).toEqual([
      { kind: 'orders stream down', from: 10, until: 20, declared: false },
      { kind: 'market data stream down', from: 15, until: 100, declared: false },
      { kind: 'market data gap', from: 30, until: 35, declared: false },
      { kind: 'breaker open', from: 40, until: 60, declared: false },
      { kind: 'kill switch halted', from: 45, until: 50, declared: false },
      { kind: 'kill switch reducing', from: 50, until: 55, declared: false },
    ]);
  });

  const kinds = [
    'ConnectionReport',
    'MarketDataGap',
    'MarketDataRebuilt',
    'CircuitBreakerTripped',
    'CircuitBreakerReset',
  ];
  const event = fc.record({
    dt: fc.integer({ min: 0, max: 50 }),
    kind: fc.constantFrom(...kinds, 'KillSwitchChanged'),
    state: fc.constantFrom('connected', 'disconnected', 'active', 'halted', 'reducing'),
    stream: fc.constantFrom('orders', 'market_data'),
  });

  it('never overlap within a kind, lie inside the log, and cut to any window stay inside it', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60, size: 'max' }), fc.nat(3_000), fc.nat(3_000), (events, a, b) => {
        let t = 0;
        const rows = events.map((e) => {
          t += e.dt;
          return row(t, e.kind, { state: e.state, stream: e.stream });
        });
        const end = t + 10;
        const spans = observedSpans(rows, end);
        const byKind = new Map<string, ShadedSpan[]>();
        for (const s of spans) {
          expect(s.from).toBeLessThan(s.until);
          expect(s.from).toBeGreaterThanOrEqual(0);
          expect(s.until).toBeLessThanOrEqual(end);
          byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
        }
        for (const list of byKind.values())
          for (let i = 1; i < list.length; i++) expect(list[i]!.from).toBeGreaterThanOrEqual(list[i - 1]!.until);
        const [from, to] = a <= b ? [a, b] : [b, a];
        for (const s of spansIn(spans, from, to)) {
          expect(s.from).toBeGreaterThanOrEqual(from);
          expect(s.until).toBeLessThanOrEqual(to);
          expect(s.from).toBeLessThanOrEqual(s.until);
        }
      }),
    );
  });
});
