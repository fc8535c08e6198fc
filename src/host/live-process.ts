// One live process of a trading node on the wall clock: the node over a connected venue adapter,
// every answer, timer and command one unit of work of the serial inbox, the log committed after
// each into the run's store rows, and at its end how it ended stored. A paper run and a service
// session start and stop it alike: docs/0065-the-host-layer.md.
import { Rng } from '../core/clock/rng.ts';
import { EventLog } from '../core/log/event-log.ts';
import { withSamples } from '../core/log/with-samples.ts';
import type { LogEntry } from '../core/model/events.ts';
import type { RunId } from '../core/model/ids.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { RunReportFold } from '../core/report/run-report.ts';
import { ALWAYS_OPEN } from '../core/venues/index.ts';
import { nodeConfigOf } from '../scenario/node-config-of.ts';
import { algorithmResolver, type ProcessAlgorithms } from '../strategy/load-algorithm.ts';
import type { RunStore, RunWriter } from '../store/run-store.ts';
import type { CommandResult, NodeCommand } from '../node/node-commands.ts';
import type { RequestTag } from '../node/request-journal.ts';
import { SerialInbox } from '../node/serial-inbox.ts';
import { nodeProcess } from '../node/node-host.ts';
import type { TradingNode } from '../node/trading-node.ts';
import type { UnitClock } from '../node/unit-runner.ts';
import { runReport, type RunReport } from './run-report.ts';
import { RunInterrupted, StopRequested } from './run-interrupted.ts';
import type { ConnectOptions, LiveSession } from './connect-venue.ts';
import { DailyVolumeReads } from './daily-volume-reads.ts';
import { historyDaysAsked, VenueMinuteVolumes } from './venue-minute-volumes.ts';
import { liveStrategyOf, type LiveStrategy } from './live-strategy.ts';
import { VenueStartWait } from './venue-start-wait.ts';

export interface LiveOptions extends ConnectOptions {
  readonly store: RunStore;
  /** Stops the process: the run is stored as interrupted (resumable). */
  readonly signal?: AbortSignal;
  readonly onEntry?: (entry: LogEntry) => void;
  /** How long the startup waits for the execution stream before it reconciles anyway (ms). */
  readonly streamWaitMs?: number;
}

/** How a live process ended: by its host (done), a stop signal, or a unit that threw. */
export type LiveOutcome = { readonly error?: unknown };

/**
 * The node of one live process, wired to the run's store. `afterCommit` sets what runs after each
 * unit's commit (a host checks whether its run is done there); `end` finishes the process (the
 * host's `ended` settles), and `finish` stores how it ended.
 */
export class LiveProcess {
  readonly log: EventLog;
  readonly inbox: SerialInbox;
  readonly clock: UnitClock;
  readonly ledger: OrderLedger;
  readonly node: TradingNode;
  readonly fold: RunReportFold;
  readonly writer: RunWriter;
  readonly ended: Promise<LiveOutcome>;
  /** When the dead process's last entry was (the run's start for a first process). */
  readonly crashedAt: number;
  /** The strategy module the file names, running beside the node (null: none). */
  readonly strategy: LiveStrategy | null;
  /** This process's instances of the algorithm modules the file names (null: none). */
  private readonly algorithms: ProcessAlgorithms | null;
  /** Run after each unit commits (the host's end check). */
  private onCommit: () => void = () => {};
  private finished: ((how: LiveOutcome) => void) | null = null;
  /** Answers of units that ran, told after their commit. */
  private readonly committed: Array<(durable: boolean) => void> = [];
  /** Commands queued whose unit has not run: told the process stopped if it never does. */
  private readonly waiting = new Set<() => void>();
  private readonly startWait = new VenueStartWait();
  /** The liquidity cap's volumes from the venue's daily bars (nothing when they are not its source). */
  private readonly volumes: DailyVolumeReads;
  /** The venue's minute bars for VWAPs with a history profile (read only when one is named). */
  private readonly minuteVolumes: VenueMinuteVolumes;
  private readonly onAbort = (): void =>
    this.end({ error: new StopRequested(String(this.options.signal?.reason ?? 'stopped')) });

  constructor(
    readonly session: LiveSession,
    private readonly options: LiveOptions,
    readonly id: RunId,
    readonly start: number,
    /** The stored log when resuming (null for a first process). */
    readonly prior: readonly LogEntry[] | null,
  ) {
    const { loaded, instrument, clock, venue } = session;
    const s = loaded.scenario;
    // Each further symbol's orders and fills are stored in its own decimals.
    const others = session.instruments.slice(1);
    this.writer = options.store.writer(id, instrument, others.length > 0 ? { others } : {});
    if (prior) this.writer.rollback(prior);
    // A run of several instruments reports each symbol's position and P&L, as a backtest does.
    this.fold = new RunReportFold(
      instrument,
      session.instruments.slice(1),
      s.report.markoutsMs,
      s.report.equityIntervalMs,
    );
    // The market the earlier processes sampled is what their fills are measured against: the
    // samples go back in between the entries they followed.
    if (prior) for (const e of withSamples(prior, options.store.samples(id))) this.fold.add(e);
    this.ended = new Promise<LiveOutcome>((resolve) => (this.finished = resolve));
    const log = prior ? EventLog.resume(clock, prior) : new EventLog(clock);
    this.log = log;
    this.inbox = new SerialInbox(
      () => {
        log.commit();
        for (const answer of this.committed.splice(0)) answer(true);
        this.onCommit();
      },
      (error) => this.end({ error }),
    );
    const fold = this.fold;
    log.addSink({ write: (entry) => fold.add(entry) });
    log.addSink(this.writer);
    if (options.onEntry) {
      const onEntry = options.onEntry;
      log.addSink({ write: (entry) => onEntry(entry) });
    }
    this.ledger = new OrderLedger();
    for (const e of prior ?? []) this.ledger.apply(e);
    const startWait = this.startWait;
    const base = nodeConfigOf(s, instrument, options.marketHours === 'always' ? ALWAYS_OPEN : undefined);
    // The algorithm modules the file's orders and signals name: fresh instances for this process,
    // on its clock and the run's seed, as in a backtest.
    const modules = loaded.algorithms;
    this.algorithms =
      modules !== undefined && modules.size > 0 ? algorithmResolver(modules, () => clock.now(), s.seed) : null;
    const config = this.algorithms ? { ...base, algorithms: this.algorithms } : base;
    this.volumes = new DailyVolumeReads(
      config.liquidity?.source === 'venue' ? config.liquidity : null,
      venue,
      clock,
      options.warn,
    );
    this.minuteVolumes = new VenueMinuteVolumes(
      venue,
      config.instruments ? config.instruments.symbols() : [instrument.symbol],
      historyDaysAsked(s),
      config.hours,
    );
    this.crashedAt = prior?.at(-1)?.time ?? start;
    const built = nodeProcess({
      config,
      clock,
      runner: this.inbox,
      venue,
      observe: (m) => startWait.note(m),
      cancelTimersOnStop: true,
      marketData: venue,
      log,
      ledger: this.ledger,
      rng: new Rng(s.seed).stream(prior ? `engine@${this.crashedAt}` : 'engine'),
      sampleOrigin: start,
      prior: prior ?? [],
      ...(this.minuteVolumes.active ? { volumeHistory: this.minuteVolumes } : {}),
    });
    this.node = built.node;
    this.clock = built.clock;
    this.strategy = liveStrategyOf(
      loaded,
      {
        node: this.node,
        ledger: this.ledger,
        clock: this.clock,
        venue,
        instruments: config.instruments ? config.instruments.all : [instrument],
        inbox: this.inbox,
      },
      prior,
    );
    if (this.strategy) log.addSink(this.strategy.host);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Sets what runs after each unit commits (the host's end check). */
  afterCommit(observer: () => void): void {
    this.onCommit = observer;
  }

  /** Ends the process (once): the host's `ended` settles with `how`. */
  end(how: LiveOutcome): void {
    const f = this.finished;
    this.finished = null;
    f?.(how);
  }

  /**
   * Runs `command` as one unit of work and answers once that unit has committed: what it did is
   * durable before anyone is told. Refused (stage 'node') when the process is ending. With a
   * request tag, the node answers a request it decided before from its journal.
   */
  submit(command: NodeCommand, request?: RequestTag): Promise<CommandResult> {
    if (!this.inbox.open || this.finished === null) return Promise.resolve(STOPPING);
    return new Promise((resolve) => {
      const waiting = (): void => resolve(STOPPING);
      this.waiting.add(waiting);
      this.inbox.post(() => {
        const result = this.node.handle(command, request);
        this.waiting.delete(waiting);
        this.committed.push((durable) => resolve(durable ? result : STOPPING));
      });
    });
  }

  /** Runs `work` as one unit of the inbox, as submit runs a command; settles with what it
   *  returned once the unit committed, or null when the process stops first. */
  unit<T>(work: () => T): Promise<T | null> {
    if (!this.inbox.open || this.finished === null) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiting = (): void => resolve(null);
      this.waiting.add(waiting);
      this.inbox.post(() => {
        const result = work();
        this.waiting.delete(waiting);
        this.committed.push((durable) => resolve(durable ? result : null));
      });
    });
  }

  /**
   * Connects the venue's streams and starts the node: `marketSince` (a resumed process's oldest
   * open parent) is read back from the venue's history; `onStarted` runs in the unit that starts
   * the node, `onReady` when the startup gate opens; `refusedInputs` are named in a restart's
   * ProcessRestarted.
   */
  async begin(
    marketSince: number | undefined,
    refusedInputs: readonly string[],
    onReady: () => void,
    onStarted: () => void = () => {},
  ): Promise<void> {
    const { venue, instruments, clock } = this.session;
    venue.start(marketSince);
    // Fills must not slip between the startup snapshot and the execution stream, and an order due
    // at the start needs the venue's book: both awaited, bounded (venue-start-wait.ts).
    const symbols = instruments.map((i) => i.symbol);
    await this.startWait.ready(venue, symbols, this.options.streamWaitMs ?? 10_000, clock);
    // Bounded by the adapter; a failure does not stop the run: the benchmarks say they are partial.
    const history = await venue.backfilled?.();
    if (history?.kind === 'failed' && marketSince !== undefined)
      this.options.warn?.(
        `could not read the venue's market history since ${new Date(marketSince).toISOString()} (${history.reason ?? 'no reason given'}): ` +
          'the market benchmarks of parents open since before this restart cover only what this process sees and are reported as partial',
      );
    const prior = this.prior;
    const ready = (): void => {
      this.strategy?.release();
      onReady();
    };
    // The liquidity cap's volumes, read before anything can be planned: what the stored log
    // lacks, or has had for a day (bounded by the adapter's request deadline).
    const volumes = await this.volumes.startup(prior);
    // The minute bars a VWAP with a history profile is planned from, read before anything can
    // be planned (each request bounded by the adapter's deadline).
    await this.minuteVolumes.startup(clock.now());
    this.inbox.post(() => {
      if (!prior) {
        // The account's position and cash before anything is sent are the run's baseline.
        this.node.start(this.start, true, ready);
      } else
        this.node.restart(
          { crashedAt: this.crashedAt, lostEntries: 0, refusedInputs: [...refusedInputs], baseline: true },
          ready,
        );
      this.volumes.record(this.node, volumes);
      // The strategy starts with the process, a fresh instance (after a restart too): it warms up
      // while startup reconciliation runs.
      this.strategy?.start();
      onStarted();
    });
    // Read again each day what has become a day old (a long paper run, a service session).
    this.volumes.refresh(this.clock, this.inbox, this.node);
  }

  /** The oldest open parent's creation: the market a resumed process reads back from the venue. */
  marketSince(): number | undefined {
    let since: number | undefined;
    for (const p of this.ledger.parents.values())
      if (p.completed === null && (since === undefined || p.createdAt < since)) since = p.createdAt;
    return since;
  }

  /**
   * Stops the node, the inbox, its timers and the venue, then stores how the process ended:
   * interrupted (resumable; throws RunInterrupted), failed (throws the unit's error), or
   * finished with its report.
   */
  async finish(outcome: LiveOutcome): Promise<RunReport> {
    const { store } = this.options;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.strategy?.stop();
    this.node.stop();
    this.inbox.stop();
    this.clock.stop();
    // Nothing asks the algorithm modules' instances again: their realms go on to the thread's
    // next runs (a server's, say).
    this.algorithms?.end();
    // The P&L's last mark: each symbol's book at the venue as the process ends, read before its
    // streams stop.
    const { venue, instruments } = this.session;
    for (const { symbol } of instruments) this.fold.markEnd(symbol, venue.topOfBook(symbol), this.session.clock.now());
    await this.session.venue.stop();
    // Commands still queued will not run, and one whose commit failed is not durable: they are
    // told the process stopped.
    for (const answer of this.committed.splice(0)) answer(false);
    for (const answer of this.waiting) answer();
    this.waiting.clear();
    const finishedAt = new Date(this.session.clock.now()).toISOString();
    const id = this.id;
    if (outcome.error !== undefined) {
      if (outcome.error instanceof StopRequested) {
        store.interruptRun(id, outcome.error.reason, finishedAt);
        throw new RunInterrupted(id, outcome.error.reason, true);
      }
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      store.failRun(this.writer, id, message, finishedAt);
      throw outcome.error;
    }
    const s = this.session.loaded.scenario;
    const wallMs = this.session.clock.now() - this.start;
    const report = runReport({
      runId: id,
      scenario: s,
      seed: s.seed,
      log: this.log,
      summary: this.fold.summary(),
      clockActions: this.inbox.handled,
      simulatedMs: wallMs,
      wallMs,
    });
    store.finishRun(this.writer, {
      digest: report.digest,
      simEnd: this.session.clock.now(),
      eventCount: this.log.count,
      finishedAt,
      reportJson: JSON.stringify(report),
      parents: report.parents,
      passed: report.passed,
    });
    return report;
  }
}

const STOPPING: CommandResult = {
  outcome: 'refused',
  check: 'node',
  code: 'stopped',
  reason: 'the process is stopping',
};
