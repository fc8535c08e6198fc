// The generator of adversarial runs, shared by test/backtest/adversarial-properties.test.ts and
// bench/adversarial-sweep.ts: one sliced parent running a drawn execution algorithm (TWAP; VWAP
// on its default or a given profile; implementation shortfall at urgency 0, TWAP's line, or
// above; percent of volume with its rate, max rate, minimum child and end) with a drawn child
// placement (market, limit at an offset from the touch, or either under a never-worse price),
// 4-20 slices, carry or drop, and up to two single orders of every kind (market, limit, IOC, FOK;
// buy or sell, some cancelled from the same instant to half a second after they are sent, so the
// cancel races its order) on a synthetic market, with order entry, acknowledgement and fill
// report latencies of 0-400 ms with jitter, under order rate limits, lost and delayed execution
// reports, outages whose timeouts may be shorter than order entry (the venue got the request or
// not), optional 5xx answers, kill switch changes and crashes of the harness, with
// reconciliation every 1-10 s, every 5 minutes or off. A case is plain data; caseYaml() turns it
// into a scenario file that `execsim run` accepts, and fast-check prints a case as that YAML.
//
// Algorithms and placements are tables (ALGORITHMS, PLACEMENTS): each entry draws its own
// parameters and writes them into the parent's scenario fields, so another algorithm kind or
// placement policy is one more entry there.
//
// The run lasts long enough after the last disturbance for the state to settle: every downtime,
// a fill-detection timeout and ten reconciliation periods, plus a minute.
import fc from 'fast-check';
import { syntheticMarket } from './crash-run.ts';

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

export interface Latency {
  readonly ms: number;
  readonly jitterMs: number;
}
export interface SingleOrder {
  readonly side: 'buy' | 'sell';
  readonly kind: 'market' | 'limit' | 'ioc' | 'fok';
  /** Ticks from 61000.00 (the market starts there): marketable or resting. */
  readonly priceTicks: number;
  /** Seconds from the start. */
  readonly at: number;
  /** The parent's cancel, ms after the order (null: none). */
  readonly cancelAfterMs: number | null;
}
export interface KillSwitchChange {
  /** Seconds from the start. */
  readonly at: number;
  readonly state: 'active' | 'reducing' | 'halted';
}

/** An execution algorithm as drawn: `kind` names its ALGORITHMS entry. */
export type AlgoDraw =
  | { readonly kind: 'twap' }
  /** null: the default profile (flat on this 24/7 venue). */
  | { readonly kind: 'vwap'; readonly profile: readonly number[] | null }
  /** Thousandths: urgency 0 is TWAP's straight line. */
  | {
      readonly kind: 'is';
      readonly urgencyMilli: number;
      readonly volatilityMilli: number;
      readonly impactMilli: number;
    }
  | {
      readonly kind: 'pov';
      /** Hundredths of the market's volume. */
      readonly ratePct: number;
      /** Hundredths, at least the rate; null: no cap. */
      readonly maxRatePct: number | null;
      /** Lots (0.00001 BTC); null: any size. */
      readonly minChildLots: number | null;
      readonly end: 'complete' | 'stop';
    }
  /** An iceberg over the grid's duration: one displayed child at a time (lots), pegged. */
  | {
      readonly kind: 'iceberg';
      readonly displayMinLots: number;
      readonly displayExtraLots: number;
      readonly peg: 'touch' | 'mid' | 'far';
      readonly offsetTicks: number;
      readonly repegTicks: number | null;
      readonly end: 'complete' | 'stop';
    };

/** A child placement as drawn: `kind` names its PLACEMENTS entry. */
export type PlacementDraw =
  | { readonly kind: 'market' }
  /** Limit children at ticks from our own touch (positive: more passive). */
  | { readonly kind: 'limit'; readonly offsetTicks: number }
  /** Market or limit children that never pay more than 61000.00 + worstTicks (the parent buys):
   *  below the market the slices wait and carry. */
  | {
      readonly kind: 'never-worse';
      readonly child: 'market' | 'limit';
      readonly offsetTicks: number;
      readonly worstTicks: number;
    }
  /** Passive limits at the near touch plus offsetTicks, crossing when behind by more than
   *  behindPct hundredths of the parent; or a chaser re-pricing past thresholdTicks. */
  | {
      readonly kind: 'passive-then-cross';
      readonly child: 'market' | 'limit';
      readonly offsetTicks: number;
      readonly behindPct: number;
      /** How often its working passive child is checked for falling behind; null: the default. */
      readonly everyMs: number | null;
    }
  | {
      readonly kind: 'chaser';
      readonly child: 'market' | 'limit';
      readonly offsetTicks: number;
      readonly thresholdTicks: number;
      readonly everyMs: number;
      readonly maxChases: number;
    };

/** One algorithm kind: how its parameters are drawn, and its `algo` block in the scenario (null:
 *  none, the grid's own TWAP). */
interface AlgorithmEntry<K extends AlgoDraw['kind']> {
  readonly arb: fc.Arbitrary<Extract<AlgoDraw, { kind: K }>>;
  readonly block: (a: Extract<AlgoDraw, { kind: K }>) => string | null;
}

/** One placement policy: how it is drawn, and the parent's child type, twap-block fields and
 *  `placement` block (absent: none). */
interface PlacementEntry<K extends PlacementDraw['kind']> {
  readonly arb: fc.Arbitrary<Extract<PlacementDraw, { kind: K }>>;
  readonly fields: (p: Extract<PlacementDraw, { kind: K }>) => PlacementFields;
}

interface PlacementFields {
  readonly type: string;
  readonly twap: string;
  readonly block?: string;
}

export interface AdversarialCase {
  readonly seed: number;
  readonly orderEntry: Latency;
  readonly ack: Latency;
  readonly fillReport: Latency;
  readonly singles: readonly SingleOrder[];
  readonly killSwitch: readonly KillSwitchChange[];
  /** The parent's algorithm: what it should have done by each instant (an ALGORITHMS entry). */
  readonly algo: AlgoDraw;
  /** How its children are priced (a PLACEMENTS entry). */
  readonly placement: PlacementDraw;
  readonly slices: number;
  readonly unfilled: 'carry' | 'drop';
  /** TWAP duration, seconds. */
  readonly twapSeconds: number;
  /** null: reconciliation off. */
  readonly reconPeriodMs: number | null;
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
  const busyUntil = Math.max(
    PARENT_AT_S + c.twapSeconds,
    ...windows.map(end),
    ...restartsAt,
    ...c.singles.map((o) => o.at),
    ...c.killSwitch.map((k) => k.at),
  );
  const downtimes = c.restarts.reduce((sum, r) => sum + r.downtime, 0);
  const tail = Math.ceil((FILL_TIMEOUT_MS + 10 * Math.min(c.reconPeriodMs ?? 10_000, 10_000)) / 1000) + 60;
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
  const placement = placementFields(c.placement);
  const algo = algoBlock(c.algo);
  const lat = (l: Latency) => `{ ms: ${l.ms}, jitterMs: ${l.jitterMs} }`;
  const actions = c.killSwitch.map(
    (k) => `{ at: PT${k.at}S, kind: kill_switch, state: ${k.state}, actor: risk, reason: adversarial }`,
  );
  const singles = c.singles.map((o, i) => {
    const price = ((6_100_000 + o.priceTicks) / 100).toFixed(2);
    const shape =
      o.kind === 'market'
        ? 'type: market'
        : `type: limit, limitPrice: "${price}"${o.kind === 'ioc' ? ', tif: IOC' : o.kind === 'fok' ? ', tif: FOK' : ''}`;
    const cancel = o.cancelAfterMs === null ? '' : `, cancelAt: PT${(o.at * 1000 + o.cancelAfterMs) / 1000}S`;
    return `\n  - { id: s${i}, at: PT${o.at}S, side: ${o.side}, qty: "0.05", ${shape}, route: single${cancel} }`;
  });
  return `name: ${name}
seed: ${c.seed}
venue: { name: binance-spot, latency: { orderEntry: ${lat(c.orderEntry)}, ack: ${lat(c.ack)}, fillReport: ${lat(c.fillReport)}, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT${caseDurationS(c)}S
${syntheticMarket()}
fillDetection: { timeoutMs: ${FILL_TIMEOUT_MS} }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
reconciliation: { periodMs: ${c.reconPeriodMs ?? 'null'} }
restarts:${list(restarts)}
faults:${list(faults)}
actions:${list(actions)}
orders:
  - id: ${PARENT_ID}
    at: PT${PARENT_AT_S}S
    side: buy
    qty: "${PARENT_QTY}"
    type: ${placement.type}
    twap: { duration: PT${c.twapSeconds}S, slices: ${c.slices}, unfilled: ${c.unfilled}${placement.twap}, maxSpread: 0.5, maxPriceDeviation: 0.5 }${algo === null ? '' : `\n    algo: ${algo}`}${placement.block === undefined ? '' : `\n    placement: ${placement.block}`}${singles.join('')}
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
  // From shorter than order entry (the venue acts on a request whose answer already timed out)
  // to seconds.
  timeoutMs: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1_000, max: 5_000 })),
});
const latencyArb = (max: number, maxJitter: number): fc.Arbitrary<Latency> =>
  fc.record({ ms: fc.integer({ min: 0, max }), jitterMs: fc.integer({ min: 0, max: maxJitter }) });
const singleArb: fc.Arbitrary<SingleOrder> = fc.record({
  side: fc.constantFrom('buy' as const, 'sell' as const),
  kind: fc.constantFrom('market' as const, 'limit' as const, 'ioc' as const, 'fok' as const),
  priceTicks: fc.integer({ min: -1_000, max: 1_000 }),
  at: fc.integer({ min: 2, max: 200 }),
  cancelAfterMs: fc.option(fc.integer({ min: 0, max: 500 }), { freq: 2 }),
});
const killSwitchArb: fc.Arbitrary<KillSwitchChange> = fc.record({
  at: fc.integer({ min: 5, max: 250 }),
  state: fc.constantFrom('active' as const, 'reducing' as const, 'reducing' as const, 'halted' as const),
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

/** The drawn restarts with each timed crash moved later where it would fall in an earlier one's
 *  downtime (its restart instant included), since the loader refuses a crash the run would skip
 *  (src/scenario/restart-checks.ts); in the order drawn. The run's length follows the times. */
function spacedRestarts(restarts: readonly Restart[]): Restart[] {
  const out = [...restarts];
  const timed = restarts
    .flatMap((r, i) => ('at' in r ? [{ i, at: r.at, downtime: r.downtime }] : []))
    .sort((x, y) => x.at - y.at || x.i - y.i);
  let free = 0;
  for (const t of timed) {
    const at = Math.max(t.at, free);
    out[t.i] = { at, downtime: t.downtime };
    free = at + t.downtime + 1;
  }
  return out;
}

const ticksPrice = (ticks: number): string => ((6_100_000 + ticks) / 100).toFixed(2);
const milli = (n: number): string => String(n / 1000);
const pct = (n: number): string => String(n / 100);
const lots = (n: number): string => (n / 100_000).toFixed(5);

/** Every algorithm kind the generator draws, by kind. */
export const ALGORITHMS: { readonly [K in AlgoDraw['kind']]: AlgorithmEntry<K> } = {
  twap: { arb: fc.constant({ kind: 'twap' as const }), block: () => null },
  vwap: {
    arb: fc.record({
      kind: fc.constant('vwap' as const),
      profile: fc.option(
        fc
          .array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 })
          .map((p) => (p.some((w) => w > 0) ? p : [...p.slice(1), 1])),
        { freq: 2 },
      ),
    }),
    block: (a) => (a.profile === null ? '{ kind: vwap }' : `{ kind: vwap, profile: [${a.profile.join(', ')}] }`),
  },
  is: {
    arb: fc.record({
      kind: fc.constant('is' as const),
      // Urgency 0 (the straight line) a quarter of the time; above it, up to a curve that sends
      // most of the parent in its first slices.
      urgencyMilli: fc.oneof(
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
      ),
      volatilityMilli: fc.integer({ min: 1, max: 100 }),
      impactMilli: fc.integer({ min: 1, max: 10 }),
    }),
    block: (a) =>
      `{ kind: is, urgency: ${milli(a.urgencyMilli)}, volatility: ${milli(a.volatilityMilli)}, impact: ${milli(a.impactMilli)} }`,
  },
  pov: {
    arb: fc
      .record({
        kind: fc.constant('pov' as const),
        ratePct: fc.integer({ min: 1, max: 50 }),
        maxRateExtraPct: fc.option(fc.integer({ min: 0, max: 50 }), { freq: 3 }),
        minChildLots: fc.option(fc.integer({ min: 1, max: 5_000 }), { freq: 2 }),
        end: fc.constantFrom('complete' as const, 'stop' as const),
      })
      .map(({ maxRateExtraPct, ...a }) => ({
        ...a,
        maxRatePct: maxRateExtraPct === null ? null : Math.min(100, a.ratePct + maxRateExtraPct),
      })),
    block: (a) =>
      `{ kind: pov, rate: ${pct(a.ratePct)}${a.maxRatePct === null ? '' : `, maxRate: ${pct(a.maxRatePct)}`}${a.minChildLots === null ? '' : `, minChildQty: "${lots(a.minChildLots)}"`}, end: ${a.end} }`,
  },
  iceberg: {
    arb: fc.record({
      kind: fc.constant('iceberg' as const),
      // From a child of 0.001 BTC to one of 0.1 (the parent is PARENT_QTY).
      displayMinLots: fc.integer({ min: 100, max: 10_000 }),
      displayExtraLots: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 })),
      peg: fc.constantFrom('touch' as const, 'mid' as const, 'far' as const),
      offsetTicks: fc.integer({ min: -3, max: 5 }),
      repegTicks: fc.option(fc.integer({ min: 1, max: 10 }), { freq: 2 }),
      end: fc.constantFrom('complete' as const, 'stop' as const),
    }),
    block: (a) =>
      `{ kind: iceberg, displayMin: "${lots(a.displayMinLots)}", displayMax: "${lots(a.displayMinLots + a.displayExtraLots)}", peg: ${a.peg}, offsetTicks: ${a.offsetTicks}${a.repegTicks === null ? '' : `, repegTicks: ${a.repegTicks}`}, end: ${a.end} }`,
  },
};

/** Every child placement the generator draws, by kind. */
export const PLACEMENTS: { readonly [K in PlacementDraw['kind']]: PlacementEntry<K> } = {
  market: { arb: fc.constant({ kind: 'market' as const }), fields: () => ({ type: 'market', twap: '' }) },
  limit: {
    arb: fc.record({ kind: fc.constant('limit' as const), offsetTicks: fc.integer({ min: -5, max: 5 }) }),
    fields: (p) => ({ type: 'limit', twap: `, limitOffsetTicks: ${p.offsetTicks}` }),
  },
  'never-worse': {
    arb: fc.record({
      kind: fc.constant('never-worse' as const),
      child: fc.constantFrom('market' as const, 'limit' as const),
      offsetTicks: fc.integer({ min: -5, max: 5 }),
      // From below the start (slices wait for the market to come back) to far above it.
      worstTicks: fc.integer({ min: -300, max: 3_000 }),
    }),
    fields: (p) => ({
      type: p.child,
      twap: `${p.child === 'limit' ? `, limitOffsetTicks: ${p.offsetTicks}` : ''}, worstPrice: "${ticksPrice(p.worstTicks)}"`,
    }),
  },
  'passive-then-cross': {
    arb: fc.record({
      kind: fc.constant('passive-then-cross' as const),
      child: fc.constantFrom('market' as const, 'limit' as const),
      offsetTicks: fc.integer({ min: -2, max: 5 }),
      behindPct: fc.constantFrom(0, 1, 5, 20, 100),
      everyMs: fc.option(fc.integer({ min: 500, max: 10_000 }), { nil: null }),
    }),
    fields: (p) => ({
      type: p.child,
      twap: '',
      block: `{ kind: passive-then-cross, offsetTicks: ${p.offsetTicks}, crossWhenBehind: ${pct(p.behindPct)}${p.everyMs === null ? '' : `, everyMs: ${p.everyMs}`} }`,
    }),
  },
  chaser: {
    arb: fc.record({
      kind: fc.constant('chaser' as const),
      child: fc.constantFrom('market' as const, 'limit' as const),
      offsetTicks: fc.integer({ min: 0, max: 5 }),
      thresholdTicks: fc.integer({ min: 0, max: 10 }),
      everyMs: fc.integer({ min: 500, max: 10_000 }),
      maxChases: fc.integer({ min: 0, max: 20 }),
    }),
    fields: (p) => ({
      type: p.child,
      twap: '',
      block: `{ kind: chaser, offsetTicks: ${p.offsetTicks}, thresholdTicks: ${p.thresholdTicks}, everyMs: ${p.everyMs}, maxChases: ${p.maxChases} }`,
    }),
  },
};

function algoBlock(a: AlgoDraw): string | null {
  return (ALGORITHMS[a.kind].block as (x: AlgoDraw) => string | null)(a);
}

function placementFields(p: PlacementDraw): PlacementFields {
  return (PLACEMENTS[p.kind].fields as (x: PlacementDraw) => PlacementFields)(p);
}

/** One of the table's entries, each as likely as the others. */
const algoArb: fc.Arbitrary<AlgoDraw> = fc.oneof(
  ...Object.values(ALGORITHMS).map((e) => e.arb as fc.Arbitrary<AlgoDraw>),
);
const placementArb: fc.Arbitrary<PlacementDraw> = fc.oneof(
  ...Object.values(PLACEMENTS).map((e) => e.arb as fc.Arbitrary<PlacementDraw>),
);

/** Cases without the printable form (for the sweep, which writes YAML files itself). */
export const adversarialCaseData: fc.Arbitrary<AdversarialCase> = fc
  .record({
    seed: fc.nat({ max: 1_000_000 }),
    orderEntry: latencyArb(400, 400),
    ack: latencyArb(200, 200),
    fillReport: latencyArb(200, 300),
    singles: fc.array(singleArb, { maxLength: 2 }),
    killSwitch: fc.array(killSwitchArb, { maxLength: 2 }).map((ks) => [...ks].sort((a, b) => a.at - b.at)),
    algo: algoArb,
    placement: placementArb,
    slices: fc.integer({ min: 4, max: 20 }),
    unfilled: fc.constantFrom('carry' as const, 'drop' as const),
    twapSeconds: fc.integer({ min: 60, max: 240 }),
    reconPeriodMs: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 10 }).map((s) => s * 1_000) },
      { weight: 1, arbitrary: fc.constant(300_000) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    rateLimits: fc.array(rateLimitArb, { maxLength: 3 }),
    outages: fc.array(outageArb, { maxLength: 3 }),
    lostReports: fc.array(lostArb, { maxLength: 3 }),
    delayedReports: fc.array(delayedArb, { maxLength: 3 }),
    http5xx: fc.array(http5xxArb, { maxLength: 1 }),
    restarts: fc.array(restartArb, { maxLength: 2 }).map(spacedRestarts),
  })
  .map((c) =>
    // An iceberg prices its own children (a placement policy beside it is refused) and a limit
    // parent's iceberg needs a limit price: it runs as a market parent, under a never-worse price
    // when one was drawn.
    c.algo.kind === 'iceberg' &&
    !(c.placement.kind === 'market' || (c.placement.kind === 'never-worse' && c.placement.child === 'market'))
      ? { ...c, placement: { kind: 'market' as const } }
      : c,
  );

/** Cases that fast-check prints as their scenario YAML (counterexamples read as files). */
export const adversarialCase: fc.Arbitrary<AdversarialCase> = adversarialCaseData.map((c) =>
  Object.defineProperty({ ...c }, fc.toStringMethod, { value: () => `\n---\n${caseYaml(c)}---`, enumerable: false }),
);
