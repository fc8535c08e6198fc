// Fill detection settings, validated and with every default in this one file (issue 5, deliver 1).
// The monitor, verifier, recovery and final check all read a FillConfig; none keeps its own
// constant, so a scenario or a live profile changes behaviour in one place. Defaults come from
// the seeds where they give a value, and say so; the rest are ours and say that too.
// Times are integer milliseconds on the Clock (virtual in simulation, wall clock live).
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';

export const PARTIAL_FILL_POLICIES = ['accept', 'cancel_remainder', 'wait'] as const;
/** accept: report the partial as the result; cancel_remainder: cancel the rest, then report;
 *  wait: keep monitoring for the rest until the deadline. */
export type PartialFillPolicy = (typeof PARTIAL_FILL_POLICIES)[number];

const DAY_MS = 86_400_000;
const ms = (min: number) => z.number('must be a number of milliseconds').int('must be a whole number of milliseconds').min(min, `must be at least ${min} ms`).max(DAY_MS, 'must be at most one day (86400000 ms)');
const bps = z.number('must be a number of basis points').min(0, 'must not be negative').max(10_000, 'must be at most 10000 bps (100%)');

/** How the poll interval grows after each poll: by a fixed step, or by a factor. */
const pollIncrease = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('step'), ms: ms(0) }),
  z.strictObject({ mode: z.literal('factor'), factor: z.number('must be a number').min(1, 'must be at least 1 (intervals never shrink)').max(10, 'must be at most 10') }),
], { error: 'must be { mode: "step", ms } or { mode: "factor", factor }' });

export const fillConfigSchema = z
  .strictObject({
    /** Monitoring deadline after submission. Seed: safety spec section 3, default_timeout_seconds = 30
     *  (and _wait_for_fill(order, timeout=30) in section 1). */
    timeoutMs: ms(1).default(30_000),
    /** First wait before polling. Seed: safety spec section 3, poll_interval_seconds = 2.0. */
    pollInitialMs: ms(1).default(2_000),
    /** Growth per poll. Seed: plan task 37 "increase by poll_interval_increase each iteration"
     *  (a step); the seeds give no value: 500 ms is ours. */
    pollIncrease: pollIncrease.default({ mode: 'step', ms: 500 }),
    /** Cap of the poll interval (plan task 37 max_poll_interval, no value given): 5 s is ours,
     *  so a 30 s timeout still sees about eight polls. */
    pollMaxMs: ms(1).default(5_000),
    /** Retries of one failed call before the monitor falls back to its poll schedule (it keeps
     *  monitoring to the deadline, plan task 15). Seed: ADR-0015 retry policy, max 3 attempts. */
    maxRetries: z.number('must be a number').int('must be a whole number').min(0, 'must not be negative').max(100, 'must be at most 100').default(3),
    /** First backoff; doubles per retry. Seed: plan task 14, "0.5s, 1s, 2s, 4s...". */
    backoffBaseMs: ms(1).default(500),
    /** Backoff cap. The plan gives none; 8 s is the largest delay of ADR-0015 (2 s, 4 s, 8 s). */
    backoffMaxMs: ms(1).default(8_000),
    /** Share of a backoff removed at random (seeded): plan task 14 "add jitter to prevent
     *  thundering herd", no value given: 0.1 is ours. */
    jitterFraction: z.number('must be a number').min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.1),
    /** Seed: plan phase 8 (tasks 34-36) cancels the remaining quantity of a partial fill; the
     *  safety spec section 3 accepted partials "for now", meaning to make it configurable later. */
    partialFillPolicy: z.enum(PARTIAL_FILL_POLICIES, { error: `must be one of ${PARTIAL_FILL_POLICIES.join(', ')}` }).default('cancel_remainder'),
    /** Slippage above this against the expected price emits a warning (plan task 32, no value
     *  given): 50 bps is ours, half the TWAP early stop's 1% price move (maxPriceDeviation). */
    slippageWarnBps: bps.default(50),
    /** Fee rate when a commission cannot be converted. Seed: safety spec 3.2, "0.1% of fill value". */
    feeFallbackBps: bps.default(10),
    /** Final status query (and cancel, and re-check) at the deadline. Seed: plan phase 4. */
    finalVerification: z.boolean('must be true or false').default(true),
    /** A lookup that finds no such order is transient until this many in a row, then permanent
     *  (issue 5: "unknown order after repeated lookups"); 3 is ours, matching maxRetries. */
    unknownOrderAfterLookups: z.number('must be a number').int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(3),
  })
  .refine((c) => c.pollMaxMs >= c.pollInitialMs, { message: 'must not be below pollInitialMs', path: ['pollMaxMs'] })
  .refine((c) => c.pollInitialMs <= c.timeoutMs, { message: 'must not exceed timeoutMs (no poll would happen before the deadline)', path: ['pollInitialMs'] })
  .refine((c) => c.backoffMaxMs >= c.backoffBaseMs, { message: 'must not be below backoffBaseMs', path: ['backoffMaxMs'] });

export type FillConfig = Readonly<z.output<typeof fillConfigSchema>>;
export type FillConfigInput = z.input<typeof fillConfigSchema>;

export class FillConfigError extends Error {
  override readonly name = 'FillConfigError';
}

/** Validates a fill config (undefined = all defaults); throws one FillConfigError naming the
 *  first bad field ("fill config: pollMaxMs: must not be below pollInitialMs"). */
export function parseFillConfig(input: unknown): FillConfig {
  return parseConfig(fillConfigSchema, input, { label: 'fill config', fields: '(timeoutMs, pollInitialMs, ...)', error: FillConfigError });
}

export const DEFAULT_FILL_CONFIG: FillConfig = parseFillConfig({});
