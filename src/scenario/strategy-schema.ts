// The `strategy:` section: a module of the user's signal logic (src/strategy/), its parameters
// (checked by the module's own schema when the file loads), how long its warm-up may take before
// that is an alert, how long one call into its code may take, and what a failure of the strategy
// does to the kill switch and its parents.
import { z } from 'zod';
import { duration } from './common-schema.ts';

export const strategySchema = z.strictObject({
  /** The module, relative to the file naming it: TypeScript or JavaScript. */
  module: z
    .string()
    .min(1)
    .regex(/\.(ts|mts|cts|js|mjs|cjs)$/, { error: 'must name a .ts or .js file (relative to this file)' }),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Warm-up not done after this long raises an alert (StrategyHydration timed_out); 0 turns it off. */
  warmupTimeout: duration.default('PT5M'),
  /** Each call into the module's code (a callback, its module code, its schema, warmup(),
   *  create() or reactive()) may take this many ms of CPU time; past it the call is stopped and
   *  the strategy fails as any failing strategy does (the run goes on). */
  callbackBudgetMs: z.number().int().min(10).max(60_000).default(250),
  onFailure: z
    .strictObject({
      /** The kill switch's state once the strategy fails (active: left as it is). */
      killSwitch: z.enum(['halted', 'reducing', 'active']).default('halted'),
      /** Cancel the open parents its signals made. */
      cancelParents: z.boolean().default(true),
    })
    .default({ killSwitch: 'halted', cancelParents: true }),
});

/** An action that swaps the running strategy for another module or other parameters, after
 *  shadow validation (src/strategy/strategy-slot.ts) unless `override` skips it. The module is
 *  relative to the scenario file and loaded with it. */
export const swapStrategyActionSchema = z.strictObject({
  kind: z.literal('swap_strategy'),
  at: duration,
  module: strategySchema.shape.module,
  params: z.record(z.string(), z.unknown()).default({}),
  /** Samples of both strategies' outputs to compare before deciding. */
  samples: z.number().int().min(2).max(100_000).default(100),
  /** The shadow gets this long to collect them; the candidate is rejected past it. */
  timeout: duration.default('PT1H'),
  /** Reject below this correlation, or above this mean difference (relative to the live outputs). */
  minCorrelation: z.number().min(-1).max(1).default(0.5),
  maxMeanDifference: z.number().min(0).max(1_000_000).default(0.5),
  /** Skip the shadow: the candidate goes live at once, audited: an override must say who and
   *  why (scenario-checks.ts); otherwise they default to operator and scenario action. */
  override: z.boolean().default(false),
  actor: z.string().min(1).optional(),
  reason: z.string().min(1).optional(),
});
