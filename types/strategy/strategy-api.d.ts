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
/** A closed bar of one of the strategy's bar lengths (`feed.bars`, or `feed.barMs`: one minute by
 *  default), from the tape; `time` is its open and `ms` its length. A bar with no trade carries
 *  the last price as open, high, low and close and volume 0. */
export interface Bar {
    readonly symbol: string;
    readonly time: number;
    /** The bar's length, ms: one of the strategy's bar lengths. */
    readonly ms: number;
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
    /** The fee it paid, in the quote currency (0 when none; a commission kept in another asset
     *  is valued at the trade's price). */
    readonly fee: number;
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
/** A symbol's profit and loss by average cost, from the fills the strategy has been handed (its
 *  onFill calls so far), marked at the latest price it has been handed (a quote's mid, else the
 *  last trade, else a bar's close). Amounts are quote currency. */
export interface StrategyPnl {
    readonly symbol: string;
    /** Signed (long > 0), instrument units: the fills handed so far. */
    readonly position: number;
    /** Average cost of the open position; null when flat. */
    readonly averagePrice: number | null;
    /** Made by fills that reduced the position, against its average cost. */
    readonly realized: number;
    /** The open position at the mark against its average cost (0 without a mark). */
    readonly unrealized: number;
    readonly fees: number;
    /** realized + unrealized - fees. */
    readonly net: number;
    /** The latest price handed, and what it was; null before the first. */
    readonly mark: number | null;
    readonly markSource: 'quote' | 'trade' | 'bar' | null;
}
/** The account as the run knows it: what the venue's account held before the run (a backtest:
 *  the scenario's `venue.account`; a paper run: what the venue reported) plus our fills. */
export interface Balances {
    /** Quote currency now: `quoteAtStart` (0 when null) plus what our fills got and paid, fees off. */
    readonly quote: number;
    /** The quote balance before the run; null when the account reported none. */
    readonly quoteAtStart: number | null;
    /** Base held now per symbol, instrument units: before the run plus our fills. */
    readonly base: Readonly<Record<string, number>>;
}
/** A parent order the strategy has been told was created and not yet that it ended. */
export interface OpenParent {
    readonly parentId: string;
    /** The signal that made it (null: a scenario's order, another source). */
    readonly signalId: string | null;
    readonly symbol: string;
    readonly side: Side;
    readonly qty: number;
    /** From the fills handed so far, never more than `qty`. */
    readonly filled: number;
    /** 'cancelling' once a cancel of it was asked. */
    readonly state: 'working' | 'cancelling';
    /** How it is executed: 'single', 'twap', or the algorithm's name ('iceberg', 'module'...). */
    readonly algorithm: string;
}
/** A child order working at the venue (sent, not ended). */
export interface OpenChildOrder {
    readonly clientOrderId: string;
    readonly parentId: string;
    readonly symbol: string;
    readonly side: Side;
    readonly qty: number;
    /** Never more than `qty`. */
    readonly filled: number;
    /** Its limit price; null: a market order. */
    readonly price: number | null;
    /** The order's status as the node knows it ('new', 'partially_filled', 'pending_cancel'...). */
    readonly status: string;
}
/** What every strategy may ask at any time. Every answer is a frozen copy, the same in a
 *  backtest, a sweep, a paper run and a session. `symbol` defaults to the run's instrument. */
export interface StrategyContext {
    /** The run's clock, epoch ms. */
    now(): number;
    /** The symbols the run trades, the run's instrument first. */
    readonly symbols: readonly string[];
    /** Our position in `symbol` from our fills as the node has them, in instrument units. */
    position(symbol?: string): number;
    /** Whether the symbol's warm-up is done (signals before are refused). */
    hydrated(symbol?: string): boolean;
    /** Profit and loss from the fills handed so far, at the latest price handed. */
    pnl(symbol?: string): StrategyPnl;
    /** The account's quote and base balances. */
    balances(): Balances;
    /** Parents created and not ended (all symbols when `symbol` is absent), by id. */
    openParents(symbol?: string): readonly OpenParent[];
    /** Children working at the venue (all symbols when `symbol` is absent), oldest first. */
    openOrders(symbol?: string): readonly OpenChildOrder[];
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
/** Warm-up per symbol: closed bars, trade samples, or seconds of quotes, before any signal. With
 *  several bar lengths, `bars` is needed of each: a symbol is warm once every one of them has
 *  closed that many bars (so the longest sets how long it takes). */
export interface Warmup {
    readonly bars?: number;
    readonly trades?: number;
    readonly seconds?: number;
}
/** Anything with zod's safeParse (a zod schema, or your own). */
export interface ParamsSchema<P> {
    safeParse(input: unknown): {
        readonly success: true;
        readonly data: P;
    } | {
        readonly success: false;
        readonly error: {
            readonly issues: readonly {
                readonly path: readonly PropertyKey[];
                readonly message: string;
            }[];
        };
    };
}
interface DefinitionBase<P> {
    readonly name: string;
    /** Validates and completes the parameters a scenario gives; absent: parameters must be {}. */
    readonly params?: ParamsSchema<P>;
    /** Warm-up per symbol, or computed from the parameters (a 20-bar average needs 20 bars). */
    readonly warmup?: Warmup | ((params: P) => Warmup);
    /** How the market is sampled: each field a value, or computed from the parameters (so a sweep
     *  can vary it). */
    readonly feed?: Feed<P>;
}
/** A value of the feed, or a function of the parameters giving it. */
export type FromParams<P, T> = T | ((params: P) => T);
export interface Feed<P> {
    /** How often quotes are sampled, ms (default 1,000). */
    readonly quoteMs?: FromParams<P, number>;
    /** How long a bar is, ms (default 60,000): one bar length. */
    readonly barMs?: FromParams<P, number>;
    /** Several bar lengths, ms, each a whole multiple of quoteMs: every Bar says its own (`ms`).
     *  Give `barMs` or `bars`, not both. */
    readonly bars?: FromParams<P, readonly number[]>;
}
export interface ReactiveDefinition<P> extends DefinitionBase<P> {
    readonly reactive: (params: P, inputs: StrategyInputs) => Observable<StrategyOutput>;
}
export interface HandlerDefinition<P> extends DefinitionBase<P> {
    readonly create: (params: P, context: StrategyContext) => StrategyHandlers;
}
export type StrategyDefinition<P = Record<string, unknown>> = ReactiveDefinition<P> | HandlerDefinition<P>;
/** Returns its argument: it is there for the type checker (a module's default export). */
export declare function defineStrategy<P>(definition: StrategyDefinition<P>): StrategyDefinition<P>;
export type { AlgoChild, AlgoContext, AlgoDecision, AlgoMarket, AlgoParent, AlgoTrigger, ChildIntent, ExecAlgorithm, Peg, } from '../core/algo/intent-algorithm.js';
/** Returns its argument: it is there for the type checker (an execution algorithm module's
 *  default export: `export default defineAlgorithm({ decide(ctx) { ... } })`). */
export declare function defineAlgorithm(algorithm: import('../core/algo/intent-algorithm.js').ExecAlgorithm): import('../core/algo/intent-algorithm.js').ExecAlgorithm;
