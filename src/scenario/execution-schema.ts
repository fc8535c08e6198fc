// How orders are executed: per-order routing and TWAP parameters, the scenario's routing and
// retry defaults, and timed operator actions (kill switch, circuit breaker, cancels, strategy
// swaps).
import { z } from 'zod';
import { MAX_HISTORY_DAYS, MAX_PROFILE_BUCKETS, MIN_HISTORY_DAYS } from '../core/algo/trajectory.ts';

const HISTORY_DAYS_ERROR = `must be a whole number of days from ${MIN_HISTORY_DAYS} to ${MAX_HISTORY_DAYS}`;
import { MAX_TWAP_DURATION_MS } from '../core/algo/twap-spec-check.ts';
import {
  duration,
  durationAtMost,
  id,
  nonNegativeDecimal,
  positiveDecimal,
  positiveDuration,
} from './common-schema.ts';
import { swapStrategyActionSchema } from './strategy-schema.ts';

/** A TWAP's duration or interval: 366 days at most (the planner's MAX_TWAP_DURATION_MS). Checked
 *  on the field, so a scenario names orders[i].twap.duration and the service's slicing request,
 *  whose body takes these fields, names body.duration. */
const twapDuration = durationAtMost(MAX_TWAP_DURATION_MS, 'P366D (366 days)', 'a TWAP may run');

export const twapSchema = z
  .strictObject({
    duration: twapDuration,
    /** Exactly one of interval and slices. */
    interval: twapDuration.optional(),
    slices: z.number().int().min(1).max(100_000).optional(),
    /** Largest slice (e.g. a share of average daily volume), as a quantity. */
    maxSliceQty: positiveDecimal.optional(),
    /** Smallest slice value in quote currency (on top of the instrument's minimum notional). */
    minSliceNotional: nonNegativeDecimal.optional(),
    randomize: z
      .strictObject({ sizePct: z.number().min(0).max(50), timeJitterPct: z.number().min(0).max(100) })
      .optional(),
    /** Limit children: ticks from our own touch, positive = more passive. */
    limitOffsetTicks: z.number().int().min(-100_000).max(100_000).optional(),
    /** The price no slice pays worse than (a buy's most, a sell's least): a market slice waits
     *  while the touch is beyond it (its quantity carried), a limit child is priced within it. */
    worstPrice: positiveDecimal.optional(),
    /** Stop children: ticks beyond the touch where they trigger. */
    stopOffsetTicks: z.number().int().min(0).max(100_000).optional(),
    /** What happens to a slice's unfilled part: carried into the remaining slices, or dropped. */
    unfilled: z.enum(['carry', 'drop']).default('carry'),
    /** Early stops: spread over mid, price move from the start (fractions), displayed liquidity. */
    maxSpread: z.number().positive().max(1).default(0.005),
    maxPriceDeviation: z.number().positive().max(10).default(0.01),
    minLiquidity: nonNegativeDecimal.default('0'),
    /** After a restart, the quantity missed while down (carry): spread over the slices left
     *  (default), or sent at once by the first slice that runs (immediate). */
    catchUp: z.enum(['spread', 'immediate']).default('spread'),
    /** Spread catch-up: no slice run after a restart is larger than this many times its planned
     *  size (what does not fit stays unsent); null: no cap. */
    catchUpMaxMultiple: z.number().min(1).max(1_000).nullable().default(3),
  })
  .refine((t) => (t.interval === undefined) !== (t.slices === undefined), {
    message: 'give exactly one of interval and slices',
    path: ['interval'],
  });

/**
 * The execution algorithm a sliced order runs on its TWAP grid (the `twap` block, or
 * routing.defaultTwap): TWAP's straight line; VWAP, following a volume profile; or
 * implementation shortfall (`is`), the Almgren-Chriss trajectory. Units:
 * core/algo/trajectory.ts and docs/0072-target-trajectories.md.
 */
/** The name a file's `algorithms` section declares a module under: what an order, a signal or a
 *  session's request names it by (no dots or slashes, so never mistaken for a path). */
export const algorithmName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
  error: 'must be a name of letters, digits, _ and - (at most 64, a letter first)',
});

/** The user's algorithm modules a file allows, by name: each loaded (and its code hashed into the
 *  scenario's hash) when the file is, and named by `algo: { kind: module, name }`. A session's
 *  requests can name only these: code is never loaded from a path in a request. */
export const algorithmsSchema = z
  .record(
    algorithmName,
    z.strictObject({
      /** The module, relative to the file: TypeScript or JavaScript. */
      path: z
        .string()
        .min(1)
        .regex(/\.(ts|mts|cts|js|mjs|cjs)$/, { error: 'must name a .ts or .js file (relative to this file)' }),
      /** Its default parameters (ctx.parent.params); an order's own params replace them key by key. */
      params: z.record(z.string(), z.unknown()).default({}),
    }),
  )
  .refine((r) => Object.keys(r).length <= 32, { error: 'at most 32 algorithm modules' });

export const algoSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('twap') }),
    z
      .strictObject({
        kind: z.literal('vwap'),
        /** Relative volume per equal bucket of the horizon; `history`: the average volume per
         *  minute of the horizon's time of day over the previous `days` days (the venue's minute
         *  bars, or the backtest's market before its start); absent: U-shaped on an exchange
         *  calendar, flat on a 24/7 market. */
        profile: z
          .union(
            [
              z.literal('history'),
              z
                .array(z.number().min(0, { error: 'must be a volume weight of at least 0' }))
                .min(1, { error: 'needs at least one weight' })
                .max(MAX_PROFILE_BUCKETS, { error: `has at most ${MAX_PROFILE_BUCKETS} weights` })
                .refine((p) => p.some((w) => w > 0), { error: 'needs at least one weight above 0' }),
            ],
            { error: 'must be history or a list of volume weights' },
          )
          .optional(),
        /** Days of history a `profile: history` averages (default 5). */
        days: z
          .number({ error: HISTORY_DAYS_ERROR })
          .int({ error: HISTORY_DAYS_ERROR })
          .min(MIN_HISTORY_DAYS, { error: HISTORY_DAYS_ERROR })
          .max(MAX_HISTORY_DAYS, { error: HISTORY_DAYS_ERROR })
          .optional(),
      })
      .refine((a) => a.days === undefined || a.profile === 'history', {
        error: 'applies only to profile: history',
        path: ['days'],
      }),
    z.strictObject({
      kind: z.literal('is'),
      /** Risk aversion per lot x fraction of the arrival price; 0 is TWAP's straight line. */
      urgency: z.number().min(0).max(1e12),
      /** Fraction of the price per sqrt(hour). */
      volatility: z.number().min(0).max(100),
      /** Fraction of the price per lot per second of trading rate. */
      impact: z.number().positive().max(1e12),
    }),
    z
      .strictObject({
        kind: z.literal('pov'),
        /** Share of the market's volume to trade (0.1: 10%), above 0 and at most 1. */
        rate: z
          .number()
          .gt(0, { error: 'must be a share of the volume above 0' })
          .max(1, { error: 'must be at most 1' }),
        /** A child's cap as a share of what traded since the previous slice; absent: none. */
        maxRate: z.number().gt(0).max(1, { error: 'must be at most 1' }).optional(),
        /** The smallest child but the last (a quantity on the lot grid); absent: any. */
        minChildQty: positiveDecimal.optional(),
        /** What the last slice does: send all that remains, or only the tape's share. */
        end: z.enum(['complete', 'stop']).default('complete'),
      })
      .refine((a) => a.maxRate === undefined || a.maxRate >= a.rate, {
        error: 'must be at least the rate',
        path: ['maxRate'],
      }),
    /** One displayed child at a time, replenished when it has ended, over the twap block's
     *  duration (its grid is not used): core/algo/iceberg.ts. */
    z
      .strictObject({
        kind: z.literal('iceberg'),
        /** Each child's displayed quantity; or drawn between displayMin and displayMax. */
        display: positiveDecimal.optional(),
        displayMin: positiveDecimal.optional(),
        displayMax: positiveDecimal.optional(),
        /** Price the children at our touch, the mid or the far touch; absent: at the limit. */
        peg: z.enum(['touch', 'mid', 'far']).optional(),
        /** Ticks from the peg, positive = more passive. */
        offsetTicks: z.number().int().min(-100_000).max(100_000).optional(),
        /** Re-peg a child when the peg moved this many ticks from its price; absent: never. */
        repegTicks: z.number().int().min(1).max(100_000).optional(),
        /** How often a re-pegging iceberg looks at the peg (default PT1S). */
        checkEvery: positiveDuration.optional(),
        /** At the horizon: what is left goes out as a market child, or is left unfilled. */
        end: z.enum(['complete', 'stop']).default('complete'),
      })
      .refine((a) => (a.display === undefined) !== (a.displayMin === undefined && a.displayMax === undefined), {
        error: 'give display, or displayMin and displayMax',
        path: ['display'],
      })
      .refine((a) => (a.displayMin === undefined) === (a.displayMax === undefined), {
        error: 'give both displayMin and displayMax',
        path: ['displayMax'],
      })
      .refine((a) => a.repegTicks === undefined || a.peg !== undefined, {
        error: 'only a pegged iceberg is re-pegged: give peg',
        path: ['repegTicks'],
      }),
    /** The user's own algorithm: a TypeScript module, loaded as a strategy module is, deciding
     *  the children over the twap block's duration (docs/guide/execution-algorithms.md). Named
     *  by its path, or by the name the file's `algorithms` section declares it under. */
    z
      .strictObject({
        kind: z.literal('module'),
        /** The module, relative to the file. */
        path: z.string().min(1).optional(),
        /** A module the file's `algorithms` section declares. */
        name: algorithmName.optional(),
        /** Given to the module as written (ctx.parent.params); with a name, over the declared
         *  params (a key given here replaces the declared one). */
        params: z.record(z.string(), z.unknown()).default({}),
      })
      .refine((a) => (a.path === undefined) !== (a.name === undefined), {
        error:
          'give name (a module the algorithms section declares) or, in a scenario file, path (the module, relative to the file)',
        path: ['path'],
      }),
  ],
  { error: 'must have kind twap, vwap, is, pov, iceberg or module' },
);

export const routingSchema = z
  .strictObject({
    /** Parents above this notional (quote currency) go through TWAP when routed auto. */
    twapThreshold: nonNegativeDecimal.default('1000'),
    /** The TWAP an auto-routed parent gets: 5 slices, 30 s apart. */
    defaultTwap: twapSchema.default({
      duration: 'PT150S',
      interval: 'PT30S',
      unfilled: 'carry',
      maxSpread: 0.005,
      maxPriceDeviation: 0.01,
      minLiquidity: '0',
      catchUp: 'spread',
      catchUpMaxMultiple: 3,
    }),
  })
  .default({
    twapThreshold: '1000',
    defaultTwap: {
      duration: 'PT150S',
      interval: 'PT30S',
      unfilled: 'carry',
      maxSpread: 0.005,
      maxPriceDeviation: 0.01,
      minLiquidity: '0',
      catchUp: 'spread',
      catchUpMaxMultiple: 3,
    },
  });

export const retrySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(20).default(3),
    backoff: z.array(duration).min(1).default(['PT2S', 'PT4S', 'PT8S']),
  })
  .default({ maxAttempts: 3, backoff: ['PT2S', 'PT4S', 'PT8S'] });

const reason = z.string().min(1).default('scenario action');
export const actionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('kill_switch'),
    at: duration,
    state: z.enum(['active', 'reducing', 'halted']),
    actor: z.string().min(1).default('operator'),
    reason,
  }),
  z.strictObject({
    kind: z.literal('circuit_breaker'),
    at: duration,
    state: z.enum(['tripped', 'reset']),
    actor: z.string().min(1).default('operator'),
    reason,
  }),
  z.strictObject({ kind: z.literal('cancel'), at: duration, parent: id, reason }),
  /** Lifts startup gating that timed out (audited). */
  z.strictObject({
    kind: z.literal('force_ready'),
    at: duration,
    actor: z.string().min(1).default('operator'),
    reason,
  }),
  /** Resolves an orphan order found at the venue: adopt it or cancel it there. */
  z.strictObject({
    kind: z.literal('resolve_orphan'),
    at: duration,
    clientOrderId: z.string().min(1),
    resolution: z.enum(['adopt', 'cancel']),
    actor: z.string().min(1).default('operator'),
    reason,
  }),
  /** Swaps the strategy for another module or other parameters, after shadow validation. */
  swapStrategyActionSchema,
]);

/** A crash of the harness process: at a time, at a seeded time in a window, or right after the
 *  N-th order leaves (before its status is stored); it restarts from the store after `downtime`. */
export const restartSchema = z.union(
  [
    z.strictObject({ at: duration, downtime: duration.default('PT30S') }),
    z.strictObject({ between: z.tuple([duration, duration]), downtime: duration.default('PT30S') }),
    z.strictObject({ afterSubmit: z.number().int().min(1), downtime: duration.default('PT30S') }),
  ],
  { error: 'must be { at, downtime }, { between: [from, to], downtime } or { afterSubmit: N, downtime }' },
);

/** An order placed at the venue by someone else on the account (reconciliation finds an orphan). */
export const externalOrderSchema = z.strictObject({
  at: duration,
  /** The instrument, when not the run's (one of otherInstruments). */
  symbol: z
    .string()
    .regex(/^[A-Z0-9./-]{1,20}$/, 'must be an upper-case symbol like BTCUSDT')
    .optional(),
  clientOrderId: z.string().regex(/^[A-Za-z0-9_-]{1,36}$/, 'must be 1-36 letters, digits, _ or -'),
  side: z.enum(['buy', 'sell']),
  qty: positiveDecimal,
  limitPrice: positiveDecimal,
});

export type TwapEntry = z.output<typeof twapSchema>;
export type AlgoEntry = z.output<typeof algoSchema>;

/** An algorithm that decides its children as it runs (no slice grid): iceberg, a user's module. */
export const isIntentAlgo = (a: { readonly kind: string } | undefined): boolean =>
  a !== undefined && (a.kind === 'iceberg' || a.kind === 'module');
