// Fill detection settings, validated and with every default in this one file.
// The monitor, verifier, recovery and final check all read a FillConfig; none keeps its own
// constant, so a scenario or a live profile changes behaviour in one place. Each default says
// what it is and why; the ones that are simply our choice say so.
// Times are integer milliseconds on the Clock (virtual in simulation, wall clock live).
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';

export const PARTIAL_FILL_POLICIES = ['accept', 'cancel_remainder', 'wait'] as const;
/** accept: report the partial as the result; cancel_remainder: cancel the rest, then report;
 *  wait: keep monitoring for the rest until the deadline. */
export type PartialFillPolicy = (typeof PARTIAL_FILL_POLICIES)[number];

const DAY_MS = 86_400_000;
const ms = (min: number) =>
  z
    .number('must be a number of milliseconds')
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(DAY_MS, 'must be at most one day (86400000 ms)');
const bps = z
  .number('must be a number of basis points')
  .min(0, 'must not be negative')
  .max(10_000, 'must be at most 10000 bps (100%)');

/** How the poll interval grows after each poll: by a fixed step, or by a factor. */
const pollIncrease = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('step'), ms: ms(0) }),
    z.strictObject({
      mode: z.literal('factor'),
      factor: z
        .number('must be a number')
        .min(1, 'must be at least 1 (intervals never shrink)')
        .max(10, 'must be at most 10'),
    }),
  ],
  { error: 'must be { mode: "step", ms } or { mode: "factor", factor }' },
);

export const fillConfigSchema = z
  .strictObject({
    /** Monitoring deadline after submission: 30 s, enough for a marketable order; scenarios
     *  with resting orders set a longer one. */
    timeoutMs: ms(1).default(30_000),
    /** First wait before polling: 2 s (the push channel usually answers sooner). */
    pollInitialMs: ms(1).default(2_000),
    /** Growth per poll (adaptive polling): a fixed step per poll by default; 500 ms is ours. */
    pollIncrease: pollIncrease.default({ mode: 'step', ms: 500 }),
    /** Cap of the poll interval: 5 s is ours, so a 30 s timeout still sees about eight polls. */
    pollMaxMs: ms(1).default(5_000),
    /** Retries of one failed call before the monitor falls back to its poll schedule (it keeps
     *  monitoring to the deadline): 3 attempts, a common retry budget. */
    maxRetries: z
      .number('must be a number')
      .int('must be a whole number')
      .min(0, 'must not be negative')
      .max(100, 'must be at most 100')
      .default(3),
    /** First backoff; doubles per retry: 0.5 s, 1 s, 2 s, 4 s ..., a common retry schedule. */
    backoffBaseMs: ms(1).default(500),
    /** Backoff cap: 8 s, the longest wait of a three-retry schedule doubling from 2 s (2 s, 4 s, 8 s). */
    backoffMaxMs: ms(1).default(8_000),
    /** Share of a backoff removed at random (seeded), so orders failing together do not all
     *  retry at the same moment (a thundering herd): 0.1 is ours. */
    jitterFraction: z
      .number('must be a number')
      .min(0, 'must be between 0 and 1')
      .max(1, 'must be between 0 and 1')
      .default(0.1),
    /** What a partial fill leads to (see PARTIAL_FILL_POLICIES). Default cancel_remainder: the
     *  remaining quantity is cancelled, so no part of the order keeps resting unwatched; accepting
     *  a partial as the result is the other common choice, hence a setting. */
    partialFillPolicy: z
      .enum(PARTIAL_FILL_POLICIES, { error: `must be one of ${PARTIAL_FILL_POLICIES.join(', ')}` })
      .default('cancel_remainder'),
    /** Slippage above this against the expected price emits a warning: 50 bps is ours, half the
     *  TWAP early stop's 1% price move (maxPriceDeviation). */
    slippageWarnBps: bps.default(50),
    /** Fee rate when a commission cannot be converted: 10 bps, 0.1% of the fill's value (a
     *  typical spot taker fee). */
    feeFallbackBps: bps.default(10),
    /** Final status query (and cancel, and re-check) at the deadline, so the result rests on
     *  the venue's answer at that moment rather than on the last poll. */
    finalVerification: z.boolean('must be true or false').default(true),
    /** A lookup that finds no such order is transient until this many in a row, then permanent
     *  ("unknown order after repeated lookups"); 3 is ours, matching maxRetries. */
    unknownOrderAfterLookups: z
      .number('must be a number')
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(100, 'must be at most 100')
      .default(3),
  })
  .refine((c) => c.pollMaxMs >= c.pollInitialMs, { message: 'must not be below pollInitialMs', path: ['pollMaxMs'] })
  .refine((c) => c.pollInitialMs <= c.timeoutMs, {
    message: 'must not exceed timeoutMs (no poll would happen before the deadline)',
    path: ['pollInitialMs'],
  })
  .refine((c) => c.backoffMaxMs >= c.backoffBaseMs, {
    message: 'must not be below backoffBaseMs',
    path: ['backoffMaxMs'],
  });

export type FillConfig = Readonly<z.output<typeof fillConfigSchema>>;
export type FillConfigInput = z.input<typeof fillConfigSchema>;

export class FillConfigError extends Error {
  override readonly name = 'FillConfigError';
}

/** Validates a fill config (undefined = all defaults); throws one FillConfigError naming the
 *  first bad field ("fill config: pollMaxMs: must not be below pollInitialMs"). */
export function parseFillConfig(input: unknown): FillConfig {
  return parseConfig(fillConfigSchema, input, {
    label: 'fill config',
    fields: '(timeoutMs, pollInitialMs, ...)',
    error: FillConfigError,
  });
}

export const DEFAULT_FILL_CONFIG: FillConfig = parseFillConfig({});
