// The quote fallback: a MarketDataPort over the node's market-data source that, while the
// source's path fails or goes stale, answers topOfBook from a ring of each symbol's recent good
// quotes (the newest while younger than maxAgeMs, then none). Everything that reads quotes reads
// through it, so each sees the same quote. States, events, cost and restarts:
// docs/0069-core-and-simulator-notes.md.
import type { Symbol } from '../model/ids.ts';
import type { LogEntry } from '../model/events.ts';
import type { QuoteFallbackEvent } from '../model/quote-fallback-events.ts';
import type { MarketDataPort, MarketWindow, TapeSlice, TopOfBook } from '../ports/broker.ts';
import type { QuoteFallbackConfig } from './quote-fallback-config.ts';
import { QuoteRing, type RingQuote } from './quote-ring.ts';

const HEALTHY = 0;
/** Degraded, answering from the ring. */
const FALLBACK = 1;
/** Degraded, the ring empty or its newest quote past maxAgeMs: answering no quote. */
const BLIND = 2;

const NO_QUOTE: TopOfBook = Object.freeze({ bid: null, bidQty: 0, ask: null, askQty: 0 });

class SymbolState {
  readonly ring: QuoteRing;
  /** The source's quote last looked at (pushed to the ring when it had a side). */
  seen: TopOfBook | null = null;
  mode = HEALTHY;
  since = 0;
  reason = '';
  fallbackReads = 0;
  blindReads = 0;
  constructor(quotes: number) {
    this.ring = new QuoteRing(quotes);
  }
}

/** A symbol running on the fallback now, as `status` assesses it. */
export interface FallbackStatus {
  readonly symbol: Symbol;
  readonly reason: string;
  /** True while the ring has a quote within maxAgeMs (consumers read it), false when not. */
  readonly onFallback: boolean;
  /** Age of the newest fallback quote (ms), null when the ring holds none. */
  readonly fallbackAgeMs: number | null;
}

/** QuoteFallback.tradesSince: the source's tape as it is. */
function sourceTrades(this: QuoteFallback, symbol: Symbol, cursor: number): TapeSlice {
  return this.sourceTape(symbol, cursor);
}

export class QuoteFallback implements MarketDataPort {
  private readonly states = new Map<Symbol, SymbolState>();
  /** The last symbol read and its state: a node reads one symbol far more than any other. */
  private lastSymbol: Symbol | null = null;
  private lastState: SymbolState | null = null;
  private readonly staleAfterMs: number | null;
  /** The source's tape, when it has one: a method of the class, not a closure made per instance.
   *  A closure made in this constructor (a node builds one fallback per sweep path) made V8
   *  tenure each path's objects past the path: ten times the bytes promoted and three times the
   *  garbage collection of a sweep without it (bench/RESULTS.md). */
  readonly tradesSince?: (this: QuoteFallback, symbol: Symbol, cursor: number) => TapeSlice;

  constructor(
    private readonly source: MarketDataPort,
    private readonly config: QuoteFallbackConfig,
    private readonly clock: { now(): number },
    private readonly record: (event: QuoteFallbackEvent) => void,
  ) {
    this.staleAfterMs = config.staleAfterMs;
    if (source.tradesSince) this.tradesSince = sourceTrades;
  }

  topOfBook(symbol: Symbol): TopOfBook {
    const top = this.source.topOfBook(symbol);
    const st = symbol === this.lastSymbol ? (this.lastState as SymbolState) : this.stateOf(symbol);
    // A quote the source shows is rung whether or not its path works now: a live source keeps
    // its last good quote when its stream drops, and its age is measured from its arrival.
    if (top !== st.seen) this.remember(st, symbol, top);
    if (!this.failing(symbol)) {
      if (st.mode !== HEALTHY) this.restored(st, symbol);
      return top;
    }
    return this.fallback(st, symbol);
  }

  window(symbol: Symbol, from: number, to: number): MarketWindow {
    return this.source.window(symbol, from, to);
  }

  lastUpdateAt(symbol: Symbol): number | null {
    return this.source.lastUpdateAt(symbol);
  }

  /** The source's tape after `cursor` (tradesSince when the source has a tape). */
  sourceTape(symbol: Symbol, cursor: number): TapeSlice {
    return this.source.tradesSince!(symbol, cursor);
  }

  feedFailure(symbol: Symbol): string | null {
    return this.source.feedFailure?.(symbol) ?? null;
  }

  noQuoteReason(symbol: Symbol): string | null {
    const st = this.states.get(symbol);
    if (st === undefined || st.mode !== BLIND) return null;
    const at = st.ring.newestAt();
    const newest = Number.isNaN(at)
      ? 'no fallback quote is held'
      : `the newest fallback quote is ${Math.round(this.clock.now() - at)} ms old, past the ${this.config.maxAgeMs} ms limit`;
    return `no quote: ${st.reason}, and ${newest}`;
  }

  /**
   * What topOfBook would answer now, without ringing, counting, changing state or recording
   * anything: for readers whose reads must not decide when a transition is logged (market
   * samples: a run's digest does not depend on how often it samples).
   */
  peek(symbol: Symbol): TopOfBook {
    const top = this.source.topOfBook(symbol);
    if (!this.failing(symbol)) return top;
    const c = this.candidate(symbol, top);
    return c !== null && this.clock.now() - c.at <= this.config.maxAgeMs ? c.top : NO_QUOTE;
  }

  /** A port over peek: what a passive reader (the market sampler) is given. */
  passive(): MarketDataPort {
    const port: MarketDataPort = {
      topOfBook: (symbol) => this.peek(symbol),
      window: (symbol, from, to) => this.source.window(symbol, from, to),
      lastUpdateAt: (symbol) => this.source.lastUpdateAt(symbol),
    };
    const source = this.source;
    if (!source.tradesSince) return port;
    return { ...port, tradesSince: (symbol, cursor) => source.tradesSince!(symbol, cursor) };
  }

  /**
   * Every symbol that would be read from the fallback now (of those read so far and `also`),
   * assessed from the source without changing any state or recording anything: for readiness
   * and metrics, which ask between units of work.
   */
  status(also: readonly Symbol[] = []): FallbackStatus[] {
    const out: FallbackStatus[] = [];
    const now = this.clock.now();
    const symbols = new Set<Symbol>([...this.states.keys(), ...also]);
    for (const symbol of symbols) {
      if (!this.failing(symbol)) continue;
      const c = this.candidate(symbol, this.source.topOfBook(symbol));
      const age = c === null ? null : Math.round(now - c.at);
      out.push({
        symbol,
        reason: this.failureReason(symbol),
        onFallback: age !== null && age <= this.config.maxAgeMs,
        fallbackAgeMs: age,
      });
    }
    return out;
  }

  /** The quotes the ring holds for `symbol`, oldest first. */
  recent(symbol: Symbol): RingQuote[] {
    return this.states.get(symbol)?.ring.quotes() ?? [];
  }

  /** A restarted process takes each symbol's degraded state from the durable log (its ring starts
   *  empty), so it reports the restoration rather than a second degradation. */
  restore(entries: readonly LogEntry[]): void {
    for (const { event: e, time } of entries) {
      if (e.kind === 'MarketDataDegraded') {
        const st = this.stateOf(e.symbol as Symbol);
        st.mode = FALLBACK;
        st.since = time;
        st.reason = e.reason;
      } else if (e.kind === 'MarketDataFallbackExpired') this.stateOf(e.symbol as Symbol).mode = BLIND;
      else if (e.kind === 'MarketDataRestored') this.stateOf(e.symbol as Symbol).mode = HEALTHY;
    }
  }

  private stateOf(symbol: Symbol): SymbolState {
    let st = this.states.get(symbol);
    if (st === undefined) this.states.set(symbol, (st = new SymbolState(this.config.quotes)));
    this.lastSymbol = symbol;
    this.lastState = st;
    return st;
  }

  /** The quote a failing read would serve if young enough: the source's own when it shows one
   *  (topOfBook rings it), else the ring's newest; null when there is neither. */
  private candidate(symbol: Symbol, top: TopOfBook): RingQuote | null {
    const st = this.states.get(symbol);
    if (top.bid !== null || top.ask !== null) {
      if (st !== undefined && top === st.seen) return { top, at: st.ring.newestAt() };
      return { top, at: this.source.lastUpdateAt(symbol) ?? this.clock.now() };
    }
    const newest = st?.ring.newest() ?? null;
    return newest === null ? null : { top: newest, at: (st as SymbolState).ring.newestAt() };
  }

  /** Whether the source's path for `symbol` failed or went stale now. */
  private failing(symbol: Symbol): boolean {
    if (this.source.feedFailure !== undefined && this.source.feedFailure(symbol) !== null) return true;
    if (this.staleAfterMs === null) return false;
    const at = this.source.lastUpdateAt(symbol);
    return at !== null && this.clock.now() - at > this.staleAfterMs;
  }

  private failureReason(symbol: Symbol): string {
    const failure = this.source.feedFailure?.(symbol) ?? null;
    if (failure !== null) return failure;
    const at = this.source.lastUpdateAt(symbol) ?? this.clock.now();
    return `no market data for ${Math.round(this.clock.now() - at)} ms (stale after ${this.staleAfterMs} ms)`;
  }

  /** Rings a quote the source shows (one with a side: an empty top is no quote to fall back to,
   *  and is not remembered, so the quote shown again after it is not rung twice). */
  private remember(st: SymbolState, symbol: Symbol, top: TopOfBook): void {
    if (top.bid === null && top.ask === null) return;
    st.seen = top;
    st.ring.push(top, this.source.lastUpdateAt(symbol) ?? this.clock.now());
  }

  private fallback(st: SymbolState, symbol: Symbol): TopOfBook {
    const now = this.clock.now();
    const at = st.ring.newestAt();
    const fresh = !Number.isNaN(at) && now - at <= this.config.maxAgeMs;
    if (st.mode === HEALTHY) {
      st.mode = fresh ? FALLBACK : BLIND;
      st.since = now;
      st.reason = this.failureReason(symbol);
      st.fallbackReads = 0;
      st.blindReads = 0;
      const held = !Number.isNaN(at);
      // Event payloads hold integers: times and ages to the millisecond.
      this.record({
        kind: 'MarketDataDegraded',
        symbol,
        reason: st.reason,
        fallbackAgeMs: held ? Math.round(now - at) : null,
        quoteAt: held ? Math.round(at) : null,
        maxAgeMs: this.config.maxAgeMs,
      });
    }
    if (fresh) {
      st.fallbackReads++;
      return st.ring.newest() as TopOfBook;
    }
    if (st.mode === FALLBACK) {
      st.mode = BLIND;
      this.record({
        kind: 'MarketDataFallbackExpired',
        symbol,
        quoteAt: Number.isNaN(at) ? null : Math.round(at),
        maxAgeMs: this.config.maxAgeMs,
        fallbackReads: st.fallbackReads,
      });
    }
    st.blindReads++;
    return NO_QUOTE;
  }

  private restored(st: SymbolState, symbol: Symbol): void {
    st.mode = HEALTHY;
    this.record({
      kind: 'MarketDataRestored',
      symbol,
      degradedMs: Math.round(this.clock.now() - st.since),
      fallbackReads: st.fallbackReads,
      blindReads: st.blindReads,
    });
  }
}
