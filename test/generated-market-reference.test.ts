// Whole runs of generated markets (synthetic, Almgren-Chriss) against the previous implementation
// kept in bench/reference/: for random market specs, faults, latencies and orders (market and
// limit TWAPs, so our orders rest while the book is redrawn), the current venue must log exactly
// the run the previous one logged (equal digests), with no more clock actions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceBuildVenue } from '../bench/reference/index.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';

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
  external: fc.boolean(),
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
${s.external ? `externalOrders:\n  - { clientOrderId: ext-1, at: PT1M, side: buy, qty: "0.01", limitPrice: "60990.00" }` : ''}
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

describe('a synthetic market with nothing of ours resting', () => {
  it('keeps its steps and trades as data (a small share of the clock actions) and logs the same run', () => {
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
        external: false,
        limit: false,
        side: 'buy',
        faults: [],
      }),
      'quiet.yaml',
    );
    const current = runScenario(loaded);
    const reference = runScenario(loaded, { buildVenue: referenceBuildVenue });
    expect(current.digest).toBe(reference.digest);
    // 2,400 steps and about 1,200 trades in four minutes: the steps stay on the clock as bare
    // counts, the trades not at all.
    expect(current.clockActions).toBeLessThan(reference.clockActions * 0.75);
  });
});
