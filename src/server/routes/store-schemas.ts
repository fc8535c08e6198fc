// Response schemas of the store-backed routes: the read model's row types (read-model-port.ts)
// as zod schemas, which validate responses in tests and feed the OpenAPI document. Each schema is
// checked against its type at compile time (the `fits` lines), so the two cannot drift apart.
// Series and sweep rows are still open JSON objects.
import { z } from 'zod';
import { RUN_STATES } from '../../store/run-state.ts';
import type {
  Comparison,
  EventRow,
  FillRow,
  OrderRow,
  ParentMetrics,
  RunDetail,
  RunScenario,
  RunSummary,
} from '../../store/read-model-port.ts';

/** One stored row: a JSON object. */
export const rowSchema = z.record(z.string(), z.unknown());

/** A page of `item`s and the cursor of the next page (null on the last). */
export const pageSchema = (item: z.ZodType) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
  });

const bps = z.number().nullable();
const decimal = z.string().describe('a decimal number as text (exact)');

export const runSummarySchema = z.object({
  id: z.string(),
  scenario: z.string(),
  scenarioHash: z.string(),
  seed: z.number().int(),
  codeVersion: z.string(),
  mode: z.string().describe('backtest'),
  venue: z.string().nullable(),
  symbol: z.string().nullable().describe("the run's first instrument"),
  symbols: z.array(z.string()).describe('every instrument the run traded, the first one first'),
  sweepId: z.string().nullable().describe('the sweep the run is a path of'),
  state: z.enum(RUN_STATES).describe('crashed: stored as running, but its writer is gone'),
  status: z.enum(['running', 'finished', 'failed', 'interrupted']).describe('as stored'),
  passed: z.boolean().nullable(),
  digest: z.string().nullable(),
  events: z.number().int(),
  orders: z.number().int().nullable().describe('orders, counted when the run finished; null before'),
  fills: z.number().int().nullable().describe('fills, counted when the run finished; null before'),
  shortfallBps: bps.describe(
    "implementation shortfall over the run's parents, weighted by each one's filled value at its arrival price",
  ),
  fillRatio: z.number().nullable().describe('everything filled over everything ordered'),
  netPnl: z.number().nullable().describe('net P&L, quote currency (null: not finished, or stored before the figure)'),
  trades: z.number().int().nullable().describe('closed round trips'),
  winRate: z.number().nullable().describe('closed trades with net P&L > 0 over closed trades, 0..1'),
  profitFactor: z
    .number()
    .nullable()
    .describe("winning trades' net over the magnitude of losing trades' (null: no loss)"),
  sharpe: z
    .number()
    .nullable()
    .describe(
      'Sharpe ratio of the equity curve sampled per report.equityIntervalMs, annualized by the square root of the intervals in a 365-day year',
    ),
  maxDrawdown: z.number().nullable().describe('largest fall of net P&L from its running peak, quote currency'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
  simStart: z.number(),
  simEnd: z.number().nullable(),
  writer: z.object({ pid: z.number().int(), host: z.string().nullable() }).nullable(),
  error: z.string().nullable(),
  venueUrl: z
    .string()
    .nullable()
    .describe("a paper run's venue URL, without any user:password@ part (null: a backtest, or stored before it was)"),
  marketHours: z
    .enum(['venue', 'always'])
    .nullable()
    .describe("a paper run's market hours: venue (the venue's trading hours) or always"),
});

export const parentMetricsSchema = z.object({
  parentOrderId: z.string(),
  symbol: z.string().nullable(),
  side: z.string(),
  targetQty: decimal,
  filledQty: decimal,
  fillRatio: z.number(),
  arrivalPrice: decimal.nullable(),
  avgFillPrice: decimal.nullable(),
  shortfallBps: bps,
  vwapSlippageBps: bps,
  twapSlippageBps: bps,
  durationMs: z.number().nullable(),
  status: z.string(),
  stopReason: z.string().nullable(),
});

export const runDetailSchema = runSummarySchema.extend({
  parents: z.array(parentMetricsSchema),
  report: z.unknown().describe('the run report (null until the run finished)'),
});

export const orderRowSchema = z.object({
  clientOrderId: z.string(),
  venueOrderId: z.string().nullable(),
  parentOrderId: z.string().nullable().describe('null for a parent order'),
  sliceNum: z.number().int().nullable(),
  totalSlices: z.number().int(),
  scheduledTime: z.number().nullable(),
  symbol: z.string(),
  side: z.string(),
  type: z.string(),
  tif: z.string(),
  status: z.string(),
  qty: decimal,
  filledQty: decimal,
  avgPrice: decimal.nullable(),
  limitPrice: decimal.nullable(),
  stopPrice: decimal.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const fillRowSchema = z.object({
  tradeId: z.string(),
  clientOrderId: z.string(),
  parentOrderId: z.string().nullable(),
  side: z.string().nullable(),
  qty: decimal,
  price: decimal,
  fee: decimal,
  liquidity: z.string(),
  time: z.number(),
  seq: z.number().int(),
});

export const eventRowSchema = z.object({
  seq: z.number().int(),
  time: z.number(),
  kind: z.string(),
  payload: z.unknown().describe("the event's fields"),
});

const metricDeltas = z.object({ shortfallBps: bps, fillRatio: z.number().nullable() });

export const comparisonSchema = z.object({
  baseline: z.string().nullable().describe('the run the deltas are against: the first one asked for'),
  runs: z.array(
    z.object({
      id: z.string(),
      scenario: z.string(),
      scenarioHash: z.string(),
      seed: z.number().int(),
      state: z.enum(RUN_STATES),
      digest: z.string().nullable(),
      passed: z.boolean().nullable(),
      shortfallBps: bps,
      fillRatio: z.number().nullable(),
      netPnl: z.number().nullable().describe('net P&L, quote currency (null: not finished, or stored before it)'),
      trades: z.number().int().nullable().describe('closed round trips'),
      winRate: z.number().nullable(),
      profitFactor: z.number().nullable(),
      sharpe: z.number().nullable().describe('annualized'),
      maxDrawdown: z.number().nullable(),
      delta: metricDeltas.extend({ netPnl: z.number().nullable(), sharpe: z.number().nullable() }),
    }),
  ),
  unknown: z.array(z.string()),
  digestsEqual: z.boolean(),
  scenarioDiff: z.array(z.string()).describe('scenario field paths that differ from the first run'),
  parents: z.array(
    z.object({
      parentOrderId: z
        .string()
        .describe("the first run's parent id (or, for a parent it has no match for, the run's own)"),
      runs: z.array(
        z.object({
          runId: z.string(),
          metrics: parentMetricsSchema.nullable(),
          delta: metricDeltas
            .extend({ vwapSlippageBps: bps, twapSlippageBps: bps, durationMs: z.number().nullable() })
            .nullable(),
          matchedBy: z
            .literal('position')
            .optional()
            .describe(
              "present when this run's parent has another id and stands beside the first run's by its position among the parents left unmatched by id (same side)",
            ),
        }),
      ),
    }),
  ),
});

export const runScenarioSchema = z.object({
  runId: z.string(),
  name: z.string(),
  hash: z.string(),
  seed: z.number().int(),
  scenario: z.unknown().describe('the scenario as stored (canonical JSON)'),
});

// Each row type is what its schema accepts (compile-time checks only).
type Fits<T, S extends z.ZodType> = (row: T) => z.input<S>;
const fits = <T, S extends z.ZodType>(_schema: S, check: Fits<T, S>) => check;
const _schemasFitTypes = [
  fits<RunSummary, typeof runSummarySchema>(runSummarySchema, (r) => r),
  fits<RunDetail, typeof runDetailSchema>(runDetailSchema, (r) => ({ ...r, parents: [...r.parents] })),
  fits<ParentMetrics, typeof parentMetricsSchema>(parentMetricsSchema, (r) => r),
  fits<OrderRow, typeof orderRowSchema>(orderRowSchema, (r) => r),
  fits<FillRow, typeof fillRowSchema>(fillRowSchema, (r) => r),
  fits<EventRow, typeof eventRowSchema>(eventRowSchema, (r) => r),
  fits<RunScenario, typeof runScenarioSchema>(runScenarioSchema, (r) => r),
  fits<Comparison, typeof comparisonSchema>(comparisonSchema, (r) => ({
    ...r,
    runs: [...r.runs],
    unknown: [...r.unknown],
    scenarioDiff: [...r.scenarioDiff],
    parents: r.parents.map((p) => ({ ...p, runs: [...p.runs] })),
  })),
];
