// Everything that goes into the event log: commands we issue, venue reports, and events we
// derive. The log entry wraps a payload with its sequence number and virtual time. Payloads
// hold only integers, strings, booleans and null so the canonical form (and the digest) is
// stable across machines.
import type { ClientOrderId, ParentOrderId } from './ids.ts';
import type { OrderRequest, OrderType, Side, TimeInForce } from './order.ts';
import type { OrderStatus } from './order-status.ts';
import type { Placement } from './placement.ts';
import type { FillEvent } from './fill-events.ts';
import type { SafetyEvent } from './safety-events.ts';
import type { ReconEvent } from './recon-events.ts';
import type { RequestEvent } from './request-events.ts';
import type { LiquidityEvent, PlannedLiquidityCap } from './liquidity-events.ts';
import type { AlgoEvent } from './algo-events.ts';
import type { QuoteFallbackEvent } from './quote-fallback-events.ts';
import type { VenueMessage } from './reports.ts';
import type { StrategyEvent } from './strategy-events.ts';

export interface RunStarted {
  readonly kind: 'RunStarted';
  readonly scenario: string;
  readonly symbol: string;
  readonly startTime: number;
}
export interface ParentOrderCreated {
  readonly kind: 'ParentOrderCreated';
  readonly parentId: ParentOrderId;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly limitPrice: number | null;
  readonly totalSlices: number;
  /** How it is executed: one order, TWAP slices (any trajectory), or children an algorithm
   *  decides as it runs (algo/intent-runner.ts; totalSlices 0: not known in advance). */
  readonly route: 'single' | 'twap' | 'algo';
  /** Best bid and ask (ticks) when the parent started; null when that side was empty. */
  readonly arrivalBid: number | null;
  readonly arrivalAsk: number | null;
  /** Where it came from: a scenario order or a signal. */
  readonly source: string;
  /** Partial-fill policy of its children when it differs from the run's fill detection config. */
  readonly partialFillPolicy?: string;
}
export interface OrderCreated extends Omit<OrderRequest, 'limitPrice' | 'stopPrice'> {
  readonly kind: 'OrderCreated';
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  /** A chaser's replacement: the child of the same slice whose unfilled part it re-prices. It is
   *  sent only once that child has ended (algo/child-chaser.ts). */
  readonly replaces?: ClientOrderId;
}
export interface SubmitOrder {
  readonly kind: 'SubmitOrder';
  readonly clientOrderId: ClientOrderId;
}
export interface CancelOrder {
  readonly kind: 'CancelOrder';
  readonly clientOrderId: ClientOrderId;
  readonly reason: string;
}
/** We give up on an order that is not at the venue (retries exhausted, guards closed). */
export interface OrderAbandoned {
  readonly kind: 'OrderAbandoned';
  readonly clientOrderId: ClientOrderId;
  readonly reason: string;
}
/** A slice not sent yet gets its final size and price (re-sizing, limit price from the touch). */
export interface ChildAmended {
  readonly kind: 'ChildAmended';
  readonly clientOrderId: ClientOrderId;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
}
export interface OrderStatusChanged {
  readonly kind: 'OrderStatusChanged';
  readonly clientOrderId: ClientOrderId;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly filledQty: number;
  readonly cause: number; // seq of the event that caused it
}
export type DiscrepancyReason = 'transition_not_allowed' | 'overfill' | 'invalid_report' | 'unknown_order';

/** A report we already knew (a duplicate trade id), or a full-state report that lost the
 *  conflict check (src/core/order/status-cas.ts): recorded, not applied, not a discrepancy. */
export interface ReportIgnored {
  readonly kind: 'ReportIgnored';
  readonly clientOrderId: ClientOrderId;
  readonly reason:
    | 'duplicate_trade'
    | 'stale_answer'
    | 'terminal_locked'
    | 'stale_update'
    | 'lower_rank'
    | 'fill_regression'
    | 'lower_priority';
  readonly detail: string;
  readonly cause: number;
}

/**
 * A full-state report without a trade list (OrderStatusReport.trades absent) stated a cumulative
 * filled quantity above ours: one fill for the difference was inferred and applied (derived by
 * the fold, src/core/order/apply-event.ts). Not a discrepancy: the venue simply does not list
 * executions. `tradeId` is `inferred:<clientOrderId>:<cumulativeQty>`, so every fold of the same
 * log (replay, restart, a second lookup) infers the same fill once. Price in fractional ticks
 * (the venue's cumulative notional, rounded to whole notional units, less ours, over `qty`);
 * the fee is 0: a venue that lists no executions states no per-fill fee.
 */
export interface FillInferred {
  readonly kind: 'FillInferred';
  readonly clientOrderId: ClientOrderId;
  readonly tradeId: string;
  /** Lots inferred, and the venue's cumulative filled quantity that implied them. */
  readonly qty: number;
  readonly cumulativeQty: number;
  /** Fractional ticks: the inferred fill's price, and the venue's stated average. */
  readonly price: number;
  readonly venueAvgPrice: number;
  readonly cause: number;
}
/**
 * An execution reported with its own trade id (the stream, a lookup with trades) whose lots an
 * earlier inferred fill already counted: its id is now known and its fee added; `qty` lots of it
 * were covered (not counted again), `qty` below the execution's size means the rest was new.
 */
export interface InferredFillMatched {
  readonly kind: 'InferredFillMatched';
  readonly clientOrderId: ClientOrderId;
  readonly tradeId: string;
  readonly qty: number;
  readonly cause: number;
}

/**
 * An execution of ours whose commission the reporter could not value: it was taken in an asset
 * that is neither the symbol's base nor its quote (Binance's BNB), and no price of that asset was
 * known (the scenario's commissionPrices, the venue's ticker). The order's fees leave it out; the
 * run report names it per parent. Derived by the fold from the report that first applied it.
 */
export interface CommissionUnvalued {
  readonly kind: 'CommissionUnvalued';
  readonly clientOrderId: ClientOrderId;
  readonly tradeId: string;
  readonly asset: string;
  /** The commission as the venue stated it, a decimal of `asset`. */
  readonly amount: string;
  readonly cause: number;
}

export interface DiscrepancyRecorded {
  readonly kind: 'DiscrepancyRecorded';
  readonly clientOrderId: ClientOrderId | null;
  readonly reason: DiscrepancyReason;
  readonly detail: string;
  readonly cause: number;
}
export interface ParentOrderCompleted {
  readonly kind: 'ParentOrderCompleted';
  readonly parentId: ParentOrderId;
  readonly status: 'filled' | 'partially_filled' | 'unfilled';
  readonly filledQty: number;
  /** Set when fills learned after completion (a lost fill found by a lookup or reconciliation)
   *  changed the result: what the earlier completion said. The latest completion is the result. */
  readonly revises?: { readonly status: 'filled' | 'partially_filled' | 'unfilled'; readonly filledQty: number };
}
/** The kill switch moved: active, reducing (only exposure-reducing orders) or halted. */
export interface KillSwitchChanged {
  readonly kind: 'KillSwitchChanged';
  readonly state: 'active' | 'reducing' | 'halted';
  readonly actor: string;
  readonly reason: string;
}
/** The breaker tripped: by an operator (`actor` names them, as the kill switch's events do) or
 *  by a condition (no actor). */
export interface CircuitBreakerTripped {
  readonly kind: 'CircuitBreakerTripped';
  readonly actor?: string;
  readonly reason: string;
  /** An operator's trip while the breaker was tripped by hand already: audited, it changed
   *  nothing (the trip in force keeps its reason), so folds of the breaker's state skip it. */
  readonly unchanged?: true;
}
export interface CircuitBreakerReset {
  readonly kind: 'CircuitBreakerReset';
  readonly actor: string;
  readonly reason: string;
  /** An operator's reset while the breaker was not tripped: audited, it changed nothing. */
  readonly unchanged?: true;
}
/** A TWAP's plan, stored with its parent before any slice is sent. */
export interface TwapPlanned {
  readonly kind: 'TwapPlanned';
  readonly parentId: ParentOrderId;
  readonly childType: OrderType;
  readonly intervalMs: number;
  readonly durationMs: number;
  readonly unfilledPolicy: 'carry' | 'drop';
  readonly limitOffsetTicks: number | null;
  /** What the planner changed and why (min notional, max slice size), as text. */
  readonly adjustments: readonly string[];
  /** What a restarted process needs to run the rest of the plan (slice-recovery.ts). */
  readonly stopOffsetTicks?: number | null;
  readonly minNotionalUnits?: number;
  readonly referencePrice?: number;
  readonly stops?: {
    readonly maxSpread: number;
    readonly maxPriceDeviation: number;
    readonly minLiquidity: number;
    /** Ticks: the price no slice pays worse than (absent: none). */
    readonly worstPrice?: number;
  };
  /** The catch-up after a restart, when not the default (spread, at most 3x a slice). */
  readonly catchUp?: { readonly mode: 'spread' | 'immediate'; readonly maxMultiple: number | null };
  /** The liquidity cap the plan was made with (absent: none). */
  readonly liquidityCap?: PlannedLiquidityCap;
  /** The target trajectory the slices were sized to (absent: TWAP's straight line). */
  readonly trajectory?: PlannedTrajectory;
  /** How the children are placed (absent: as the parent's type makes them). */
  readonly placement?: Placement;
}
/** A sliced parent's target trajectory as its plan stores it (algo/trajectory.ts): a VWAP's
 *  profile (`given` with its weights, `u-shaped`, `flat`; `fellBack` when it expected no volume
 *  in the horizon and the straight line was used), or the Almgren-Chriss inputs and the kappa
 *  (per second) they give. What the parent runs, for the report and the reader of the log: a
 *  restarted process never plans again (its slices are stored). */
export type PlannedTrajectory =
  | {
      readonly kind: 'vwap';
      readonly profile: string;
      readonly weights?: readonly number[];
      readonly fellBack?: boolean;
      /** A profile asked from history: the days asked, the days whose volume made `weights`
       *  (profile 'history', one weight a minute of the horizon), where the bars came from, or
       *  why there was too little (then `profile` is the default it fell back to). */
      readonly history?: PlannedHistory;
    }
  | {
      readonly kind: 'almgren-chriss';
      readonly urgency: number;
      readonly volatility: number;
      readonly impact: number;
      readonly kappaPerSecond: number;
    }
  /** Percent of volume (algo/participation.ts): the slices' sizes were a forecast; each slice
   *  is sized from the tape when it runs, by these. */
  | {
      readonly kind: 'pov';
      readonly rate: number;
      readonly maxRate: number | null;
      readonly minChildQty: number;
      readonly end: 'complete' | 'stop';
    };
/** What a VWAP's history profile was read from (PlannedTrajectory.history). */
export interface PlannedHistory {
  readonly days: number;
  readonly daysUsed?: number;
  readonly source: string | null;
  readonly unavailable?: string;
}
/** A parent that could not be executed at all (its TWAP plan is impossible at this price). */
export interface ParentRejected {
  readonly kind: 'ParentRejected';
  readonly parentId: ParentOrderId;
  readonly reason: string;
  /** Where it was refused: 'gating', 'guards' (kill switch, breaker), 'pre_trade' (order entry
   *  checks), 'reduce_only'; absent: the TWAP plan. */
  readonly stage?: string;
  /** The check's denial code (pre-trade.ts), e.g. 'large-order-confirmation-missing'. */
  readonly code?: string;
}
/** The cancel of a parent, logged (and committed) before anything acts on it. */
export interface ParentCancelRequested {
  readonly kind: 'ParentCancelRequested';
  readonly parentId: ParentOrderId;
  readonly reason: string;
}
/** A slice that was not sent, and why (guards, nothing left, below minimum). */
export interface SliceSkipped {
  readonly kind: 'SliceSkipped';
  readonly parentId: ParentOrderId;
  readonly sliceNum: number;
  readonly reason: string;
}
/** A TWAP stopped before its last slice (spread, price deviation, liquidity, cancel), or an
 *  algorithm deciding as it runs stopped (its end, a cancel, or its own failure). */
export interface ParentStopped {
  readonly kind: 'ParentStopped';
  readonly parentId: ParentOrderId;
  readonly reason: string;
  /** The parent's algorithm failed (its decide threw, ran past its budget, looped or returned a
   *  malformed decision): a run fails on it unless its scenario expects it. Absent otherwise. */
  readonly algorithmFailed?: true;
}
/** What the market did over a parent's horizon, for its execution-quality report. */
export interface MarketBenchmark {
  readonly kind: 'MarketBenchmark';
  readonly parentId: ParentOrderId;
  readonly from: number;
  readonly to: number;
  /** Ticks (fractional); null when nothing traded / no quotes. */
  readonly vwap: number | null;
  readonly twapMid: number | null;
  /** Lots traded by everyone (us included) over the horizon. */
  readonly volume: number;
  /** The market data covered the horizon only from this time (MarketWindow.coveredFrom): the
   *  benchmark is partial. Absent when it covered the whole horizon. */
  readonly coveredFrom?: number;
}
/** A fault the venue model applied (outage, rejection window...). */
export interface FaultApplied {
  readonly kind: 'FaultApplied';
  readonly fault: string;
  readonly detail: string;
}

/** A market model could not do what its parameters say and did something else instead: held a
 *  price at the one-tick floor (`price_floor`), refilled a level our execution took all of
 *  (`level_exhausted`), or priced executions closer together than its trading interval assumes
 *  (`rate_interval`). `detail` says what, with the figures. */
export interface ModelWarning {
  readonly kind: 'ModelWarning';
  readonly model: string;
  readonly warning: 'price_floor' | 'level_exhausted' | 'rate_interval';
  readonly detail: string;
}

/** Recorded market data skipped an update id: the book is stale until the next snapshot. */
export interface MarketDataGap {
  readonly kind: 'MarketDataGap';
  readonly expectedId: number;
  readonly gotId: number;
  readonly lastId: number;
}
/** The replayed book was (re)built from a snapshot. */
export interface MarketDataRebuilt {
  readonly kind: 'MarketDataRebuilt';
  readonly lastUpdateId: number;
}
/** The recorded data ran out; the market stays as it was. */
export interface MarketDataEnded {
  readonly kind: 'MarketDataEnded';
  readonly messages: number;
  /** The instrument whose data ran out, when it is one of otherInstruments; absent: the run's. */
  readonly symbol?: string;
}

/**
 * The market as our process saw it, for the charts of a stored run: recorded every
 * `report.sampleMs` when something changed since the previous sample, and at each of our fills.
 * The top of book is our market-data view (ticks and lots; null when that side is empty); the
 * trades are the venue's tape since the previous sample (ours included, as on a public feed):
 * how many, their volume (lots) and volume-weighted price (fractional ticks; null when nothing
 * traded), and `last`, the price of the last trade on the tape (null before the first).
 */
export interface MarketSampled {
  readonly kind: 'MarketSampled';
  readonly trigger: 'interval' | 'fill';
  readonly bid: number | null;
  readonly ask: number | null;
  readonly bidQty: number | null;
  readonly askQty: number | null;
  readonly trades: number;
  readonly volume: number;
  readonly vwap: number | null;
  readonly last: number | null;
}

export type OrderCommand = SubmitOrder | CancelOrder | OrderAbandoned | ChildAmended;

export type ExecEvent =
  | RunStarted
  | ParentOrderCreated
  | OrderCreated
  | OrderCommand
  | VenueMessage
  | OrderStatusChanged
  | DiscrepancyRecorded
  | ReportIgnored
  | FillInferred
  | InferredFillMatched
  | CommissionUnvalued
  | ParentOrderCompleted
  | FaultApplied
  | KillSwitchChanged
  | CircuitBreakerTripped
  | CircuitBreakerReset
  | TwapPlanned
  | ParentCancelRequested
  | ParentRejected
  | SliceSkipped
  | ParentStopped
  | MarketBenchmark
  | MarketDataGap
  | MarketDataRebuilt
  | MarketDataEnded
  | ModelWarning
  | MarketSampled
  | FillEvent
  | SafetyEvent
  | ReconEvent
  | RequestEvent
  | StrategyEvent
  | LiquidityEvent
  | AlgoEvent
  | QuoteFallbackEvent
  | ReplayStats;

export interface LogEntry<E extends ExecEvent = ExecEvent> {
  readonly seq: number;
  readonly time: number;
  readonly event: E;
}

/**
 * What a replay read from its recording and how the book rebuilt from it agreed with the
 * recording's own best bid/offer (bookTicker) stream: one cumulative event, recorded when the
 * run's end or the end of the data is reached.
 */
export interface ReplayStats {
  readonly kind: 'ReplayStats';
  /** Messages read, by kind. */
  readonly snapshots: number;
  readonly depthUpdates: number;
  readonly bookTickers: number;
  readonly trades: number;
  /** Depth updates applied to the book, and those skipped (older than the book's update id). */
  readonly depthApplied: number;
  readonly depthSkipped: number;
  /** Sequence gaps found, and books (re)built from a snapshot (the first build included). */
  readonly gaps: number;
  readonly rebuilds: number;
  /**
   * bookTickers compared with the rebuilt book right after the first depth update covering
   * their update id (the book then is the venue's book at that id), how many named the same
   * best bid and ask prices, how many the same prices and quantities, and the largest
   * difference between the two, in ticks (null before the first comparison).
   */
  readonly tickersChecked: number;
  readonly tickersMatched: number;
  readonly tickersExact: number;
  readonly maxDeviationTicks: number | null;
  /** Not compared: a newer ticker came before the covering depth update (superseded), the book
   *  already covered its update id when it arrived (late), the book was not synced, its bid was
   *  not below its ask (invalid), or no depth update covered it yet (pending). */
  readonly tickersSuperseded: number;
  readonly tickersLate: number;
  readonly tickersUnsynced: number;
  readonly tickersInvalid: number;
  readonly tickersPending: number;
  /** Depth updates older than the ticker already shown, and the levels they would have put back
   *  past the ticker's top. */
  readonly staleDepthUpdates: number;
  readonly levelsHeldBack: number;
  /** Messages after which the displayed book would have been crossed (bid above ask) or locked
   *  (bid equal to ask) without that hold-back, or because the rebuilt book itself crossed. */
  readonly crossedPrevented: number;
  readonly lockedPrevented: number;
}
