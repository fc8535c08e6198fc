// What the log says about a parent run by an intent-driven algorithm (../algo/intent-runner.ts):
// its plan (which algorithm, its parameters, its horizon), stored with the parent in one commit
// before any child; the state the algorithm asked to keep, each time it changed; and each intent
// the node clipped or refused, with why. A restarted process rebuilds the runner from these.

/** An intent-driven parent's plan. */
export interface AlgoPlanned {
  readonly kind: 'AlgoPlanned';
  readonly parentId: string;
  /** 'iceberg', or 'module' for a user's module. */
  readonly algo: string;
  /** The module as written in the file: its path, or the name the file's algorithms section
   *  declares it under (absent for a built-in). */
  readonly module?: string;
  /** The algorithm's parameters, in lots and ticks for a built-in, as written for a module. */
  readonly params: unknown;
  readonly startTime: number;
  readonly endTime: number;
  /** Ticks: the price no child is priced worse than (the parent's limit or its never-worse
   *  price), or null. */
  readonly worstPrice: number | null;
  /** The early stops its new children are held to (fractions, and lots of displayed liquidity);
   *  absent in logs written before parents run by an algorithm had them. */
  readonly stops?: { readonly maxSpread: number; readonly maxPriceDeviation: number; readonly minLiquidity: number };
}

/** The state the algorithm asked to keep, when it changed. */
export interface AlgoMemo {
  readonly kind: 'AlgoMemo';
  readonly parentId: string;
  readonly memo: unknown;
}

/** An intent the node did not carry out as asked: clipped to what the parent has room for, or
 *  refused (nothing left, a cancel of a child already ended). */
export interface AlgoIntentRefused {
  readonly kind: 'AlgoIntentRefused';
  readonly parentId: string;
  readonly intent: string;
  readonly outcome: 'clipped' | 'refused';
  readonly reason: string;
}

export type AlgoEvent = AlgoPlanned | AlgoMemo | AlgoIntentRefused;
