// The scenario file schema: one place for every field, its type, its default and its checks,
// including the cross-field ones (a limit order needs a limit price; quantities must be whole
// lots of the instrument; a replay cannot take a price jump). The parsed scenario is frozen;
// defaults live here and in the section schemas beside it, nowhere else.
import { z } from 'zod';
import { parseDecimal } from '../core/model/decimal.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { ORDER_STATUSES } from '../core/model/order-status.ts';
import { ORDER_TYPES, SIDES, TIMES_IN_FORCE } from '../core/model/order.ts';
import { duration, id, instant, nonNegativeDecimal, positiveDecimal } from './common-schema.ts';
import {
  actionSchema,
  externalOrderSchema,
  restartSchema,
  retrySchema,
  routingSchema,
  twapSchema,
} from './execution-schema.ts';
import { faultSchema } from './fault-schema.ts';
import { marketSchema } from './market-schema.ts';
import { PARTIAL_FILL_POLICIES } from '../core/fills/fill-config.ts';
import { FILL_METRIC_NAMES } from '../core/report/expectations.ts';
import { RECON_METRIC_NAMES } from '../core/report/recon-metrics.ts';
import { CONFIRMATIONS } from '../core/model/safety-events.ts';
import { checkComponentConfigs, fillDetectionSchema, safetySchema } from './component-schema.ts';
import { checkQuoteAmount, gridProblem } from './scenario-limits.ts';
import { checkRunLimits } from './run-limits.ts';
import { parseDurationMs, parseUtcInstant } from './time-fields.ts';

const latencyPath = z
  .union([
    z.number().min(0).max(60_000),
    z.strictObject({ ms: z.number().min(0).max(60_000), jitterMs: z.number().min(0).max(60_000).default(0) }),
  ])
  .transform((v) => (typeof v === 'number' ? { ms: v, jitterMs: 0 } : v));

const venue = z.strictObject({
  name: z.enum(['binance-spot', 'alpaca-equities']),
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

const confirmations = z
  .array(z.enum(CONFIRMATIONS, { error: `must be one of ${CONFIRMATIONS.join(', ')}` }))
  .default([]);

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
  postOnly: z.boolean().default(false),
  /** auto: TWAP above the routing threshold, one order below it. */
  route: z.enum(['auto', 'single', 'twap']).default('auto'),
  twap: twapSchema.optional(),
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
  at: duration.default('PT0S'),
  side: z.enum(SIDES),
  qty: positiveDecimal,
  price: positiveDecimal.optional(),
  route: z.enum(['auto', 'single', 'twap']).default('auto'),
  /** Only reduce the position: checked against the venue's position and open orders. */
  reduceOnly: z.boolean().default(false),
  /** Large-order confirmations present on the signal (fat-finger limits). */
  confirm: confirmations,
  confirmedBy: z.string().min(1).optional(),
});

const range = z
  .strictObject({ equals: z.number().optional(), min: z.number().optional(), max: z.number().optional() })
  .refine((r) => r.equals !== undefined || r.min !== undefined || r.max !== undefined, 'needs equals, min or max');

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

const base = z.strictObject({
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
  market: marketSchema,
  faults: z.array(faultSchema).default([]),
  routing: routingSchema,
  retry: retrySchema,
  fillDetection: fillDetectionSchema,
  safety: safetySchema,
  actions: z.array(actionSchema).default([]),
  /** Crashes of the harness process, each followed after its downtime by a restart from the durable log. */
  restarts: z.array(restartSchema).default([]),
  /** Reconciliation and recovery settings (recon-config.ts); checked in component-schema.ts. */
  reconciliation: z.unknown().optional(),
  externalOrders: z.array(externalOrderSchema).default([]),
  signals: z.array(signal).default([]),
  orders: z.array(order).default([]),
  expect: z.array(expectation).default([]),
});

export const scenarioSchema = base.superRefine((s, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const onGrid = (path: (string | number)[], value: string | undefined, step: string, what: string) => {
    if (value === undefined) return;
    const problem = gridProblem(value, step, what);
    if (problem !== null) issue(path, problem);
  };
  const horizon = parseDurationMs(s.duration);
  const ids = new Set<string>();
  const inHorizon = (path: (string | number)[], at: string) => {
    if (parseDurationMs(at) > horizon) issue(path, `${at} is after the end of the run (duration ${s.duration})`);
  };
  checkInstrument(s, issue);
  if (parseUtcInstant(s.start) < 0)
    issue(['start'], `${s.start} is before 1970-01-01T00:00:00Z: times are milliseconds since then`);
  if (parseUtcInstant(s.start) + horizon > LATEST_END_MS)
    issue(['duration'], `the run would end after 9999-12-31T23:59:59.999Z (start ${s.start} + ${s.duration})`);
  checkMarket(s, issue, onGrid);
  checkComponentConfigs(s, issue);
  checkAccount(s, issue, onGrid);
  s.faults.forEach((f, i) => {
    if ('from' in f) {
      inHorizon(['faults', i, 'from'], f.from);
      if (parseDurationMs(f.until) <= parseDurationMs(f.from)) issue(['faults', i, 'until'], 'must be after from');
    } else inHorizon(['faults', i, 'at'], f.at);
    const modelFault = f.kind === 'spread_shift' || f.kind === 'liquidity_drop' || f.kind === 'price_jump';
    if (modelFault && s.market.model !== 'synthetic' && s.market.model !== 'almgren_chriss') {
      issue(
        ['faults', i, 'kind'],
        `${f.kind} needs a market model with a price and spread to shift (synthetic or almgren_chriss), not ${s.market.model}`,
      );
    }
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
    if (o.twap) {
      // TWAP children are priced from the touch at each slice, not by a fixed parent price.
      if (o.limitPrice !== undefined)
        issue(path('limitPrice'), 'a TWAP prices its limit children from the touch: use twap.limitOffsetTicks');
      if (o.stopPrice !== undefined)
        issue(path('stopPrice'), 'a TWAP prices its stop children from the touch: use twap.stopOffsetTicks');
      if (needsLimit && o.twap.limitOffsetTicks === undefined)
        issue(['orders', i, 'twap', 'limitOffsetTicks'], `is required for ${o.type} children`);
    } else {
      if (needsLimit && o.limitPrice === undefined) issue(path('limitPrice'), `is required for a ${o.type} order`);
      if (needsStop && o.stopPrice === undefined) issue(path('stopPrice'), `is required for a ${o.type} order`);
    }
    if (!needsLimit && o.limitPrice !== undefined) issue(path('limitPrice'), `is not allowed on a ${o.type} order`);
    if (!needsStop && o.stopPrice !== undefined) issue(path('stopPrice'), `is not allowed on a ${o.type} order`);
    if (o.type === 'market' && o.tif !== undefined && o.tif !== 'IOC' && o.tif !== 'FOK') {
      issue(path('tif'), 'a market order can only be IOC or FOK');
    }
    if (o.postOnly && o.type !== 'limit') issue(path('postOnly'), 'only a limit order can be post-only');
    if (o.twap && o.route === 'single') issue(path('twap'), 'a single-routed order takes no twap parameters');
    if (o.twap?.maxSliceQty !== undefined)
      onGrid(['orders', i, 'twap', 'maxSliceQty'], o.twap.maxSliceQty, s.instrument.lotSize, 'lots');
    if (o.twap && parseDurationMs(o.at) + parseDurationMs(o.twap.duration) > horizon) {
      issue(path('twap'), `runs past the end of the run: at ${o.at} + ${o.twap.duration} > duration ${s.duration}`);
    }
    if (o.twap?.interval !== undefined && parseDurationMs(o.twap.interval) > parseDurationMs(o.twap.duration)) {
      issue(['orders', i, 'twap', 'interval'], 'is longer than the duration');
    }
  });
  s.signals.forEach((sig, i) => {
    if (ids.has(sig.id)) issue(['signals', i, 'id'], `duplicate id "${sig.id}"`);
    ids.add(sig.id);
    inHorizon(['signals', i, 'at'], sig.at);
    onGrid(['signals', i, 'qty'], sig.qty, s.instrument.lotSize, 'lots');
    onGrid(['signals', i, 'price'], sig.price, s.instrument.tickSize, 'ticks');
  });
  const external = new Map<string, number>();
  s.externalOrders.forEach((x, i) => {
    const path = (k: string) => ['externalOrders', i, k];
    if (external.has(x.clientOrderId)) issue(path('clientOrderId'), `duplicate clientOrderId "${x.clientOrderId}"`);
    else external.set(x.clientOrderId, i);
    inHorizon(path('at'), x.at);
    onGrid(path('qty'), x.qty, s.instrument.lotSize, 'lots');
    onGrid(path('limitPrice'), x.limitPrice, s.instrument.tickSize, 'ticks');
  });
  s.restarts.forEach((r, i) => {
    if ('at' in r) inHorizon(['restarts', i, 'at'], r.at);
    if ('between' in r) {
      inHorizon(['restarts', i, 'between', 1], r.between[1]);
      if (parseDurationMs(r.between[1]) < parseDurationMs(r.between[0]))
        issue(['restarts', i, 'between', 1], `must not be before between[0] (${r.between[0]})`);
    }
  });
  // A parent's id is the order's id; a signal's parent id derives from its fingerprint, so
  // cancels and parent expectations name orders, and a signal is checked with `signal: { id }`.
  const orderIds = new Set(s.orders.map((o) => o.id));
  const signalIds = new Set(s.signals.map((g) => g.id));
  const notAnOrder = (id: string): string =>
    signalIds.has(id)
      ? `"${id}" is a signal, not an order: a signal's parent gets an id derived from the signal, so name one of the orders (${listIds(orderIds)}), or check the signal with expect "signal: { id: ${id} }"`
      : `no order has id "${id}" (orders: ${listIds(orderIds)})`;
  s.actions.forEach((a, i) => {
    inHorizon(['actions', i, 'at'], a.at);
    if (a.kind === 'cancel' && !orderIds.has(a.parent)) issue(['actions', i, 'parent'], notAnOrder(a.parent));
    if (a.kind === 'resolve_orphan') {
      // The only orphans a scenario makes are its external orders.
      const x = external.get(a.clientOrderId);
      if (x === undefined) {
        issue(
          ['actions', i, 'clientOrderId'],
          `"${a.clientOrderId}" is not one of the externalOrders (${listIds(new Set(external.keys()))}): only an external order can become an orphan`,
        );
      } else if (parseDurationMs(a.at) < parseDurationMs((s.externalOrders[x] as { at: string }).at)) {
        issue(
          ['actions', i, 'at'],
          `${a.at} is before externalOrders[${x}] is placed (at ${(s.externalOrders[x] as { at: string }).at})`,
        );
      }
    }
  });
  s.expect.forEach((e, i) => {
    const ref = Object.values(e)[0] as { parent?: string; id?: string } | true;
    const kind = Object.keys(e)[0] as string;
    if (typeof ref === 'object' && ref.parent !== undefined && !orderIds.has(ref.parent))
      issue(['expect', i, kind, 'parent'], notAnOrder(ref.parent));
    if (e.signal && !signalIds.has(e.signal.id))
      issue(['expect', i, 'signal', 'id'], `no signal has id "${e.signal.id}" (signals: ${listIds(signalIds)})`);
    if (e.filledQty) onGrid(['expect', i, 'filledQty', 'equals'], e.filledQty.equals, s.instrument.lotSize, 'lots');
  });
  // Sizes, prices, TWAP plans and the run's work need every field above to be sound.
  if (ctx.issues.length === 0) checkRunLimits(s, issue);
});

/** Ids for a message: the first few, or "none". */
function listIds(ids: ReadonlySet<string>): string {
  if (ids.size === 0) return 'none';
  const all = [...ids];
  return all.length <= 5 ? all.join(', ') : `${all.slice(0, 5).join(', ')}, ...`;
}

/** Latest run end: the last instant a four-digit ISO-8601 year can write. */
const LATEST_END_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Decimal places of tickSize and lotSize: reports print prices with 4 more than the tick. */
const MAX_STEP_DECIMALS = 18;

function checkInstrument(s: z.output<typeof base>, issue: Issue): void {
  const { tickSize, lotSize, minNotional } = s.instrument;
  for (const [k, v] of [
    ['tickSize', tickSize],
    ['lotSize', lotSize],
  ] as const) {
    const places = parseDecimal(v).scale;
    if (places > MAX_STEP_DECIMALS)
      issue(['instrument', k], `${v} has ${places} decimal places, more than the ${MAX_STEP_DECIMALS} allowed`);
  }
  checkQuoteAmount(['instrument', 'minNotional'], minNotional, makeInstrument(s.instrument), issue);
}

/** Starting balances: quote in whole ticks of one whole lot (the venue keeps quote in notional
 *  units, ticks x lots per unit of base), base in whole lots. */
function checkAccount(s: z.output<typeof base>, issue: Issue, onGrid: OnGrid): void {
  const a = s.venue.account;
  if (!a) return;
  const { tickSize, lotSize } = s.instrument;
  onGrid(['venue', 'account', 'quote'], a.quote, tickSize, 'ticks');
  onGrid(['venue', 'account', 'base'], a.base, lotSize, 'lots');
  if (gridProblem('1', lotSize, 'lots') !== null)
    issue(
      ['venue', 'account'],
      `balances need 1 to be a whole number of lots, and lotSize ${lotSize} does not divide 1`,
    );
  else checkQuoteAmount(['venue', 'account', 'quote'], a.quote, makeInstrument(s.instrument), issue);
}

type Issue = (path: (string | number)[], message: string) => void;
type OnGrid = (path: (string | number)[], value: string | undefined, step: string, what: string) => void;

function checkMarket(s: z.output<typeof base>, issue: Issue, onGrid: OnGrid): void {
  const m = s.market;
  const { tickSize, lotSize } = s.instrument;
  if (m.model === 'static_book') {
    m.bids.forEach(([p, q], i) => {
      onGrid(['market', 'bids', i, 0], p, tickSize, 'ticks');
      onGrid(['market', 'bids', i, 1], q, lotSize, 'lots');
    });
    m.asks.forEach(([p, q], i) => {
      onGrid(['market', 'asks', i, 0], p, tickSize, 'ticks');
      onGrid(['market', 'asks', i, 1], q, lotSize, 'lots');
    });
    const ordered = (levels: [string, string][], dir: 1 | -1, side: string) => {
      for (let i = 1; i < levels.length; i++) {
        const a = Number((levels[i - 1] as [string, string])[0]);
        const b = Number((levels[i] as [string, string])[0]);
        if (dir * (b - a) <= 0)
          issue(
            ['market', side, i, 0],
            `${side} must be strictly ${dir === 1 ? 'ascending' : 'descending'} by price, best first`,
          );
      }
    };
    ordered(m.bids, -1, 'bids');
    ordered(m.asks, 1, 'asks');
    const bestBid = m.bids[0];
    const bestAsk = m.asks[0];
    if (bestBid && bestAsk && Number(bestBid[0]) >= Number(bestAsk[0])) {
      issue(['market', 'asks', 0, 0], `best ask ${bestAsk[0]} must be above best bid ${bestBid[0]}`);
    }
    return;
  }
  if (m.model === 'replay') {
    // Recorded quantities come in data lots and are floored to whole instrument lots.
    const problem = gridProblem(lotSize, m.dataLotSize, 'data lots');
    if (problem !== null)
      issue(
        ['market', 'dataLotSize'],
        `instrument.lotSize ${lotSize} must be a whole number of dataLotSize ${m.dataLotSize}`,
      );
    for (const [path, step] of [
      [['instrument', 'tickSize'], tickSize],
      [['market', 'dataLotSize'], m.dataLotSize],
    ] as const) {
      if (parseDecimal(step).mantissa > BigInt(Number.MAX_SAFE_INTEGER))
        issue([...path], `${step} has too many digits for the replay parser (at most 15 significant digits)`);
    }
    return;
  }
  onGrid(['market', 'initialPrice'], m.initialPrice, tickSize, 'ticks');
  if (m.model === 'zero_intelligence') {
    onGrid(['market', 'meanQty'], m.meanQty, lotSize, 'lots');
    return;
  }
  m.depth.forEach((q, i) => onGrid(['market', 'depth', i], q, lotSize, 'lots'));
  if (m.model === 'synthetic') {
    if (m.trades) onGrid(['market', 'trades', 'meanQty'], m.trades.meanQty, lotSize, 'lots');
    m.regimes.forEach((r, i) => {
      if (parseDurationMs(r.meanDuration) <= 0)
        issue(['market', 'regimes', i, 'meanDuration'], 'must be longer than zero');
    });
  }
}

export type Scenario = Readonly<z.output<typeof scenarioSchema>>;
