// A service session: a trading node that runs as long as its server, driven by commands that
// arrive over HTTP instead of a scenario's timed inputs. It is a stored run (mode 'session')
// whose log grows as it trades, hosted by the same live process a paper run uses (one serial
// inbox, one commit per unit; a command is answered once its unit committed). In `sim` mode it
// trades on the session file's simulated venue in this process; in `paper` mode on a venue's
// paper account through its adapter.
// A session's root (src/runtime/session-root.ts) opens it; its readiness, recent quotes and
// strategy swaps are docs/0049-the-execution-service.md's.
import { dirname } from 'node:path';
import type { LogEntry } from '../core/model/events.ts';
import type { RunId, Symbol } from '../core/model/ids.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { OrphanBook } from '../core/recon/orphan-book.ts';
import type { BreakerTrip } from '../core/risk/circuit-breaker.ts';
import type { FallbackStatus } from '../core/market/quote-fallback.ts';
import type { CommandResult, NodeCommand } from '../node/node-commands.ts';
import type { RequestLookup, RequestTag } from '../node/request-journal.ts';
import { swapDecision, swapResult, type SwapAsk, type SwapAskAnswer } from '../node/swap-decision.ts';
import type { NodeStatus } from '../node/node-status.ts';
import type { SessionMode } from '../scenario/session-file.ts';
import type { DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';
import type { RunStore } from '../store/run-store.ts';
import type { LiveOptions, LiveProcess } from './live-process.ts';
import { RunInterrupted, StopRequested } from './run-interrupted.ts';
import type { StrategyStatus } from './live-strategy.ts';
import { sessionSwaps } from './session-swap.ts';
import { assessReadiness, type Readiness } from './session-readiness.ts';
import { RecentQuotes, type AgedQuote } from '../core/market/recent-quotes.ts';
import { scenarioInstruments } from '../scenario/scenario-requests.ts';

export interface SessionOptions {
  readonly store: RunStore;
  /** The venue's adapter and where it is: the session file's simulated venue in process (sim
   *  mode), or the CLI's paper venue (paper mode). */
  readonly venue: Pick<LiveOptions, 'venue' | 'venueUrl' | 'venueUrlFrom' | 'marketHours'>;
  readonly warn?: (message: string) => void;
  /** Progress a quiet server leaves out (ConnectOptions.note). */
  readonly note?: (message: string) => void;
  readonly preflightTimeoutMs?: number;
  readonly streamWaitMs?: number;
  /** A quote older than this is stale (readiness, the latest-quote answer); default 5 s. */
  readonly staleQuoteMs?: number;
  /** Recent quotes kept (recent-quotes.ts); default 600. */
  readonly quoteHistory?: number;
  /** The session's clock: the wall clock (default), or one a test advances itself. */
  readonly clock?: Clock;
  /** How often the venue's top of book is looked at for the recent quotes (ms); default 250. */
  readonly quoteSampleMs?: number;
  /** Log entries kept in memory for followers (older ones are read from the store); default 5,000. */
  readonly entryHistory?: number;
}

/** A pending request whose session stopped before deciding it. */
const UNDECIDED: CommandResult = {
  outcome: 'refused',
  check: 'node',
  code: 'stopped',
  reason: 'the session stopped before the venue’s position was read; nothing was sent',
};

export class ServiceSession {
  /** The startup gate opened (startup reconciliation and recovery complete, or forced). */
  private readyAt: number | null = null;
  private stopping = false;
  private readonly quotes: RecentQuotes;
  private readonly recent: LogEntry[] = [];
  private readonly uncommitted: LogEntry[] = [];
  private readonly followers = new Set<(entry: LogEntry) => void>();
  private quoteTimer: { unsubscribe(): void } | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  private lastTrip: Readonly<Record<string, unknown>> | null = null;
  private readonly skips = new Map<string, Map<number, string>>();
  private readonly history = new Map<string, LogEntry[]>();
  /** Told after the next unit commits, or when the process ends (decisionOf). */
  private commitWaiters: Array<() => void> = [];
  private ended = false;
  private tradedInstruments: readonly Instrument[] | null = null;
  /** How the process ended: the run's report, or why it stopped. */
  readonly done: Promise<void>;

  constructor(
    readonly proc: LiveProcess,
    readonly mode: SessionMode,
    readonly resumed: boolean,
    private readonly options: SessionOptions,
  ) {
    this.quotes = new RecentQuotes(options.quoteHistory ?? 600, options.staleQuoteMs ?? 5_000);
    const prior = proc.prior ?? [];
    this.recent.push(...prior.slice(-this.entryLimit));
    for (const e of prior) this.index(e);
    proc.afterCommit(() => {
      this.wakeCommitWaiters();
      const entries = this.uncommitted.splice(0);
      if (entries.length === 0) return;
      this.recent.push(...entries);
      if (this.recent.length > this.entryLimit * 2) this.recent.splice(0, this.recent.length - this.entryLimit);
      for (const f of this.followers) for (const e of entries) f(e);
    });
    this.done = proc.ended.then(async (outcome) => {
      this.ended = true;
      this.wakeCommitWaiters();
      this.stopQuotes();
      try {
        await proc.finish(outcome);
      } catch (err) {
        if (!(err instanceof RunInterrupted)) throw err;
      }
    });
  }

  /** The session's clock (the wall clock, or a test's). */
  get clock(): Clock {
    return this.proc.session.clock;
  }

  get id(): RunId {
    return this.proc.id;
  }

  get name(): string {
    return this.proc.session.loaded.scenario.name;
  }

  get instrument(): Instrument {
    return this.proc.session.instrument;
  }

  /** The session's instruments, its own (`instrument`) first, then the file's otherInstruments. */
  get instruments(): readonly Instrument[] {
    const { loaded, instrument } = this.proc.session;
    return (this.tradedInstruments ??= [...scenarioInstruments(loaded.scenario, instrument).all]);
  }

  get venue(): string {
    return this.proc.session.loaded.scenario.venue.name;
  }

  get algorithms(): DeclaredAlgorithms {
    return this.proc.session.loaded.scenario.algorithms ?? {};
  }

  get ledger(): OrderLedger {
    return this.proc.ledger;
  }

  get reconciling(): boolean {
    return this.proc.node.reconciling;
  }

  /** The breaker's trip now, and the last trip as logged (with the values it observed). */
  breaker(): { trip: BreakerTrip | null; lastTrip: Readonly<Record<string, unknown>> | null } {
    return { trip: this.proc.node.breakerTrip(), lastTrip: this.lastTrip };
  }

  orphans(): ReturnType<OrphanBook['list']> {
    return this.proc.node.orphans();
  }

  get ready(): boolean {
    return this.readyAt !== null && !this.stopping;
  }

  /** Runs a command as one unit; answered after it committed. An accepted ForceReady opens the
   *  session's readiness too. */
  async submit(command: NodeCommand, request?: RequestTag): Promise<CommandResult> {
    const result = await this.proc.submit(command, request);
    if (command.kind === 'ForceReady' && result.outcome === 'accepted') this.readyAt ??= this.clock.now();
    return result;
  }

  /** What the node's request journal knows of a request (answered between units). */
  requestDecision(request: RequestTag): RequestLookup {
    return this.proc.node.requestDecision(request);
  }

  /**
   * The decision of a request that was pending (a reduce-only order or signal waiting for the
   * venue's position), once a later unit made it: the order manager decides within the safety's
   * exposure age (it denies when the venue does not answer in time), so this settles in bounded
   * time; when the session stops first it answers that nothing was sent.
   */
  async decisionOf(request: RequestTag): Promise<CommandResult> {
    for (;;) {
      const known = this.proc.node.requestDecision(request);
      if (known.kind === 'decided' && known.result.outcome !== 'pending') return known.result;
      if (known.kind !== 'decided' || this.stopping || this.ended) return UNDECIDED;
      await new Promise<void>((resolve) => {
        this.commitWaiters.push(resolve);
      });
    }
  }

  status(): NodeStatus {
    return this.proc.node.status();
  }

  /** The live strategy (running or stopped, the symbols not warm yet) and a swap in shadow;
   *  null: the session's file names none. */
  strategyStatus(): StrategyStatus | null {
    return this.proc.strategy?.status() ?? null;
  }

  /** Asks for a swap of the strategy, as one unit of work (session-swap.ts): the module is
   *  relative to the session file's folder. */
  async swapStrategy(fields: SwapAsk, request?: RequestTag): Promise<SwapAskAnswer> {
    const st = this.proc.strategy;
    const base = this.proc.session.loaded.strategy;
    if (!st || !base) return { outcome: 'refused', swap: 0, reason: 'this session runs no strategy' };
    const swaps = sessionSwaps({
      slot: st.host,
      dir: dirname(this.proc.session.loaded.file),
      base,
      unit: (work) => this.proc.unit(work),
      ...(request === undefined
        ? {}
        : { decide: (make) => swapDecision(this.proc.node.decideRequest(request, () => swapResult(make()))) }),
    });
    return (await swaps.swapStrategy(fields)) ?? { outcome: 'refused', swap: 0, reason: 'the session is stopping' };
  }

  /** Ready, or every reason it is not (session-readiness.ts), judged at `now`. */
  readiness(now = this.clock.now()): Readiness {
    return assessReadiness({
      stopping: this.stopping,
      status: this.status(),
      started: this.readyAt !== null,
      quotes: this.instruments.map((i) => ({ symbol: i.symbol, quote: this.latestQuote(i.symbol, now) })),
      fallback: this.marketDataFallback(),
      strategy: this.strategyStatus()?.live ?? null,
    });
  }

  /** The symbols whose market data the node reads from the quote fallback now (its ring, or no
   *  quote young enough there), assessed without changing anything; empty while the venue's
   *  market data is healthy or the fallback is off. */
  marketDataFallback(): readonly FallbackStatus[] {
    return this.proc.node.marketDataFallback(this.instruments.map((i) => i.symbol));
  }

  /** The latest quote held for `symbol`, its age, and whether it is older than staleQuoteMs;
   *  null before the first. The ring answers even while the venue's feed is down. */
  latestQuote(symbol: Symbol, now = this.clock.now()): AgedQuote | null {
    this.sampleQuote();
    return this.quotes.latest(symbol, now);
  }

  /** Entries after `afterSeq` (at most `limit` of them): from memory when it still holds them,
   *  else from the store. */
  entriesAfter(afterSeq: number, limit = Number.POSITIVE_INFINITY): LogEntry[] {
    const first = this.recent[0];
    if (first !== undefined && first.seq <= afterSeq + 1) {
      // The first entry past afterSeq, by bisection: recent is in seq order (a market sample
      // shares the seq of the entry before it).
      let lo = 0;
      let hi = this.recent.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.recent[mid] as LogEntry).seq > afterSeq) hi = mid;
        else lo = mid + 1;
      }
      return this.recent.slice(lo, Number.isFinite(limit) ? lo + limit : undefined);
    }
    const from = afterSeq + 1;
    return [...this.options.store.entries(this.id, from, Number.isFinite(limit) ? limit : undefined)];
  }

  /** Calls `listener` with each entry committed from now on; returns what stops it. */
  follow(listener: (entry: LogEntry) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  /** The last committed entry's sequence number (0 before any). */
  get lastSeq(): number {
    return this.recent.at(-1)?.seq ?? 0;
  }

  /** Stops the session: a paper session is stored as interrupted (its next server resumes it),
   *  a sim session is finished with its report. Resolves once it is stored. */
  async stop(reason: string): Promise<void> {
    this.stopping = true;
    this.proc.end(this.mode === 'paper' ? { error: new StopRequested(reason) } : {});
    await this.done;
  }

  private wakeCommitWaiters(): void {
    if (this.commitWaiters.length === 0) return;
    const waiters = this.commitWaiters;
    this.commitWaiters = [];
    for (const w of waiters) w();
  }

  private get entryLimit(): number {
    return this.options.entryHistory ?? 5_000;
  }

  /** Takes an entry as logged; followers see it once its unit committed. */
  noteEntry(entry: LogEntry): void {
    this.uncommitted.push(entry);
    this.index(entry);
  }

  /** Starts the venue and the node; resolves once the startup unit is queued. */
  async begin(): Promise<void> {
    const proc = this.proc;
    await proc.begin(proc.marketSince(), [], () => {
      this.readyAt ??= this.clock.now();
    });
    this.sampleQuote();
    const every = this.options.quoteSampleMs ?? 250;
    const sample = (): void => {
      if (this.stopping) return;
      this.sampleQuote();
      this.quoteTimer = this.clock.schedule(sample, every);
    };
    this.quoteTimer = this.clock.schedule(sample, every);
    // An idle session writes nothing for minutes: its heartbeat says its server is alive, so
    // `execsim runs` and the next server do not take it for crashed.
    this.beatTimer = setInterval(() => this.options.store.heartbeat(this.id), HEARTBEAT_MS);
    this.beatTimer.unref();
  }

  /** Why each of a parent's slices was skipped, by slice number. */
  sliceReasons(parentId: string): ReadonlyMap<number, string> {
    return this.skips.get(parentId) ?? NO_REASONS;
  }

  /** The entries that name one of our orders (its reports, fills and fill detection), oldest
   *  first, at most ORDER_HISTORY of them. */
  orderHistory(clientOrderId: string): readonly LogEntry[] {
    return this.history.get(clientOrderId) ?? [];
  }

  /** Keeps what the answers need of an entry: the last breaker trip, skip reasons, order history. */
  private index(entry: LogEntry): void {
    const e = entry.event;
    // The trip in force, not an operator's repeated trip that changed nothing.
    if (e.kind === 'CircuitBreakerTripped' && e.unchanged !== true) this.lastTrip = { ...e, time: entry.time };
    else if (e.kind === 'SliceSkipped') {
      let m = this.skips.get(e.parentId);
      if (m === undefined) this.skips.set(e.parentId, (m = new Map()));
      m.set(e.sliceNum, e.reason);
    }
    if ('clientOrderId' in e && typeof e.clientOrderId === 'string') {
      let h = this.history.get(e.clientOrderId);
      if (h === undefined) this.history.set(e.clientOrderId, (h = []));
      h.push(entry);
      if (h.length > ORDER_HISTORY) h.shift();
    }
  }

  /** Looks at the venue’s top of book for the recent quotes (recent-quotes.ts), until the session stops. */
  private sampleQuote(): void {
    if (this.stopping) return;
    for (const i of this.instruments) this.quotes.sample(this.proc.session.venue, i.symbol, () => this.clock.now());
  }

  private stopQuotes(): void {
    this.quoteTimer?.unsubscribe();
    if (this.beatTimer !== null) clearInterval(this.beatTimer);
    this.quoteTimer = null;
    this.beatTimer = null;
  }
}

/** How often an idle session marks its run alive (well under the stale-heartbeat age). */
const HEARTBEAT_MS = 15_000;
const NO_REASONS: ReadonlyMap<number, string> = new Map();
/** Entries kept per order for its answer. */
const ORDER_HISTORY = 200;
