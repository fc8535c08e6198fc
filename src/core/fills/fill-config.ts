// Fill detection settings, validated and with every default in this one file: the monitor,
// verifier, recovery and final check all read a FillConfig and keep no constant of their own, so
// a scenario or a live profile changes behaviour in one place. Times are integer milliseconds on
// the Clock. Defaults, and deadlines by time in force: docs/0069-core-and-simulator-notes.md.
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';
import type { OrderType, TimeInForce } from '../model/order.ts';

export const PARTIAL_FILL_POLICIES = ['accept', 'cancel_remainder', 'wait'] as const;
/** accept: report the partial as the result; cancel_remainder: cancel the rest, then report;
 *  wait: keep monitoring for the rest until the deadline (without one, until the order ends). */
export type PartialFillPolicy = (typeof PARTIAL_FILL_POLICIES)[number];

/** The deadline of an order that ends by itself, when the config gives none: 30 s, enough for a
 *  marketable order to be acknowledged and filled on a slow venue. */
const DEFAULT_TIMEOUT_MS = 30_000;

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
    /** Monitoring deadline after the venue's acceptance of an order that ends by itself (market,
     *  IOC, FOK): 30 s. Given, it is also the deadline of resting orders (GTC, DAY) unless
     *  restingTimeoutMs is given too: a file that set it before resting orders had their own
     *  keeps what it meant. */
    timeoutMs: ms(1).optional(),
    /** Deadline of a resting order (a GTC or DAY limit, stop or stop limit): null, none (it is
     *  watched until it ends, never cancelled by fill detection); default: timeoutMs when the
     *  config gives it, else null. */
    restingTimeoutMs: ms(1).nullable().optional(),
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
    /** What a partial fill leads to (see PARTIAL_FILL_POLICIES), for every order when given
     *  (null or absent: by order).
     *  Default by order (watchRulesOf): wait for a resting order watched without a deadline (it
     *  rests until it ends: fill detection cancels nothing of it), cancel_remainder for the rest
     *  (no part of an order keeps resting past its deadline; IOC and FOK orders end by
     *  themselves, so theirs is moot); accepting a partial as the result is the other common
     *  choice, hence a setting. */
    partialFillPolicy: z
      .enum(PARTIAL_FILL_POLICIES, { error: `must be one of ${PARTIAL_FILL_POLICIES.join(', ')}` })
      .nullable()
      .optional(),
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
  .refine((c) => c.pollInitialMs <= (c.timeoutMs ?? DEFAULT_TIMEOUT_MS), {
    message: 'must not exceed timeoutMs (no poll would happen before the deadline)',
    path: ['pollInitialMs'],
  })
  .refine((c) => c.restingTimeoutMs == null || c.pollInitialMs <= c.restingTimeoutMs, {
    message: 'must not exceed restingTimeoutMs (no poll would happen before the deadline)',
    path: ['pollInitialMs'],
  })
  .refine((c) => c.backoffMaxMs >= c.backoffBaseMs, {
    message: 'must not be below backoffBaseMs',
    path: ['backoffMaxMs'],
  })
  .transform(({ timeoutMs, restingTimeoutMs, partialFillPolicy, ...rest }) => ({
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    restingTimeoutMs: restingTimeoutMs !== undefined ? restingTimeoutMs : (timeoutMs ?? null),
    /** null: by order (watchRulesOf). */
    partialFillPolicy: partialFillPolicy ?? null,
    ...rest,
  }));

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

/** How fill detection watches one order: its deadline after acceptance (null: none, watched
 *  until it ends) and what a partial fill leads to. */
export interface WatchRules {
  readonly timeoutMs: number | null;
  readonly policy: PartialFillPolicy;
}

/** Whether an order rests at the venue until it fills or is cancelled (a GTC or DAY order that is
 *  not a market order), rather than ending by itself (market, IOC, FOK). */
export function rests(order: { readonly type: OrderType; readonly tif: TimeInForce }): boolean {
  return order.type !== 'market' && (order.tif === 'GTC' || order.tif === 'DAY');
}

/**
 * The rules of a single order by its time in force: a resting order gets restingTimeoutMs (null
 * by default: no deadline) and, without a deadline, waits out its partial fills; any other order
 * gets timeoutMs and cancels its remainder. A policy the config (or the order's parent: `policy`)
 * states applies whatever the time in force. A TWAP's children are not watched by these rules:
 * their scheduler carries or drops what they leave (the engine gives them the slice's).
 */
export function watchRulesOf(
  config: FillConfig,
  order: { readonly type: OrderType; readonly tif: TimeInForce },
  policy?: PartialFillPolicy,
): WatchRules {
  const timeoutMs = rests(order) ? config.restingTimeoutMs : config.timeoutMs;
  return {
    timeoutMs,
    policy: policy ?? config.partialFillPolicy ?? (timeoutMs === null ? 'wait' : 'cancel_remainder'),
  };
}
