// The trading node: one process's execution stack (engine, reconciler, order manager, market
// sampler) built from a NodeConfig over a clock, a venue and a log, driven only by commands
// (node-commands.ts) and read only by queries; no I/O, no wall time. How each run hosts it:
// docs/0062-node-host.md, docs/0065-the-host-layer.md.
import type { Rng } from '../core/clock/rng.ts';
import { ExecutionEngine } from '../core/engine/execution-engine.ts';
import { DEFAULT_QUOTE_FALLBACK } from '../core/market/quote-fallback-config.ts';
import { QuoteFallback } from '../core/market/quote-fallback.ts';
import { OrderManager } from '../core/engine/order-manager.ts';
import type { EventLog } from '../core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import type { RequestDecided } from '../core/model/request-events.ts';
import type { Symbol } from '../core/model/ids.ts';
import type { LiquidityBook } from '../core/engine/liquidity-book.ts';
import type { FallbackStatus } from '../core/market/quote-fallback.ts';
import type { OrphanBook } from '../core/recon/orphan-book.ts';
import type { BreakerTrip } from '../core/risk/circuit-breaker.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { MinuteVolumeSource } from '../core/algo/history-profile.ts';
import { Reconciler } from '../core/recon/reconciler.ts';
import { MarketSampler } from '../core/report/market-sampler.ts';
import { SignalDeduplicator } from '../core/safety/signal-dedup.ts';
import { CommandTarget, handleCommand } from './command-handler.ts';
import type { CommandResult, NodeCommand } from './node-commands.ts';
import type { NodeConfig } from './node-config.ts';
import { nodeStatus, type NodeStatus } from './node-status.ts';
import { RequestJournal, type RequestLookup, type RequestTag } from './request-journal.ts';

export interface NodeDeps {
  readonly config: NodeConfig;
  /** The process's clock and venue (UnitClock and UnitBroker over its runner). */
  readonly clock: Clock;
  readonly broker: Broker;
  readonly marketData: MarketDataPort;
  readonly log: EventLog;
  /** The process's ledger: it has folded `prior` and folds every entry appended after. */
  readonly ledger: OrderLedger;
  /** The engine's random stream (jitter). */
  readonly rng: Rng;
  /** Where the market sampler's grid starts (the run's start), so a restart keeps the grid. */
  readonly sampleOrigin: number;
  /** The durable log a restarted process starts from ([] for a first process). */
  readonly prior: readonly LogEntry[];
  /** Commits the log at the startup's steps, where a simulated process commits between its
   *  units; a live inbox commits after each unit and passes none. */
  readonly commitPoint?: () => void;
  /** Minute bars before a VWAP's start for `profile: history` (the host's: drawn in a backtest,
   *  read from the venue before a live process starts); absent: such a VWAP falls back. */
  readonly volumeHistory?: MinuteVolumeSource;
}

/** A restart: when the dead process's last entry was, how many entries it lost, and the inputs
 *  refused while no process ran. */
export interface RestartFacts {
  readonly crashedAt: number;
  readonly lostEntries: number;
  readonly refusedInputs: readonly string[];
  /** The run takes the account's baseline (a live process's does): a restart whose log shows
   *  nothing sent yet takes it, in case the first process stopped before it did. */
  readonly baseline?: boolean;
}

export class TradingNode {
  // The components are the node's own: a host drives them by commands (handle) and reads them
  // by the queries below, never directly.
  private readonly engine: ExecutionEngine;
  private readonly recon: Reconciler;
  private readonly manager: OrderManager;
  private readonly sampler: MarketSampler | null;
  /** What a command acts on (command-handler.ts): the components and the startup gate. */
  private readonly target: CommandTarget;
  /** The market data everything in the node reads: the quote fallback over the venue's port, or
   *  the venue's port itself when the fallback is off. A port for what the node hosts (a
   *  strategy reads the market as the node does). */
  readonly marketData: MarketDataPort;
  /** The quote fallback, null when it is off. */
  private readonly quoteFallback: QuoteFallback | null;
  /** Why new orders must wait (the startup gate), or null when it is open: the command
   *  target's, which ForceReady opens. */
  private get gate(): string | null {
    return this.target.gate;
  }

  private set gate(why: string | null) {
    this.target.gate = why;
  }
  /** Entries logged while a command runs: its answer is read from them. */
  private noted: ExecEvent[] | null = null;
  private readonly connections = new Map<string, string>();
  private stopped = false;
  /** Requests that came with an idempotency key, and what was decided (request-journal.ts). */
  private readonly requests = new RequestJournal();
  private followingRequests = false;

  constructor(private readonly deps: NodeDeps) {
    const c = deps.config;
    let recon: Reconciler | null = null;
    let recordFallback: ((e: ExecEvent) => void) | null = null;
    const fallbackConfig = c.quoteFallback ?? DEFAULT_QUOTE_FALLBACK;
    this.quoteFallback = fallbackConfig.enabled
      ? new QuoteFallback(deps.marketData, fallbackConfig, deps.clock, (e) => recordFallback?.(e))
      : null;
    const marketData = this.quoteFallback ?? deps.marketData;
    this.marketData = marketData;
    const engine = new ExecutionEngine({
      clock: deps.clock,
      log: deps.log,
      ledger: deps.ledger,
      broker: deps.broker,
      marketData,
      instrument: c.instrument,
      ...(c.instruments ? { instruments: c.instruments } : {}),
      rng: deps.rng,
      routing: c.routing,
      retry: c.retry,
      hours: c.hours,
      quarantine: (symbol) => recon?.quarantine(c.instruments && c.instruments.size > 1 ? symbol : undefined) ?? null,
      ...(c.fills ? { fills: c.fills.config, priceOf: c.fills.priceOf } : {}),
      ...(c.breaker !== null ? { breaker: c.breaker } : {}),
      ...(c.liquidity ? { liquidity: c.liquidity.policy } : {}),
      ...(deps.volumeHistory ? { volumeHistory: deps.volumeHistory } : {}),
      ...(c.algorithms ? { algorithms: c.algorithms } : {}),
    });
    const r = new Reconciler({
      clock: deps.clock,
      ledger: deps.ledger,
      broker: engine.broker,
      config: c.recon,
      ...(c.instruments && c.instruments.size > 1 ? { symbols: c.instruments.symbols() } : {}),
      record: (e) => engine.record(e),
      apply: (m) => engine.applyVenueTruth(m),
      fail: (id, why) => engine.failUnknown(id, why),
      adopt: (o) => engine.adoptOrphan(o),
    });
    recon = r;
    recordFallback = (e) => engine.record(e);
    engine.observers.push((m, before) => r.onMessage(m, before));
    this.sampler = c.sampleMs === 'off' ? null : this.marketSampler(c.sampleMs);
    const sampler = this.sampler;
    if (sampler) {
      // Each report that added to one of our orders' fills (a fill, or a full state carrying
      // trades we had not seen) is sampled as it is learned.
      engine.observers.push((m, before) => {
        if (!('clientOrderId' in m) || m.clientOrderId === null) return;
        if ((deps.ledger.order(m.clientOrderId)?.filledQty ?? 0) > (before?.filledQty ?? 0)) sampler.sampleFill();
      });
    }
    this.requests.restore(deps.prior);
    if (this.requests.size > 0) this.followRequests();
    const dedup = new SignalDeduplicator(deps.clock, (e) => engine.record(e), c.dedup);
    dedup.restore(
      deps.prior.flatMap((e) =>
        e.event.kind === 'SignalRegistered' || e.event.kind === 'SignalExecuted' ? [e.event] : [],
      ),
    );
    const manager = new OrderManager({
      clock: deps.clock,
      engine,
      ledger: deps.ledger,
      broker: engine.broker,
      marketData,
      instrument: c.instrument,
      venue: c.venue,
      dedup,
      gate: () => this.gate,
      preTrade: c.preTrade,
      exposureMaxAgeMs: c.exposureMaxAgeMs,
      record: (e) => engine.record(e),
    });
    engine.observers.push((m) => manager.onMessage(m));
    engine.observers.push((m) => {
      if (m.kind === 'ConnectionReport') this.connections.set(m.stream, m.state);
    });
    deps.log.addSink({ write: (entry) => this.noted?.push(entry.event) });
    this.engine = engine;
    this.recon = r;
    this.manager = manager;
    this.target = new CommandTarget(engine, manager, r);
  }

  /**
   * A first process: RunStarted, the market sampler, then reconciliation. With `baseline` the
   * startup pass reads what the account holds as the run's baseline before anything is sent,
   * and `onReady` runs when it ends; without, `onReady` runs at once.
   */
  start(startTime: number, baseline: boolean, onReady: () => void): void {
    const { engine, recon } = this;
    const c = this.deps.config;
    engine.record({ kind: 'RunStarted', scenario: c.name, symbol: c.instrument.symbol, startTime });
    this.statedVolumes();
    this.sampler?.start();
    if (!baseline) {
      recon.startPeriodic();
      onReady();
      return;
    }
    this.deps.commitPoint?.();
    recon.run(
      'startup',
      () => {
        onReady();
        this.deps.commitPoint?.();
        recon.startPeriodic();
      },
      true,
    );
  }

  /**
   * A restarted process, from the durable log: the kill switch, breaker, reconciliation and
   * orphans restored, ProcessRestarted, then the gate closed while startup reconciliation asks the
   * venue and slice recovery reschedules what is left; a startup that takes longer than its
   * timeout is reported (an operator may ForceReady). `onReady` runs when the gate opens.
   */
  restart(facts: RestartFacts, onReady: () => void): void {
    const { engine, recon, deps } = this;
    const entries = deps.prior;
    engine.restore(entries);
    recon.restore(entries);
    this.quoteFallback?.restore(entries);
    engine.record({
      kind: 'ProcessRestarted',
      crashedAt: facts.crashedAt,
      downtimeMs: deps.clock.now() - facts.crashedAt,
      lostEntries: facts.lostEntries,
      refusedInputs: [...facts.refusedInputs],
    });
    this.sampler?.start();
    this.gate = 'not ready: startup reconciliation and recovery are running';
    engine.record({ kind: 'StartupGateChanged', state: 'gated', actor: 'startup', reason: this.gate });
    deps.commitPoint?.();
    const timeout = deps.clock.schedule(() => {
      if (this.gate === null) return;
      this.gate = 'not ready: startup reconciliation timed out; an operator must force it (force_ready)';
      engine.record({ kind: 'StartupGateChanged', state: 'timed_out', actor: 'startup', reason: this.gate });
    }, deps.config.recon.startupTimeoutMs);
    // Nothing sent yet: the venue's position holds none of our fills, so what it holds is still
    // the run's baseline (once per run: one already in the log is kept).
    const baseline = facts.baseline === true && !entries.some((e) => e.event.kind === 'SubmitOrder');
    recon.run(
      'startup',
      () => {
        engine.recover(entries, deps.config.recon.graceMs);
        timeout.unsubscribe();
        // Late (after the timeout alert) or not, a completed startup opens the gate; an operator
        // may have forced it open already.
        if (this.gate !== null) {
          this.gate = null;
          engine.record({
            kind: 'StartupGateChanged',
            state: 'ready',
            actor: 'startup',
            reason: 'startup reconciliation and recovery complete',
          });
        }
        onReady();
        deps.commitPoint?.();
        recon.startPeriodic();
      },
      baseline,
    );
  }

  /** A scenario's stated average daily volumes, each the cap of the TWAPs on its symbol (a
   *  symbol without one is capped off, said once); a venue's are read by the host. */
  private statedVolumes(): void {
    const l = this.deps.config.liquidity;
    if (!l || l.source !== 'scenario') return;
    for (const symbol of l.symbols) {
      const advLots = l.stated.get(symbol);
      this.engine.recordLiquidity(
        advLots === undefined
          ? { kind: 'LiquidityCapOff', symbol, reason: `the scenario states no liquidity.adv for ${symbol}` }
          : { kind: 'DailyVolumeRead', symbol, advLots, days: null, source: 'scenario' },
      );
    }
  }

  /**
   * Runs one command now (the host runs it as a unit of work) and answers what it did. With a
   * request tag (an idempotency key), a request the journal has decided before is answered with
   * that decision and not run again, another request under the same key is refused
   * ('key-reused'), and a new one's decision is logged (RequestDecided) in this same unit.
   */
  handle(command: NodeCommand, request?: RequestTag): CommandResult {
    if (this.stopped) return { outcome: 'refused', check: 'node', code: 'stopped', reason: 'the node has stopped' };
    const run = (): CommandResult => {
      const noted: ExecEvent[] = [];
      this.noted = noted;
      try {
        return handleCommand(this.target, this.deps.ledger, command, noted);
      } finally {
        this.noted = null;
      }
    };
    return request ? this.decideRequest(request, run, waitsFor(command)) : run();
  }

  /**
   * Runs `work` (inside a unit of work of the host) as the keyed request `request`: a request
   * decided before is answered with that decision and `work` does not run, another request under
   * its key is refused ('key-reused'), and a new one's decision is logged (RequestDecided) in
   * this same unit. A refusal because the node takes nothing now (its startup gate, its stop)
   * decided nothing about the request: it is not remembered, and the same request may come again.
   */
  decideRequest(
    request: RequestTag,
    work: () => CommandResult,
    waits: RequestDecided['waitsFor'] = null,
  ): CommandResult {
    const known = this.requests.lookup(request);
    if (known.kind === 'decided') return known.result;
    if (known.kind === 'conflict')
      return { outcome: 'refused', check: 'request', code: 'key-reused', reason: known.reason };
    this.followRequests();
    const result = work();
    if (!(result.outcome === 'refused' && UNAVAILABLE.has(result.code)))
      this.engine.record(RequestJournal.decision(request, result, waits));
    return result;
  }

  /** What the journal knows of a request (a query: changes nothing). */
  requestDecision(request: RequestTag): RequestLookup {
    return this.requests.lookup(request);
  }

  /** The journal reads the log from the first request on (a run without requests never pays
   *  for a sink). */
  private followRequests(): void {
    if (this.followingRequests) return;
    this.followingRequests = true;
    this.deps.log.addSink(this.requests);
  }

  /** The startup gate, the venue's connections, reconciliation, the safety state, open parents. */
  status(): NodeStatus {
    return nodeStatus(this.target, this.deps.ledger, this.connections, this.stopped);
  }

  /** Whether a reconciliation pass runs now. */
  get reconciling(): boolean {
    return this.recon.running;
  }

  /** The circuit breaker's trip now, or null (a query: a breaker's conditions are sampled only
   *  inside units of work). */
  breakerTrip(): BreakerTrip | null {
    return this.engine.breaker.state;
  }

  /** The orphans detected at the venue, resolved or not. */
  orphans(): ReturnType<OrphanBook['list']> {
    return this.recon.orphans.list();
  }

  /** The symbols (of `symbols` and any already on it) whose market data is read from the quote
   *  fallback now, assessed without changing anything; empty when the fallback is off. */
  marketDataFallback(symbols: readonly Symbol[]): readonly FallbackStatus[] {
    return this.quoteFallback?.status(symbols) ?? [];
  }

  /** How many orders fill detection still watches (an order done in the ledger may still be
   *  watched until its fills are verified). */
  get watchedFills(): number {
    return this.engine.fills?.active ?? 0;
  }

  /** When each symbol's daily volume was last read, and whether its cap is off; null without a
   *  liquidity cap. */
  liquidityReadings(): Pick<LiquidityBook, 'readAt' | 'isOff'> | null {
    return this.engine.liquidity;
  }

  /**
   * Appends a fact its host observed, inside the host's current unit of work: the world's (a
   * simulated venue's fault or market event), the end-of-run audit, a hosted strategy's. Not a
   * way to act on the node: that is what commands are for.
   */
  record(event: ExecEvent): void {
    this.engine.record(event);
  }

  /** The node takes no more commands (its host is ending the process). */
  stop(): void {
    this.stopped = true;
  }

  private marketSampler(intervalMs: number): MarketSampler {
    const { deps } = this;
    return new MarketSampler({
      clock: deps.clock,
      // Samples peek at what the node's readers would get: how often a run samples must not
      // decide when the fallback's transitions are logged (the digest does not depend on it).
      marketData: this.quoteFallback?.passive() ?? deps.marketData,
      symbol: deps.config.instrument.symbol,
      intervalMs,
      origin: deps.sampleOrigin,
      // Straight to the log: a sample is no entry of the execution log (no seq, no digest) and
      // nothing folds it.
      record: (e) => deps.log.sample(e),
    });
  }
}

/** Refusal codes that say the node takes nothing now, not what it thinks of the request. */
const UNAVAILABLE: ReadonlySet<string> = new Set(['not-ready', 'stopped']);

/** What settles a command that ends up pending: the reduce-only order's parent, or the signal. */
function waitsFor(c: NodeCommand): RequestDecided['waitsFor'] {
  if (c.kind === 'SubmitParent') return { parentId: c.request.parentId };
  if (c.kind === 'EmitSignal') return { signalId: c.signal.signalId };
  return null;
}
