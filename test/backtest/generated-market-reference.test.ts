// Whole runs of generated markets (synthetic, Almgren-Chriss) against the previous implementation
// kept in bench/reference/: for random market specs, faults, latencies and orders (market and
// limit TWAPs, so our orders rest while the book is redrawn), the current venue must log exactly
// the run the previous one logged (equal digests), with no more clock actions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceBuildVenue } from '../../bench/reference/index.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const synthetic = fc.record({
  // arithmetic: price units per sqrt(second); geometric: log-return per sqrt(second)
  walk: fc.oneof(
    fc.record({ walk: fc.constant('arithmetic'), volatility: fc.constantFrom('0.2', '1.0', '5.0') }),
    fc.record({ walk: fc.constant('geometric'), volatility: fc.constantFrom('0.00005', '0.0005') }),
  ),
  stepMs: fc.constantFrom(100, 250, 1000),
  spacing: fc.integer({ min: 1, max: 6 }),
  regimes: fc.boolean(),
  trades: fc.option(fc.record({ rate: fc.constantFrom(1, 5, 20), mean: fc.constantFrom('0.01', '0.05', '0.3') })),
});

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  model: fc.oneof(
    synthetic.map((m) => ({ kind: 'synthetic' as const, ...m })),
    fc.constant({ kind: 'almgren_chriss' as const }),
  ),
  marketData: fc.constantFrom('2', '0', '100', '{ ms: 2, jitterMs: 3 }'),
  // A fixed order-entry delay puts our orders' arrivals on whole milliseconds, where a step may
  // fall at the same instant (the synthetic model applies steps late while the book is quiet).
  orderEntry: fc.constantFrom('{ ms: 15, jitterMs: 10 }', '{ ms: 100 }', '0'),
  sampleMs: fc.option(fc.constantFrom(100, 1000, 2500)),
  // A price a few ticks above the one-tick floor: held there, with a warning at each fall.
  lowPrice: fc.boolean(),
  // Someone else's order on the account resting at the venue: at the touch (the book reaches it
  // within seconds), near it, or far from it (300 and 2,000 USDT; the model keeps its events as
  // data while the walk's mids to come cannot bring the book there, and the -80 bps price jump
  // takes the book through the buy 300 under).
  external: fc.constantFrom<string | null>(
    null,
    '60999.50',
    '61000.60',
    '60990.00',
    '60700.00',
    '61300.00',
    '59000.00',
  ),
  limit: fc.boolean(),
  side: fc.constantFrom('buy', 'sell'),
  faults: fc.subarray([
    '{ kind: spread_shift, from: PT1M, until: PT2M, factor: 5 }',
    '{ kind: liquidity_drop, from: PT1M30S, until: PT2M30S, depthFactor: 0.3 }',
    '{ kind: stale_quotes, from: PT2M, until: PT2M20S }',
    '{ kind: price_jump, at: PT2M40S, bps: -80 }',
    '{ kind: halt, from: PT3M, until: PT3M10S }',
  ]),
});

function yaml(s: typeof scenario extends fc.Arbitrary<infer T> ? T : never): string {
  const m = s.model;
  const market =
    m.kind === 'synthetic'
      ? `  model: synthetic
  initialPrice: "${s.lowPrice ? '0.40' : '61000.00'}"
  walk: ${m.walk.walk}
  volatility: ${m.walk.volatility}
  stepMs: ${m.stepMs}
${m.regimes ? '  regimes: [{ spreadTicks: 2, meanDuration: PT20S }, { spreadTicks: 9, meanDuration: PT5S }]' : '  spreadTicks: 3'}
  depth: ["0.05", "0.1", "0.2", "0.4"]
  levelSpacingTicks: ${m.spacing}
${m.trades ? `  trades: { ratePerSec: ${m.trades.rate}, meanQty: "${m.trades.mean}" }` : ''}`
      : `  model: almgren_chriss
  initialPrice: "61000.00"
  sigma: 300
  timeUnit: day
  gamma: 2
  epsilon: 0.5
  eta: 0.0035
  rateInterval: PT1M
  stepMs: 500
  depth: ["0.2", "0.2", "0.2"]`;
  const twap = s.limit
    ? `type: limit\n    twap: { duration: PT3M, interval: PT20S, limitOffsetTicks: 1, maxPriceDeviation: 0.5 }`
    : `type: market\n    twap: { duration: PT3M, slices: 9, maxPriceDeviation: 0.5 }`;
  return `
name: generated-market-reference
seed: ${s.seed}
venue: { name: binance-spot, latency: { orderEntry: ${s.orderEntry}, ack: 10, fillReport: 5, marketData: ${s.marketData} } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT4M
market:
${market}
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - id: twap
    at: PT20S
    side: ${s.side}
    qty: "0.5"
    ${twap}
${s.faults.length > 0 ? `faults:\n${s.faults.map((f) => `  - ${f}`).join('\n')}` : ''}
${s.sampleMs !== null ? `report: { sampleMs: ${s.sampleMs} }` : ''}
${s.external !== null ? `externalOrders:\n  - { clientOrderId: ext-1, at: PT1M, side: ${Number(s.external) > 61000 ? 'sell' : 'buy'}, qty: "0.01", limitPrice: "${s.external}" }` : ''}
`;
}

describe('generated markets against the previous implementation', () => {
  it('property: the same scenario logs the same run (equal digests) with no more clock actions', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const loaded = parseScenario(yaml(s), 'generated-market-reference.yaml');
        const current = runScenario(loaded);
        const reference = runScenario(loaded, { buildVenue: referenceBuildVenue });
        expect(current.events).toBe(reference.events);
        expect(current.digest).toBe(reference.digest);
        expect(current.clockActions).toBeLessThanOrEqual(reference.clockActions);
      }),
      { numRuns: 30 },
    );
  });
});

describe('a synthetic market with nothing of ours within reach', () => {
  /** A busy synthetic market for four minutes (2,400 steps, about 1,200 trades), a market TWAP, and
   *  someone else's limit order resting from the first minute at `external` (or none). */
  const run = (external: string | null, faults: string[] = []) => {
    const loaded = parseScenario(
      yaml({
        seed: 5,
        model: {
          kind: 'synthetic',
          walk: { walk: 'arithmetic', volatility: '1.0' },
          stepMs: 100,
          spacing: 5,
          regimes: true,
          trades: { rate: 5, mean: '0.01' },
        },
        marketData: '2',
        orderEntry: '{ ms: 15, jitterMs: 10 }',
        sampleMs: 1000,
        lowPrice: false,
        external,
        limit: false,
        side: 'buy',
        faults,
      }),
      'quiet.yaml',
    );
    return { current: runScenario(loaded), reference: runScenario(loaded, { buildVenue: referenceBuildVenue }) };
  };

  it('keeps its steps and trades as data (a small share of the clock actions) and logs the same run', () => {
    const { current, reference } = run(null);
    expect(current.digest).toBe(reference.digest);
    // The steps stay on the clock as bare counts, the trades not at all.
    expect(current.clockActions).toBeLessThan(reference.clockActions * 0.75);
  });

  it('does so too while an order rests where the walk does not take the book, and logs the same run', () => {
    // 2,000 USDT under the market, and 50 USDT under it: within 12 standard deviations of a
    // minute's walk (about 93), where a bound on how far the walk may go would stop deferring;
    // the walk's own mids to come (drawn ahead) never bring the book there in these minutes.
    const far = run('59000.00');
    expect(far.current.digest).toBe(far.reference.digest);
    expect(far.current.clockActions).toBeLessThan(far.reference.clockActions * 0.75);
    const near = run('60950.00');
    expect(near.current.digest).toBe(near.reference.digest);
    expect(near.current.clockActions).toBe(far.current.clockActions);
  });

  it('steps and trades one by one while the book can reach an order, and logs the same run', () => {
    // Half a dollar under the mid: the book comes down to it within seconds and fills it; around
    // then the steps and trades run as clock actions of their own.
    const far = run('59000.00');
    const touched = run('60999.50');
    expect(touched.current.digest).toBe(touched.reference.digest);
    expect(touched.current.digest).not.toBe(far.current.digest);
    expect(touched.current.clockActions).toBeGreaterThan(far.current.clockActions);
  });

  it('fills the far order as the previous venue does when a price jump takes the book through it', () => {
    // 300 USDT under the market, out of the walk's reach until the -80 bps jump (488 USDT) at 2:40.
    const { current, reference } = run('60700.00', ['{ kind: price_jump, at: PT2M40S, bps: -80 }']);
    expect(current.digest).toBe(reference.digest);
    // Someone else's order: its fill reaches our log as a report for an order we do not know.
    expect(current.discrepancyNotes).toContain("position at the end: ours 50000 lots, the venue's 51000");
    expect(current.clockActions).toBeLessThan(reference.clockActions * 0.75);
  });
});
