// What a strategy module is, for the people who write one: the definition a module exports and
// the data it sees and makes. Prices and quantities are plain numbers in the instrument's units
// (the host turns them into lots and ticks); times are epoch milliseconds on the run's clock. A
// module imports this file as 'execsim/strategy'.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-apits
import type { Observable, SchedulerLike } from 'rxjs';

export type Side = 'buy' | 'sell';

/** The best bid and offer, sampled every `feed.quoteMs`; a side with nothing shown is null. */
export interface Quote {
  readonly symbol: string;
  readonly time: number;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly bidSize: number;
  readonly askSize: number;
  /** (bid + ask) / 2, null unless both sides show. */
  readonly mid: number | null;
}

/** Everyone's trades on the venue's tape since the previous sample, summed. */
export interface Trades {
  readonly symbol: string;
  readonly time: number;
  /** How many trades, their quantity, volume-weighted price and the last trade's price. */
  readonly count: number;
  readonly size: number;
  readonly vwap: number;
  readonly last: number;
}

/** A closed bar of `feed.barMs` (one minute by default), from the tape; `time` is its open. A
 *  bar with no trade carries the last price as open, high, low and close and volume 0. */
export interface Bar {
  readonly symbol: string;
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One of our own fills. */
export interface OwnFill {
  readonly symbol: string;
  readonly time: number;
  readonly parentId: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
}

/** A parent order of ours: created (from one of this strategy's signals, `signalId`, or
 *  otherwise), then done; or one of this strategy's signals refused before it became a parent
 *  (state 'rejected', parentId '', `reason` says why: not warm yet, dedup, a pre-trade limit). */
export interface ParentUpdate {
  readonly symbol: string;
  readonly time: number;
  readonly parentId: string;
  readonly signalId: string | null;
  readonly reason?: string;
  readonly side: Side;
  readonly qty: number;
  readonly state: 'created' | 'filled' | 'partially_filled' | 'unfilled' | 'rejected';
}

/** A signal: through dedup, the guards, the pre-trade and reduce-only checks, then routed (a
 *  TWAP when `route` says so, or by the run's routing). `id` defaults to name-time-n. */
export interface SignalOutput {
  readonly kind?: 'signal';
  readonly id?: string;
  /** Default: the run's instrument. */
  readonly symbol?: string;
  readonly side: Side;
  readonly qty: number | string;
  /** A limit price; absent or null: a market order. */
  readonly price?: number | string | null;
  readonly route?: 'auto' | 'single' | 'twap';
  readonly reduceOnly?: boolean;
}

/** Cancels a parent (its remaining slices and its children working at the venue). */
export interface CancelOutput {
  readonly kind: 'cancel';
  readonly parentId: string;
  readonly reason?: string;
}

/** The model's number for a symbol now: the value its signal logic thresholds (a z-score, a
 *  forecast), optional. It never becomes an order; when the strategy is swapped for another
 *  (a swap's shadow validation) the candidate's scores are compared with the live one's over the
 *  same inputs, which says far more than its rare signals can. Report one whenever it changes
 *  (each bar, each quote). */
export interface ScoreOutput {
  readonly kind: 'score';
  readonly value: number;
  /** Default: the run's instrument. */
  readonly symbol?: string;
}

export type StrategyOutput = SignalOutput | CancelOutput | ScoreOutput;

/** What a handler may return: one output, several, or nothing. */
export type Outputs = StrategyOutput | readonly StrategyOutput[] | null | undefined | void;

/** What every strategy may ask at any time. */
export interface StrategyContext {
  /** The run's clock, epoch ms. */
  now(): number;
  /** The symbols the run trades, the run's instrument first. */
  readonly symbols: readonly string[];
  /** Our position in `symbol` (default: the run's instrument) from our fills, in instrument units. */
  position(symbol?: string): number;
  /** Whether the symbol's warm-up is done (signals before are refused). */
  hydrated(symbol?: string): boolean;
}

/** The plain form: synchronous callbacks, each returning outputs. State lives in the closure
 *  `create` returns. History for the warm-up arrives through the same callbacks first. */
export interface StrategyHandlers {
  onQuote?(quote: Quote): Outputs;
  onTrades?(trades: Trades): Outputs;
  onBar?(bar: Bar): Outputs;
  onFill?(fill: OwnFill): Outputs;
  onParent?(update: ParentUpdate): Outputs;
  /** Called every `timerMs` on the run's clock. */
  onTimer?(now: number): Outputs;
  readonly timerMs?: number;
}

/** The reactive form's inputs: hot streams the host feeds, and the run's clock as a scheduler.
 *  Give `scheduler` to every time-based operator (bufferTime, windowTime, debounceTime, timer,
 *  interval): rxjs's default scheduler is the wall clock, which the host refuses. */
export interface StrategyInputs extends StrategyContext {
  readonly quotes: Observable<Quote>;
  readonly trades: Observable<Trades>;
  readonly bars: Observable<Bar>;
  readonly fills: Observable<OwnFill>;
  readonly parents: Observable<ParentUpdate>;
  readonly scheduler: SchedulerLike;
}

/** Warm-up per symbol: closed bars, trade samples, or seconds of quotes, before any signal. */
export interface Warmup {
  readonly bars?: number;
  readonly trades?: number;
  readonly seconds?: number;
}

/** Anything with zod's safeParse (a zod schema, or your own). */
export interface ParamsSchema<P> {
  safeParse(input: unknown):
    | { readonly success: true; readonly data: P }
    | {
        readonly success: false;
        readonly error: {
          readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
        };
      };
}

interface DefinitionBase<P> {
  readonly name: string;
  /** Validates and completes the parameters a scenario gives; absent: parameters must be {}. */
  readonly params?: ParamsSchema<P>;
  /** Warm-up per symbol, or computed from the parameters (a 20-bar average needs 20 bars). */
  readonly warmup?: Warmup | ((params: P) => Warmup);
  /** How often quotes are sampled (default 1,000 ms) and how long a bar is (default 60,000 ms). */
  readonly feed?: { readonly quoteMs?: number; readonly barMs?: number };
}

export interface ReactiveDefinition<P> extends DefinitionBase<P> {
  readonly reactive: (params: P, inputs: StrategyInputs) => Observable<StrategyOutput>;
}

export interface HandlerDefinition<P> extends DefinitionBase<P> {
  readonly create: (params: P, context: StrategyContext) => StrategyHandlers;
}

export type StrategyDefinition<P = Record<string, unknown>> = ReactiveDefinition<P> | HandlerDefinition<P>;

/** Returns its argument: it is there for the type checker (a module's default export). */
export function defineStrategy<P>(definition: StrategyDefinition<P>): StrategyDefinition<P> {
  return definition;
}

export type {
  AlgoChild,
  AlgoContext,
  AlgoDecision,
  AlgoMarket,
  AlgoParent,
  AlgoTrigger,
  ChildIntent,
  ExecAlgorithm,
  Peg,
} from '../core/algo/intent-algorithm.ts';

/** Returns its argument: it is there for the type checker (an execution algorithm module's
 *  default export: `export default defineAlgorithm({ decide(ctx) { ... } })`). */
export function defineAlgorithm(
  algorithm: import('../core/algo/intent-algorithm.ts').ExecAlgorithm,
): import('../core/algo/intent-algorithm.ts').ExecAlgorithm {
  return algorithm;
}
