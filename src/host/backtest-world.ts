// A backtest as a world and its processes: the world (virtual clock, simulated venue, durable log,
// the scenario's inputs) survives a crash; a process (ledger and trading node over its ProcessLife)
// does not, and the next one starts from the durable log. Crashes, restarts and refused inputs:
// docs/0065-the-host-layer.md.
import type { AlgorithmResolver } from '../core/algo/intent-algorithm.ts';
import type { Rng } from '../core/clock/rng.ts';
import type { VirtualClock } from '../core/clock/virtual-clock.ts';
import { canonicalLine, EventLog } from '../core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import { clientOrderId, parentOrderId, type Symbol } from '../core/model/ids.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../core/model/instrument.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { EventSink } from '../core/ports/event-sink.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { SimVenue } from '../sim/venue/sim-venue.ts';
import { buildVenue } from '../scenario/build-venue.ts';
import { nodeConfigOf } from '../scenario/node-config-of.ts';
import { scenarioInputs } from '../scenario/scenario-commands.ts';
import { instrumentFor } from '../scenario/scenario-requests.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import { ProcessLife } from '../node/process-life.ts';
import { NodeHost, nodeProcess, type HostedProcess } from '../node/node-host.ts';
import type { TradingNode } from '../node/trading-node.ts';
import type { UnitClock } from '../node/unit-runner.ts';
import { DurableSink } from '../node/durable-sink.ts';
import type { LoadedSwap, RunnableStrategy } from '../scenario/load-scenario.ts';
import { swapActionLabel, swapActionRequest } from '../scenario/swap-action.ts';
import { StrategySlot, type CandidateRef, type SwapRequest } from '../strategy/strategy-slot.ts';
import { backtestHistory, backtestVolumeHistory } from './backtest-history.ts';
import { FillResults } from './fill-audit.ts';

/** A sink that can be told a crash lost everything after `durable` (rebuild from it). */
export interface RollbackSink extends EventSink {
  rollback?(durable: readonly LogEntry[]): void;
  /** A piece of work ended: what was appended is one whole, committed unit, but nothing left the
   *  process on its strength, so it may be written later (before the next commit, a rollback, or
   *  the end). Sinks without it are committed. */
  unitEnd?(): void;
  /** A process starts with this ledger, which has folded the durable log and folds every entry
   *  appended after, right after the sinks are handed it: a sink that folds orders may read
   *  this one instead of folding them again. Such a sink needs rollback too: after a crash the
   *  new process's ledger has folded the durable log only. */
  follow?(ledger: OrderLedger): void;
}

/** A process's resolver of the algorithm modules, with the end of every instance it made when it
 *  has one (load-algorithm.ts's does: its instances give their realms back). */
type EndingAlgorithms = AlgorithmResolver & { end?(): void };

/** The live pieces of a prepared run: advance `clock` to `end` to run it. The process-owned
 *  pieces are getters: after a restart they are the new process's. */
export interface PreparedRun {
  readonly ledger: OrderLedger;
  readonly log: EventLog;
  /** Brings the current process's next periodic reconciliation pass forward: run now, as one
   *  unit of work of the process (a Reconcile command). */
  readonly reconciler: { run(mode: 'periodic'): void };
  readonly venue: SimVenue;
  /** Committed entries: what a restart starts from (and what the store holds). */
  readonly durable: readonly LogEntry[];
  /** Appends the end-of-run audit: our record and fill detection's results against the venue's. */
  audit(): void;
  /** The run is over: nothing of it runs again, so its strategy's and algorithm modules'
   *  instances end (their realms go on to the thread's next runs). Changes nothing in the run. */
  end(): void;
  /** Reads each symbol's book at virtual time `at` (the run's end), by work on the clock then:
   *  our delayed view applies what arrived by then only to work the clock runs, so a read after
   *  the advance would see the view of the read before. Logs nothing: the digest stays. */
  topsAt(at: number, symbols: readonly Symbol[]): () => ReadonlyArray<ReturnType<SimVenue['topOfBook']>>;
}

interface Proc extends HostedProcess<SwapRequest> {
  readonly life: ProcessLife;
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly node: TradingNode;
  /** The process's strategy (a fresh instance of the live one), null without one. */
  readonly strategy: StrategySlot | null;
  /** The process's instances of the user's algorithm modules, null without any. */
  readonly algorithms: EndingAlgorithms | null;
}

/**
 * Wires a run on an existing clock and a fresh log, with `sinks` on every process's log (sinks
 * with `rollback` are rebuilt from the durable log after a crash): venue and market, the first
 * process, the RunStarted event, the market's start, and the scenario's orders, signals,
 * actions and restarts.
 */
export interface RunParts {
  readonly scenario: Scenario;
  /** The scenario's file (recordings it names resolve against it). */
  readonly file: string;
  readonly clock: VirtualClock;
  readonly rng: Rng;
  /** The first process's log (a restart starts a new one from the durable log). */
  readonly log: EventLog;
  readonly instrument: Instrument;
  readonly start: number;
  readonly sinks?: readonly RollbackSink[];
  /** Reads the store's log back for a restart (it must hold exactly the durable log). */
  readonly readStore?: (() => readonly LogEntry[]) | null;
  readonly venueBuilder?: typeof buildVenue | undefined;
  /** The strategy module the scenario names: each process runs a fresh instance of it. */
  readonly strategy?: RunnableStrategy | null;
  /** The candidates of the scenario's swap_strategy actions. */
  readonly swaps?: readonly LoadedSwap[];
  /** The run's seed (the strategy's warm-up history draws from it). */
  readonly seed?: number;
  /** Each process's finder of the user's algorithm modules the scenario's parents name
   *  (load-algorithm.ts: fresh instances per process, as a restarted process has); absent:
   *  built-in algorithms only. */
  readonly algorithms?: () => EndingAlgorithms;
}

export function prepareRun(parts: RunParts): PreparedRun {
  const { scenario: s, file, clock, rng, log: firstLog, instrument, start } = parts;
  const sinks = parts.sinks ?? [];
  const readStore = parts.readStore ?? null;
  const venueBuilder = parts.venueBuilder ?? buildVenue;
  const results = new FillResults();
  const crashes = s.restarts.length > 0;
  const durable = new DurableSink(crashes);
  const baseConfig = nodeConfigOf(s, instrument);
  const algorithms = parts.algorithms;
  let proc: Proc | null = null;
  // The scenario's inputs arrive on the world's clock, delivered to the process running then.
  const host = new NodeHost<SwapRequest>({ clock, current: () => proc, holdSwaps: false });
  const record = (event: ExecEvent): void => {
    if (proc?.life.alive) proc.node.record(event);
  };
  const built = venueBuilder(s, file, clock, rng, instrument, start, record);
  const afterSubmit = s.restarts.flatMap((r) => ('afterSubmit' in r ? [r] : []));
  let submitCrash = 0;
  // A VWAP with `profile: history` draws its previous days from the run's market, in worlds of
  // their own, only when one is planned.
  const volumeHistory = backtestVolumeHistory({
    scenario: s,
    file,
    seed: parts.seed ?? s.seed,
    instrument,
    instruments: baseConfig.instruments ? baseConfig.instruments.all : [instrument],
    venueBuilder,
  });

  const startProcess = (prior: { crashedAt: number; lost: number } | null): Proc => {
    const crashAt = afterSubmit[submitCrash]?.afterSubmit ?? null;
    // Every piece of work commits (durable: a crash after it loses nothing); the store's writer
    // groups these ends of work and writes them at the next commit (before a send), at a crash,
    // or at the end.
    const afterWork = crashes ? (): void => endUnit(logSinks) : null;
    const life = new ProcessLife(
      () => {
        const spec = afterSubmit[submitCrash++];
        crash(parseDurationMs(spec?.downtime ?? 'PT30S'));
      },
      crashAt,
      afterWork,
    );
    // A restart reads the store when there is one (it must hold exactly the durable log).
    const entries = !prior ? [] : readStore ? checkedStore(readStore(), durable.entries) : durable.entries;
    const log = prior ? EventLog.resume(clock, entries) : firstLog;
    const logSinks: readonly RollbackSink[] = [durable, results, ...sinks];
    for (const sink of logSinks) log.addSink(sink);
    const ledger = new OrderLedger();
    if (prior) for (const e of entries) ledger.apply(e);
    for (const sink of logSinks) sink.follow?.(ledger);
    const modules = algorithms ? algorithms() : null;
    const config = modules ? { ...baseConfig, algorithms: modules } : baseConfig;
    const { node, clock: unitClock } = nodeProcess({
      config,
      clock,
      runner: life,
      venue: built.venue,
      marketData: built.venue,
      log,
      ledger,
      rng: rng.stream(prior ? `engine@${prior.crashedAt}` : 'engine'),
      sampleOrigin: start,
      prior: entries,
      commitPoint: () => log.commit(),
      volumeHistory,
    });
    // The strategy runs beside the node from the process's start: it warms up while startup
    // reconciliation runs (its signals meanwhile meet the startup gate, like any input's). A
    // restarted process runs the strategy its log says is live (a swap may have replaced it).
    const slot = strategy ? strategySlot(strategy, unitClock, ledger, node, entries) : null;
    if (slot) log.addSink(slot);
    const p: Proc = { life, runner: life, log, ledger, node, strategy: slot, algorithms: modules };
    if (!prior) {
      // The account may hold something before the run: a startup pass reads it as the run's
      // baseline (AccountBaseline) before anything is sent; inputs wait for it (nothing is
      // refused: nothing was lost). Without starting balances the simulated account starts
      // flat: nothing to read.
      const baseline = s.venue.account !== undefined;
      if (baseline) host.hold();
      node.start(start, baseline, () => host.release());
      slot?.start();
      return p;
    }
    const refusedInputs = host.takeRefused();
    node.restart({ crashedAt: prior.crashedAt, lostEntries: prior.lost, refusedInputs }, () => {});
    slot?.start();
    return p;
  };

  const strategy = parts.strategy ?? null;
  const history =
    strategy === null
      ? null
      : backtestHistory({
          scenario: s,
          file,
          seed: parts.seed ?? s.seed,
          instrument,
          instruments: baseConfig.instruments ? baseConfig.instruments.all : [instrument],
          venueBuilder,
          live: built.venue,
          quoteMs: strategy.quoteMs,
          barMs: strategy.barMs,
          ...(strategy.bars ? { bars: strategy.bars } : {}),
        });
  const swaps = parts.swaps ?? [];
  /** The run's strategy modules (its own and its swaps' candidates), by what a log names them:
   *  the code's hash and the parameters (the module's path may be written another way). */
  const byRef = (ref: CandidateRef): RunnableStrategy | null =>
    [strategy, ...swaps.map((w) => w.candidate)].find(
      (c) => c !== null && c.codeHash === ref.codeHash && c.paramsJson === ref.params,
    ) ?? null;
  /** A process's strategy: a fresh instance of the module, its commands run as inputs. */
  const strategySlot = (
    st: RunnableStrategy,
    unitClock: UnitClock,
    ledger: OrderLedger,
    node: TradingNode,
    prior: readonly LogEntry[],
  ) =>
    new StrategySlot({
      strategy: st,
      seed: parts.seed ?? s.seed,
      prior,
      candidate: byRef,
      clock: unitClock,
      // The node's market data: the quote fallback over the venue, as the node's own readers.
      marketData: node.marketData,
      instruments: baseConfig.instruments ? baseConfig.instruments.all : [instrument],
      ledger,
      record: (e) => node.record(e),
      command: (label, command) => host.schedule({ label, command }, 0),
      history,
      algorithms: s.algorithms,
    });

  const crash = (downtimeMs: number): void => {
    const dead = proc;
    if (!dead || !dead.life.alive) return;
    dead.life.alive = false;
    // Nothing of the dead process runs again: its strategy's and algorithms' instances end with it.
    dead.strategy?.retire();
    dead.algorithms?.end?.();
    // Inputs still waiting for the baseline die with the process: named as refused.
    host.processEnded();
    const lost = durable.discard();
    for (const sink of [results, ...sinks]) sink.rollback?.(durable.entries);
    const crashedAt = clock.now();
    clock.schedule(() => {
      proc = startProcess({ crashedAt, lost });
    }, downtimeMs);
  };

  proc = startProcess(null);
  // The market starts before the orders are scheduled: orders at the first instant see a book.
  built.start();
  for (const input of scenarioInputs(s, instrument)) host.schedule(input, input.atMs);
  // A swap is the strategy's: handed to the process's slot as a unit of work of the process
  // (at once, even while the baseline is read), or refused as an input while none runs.
  for (const { action, candidate } of swaps) {
    const a = s.actions[action];
    if (a?.kind !== 'swap_strategy') continue;
    host.schedule({ label: swapActionLabel(a), swap: swapActionRequest(a, candidate) }, parseDurationMs(a.at));
  }
  for (const x of s.externalOrders) {
    // Someone else on the account: straight into the venue's matching engine.
    const inst = instrumentFor(s, instrument, x.symbol);
    clock.schedule(() => {
      built.model.catchUpBook?.();
      built.venue.book(inst.symbol).exchange.submit(
        {
          clientOrderId: clientOrderId(x.clientOrderId),
          parentId: parentOrderId('external'),
          sliceNum: 1,
          totalSlices: 1,
          scheduledTime: clock.now(),
          symbol: inst.symbol,
          side: x.side,
          type: 'limit',
          tif: 'GTC',
          qty: qtyToLots(inst, x.qty),
          limitPrice: priceToTicks(inst, x.limitPrice),
        },
        false,
      );
      built.model.wake?.();
    }, parseDurationMs(x.at));
  }
  const crashRng = rng.stream('restarts');
  for (const r of s.restarts) {
    if ('afterSubmit' in r) continue;
    const at =
      'at' in r
        ? parseDurationMs(r.at)
        : Math.floor(crashRng.uniform(parseDurationMs(r.between[0]), parseDurationMs(r.between[1])));
    clock.schedule(() => crash(parseDurationMs(r.downtime)), at);
  }

  const current = (): Proc => proc as Proc;
  return new PreparedView(
    current,
    clock,
    built.venue,
    durable,
    () => {
      const p = current();
      if (!p.life.alive) return;
      p.node.record(results.audit(p.ledger, built.venue));
      p.log.commit();
    },
    () => {
      const p = current();
      p.strategy?.retire();
      p.algorithms?.end?.();
    },
  );
}

/** A prepared run as its caller sees it: whichever process runs now. A class, not an object
 *  literal with getters: a literal's accessors are new closures per run, each giving the object
 *  a hidden class of its own, and that hidden class (long-lived memory) kept every run's state
 *  alive through the young generation's collections until a full one. */
class PreparedView implements PreparedRun {
  constructor(
    private readonly current: () => Proc,
    private readonly clock: VirtualClock,
    readonly venue: SimVenue,
    private readonly sink: DurableSink,
    readonly audit: () => void,
    readonly end: () => void,
  ) {}

  get ledger(): OrderLedger {
    return this.current().ledger;
  }

  get log(): EventLog {
    return this.current().log;
  }

  readonly reconciler = {
    run: (_mode: 'periodic'): void => {
      const p = this.current();
      p.life.run(handle, { node: p.node, command: PERIODIC_PASS });
    },
  };

  get durable(): readonly LogEntry[] {
    return this.sink.entries;
  }

  topsAt(at: number, symbols: readonly Symbol[]): () => ReadonlyArray<ReturnType<SimVenue['topOfBook']>> {
    let tops: ReadonlyArray<ReturnType<SimVenue['topOfBook']>> = [];
    this.clock.post(() => (tops = symbols.map((symbol) => this.venue.topOfBook(symbol))), at - this.clock.now());
    return () => tops;
  }
}

const PERIODIC_PASS: NodeCommand = { kind: 'Reconcile', actor: 'host', reason: 'periodic pass now', periodic: true };

/** A command as one unit of work of a process (a shared function: no closure per input). */
function handle(a: { node: TradingNode; command: NodeCommand }): void {
  a.node.handle(a.command);
}

/** Commits the log's sinks as a piece of work ends (what EventLog.commit does), except that sinks
 *  which group the ends of work (unitEnd) are told so instead. */
function endUnit(sinks: readonly RollbackSink[]): void {
  for (const sink of sinks) {
    if (sink.unitEnd) sink.unitEnd();
    else sink.commit?.();
  }
}

/** The store's log must be the durable log, entry for entry: a restart trusts nothing else. */
function checkedStore(stored: readonly LogEntry[], durable: readonly LogEntry[]): readonly LogEntry[] {
  const last = stored.at(-1);
  if (stored.length !== durable.length || (last && canonicalLine(last) !== canonicalLine(durable.at(-1) as LogEntry))) {
    throw new Error(`restart: the store holds ${stored.length} entries, the durable log ${durable.length}`);
  }
  return stored;
}
