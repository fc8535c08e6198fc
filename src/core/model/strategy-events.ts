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
  /** 'shadow': a swap's candidate warming up beside the live strategy (absent: the live one). */
  readonly role?: 'shadow';
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

/** A replacement of the live strategy was asked for (a scenario action, an operator): the
 *  candidate runs in shadow beside the live strategy on the same inputs until `samples` of their
 *  outputs can be compared, or goes live at once when an operator overrides the validation
 *  (audited: actor and reason). Every request is logged, refused ones too. */
export interface StrategySwapRequested {
  readonly kind: 'StrategySwapRequested';
  /** The swap's number in the run (1, 2, ...): its StrategySwapDecided names the same. */
  readonly swap: number;
  /** The live strategy's name, and the candidate's (its definition's name). */
  readonly name: string;
  readonly candidate: string;
  /** The candidate's module as named, its code's hash and its parameters (canonical JSON). */
  readonly module: string;
  readonly codeHash: string;
  readonly params: string;
  /** Samples to compare, how long the shadow may take to collect them, and the thresholds
   *  (decimal strings): a correlation below `minCorrelation` or a mean difference above
   *  `maxMeanDifference` rejects the candidate. */
  readonly samples: number;
  readonly timeoutMs: number;
  readonly minCorrelation: string;
  readonly maxMeanDifference: string;
  readonly actor: string;
  /** true: an operator skipped the shadow validation. */
  readonly override: boolean;
  readonly reason: string;
}

/** How a swap ended. accepted: the candidate is the live strategy now (the comparison passed, or
 *  an override). rejected: the comparison failed, the candidate failed, or the samples did not
 *  come in time; the old strategy stays live. refused: the request could not start (a swap in
 *  shadow already, no live strategy). abandoned: the shadow ended before a decision (the process
 *  restarted, or the live strategy failed); the old strategy stays live. */
export type SwapDecision = 'accepted' | 'rejected' | 'refused' | 'abandoned';

/** The shadow comparison's figures and the decision. */
export interface StrategySwapDecided {
  readonly kind: 'StrategySwapDecided';
  readonly swap: number;
  readonly name: string;
  readonly candidate: string;
  readonly decision: SwapDecision;
  /** What was compared: the strategies' scores, their would-be signals (signed quantities), or
   *  nothing (an override, a refusal). */
  readonly basis: 'scores' | 'signals' | null;
  /** Samples compared; Pearson correlation and mean absolute difference relative to the live
   *  outputs' mean magnitude (decimal strings; null: not computable), how many samples the two
   *  had opposite signs, and each side's range ([min, max] as decimal strings). */
  readonly samples: number;
  readonly correlation: string | null;
  readonly meanDifference: string | null;
  readonly signChanges: number;
  readonly range: { readonly live: readonly [string, string]; readonly candidate: readonly [string, string] } | null;
  readonly reason: string;
}

export type StrategyEvent =
  | StrategyStarted
  | StrategyHydration
  | StrategyOutputRefused
  | StrategyFailed
  | StrategySwapRequested
  | StrategySwapDecided;
