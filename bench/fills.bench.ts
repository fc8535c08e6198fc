// `npm run bench:fills`: the fill detection fault matrix. Seeded runs on the simulated
// venue, each with 25 single orders (market, marketable IOC limits, and GTC limits at the touch
// with a 5 s deadline, whose final cancel races the market's trades), under nine fault
// profiles: none, lost pushes (30% and all), delayed pushes, outages of every kind, 5xx and
// rate limits on every request, slow requests on a busy tape (cancel races), submits of unknown
// outcome under most pushes lost and flaky answers, and all at once.
// The venue's own records are the truth
// (the FillAudit event of each run); the figures are checked against the success criteria:
// >= 99% of fills detected, < 1% timeouts (of the orders that can fill at once: market and IOC),
// 100% state consistency, zero false positives.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { FillAudit, FillMonitorEnded } from '../src/core/model/fill-events.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';

/** Fault lines per profile; a profile may also change the venue latency and the trade rate. */
const SLOW = {
  latency:
    '{ orderEntry: { ms: 300, jitterMs: 200 }, ack: { ms: 150, jitterMs: 100 }, fillReport: { ms: 50, jitterMs: 50 }, marketData: 2 }',
  tradesPerSec: 25,
};
const SETTINGS: Record<string, { latency?: string; tradesPerSec?: number }> = { 'cancel races': SLOW };
const PROFILES: Record<string, string[]> = {
  clean: [],
  'lost 30%': ['{ kind: lost_reports, from: PT0S, until: PT10M, probability: 0.3 }'],
  'lost all': ['{ kind: lost_reports, from: PT0S, until: PT10M }'],
  'delayed 4s': ['{ kind: delayed_reports, from: PT0S, until: PT10M, delayMs: 4000 }'],
  outages: [
    '{ kind: outage, from: PT1M, until: PT1M40S, mode: timeout_before, timeoutMs: 5000 }',
    '{ kind: outage, from: PT3M, until: PT3M40S, mode: timeout_after, timeoutMs: 5000 }',
    '{ kind: outage, from: PT5M, until: PT6M, mode: mixed, timeoutMs: 5000 }',
    '{ kind: lost_reports, from: PT5M, until: PT6M }',
  ],
  '5xx + 429': [
    '{ kind: http_5xx, from: PT0S, until: PT10M, probability: 0.15 }',
    '{ kind: rate_limit, from: PT0S, until: PT10M, probability: 0.1, scope: all }',
  ],
  // Slow requests and a busy tape: fills land while our deadline cancels are in flight.
  'cancel races': ['{ kind: lost_reports, from: PT0S, until: PT10M, probability: 0.2 }'],
  // Most pushes lost, submits that execute while their answers time out, then flaky answers:
  // orders stay of unknown outcome while the position is checked.
  unknown: [
    '{ kind: lost_reports, from: PT0S, until: PT10M, probability: 0.8 }',
    '{ kind: outage, from: PT1M, until: PT2M, mode: timeout_after, timeoutMs: 2000 }',
    '{ kind: http_5xx, from: PT2M, until: PT10M, probability: 0.25 }',
  ],
  everything: [
    '{ kind: lost_reports, from: PT0S, until: PT10M, probability: 0.3 }',
    '{ kind: delayed_reports, from: PT2M, until: PT4M, delayMs: 3000 }',
    '{ kind: outage, from: PT5M, until: PT5M40S, mode: mixed, timeoutMs: 5000 }',
    '{ kind: http_5xx, from: PT0S, until: PT10M, probability: 0.1 }',
    '{ kind: rate_limit, from: PT0S, until: PT10M, probability: 0.05, scope: all }',
  ],
};
// Seed 8 is one whose `cancel races` run has a deadline cancel that loses to a fill (about one
// seed in twenty does: seeds 8, 25, 54 and 68 of the first 79), so the matrix covers that path.
const SEEDS = [8, 11, 12, 13, 14, 15];
const ORDERS = 25;

function orders(): string[] {
  const out: string[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const side = i % 2 === 0 ? 'buy' : 'sell';
    const at = `PT${10 + i * 22}S`;
    const kind = i % 3;
    if (kind === 0) out.push(`{ id: mkt-${i}, at: ${at}, side: ${side}, qty: "0.01", type: market, route: single }`);
    else if (kind === 1) {
      const px = side === 'buy' ? '61020.00' : '60980.00';
      out.push(
        `{ id: ioc-${i}, at: ${at}, side: ${side}, qty: "0.02", type: limit, tif: IOC, limitPrice: "${px}", route: single }`,
      );
    } else
      out.push(
        `{ id: gtc-${i}, at: ${at}, side: ${side}, qty: "0.03", type: limit, limitPrice: "61000.00", route: single }`,
      );
  }
  return out;
}

export function scenarioText(profile: string, seed: number): string {
  const faults = PROFILES[profile] ?? [];
  const set = SETTINGS[profile] ?? {};
  const latency =
    set.latency ??
    '{ orderEntry: { ms: 20, jitterMs: 30 }, ack: { ms: 10, jitterMs: 20 }, fillReport: { ms: 5, jitterMs: 15 }, marketData: 2 }';
  return `
name: fills-${profile.replace(/[^a-z0-9]+/g, '-')}-${seed}
seed: ${seed}
venue:
  name: binance-spot
  latency: ${latency}
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT10M
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0.05
  stepMs: 250
  spreadTicks: 2
  depth: ["0.5", "0.8", "1.0", "1.5", "2.0"]
  trades: { ratePerSec: ${set.tradesPerSec ?? 4}, meanQty: "0.02" }
fillDetection: { timeoutMs: 5000, partialFillPolicy: cancel_remainder }
faults: [${faults.join(', ')}]
orders:
${orders()
  .map((o) => `  - ${o}`)
  .join('\n')}
`;
}

interface Tally {
  orders: number;
  venueFilled: number;
  detected: number;
  falsePositives: number;
  ledgerMismatches: number;
  positionMismatches: number;
  immediate: number;
  immediateTimeouts: number;
  timeouts: number;
  unresolved: number;
  races: number;
  polls: number;
  apiCalls: number;
  errors: number;
  byPoll: number;
  byFinal: number;
  latencies: number[];
  inconsistentChecks: number;
  checks: number;
  runs: number;
  ms: number;
}

const empty = (): Tally => ({
  orders: 0,
  venueFilled: 0,
  detected: 0,
  falsePositives: 0,
  ledgerMismatches: 0,
  positionMismatches: 0,
  immediate: 0,
  immediateTimeouts: 0,
  timeouts: 0,
  unresolved: 0,
  races: 0,
  polls: 0,
  apiCalls: 0,
  errors: 0,
  byPoll: 0,
  byFinal: 0,
  latencies: [],
  inconsistentChecks: 0,
  checks: 0,
  runs: 0,
  ms: 0,
});

function runOne(profile: string, seed: number, t: Tally): void {
  const loaded = parseScenario(scenarioText(profile, seed), `${profile}.yaml`);
  const parentOf = new Map<string, string>();
  const ended: FillMonitorEnded[] = [];
  let audit: FillAudit | null = null;
  const lastCheck: boolean[] = [];
  const t0 = performance.now();
  runScenario(loaded, {
    onEntry: (entry) => {
      const e = entry.event;
      if (e.kind === 'OrderCreated') parentOf.set(e.clientOrderId, e.parentId);
      else if (e.kind === 'FillMonitorEnded') ended.push(e);
      else if (e.kind === 'FillAudit') audit = e;
      else if (e.kind === 'PositionChecked') {
        if (e.afterSync && lastCheck.length) lastCheck[lastCheck.length - 1] = e.consistent;
        else lastCheck.push(e.consistent);
      }
    },
  });
  t.ms += performance.now() - t0;
  t.runs++;
  const a = audit as FillAudit | null;
  if (!a) throw new Error(`${profile} seed ${seed}: no FillAudit`);
  t.orders += parentOf.size;
  t.venueFilled += a.venueFilled;
  t.detected += a.detected;
  t.falsePositives += a.falsePositives;
  t.ledgerMismatches += a.ledgerMismatches;
  if (a.expectedPosition !== a.venuePosition) t.positionMismatches++;
  t.checks += lastCheck.length;
  t.inconsistentChecks += lastCheck.filter((c) => !c).length;
  for (const e of ended) {
    const immediate = !(parentOf.get(e.clientOrderId) ?? '').startsWith('gtc-');
    if (immediate) t.immediate++;
    if (e.result === 'timeout' || e.result === 'unresolved') {
      if (immediate) t.immediateTimeouts++;
      if (e.result === 'timeout') t.timeouts++;
      else t.unresolved++;
    }
    if (e.cancelRace) t.races++;
    t.polls += e.polls;
    t.apiCalls += e.apiCalls;
    t.errors += e.errors;
    if (e.filledQty > 0 && e.detectedBy === 'poll') t.byPoll++;
    if (e.filledQty > 0 && (e.detectedBy === 'final_check' || e.detectedBy === 'post_cancel')) t.byFinal++;
    if (e.detectionLatencyMs !== null) t.latencies.push(e.detectionLatencyMs);
  }
  // Orders still watched at the end (a GTC whose deadline is after the run) have no result.
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((n / d) * 100).toFixed(2)}%`);
function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] as number) : 0;
}
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export interface FillsBenchResult {
  readonly total: Tally;
  readonly meetsCriteria: boolean;
}

/** One run's events (for investigating a profile and seed). */
export function scenarioFor(profile: string, seed: number): string {
  return scenarioText(profile, seed);
}

export function main(print = true): FillsBenchResult {
  const total = empty();
  const rows: string[] = [];
  for (const profile of Object.keys(PROFILES)) {
    const t = empty();
    for (const seed of SEEDS) runOne(profile, seed, t);
    rows.push(
      `${profile.padEnd(12)}${String(t.orders).padStart(6)} ${String(t.venueFilled).padStart(7)} ${pct(t.detected, t.venueFilled).padStart(9)} ` +
        `${pct(t.immediateTimeouts, t.immediate).padStart(9)} ${String(t.timeouts).padStart(5)}/${String(t.unresolved).padEnd(3)} ${String(t.falsePositives).padStart(4)} ` +
        `${pct(t.checks - t.inconsistentChecks, t.checks).padStart(9)} ${String(t.ledgerMismatches + t.positionMismatches).padStart(5)} ${String(t.races).padStart(5)} ` +
        `${String(t.byPoll).padStart(5)}/${String(t.byFinal).padEnd(3)}${mean(t.latencies).toFixed(0).padStart(7)} ${p99(t.latencies).toFixed(0).padStart(7)} ` +
        `${(t.apiCalls / Math.max(1, t.orders)).toFixed(2).padStart(6)} ${pct(t.errors, t.apiCalls).padStart(8)}`,
    );
    for (const k of Object.keys(t) as Array<keyof Tally>) {
      if (k === 'latencies') total.latencies.push(...t.latencies);
      else (total[k] as number) += t[k] as number;
    }
  }
  const detection = total.venueFilled ? total.detected / total.venueFilled : 1;
  const timeoutRate = total.immediate ? total.immediateTimeouts / total.immediate : 0;
  const consistent = total.inconsistentChecks === 0 && total.ledgerMismatches === 0 && total.positionMismatches === 0;
  const meetsCriteria = detection >= 0.99 && timeoutRate < 0.01 && consistent && total.falsePositives === 0;
  if (print) {
    const cpu = cpus()[0]?.model ?? 'unknown cpu';
    console.log(`machine: ${cpu}, ${cpus().length} cores, node ${process.version}`);
    console.log(
      `fill detection fault matrix: ${Object.keys(PROFILES).length} profiles x ${SEEDS.length} seeds x ${ORDERS} orders = ${total.orders} orders, ${(total.ms / 1000).toFixed(1)} s`,
    );
    console.log(
      'profile      orders vfilled  detected timeouts* to/unr   FP consist.  mism races poll/fin meanLat  p99Lat calls/o errRate',
    );
    for (const r of rows) console.log(r);
    console.log('-'.repeat(120));
    console.log(
      rows.length
        ? `total: detected ${pct(total.detected, total.venueFilled)} of ${total.venueFilled} venue-filled orders; ` +
            `timeouts ${pct(total.immediateTimeouts, total.immediate)} of ${total.immediate} market/IOC orders (all orders: ${total.timeouts} timeouts, ${total.unresolved} unresolved); ` +
            `false positives ${total.falsePositives}; consistency ${pct(total.checks - total.inconsistentChecks, total.checks)} of ${total.checks} checks, ` +
            `${total.ledgerMismatches} order and ${total.positionMismatches} position mismatches at the end; cancel races won by fills ${total.races}; ` +
            `detection latency mean ${mean(total.latencies).toFixed(0)} ms, p99 ${p99(total.latencies).toFixed(0)} ms`
        : '',
    );
    console.log(
      '* timeouts among market and IOC orders (a GTC at the touch that the market never reaches times out correctly).',
    );
    console.log(
      `success criteria (>= 99% detected, < 1% timeouts, 100% consistent, 0 false positives): ${meetsCriteria ? 'MET' : 'NOT MET'}`,
    );
  }
  return { total, meetsCriteria };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = main();
  if (!r.meetsCriteria) process.exitCode = 1;
}
