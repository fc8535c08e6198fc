// Composition root of a backtest: builds the virtual clock, the seeded Rng, the event log with
// its sinks, the simulated venue and the engine from a validated scenario; schedules the
// scenario's orders and signals; advances the clock to the end of the horizon; returns the run
// report and stores the run. The only place a backtest touches the wall clock (for wallMs).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { Rng } from '../core/clock/rng.ts';
import { ExecutionEngine, type ParentRequest, type TwapParams } from '../core/engine/execution-engine.ts';
import { venueRules } from '../core/venues/index.ts';
import { EventLog } from '../core/log/event-log.ts';
import { parentOrderId, type RunId, runId as toRunId } from '../core/model/ids.ts';
import { makeInstrument, priceToTicks, qtyToLots, quoteToUnits, type Instrument } from '../core/model/instrument.ts';
import type { LogEntry } from '../core/model/events.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { checkExpectations, type ExpectationResult } from '../core/report/expectations.ts';
import { RunReportFold, type LogSummary, type ParentReport } from '../core/report/run-report.ts';
import type { FillMetrics } from '../core/report/fill-metrics.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { TwapEntry } from '../scenario/execution-schema.ts';
import { parseDurationMs, parseUtcInstant } from '../scenario/time-fields.ts';
import type { RunStore, RunWriter } from '../store/run-store.ts';
import { buildVenue } from './build-venue.ts';
import type { SimVenue } from '../sim/venue/sim-venue.ts';
import { codeVersion } from './code-version.ts';
import { FillResults, fillWiring } from './fill-wiring.ts';
import { buildOrderManager, toSignalRequest } from './safety-wiring.ts';
import { parseBreakerConfig } from '../core/risk/breaker-config.ts';
import type { Confirmation } from '../core/safety/pre-trade.ts';
import { breakerInput } from '../scenario/component-schema.ts';

export interface RunReport {
  readonly runId: RunId;
  readonly scenario: string;
  readonly seed: number;
  readonly digest: string;
  readonly events: number;
  /** Clock actions fired: every simulated event (market steps, trades, latency hops, slices). */
  readonly clockActions: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly eventsPerSec: number;
  readonly passed: boolean;
  readonly expectations: readonly ExpectationResult[];
  readonly parents: readonly ParentReport[];
  readonly fills: number;
  readonly discrepancies: number;
  /** Client order ids the venue acknowledged as two orders, or slices created twice: must be []. */
  readonly duplicateOrders: readonly string[];
  /** Fill detection metrics (null when fill detection is off). */
  readonly fillDetection: FillMetrics | null;
  /** Each signal's fate: accepted (with the parent id derived from its fingerprint) or rejected. */
  readonly signals: LogSummary['signals'];
  /** Parents refused before creation (pre-trade denials, failed TWAP plans). */
  readonly rejectedParents: LogSummary['rejectedParents'];
}

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Where to store the run; omitted = not stored (tests, sweeps). */
  readonly store?: RunStore;
  /** Called with every log entry (tests). */
  readonly onEntry?: (entry: LogEntry) => void;
}

/** Scenario TWAP parameters to the engine's integers. */
export function toTwapParams(t: TwapEntry, inst: Instrument): TwapParams {
  return {
    durationMs: parseDurationMs(t.duration),
    ...(t.interval !== undefined ? { intervalMs: parseDurationMs(t.interval) } : { sliceCount: t.slices ?? 1 }),
    ...(t.maxSliceQty !== undefined ? { maxSliceQty: qtyToLots(inst, t.maxSliceQty) } : {}),
    ...(t.minSliceNotional !== undefined ? { minSliceNotionalUnits: quoteToUnits(inst, t.minSliceNotional) } : {}),
    ...(t.randomize !== undefined ? { randomize: t.randomize } : {}),
    ...(t.limitOffsetTicks !== undefined ? { limitOffsetTicks: t.limitOffsetTicks } : {}),
    ...(t.stopOffsetTicks !== undefined ? { stopOffsetTicks: t.stopOffsetTicks } : {}),
    unfilled: t.unfilled,
    stops: { maxSpread: t.maxSpread, maxPriceDeviation: t.maxPriceDeviation, minLiquidity: qtyToLots(inst, t.minLiquidity) },
  };
}

/** Scenario decimals to the engine's integers. */
function toParentRequests(s: Scenario, inst: Instrument): Array<{ at: number; req: ParentRequest; confirm: readonly Confirmation[]; confirmedBy: string | null }> {
  const orders = s.orders.map((o) => ({
    at: parseDurationMs(o.at),
    confirm: o.confirm,
    confirmedBy: o.confirmedBy ?? null,
    req: {
      parentId: parentOrderId(o.id),
      side: o.side,
      qty: qtyToLots(inst, o.qty),
      type: o.type,
      tif: o.tif ?? (o.type === 'market' ? 'IOC' : 'GTC'),
      ...(o.limitPrice === undefined ? {} : { limitPrice: priceToTicks(inst, o.limitPrice) }),
      ...(o.stopPrice === undefined ? {} : { stopPrice: priceToTicks(inst, o.stopPrice) }),
      ...(o.postOnly ? { postOnly: true } : {}),
      route: o.twap ? 'twap' : o.route,
      ...(o.twap ? { twap: toTwapParams(o.twap, inst) } : {}),
      ...(o.partialFillPolicy ? { partialFillPolicy: o.partialFillPolicy } : {}),
      source: 'scenario-order',
    } satisfies ParentRequest,
  }));
  return orders;
}

/** The live pieces of a prepared run: advance `clock` to `end` to run it. */
export interface PreparedRun {
  readonly engine: ExecutionEngine;
  readonly ledger: OrderLedger;
  readonly venue: SimVenue;
  /** Appends the end-of-run fill audit (venue truth against monitoring) when fills are monitored. */
  audit(): void;
}

/**
 * Wires a run on an existing clock and log: venue and market, engine (routing, retries, hours),
 * the RunStarted event, the market's start, and the scenario's orders, signals, cancels and
 * operator actions on the clock. runScenario and tests that need the venue's own records share it.
 */
export function prepareRun(s: Scenario, file: string, clock: VirtualClock, rng: Rng, log: EventLog, instrument: Instrument, start: number): PreparedRun {
  const ledger = new OrderLedger();
  const fills = fillWiring(s);
  const results = new FillResults();
  if (fills) log.addSink(results);
  const built = buildVenue(s, file, clock, rng, instrument, start, (event) => engine.record(event));
  const engine = new ExecutionEngine({
    clock, log, ledger, broker: built.venue, marketData: built.venue, instrument,
    rng: rng.stream('engine'),
    routing: { twapThresholdUnits: quoteToUnits(instrument, s.routing.twapThreshold), defaultTwap: toTwapParams(s.routing.defaultTwap, instrument) },
    retry: { maxAttempts: s.retry.maxAttempts, backoffMs: s.retry.backoff.map(parseDurationMs), lookupFirstDelayMs: 1_000, lookupMaxDelayMs: 30_000 },
    hours: venueRules(s.venue.name).hours,
    ...(fills ? { fills: fills.config, priceOf: fills.priceOf } : {}),
    ...(s.safety.breaker !== undefined ? { breaker: parseBreakerConfig(breakerInput(s.safety.breaker, instrument)) } : {}),
  });
  engine.record({ kind: 'RunStarted', scenario: s.name, symbol: instrument.symbol, startTime: start });
  // The market starts before the orders are scheduled: orders at the first instant see a book.
  built.start();
  // Orders get the pre-trade checks; signals go through the whole order manager: dedup, guards,
  // pre-trade checks, reduce-only, route.
  const manager = buildOrderManager(s, engine, ledger, built.venue, clock, instrument);
  for (const { at, req, confirm, confirmedBy } of toParentRequests(s, instrument)) {
    clock.schedule(() => manager.onOrder(req, confirm, confirmedBy), at);
  }
  for (const sig of s.signals) {
    clock.schedule(() => manager.onSignal(toSignalRequest(sig, instrument)), parseDurationMs(sig.at));
  }
  for (const o of s.orders) {
    if (o.cancelAt === undefined) continue;
    // Scheduled after the submissions, so a cancel at the same instant follows its submit; an
    // order the pre-trade checks refused has nothing to cancel.
    const id = parentOrderId(o.id);
    clock.schedule(() => {
      if (ledger.parents.has(id)) engine.cancelParent(id, 'scenario cancelAt');
    }, parseDurationMs(o.cancelAt));
  }
  for (const a of s.actions) {
    clock.schedule(() => {
      if (a.kind === 'kill_switch') engine.killSwitch.set(a.state, a.actor, a.reason);
      else if (a.kind === 'circuit_breaker') {
        if (a.state === 'tripped') engine.breaker.trip(a.reason);
        else engine.breaker.reset(a.actor, a.reason);
      } else if (ledger.parents.has(parentOrderId(a.parent))) engine.cancelParent(parentOrderId(a.parent), a.reason);
    }, parseDurationMs(a.at));
  }
  const audit = (): void => {
    if (!fills) return;
    engine.record(results.audit(ledger, built.venue));
    log.commit();
  };
  return { engine, ledger, venue: built.venue, audit };
}

export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): RunReport {
  const s = loaded.scenario;
  const seed = options.seed ?? s.seed;
  const instrument = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const end = start + parseDurationMs(s.duration);
  const id = toRunId(`run-${randomUUID()}`);

  const clock = new VirtualClock(start);
  const rng = new Rng(seed);
  const log = new EventLog(clock);
  const fold = new RunReportFold(instrument);
  log.addSink({ write: (entry) => fold.add(entry) });
  if (options.onEntry) {
    const onEntry = options.onEntry;
    log.addSink({ write: (entry) => onEntry(entry) });
  }

  let writer: RunWriter | null = null;
  const { store } = options;
  if (store) {
    store.createRun({
      id,
      scenarioName: s.name,
      scenarioHash: loaded.hash,
      scenarioJson: loaded.canonical,
      seed,
      codeVersion: codeVersion(),
      startedAt: new Date().toISOString(),
      simStart: start,
    });
    writer = store.writer(id, instrument);
    log.addSink(writer);
  }

  const wallStart = performance.now();
  try {
    const run = prepareRun(s, loaded.file, clock, rng, log, instrument, start);
    const clockActions = clock.advanceTo(end);
    run.audit();

    const wallMs = performance.now() - wallStart;
    const summary = fold.summary();
    const expectations = checkExpectations(s.expect, summary);
    const report: RunReport = {
      runId: id,
      scenario: s.name,
      seed,
      digest: log.digest(),
      events: log.count,
      clockActions,
      simulatedMs: end - start,
      wallMs: Math.round(wallMs * 1000) / 1000,
      eventsPerSec: wallMs > 0 ? Math.round((log.count / wallMs) * 1000) : 0,
      passed: expectations.every((e) => e.pass),
      expectations,
      parents: summary.parents,
      fills: summary.fills,
      discrepancies: summary.discrepancies,
      duplicateOrders: summary.duplicateOrders,
      fillDetection: summary.fillDetection,
      signals: summary.signals,
      rejectedParents: summary.rejectedParents,
    };
    if (store && writer) {
      store.finishRun(writer, {
        digest: report.digest,
        simEnd: end,
        eventCount: log.count,
        finishedAt: new Date().toISOString(),
        reportJson: JSON.stringify(report),
      });
    }
    return report;
  } catch (err) {
    store?.failRun(writer, id, err instanceof Error ? err.message : String(err), new Date().toISOString());
    throw err;
  }
}
