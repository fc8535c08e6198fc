// Pre-trade checks: pure functions, each answering null (pass) or one Denial with one clear
// reason; preTradeCheck runs them in a fixed order (listed there) and returns the FIRST denial.
// When the order passes and fat-finger confirmations were needed, the result carries a
// LargeOrderConfirmed audit record (plain data) for the caller to append to the event log.
// Limits are quote-currency / quantity decimal strings in the config, converted exactly (BigInt)
// with the instrument; orders are integers (ticks, lots), see model/instrument.ts.
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';
import { compareDecimals, formatScaled, parseDecimal } from '../model/decimal.ts';
import { lotsToQty, type Instrument } from '../model/instrument.ts';
import type { OrderRequest } from '../model/order.ts';
import { isValidClientId, orderShapeRefusal, type VenueRules } from '../venues/venue-rules.ts';

export interface Denial {
  readonly code: string;
  readonly reason: string;
  readonly field?: string;
}

import { CONFIRMATIONS, type Confirmation, type LargeOrderConfirmed } from '../model/safety-events.ts';

// ---- config: every default here --------------------------------------------------------------
const DEC = /^\d+(\.\d+)?$/;
const amount = (what: string) =>
  z
    .string(`must be a ${what} as a decimal string`)
    // abort: what is no decimal is not compared with 0 (parseDecimal would throw).
    .regex(DEC, { message: `must be a ${what} as a decimal string like "5000"`, abort: true })
    .refine((s) => parseDecimal(s).mantissa > 0n, 'must be greater than 0');
const ordered = (a: string, b: string) => !DEC.test(a) || !DEC.test(b) || compareDecimals(a, b) <= 0;

export const preTradeConfigSchema = z
  .strictObject({
    /** Largest order quantity in instrument units. Ours: 10x the fat-finger quantity. */
    maxOrderQty: amount('quantity').default('10000'),
    /** Largest order notional in quote currency. Ours: 10x the fat-finger hard limit. */
    maxOrderNotional: amount('quote amount').default('100000'),
    /** Orders accepted per window: 100 per second by default. */
    maxOrdersPerWindow: z
      .number('must be a number')
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(100),
    rateWindowMs: z
      .number('must be a number of milliseconds')
      .int('must be a whole number of milliseconds')
      .min(1, 'must be at least 1 ms')
      .default(1_000),
    /** Above this notional the order needs 'large-order': 5,000 in quote currency. */
    largeOrderNotional: amount('quote amount').default('5000'),
    /** Above this quantity the order needs 'large-order': 1000 units (shares on an equities venue). */
    largeOrderQty: amount('quantity').default('1000'),
    /** Above this notional the order also needs 'hard-limit', a second, stronger confirmation: 10,000. */
    hardLimitNotional: amount('quote amount').default('10000'),
  })
  .refine((c) => ordered(c.largeOrderNotional, c.hardLimitNotional), {
    message: 'must not be below largeOrderNotional',
    path: ['hardLimitNotional'],
  })
  .refine((c) => ordered(c.largeOrderQty, c.maxOrderQty), {
    message: 'must not be below largeOrderQty (the confirmation could never be used)',
    path: ['maxOrderQty'],
  })
  .refine((c) => ordered(c.hardLimitNotional, c.maxOrderNotional), {
    message: 'must not be below hardLimitNotional (the second confirmation could never be used)',
    path: ['maxOrderNotional'],
  });

export type PreTradeConfig = Readonly<z.output<typeof preTradeConfigSchema>>;
export type PreTradeConfigInput = z.input<typeof preTradeConfigSchema>;

export class PreTradeConfigError extends Error {
  override readonly name = 'PreTradeConfigError';
}

/** Validates a config (undefined = all defaults); throws naming the first bad field
 *  ("pre-trade config: hardLimitNotional: must not be below largeOrderNotional"). */
export function parsePreTradeConfig(input: unknown): PreTradeConfig {
  return parseConfig(preTradeConfigSchema, input, {
    label: 'pre-trade config',
    fields: '(maxOrderQty, ...)',
    error: PreTradeConfigError,
  });
}

export const DEFAULT_PRE_TRADE_CONFIG: PreTradeConfig = parsePreTradeConfig({});

// ---- exact conversions -----------------------------------------------------------------------
/** floor(amount / step) for decimal strings: "x > limit" on an integer count is "count > floor". */
function floorSteps(amount: string, step: string): bigint {
  const a = parseDecimal(amount);
  const s = parseDecimal(step);
  const scale = Math.max(a.scale, s.scale);
  return (a.mantissa * 10n ** BigInt(scale - a.scale)) / (s.mantissa * 10n ** BigInt(scale - s.scale));
}
function unitStep(inst: Instrument): string {
  const t = parseDecimal(inst.tickSize);
  const l = parseDecimal(inst.lotSize);
  return formatScaled(t.mantissa * l.mantissa, t.scale + l.scale);
}
/** Largest quantity in lots that is not above `qty` (instrument units). */
const qtyLimitLots = (inst: Instrument, qty: string): bigint => floorSteps(qty, inst.lotSize);
/** Largest notional in units (tick x lot) that is not above `quote`. */
const notionalLimitUnits = (inst: Instrument, quote: string): bigint => floorSteps(quote, unitStep(inst));
const unitsText = (inst: Instrument, units: bigint): string => {
  const u = parseDecimal(unitStep(inst));
  return formatScaled(units * u.mantissa, u.scale);
};

/** The price in ticks an order is valued at: its limit, else its stop, else the reference
 *  (touch) price the caller gives for a market order; null when there is none. */
function valuationPrice(order: OrderRequest, referencePrice: number | null): number | null {
  return order.limitPrice ?? order.stopPrice ?? referencePrice;
}

// ---- the checks ------------------------------------------------------------------------------
const deny = (code: string, reason: string, field?: string): Denial =>
  field === undefined ? { code, reason } : { code, reason, field };
const positiveInt = (n: number | undefined): boolean => n !== undefined && Number.isSafeInteger(n) && n > 0;

/** Symbol, venue table (client id, type, tif), tick grid, lot grid, valuation price, minimum notional. */
export function checkVenueRules(
  order: OrderRequest,
  inst: Instrument,
  venue: VenueRules | null,
  referencePrice: number | null,
): Denial | null {
  if (order.symbol !== inst.symbol)
    return deny('symbol-mismatch', `order is for ${order.symbol} but the instrument is ${inst.symbol}`, 'symbol');
  if (venue) {
    if (!isValidClientId(venue, order.clientOrderId))
      return deny(
        'invalid-client-id',
        `client order id "${order.clientOrderId}" is not valid at ${venue.displayName} (at most ${venue.clientIdMaxLength} characters, pattern ${venue.clientIdPattern.source})`,
        'clientOrderId',
      );
    const shape = orderShapeRefusal(venue, order.type, order.tif);
    if (shape)
      return deny(
        shape,
        `${venue.displayName} does not take a ${order.type} order with time in force ${order.tif}`,
        shape === 'unsupported-tif' ? 'tif' : 'type',
      );
  }
  for (const field of ['limitPrice', 'stopPrice'] as const) {
    const p = order[field];
    if (p !== undefined && !positiveInt(p))
      return deny(
        'price-off-tick',
        `${field} must be a positive whole number of ticks (tick ${inst.tickSize}), got ${p}`,
        field,
      );
  }
  if (!positiveInt(order.qty))
    return deny(
      'qty-off-lot',
      `quantity must be a positive whole number of lots (lot ${inst.lotSize}), got ${order.qty}`,
      'qty',
    );
  const price = valuationPrice(order, referencePrice);
  if (price === null || !positiveInt(price))
    return deny(
      'no-reference-price',
      `a ${order.type} order has no price to value it at and no reference price was given`,
      'referencePrice',
    );
  const units = BigInt(price) * BigInt(order.qty);
  if (units < BigInt(inst.minNotionalUnits))
    return deny(
      'below-min-notional',
      `notional ${unitsText(inst, units)} is below the minimum ${inst.spec.minNotional}`,
      'qty',
    );
  return null;
}

/** The client order id must not be one already used (the caller passes the ids the venue's
 *  uniqueness rule still counts: open orders, or every order). */
/** The client order ids in use: only asked whether it holds one (the ledger's orders answer
 *  directly, without a copy of every id per check). */
export interface KnownIds {
  has(id: string): boolean;
}

export function checkDuplicateClientOrderId(order: OrderRequest, knownIds: KnownIds): Denial | null {
  return knownIds.has(order.clientOrderId)
    ? deny('duplicate-client-id', `client order id "${order.clientOrderId}" is already used`, 'clientOrderId')
    : null;
}

/** Hard caps: quantity, then notional (no confirmation lifts them). */
export function checkMaxSize(
  order: OrderRequest,
  inst: Instrument,
  config: PreTradeConfig,
  price: number,
): Denial | null {
  if (BigInt(order.qty) > qtyLimitLots(inst, config.maxOrderQty))
    return deny(
      'max-order-qty',
      `quantity ${lotsToQty(inst, order.qty)} is above the maximum order quantity ${config.maxOrderQty}`,
      'qty',
    );
  const units = BigInt(price) * BigInt(order.qty);
  if (units > notionalLimitUnits(inst, config.maxOrderNotional))
    return deny(
      'max-order-notional',
      `notional ${unitsText(inst, units)} is above the maximum order notional ${config.maxOrderNotional}`,
      'qty',
    );
  return null;
}

/** Which fat-finger limits an order is above (empty: none, no confirmation needed). */
function fatFingerLimitsExceeded(
  order: OrderRequest,
  inst: Instrument,
  config: PreTradeConfig,
  price: number,
): string[] {
  const units = BigInt(price) * BigInt(order.qty);
  const above: string[] = [];
  if (units > notionalLimitUnits(inst, config.largeOrderNotional)) above.push('notional');
  if (BigInt(order.qty) > qtyLimitLots(inst, config.largeOrderQty)) above.push('qty');
  if (units > notionalLimitUnits(inst, config.hardLimitNotional)) above.push('hard-notional');
  return above;
}

/** Above a soft limit: 'large-order' must be present; above the hard limit: 'hard-limit' too.
 *  The denial code names the missing one. */
export function checkFatFinger(
  order: OrderRequest,
  inst: Instrument,
  config: PreTradeConfig,
  price: number,
  confirmations: readonly Confirmation[],
): Denial | null {
  const above = fatFingerLimitsExceeded(order, inst, config, price);
  if (above.length === 0) return null;
  const notional = unitsText(inst, BigInt(price) * BigInt(order.qty));
  const qty = lotsToQty(inst, order.qty);
  if (!confirmations.includes('large-order')) {
    const why = above.includes('notional')
      ? `notional ${notional} is above ${config.largeOrderNotional}`
      : `quantity ${qty} is above ${config.largeOrderQty}`;
    return deny(
      'large-order-confirmation-missing',
      `${why}: the order needs the 'large-order' confirmation`,
      'confirmations',
    );
  }
  if (above.includes('hard-notional') && !confirmations.includes('hard-limit')) {
    return deny(
      'hard-limit-confirmation-missing',
      `notional ${notional} is above the hard limit ${config.hardLimitNotional}: the order needs the second, 'hard-limit' confirmation`,
      'confirmations',
    );
  }
  return null;
}

/** Sliding window: denied when `maxOrdersPerWindow` accepted orders already have a time in
 *  (now - rateWindowMs, now], so no window of rateWindowMs ever holds more than the maximum.
 *  Times after `now` count too (fail closed on a clock that went back). */
export function checkRateLimit(now: number, acceptedTimes: readonly number[], config: PreTradeConfig): Denial | null {
  const from = now - config.rateWindowMs;
  let n = 0;
  for (const t of acceptedTimes) if (t > from) n++;
  return n >= config.maxOrdersPerWindow
    ? deny(
        'rate-limited',
        `${n} orders accepted in the last ${config.rateWindowMs} ms; the limit is ${config.maxOrdersPerWindow}`,
      )
    : null;
}

/** The accepted times a later check still needs (those inside the window ending at `now`). */
export const pruneAcceptedTimes = (now: number, acceptedTimes: readonly number[], config: PreTradeConfig): number[] =>
  acceptedTimes.filter((t) => t > now - config.rateWindowMs);

export interface PreTradeContext {
  readonly instrument: Instrument;
  readonly config?: PreTradeConfig;
  /** Venue table for client id format, order type and tif; null/absent skips those. */
  readonly venue?: VenueRules | null;
  /** Ticks to value an order without limit/stop price (the touch it would take); null: none. */
  readonly referencePrice: number | null;
  readonly now: number;
  /** Times of orders accepted earlier (any order; prune with pruneAcceptedTimes). */
  readonly acceptedTimes: readonly number[];
  readonly knownClientOrderIds: KnownIds;
  /** Confirmations present on this order. */
  readonly confirmations?: readonly Confirmation[];
  /** Who confirmed (for the audit record). */
  readonly confirmedBy?: string;
}

export type PreTradeResult =
  { readonly ok: true; readonly audit: LargeOrderConfirmed | null } | { readonly ok: false; readonly denial: Denial };

/**
 * Runs the checks in this fixed order and returns the first denial, or ok with the audit record
 * of the large-order confirmations the order needed (null when it needed none):
 *   1. checkVenueRules   symbol, client id format and order type/tif (the venue table), tick grid,
 *                        lot grid, a price to value the order at, minimum notional
 *   2. checkDuplicateId  client order id against the ids the caller says are taken
 *   3. checkMaxSize      maximum order quantity, then maximum notional
 *   4. checkFatFinger    soft limit needs the 'large-order' confirmation, hard limit also 'hard-limit'
 *   5. checkRateLimit    last: only an order that passes everything else is one the caller records
 *                        as accepted (its time goes into acceptedTimes for the next check)
 */
export function preTradeCheck(order: OrderRequest, ctx: PreTradeContext): PreTradeResult {
  const inst = ctx.instrument;
  const config = ctx.config ?? DEFAULT_PRE_TRADE_CONFIG;
  const confirmations = ctx.confirmations ?? [];
  const venue = checkVenueRules(order, inst, ctx.venue ?? null, ctx.referencePrice);
  if (venue) return { ok: false, denial: venue };
  const price = valuationPrice(order, ctx.referencePrice) as number;
  const denial =
    checkDuplicateClientOrderId(order, ctx.knownClientOrderIds) ??
    checkMaxSize(order, inst, config, price) ??
    checkFatFinger(order, inst, config, price, confirmations) ??
    checkRateLimit(ctx.now, ctx.acceptedTimes, config);
  if (denial) return { ok: false, denial };
  const above = fatFingerLimitsExceeded(order, inst, config, price);
  if (above.length === 0) return { ok: true, audit: null };
  const used = CONFIRMATIONS.filter(
    (c) => confirmations.includes(c) && (c === 'large-order' || above.includes('hard-notional')),
  );
  return {
    ok: true,
    audit: {
      kind: 'LargeOrderConfirmed',
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      qty: lotsToQty(inst, order.qty),
      notional: unitsText(inst, BigInt(price) * BigInt(order.qty)),
      above,
      confirmations: used,
      confirmedBy: ctx.confirmedBy ?? null,
    },
  };
}
