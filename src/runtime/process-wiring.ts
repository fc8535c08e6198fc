// One process's execution stack, wired the same way for every kind of run: the engine (slicing,
// sending, retries, fill detection, breaker), the reconciler and the order manager (dedup,
// pre-trade limits, startup gate), and the market sampler. A backtest's harness wires it over
// the simulated venue and the virtual clock (one process per restart); a paper run wires it
// over a live adapter and the wall clock. What differs (the process boundary, the inbox that
// commits each unit of work) is the caller's.
import type { Rng } from '../core/clock/rng.ts';
import { ExecutionEngine } from '../core/engine/execution-engine.ts';
import { DEFAULT_RETRY } from '../core/engine/order-retry.ts';
import type { OrderManager } from '../core/engine/order-manager.ts';
import type { EventLog } from '../core/log/event-log.ts';
import type { LogEntry } from '../core/model/events.ts';
import { quoteToUnits, type Instrument } from '../core/model/instrument.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { ReconConfig } from '../core/recon/recon-config.ts';
import { Reconciler } from '../core/recon/reconciler.ts';
import { MarketSampler } from '../core/report/market-sampler.ts';
import { parseBreakerConfig } from '../core/risk/breaker-config.ts';
import { venueRules, type TradingHours } from '../core/venues/index.ts';
import { breakerInput } from '../scenario/component-schema.ts';
import { toTwapParams } from '../scenario/scenario-requests.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { FillWiring } from './fill-wiring.ts';
import { buildOrderManager } from './safety-wiring.ts';

export interface ProcessWiringDeps {
  readonly scenario: ScenarioFile;
  readonly clock: Clock;
  readonly broker: Broker;
  readonly marketData: MarketDataPort;
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly instrument: Instrument;
  /** The engine's random stream (jitter). */
  readonly rng: Rng;
  readonly fills: FillWiring | null;
  readonly reconConfig: ReconConfig;
  /** Where the market sampler's grid starts (the run's start), so a restart keeps the grid. */
  readonly sampleOrigin: number;
  /** Why new orders must wait now (startup gating), or null. */
  readonly gate: () => string | null;
  /** The durable log a restarted process starts from ([] for a first process). */
  readonly prior: readonly LogEntry[];
  /** When the venue trades (default: its rules' calendar). A paper run against a local gateway
   *  that never closes says so (ALWAYS_OPEN). */
  readonly hours?: TradingHours;
}

export interface WiredProcess {
  readonly engine: ExecutionEngine;
  readonly recon: Reconciler;
  readonly manager: OrderManager;
  readonly sampler: MarketSampler | null;
}

export function wireProcess(d: ProcessWiringDeps): WiredProcess {
  const s = d.scenario;
  let recon: Reconciler | null = null;
  const engine = new ExecutionEngine({
    clock: d.clock,
    log: d.log,
    ledger: d.ledger,
    broker: d.broker,
    marketData: d.marketData,
    instrument: d.instrument,
    rng: d.rng,
    routing: {
      twapThresholdUnits: quoteToUnits(d.instrument, s.routing.twapThreshold),
      defaultTwap: toTwapParams(s.routing.defaultTwap, d.instrument),
    },
    retry: { ...DEFAULT_RETRY, maxAttempts: s.retry.maxAttempts, backoffMs: s.retry.backoff.map(parseDurationMs) },
    hours: d.hours ?? venueRules(s.venue.name).hours,
    quarantine: () => recon?.quarantine() ?? null,
    ...(d.fills ? { fills: d.fills.config, priceOf: d.fills.priceOf } : {}),
    ...(s.safety.breaker !== undefined
      ? { breaker: parseBreakerConfig(breakerInput(s.safety.breaker, d.instrument)) }
      : {}),
  });
  const r = new Reconciler({
    clock: d.clock,
    ledger: d.ledger,
    broker: engine.broker,
    config: d.reconConfig,
    record: (e) => engine.record(e),
    apply: (m) => engine.applyVenueTruth(m),
    fail: (id, why) => engine.failUnknown(id, why),
    adopt: (o) => engine.adoptOrphan(o),
  });
  recon = r;
  engine.observers.push((m, before) => r.onMessage(m, before));
  const sampler = marketSampler(s, d.clock, d.marketData, d.instrument, d.sampleOrigin, d.log);
  if (sampler) {
    // Each report that added to one of our orders' fills (a fill, or a full state carrying
    // trades we had not seen) is sampled as it is learned.
    engine.observers.push((m, before) => {
      if (!('clientOrderId' in m) || m.clientOrderId === null) return;
      if ((d.ledger.order(m.clientOrderId)?.filledQty ?? 0) > (before?.filledQty ?? 0)) sampler.sampleFill();
    });
  }
  const manager = buildOrderManager(
    s,
    engine,
    d.ledger,
    d.marketData,
    d.clock,
    d.instrument,
    d.gate,
    d.prior,
    engine.broker,
  );
  return { engine, recon: r, manager, sampler };
}

/** The process's market sampler (report.sampleMs), or null when sampling is off. Its samples
 *  fall on a grid from the run's start whatever process takes them, so a restart keeps the grid. */
function marketSampler(
  s: ScenarioFile,
  clock: Clock,
  marketData: MarketDataPort,
  instrument: Instrument,
  origin: number,
  log: EventLog,
): MarketSampler | null {
  const { sampleMs } = s.report;
  if (sampleMs === 'off') return null;
  return new MarketSampler({
    clock,
    marketData,
    symbol: instrument.symbol,
    intervalMs: sampleMs,
    origin,
    // Straight to the log: a sample is no entry of the execution log (no seq, no digest) and
    // nothing folds it.
    record: (e) => log.sample(e),
  });
}
