// A run as a world and its processes. The world is what survives a crash: the virtual
// clock, the simulated venue and its market, the durable log (and the store behind it), and the
// scenario's inputs on the clock. A process is the harness's in-memory state: ledger, engine,
// order manager, reconciler, fill monitor, timers. A crash (scenario `restarts`) kills the
// process (process-boundary.ts): its timers never fire, the venue's answers to it are dropped,
// its uncommitted log tail is lost. After the downtime a new process starts from the durable log
// alone: it folds the log, restores the kill switch, breaker, dedup memory, reconciliation
// high-water mark and orphan book, then is gated (new orders refused as not ready) while startup
// reconciliation asks the venue and zombie-slice recovery reschedules what is left; then it
// opens the gate and reconciles periodically. Inputs that arrive while no process runs are
// refused and named in the next ProcessRestarted event.
import type { Rng } from '../core/clock/rng.ts';
import type { VirtualClock } from '../core/clock/virtual-clock.ts';
import { ExecutionEngine } from '../core/engine/execution-engine.ts';
import type { OrderManager } from '../core/engine/order-manager.ts';
import { canonicalLine, EventLog } from '../core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import { clientOrderId, parentOrderId } from '../core/model/ids.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../core/model/instrument.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import type { EventSink } from '../core/ports/event-sink.ts';
import { parseReconConfig, type ReconConfig } from '../core/recon/recon-config.ts';
import { Reconciler } from '../core/recon/reconciler.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { SimVenue } from '../sim/venue/sim-venue.ts';
import { buildVenue } from '../scenario/build-venue.ts';
import { FillResults, fillWiring } from './fill-wiring.ts';
import { DurableSink, ProcessBroker, ProcessClock, ProcessLife } from './process-boundary.ts';
import { wireProcess } from './process-wiring.ts';
import { scenarioInputs } from './scenario-inputs.ts';

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

/** The live pieces of a prepared run: advance `clock` to `end` to run it. The process-owned
 *  pieces are getters: after a restart they are the new process's. */
export interface PreparedRun {
  readonly engine: ExecutionEngine;
  readonly ledger: OrderLedger;
  readonly log: EventLog;
  readonly reconciler: Reconciler;
  readonly venue: SimVenue;
  /** Committed entries: what a restart starts from (and what the store holds). */
  readonly durable: readonly LogEntry[];
  /** Appends the end-of-run audit: our record and fill detection's results against the venue's. */
  audit(): void;
}

interface Proc {
  readonly life: ProcessLife;
  readonly log: EventLog;
  readonly ledger: OrderLedger;
  readonly engine: ExecutionEngine;
  readonly manager: OrderManager;
  readonly recon: Reconciler;
  gate: string | null;
  /** Inputs that arrived while the first process reads the account's baseline: they run, in
   *  order, once it is read (nothing was refused: nothing was lost). Null when none are held. */
  held: Array<{ label: string; work: (p: Proc) => void }> | null;
}

/**
 * Wires a run on an existing clock and a fresh log, with `sinks` on every process's log (sinks
 * with `rollback` are rebuilt from the durable log after a crash): venue and market, the first
 * process, the RunStarted event, the market's start, and the scenario's orders, signals,
 * actions and restarts.
 */
export function prepareRun(
  s: Scenario,
  file: string,
  clock: VirtualClock,
  rng: Rng,
  firstLog: EventLog,
  instrument: Instrument,
  start: number,
  sinks: readonly RollbackSink[] = [],
  readStore: (() => readonly LogEntry[]) | null = null,
  venueBuilder: typeof buildVenue = buildVenue,
): PreparedRun {
  const fills = fillWiring(s);
  const results = new FillResults();
  const crashes = s.restarts.length > 0;
  const durable = new DurableSink(crashes);
  const reconConfig: ReconConfig = parseReconConfig(s.reconciliation ?? {});
  let proc: Proc | null = null;
  let refused: string[] = [];
  const record = (event: ExecEvent): void => {
    if (proc?.life.alive) proc.engine.record(event);
  };
  const built = venueBuilder(s, file, clock, rng, instrument, start, record);
  const afterSubmit = s.restarts.flatMap((r) => ('afterSubmit' in r ? [r] : []));
  let submitCrash = 0;

  const startProcess = (prior: { crashedAt: number; lost: number } | null): Proc => {
    const life = new ProcessLife(() => {
      const spec = afterSubmit[submitCrash++];
      crash(parseDurationMs(spec?.downtime ?? 'PT30S'));
    });
    const pclock = new ProcessClock(clock, life);
    // A restart reads the store when there is one (it must hold exactly the durable log).
    const entries = !prior ? [] : readStore ? checkedStore(readStore(), durable.entries) : durable.entries;
    const log = prior ? EventLog.resume(clock, entries) : firstLog;
    const logSinks: readonly RollbackSink[] = [durable, results, ...sinks];
    for (const sink of logSinks) log.addSink(sink);
    // Every piece of work commits (durable: a crash after it loses nothing); the store's writer
    // groups these ends of work and writes them at the next commit (before a send), at a crash,
    // or at the end.
    if (crashes) life.afterWork = () => endUnit(logSinks);
    const ledger = new OrderLedger();
    if (prior) for (const e of entries) ledger.apply(e);
    for (const sink of logSinks) sink.follow?.(ledger);
    const crashAt = afterSubmit[submitCrash]?.afterSubmit ?? null;
    const broker = new ProcessBroker(built.venue, life, crashAt);
    // The process (built below): the engine's gate reads its `gate` field when asked.
    let p: Proc | null = null;
    const {
      engine,
      recon: r,
      manager,
      sampler,
    } = wireProcess({
      scenario: s,
      clock: pclock,
      broker,
      marketData: built.venue,
      log,
      ledger,
      instrument,
      rng: rng.stream(prior ? `engine@${prior.crashedAt}` : 'engine'),
      fills,
      reconConfig,
      sampleOrigin: start,
      gate: () => p?.gate ?? null,
      prior: prior ? entries : [],
    });
    p = { life, log, ledger, engine, recon: r, gate: null, held: null, manager };
    if (!prior) {
      engine.record({ kind: 'RunStarted', scenario: s.name, symbol: instrument.symbol, startTime: start });
      sampler?.start();
      if (!s.venue.account) {
        // Without starting balances the simulated account starts flat: nothing to read.
        r.startPeriodic();
        return p;
      }
      // The account may hold something before the run: a startup pass reads it as the run's
      // baseline (AccountBaseline) before anything is sent; inputs wait for it.
      p.held = [];
      log.commit();
      r.run(
        'startup',
        () => {
          const held = p.held ?? [];
          p.held = null;
          for (const h of held) clock.schedule(() => deliver(h.label, h.work), 0);
          log.commit();
          r.startPeriodic();
        },
        true,
      );
      return p;
    }
    engine.restore(entries);
    r.restore(entries);
    engine.record({
      kind: 'ProcessRestarted',
      crashedAt: prior.crashedAt,
      downtimeMs: clock.now() - prior.crashedAt,
      lostEntries: prior.lost,
      refusedInputs: refused,
    });
    refused = [];
    sampler?.start();
    p.gate = 'not ready: startup reconciliation and recovery are running';
    engine.record({ kind: 'StartupGateChanged', state: 'gated', actor: 'startup', reason: p.gate });
    log.commit();
    const timeout = pclock.schedule(() => {
      if (p.gate === null) return;
      p.gate = 'not ready: startup reconciliation timed out; an operator must force it (force_ready)';
      engine.record({ kind: 'StartupGateChanged', state: 'timed_out', actor: 'startup', reason: p.gate });
    }, reconConfig.startupTimeoutMs);
    r.run('startup', () => {
      engine.recover(entries, reconConfig.graceMs);
      timeout.unsubscribe();
      // Late (after the timeout alert) or not, a completed startup opens the gate; an operator
      // may have forced it open already.
      if (p.gate !== null) {
        p.gate = null;
        engine.record({
          kind: 'StartupGateChanged',
          state: 'ready',
          actor: 'startup',
          reason: 'startup reconciliation and recovery complete',
        });
      }
      log.commit();
      r.startPeriodic();
    });
    return p;
  };

  const crash = (downtimeMs: number): void => {
    const dead = proc;
    if (!dead || !dead.life.alive) return;
    dead.life.alive = false;
    // Inputs still waiting for the baseline die with the process: named as refused.
    for (const h of dead.held ?? []) refused.push(h.label);
    const lost = durable.discard();
    for (const sink of [results, ...sinks]) sink.rollback?.(durable.entries);
    const crashedAt = clock.now();
    clock.schedule(() => {
      proc = startProcess({ crashedAt, lost });
    }, downtimeMs);
  };

  /** Runs an input in the current process, or notes it as refused while none runs. */
  const deliver = (label: string, work: (p: Proc) => void): void => {
    const p = proc;
    if (!p || !p.life.alive) {
      refused.push(label);
      return;
    }
    if (p.held) {
      p.held.push({ label, work });
      return;
    }
    p.life.run(work, p);
  };

  proc = startProcess(null);
  // The market starts before the orders are scheduled: orders at the first instant see a book.
  built.start();
  for (const input of scenarioInputs(s, instrument)) {
    clock.schedule(() => deliver(input.label, (p) => input.run(p)), input.atMs);
  }
  for (const x of s.externalOrders) {
    // Someone else on the account: straight into the venue's matching engine.
    clock.schedule(() => {
      built.model.catchUpBook?.();
      built.venue.exchange.submit(
        {
          clientOrderId: clientOrderId(x.clientOrderId),
          parentId: parentOrderId('external'),
          sliceNum: 1,
          totalSlices: 1,
          scheduledTime: clock.now(),
          symbol: instrument.symbol,
          side: x.side,
          type: 'limit',
          tif: 'GTC',
          qty: qtyToLots(instrument, x.qty),
          limitPrice: priceToTicks(instrument, x.limitPrice),
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
  return new PreparedView(current, built.venue, durable, () => {
    const p = current();
    if (!p.life.alive) return;
    p.engine.record(results.audit(p.ledger, built.venue));
    p.log.commit();
  });
}

/** A prepared run as its caller sees it: whichever process runs now. A class, not an object
 *  literal with getters: a literal's accessors are new closures per run, each giving the object
 *  a hidden class of its own, and that hidden class (long-lived memory) kept every run's state
 *  alive through the young generation's collections until a full one. */
class PreparedView implements PreparedRun {
  constructor(
    private readonly current: () => Proc,
    readonly venue: SimVenue,
    private readonly sink: DurableSink,
    readonly audit: () => void,
  ) {}

  get engine(): ExecutionEngine {
    return this.current().engine;
  }

  get ledger(): OrderLedger {
    return this.current().ledger;
  }

  get log(): EventLog {
    return this.current().log;
  }

  get reconciler(): Reconciler {
    return this.current().recon;
  }

  get durable(): readonly LogEntry[] {
    return this.sink.entries;
  }
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
