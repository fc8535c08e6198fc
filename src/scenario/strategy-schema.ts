// The `strategy:` section: a module of the user's signal logic (src/strategy/), its parameters
// (checked by the module's own schema when the file loads), how long its warm-up may take before
// that is an alert, and what a failure of the strategy does to the kill switch and its parents.
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
  onFailure: z
    .strictObject({
      /** The kill switch's state once the strategy fails (active: left as it is). */
      killSwitch: z.enum(['halted', 'reducing', 'active']).default('halted'),
      /** Cancel the open parents its signals made. */
      cancelParents: z.boolean().default(true),
    })
    .default({ killSwitch: 'halted', cancelParents: true }),
});
