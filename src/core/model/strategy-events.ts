// What a strategy module did, as events of the run's log: it started (which code, which
// parameters), how its warm-up went per symbol, the outputs it made that were refused before they
// became node commands, a failure that stopped it, and the shadow comparison of a swapped model
// with its decision. Payloads hold integers, strings, booleans and null only (the digest's rule),
// so figures that are not whole numbers (correlations, prices) are decimal strings.

export interface StrategyStarted {
  readonly kind: 'StrategyStarted';
  /** The definition's name, and the module as the scenario or session file names it. */
  readonly name: string;
  readonly module: string;
  /** SHA-256 (hex, 16 digits) of the module's bundled code: a changed strategy is another run. */
  readonly codeHash: string;
  /** The parameters after the definition's schema applied its defaults, as canonical JSON. */
  readonly params: string;
  readonly form: 'reactive' | 'handler';
  /** Which instance this is: 'live' for the strategy trading, 'shadow' for a candidate. */
  readonly role: 'live' | 'shadow';
}

/** Warm-up of one symbol: progress, done, failed (the history could not be read: the symbol
 *  warms up from live data alone) or timed out (an alert: it is still not warm). */
export interface StrategyHydration {
  readonly kind: 'StrategyHydration';
  readonly name: string;
  readonly symbol: string;
  readonly state: 'hydrating' | 'hydrated' | 'failed' | 'timed_out';
  /** What it has and what it needs, in the unit of its warm-up ('bars', 'trades', 'seconds'). */
  readonly have: number;
  readonly need: number;
  readonly unit: string;
  /** Where the data came from ('history', 'live', 'history+live') or why it failed. */
  readonly detail: string;
}

/** An output the host refused before it became a command: the strategy was not warm yet, or it
 *  was stopped. A malformed output is not refused: it stops the strategy (StrategyFailed). */
export interface StrategyOutputRefused {
  readonly kind: 'StrategyOutputRefused';
  readonly name: string;
  /** The signal's id, or the parent a cancel named. */
  readonly ref: string;
  readonly output: 'signal' | 'cancel';
  readonly reason: string;
}

/** The strategy threw, returned something malformed or touched the wall clock: it is stopped
 *  (the run goes on) and the kill switch is set as its `onFailure` says. */
export interface StrategyFailed {
  readonly kind: 'StrategyFailed';
  readonly name: string;
  /** The module as the file names it. */
  readonly module: string;
  /** What it was doing: 'start', 'quote', 'trade', 'bar', 'fill', 'order', 'timer', 'output'. */
  readonly phase: string;
  readonly message: string;
}

/** A replacement was asked for: the candidate runs in shadow beside the live strategy. */
export interface StrategySwapRequested {
  readonly kind: 'StrategySwapRequested';
  readonly name: string;
  readonly candidate: string;
  readonly codeHash: string;
  readonly params: string;
  readonly samples: number;
  readonly actor: string;
  /** true: an operator skipped the shadow validation (audited: actor and reason). */
  readonly override: boolean;
  readonly reason: string;
}

/** The shadow comparison's result and the decision: the candidate became live, or was rejected
 *  and the old strategy stays. */
export interface StrategySwapDecided {
  readonly kind: 'StrategySwapDecided';
  readonly name: string;
  readonly candidate: string;
  readonly decision: 'accepted' | 'rejected';
  /** Samples compared; correlation and mean relative difference (decimal strings, null: not
   *  computable), how many samples changed sign, and the outputs' ranges. */
  readonly samples: number;
  readonly correlation: string | null;
  readonly meanDifference: string | null;
  readonly signChanges: number;
  readonly reason: string;
}

export type StrategyEvent =
  | StrategyStarted
  | StrategyHydration
  | StrategyOutputRefused
  | StrategyFailed
  | StrategySwapRequested
  | StrategySwapDecided;
