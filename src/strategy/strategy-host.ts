// Runs a strategy module inside a process, on the process's clock: samples the market, hands the
// strategy its data, our fills and our parents' progress, and hands what it returns to its
// outputs (strategy-outputs.ts: node commands run later as units of work of their own). A failing
// strategy stops; the run never does.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-hostts
import type { Subscription } from 'rxjs';
import type { ExecEvent, LogEntry } from '../core/model/events.ts';
import { lotsToQty, type Instrument } from '../core/model/instrument.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { EventSink } from '../core/ports/event-sink.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import { isFeesSettled, OwnOrdersFeed, type OwnUpdate } from './own-orders-feed.ts';
import { showPlain } from './plain-copy.ts';
import type { StrategyContext, StrategyOutput } from './strategy-api.ts';
import { StrategyBook } from './strategy-book.ts';
import { StrategyCalls, type StrategyFailure } from './strategy-calls.ts';
import { SymbolFeed, type FeedSample } from './strategy-feed.ts';
import { OutputError } from './strategy-output.ts';
import { paramsCopy, StrategyInstance } from './strategy-instance.ts';
import { StrategyOutputs } from './strategy-outputs.ts';
import type { HistorySource, LoadedStrategy } from './strategy-port.ts';
import { seatOf } from './strategy-realm.ts';
import { StrategyScheduler } from './strategy-scheduler.ts';
import { SymbolWarmup, type SampleSource } from './symbol-warmup.ts';
import { defaultBudget, type TimeBudget } from './time-budget.ts';
import { unguarded } from './wall-clock-guard.ts';
import type { DeclaredAlgorithms } from '../core/algo/declared-algorithms.ts';

export interface StrategyHostDeps {
  readonly strategy: LoadedStrategy;
  /** The process's clock: its timers are units of work of the process and die with it. */
  readonly clock: Clock;
  readonly marketData: MarketDataPort;
  /** The run's instruments, its own first. */
  readonly instruments: readonly Instrument[];
  readonly ledger: OrderLedger;
  /** Appends an event to the process's log. */
  readonly record: (event: ExecEvent) => void;
  /** Runs a command as a unit of work of its own, after the current one. */
  readonly command: (label: string, command: NodeCommand) => void;
  readonly history: HistorySource | null;
  /** 'live' (the default): its signals become commands. 'shadow': a swap's candidate. */
  readonly role?: 'live' | 'shadow';
  /** Told what the strategy says and when a round of samples ends (a swap's comparison). */
  readonly watch?: HostWatch;
  /** How calls into the strategy are bounded (default: the thread's, time-budget.ts). */
  readonly budget?: TimeBudget;
  /** The algorithm modules the file declares, which its signals may name (none: none). */
  readonly algorithms?: DeclaredAlgorithms | undefined;
}

/** What a swap watches of a host. */
export interface HostWatch {
  /** A score output (checked). */
  score?(symbol: string, value: number): void;
  /** A signal the strategy made, as a signed quantity (buy +, sell -), whether sent or not. */
  signal?(symbol: string, signedQty: number): void;
  /** A live host handed every symbol's sample of this round to its strategy (and its mirror). */
  sampled?(time: number): void;
  /** The strategy stopped on a failure. */
  failed?(phase: string, message: string): void;
}

export class StrategyHost implements EventSink {
  private readonly name: string;
  /** The market sampling: a host taking over from another (a swap) takes its feeds. */
  private feeds: SymbolFeed[];
  private role: 'live' | 'shadow';
  /** A swap's candidate, handed what this host's strategy is handed. */
  private mirror: StrategyHost | null = null;
  private readonly warmup: SymbolWarmup;
  /** The strategy's instance in its form (its streams, or its handlers). */
  private readonly instance = new StrategyInstance();
  private timers: Subscription[] = [];
  /** The next market sample's and the next onTimer's timers: each replaces the last, which has
   *  fired (a run of hours would otherwise keep thousands of spent timers to its end). */
  private sampling: Subscription | null = null;
  private ticking: Subscription | null = null;
  /** The calls into the strategy's code: guarded, bounded, their outputs copied. */
  private readonly calls: StrategyCalls;
  private stopped = false;
  private started = false;
  /** What the strategy's outputs become (node commands, a swap's comparison). */
  private readonly outputs: StrategyOutputs;
  /** Our signals, the parents they made, and the fills and parent updates read from the log. */
  private readonly ownOrders: OwnOrdersFeed;
  /** What the context says of our trading: P&L, open parents and orders, balances. */
  private book: StrategyBook;

  constructor(private readonly deps: StrategyHostDeps) {
    const s = deps.strategy;
    this.name = s.definition.name;
    this.role = deps.role ?? 'live';
    this.calls = new StrategyCalls(deps.budget ?? defaultBudget(), s.callbackBudgetMs, seatOf(s.definition));
    this.feeds = deps.instruments.map((inst) => new SymbolFeed(inst, s.bars ?? [s.barMs]));
    this.book = new StrategyBook(deps.instruments, deps.ledger);
    this.warmup = new SymbolWarmup(
      deps,
      this.name,
      deps.instruments.map((inst) => inst.symbol),
      () => this.role,
    );
    this.ownOrders = new OwnOrdersFeed(
      deps,
      (symbol) => this.instrumentOf(symbol),
      (updates) => this.handOver(updates),
    );
    this.outputs = new StrategyOutputs(deps, {
      warmup: this.warmup,
      ownOrders: this.ownOrders,
      instrumentOf: (symbol) => this.instrumentOf(symbol),
      role: () => this.role,
    });
  }

  /** Starts the strategy now: StrategyStarted, its instance, history, then the sampling. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { strategy: s, clock } = this.deps;
    this.deps.record({
      kind: 'StrategyStarted',
      name: this.name,
      module: s.module,
      codeHash: s.codeHash,
      params: s.paramsJson,
      form: s.form,
      role: this.role,
    });
    this.book.seed();
    const context = this.context();
    // Each instance its own copy of the parameters: one that changes them changes no other run.
    const params = paramsCopy(s.params);
    this.call('start', () =>
      this.instance.create(s.definition, params, context, this.calls, () => {
        const scheduler = new StrategyScheduler(
          clock,
          (fire) => this.call('timer', fire),
          () => this.now(),
        );
        this.calls.scheduler = scheduler;
        return scheduler;
      }),
    );
    if (this.stopped) return;
    const timeout = this.warmup.begin(
      this.feeds.map((feed) => feed.instrument.symbol),
      (sample, source) => this.deliver(sample, source),
    );
    if (timeout) this.timers.push(timeout);
    if (this.role === 'live') this.scheduleSample();
    const timer = this.instance.timer();
    if (timer) {
      const timerMs = timer.timerMs;
      if (typeof timerMs !== 'number' || !(Number.isFinite(timerMs) && timerMs >= 1)) {
        this.calls.fail('start', new OutputError(`timerMs must be a number of ms >= 1, got ${showPlain(timerMs)}`));
        if (this.calls.failure) this.stopFailed(this.calls.failure);
        return;
      }
      const tick = (): void => {
        this.call('timer', () => timer.fire(clock.now()));
        if (!this.stopped) this.ticking = clock.schedule(tick, timerMs);
      };
      this.ticking = clock.schedule(tick, timerMs);
    }
  }

  /** The strategy takes nothing more (its process ends). Its streams are unsubscribed (their
   *  teardown is the strategy's code: guarded and bounded) unless a call of it ran past its budget,
   *  and every timer of its own or of its scheduler is cancelled. Its instance has ended. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.warmup.stop();
    const subscription = this.instance.takeSubscription();
    if (subscription) this.calls.quietly(() => subscription.unsubscribe());
    this.calls.scheduler?.stopAll();
    for (const t of this.timers) t.unsubscribe();
    this.timers = [];
    this.sampling?.unsubscribe();
    this.ticking?.unsubscribe();
    this.sampling = this.ticking = null;
    this.calls.release();
  }

  /** The world the strategy ran in has ended (a backtest's end, a simulated process's crash):
   *  nothing of it runs again, so its instance has ended too. Unlike stop(), nothing runs and
   *  nothing is cancelled (no teardown of its streams, no timers touched): the run is as it was;
   *  the strategy's realm goes on to another instance. */
  retire(): void {
    this.stopped = true;
    this.calls.release();
  }

  get running(): boolean {
    return this.started && !this.stopped;
  }

  /** Whether the symbol's warm-up is done. */
  isWarm(symbol: string): boolean {
    return this.warmup.isWarm(symbol);
  }

  /** Hands `shadow` (a started host in the shadow role) every live sample and log update this
   *  host's strategy is handed, right after it; null stops. */
  mirrorTo(shadow: StrategyHost | null): void {
    this.mirror = shadow;
  }

  /**
   * Makes this host the live one in place of `from` (an accepted swap), which stops: it takes
   * `from`'s feeds (the same sampling grid, the tape read so far, the open bars: the candidate
   * must sample as `from` did), the signals and parents `from`'s strategy made (now this one's:
   * its failure cancels them as its own), and the log updates `from` had not handed over yet.
   * A started shadow starts sampling; a host not started yet (an override) samples once started.
   */
  takeOver(from: StrategyHost): void {
    from.mirror = null;
    from.stop();
    this.feeds = from.feeds;
    this.book = from.book;
    this.ownOrders.takeOver(from.ownOrders);
    this.outputs.takeOver(from.outputs);
    this.role = 'live';
    if (this.started && !this.stopped) this.scheduleSample();
    this.ownOrders.queueFlushIfPending();
  }

  /** Symbols not warm yet, with what they have and need (readiness). */
  notHydrated(): string[] {
    return this.warmup.notHydrated();
  }

  // ---- EventSink: our fills and parents from the log ---------------------------------------

  write(entry: LogEntry): void {
    // A shadow is handed its updates by the live host.
    if (this.stopped || !this.started || this.role === 'shadow') return;
    this.ownOrders.write(entry);
  }

  // ---- the strategy's calls ----------------------------------------------------------------

  /** Runs strategy code (guarded, bounded); handles what it made once it returns. */
  private call(phase: string, work: () => unknown): void {
    if (this.stopped) return;
    const outputs = this.calls.run(phase, work, phase !== 'start');
    for (const raw of outputs) {
      if (this.stopped || this.calls.failure) break;
      try {
        this.outputs.emit(raw as StrategyOutput);
      } catch (err) {
        // A refused output names the call that returned it ('an output of bar: signal.qty: ...').
        const named =
          phase !== 'start' && err instanceof OutputError
            ? new OutputError(`an output of ${phase}: ${err.message}`)
            : err;
        this.calls.fail(phase === 'start' ? 'start' : 'output', named);
      }
    }
    const failure = this.calls.failure;
    if (failure && !this.stopped) this.stopFailed(failure);
  }

  /** Runs the work of handing the strategy an input, when it takes that input. */
  private give(phase: string, work: (() => unknown) | null): void {
    if (work) this.call(phase, work);
  }

  private stopFailed(failure: StrategyFailure): void {
    this.stop();
    this.outputs.failed(failure);
  }

  // ---- market data -------------------------------------------------------------------------

  private scheduleSample(): void {
    const { clock, strategy } = this.deps;
    const every = strategy.quoteMs;
    const now = clock.now();
    // On the grid of `every` from the epoch: the samples of a restarted process fall where the
    // first process's would have.
    const delay = every - (now % every);
    const sample = (): void => {
      if (this.stopped) return;
      const t = clock.now();
      for (const feed of this.feeds) {
        const live = feed.sample(this.deps.marketData, t);
        if (!this.warmup.hold(feed.instrument.symbol, live)) this.deliver(live, 'live');
        if (this.stopped) return;
      }
      this.deps.watch?.sampled?.(t);
      this.sampling = clock.schedule(sample, every - (clock.now() % every) || every);
    };
    this.sampling = clock.schedule(sample, delay);
  }

  private deliver(sample: FeedSample, source: SampleSource): void {
    const symbol = (sample.quote ?? sample.bars[0] ?? sample.trades)?.symbol;
    if (symbol === undefined) return;
    const warmup = this.warmup;
    this.book.sample(sample);
    // Each piece is counted before the strategy sees it: a signal made on the piece that
    // completes the warm-up is a warm one.
    if (sample.quote) {
      const q = sample.quote;
      warmup.countQuote(symbol, q.time, source);
      this.give('quote', this.instance.input('quotes', q));
    }
    if (sample.trades) {
      const t = sample.trades;
      warmup.countTrades(symbol, source);
      this.give('trade', this.instance.input('trades', t));
    }
    for (const b of sample.bars) {
      warmup.countBar(symbol, b.ms, source);
      this.give('bar', this.instance.input('bars', b));
    }
    if (source === 'live') this.mirror?.receive(sample);
  }

  /** A live sample the live host hands its shadow: held like the shadow's own would be while
   *  its history is read, so it still sees its market in time order. */
  private receive(sample: FeedSample): void {
    const symbol = (sample.quote ?? sample.bars[0] ?? sample.trades)?.symbol;
    if (symbol === undefined || !this.warmup.hold(symbol, sample)) this.deliver(sample, 'live');
  }

  // ---- our fills and parents ---------------------------------------------------------------

  /** Hands the strategy, then its swap's candidate, the updates of a flush, in order. */
  private handOver(updates: readonly OwnUpdate[]): void {
    for (const item of updates) {
      if (this.stopped) return;
      this.hand(item);
      this.mirror?.hand(item);
    }
  }

  /** Hands the strategy one of our fills or parent updates. */
  private hand(item: OwnUpdate): void {
    if (this.stopped) return;
    if (isFeesSettled(item)) this.book.feesSettled(item.symbol, item.clientOrderId, item.feesSoFar);
    else if ('clientOrderId' in item) {
      this.book.fill(item);
      this.give('fill', this.instance.input('fills', item));
    } else {
      this.book.parent(item);
      this.give('order', this.instance.input('parents', item));
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private context(): StrategyContext {
    const { ledger } = this.deps;
    const first = this.feeds[0]?.instrument.symbol ?? '';
    return {
      now: () => this.now(),
      symbols: this.feeds.map((f) => f.instrument.symbol),
      position: (symbol?: string) => {
        const inst = this.instrumentOf(symbol);
        return inst ? Number(lotsToQty(inst, ledger.positionOf(inst.symbol))) : 0;
      },
      hydrated: (symbol?: string) => this.warmup.isWarm(symbol ?? first),
      pnl: (symbol?: string) => this.book.pnl(symbol ?? first),
      balances: () => this.book.balances(),
      openParents: (symbol?: string) => this.book.openParents(symbol),
      openOrders: (symbol?: string) => this.book.openOrders(symbol),
    };
  }

  /** The run's clock, read on the strategy's behalf (a live clock reads the host's Date.now). */
  private now(): number {
    return unguarded(() => this.deps.clock.now());
  }

  private instrumentOf(symbol: string | undefined): Instrument | null {
    if (symbol === undefined) return this.feeds[0]?.instrument ?? null;
    return this.feeds.find((f) => f.instrument.symbol === symbol)?.instrument ?? null;
  }
}
