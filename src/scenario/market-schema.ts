// The `market:` section: which market model drives the venue, and its parameters. Prices are
// decimal strings; model coefficients are plain numbers in the units each field names.
import { z } from 'zod';
import { duration, positiveDecimal, positiveDuration } from './common-schema.ts';
import { REPLAY_FORMATS } from './replay-formats.ts';

const level = z.tuple([positiveDecimal, positiveDecimal]);

const staticBookSchema = z.strictObject({
  model: z.literal('static_book'),
  bids: z.array(level).default([]),
  asks: z.array(level).default([]),
});

/** Milliseconds between steps of a random walk. Not capped: an arithmetic or geometric walk's
 *  step is exact over any length, so a daily model may step once a day. */
const stepMs = (byDefault: number) => z.number().int().min(1).default(byDefault);
const depth = z.array(positiveDecimal).min(1).max(200);

const syntheticSchema = z.strictObject({
  model: z.literal('synthetic'),
  initialPrice: positiveDecimal,
  walk: z.enum(['arithmetic', 'geometric']).default('arithmetic'),
  /** arithmetic: price per sqrt(second); geometric: log-return per sqrt(second). */
  volatility: z.number().min(0),
  stepMs: stepMs(100),
  /** Spread in ticks, or Markov regimes of spreads with their mean durations. */
  spreadTicks: z.number().int().min(1).default(1),
  regimes: z.array(z.strictObject({ spreadTicks: z.number().int().min(1), meanDuration: duration })).default([]),
  /** Quantity per level, best first, as decimal strings. */
  depth,
  /** Ticks between displayed levels (1 = every tick; a thin book has gaps). */
  levelSpacingTicks: z.number().int().min(1).max(1_000_000).default(1),
  trades: z.strictObject({ ratePerSec: z.number().min(0), meanQty: positiveDecimal }).optional(),
});

/** The length of each Almgren-Chriss time unit, as a duration. */
const TIME_UNIT_DURATION = { second: 'PT1S', minute: 'PT1M', hour: 'PT1H', day: 'P1D' } as const;

const almgrenChrissSchema = z
  .strictObject({
    model: z.literal('almgren_chriss'),
    initialPrice: positiveDecimal,
    /** Price per sqrt(time unit). */
    sigma: z.number().min(0),
    timeUnit: z.enum(['second', 'minute', 'hour', 'day']).default('day'),
    /** Permanent impact: price per unit traded. */
    gamma: z.number().min(0),
    /** Temporary impact: fixed part, price per unit (half spread plus fees in the paper). */
    epsilon: z.number().min(0),
    /** Temporary impact: price per (unit traded per time unit). */
    eta: z.number().min(0),
    /** The trading interval tau: each execution of n units trades at the rate n / tau. Absent:
     *  one time unit. */
    rateInterval: positiveDuration.optional(),
    stepMs: stepMs(1000),
    depth,
  })
  .transform((m) => ({ ...m, rateInterval: m.rateInterval ?? TIME_UNIT_DURATION[m.timeUnit] }));

const zeroIntelligenceSchema = z.strictObject({
  model: z.literal('zero_intelligence'),
  initialPrice: positiveDecimal,
  /** Other participants' limit orders per second, each side. */
  limitRatePerSec: z.number().min(0),
  /** Their market orders per second. */
  marketRatePerSec: z.number().min(0),
  /** Cancellation rate of each of their resting orders, per second. */
  cancelRatePerSec: z.number().min(0),
  /** Limit orders land 1..priceRangeTicks ticks from the opposite best. */
  priceRangeTicks: z.number().int().min(1).max(100_000),
  meanQty: positiveDecimal,
  /** Resting orders per side at the start. */
  initialOrders: z.number().int().min(0).max(1_000_000).default(200),
});

const replaySchema = z.strictObject({
  model: z.literal('replay'),
  /** The files' data format (replay-formats.ts): binance-raw (written binance-spot before there were
   *  others, and kept under that name in the parsed scenario, so a file that names none hashes as
   *  it always did), tardis or binance-archive. */
  format: z
    .enum(REPLAY_FORMATS)
    .default('binance-spot')
    .transform((f) => (f === 'binance-raw' ? 'binance-spot' : f)),
  /** Recorded files, read in order as one stream; relative paths are from the scenario file. */
  files: z.array(z.string().min(1)).min(1),
  /** Quantity precision of the recorded data (Binance sends 8 decimals); displayed volume is
   *  floored to the instrument's lot, since dust below a lot cannot be traded by a new order. */
  dataLotSize: positiveDecimal.default('0.00000001'),
  /** binance-archive only: the book synthesized around the trade tape (archive-source.ts). */
  book: z
    .strictObject({
      /** Quantity per level, best first, the same on both sides. */
      depth: z.array(positiveDecimal).min(1).max(200),
      spreadTicks: z.number().int().min(1).max(1_000_000).default(1),
      levelSpacingTicks: z.number().int().min(1).max(1_000_000).default(1),
    })
    .optional(),
  /** binance-archive klines only: the trades synthesized inside each bar (bar-tape.ts). */
  bars: z
    .strictObject({
      /** Most trades a bar (at least its open, high, low and close are traded). */
      tradesPerBar: z.number().int().min(1).max(10_000).default(20),
      /** Seeds the sizes of the trades and the order of a bar's extremes when they tie. */
      seed: z.number().int().min(0).max(0xffff_ffff).default(1),
    })
    .optional(),
});

export const marketSchema = z.discriminatedUnion('model', [
  staticBookSchema,
  syntheticSchema,
  almgrenChrissSchema,
  zeroIntelligenceSchema,
  replaySchema,
]);
export type MarketSpec = z.output<typeof marketSchema>;
