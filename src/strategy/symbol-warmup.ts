// A hosted strategy's warm-up (hydration), per symbol: before a symbol's first signal the
// strategy is fed that symbol's history through the same callbacks as live data, and its signals
// are refused until it has seen what it needs. Progress, the end, a failed read and a timeout are
// StrategyHydration events, logged here.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategysymbol-warmupts
import type { Subscription } from 'rxjs';
import type { ExecEvent } from '../core/model/events.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { FeedSample } from './strategy-feed.ts';
import type { History, HistorySource, LoadedStrategy } from './strategy-port.ts';
import { Warmth } from './warmth.ts';

/** Where a sample comes from: the live sampling, or the history read before it. */
export type SampleSource = 'live' | 'history';

/** What the warm-up needs of its host's dependencies (a StrategyHostDeps fits). */
export interface WarmupDeps {
  readonly strategy: LoadedStrategy;
  readonly clock: Clock;
  readonly history: HistorySource | null;
  /** Appends an event to the process's log. */
  readonly record: (event: ExecEvent) => void;
}

type HydrationState = 'hydrating' | 'hydrated' | 'failed' | 'timed_out';

export class SymbolWarmup {
  private readonly warmth = new Map<string, Warmth>();
  /** Live samples of symbols whose history has not answered yet, handed over after it. */
  private readonly awaiting = new Map<string, FeedSample[]>();
  private stopped = false;

  /**
   * `symbols`: the run's instruments' symbols, each with a warm-up of its own. `role`: the host's
   * role when an event is logged (a swap's candidate is 'shadow' until it takes over).
   */
  constructor(
    private readonly deps: WarmupDeps,
    private readonly name: string,
    symbols: readonly string[],
    private readonly role: () => 'live' | 'shadow',
  ) {
    const s = deps.strategy;
    const lengths = s.bars ?? [s.barMs];
    for (const symbol of symbols) this.warmth.set(symbol, new Warmth(s.warmup, s.quoteMs, lengths));
  }

  /**
   * Starts the warm-up of `symbols` (the host's feeds, in order) as the strategy starts: a symbol
   * whose need is nothing is warm at once; the others log that they are hydrating and read their
   * history, whose samples go to `deliver` (with the live samples held meanwhile). Returns the
   * timeout alert's timer, for the host to cancel when it stops, or null when none is due.
   */
  begin(symbols: readonly string[], deliver: (sample: FeedSample, source: SampleSource) => void): Subscription | null {
    const { strategy: s, clock, history } = this.deps;
    const until = clock.now();
    for (const symbol of symbols) {
      const w = this.warmth.get(symbol) as Warmth;
      if (w.reached()) {
        w.done = true;
        continue;
      }
      this.hydration(
        symbol,
        w,
        'hydrating',
        history
          ? history.name
            ? `reading history: ${history.name}`
            : 'reading history'
          : 'no history source: warming up on live data',
      );
      if (!history) continue;
      this.awaiting.set(symbol, []);
      history.read(
        symbol,
        w.spanMs(Math.max(...(s.bars ?? [s.barMs]))),
        until,
        (h: History) => {
          const held = this.answered(symbol);
          if (this.stopped) return;
          for (const sample of h.samples) {
            deliver(sample, 'history');
            if (this.stopped) return;
          }
          if (!w.done)
            this.hydration(symbol, w, 'hydrating', `${h.source}: ${h.samples.length} samples, not enough yet`);
          this.deliverHeld(held, deliver);
        },
        (why) => {
          const held = this.answered(symbol);
          if (this.stopped) return;
          this.hydration(symbol, w, 'failed', `${why}; warming up on live data`);
          this.deliverHeld(held, deliver);
        },
      );
    }
    if (s.warmupTimeoutMs > 0 && [...this.warmth.values()].some((w) => !w.done)) {
      return clock.schedule(() => {
        for (const [symbol, w] of this.warmth) {
          if (!w.done && !this.stopped)
            this.hydration(symbol, w, 'timed_out', `not warm after ${s.warmupTimeoutMs} ms`);
        }
      }, s.warmupTimeoutMs);
    }
    return null;
  }

  /** The strategy takes nothing more: no sample is handed over and no event logged from here. */
  stop(): void {
    this.stopped = true;
  }

  /** Whether the symbol's warm-up is done. */
  isWarm(symbol: string): boolean {
    return this.warmth.get(symbol)?.done ?? false;
  }

  /** What a symbol still warming up has ('3 of 20 bars'); null once warm, or for a symbol the run
   *  does not trade (a signal for it is not refused here). */
  progressIfCold(symbol: string): string | null {
    const w = this.warmth.get(symbol);
    return w && !w.done ? w.progress() : null;
  }

  /** Symbols not warm yet, with what they have and need (readiness). */
  notHydrated(): string[] {
    const out: string[] = [];
    for (const [symbol, w] of this.warmth) if (!w.done) out.push(`${symbol}: warm-up ${w.progress()}`);
    return out;
  }

  /** Holds a live sample of a symbol whose history is being read, to be handed over after it;
   *  false when none is (the host hands the sample over now). */
  hold(symbol: string, sample: FeedSample): boolean {
    const held = this.awaiting.get(symbol);
    if (!held) return false;
    held.push(sample);
    return true;
  }

  // ---- counting, before the strategy sees each piece ---------------------------------------

  countQuote(symbol: string, time: number, source: SampleSource): void {
    const w = this.cold(symbol);
    if (!w) return;
    w.quote(time);
    this.counted(symbol, w, source);
  }

  countTrades(symbol: string, source: SampleSource): void {
    const w = this.cold(symbol);
    if (!w) return;
    w.trades();
    this.counted(symbol, w, source);
  }

  countBar(symbol: string, ms: number, source: SampleSource): void {
    const w = this.cold(symbol);
    if (!w) return;
    w.bar(ms);
    this.counted(symbol, w, source);
  }

  private cold(symbol: string): Warmth | null {
    const w = this.warmth.get(symbol);
    return w && !w.done ? w : null;
  }

  private counted(symbol: string, w: Warmth, source: SampleSource): void {
    if (source === 'history') w.sawHistory = true;
    if (w.reached()) this.hydrated(symbol, w, source);
    // Live progress every quarter of the need: enough to follow, not one event per sample.
    else if (source === 'live' && w.crossedQuarter()) this.hydration(symbol, w, 'hydrating', 'live');
  }

  // ---- the history's answer and the events -------------------------------------------------

  /** The live samples held while the symbol's history was read (none once answered). */
  private answered(symbol: string): FeedSample[] {
    const held = this.awaiting.get(symbol) ?? [];
    this.awaiting.delete(symbol);
    return held;
  }

  private deliverHeld(held: readonly FeedSample[], deliver: (sample: FeedSample, source: SampleSource) => void): void {
    for (const sample of held) {
      if (this.stopped) return;
      deliver(sample, 'live');
    }
  }

  private hydrated(symbol: string, w: Warmth, source: SampleSource): void {
    w.done = true;
    this.hydration(symbol, w, 'hydrated', w.sawHistory ? (source === 'live' ? 'history+live' : 'history') : 'live');
  }

  private hydration(symbol: string, w: Warmth, state: HydrationState, detail: string): void {
    const { have, need, unit } = w.figures();
    const role = this.role() === 'shadow' ? { role: 'shadow' as const } : {};
    this.deps.record({ kind: 'StrategyHydration', name: this.name, symbol, state, have, need, unit, detail, ...role });
  }
}
