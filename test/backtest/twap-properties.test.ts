// TWAP safety as properties over whole runs: random slicing, random market, random faults and
// random operator actions. Whatever happens, no slice goes out while the kill switch is halted
// or the breaker is tripped, and no parent is ever filled beyond its quantity, neither in our
// ledger nor at the venue (checked against the venue's own records).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument, qtyToLots } from '../../src/core/model/instrument.ts';
import { prepareRun } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';

const START = '2024-08-09T00:00:00Z';

interface Case {
  seed: number;
  slices: number;
  qty: string;
  childType: 'market' | 'limit';
  unfilled: 'carry' | 'drop';
  faults: string[];
  actions: string[];
}

function yaml(c: Case): string {
  return `
name: twap-property
seed: ${c.seed}
venue: { name: binance-spot, latency: { orderEntry: { ms: 15, jitterMs: 20 }, ack: { ms: 10, jitterMs: 10 }, fillReport: { ms: 5, jitterMs: 10 } } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: ${START}
duration: PT6M
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 1.0
  stepMs: 500
  spreadTicks: 2
  depth: ["0.05", "0.08", "0.1", "0.2"]
  levelSpacingTicks: 3
  trades: { ratePerSec: 3, meanQty: "0.02" }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
faults: [${c.faults.join(', ')}]
actions: [${c.actions.join(', ')}]
orders:
  - id: p
    at: PT5S
    side: buy
    qty: "${c.qty}"
    type: ${c.childType}
    twap: { duration: PT4M, slices: ${c.slices}, unfilled: ${c.unfilled}${c.childType === 'limit' ? ', limitOffsetTicks: 0' : ''}, maxSpread: 0.5, maxPriceDeviation: 0.5 }
`;
}

const window = (kind: string, extra = '') =>
  fc
    .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 5, max: 90 }))
    .map(([from, len]) => `{ kind: ${kind}, from: PT${from}S, until: PT${from + len}S${extra} }`);

const faultArb = fc.oneof(
  window('outage', ', mode: mixed, timeoutMs: 2000'),
  window('outage', ', mode: timeout_after, timeoutMs: 1000'),
  window('http_5xx', ', probability: 0.5'),
  window('rate_limit', ', probability: 0.5, scope: orders'),
  window('lost_reports', ', probability: 0.5'),
  window('delayed_reports', ', delayMs: 3000'),
  window('liquidity_drop', ', depthFactor: 0.2'),
);

const actionArb = fc
  .tuple(fc.integer({ min: 0, max: 240 }), fc.integer({ min: 1, max: 90 }), fc.boolean())
  .map(([at, len, breaker]) =>
    breaker
      ? [
          `{ at: PT${at}S, kind: circuit_breaker, state: tripped, reason: t }`,
          `{ at: PT${at + len}S, kind: circuit_breaker, state: reset, reason: r }`,
        ]
      : [
          `{ at: PT${at}S, kind: kill_switch, state: halted, reason: h }`,
          `{ at: PT${at + len}S, kind: kill_switch, state: active, reason: a }`,
        ],
  );

const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.nat({ max: 1_000_000 }),
  slices: fc.integer({ min: 1, max: 12 }),
  qty: fc.constantFrom('0.05', '0.3', '1', '2.5'),
  childType: fc.constantFrom('market' as const, 'limit' as const),
  unfilled: fc.constantFrom('carry' as const, 'drop' as const),
  faults: fc.array(faultArb, { maxLength: 3 }),
  actions: fc.array(actionArb, { maxLength: 2 }).map((a) => a.flat()),
});

/** A run like runScenario's, keeping the venue to compare our ledger with its records. */
function run(c: Case) {
  const { scenario: s } = parseScenario(yaml(c), 'property.yaml');
  const inst = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const log = new EventLog(clock);
  const entries: LogEntry[] = [];
  log.addSink({ write: (e) => entries.push(e) });
  const { ledger, venue } = prepareRun({
    scenario: s,
    file: 'property.yaml',
    clock,
    rng: new Rng(s.seed),
    log,
    instrument: inst,
    start,
  });
  clock.advanceTo(start + parseDurationMs(s.duration));
  return { entries, ledger, venue, qty: qtyToLots(inst, (s.orders[0] as { qty: string }).qty) };
}

describe('TWAP properties', () => {
  it('no slice is ever submitted while the kill switch is halted or the breaker is tripped', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { entries } = run(c);
        let halted = false;
        let tripped = false;
        for (const { event } of entries) {
          if (event.kind === 'KillSwitchChanged') halted = event.state === 'halted';
          if (event.kind === 'CircuitBreakerTripped') tripped = true;
          if (event.kind === 'CircuitBreakerReset') tripped = false;
          if (event.kind === 'SubmitOrder') {
            expect(halted).toBe(false);
            expect(tripped).toBe(false);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a parent is never over-filled, in our ledger or at the venue, under partial fills, retries and outages; never two orders per id', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { ledger, venue, qty, entries } = run(c);
        const children = ledger.childrenOf(parentOrderId('p'));
        const ours = children.reduce((s, o) => s + o.filledQty, 0);
        expect(ours).toBeLessThanOrEqual(qty);
        let venueFilled = 0;
        for (const child of children) {
          const atVenue = venue.exchange.order(child.request.clientOrderId);
          if (atVenue) venueFilled += atVenue.filled;
          expect(child.filledQty).toBeLessThanOrEqual(atVenue?.filled ?? 0); // we never invent fills
        }
        expect(venueFilled).toBeLessThanOrEqual(qty);
        // The venue never holds two orders for one client order id: acks name one venue order each.
        const venueIds = new Map<string, Set<string>>();
        for (const { event } of entries) {
          if (event.kind !== 'AckReport') continue;
          const ids = venueIds.get(event.clientOrderId) ?? new Set<string>();
          ids.add(event.venueOrderId);
          venueIds.set(event.clientOrderId, ids);
        }
        for (const ids of venueIds.values()) expect(ids.size).toBe(1);
        expect(entries.filter((e) => e.event.kind === 'DiscrepancyRecorded')).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('the generated runs exercise what the properties are about (fixed cases)', () => {
    const base: Case = {
      seed: 7,
      slices: 8,
      qty: '1',
      childType: 'market',
      unfilled: 'carry',
      faults: [],
      actions: [],
    };
    // Plain: every slice goes out and the parent fills.
    const plain = run(base);
    expect(plain.entries.filter((e) => e.event.kind === 'SubmitOrder')).toHaveLength(8);
    expect(plain.ledger.childrenOf(parentOrderId('p')).reduce((s, o) => s + o.filledQty, 0)).toBe(plain.qty);
    // A halt blocks slices, with the reason logged.
    const halted = run({
      ...base,
      actions: [
        '{ at: PT40S, kind: kill_switch, state: halted, reason: h }',
        '{ at: PT120S, kind: kill_switch, state: active, reason: a }',
      ],
    });
    expect(halted.entries.some((e) => e.event.kind === 'SliceSkipped' && e.event.reason === 'kill switch halted')).toBe(
      true,
    );
    // Lost submits during an outage are looked up and resent with the same id.
    const outage = run({
      ...base,
      faults: ['{ kind: outage, from: PT20S, until: PT100S, mode: timeout_before, timeoutMs: 2000 }'],
    });
    expect(outage.ledger.childrenOf(parentOrderId('p')).some((o) => o.attempts > 1)).toBe(true);
    expect(outage.ledger.childrenOf(parentOrderId('p')).reduce((s, o) => s + o.filledQty, 0)).toBe(outage.qty);
  });
});
