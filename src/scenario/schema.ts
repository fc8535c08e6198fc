// The scenario file schema: one place for every field, its type, its default and its checks,
// including the cross-field ones (a limit order needs a limit price; quantities must be whole
// lots of the instrument). The parsed scenario is frozen; defaults live here and nowhere else.
import { z } from 'zod';
import { parseDecimal, toSteps } from '../core/model/decimal.ts';
import { ORDER_STATUSES } from '../core/model/order-status.ts';
import { ORDER_TYPES, SIDES, TIMES_IN_FORCE } from '../core/model/order.ts';
import { parseDurationMs, parseUtcInstant } from './time-fields.ts';

const decimal = z.string().refine((s) => {
  try {
    parseDecimal(s);
    return true;
  } catch {
    return false;
  }
}, { message: 'must be a decimal number written as a string, like "0.01"', abort: true });

const positiveDecimal = decimal.refine((s) => parseDecimal(s).mantissa > 0n, 'must be greater than zero');
const nonNegativeDecimal = decimal.refine((s) => parseDecimal(s).mantissa >= 0n, 'must not be negative');

const duration = z.string().refine((s) => {
  try {
    parseDurationMs(s);
    return true;
  } catch {
    return false;
  }
}, { message: 'must be an ISO-8601 duration like PT30S or PT1H', abort: true });

const instant = z.string().refine((s) => {
  try {
    parseUtcInstant(s);
    return true;
  } catch {
    return false;
  }
}, { message: 'must be an ISO-8601 UTC instant like 2024-08-09T00:00:00Z', abort: true });

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');

const level = z.tuple([positiveDecimal, positiveDecimal]);

const staticBook = z.strictObject({
  model: z.literal('static_book'),
  bids: z.array(level).default([]),
  asks: z.array(level).default([]),
});

const venue = z.strictObject({
  name: z.enum(['binance-spot', 'alpaca-equities']),
  fees: z
    .strictObject({
      makerBps: z.number().min(0).max(1000).default(10),
      takerBps: z.number().min(0).max(1000).default(10),
    })
    .default({ makerBps: 10, takerBps: 10 }),
  latency: z
    .strictObject({
      submitMs: z.number().min(0).max(60_000).default(5),
      reportMs: z.number().min(0).max(60_000).default(5),
      jitterMs: z.number().min(0).max(60_000).default(0),
    })
    .default({ submitMs: 5, reportMs: 5, jitterMs: 0 }),
});

const rejectWindow = z.strictObject({
  kind: z.literal('reject_window'),
  from: duration,
  until: duration,
  code: z.string().default('-1003'),
  reason: z.string().default('Too many requests; venue is refusing new orders.'),
});

const order = z.strictObject({
  id,
  at: duration.default('PT0S'),
  side: z.enum(SIDES),
  qty: positiveDecimal,
  type: z.enum(ORDER_TYPES, { error: `must be one of ${ORDER_TYPES.join(', ')}` }),
  tif: z.enum(TIMES_IN_FORCE).optional(),
  limitPrice: positiveDecimal.optional(),
  stopPrice: positiveDecimal.optional(),
  /** When to cancel whatever of the order is still working (offset from the start). */
  cancelAt: duration.optional(),
});

const signal = z.strictObject({
  id,
  at: duration.default('PT0S'),
  side: z.enum(SIDES),
  qty: positiveDecimal,
  price: positiveDecimal.optional(),
});

const range = z
  .strictObject({ equals: z.number().optional(), min: z.number().optional(), max: z.number().optional() })
  .refine((r) => r.equals !== undefined || r.min !== undefined || r.max !== undefined, 'needs equals, min or max');

const expectation = z
  .strictObject({
    filledQty: z.strictObject({ parent: id, equals: nonNegativeDecimal }).optional(),
    parentStatus: z.strictObject({ parent: id, equals: z.enum(['filled', 'partially_filled', 'unfilled', 'working']) }).optional(),
    childStatus: z.strictObject({ parent: id, slice: z.number().int().min(1).default(1), equals: z.enum(ORDER_STATUSES) }).optional(),
    childOrders: z.strictObject({ parent: id, equals: z.number().int().min(0) }).optional(),
    shortfallBps: z.strictObject({ parent: id }).extend(range.def.shape).optional(),
    fills: range.optional(),
    noDuplicateOrders: z.literal(true).optional(),
    noDiscrepancies: z.literal(true).optional(),
  })
  .refine((e) => Object.keys(e).length === 1, 'each expectation must have exactly one kind, e.g. "- noDiscrepancies: true"');

export const scenarioSchema = z
  .strictObject({
    name: id,
    description: z.string().default(''),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    venue,
    instrument: z.strictObject({
      symbol: z.string().regex(/^[A-Z0-9./-]{1,20}$/, 'must be an upper-case symbol like BTCUSDT'),
      tickSize: positiveDecimal,
      lotSize: positiveDecimal,
      minNotional: nonNegativeDecimal,
    }),
    start: instant,
    duration: duration.default('PT1H'),
    market: staticBook,
    faults: z.array(z.discriminatedUnion('kind', [rejectWindow])).default([]),
    signals: z.array(signal).default([]),
    orders: z.array(order).default([]),
    expect: z.array(expectation).default([]),
  })
  .superRefine((s, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const onGrid = (path: (string | number)[], value: string | undefined, step: string, what: string) => {
      if (value === undefined) return;
      try {
        toSteps(value, step);
      } catch {
        issue(path, `${value} is not a whole number of ${what} (${step})`);
      }
    };
    const horizon = parseDurationMs(s.duration);
    const ids = new Set<string>();
    const inHorizon = (path: (string | number)[], at: string) => {
      if (parseDurationMs(at) > horizon) issue(path, `${at} is after the end of the run (duration ${s.duration})`);
    };
    s.market.bids.forEach(([p, q], i) => {
      onGrid(['market', 'bids', i, 0], p, s.instrument.tickSize, 'ticks');
      onGrid(['market', 'bids', i, 1], q, s.instrument.lotSize, 'lots');
    });
    s.market.asks.forEach(([p, q], i) => {
      onGrid(['market', 'asks', i, 0], p, s.instrument.tickSize, 'ticks');
      onGrid(['market', 'asks', i, 1], q, s.instrument.lotSize, 'lots');
    });
    const ordered = (levels: [string, string][], dir: 1 | -1, side: string) => {
      for (let i = 1; i < levels.length; i++) {
        const a = Number((levels[i - 1] as [string, string])[0]);
        const b = Number((levels[i] as [string, string])[0]);
        if (dir * (b - a) <= 0) issue(['market', side, i, 0], `${side} must be strictly ${dir === 1 ? 'ascending' : 'descending'} by price, best first`);
      }
    };
    ordered(s.market.bids, -1, 'bids');
    ordered(s.market.asks, 1, 'asks');
    const bestBid = s.market.bids[0];
    const bestAsk = s.market.asks[0];
    if (bestBid && bestAsk && Number(bestBid[0]) >= Number(bestAsk[0])) {
      issue(['market', 'asks', 0, 0], `best ask ${bestAsk[0]} must be above best bid ${bestBid[0]}`);
    }
    s.faults.forEach((f, i) => {
      if (parseDurationMs(f.until) <= parseDurationMs(f.from)) issue(['faults', i, 'until'], 'must be after from');
    });
    s.orders.forEach((o, i) => {
      const path = (k: string) => ['orders', i, k];
      if (ids.has(o.id)) issue(path('id'), `duplicate id "${o.id}"`);
      ids.add(o.id);
      inHorizon(path('at'), o.at);
      if (o.cancelAt !== undefined) {
        inHorizon(path('cancelAt'), o.cancelAt);
        if (parseDurationMs(o.cancelAt) < parseDurationMs(o.at)) issue(path('cancelAt'), 'must not be before at');
      }
      onGrid(path('qty'), o.qty, s.instrument.lotSize, 'lots');
      onGrid(path('limitPrice'), o.limitPrice, s.instrument.tickSize, 'ticks');
      onGrid(path('stopPrice'), o.stopPrice, s.instrument.tickSize, 'ticks');
      const needsLimit = o.type === 'limit' || o.type === 'stop_limit';
      const needsStop = o.type === 'stop' || o.type === 'stop_limit';
      if (needsLimit && o.limitPrice === undefined) issue(path('limitPrice'), `is required for a ${o.type} order`);
      if (!needsLimit && o.limitPrice !== undefined) issue(path('limitPrice'), `is not allowed on a ${o.type} order`);
      if (needsStop && o.stopPrice === undefined) issue(path('stopPrice'), `is required for a ${o.type} order`);
      if (!needsStop && o.stopPrice !== undefined) issue(path('stopPrice'), `is not allowed on a ${o.type} order`);
      if (o.type === 'market' && o.tif !== undefined && o.tif !== 'IOC' && o.tif !== 'FOK') {
        issue(path('tif'), 'a market order can only be IOC or FOK');
      }
    });
    s.signals.forEach((sig, i) => {
      if (ids.has(sig.id)) issue(['signals', i, 'id'], `duplicate id "${sig.id}"`);
      ids.add(sig.id);
      inHorizon(['signals', i, 'at'], sig.at);
      onGrid(['signals', i, 'qty'], sig.qty, s.instrument.lotSize, 'lots');
      onGrid(['signals', i, 'price'], sig.price, s.instrument.tickSize, 'ticks');
    });
    s.expect.forEach((e, i) => {
      const ref = Object.values(e)[0] as { parent?: string } | true;
      if (typeof ref === 'object' && ref.parent !== undefined && !ids.has(ref.parent)) {
        issue(['expect', i, Object.keys(e)[0] as string, 'parent'], `no order or signal has id "${ref.parent}"`);
      }
      if (e.filledQty) onGrid(['expect', i, 'filledQty', 'equals'], e.filledQty.equals, s.instrument.lotSize, 'lots');
    });
  });

export type Scenario = Readonly<z.output<typeof scenarioSchema>>;
export type ScenarioOrder = Scenario['orders'][number];
export type ScenarioExpectation = Scenario['expect'][number];
