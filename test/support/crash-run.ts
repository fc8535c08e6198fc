// A scenario run to its end through the crashable simulated process (prepareRun on a virtual
// clock: the restarts and faults the scenario names happen as in `execsim run`), watched from
// outside the process: every entry any process wrote, the log as the final process sees it
// (rebuilt from the committed entries at every crash), and the venue's own count of orders created
// per client order id (a reused id makes a second one). Beside it, what the crash properties of
// test/backtest/ draw their runs from: the synthetic BTCUSDT market they trade on, as scenario
// text, and the crashes and venue fault windows they mix in.
import fc from 'fast-check';
import type { AlgorithmResolver } from '../../src/core/algo/intent-algorithm.ts';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument, type Instrument } from '../../src/core/model/instrument.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';
import { prepareRun, type PreparedRun, type RollbackSink } from '../../src/host/backtest-world.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import type { SimExchange } from '../../src/sim/venue/sim-exchange.ts';

/** A log sink that keeps every entry written (`written`) and the log as the current process sees
 *  it (`entries`: after a crash, only what was committed before it, then what follows). */
export class CrashLog implements RollbackSink {
  readonly written: LogEntry[] = [];
  entries: LogEntry[] = [];

  write(e: LogEntry): void {
    this.written.push(e);
    this.entries.push(e);
  }

  rollback(durable: readonly LogEntry[]): void {
    this.entries = [...durable];
  }
}

type Submit = SimExchange['submit'];

export interface CrashRunOptions {
  /** Each process's finder of the user's algorithm modules (prepareRun's `algorithms`), given the
   *  run's clock; absent: built-in algorithms only. */
  readonly algorithms?: (clock: VirtualClock) => AlgorithmResolver;
  /** Called for every order that reaches the venue in place of sending it: `send` submits it (and
   *  counts it in `created`) and returns the venue's answer, which this returns in turn. */
  readonly aroundSubmit?: (
    req: Parameters<Submit>[0],
    send: () => ReturnType<Submit>,
    exchange: SimExchange,
  ) => ReturnType<Submit>;
  /** The sink that keeps the log (one of the caller's, to read what was written even when the run
   *  throws); absent: a fresh one. */
  readonly log?: CrashLog;
}

export interface CrashRun {
  readonly run: PreparedRun;
  readonly instrument: Instrument;
  /** Orders the venue created per client order id. */
  readonly created: ReadonlyMap<string, number>;
  /** Every entry any process wrote, in order (a crashed process's uncommitted ones too). */
  readonly written: readonly LogEntry[];
  /** The final process's log: the committed entries, rebuilt at every crash. */
  readonly log: readonly LogEntry[];
}

/** Runs `s` (read from `file`) from its start to its end on a virtual clock, its random draws
 *  from its seed, and returns the run with what was watched of it. */
export function runCrashable(s: Scenario, file: string, options: CrashRunOptions = {}): CrashRun {
  const instrument = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const sink = options.log ?? new CrashLog();
  const algorithms = options.algorithms;
  const run = prepareRun({
    scenario: s,
    file,
    clock,
    rng: new Rng(s.seed),
    log: new EventLog(clock),
    instrument,
    start,
    sinks: [sink],
    ...(algorithms ? { algorithms: () => algorithms(clock) } : {}),
  });
  const created = new Map<string, number>();
  const exchange = run.venue.exchange;
  const submit = exchange.submit.bind(exchange);
  exchange.submit = (req, postOnly, parked) => {
    const send = () => {
      const r = submit(req, postOnly, parked);
      if (typeof r !== 'string') created.set(req.clientOrderId, (created.get(req.clientOrderId) ?? 0) + 1);
      return r;
    };
    return options.aroundSubmit ? options.aroundSubmit(req, send, exchange) : send();
  };
  clock.advanceTo(start + parseDurationMs(s.duration));
  return { run, instrument, created, written: sink.written, log: sink.entries };
}

/** The client order ids whose fill-detection watch started in `entries` and never ended. */
export function unendedWatches(entries: readonly LogEntry[]): string[] {
  const open = new Set<string>();
  for (const { event: e } of entries) {
    if (e.kind === 'FillMonitorStarted') open.add(e.clientOrderId);
    else if (e.kind === 'FillMonitorEnded') open.delete(e.clientOrderId);
  }
  return [...open];
}

/** The synthetic BTCUSDT market the crash properties trade on, as the scenario's `market:` block
 *  (its lines unindented): a half-second random walk around 61,000, a two-tick spread, `depth` at
 *  each of four levels three ticks apart, and others' trades three times a second. */
export function syntheticMarket(depth: readonly string[] = ['0.05', '0.08', '0.1', '0.2']): string {
  return `market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0.5
  stepMs: 500
  spreadTicks: 2
  depth: [${depth.map((d) => `"${d}"`).join(', ')}]
  levelSpacingTicks: 3
  trades: { ratePerSec: 3, meanQty: "0.02" }`;
}

export interface CrashScenarioHead {
  readonly name: string;
  readonly seed: number;
  /** The run's length, ISO-8601 (`PT16M`). */
  readonly duration: string;
  /** The market's depth at each level (syntheticMarket's default when absent). */
  readonly depth?: readonly string[];
  /** The reconciliation period; absent: no `reconciliation` line (the scenario default). */
  readonly reconPeriodMs?: number;
  readonly restarts: readonly string[];
  readonly faults: readonly string[];
  /** The `actions` list; absent: no `actions` line. */
  readonly actions?: readonly string[];
}

/** Everything of a crash property's scenario above its `orders:`: Binance spot's rules with a few
 *  milliseconds of jittered latency, BTCUSDT on the synthetic market, a 60 s fill-detection
 *  timeout, pre-trade limits wide enough for every parent, and the drawn restarts and faults. */
export function crashScenarioHead(h: CrashScenarioHead): string {
  const recon = h.reconPeriodMs === undefined ? '' : `reconciliation: { periodMs: ${h.reconPeriodMs} }\n`;
  const actions = h.actions === undefined ? '' : `actions: [${h.actions.join(', ')}]\n`;
  return `
name: ${h.name}
seed: ${h.seed}
venue: { name: binance-spot, latency: { orderEntry: { ms: 15, jitterMs: 20 }, ack: { ms: 10, jitterMs: 10 }, fillReport: { ms: 5, jitterMs: 10 }, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: ${h.duration}
${syntheticMarket(h.depth)}
fillDetection: { timeoutMs: 60000 }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
${recon}restarts: [${h.restarts.join(', ')}]
faults: [${h.faults.join(', ')}]
${actions}`;
}

/** Bounds of the drawn crashes, in seconds: a crash at a time up to `atMaxS`, down up to
 *  `downMaxS`; or right after the N-th order leaves (N up to `submitsMax`), down up to
 *  `submitDownMaxS`. */
export interface RestartBounds {
  readonly atMaxS: number;
  readonly downMaxS: number;
  readonly submitsMax: number;
  readonly submitDownMaxS: number;
}

/** One crash as a `restarts` entry: at a time from 6 s, or right after the N-th order leaves and
 *  before its status is stored. */
export function restartArb(
  b: RestartBounds = { atMaxS: 280, downMaxS: 120, submitsMax: 8, submitDownMaxS: 90 },
): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(fc.integer({ min: 6, max: b.atMaxS }), fc.integer({ min: 1, max: b.downMaxS }))
      .map(([at, down]) => `{ at: PT${at}S, downtime: PT${down}S }`),
    fc
      .tuple(fc.integer({ min: 1, max: b.submitsMax }), fc.integer({ min: 1, max: b.submitDownMaxS }))
      .map(([n, down]) => `{ afterSubmit: ${n}, downtime: PT${down}S }`),
  );
}

/** Several crashes as `restarts` entries (restartArb's), each timed crash moved later where it
 *  would fall in an earlier one's downtime (its restart instant included), since the loader
 *  refuses a crash the run would skip (src/scenario/restart-checks.ts). A timed crash moves at
 *  most the other downtimes' length plus a second each: the callers' runs are long enough. */
export function restartsArb(constraints: fc.ArrayConstraints, b?: RestartBounds): fc.Arbitrary<string[]> {
  return fc.array(restartArb(b), constraints).map(spacedCrashes);
}

function spacedCrashes(restarts: readonly string[]): string[] {
  const out = [...restarts];
  const timed = restarts
    .map((text, i) => ({ i, m: /^\{ at: PT(\d+)S, downtime: PT(\d+)S \}$/.exec(text) }))
    .flatMap(({ i, m }) => (m === null ? [] : [{ i, at: Number(m[1]), down: Number(m[2]) }]))
    .sort((x, y) => x.at - y.at || x.i - y.i);
  let free = 0;
  for (const t of timed) {
    const at = Math.max(t.at, free);
    out[t.i] = `{ at: PT${at}S, downtime: PT${t.down}S }`;
    free = at + t.down + 1;
  }
  return out;
}

const faultWindow = (kind: string, extra = '') =>
  fc
    .tuple(fc.integer({ min: 0, max: 250 }), fc.integer({ min: 5, max: 60 }))
    .map(([from, len]) => `{ kind: ${kind}, from: PT${from}S, until: PT${from + len}S${extra} }`);

/** One venue fault as a `faults` entry, 5-60 s long within the first 310 s: an outage (requests
 *  time out before or after the venue acts), lost or delayed reports, or 5xx answers. */
export const faultArb: fc.Arbitrary<string> = fc.oneof(
  faultWindow('outage', ', mode: mixed, timeoutMs: 2000'),
  faultWindow('lost_reports', ', probability: 0.5'),
  faultWindow('delayed_reports', ', delayMs: 3000'),
  faultWindow('http_5xx', ', probability: 0.3'),
);
