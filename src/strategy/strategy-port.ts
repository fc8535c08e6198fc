// What a host needs to run a strategy: the module as loaded (load-strategy.ts) with its checked
// parameters and settings, and where its warm-up history comes from (a backtest's own market
// before the start, a live venue's bars).
import type { FeedSample } from './strategy-feed.ts';
import type { StrategyDefinition, Warmup } from './strategy-api.ts';

/** What the kill switch is set to when the strategy fails ('active': left as it is). */
export type FailureMode = 'halted' | 'reducing' | 'active';

export interface LoadedStrategy {
  /** The definition: a host's, its instance's (StrategySlot instantiates one per host); the
   *  loader's own is its check's, whose instance ended with the load (read its name and form). */
  readonly definition: StrategyDefinition<unknown>;
  /** The parameters after the definition's schema (defaults filled in). */
  readonly params: unknown;
  /** Canonical JSON of `params`. */
  readonly paramsJson: string;
  /** The module as the file names it, and the hash of its bundled code. */
  readonly module: string;
  readonly codeHash: string;
  readonly form: 'reactive' | 'handler';
  readonly warmup: Warmup;
  readonly quoteMs: number;
  /** The bar length (the first of `bars` when there are several). */
  readonly barMs: number;
  /** Every bar length, in the strategy's order; absent: `barMs` alone. */
  readonly bars?: readonly number[];
  /** Warm-up not done after this long is an alert (StrategyHydration timed_out). */
  readonly warmupTimeoutMs: number;
  /** Each call into the strategy's code may take this long; past it the call is stopped and the
   *  strategy fails (StrategyFailed, phase the call's). */
  readonly callbackBudgetMs: number;
  readonly onFailure: { readonly killSwitch: FailureMode; readonly cancelParents: boolean };
}

/** What an instance of a strategy runs on: its run's clock and seed. */
export interface InstanceEnv {
  /** The run's clock, epoch ms (the realm's Date and performance read it). */
  readonly now: () => number;
  /** The run's seed: the realm's Math.random is the stream `strategy/<name>` of it. */
  readonly seed: number;
}

/** A symbol's market before `until`, as feed samples in time order. */
export interface History {
  readonly samples: readonly FeedSample[];
  /** Where it came from, for the hydration events ('the market model', 'alpaca bars'). */
  readonly source: string;
}

export interface HistorySource {
  /** Where it reads, for the first hydration event ("the venue's 1-minute bars"); absent: the
   *  event says 'reading history'. */
  readonly name?: string;
  /**
   * Reads `spanMs` of the symbol's market before `until`, and answers once: `done` with what it
   * found (possibly less than asked) or `failed` with why. It may answer before it returns (a
   * backtest) or later, as a unit of work of the process (a live venue).
   */
  read(
    symbol: string,
    spanMs: number,
    until: number,
    done: (history: History) => void,
    failed: (why: string) => void,
  ): void;
}

/** A strategy's bar lengths as text ('60000', or '60000, 300000'). */
export function barLengthsText(s: Pick<LoadedStrategy, 'barMs' | 'bars'>): string {
  return (s.bars ?? [s.barMs]).join(', ');
}

/** Whether two strategies sample alike (a swap keeps the feed): quotes and every bar length. */
export function sameFeed(a: Pick<LoadedStrategy, 'quoteMs' | 'barMs' | 'bars'>, b: typeof a): boolean {
  return a.quoteMs === b.quoteMs && barLengthsText(a) === barLengthsText(b);
}
