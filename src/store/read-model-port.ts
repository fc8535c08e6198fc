// What the HTTP server and the CLI read: stored runs and sweeps, through a narrow port. The read model
// (indexed summary columns, pages by cursor) implements it; the routes depend only on this, so
// the app is built from whatever reader it is given (createApp's `reader`). The row types are
// open records until the read model's own types take their place: the routes pass them through
// unchanged, and the response schemas in run-schemas.ts say as much. The sweep types are the
// concrete ones of sweep-read.ts.
import type {
  SweepDetail as StoredSweepDetail,
  SweepHistogram as StoredSweepHistogram,
  SweepPathRow,
  SweepSummary as StoredSweepSummary,
} from './sweep-read.ts';

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
  /** Ascending by default; paths without a value for the sort key come last either way. */
  readonly order?: SortOrder | undefined;
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
export type RunSeries = Readonly<Record<string, unknown>>;
export type Comparison = Readonly<Record<string, unknown>>;
export type SweepSummary = StoredSweepSummary;
export type SweepDetail = StoredSweepDetail;
export type SweepPath = SweepPathRow;
export type SweepHistogram = StoredSweepHistogram;
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
