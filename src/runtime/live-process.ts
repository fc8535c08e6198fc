// One live process of a trading node on the wall clock: the node (src/node/) over a venue adapter,
// every adapter answer, timer and command run as one unit of work in the serial inbox, the event
// log committed after each unit into the run's store rows, the report folded as entries come.
// A paper run (paper-run.ts) adds its scenario's timed inputs and its horizon on top; a service
// session (session-run.ts) adds commands that arrive over HTTP. Both start it the same way: the
// venue's streams and first top of book awaited (bounded), the market history read back on a
// resume, then the node's startup (a first process takes the account as its baseline; a
// restarted one restores from the stored log, gates new orders while startup reconciliation and
// slice recovery run). A scenario's or session's strategy module runs beside the node
// (live-strategy.ts). The only wall-time and Promise code of a run lives here, in its hosts and
// in src/live.
import { Rng } from '../core/clock/rng.ts';
import { EventLog } from '../core/log/event-log.ts';
import type { LogEntry } from '../core/model/events.ts';
import type { RunId, Symbol } from '../core/model/ids.ts';
import { makeInstrument, type Instrument } from '../core/model/instrument.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { Clock } from '../core/ports/clock.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { RunReportFold } from '../core/report/run-report.ts';
import { ALWAYS_OPEN, venueRules, type TradingHours } from '../core/venues/index.ts';
import type { LiveVenue, VenueClock } from '../live/live-venue.ts';
import { LIVE_VENUES } from '../live/venue-registry.ts';
import { WallClock } from '../live/wall-clock.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { commissionPricesOf } from '../scenario/commission-prices.ts';
import { nodeConfigOf } from '../scenario/node-config-of.ts';
import type { RunStore, RunWriter } from '../store/run-store.ts';
import type { CommandResult, NodeCommand } from '../node/node-commands.ts';
import { SerialInbox } from '../node/serial-inbox.ts';
import { TradingNode } from '../node/trading-node.ts';
import { UnitBroker, UnitClock } from '../node/unit-runner.ts';
import { runReport, type RunReport } from './backtest-run.ts';
import { LiveStrategy } from './live-strategy.ts';
import { LiquidityBook } from '../core/engine/liquidity-book.ts';
import type { LiquidityEvent } from '../core/model/liquidity-events.ts';
import type { LiquidityConfig } from '../node/node-config.ts';
import { readDailyVolumes, volumesDue } from './daily-volume-reads.ts';
import { liveCandidates } from './session-swap.ts';

/**
 * What the venue's own clock says against the trading hours the run goes by, when they disagree
 * (null when they agree): slices wait for the hours the run goes by, so a venue open while the
 * run thinks it closed (a local gateway that never closes, a calendar past its end) holds every
 * slice, and the other way round sends orders the venue refuses or parks.
 */
export function marketHoursWarning(venue: VenueClock, hours: TradingHours, now: number): string | null {
  const ours = hours.isOpen(now);
  if (venue.isOpen === ours) return null;
  if (venue.isOpen)
    return "the venue says its market is open, but the run's trading hours say closed: slices wait for the next open (--market-hours always trades now)";
  const next = venue.nextOpen === null ? 'its next open' : new Date(venue.nextOpen).toISOString();
  return `the venue says its market is closed until ${next}, but the run's trading hours say open: orders sent now may be refused or held by the venue`;
}

/** What the scenario tells the venue's adapter beyond the instrument. */
export interface VenueSettings {
  /** Quote prices of commission assets (scenario/commission-prices.ts). */
  readonly commissionPrices: ReadonlyMap<string, string>;
}

export interface LiveOptions {
  readonly store: RunStore;
  /** Builds the venue's adapter on the run's clock (keys and URL are the caller's). `runId`
   *  names the run's orders at the venue (the adapter's client id namespace): a run's ids are
   *  derived from its scenario, so two runs of one scenario on one day would share them. */
  readonly venue: (instrument: Instrument, clock: Clock, runId: string, settings: VenueSettings) => LiveVenue;
  /** The process's clock: the wall clock (default), or one a test advances itself. Every timer
   *  of the process and its startup runs on it. */
  readonly clock?: Clock;
  /** Where the venue is, for messages. */
  readonly venueUrl: string;
  /** Stops the process: the run is stored as interrupted (resumable). */
  readonly signal?: AbortSignal;
  readonly warn?: (message: string) => void;
  readonly onEntry?: (entry: LogEntry) => void;
  /** How long the first account read may take before the venue is called unreachable (ms). */
  readonly preflightTimeoutMs?: number;
  /** How long the startup waits for the execution stream before it reconciles anyway (ms). */
  readonly streamWaitMs?: number;
  /** 'venue' (default): slices wait for the venue's trading hours (its rules' calendar);
   *  'always': the venue never closes (a local gateway serving around the clock). */
  readonly marketHours?: 'venue' | 'always';
}

/** The venue cannot be used (unreachable, keys refused): nothing was stored. */
export class VenueUnavailable extends Error {
  override readonly name = 'VenueUnavailable';
}

/** A scenario, its instrument, the run's wall clock and the venue's adapter, connected. */
export interface LiveSession {
  readonly loaded: LoadedScenario<ScenarioFile>;
  readonly instrument: Instrument;
  readonly clock: Clock;
  readonly venue: LiveVenue;
}

/** Builds the adapter and reads the account once: an unreachable venue or refused keys end
 *  here, before anything is stored. */
export async function connectVenue(
  loaded: LoadedScenario<ScenarioFile>,
  options: LiveOptions,
  id: string,
): Promise<LiveSession> {
  const instrument = makeInstrument(loaded.scenario.instrument);
  const clock =
    options.clock ??
    new WallClock((ms) =>
      options.warn?.(`the system clock stepped back ${ms} ms; the run's time holds until it catches up`),
    );
  const venue = options.venue(instrument, clock, id, { commissionPrices: commissionPricesOf(loaded.scenario) });
  // A venue that states its rules for the symbol (Binance's filters) refuses an instrument that
  // disagrees with them here, before anything is sent or stored.
  const refused = await venue.instrumentRefusal?.();
  if (refused) {
    await venue.stop();
    throw new VenueUnavailable(`the venue at ${options.venueUrl} refuses the run: ${refused}`);
  }
  const answer = await new Promise<VenueMessage | null>((resolve) => {
    const timer = clock.schedule(() => resolve(null), options.preflightTimeoutMs ?? 15_000);
    venue.setReportHandler((m) => {
      if (m.kind !== 'AccountReport' && m.kind !== 'QueryFailedReport') return;
      timer.unsubscribe();
      resolve(m);
    });
    venue.queryAccount('preflight');
  });
  if (answer === null || answer.kind === 'QueryFailedReport') {
    await venue.stop();
    const why = answer === null ? 'no answer' : answer.reason;
    const keys = answer?.kind === 'QueryFailedReport' && answer.failure === 'reject';
    throw new VenueUnavailable(
      keys
        ? `the venue at ${options.venueUrl} refused the account read (${why}): check ${keyNames(loaded.scenario.venue.name)}`
        : `cannot reach the venue at ${options.venueUrl}: ${why}`,
    );
  }
  if (options.marketHours !== 'always' && venue.marketClock) {
    const venueClock = await venue.marketClock();
    const hours = venueRules(loaded.scenario.venue.name).hours;
    const warning = venueClock && marketHoursWarning(venueClock, hours, clock.now());
    if (warning) options.warn?.(warning);
  }
  return { loaded, instrument, clock, venue };
}

/** How a live process ended: by its host (done), a stop signal, or a unit that threw. */
export type LiveOutcome = { readonly error?: unknown };

/** A process stopped by a signal: its run is stored as interrupted. */
export class Interrupted extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A live process stopped by a signal; stored as interrupted, resumable. */
export class PaperInterrupted extends Error {
  override readonly name = 'PaperInterrupted';
  constructor(
    readonly runId: RunId,
    readonly reason: string,
  ) {
    super(`paper run ${runId} interrupted: ${reason}; continue it with execsim resume ${runId}`);
  }
}

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
  /** Run after each unit commits (the host's end check). */
  private onCommit: () => void = () => {};
  private finished: ((how: LiveOutcome) => void) | null = null;
  /** Answers of units that ran, told after their commit. */
  private readonly committed: Array<(durable: boolean) => void> = [];
  /** Commands queued whose unit has not run: told the process stopped if it never does. */
  private readonly waiting = new Set<() => void>();
  private readonly streamUp = { orders: false, waiters: [] as Array<() => void> };
  /** The node's liquidity cap when the venue's daily bars are its volume source, else null. */
  private readonly volumes: LiquidityConfig | null;
  private readonly onAbort = (): void =>
    this.end({ error: new Interrupted(String(this.options.signal?.reason ?? 'stopped')) });

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
    this.writer = options.store.writer(id, instrument);
    if (prior) this.writer.rollback(prior);
    this.fold = new RunReportFold(instrument);
    for (const e of prior ?? []) this.fold.add(e);
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
    this.clock = new UnitClock(clock, this.inbox, { cancelOnStop: true });
    const fold = this.fold;
    log.addSink({ write: (entry) => fold.add(entry) });
    log.addSink(this.writer);
    if (options.onEntry) {
      const onEntry = options.onEntry;
      log.addSink({ write: (entry) => onEntry(entry) });
    }
    this.ledger = new OrderLedger();
    for (const e of prior ?? []) this.ledger.apply(e);
    const streamUp = this.streamUp;
    const broker = new UnitBroker(venue, this.inbox, (m) => {
      if (m.kind !== 'ConnectionReport' || m.stream !== 'orders') return;
      streamUp.orders = m.state === 'connected';
      if (streamUp.orders) for (const w of streamUp.waiters.splice(0)) w();
    });
    const config = nodeConfigOf(s, instrument, options.marketHours === 'always' ? ALWAYS_OPEN : undefined);
    this.volumes = config.liquidity?.source === 'venue' ? config.liquidity : null;
    this.crashedAt = prior?.at(-1)?.time ?? start;
    this.node = new TradingNode({
      config,
      clock: this.clock,
      broker,
      marketData: venue,
      log,
      ledger: this.ledger,
      rng: new Rng(s.seed).stream(prior ? `engine@${this.crashedAt}` : 'engine'),
      sampleOrigin: start,
      prior: prior ?? [],
    });
    this.strategy = loaded.strategy
      ? new LiveStrategy({
          strategy: loaded.strategy,
          node: this.node,
          ledger: this.ledger,
          clock: this.clock,
          venue,
          venueName: s.venue.name,
          instruments: config.instruments ? config.instruments.all : [instrument],
          inbox: this.inbox,
          // A first process reads the account's baseline before anything is sent: the strategy's
          // commands wait for it, as a paper run's scenario inputs do.
          held: prior === null,
          prior: prior ?? [],
          candidate: liveCandidates(loaded),
        })
      : null;
    if (this.strategy) log.addSink(this.strategy.host);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Ends the process (once): the host's `ended` settles with `how`. */
  /** Sets what runs after each unit commits (the host's end check). */
  afterCommit(observer: () => void): void {
    this.onCommit = observer;
  }

  end(how: LiveOutcome): void {
    const f = this.finished;
    this.finished = null;
    f?.(how);
  }

  /**
   * Runs `command` as one unit of work and answers once that unit has committed: what it did is
   * durable before anyone is told. Refused (stage 'node') when the process is ending.
   */
  submit(command: NodeCommand): Promise<CommandResult> {
    if (!this.inbox.open || this.finished === null) return Promise.resolve(STOPPING);
    return new Promise((resolve) => {
      const waiting = (): void => resolve(STOPPING);
      this.waiting.add(waiting);
      this.inbox.post(() => {
        const result = this.node.handle(command);
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
    const { venue, instrument } = this.session;
    venue.start(marketSince);
    // Fills of our orders must not slip between the startup snapshot and the stream: wait for the
    // execution stream (bounded; a stream that connects later is a reconnect, reconciled then).
    // Meanwhile, wait for the venue's first top of book (as long at most): the pre-trade checks
    // value a market order at the touch and refuse one with no price, and a venue may show its
    // book only on its market stream after the start (Binance's is a depth snapshot synced with
    // the diff stream; Alpaca's latest quote is one REST read), so an order due at the start, or a
    // resumed TWAP's catch-up, would be refused for a book that was a moment away.
    const waitMs = this.options.streamWaitMs ?? 10_000;
    const streamUp = this.streamUp;
    const clock = this.session.clock;
    const ordersStream = streamUp.orders
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = clock.schedule(resolve, waitMs);
          streamUp.waiters.push(() => {
            t.unsubscribe();
            resolve();
          });
        });
    await Promise.all([ordersStream, firstQuote(venue, instrument.symbol, waitMs, clock)]);
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
    const stored = this.volumes && new LiquidityBook(this.volumes.policy);
    stored?.restore(prior ?? []);
    const volumes = await this.dueVolumes(stored);
    this.inbox.post(() => {
      if (!prior) {
        // The account's position and cash before anything is sent are the run's baseline.
        this.node.start(this.start, true, ready);
      } else this.node.restart({ crashedAt: this.crashedAt, lostEntries: 0, refusedInputs: [...refusedInputs] }, ready);
      this.recordVolumes(volumes);
      // The strategy starts with the process, a fresh instance (after a restart too): it warms up
      // while startup reconciliation runs.
      this.strategy?.start();
      onStarted();
    });
    this.refreshVolumes();
  }

  /** The venue's daily volumes of the symbols whose reading the log lacks or has had for a day. */
  private async dueVolumes(book: LiquidityBook | null): Promise<LiquidityEvent[]> {
    const c = this.volumes;
    if (c === null || book === null) return [];
    const due = volumesDue(c, book, this.session.clock.now());
    return due.length === 0 ? [] : readDailyVolumes(this.session.venue, c, due);
  }

  private recordVolumes(events: readonly LiquidityEvent[]): void {
    for (const e of events) {
      if (e.kind === 'LiquidityCapOff' && !this.node.engine.liquidity?.isOff(e.symbol))
        this.options.warn?.(`liquidity cap off for ${e.symbol}: ${e.reason}; its TWAP slices are not capped`);
      this.node.engine.recordLiquidity(e);
    }
  }

  /** Reads again each day what has become a day old (a long paper run, a service session). */
  private refreshVolumes(): void {
    const c = this.volumes;
    if (c === null) return;
    this.clock.schedule(() => {
      void this.dueVolumes(this.node.engine.liquidity).then((events) =>
        this.inbox.post(() => this.recordVolumes(events)),
      );
      this.refreshVolumes();
    }, c.refreshMs);
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
   * interrupted (resumable; throws PaperInterrupted), failed (throws the unit's error), or
   * finished with its report.
   */
  async finish(outcome: LiveOutcome): Promise<RunReport> {
    const { store } = this.options;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.strategy?.stop();
    this.node.stop();
    this.inbox.stop();
    this.clock.stop();
    // The P&L's last mark: the venue's book as the process ends, read before its streams stop.
    const { venue, instrument } = this.session;
    this.fold.markEnd(instrument.symbol, venue.topOfBook(instrument.symbol));
    await this.session.venue.stop();
    // Commands still queued will not run, and one whose commit failed is not durable: they are
    // told the process stopped.
    for (const answer of this.committed.splice(0)) answer(false);
    for (const answer of this.waiting) answer();
    this.waiting.clear();
    const finishedAt = new Date(this.session.clock.now()).toISOString();
    const id = this.id;
    if (outcome.error !== undefined) {
      if (outcome.error instanceof Interrupted) {
        store.interruptRun(id, outcome.error.reason, finishedAt);
        throw new PaperInterrupted(id, outcome.error.reason);
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

/** How often the startup looks whether the venue's book has arrived (ms). */
const QUOTE_POLL_MS = 20;

/** Settles when the venue shows a bid or an ask for the symbol, or after `waitMs` on `clock`. */
async function firstQuote(venue: LiveVenue, symbol: Symbol, waitMs: number, clock: Clock): Promise<void> {
  const quoted = (): boolean => {
    const top = venue.topOfBook(symbol);
    return top.bid !== null || top.ask !== null;
  };
  const deadline = clock.now() + waitMs;
  while (!quoted() && clock.now() < deadline)
    await new Promise<void>((resolve) => clock.schedule(() => resolve(), QUOTE_POLL_MS));
}

/** The environment variables that hold the venue's keys, for a message. */
function keyNames(venue: string): string {
  const keys = LIVE_VENUES.get(venue)?.keys ?? [];
  return keys.length > 0 ? keys.join(' and ') : "the venue's keys";
}
