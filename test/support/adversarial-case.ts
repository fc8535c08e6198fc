// The generator of adversarial TWAP runs, shared by test/adversarial-properties.test.ts and
// bench/adversarial-sweep.ts: one TWAP parent (market or limit children, 4-20 slices, carry or
// drop) on a synthetic market, under order rate limits, lost and delayed execution reports,
// outages (the venue got the request or not), optional 5xx answers and optional crashes of the
// harness, with periodic reconciliation every 1-10 s. A case is plain data; caseYaml() turns it
// into a scenario file that `execsim run` accepts, and fast-check prints a case as that YAML.
//
// The run lasts long enough after the last disturbance for the state to settle: every downtime,
// a fill-detection timeout and ten reconciliation periods, plus a minute.
import fc from 'fast-check';

export interface FaultWindow {
  /** Seconds from the start. */
  readonly from: number;
  /** Seconds. */
  readonly len: number;
}
export interface RateLimitFault extends FaultWindow {
  readonly scope: 'orders' | 'all';
  /** Tenths: 2-8 is a probability of 0.2-0.8. */
  readonly tenths: number;
}
export interface OutageFault extends FaultWindow {
  readonly mode: 'timeout_before' | 'timeout_after' | 'mixed';
  readonly timeoutMs: number;
}
export interface LostReportsFault extends FaultWindow {
  readonly tenths: number;
}
export interface DelayedReportsFault extends FaultWindow {
  readonly delayMs: number;
}
export interface Http5xxFault extends FaultWindow {
  readonly tenths: number;
}
export type Restart =
  { readonly at: number; readonly downtime: number } | { readonly afterSubmit: number; readonly downtime: number };

export interface AdversarialCase {
  readonly seed: number;
  readonly childType: 'market' | 'limit';
  readonly slices: number;
  readonly unfilled: 'carry' | 'drop';
  /** TWAP duration, seconds. */
  readonly twapSeconds: number;
  readonly reconPeriodMs: number;
  readonly rateLimits: readonly RateLimitFault[];
  readonly outages: readonly OutageFault[];
  readonly lostReports: readonly LostReportsFault[];
  readonly delayedReports: readonly DelayedReportsFault[];
  readonly http5xx: readonly Http5xxFault[];
  readonly restarts: readonly Restart[];
}

/** The parent: id and quantity as the scenario states them. */
export const PARENT_ID = 'p';
export const PARENT_QTY = '0.5';
/** When the parent arrives, seconds from the start. */
const PARENT_AT_S = 5;
/** Fill detection's deadline, ms: part of the settling tail. */
const FILL_TIMEOUT_MS = 30_000;

const end = (w: FaultWindow): number => w.from + w.len;
const tenths = (n: number): string => (n / 10).toFixed(1);

/** Scenario duration, seconds: the last disturbance, every downtime, then the settling tail. */
export function caseDurationS(c: AdversarialCase): number {
  const windows = [...c.rateLimits, ...c.outages, ...c.lostReports, ...c.delayedReports, ...c.http5xx];
  const restartsAt = c.restarts.flatMap((r) => ('at' in r ? [r.at] : []));
  const busyUntil = Math.max(PARENT_AT_S + c.twapSeconds, ...windows.map(end), ...restartsAt);
  const downtimes = c.restarts.reduce((sum, r) => sum + r.downtime, 0);
  const tail = Math.ceil((FILL_TIMEOUT_MS + 10 * c.reconPeriodMs) / 1000) + 60;
  return busyUntil + downtimes + tail;
}

/** The case as a scenario file. */
export function caseYaml(c: AdversarialCase, name = 'adversarial-twap'): string {
  const win = (w: FaultWindow) => `from: PT${w.from}S, until: PT${end(w)}S`;
  const faults = [
    ...c.rateLimits.map((f) => `{ kind: rate_limit, ${win(f)}, scope: ${f.scope}, probability: ${tenths(f.tenths)} }`),
    ...c.outages.map((f) => `{ kind: outage, ${win(f)}, mode: ${f.mode}, timeoutMs: ${f.timeoutMs} }`),
    ...c.lostReports.map((f) => `{ kind: lost_reports, ${win(f)}, probability: ${tenths(f.tenths)} }`),
    ...c.delayedReports.map((f) => `{ kind: delayed_reports, ${win(f)}, delayMs: ${f.delayMs} }`),
    ...c.http5xx.map((f) => `{ kind: http_5xx, ${win(f)}, probability: ${tenths(f.tenths)} }`),
  ];
  const restarts = c.restarts.map((r) =>
    'at' in r
      ? `{ at: PT${r.at}S, downtime: PT${r.downtime}S }`
      : `{ afterSubmit: ${r.afterSubmit}, downtime: PT${r.downtime}S }`,
  );
  const list = (items: string[]) => (items.length === 0 ? ' []' : items.map((i) => `\n  - ${i}`).join(''));
  const limit = c.childType === 'limit' ? ', limitOffsetTicks: 0' : '';
  return `name: ${name}
seed: ${c.seed}
venue: { name: binance-spot, latency: { orderEntry: { ms: 15, jitterMs: 20 }, ack: { ms: 10, jitterMs: 10 }, fillReport: { ms: 5, jitterMs: 10 }, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT${caseDurationS(c)}S
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0.5
  stepMs: 500
  spreadTicks: 2
  depth: ["0.05", "0.08", "0.1", "0.2"]
  levelSpacingTicks: 3
  trades: { ratePerSec: 3, meanQty: "0.02" }
fillDetection: { timeoutMs: ${FILL_TIMEOUT_MS} }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
reconciliation: { periodMs: ${c.reconPeriodMs} }
restarts:${list(restarts)}
faults:${list(faults)}
orders:
  - id: ${PARENT_ID}
    at: PT${PARENT_AT_S}S
    side: buy
    qty: "${PARENT_QTY}"
    type: ${c.childType}
    twap: { duration: PT${c.twapSeconds}S, slices: ${c.slices}, unfilled: ${c.unfilled}${limit}, maxSpread: 0.5, maxPriceDeviation: 0.5 }
expect:
  - noDuplicateOrders: true
  - noDiscrepancies: true
`;
}

// Fault windows lie in the first 310 s (the TWAP runs from 5 s for at most 240 s).
const from = fc.integer({ min: 0, max: 250 });
const len = fc.integer({ min: 5, max: 120 });

const rateLimitArb: fc.Arbitrary<RateLimitFault> = fc.record({
  from,
  len,
  scope: fc.constantFrom('orders' as const, 'all' as const),
  tenths: fc.integer({ min: 2, max: 8 }),
});
const outageArb: fc.Arbitrary<OutageFault> = fc.record({
  from,
  len,
  mode: fc.constantFrom('timeout_before' as const, 'timeout_after' as const, 'mixed' as const),
  timeoutMs: fc.integer({ min: 1_000, max: 5_000 }),
});
const lostArb: fc.Arbitrary<LostReportsFault> = fc.record({ from, len, tenths: fc.integer({ min: 3, max: 10 }) });
const delayedArb: fc.Arbitrary<DelayedReportsFault> = fc.record({
  from,
  len,
  delayMs: fc.integer({ min: 500, max: 20_000 }),
});
const http5xxArb: fc.Arbitrary<Http5xxFault> = fc.record({ from, len, tenths: fc.integer({ min: 1, max: 5 }) });
const restartArb: fc.Arbitrary<Restart> = fc.oneof(
  fc.record({ at: fc.integer({ min: 6, max: 280 }), downtime: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ afterSubmit: fc.integer({ min: 1, max: 12 }), downtime: fc.integer({ min: 1, max: 90 }) }),
);

/** Cases without the printable form (for the sweep, which writes YAML files itself). */
export const adversarialCaseData: fc.Arbitrary<AdversarialCase> = fc.record({
  seed: fc.nat({ max: 1_000_000 }),
  childType: fc.constantFrom('market' as const, 'limit' as const),
  slices: fc.integer({ min: 4, max: 20 }),
  unfilled: fc.constantFrom('carry' as const, 'drop' as const),
  twapSeconds: fc.integer({ min: 60, max: 240 }),
  reconPeriodMs: fc.integer({ min: 1, max: 10 }).map((s) => s * 1_000),
  rateLimits: fc.array(rateLimitArb, { maxLength: 3 }),
  outages: fc.array(outageArb, { maxLength: 3 }),
  lostReports: fc.array(lostArb, { maxLength: 3 }),
  delayedReports: fc.array(delayedArb, { maxLength: 3 }),
  http5xx: fc.array(http5xxArb, { maxLength: 1 }),
  restarts: fc.array(restartArb, { maxLength: 2 }),
});

/** Cases that fast-check prints as their scenario YAML (counterexamples read as files). */
export const adversarialCase: fc.Arbitrary<AdversarialCase> = adversarialCaseData.map((c) =>
  Object.defineProperty({ ...c }, fc.toStringMethod, { value: () => `\n---\n${caseYaml(c)}---`, enumerable: false }),
);
