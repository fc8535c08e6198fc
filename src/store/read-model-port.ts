// What the HTTP server and the CLI read: stored runs and sweeps, through a narrow port. The read model
// (indexed summary columns, pages by cursor) implements it; the routes depend only on this, so
// the app is built from whatever reader it is given (createApp's `reader`). The row types are
// open records until the read model's own types take their place: the routes pass them through
// unchanged, and the response schemas in run-schemas.ts say as much.

/** One page of a list and the cursor of the next one (null: this was the last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export type RunSortKey = 'started' | 'shortfall' | 'fillRatio';
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
}

export interface HistogramQuery {
  readonly bins?: number | undefined;
  readonly parent?: string | undefined;
}

export type RunSummary = Readonly<Record<string, unknown>>;
export type RunDetail = Readonly<Record<string, unknown>>;
export type OrderRow = Readonly<Record<string, unknown>>;
export type FillRow = Readonly<Record<string, unknown>>;
/** One stored event; `seq` is its place in the run's gap-free log (the NDJSON stream continues
 *  from the last one it got). */
export type EventRow = Readonly<Record<string, unknown> & { seq: number }>;

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
  /** Our fills, at the time we learned them. */
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
  /** Per parent order: its arrival price (the mid when it started) and its planned and filled
   *  quantity over time (cumulative steps; planned by the slices' planned times and sizes). */
  readonly parents: ReadonlyArray<{
    readonly id: string;
    readonly side: 'buy' | 'sell';
    readonly qty: number;
    readonly createdAt: number;
    readonly arrivalPrice: number | null;
    readonly planned: { readonly t: readonly number[]; readonly qty: readonly number[] };
    readonly filled: { readonly t: readonly number[]; readonly qty: readonly number[] };
  }>;
  readonly decimated: boolean;
  /** Points per series before and after decimation: book, trades, fills, slices, and
   *  `planned:<parent>` / `filled:<parent>`. */
  readonly counts: Readonly<Record<string, SeriesCount>>;
}
export type Comparison = Readonly<Record<string, unknown>>;
export type SweepSummary = Readonly<Record<string, unknown>>;
export type SweepDetail = Readonly<Record<string, unknown>>;
export type SweepPath = Readonly<Record<string, unknown>>;
export type SweepHistogram = Readonly<Record<string, unknown>>;
export type RunScenario = Readonly<Record<string, unknown>>;

/**
 * The read side of the store. `null` answers mean "no such run / sweep". Methods, not function
 * properties, so that a class with its own (compatible) parameter types can be passed in.
 */
export interface RunReader {
  listRuns(q: RunQuery): Page<RunSummary>;
  getRun(id: string): RunDetail | null;
  orders(id: string, q: PageQuery): Page<OrderRow> | null;
  fills(id: string, q: PageQuery): Page<FillRow> | null;
  events(id: string, q: EventQuery): Page<EventRow> | null;
  series(id: string, q: SeriesQuery): RunSeries | null;
  compare(ids: string[]): Comparison;
  listSweeps(q: PageQuery): Page<SweepSummary>;
  getSweep(id: string): SweepDetail | null;
  sweepPaths(id: string, q: SweepPathQuery): Page<SweepPath> | null;
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
