// The response schema of GET /runs/{id}/series: RunSeries (read-model-port.ts) as zod, so the
// OpenAPI document describes the columns the chart pages read, and response checks in tests
// hold the reader to it.
import { z } from 'zod';

const times = z.array(z.number()).describe('epoch ms, simulated time');
const numbers = z.array(z.number());
const nullableNumbers = z.array(z.number().nullable());
const strings = z.array(z.string());
const steps = z.object({ t: times, qty: numbers });

export const SLICE_OUTCOMES = ['filled', 'partial', 'unfilled', 'cancelled', 'failed', 'rejected', 'unsent'] as const;

export const runSeriesSchema = z
  .object({
    runId: z.string(),
    symbol: z.string(),
    start: z.number().describe("the run's first simulated instant, epoch ms"),
    end: z.number().nullable().describe('its last (null while it runs)'),
    from: z.number().describe('the window served, epoch ms'),
    to: z.number(),
    maxPoints: z.number().int().nullable(),
    book: z.object({ t: times, bid: nullableNumbers, ask: nullableNumbers }).describe('top of book (quote prices)'),
    trades: z
      .object({ t: times, vwap: numbers, volume: numbers })
      .describe('public trades between samples: VWAP and volume'),
    fills: z
      .object({
        t: times,
        price: numbers,
        qty: numbers,
        side: z.array(z.enum(['buy', 'sell'])),
        childId: strings,
        parentId: strings,
      })
      .describe("our fills of the run's symbol, when we learned them"),
    slices: z.object({
      childId: strings,
      parentId: strings,
      sliceNum: numbers,
      plannedAt: times,
      sentAt: nullableNumbers,
      plannedQty: numbers,
      qty: numbers,
      filledQty: numbers,
      outcome: z.array(z.enum(SLICE_OUTCOMES)),
    }),
    parents: z.array(
      z.object({
        id: z.string(),
        symbol: z.string().describe('its instrument; qty and prices are in its units'),
        side: z.enum(['buy', 'sell']),
        qty: z.number(),
        createdAt: z.number(),
        arrivalPrice: z.number().nullable(),
        planned: steps,
        filled: steps,
      }),
    ),
    equity: z
      .object({ t: times, net: numbers, position: numbers })
      .describe(
        "the run's net P&L (quote currency, every symbol) and its symbol's position (base units, baseline included) over time",
      ),
    spans: z
      .array(
        z.object({
          kind: z.string(),
          from: z.number(),
          until: z.number(),
          declared: z.boolean().describe("true: a fault the scenario declared; false: what the run's log shows"),
        }),
      )
      .describe(
        'spans the chart shades, epoch ms: declared faults, and streams down, market data gaps, the breaker open and the kill switch off active as the log shows them',
      ),
    decimated: z.boolean(),
    counts: z.record(z.string(), z.object({ before: z.number().int(), after: z.number().int() })),
  })
  .describe('columnar chart series; every series at most maxPoints points');
