// What the HTTP server and the CLI read: stored runs and sweeps, through a narrow port. The read model
// (read-model.ts: indexed summary columns, pages by cursor) implements it; the routes depend only
// on this, so the app is built from whatever reader it is given (createApp's `reader`). Runs,
// their records and comparisons have concrete row types (the routes' response schemas in
// store-schemas.ts match them); sweep rows are those of sweep-read.ts (the histogram
// sweep-histogram.ts's), series those of run-series.ts.
import type { RunState } from './run-state.ts';
import type { StoredStatus } from './stored-rows.ts';
import type { SweepHistogram as StoredSweepHistogram } from './sweep-histogram.ts';
import type { ShadedSpan } from './window-series.ts';
import type {
  SweepDetail as StoredSweepDetail,
  SweepPathRow,
  SweepProgress,
  SweepSummary as StoredSweepSummary,
} from './sweep-read.ts';

/** One page of a list and the cursor of the next one (null: this was the last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** What the run list sorts by: its start, or one of its summary figures (runs without it last). */
export const RUN_SORT_KEYS = [
  'started',
  'shortfall',
  'fillRatio',
  'netPnl',
  'sharpe',
  'winRate',
  'profitFactor',
  'drawdown',
  'trades',
] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';

/** Filters, order and page of the run list; every field optional. */
export interface RunQuery {
  readonly scenario?: string | undefined;
  readonly status?: string | undefined;
  readonly passed?: boolean | undefined;
  readonly mode?: string | undefined;
  readonly venue?: string | undefined;
  readonly symbol?: string | undefined;
  /** Runs started at or after this UTC instant (ISO-8601). */
  readonly from?: string | undefined;
  /** Runs started before this UTC instant (ISO-8601). */
  readonly to?: string | undefined;
  readonly seed?: number | undefined;
  readonly codeVersion?: string | undefined;
  readonly sort?: RunSortKey | undefined;
  readonly order?: SortOrder | undefined;
  readonly cursor?: string | undefined;
  /** 1 to 500. */
  readonly limit?: number | undefined;
}

export interface PageQuery {
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

export interface EventQuery {
  readonly fromSeq?: number | undefined;
  readonly toSeq?: number | undefined;
  readonly kinds?: readonly string[] | undefined;
  readonly limit?: number | undefined;
}

export interface SeriesQuery {
  readonly maxPoints?: number | undefined;
  /** Simulated ms from the run's start. */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

export type SweepPathSortKey = 'seed' | 'shortfall' | 'fillRatio';

export interface SweepPathQuery extends PageQuery {
  readonly sort?: SweepPathSortKey | undefined;
  /** Ascending by default; paths without a value for the sort key come last either way. */
  readonly order?: SortOrder | undefined;
}

export interface HistogramQuery {
  readonly bins?: number | undefined;
  readonly parent?: string | undefined;
}

/** A cursor that is not one this reader gave out for this list (garbled, or from another sort
 *  order): bad input, which the HTTP routes answer with 400 naming `query.cursor`. */
export class BadCursorError extends Error {
  constructor(detail: string) {
    super(`cursor: ${detail}; pass the nextCursor of the previous page unchanged, or no cursor for the first page`);
    this.name = 'BadCursorError';
  }
}

/** One stored run as lists show it: its summary columns, no report. */
/** The report's trading figures (trade-fold.ts); null for a run not finished, or stored by an
 *  execsim before them. Net P&L and max drawdown in quote currency; trades: closed ones; win
 *  rate 0..1; profit factor null without a losing trade; Sharpe annualized. */
export interface RunTradingFigures {
  readonly netPnl: number | null;
  readonly trades: number | null;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly sharpe: number | null;
  readonly maxDrawdown: number | null;
}

export interface RunSummary extends RunTradingFigures {
  readonly id: string;
  readonly scenario: string;
  readonly scenarioHash: string;
  readonly seed: number;
  readonly codeVersion: string;
  /** How the run was made: backtest. */
  readonly mode: string;
  readonly venue: string | null;
  /** The run's first instrument (of several: the one its RunStarted names). */
  readonly symbol: string | null;
  /** Every instrument the run traded, the first one first (empty when the run has no symbol). */
  readonly symbols: string[];
  /** The sweep the run is a path of; null for a run of its own. */
  readonly sweepId: string | null;
  /** The run's state now (run-state.ts): a running run whose writer is gone is crashed. */
  readonly state: RunState;
  /** The status as stored. */
  readonly status: StoredStatus;
  /** Whether its expectations held; null until it finished. */
  readonly passed: boolean | null;
  readonly digest: string | null;
  /** Events stored so far (kept current while the run writes). */
  readonly events: number;
  /** Orders and fills, counted when the run finished; null before (running, interrupted,
   *  crashed or failed: its stored orders and fills are read with the run's fills and orders). */
  readonly orders: number | null;
  readonly fills: number | null;
  /** Implementation shortfall in bps over the run's parents, weighted by what each filled at its
   *  arrival price. */
  readonly shortfallBps: number | null;
  /** Everything filled over everything ordered, 0..1. */
  readonly fillRatio: number | null;
  /** ISO-8601 UTC wall-clock instants. */
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly heartbeatAt: string | null;
  /** Simulated start and end, epoch ms. */
  readonly simStart: number;
  readonly simEnd: number | null;
  readonly writer: { readonly pid: number; readonly host: string | null } | null;
  readonly error: string | null;
  /** A paper run's venue URL (without any user:password@ part) and market hours, as it started
   *  or was last resumed with; null for a backtest, or a run stored before they were. */
  readonly venueUrl: string | null;
  readonly marketHours: 'venue' | 'always' | null;
}

/** One parent order's execution figures, as the run's report computed them. */
export interface ParentMetrics {
  readonly parentOrderId: string;
  readonly symbol: string | null;
  readonly side: string;
  /** Decimal strings, as the report has them. */
  readonly targetQty: string;
  readonly filledQty: string;
  readonly fillRatio: number;
  readonly arrivalPrice: string | null;
  readonly avgFillPrice: string | null;
  readonly shortfallBps: number | null;
  readonly vwapSlippageBps: number | null;
  readonly twapSlippageBps: number | null;
  readonly durationMs: number | null;
  /** filled, partially_filled, unfilled or working. */
  readonly status: string;
  readonly stopReason: string | null;
}

/** One stored run whole: its summary, per-parent figures and report (null until it finished). */
export interface RunDetail extends RunSummary {
  readonly parents: readonly ParentMetrics[];
  readonly report: unknown;
}

/** A parent or child order as the orders table holds it (parents have no parentOrderId). */
export interface OrderRow {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly parentOrderId: string | null;
  readonly sliceNum: number | null;
  readonly totalSlices: number;
  readonly scheduledTime: number | null;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly tif: string;
  readonly status: string;
  readonly qty: string;
  readonly filledQty: string;
  readonly avgPrice: string | null;
  readonly limitPrice: string | null;
  readonly stopPrice: string | null;
  /** Epoch ms, simulated. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A trade applied to one of our orders, at log entry `seq`. */
export interface FillRow {
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly parentOrderId: string | null;
  readonly side: string | null;
  readonly qty: string;
  readonly price: string;
  readonly fee: string;
  readonly liquidity: string;
  /** When the venue says the trade happened, epoch ms on its clock. */
  readonly time: number;
  readonly seq: number;
}

/** One stored event; `seq` is its place in the run's gap-free log (the NDJSON stream continues
 *  from the last one it got). */
export interface EventRow {
  readonly seq: number;
  /** Epoch ms, simulated. */
  readonly time: number;
  readonly kind: string;
  /** The event's fields (without its kind). */
  readonly payload: unknown;
}

/** What became of one child order (TWAP slice or single order): filled, partly filled (whatever
 *  its status), sent and nothing filled (`unfilled`: expired or still working; `cancelled`: we
 *  or the venue cancelled it), refused by the venue, given up on, or never sent. */
export type SliceOutcome = 'filled' | 'partial' | 'unfilled' | 'cancelled' | 'failed' | 'rejected' | 'unsent';

/** One decimated series: how many points it had in the window and how many it kept. */
export interface SeriesCount {
  readonly before: number;
  readonly after: number;
}

/**
 * A stored run's price and execution timeline for charts, columnar: each series is a set of
 * equally long arrays, index i across them one point. Times are epoch ms of simulated time (the
 * run's clock: `start` is its first instant); prices are in quote currency and quantities in
 * base units, as numbers. With `maxPoints`, each series keeps at most that many points: the
 * book keeps each time bucket's lowest and highest bid and ask (spikes survive), trades their
 * lowest and highest VWAP (with the bucket's volume summed into the points kept, so the total
 * volume is exact), cumulative quantities their first and last point in a bucket (they only
 * grow, so the last point is the final quantity); our fills are all kept unless there are more
 * than maxPoints (then as trades, quantity summed into the fills kept). `decimated` says whether
 * any series lost points and `counts` by how many.
 */
export interface RunSeries {
  readonly runId: string;
  readonly symbol: string;
  /** The run's first simulated instant and its end (null while it runs). */
  readonly start: number;
  readonly end: number | null;
  /** The window served (epoch ms, both ends included). */
  readonly from: number;
  readonly to: number;
  readonly maxPoints: number | null;
  /** Top of book as our process saw it, from the market samples; null: that side was empty. */
  readonly book: {
    readonly t: readonly number[];
    readonly bid: readonly (number | null)[];
    readonly ask: readonly (number | null)[];
  };
  /** Public trades (ours included) between samples: their VWAP and volume. */
  readonly trades: {
    readonly t: readonly number[];
    readonly vwap: readonly number[];
    readonly volume: readonly number[];
  };
  /** Our fills of the run's symbol (`symbol`: the chart's price axis), at the time we learned
   *  them; a further symbol's are in its parents' `filled` and in `equity`. */
  readonly fills: {
    readonly t: readonly number[];
    readonly price: readonly number[];
    readonly qty: readonly number[];
    readonly side: readonly ('buy' | 'sell')[];
    readonly childId: readonly string[];
    readonly parentId: readonly string[];
  };
  /** Every child order (slice): when it was planned and sent, its planned and final size. */
  readonly slices: {
    readonly childId: readonly string[];
    readonly parentId: readonly string[];
    readonly sliceNum: readonly number[];
    readonly plannedAt: readonly number[];
    /** When it was first sent; null: never sent. */
    readonly sentAt: readonly (number | null)[];
    /** As planned when created, and as it went out (carry and re-sizing change it). */
    readonly plannedQty: readonly number[];
    readonly qty: readonly number[];
    readonly filledQty: readonly number[];
    readonly outcome: readonly SliceOutcome[];
  };
  /** Per parent order: its symbol, its arrival price (the mid when it started) and its planned and
   *  filled quantity over time (cumulative steps; planned by the slices' planned times and
   *  sizes), each in its own symbol's units. */
  readonly parents: ReadonlyArray<{
    readonly id: string;
    readonly symbol: string;
    readonly side: 'buy' | 'sell';
    readonly qty: number;
    readonly createdAt: number;
    readonly arrivalPrice: number | null;
    readonly planned: { readonly t: readonly number[]; readonly qty: readonly number[] };
    readonly filled: { readonly t: readonly number[]; readonly qty: readonly number[] };
  }>;
  /** The run's net P&L (realized + unrealized - fees, quote currency: the report's pnl, every
   *  symbol together) and the run's symbol's position (base units, the account's baseline
   *  included) after every fill, mark and inventory change, from 0 at the run's start; a finished
   *  run's last point is its report's, at its end. Decimated as the book (min and max). */
  readonly equity: {
    readonly t: readonly number[];
    readonly net: readonly number[];
    readonly position: readonly number[];
  };
  /** The spans the chart shades: the scenario's declared faults and what the log shows the run
   *  went through (a stream down, a market data gap, the breaker open, the kill switch off
   *  active), cut to the window (window-series.ts). */
  readonly spans: readonly ShadedSpan[];
  readonly decimated: boolean;
  /** Points per series before and after decimation: book, trades, fills, slices, equity, and
   *  `planned:<parent>` / `filled:<parent>`. */
  readonly counts: Readonly<Record<string, SeriesCount>>;
}

/** The figures compared, per run and per parent; deltas are this run's minus the first run's. */
export interface MetricDeltas {
  readonly shortfallBps: number | null;
  readonly fillRatio: number | null;
}

export interface ParentDeltas extends MetricDeltas {
  readonly vwapSlippageBps: number | null;
  readonly twapSlippageBps: number | null;
  readonly durationMs: number | null;
}

/** A run compared, with its trading figures as its summary has them (RunTradingFigures). */
export interface ComparedRun extends RunTradingFigures {
  readonly id: string;
  readonly scenario: string;
  readonly scenarioHash: string;
  readonly seed: number;
  readonly state: RunState;
  readonly digest: string | null;
  readonly passed: boolean | null;
  readonly shortfallBps: number | null;
  readonly fillRatio: number | null;
  /** Against the first run (null where either has no figure). */
  readonly delta: MetricDeltas & { readonly netPnl: number | null; readonly sharpe: number | null };
}

export interface ComparedParent {
  readonly parentOrderId: string;
  /** One entry per compared run, in the order asked; metrics null when that run has no such parent. */
  readonly runs: ReadonlyArray<{
    readonly runId: string;
    readonly metrics: ParentMetrics | null;
    readonly delta: ParentDeltas | null;
    /** Present when this run's parent has another id and stands beside the baseline's by its
     *  position among the parents the ids left unmatched (run-comparison.ts matchParents). */
    readonly matchedBy?: 'position';
  }>;
}

/** Stored runs side by side, against the first one. */
export interface Comparison {
  /** The first known run: what the deltas are against (null when none is known). */
  readonly baseline: string | null;
  readonly runs: readonly ComparedRun[];
  /** Ids asked for that name no stored run. */
  readonly unknown: readonly string[];
  /** Every compared run has a digest and they are all the same (the same event log). */
  readonly digestsEqual: boolean;
  /** Where the runs' scenarios differ from the first's: field paths such as
   *  `venue.latency.orderEntry` or `orders[1].qty` (empty: the same scenario). */
  readonly scenarioDiff: readonly string[];
  readonly parents: readonly ComparedParent[];
}
export type SweepSummary = StoredSweepSummary;
export type SweepDetail = StoredSweepDetail;
export type SweepHistogram = StoredSweepHistogram;
export type { SweepPathRow };
/** The scenario a stored run ran, as stored with it (canonical JSON, parsed). */
export interface RunScenario {
  readonly runId: string;
  readonly name: string;
  readonly hash: string;
  readonly seed: number;
  readonly scenario: unknown;
}

/**
 * The read side of the store. `null` answers mean "no such run / sweep". Methods, not function
 * properties, so that a class with its own (compatible) parameter types can be passed in.
 */
export interface RunReader {
  listRuns(q: RunQuery): Page<RunSummary>;
  /** A run's row without its report (what a status needs). */
  summary(id: string): RunSummary | null;
  getRun(id: string): RunDetail | null;
  orders(id: string, q: PageQuery): Page<OrderRow> | null;
  fills(id: string, q: PageQuery): Page<FillRow> | null;
  events(id: string, q: EventQuery): Page<EventRow> | null;
  series(id: string, q: SeriesQuery): RunSeries | null;
  compare(ids: string[]): Comparison;
  listSweeps(q: PageQuery): Page<SweepSummary>;
  getSweep(id: string): SweepDetail | null;
  /** A sweep's state and path counts, without its JSON columns (what a progress answer needs). */
  sweepProgress(id: string): SweepProgress | null;
  sweepPaths(id: string, q: SweepPathQuery): Page<SweepPathRow> | null;
  sweepHistogram(id: string, q: HistogramQuery): SweepHistogram | null;
  scenarioOf(runId: string): RunScenario | null;
}

/** What deleting a stored run came to. */
export type DeleteRunOutcome =
  | { readonly kind: 'deleted'; readonly events: number }
  | { readonly kind: 'not_found' }
  /** Still being written (its writer is alive): nothing was deleted. */
  | { readonly kind: 'busy'; readonly detail: string };

/** Deletes a stored run with its events, orders, fills and orphan rows, in one transaction. */
export type DeleteRun = (id: string) => DeleteRunOutcome;
