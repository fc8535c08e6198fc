// The circuit breaker's market and money conditions on whole runs: the engine feeds it our
// market-data time, the mid and our equity (cash from fills + position at the mid) before every
// order and slice and after every fill (risk/breaker-feed.ts). Each test trips one condition
// with the fault that should trip it, and checks what the trip stopped.
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import type { BreakerResetEvent, BreakerTrippedEvent } from '../../src/core/risk/circuit-breaker.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseUtcInstant } from '../../src/core/model/time-fields.ts';

const START = parseUtcInstant('2024-08-09T00:00:00Z');

function run(body: string) {
  const text = `
name: breaker-feed
seed: 5
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 10, fillReport: 10, marketData: 5 } }
instrument: { symbol: TEST, tickSize: "0.01", lotSize: "0.01", minNotional: "0" }
start: 2024-08-09T00:00:00Z
fillDetection: { enabled: false }
${body}`;
  const log: LogEntry[] = [];
  const report = runScenario(parseScenario(text, 'inline.yaml'), { onEntry: (e) => log.push(e) });
  const events = <K extends ExecEvent['kind']>(kind: K) =>
    log.filter((e) => e.event.kind === kind) as Array<LogEntry<Extract<ExecEvent, { kind: K }>>>;
  const trips = events('CircuitBreakerTripped') as unknown as Array<LogEntry<BreakerTrippedEvent>>;
  const resets = events('CircuitBreakerReset') as unknown as Array<LogEntry<BreakerResetEvent>>;
  return { report, events, trips, resets };
}

/** A moving synthetic market around 100.00 (it quotes every 100 ms). */
const MOVING =
  'market: { model: synthetic, initialPrice: "100.00", volatility: 0.02, stepMs: 100, spreadTicks: 2, depth: ["50", "50", "50"] }';
const TWAP = (every: string, total: string) =>
  `orders:\n  - { id: twap, at: PT1S, side: buy, qty: "10", type: market, twap: { duration: ${total}, interval: ${every}, maxPriceDeviation: 1 } }`;

describe('breaker fed by the engine', () => {
  it('trips on market data older than the limit while quotes are stale, refuses slices, and resets after fresh data', () => {
    const { trips, resets, events } = run(`
duration: PT6M
${MOVING}
safety: { breaker: { staleData: { maxAgeMs: 60000, cooldownMs: 30000 }, priceBand: null } }
faults:
  - { kind: stale_quotes, from: PT1M, until: PT3M }
${TWAP('PT30S', 'PT5M')}`);
    expect(trips).toHaveLength(1);
    const trip = trips[0]!;
    expect(trip.event.condition).toBe('staleData');
    // The first slice after 60 s without data (quotes froze at 1 min) sees it: slices run at 1 s + 30 s k.
    expect(trip.time).toBe(START + 121_000);
    expect(Number(trip.event.observed)).toBeGreaterThan(60_000);
    // Slices due while tripped are skipped by the guard, with the breaker's reason (the one at the
    // reset's instant too: it ran first); their quantity is carried to the next slice.
    const skipped = events('SliceSkipped');
    expect(skipped.map((e) => [e.event.sliceNum, e.time - START])).toEqual([
      [5, 121_000],
      [6, 151_000],
    ]);
    for (const e of skipped) expect(e.event.reason).toContain('market data 61');
    // The cooldown reset it; after the quotes came back, slices went out again and nothing re-tripped.
    expect(resets.map((r) => r.event.automatic)).toEqual([true]);
    const sentAfter = events('SubmitOrder').filter((e) => e.time > START + 180_000);
    expect(sentAfter.length).toBeGreaterThan(0);
  });

  it('trips on a price jump beyond the band, then takes the new level as its reference after the cooldown', () => {
    const { trips, resets, events } = run(`
duration: PT5M
${MOVING}
safety: { breaker: { priceBand: { bps: 300, cooldownMs: 60000 }, staleData: null } }
faults:
  - { kind: price_jump, at: PT1M10S, bps: 800 }
${TWAP('PT30S', 'PT4M')}`);
    expect(trips.map((t) => t.event.condition)).toEqual(['priceBand']);
    const trip = trips[0]!;
    expect(trip.time).toBe(START + 91_000); // the first slice after the jump at 70 s
    // Observed 8% above a reference near 100.00 (ticks of 0.01).
    expect(Number(trip.event.observed) / Number(trip.event.reference)).toBeGreaterThan(1.07);
    expect(resets).toHaveLength(1);
    const skipped = events('SliceSkipped');
    // 151 s: the slice runs before the reset due then.
    expect(skipped.map((e) => e.time - START)).toEqual([91_000, 121_000, 151_000]);
    for (const e of skipped) expect(e.event.reason).toContain('outside 300 bps');
    // The reason states prices as the instrument writes them, not tick counts.
    expect(skipped[0]?.event.reason).toMatch(/price \d{3}\.\d+ outside 300 bps of reference (99|100)(\.\d+)?$/);
    // Rebaselined at the reset: later slices at the new level went out.
    expect(events('SubmitOrder').some((e) => e.time > resets[0]!.time)).toBe(true);
  });

  it('trips on the loss limit in quote currency after a fill marked at the mid, and holds until a manual reset', () => {
    // Bid 99 / ask 101: buying 5 at 101 is worth 500 at the mid 100, a loss of 5.00 plus fees.
    const { trips, resets, events, report } = run(`
duration: PT2M
market:
  model: static_book
  bids: [["99.00", "100"]]
  asks: [["101.00", "100"]]
safety: { breaker: { loss: { max: "4.00" }, staleData: null, priceBand: null } }
orders:
  - { id: losing, at: PT1S, side: buy, qty: "5", type: market, route: single }
  - { id: after, at: PT30S, side: buy, qty: "1", type: market, route: single }`);
    expect(trips.map((t) => t.event.condition)).toEqual(['loss']);
    // In notional units (0.0001 quote): the limit 4.00 is 40000 units; the loss 5.00 plus fees.
    expect(Number(trips[0]!.event.observed)).toBeGreaterThan(50_000);
    expect(trips[0]!.event.limit).toBe('40000');
    expect(resets).toHaveLength(0); // loss limits need an operator
    expect(events('OrderAbandoned').map((e) => e.event.reason)).toEqual([expect.stringContaining('loss')]);
    // In quote currency, as the limit was written (4.00), not in notional units.
    expect(events('OrderAbandoned')[0]?.event.reason).toMatch(/loss 5\.\d+ exceeds 4 \(start 0, equity -5\.\d+\)/);
    expect(report.parents.find((p) => p.id === 'after')?.filledQty).toBe('0');
  });

  it('refuses a market order before any market data: it cannot be valued (fail closed)', () => {
    const { report, events } = run(`
duration: PT10S
${MOVING}
orders:
  - { id: blind, side: buy, qty: "1", type: market, route: single }
  - { id: seeing, at: PT1S, side: buy, qty: "1", type: market, route: single }`);
    expect(report.rejectedParents).toEqual([
      expect.objectContaining({ id: 'blind', stage: 'pre_trade', code: 'no-reference-price' }),
    ]);
    expect(events('SubmitOrder')).toHaveLength(1);
    expect(report.parents.map((p) => p.id)).toEqual(['seeing']);
  });

  it('leaves runs without a breaker block alone: no conditions, no trips, under the same faults', () => {
    const { trips } = run(`
duration: PT5M
${MOVING}
faults:
  - { kind: stale_quotes, from: PT1M, until: PT3M }
  - { kind: price_jump, at: PT3M10S, bps: 800 }
${TWAP('PT30S', 'PT4M')}`);
    expect(trips).toHaveLength(0);
  });
});
