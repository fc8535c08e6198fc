// The scenario file schema: one place for every field, its type, its default and its checks,
// including the cross-field ones (a limit order needs a limit price; quantities must be whole
// lots of the instrument; a replay cannot take a price jump). The parsed scenario is frozen;
// defaults live here and in the section schemas beside it, nowhere else.
import { z } from 'zod';
import { toSteps } from '../core/model/decimal.ts';
import { ORDER_STATUSES } from '../core/model/order-status.ts';
import { ORDER_TYPES, SIDES, TIMES_IN_FORCE } from '../core/model/order.ts';
import { duration, id, instant, nonNegativeDecimal, positiveDecimal } from './common-schema.ts';
import { actionSchema, externalOrderSchema, restartSchema, retrySchema, routingSchema, twapSchema } from './execution-schema.ts';
import { faultSchema } from './fault-schema.ts';
import { marketSchema } from './market-schema.ts';
import { PARTIAL_FILL_POLICIES } from '../core/fills/fill-config.ts';
import { FILL_METRIC_NAMES } from '../core/report/expectations.ts';
import { RECON_METRIC_NAMES } from '../core/report/recon-metrics.ts';
import { CONFIRMATIONS } from '../core/safety/pre-trade.ts';
import { checkComponentConfigs, fillDetectionSchema, safetySchema } from './component-schema.ts';
import { parseDurationMs } from './time-fields.ts';

const latencyPath = z
  .union([z.number().min(0).max(60_000), z.strictObject({ ms: z.number().min(0).max(60_000), jitterMs: z.number().min(0).max(60_000).default(0) })])
  .transform((v) => (typeof v === 'number' ? { ms: v, jitterMs: 0 } : v));

const venue = z.strictObject({
  name: z.enum(['binance-spot', 'alpaca-equities']),
  fees: z
    .strictObject({
      makerBps: z.number().min(0).max(1000).default(10),
      takerBps: z.number().min(0).max(1000).default(10),
      /** The venue states commissions in this asset (Binance: BNB, or the base asset bought);
       *  without it, fees are stated in quote. */
      commissionAsset: z.string().regex(/^[A-Z0-9]{2,10}$/, 'must be an upper-case asset code like BNB').optional(),
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
    .default({ orderEntry: { ms: 5, jitterMs: 0 }, ack: { ms: 5, jitterMs: 0 }, fillReport: { ms: 5, jitterMs: 0 }, marketData: { ms: 0, jitterMs: 0 } }),
  queue: z
    .discriminatedUnion('model', [
      z.strictObject({ model: z.literal('risk_averse') }),
      z.strictObject({ model: z.literal('probabilistic'), exponent: z.number().positive().max(10).default(2) }),
    ])
    .default({ model: 'risk_averse' }),
  /** A trade at our price fills our resting order whatever the queue ahead (optimistic). */
  fillOnTouch: z.boolean().default(false),
  /** Starting balances; without it, balances are not checked. */
  account: z.strictObject({ quote: nonNegativeDecimal, base: nonNegativeDecimal.default('0') }).optional(),
});

const confirmations = z.array(z.enum(CONFIRMATIONS, { error: `must be one of ${CONFIRMATIONS.join(', ')}` })).default([]);

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
  partialFillPolicy: z.enum(PARTIAL_FILL_POLICIES, { error: `must be one of ${PARTIAL_FILL_POLICIES.join(', ')}` }).optional(),
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
    parentStatus: z.strictObject({ parent: id, equals: z.enum(['filled', 'partially_filled', 'unfilled', 'working', 'rejected']) }).optional(),
    childStatus: z.strictObject({ parent: id, slice: z.number().int().min(1).default(1), equals: z.enum(ORDER_STATUSES) }).optional(),
    childOrders: z.strictObject({ parent: id, equals: z.number().int().min(0) }).optional(),
    shortfallBps: z.strictObject({ parent: id }).extend(range.def.shape).optional(),
    fills: range.optional(),
    stoppedEarly: z.strictObject({ parent: id, equals: z.boolean(), reasonIncludes: z.string().min(1).optional() }).optional(),
    slicesExecuted: z.strictObject({ parent: id }).extend(range.def.shape).optional(),
    noDuplicateOrders: z.literal(true).optional(),
    noDiscrepancies: z.literal(true).optional(),
    signal: z.strictObject({ id, equals: z.enum(['accepted', 'rejected']), code: z.string().min(1).optional() }).optional(),
    signalsAccepted: range.optional(),
    fillDetection: z.strictObject({ metric: z.enum(FILL_METRIC_NAMES, { error: `must be one of ${FILL_METRIC_NAMES.join(', ')}` }) }).extend(range.def.shape).optional(),
    reconciliation: z.strictObject({ metric: z.enum(RECON_METRIC_NAMES, { error: `must be one of ${RECON_METRIC_NAMES.join(', ')}` }) }).extend(range.def.shape).optional(),
  })
  .refine((e) => Object.keys(e).length === 1, 'each expectation must have exactly one kind, e.g. "- noDiscrepancies: true"');

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
    /** Crashes of the harness process (issue 7). */
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
    checkMarket(s, issue, onGrid);
    checkComponentConfigs(s, issue);
    s.faults.forEach((f, i) => {
      if ('from' in f) {
        inHorizon(['faults', i, 'from'], f.from);
        if (parseDurationMs(f.until) <= parseDurationMs(f.from)) issue(['faults', i, 'until'], 'must be after from');
      } else inHorizon(['faults', i, 'at'], f.at);
      const modelFault = f.kind === 'spread_shift' || f.kind === 'liquidity_drop' || f.kind === 'price_jump';
      if (modelFault && s.market.model !== 'synthetic' && s.market.model !== 'almgren_chriss') {
        issue(['faults', i, 'kind'], `${f.kind} needs a market model with a price and spread to shift (synthetic or almgren_chriss), not ${s.market.model}`);
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
        if (o.limitPrice !== undefined) issue(path('limitPrice'), 'a TWAP prices its limit children from the touch: use twap.limitOffsetTicks');
        if (o.stopPrice !== undefined) issue(path('stopPrice'), 'a TWAP prices its stop children from the touch: use twap.stopOffsetTicks');
        if (needsLimit && o.twap.limitOffsetTicks === undefined) issue(['orders', i, 'twap', 'limitOffsetTicks'], `is required for ${o.type} children`);
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
      if (o.twap?.maxSliceQty !== undefined) onGrid(['orders', i, 'twap', 'maxSliceQty'], o.twap.maxSliceQty, s.instrument.lotSize, 'lots');
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
    s.actions.forEach((a, i) => {
      inHorizon(['actions', i, 'at'], a.at);
      if (a.kind === 'cancel' && !s.orders.some((o) => o.id === a.parent) && !s.signals.some((g) => g.id === a.parent)) {
        issue(['actions', i, 'parent'], `no order or signal has id "${a.parent}"`);
      }
    });
    s.expect.forEach((e, i) => {
      const ref = Object.values(e)[0] as { parent?: string } | true;
      if (typeof ref === 'object' && ref.parent !== undefined && !ids.has(ref.parent)) {
        issue(['expect', i, Object.keys(e)[0] as string, 'parent'], `no order or signal has id "${ref.parent}"`);
      }
      if (e.filledQty) onGrid(['expect', i, 'filledQty', 'equals'], e.filledQty.equals, s.instrument.lotSize, 'lots');
    });
  });

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
        if (dir * (b - a) <= 0) issue(['market', side, i, 0], `${side} must be strictly ${dir === 1 ? 'ascending' : 'descending'} by price, best first`);
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
  if (m.model === 'replay') return;
  onGrid(['market', 'initialPrice'], m.initialPrice, tickSize, 'ticks');
  if (m.model === 'zero_intelligence') {
    onGrid(['market', 'meanQty'], m.meanQty, lotSize, 'lots');
    return;
  }
  m.depth.forEach((q, i) => onGrid(['market', 'depth', i], q, lotSize, 'lots'));
  if (m.model === 'almgren_chriss' && parseDurationMs(m.rateWindow) <= 0) issue(['market', 'rateWindow'], 'must be longer than zero');
  if (m.model === 'synthetic') {
    if (m.trades) onGrid(['market', 'trades', 'meanQty'], m.trades.meanQty, lotSize, 'lots');
    m.regimes.forEach((r, i) => {
      if (parseDurationMs(r.meanDuration) <= 0) issue(['market', 'regimes', i, 'meanDuration'], 'must be longer than zero');
    });
  }
}

export type Scenario = Readonly<z.output<typeof scenarioSchema>>;
export type ScenarioOrder = Scenario['orders'][number];
export type ScenarioExpectation = Scenario['expect'][number];
