// Circuit breaker settings, validated, with every default in this one file. Each automatic
// condition is an object or null (off) with its own cooldownMs. Units, resets and defaults:
// docs/0069-core-and-simulator-notes.md.
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';

const DAY_MS = 86_400_000;
const int = (what: string) => z.number(`must be a number of ${what}`).int(`must be a whole number of ${what}`);
const ms = (min: number) =>
  int('milliseconds').min(min, `must be at least ${min} ms`).max(DAY_MS, 'must be at most one day (86400000 ms)');
/** Automatic reset delay after a trip on this condition; null: manual reset only. */
const cooldown = ms(0).nullable();
const minorUnits = int('quote minor units')
  .min(1, 'must be at least 1')
  .max(Number.MAX_SAFE_INTEGER, 'must be a safe integer');

/** N reports within a rolling window of W ms trip the breaker (the N-th report trips it). */
const rollingWindow = z.strictObject({
  /** Ours: 5, above one order's 3 attempts (fill-config.ts maxRetries), so one order cannot trip it alone. */
  maxCount: int('reports').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').default(5),
  /** Ours: 60 s. */
  windowMs: ms(1).default(60_000),
  /** Ours: 60 s. */
  cooldownMs: cooldown.default(60_000),
});

/** A loss or drawdown limit whose `max` is given by `max` (integer minor units here; a scenario
 *  gives a quote-currency decimal string and converts it, scenario/component-schema.ts). */
export const lossLimitSchema = <M extends z.ZodType>(max: M) =>
  z.strictObject({
    /** Trips when the loss (from the start) or drawdown (from the peak) exceeds this. No default:
     *  it depends on the account, so the condition is off unless set. */
    max,
    /** Ours: null, a loss limit needs an operator's reset (which grants a fresh budget). */
    cooldownMs: cooldown.default(null),
  });
const lossLimit = lossLimitSchema(minorUnits);

export const breakerConfigSchema = z.strictObject({
  /** Venue rejects in a rolling window. */
  rejects: rollingWindow.nullable().prefault({}),
  /** Errors (failed sends, timeouts, transport errors) in a rolling window. */
  errors: rollingWindow.nullable().prefault({}),
  /** Loss from the starting equity; off by default. */
  loss: lossLimit.nullable().default(null),
  /** Drawdown from the equity peak; off by default. */
  drawdown: lossLimit.nullable().default(null),
  /** A reported price further than `bps` from the reference price. A 1% move
   *  (maxPriceDeviation 0.01) is the per-parent TWAP early stop; this breaker is the
   *  system-wide backstop, so ours is wider: 500 bps, cooldown 60 s. */
  priceBand: z
    .strictObject({
      bps: z
        .number('must be a number of basis points')
        .int('must be a whole number of basis points')
        .min(1, 'must be at least 1 bp')
        .max(10_000, 'must be at most 10000 bps (100%)')
        .default(500),
      cooldownMs: cooldown.default(60_000),
    })
    .nullable()
    .prefault({}),
  /** Market data older than maxAgeMs: 60 s. Cooldown ours: 60 s. */
  staleData: z
    .strictObject({ maxAgeMs: ms(1).default(60_000), cooldownMs: cooldown.default(60_000) })
    .nullable()
    .prefault({}),
});

export type BreakerConfig = Readonly<z.output<typeof breakerConfigSchema>>;
export type BreakerConfigInput = z.input<typeof breakerConfigSchema>;

export class BreakerConfigError extends Error {
  override readonly name = 'BreakerConfigError';
}

/** Validates a breaker config (undefined = all defaults); throws one BreakerConfigError naming
 *  the first bad field ("breaker config: rejects.maxCount: must be at least 1"). */
export function parseBreakerConfig(input: unknown): BreakerConfig {
  return parseConfig(breakerConfigSchema, input, {
    label: 'breaker config',
    fields: '(rejects, errors, loss, drawdown, priceBand, staleData)',
    error: BreakerConfigError,
  });
}

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = parseBreakerConfig({});

/** Every automatic condition off: what a breaker built without options uses (manual only). */
export const MANUAL_ONLY_BREAKER_CONFIG: BreakerConfig = parseBreakerConfig({
  rejects: null,
  errors: null,
  priceBand: null,
  staleData: null,
});
