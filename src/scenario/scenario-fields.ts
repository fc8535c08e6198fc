// The scenario file's fields: one place for every field, its type, its default and its own
// checks, and the type of a loaded file. The checks that relate fields to each other and the
// run's limits (scenario-checks.ts, run-limits.ts) read that type, and schema.ts wires them in:
// this file imports neither, so they can all depend on it.
import { z } from 'zod';
import { strategySchema } from './strategy-schema.ts';
import { ORDER_STATUSES } from '../core/model/order-status.ts';
import { ORDER_TYPES, SIDES, TIMES_IN_FORCE } from '../core/model/order.ts';
import {
  duration,
  id,
  instantField,
  msAsString,
  msNumber,
  nonNegativeDecimal,
  positiveDecimal,
} from './common-schema.ts';
import {
  actionSchema,
  algoSchema,
  algorithmsSchema,
  externalOrderSchema,
  restartSchema,
  retrySchema,
  routingSchema,
  twapSchema,
} from './execution-schema.ts';
import { placementSchema } from './placement-schema.ts';
import { faultSchema } from './fault-schema.ts';
import { marketSchema } from './market-schema.ts';
import { liquiditySchema } from './liquidity-schema.ts';
import { PARTIAL_FILL_POLICIES } from '../core/fills/fill-config.ts';
import { FILL_METRIC_NAMES } from '../core/report/expectations.ts';
import { RECON_METRIC_NAMES } from '../core/report/recon-metrics.ts';
import { CONFIRMATIONS } from '../core/model/safety-events.ts';
import { assetPricesSchema, fillDetectionSchema, safetySchema } from './component-schema.ts';
import { MAX_SAMPLE_MS, sampleIntervalMs } from './sample-interval.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { isVenueId, venueIds, type VenueId } from '../core/venues/index.ts';

/** One latency: a number of milliseconds, or a median with jitter. zod's own word for a value
 *  neither form takes is "Invalid input": a value that is no mapping is told the forms (a string
 *  the number to write), a mapping's problems are its fields' (withUnionOption in issue-text.ts). */
const MAX_LATENCY_MS = 60_000;
const LATENCY_FORMS = `a number of milliseconds (from 0 to ${MAX_LATENCY_MS}) or { ms, jitterMs }`;
const latencyPath = z
  .union(
    [
      msNumber(MAX_LATENCY_MS),
      z.strictObject({ ms: msNumber(MAX_LATENCY_MS), jitterMs: msNumber(MAX_LATENCY_MS).default(0) }),
    ],
    {
      error: ({ input }) =>
        input !== null && typeof input === 'object' && !Array.isArray(input)
          ? undefined
          : (msAsString(input, LATENCY_FORMS) ??
            `must be ${LATENCY_FORMS}, not ${Array.isArray(input) ? 'a list' : JSON.stringify(input)}`),
    },
  )
  .transform((v) => (typeof v === 'number' ? { ms: v, jitterMs: 0 } : v));

/** Which of a venue's paper venues a paper run trades on (Binance: Demo Mode, the default, or
 *  the spot testnet); a backtest ignores it. */

/** One of the registered venues (src/core/venues/venue-registry.ts), read when a file is
 *  checked: a venue registered later (a test's) is a venue here too. Its messages name them all. */
const venueName = z.custom<VenueId>((v) => typeof v === 'string' && isVenueId(v), {
  error: (issue) =>
    issue.input === undefined
      ? `is required (one of ${venueIds().join(', ')})`
      : `must be one of ${venueIds().join(', ')}, not ${JSON.stringify(issue.input)}`,
});

const venue = z.strictObject({
  name: venueName,
  /** Which of the venue's paper venues a paper run trades on (Binance: demo, testnet). The venue's
   *  registry entry lists them; the paper run's start refuses one it does not have, so adding a
   *  venue changes nothing here. */
  endpoint: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, "must be the name of one of the venue's paper endpoints, like demo or testnet")
    .optional(),
  fees: z
    .strictObject({
      makerBps: z.number().min(0).max(1000).default(10),
      takerBps: z.number().min(0).max(1000).default(10),
      /** The venue states commissions in this asset (Binance: BNB, or the base asset bought);
       *  without it, fees are stated in quote. */
      commissionAsset: z
        .string()
        .regex(/^[A-Z0-9]{2,10}$/, 'must be an upper-case asset code like BNB')
        .optional(),
      /** The venue's quote price of a commissionAsset that is neither base nor quote. */
      commissionAssetPrice: positiveDecimal.optional(),
    })
    .default({ makerBps: 10, takerBps: 10 }),
  latency: z
    .strictObject({
      orderEntry: latencyPath.default({ ms: 5, jitterMs: 0 }),
      ack: latencyPath.default({ ms: 5, jitterMs: 0 }),
      fillReport: latencyPath.default({ ms: 5, jitterMs: 0 }),
      marketData: latencyPath.default({ ms: 0, jitterMs: 0 }),
    })
    .default({
      orderEntry: { ms: 5, jitterMs: 0 },
      ack: { ms: 5, jitterMs: 0 },
      fillReport: { ms: 5, jitterMs: 0 },
      marketData: { ms: 0, jitterMs: 0 },
    }),
  queue: z
    .discriminatedUnion('model', [
      z.strictObject({ model: z.literal('risk_averse') }),
      z.strictObject({ model: z.literal('probabilistic'), exponent: z.number().positive().max(10).default(2) }),
    ])
    .default({ model: 'risk_averse' }),
  /** A trade at our price fills our resting order whatever the queue ahead (optimistic). */
  fillOnTouch: z.boolean().default(false),
  /** The venue's clock against ours, ms (positive: ahead): every time it states is on its clock. */
  clockSkewMs: z
    .number()
    .int({ error: 'must be a whole number of ms' })
    .min(-86_400_000, { error: 'must be within a day (86400000 ms) of ours' })
    .max(86_400_000, { error: 'must be within a day (86400000 ms) of ours' })
    .default(0),
  /** Starting balances; without it, balances are not checked. */
  account: z.strictObject({ quote: nonNegativeDecimal, base: nonNegativeDecimal.default('0') }).optional(),
});

/** The simulated venue's settings a file that states only the venue's name gets. */
export function simulatedVenueDefaults(name: z.output<typeof venue>['name']): z.output<typeof venue> {
  return venue.parse({ name });
}

const confirmations = z
  .array(z.enum(CONFIRMATIONS, { error: `must be one of ${CONFIRMATIONS.join(', ')}` }))
  .default([]);

// A symbol that fails this stops the checks across fields (abort): they build the instrument,
// which an empty symbol cannot be.
const symbolField = z
  .string()
  .regex(/^[A-Z0-9./-]{1,20}$/, { message: 'must be an upper-case symbol like BTCUSDT', abort: true });

/** The instrument an order or signal trades, when not the run's (one of otherInstruments). */
const tradedSymbol = symbolField.optional();

const order = z.strictObject({
  id,
  symbol: tradedSymbol,
  at: duration.default('PT0S'),
  side: z.enum(SIDES),
  qty: positiveDecimal,
  type: z.enum(ORDER_TYPES, { error: `must be one of ${ORDER_TYPES.join(', ')}` }),
  tif: z.enum(TIMES_IN_FORCE).optional(),
  limitPrice: positiveDecimal.optional(),
  stopPrice: positiveDecimal.optional(),
  /** When to cancel whatever of the order is still working (offset from the start). */
  cancelAt: duration.optional(),
  postOnly: z.boolean().default(false),
  /** auto: TWAP above the routing threshold, one order below it. */
  route: z.enum(['auto', 'single', 'twap']).default('auto'),
  twap: twapSchema.optional(),
  /** The algorithm its slices follow on the twap grid (twap, vwap, is); an order with one is
   *  sliced, as one with a twap block is. */
  algo: algoSchema.optional(),
  /** How its slices' children are placed, whatever the algo: passive-then-cross or chaser
   *  (market: as without it); an order with one is sliced, as one with a twap block is. */
  placement: placementSchema.optional(),
  /** Overrides fillDetection.partialFillPolicy for this order's children. */
  partialFillPolicy: z
    .enum(PARTIAL_FILL_POLICIES, { error: `must be one of ${PARTIAL_FILL_POLICIES.join(', ')}` })
    .optional(),
  /** Large-order confirmations present on the order (fat-finger limits, safety.preTrade). */
  confirm: confirmations,
  confirmedBy: z.string().min(1).optional(),
});

const signal = z.strictObject({
  id,
  symbol: tradedSymbol,
  at: duration.default('PT0S'),
  side: z.enum(SIDES),
  qty: positiveDecimal,
  price: positiveDecimal.optional(),
  route: z.enum(['auto', 'single', 'twap']).default('auto'),
  /** The execution algorithm its parent follows on routing.defaultTwap's grid (twap, vwap, is,
   *  pov); a signal with one is sliced. */
  algo: algoSchema.optional(),
  /** How its slices' children are placed, as an order's `placement`; a signal with one is sliced. */
  placement: placementSchema.optional(),
  /** Only reduce the position: checked against the venue's position and open orders. */
  reduceOnly: z.boolean().default(false),
  /** Large-order confirmations present on the signal (fat-finger limits). */
  confirm: confirmations,
  confirmedBy: z.string().min(1).optional(),
});

const range = z
  .strictObject({ equals: z.number().optional(), min: z.number().optional(), max: z.number().optional() })
  .refine((r) => r.equals !== undefined || r.min !== undefined || r.max !== undefined, 'needs equals, min or max')
  // A range no figure can be in would fail every run: a mistake in the file, said as one.
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    error: 'min is above max: no figure can be in that range',
    path: ['min'],
  })
  .refine(
    (r) =>
      r.equals === undefined ||
      ((r.min === undefined || r.equals >= r.min) && (r.max === undefined || r.equals <= r.max)),
    { error: 'equals is outside min..max: no figure can meet both', path: ['equals'] },
  );

const expectation = z
  .strictObject({
    filledQty: z.strictObject({ parent: id, equals: nonNegativeDecimal }).optional(),
    parentStatus: z
      .strictObject({ parent: id, equals: z.enum(['filled', 'partially_filled', 'unfilled', 'working', 'rejected']) })
      .optional(),
    childStatus: z
      .strictObject({ parent: id, slice: z.number().int().min(1).default(1), equals: z.enum(ORDER_STATUSES) })
      .optional(),
    childOrders: z.strictObject({ parent: id, equals: z.number().int().min(0) }).optional(),
    shortfallBps: z.strictObject({ parent: id }).extend(range.def.shape).optional(),
    fills: range.optional(),
    stoppedEarly: z
      .strictObject({ parent: id, equals: z.boolean(), reasonIncludes: z.string().min(1).optional() })
      .optional(),
    slicesExecuted: z.strictObject({ parent: id }).extend(range.def.shape).optional(),
    noDuplicateOrders: z.literal(true).optional(),
    noDiscrepancies: z.literal(true).optional(),
    signal: z
      .strictObject({ id, equals: z.enum(['accepted', 'rejected']), code: z.string().min(1).optional() })
      .optional(),
    signalsAccepted: range.optional(),
    /** The run's strategy is expected to fail (in that phase, with that in its message): a run
     *  whose strategy failed otherwise fails. */
    strategyFailed: z
      .union([
        z.literal(true),
        z.strictObject({ phase: z.string().min(1).optional(), reasonIncludes: z.string().min(1).optional() }),
      ])
      .optional(),
    /** A parent's algorithm (an iceberg or a user's module; that order's, with `parent`) is
     *  expected to fail (with that in its stop reason): a run where one failed otherwise fails. */
    algorithmFailed: z
      .union([z.literal(true), z.strictObject({ parent: id.optional(), reasonIncludes: z.string().min(1).optional() })])
      .optional(),
    fillDetection: z
      .strictObject({ metric: z.enum(FILL_METRIC_NAMES, { error: `must be one of ${FILL_METRIC_NAMES.join(', ')}` }) })
      .extend(range.def.shape)
      .optional(),
    reconciliation: z
      .strictObject({
        metric: z.enum(RECON_METRIC_NAMES, { error: `must be one of ${RECON_METRIC_NAMES.join(', ')}` }),
      })
      .extend(range.def.shape)
      .optional(),
  })
  .refine(
    (e) => Object.keys(e).length === 1,
    'each expectation must have exactly one kind, e.g. "- noDiscrepancies: true"',
  );

/** The longest markout horizon a scenario may name, ms (a day). */
const MAX_MARKOUT_MS = 86_400_000;

/** What the run records for its charts: `sampleMs` is the interval of the top-of-book and trade
 *  samples (MarketSampled), a whole number of ms, `auto` (the default: see sampleIntervalMs), or
 *  `off` (no samples, not even at our fills). `markoutsMs`: the horizons of the report's markouts
 *  (absent: 1 s, 5 s, 30 s and 5 min). `equityIntervalMs`: how often the equity curve is sampled
 *  for the report's Sharpe and Sortino (absent: DEFAULT_EQUITY_INTERVAL_MS, a minute of run
 *  clock; optional rather than defaulted so that a scenario without it keeps its hash). */
const report = z.strictObject({
  markoutsMs: z
    .array(
      z
        .number()
        .int()
        .min(1, { error: 'must be at least 1 ms' })
        .max(MAX_MARKOUT_MS, { error: `must be at most ${MAX_MARKOUT_MS} ms (a day)` }),
    )
    .min(1, { error: 'must name at least one horizon (leave it out for the defaults)' })
    .max(8, { error: 'must name at most 8 horizons' })
    .refine((h) => h.every((x, i) => i === 0 || x > (h[i - 1] as number)), 'must be in increasing order')
    .optional(),
  equityIntervalMs: z
    .number()
    .int({ error: 'must be a whole number of ms' })
    .min(1, { error: 'must be at least 1 ms' })
    .max(MAX_MARKOUT_MS, { error: `must be at most ${MAX_MARKOUT_MS} ms (a day)` })
    .optional(),
  sampleMs: z
    .union(
      [
        z.literal('off'),
        z.literal('auto'),
        z
          .number()
          .int()
          .min(1, { error: 'must be at least 1 ms (write off to turn sampling off)' })
          .max(MAX_SAMPLE_MS, { error: `must be at most ${MAX_SAMPLE_MS} ms (an hour)` }),
      ],
      {
        error: `must be a whole number of ms from 1 to ${MAX_SAMPLE_MS}, auto or off`,
      },
    )
    .default('auto'),
});

const instrumentFields = z.strictObject({
  symbol: symbolField,
  tickSize: positiveDecimal,
  lotSize: positiveDecimal,
  minNotional: nonNegativeDecimal,
});

export const scenarioFields = z.strictObject({
  name: id,
  description: z.string().default(''),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** backtest: the simulated venue on a virtual clock; paper: the venue's paper account on the
   *  wall clock (paper-mode.ts says what a paper run ignores). */
  mode: z.enum(['backtest', 'paper'], { error: 'must be backtest or paper' }).default('backtest'),
  venue,
  instrument: instrumentFields,
  /** Further instruments the node trades on the same venue account, each with its own simulated
   *  market and starting base balance; orders, signals and external orders name theirs by
   *  `symbol` (the run's `instrument` when they do not). */
  otherInstruments: z
    .array(
      z.strictObject({
        ...instrumentFields.shape,
        market: marketSchema.optional(),
        /** Base held at the start (with venue.account). */
        base: nonNegativeDecimal.default('0'),
      }),
    )
    .max(7, { error: 'at most 7 further instruments' })
    .default([]),
  /** Where the virtual clock starts, and the simulated market: a paper run has neither (the
   *  wall clock, the venue's market), so a file with mode: paper may leave them out. */
  start: instantField.optional(),
  duration: duration.default('PT1H'),
  market: marketSchema.optional(),
  faults: z.array(faultSchema).default([]),
  routing: routingSchema,
  retry: retrySchema,
  fillDetection: fillDetectionSchema,
  /** Quote prices of the assets commissions are paid in besides the symbol's own (`{ BNB: "600" }`):
   *  a paper run's fees and fill detection value such commissions at them (commission-prices.ts);
   *  fillDetection.assetPrices is the older spelling. */
  commissionPrices: assetPricesSchema.optional(),
  safety: safetySchema,
  actions: z.array(actionSchema).default([]),
  /** Crashes of the harness process, each followed after its downtime by a restart from the durable log. */
  restarts: z.array(restartSchema).default([]),
  /** Reconciliation and recovery settings (recon-config.ts); checked in component-schema.ts. */
  reconciliation: z.unknown().optional(),
  externalOrders: z.array(externalOrderSchema).default([]),
  /** The user's signal logic as a module (strategy-schema.ts); its signals join `signals`'. */
  strategy: strategySchema.optional(),
  /** The user's execution algorithm modules, by name (execution-schema.ts): loaded with the file;
   *  orders, signals and a session's requests name them by `algo: { kind: module, name }`. */
  algorithms: algorithmsSchema.optional(),
  /** TWAP slices capped at a share of average daily volume (liquidity-schema.ts); a backtest
   *  without it has no cap, a paper run has it at its defaults. */
  liquidity: liquiditySchema.optional(),
  signals: z.array(signal).default([]),
  orders: z.array(order).default([]),
  expect: z.array(expectation).default([]),
  report: report.default({ sampleMs: 'auto' }),
});
/** `report.sampleMs` as the run uses it: `auto` resolved from the duration. */
export const resolveSampleMs = <S extends z.output<typeof scenarioFields>>(s: S) => ({
  ...s,
  report: { ...s.report, sampleMs: sampleIntervalMs(s.report.sampleMs, parseDurationMs(s.duration)) },
});

/** A scenario as its file states it: one with mode: paper may leave out `start` and `market`. */
export type ScenarioFile = Readonly<ReturnType<typeof resolveSampleMs<z.output<typeof scenarioFields>>>>;
