// What a venue accepts and how it says no, as data (architecture idea 4). The simulator refuses
// what Binance or Alpaca would refuse, with the code and message the venue would send, and the
// live adapters read the same table to map the venue's answers back to our reasons: one copy of
// each rule. Every error entry says how sure we are of its exact text (`confidence`) and where it
// comes from (`source`), because a message we made up must not pass for one the venue sends.
import type { InstrumentSpec } from '../model/instrument.ts';
import type { FailureClass } from '../model/reports.ts';
import type { OrderType, TimeInForce } from '../model/order.ts';
import type { TradingHours } from './nyse-calendar.ts';

/** A venue's id, as a scenario's `venue.name` gives it: one of the registered venues
 *  (venue-registry.ts says which, and refuses any other). */
export type VenueId = string;

/** Why a venue refuses a request, in our words; each venue maps it to its own code and message. */
export const REFUSAL_REASONS = [
  'duplicate-client-id', // a live (Binance) or any earlier (Alpaca) order already has this client id
  'invalid-client-id', // too long or characters outside the venue's pattern
  'unknown-order', // lookup of an order the venue does not have
  'cancel-unknown-order', // cancel of an order the venue does not have
  'cancel-finished-order', // cancel of an order that is done (filled, cancelled, expired)
  'price-off-tick', // price not on the tick grid (or outside the price band)
  'qty-off-lot', // quantity not on the lot grid (or outside min/max)
  'below-min-notional', // price x quantity below the minimum
  'insufficient-balance', // not enough quote currency / buying power
  'insufficient-position', // selling more than is held
  'rate-limited', // too many requests
  'market-closed', // the symbol is not trading (halt, break, maintenance)
  'unsupported-order-type',
  'unsupported-tif',
  'post-only-would-take', // a post-only order that would cross
  'fractional-tif', // a fractional quantity with a time in force the venue refuses for it
  'unknown-symbol', // an order for a symbol the venue does not trade
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * The failure class of each refusal (reports.ts FailureClass), as data: what an adapter puts on
 * the report it emits for the venue's answer, so core never reads the venue's code or text.
 * The same on every venue: a venue that answers two of our reasons with one code (Binance -2010
 * for a duplicate id and for a balance) is told apart by its adapter, which maps the answer back
 * to our reason first.
 */
export const REFUSAL_CLASSES: Readonly<Record<RefusalReason, FailureClass>> = Object.freeze({
  'duplicate-client-id': 'reject',
  'invalid-client-id': 'reject',
  'unknown-order': 'not_found',
  'cancel-unknown-order': 'not_found',
  'cancel-finished-order': 'not_cancelable',
  'price-off-tick': 'reject',
  'qty-off-lot': 'reject',
  'below-min-notional': 'reject',
  'insufficient-balance': 'reject',
  'insufficient-position': 'reject',
  'rate-limited': 'transient',
  'market-closed': 'reject',
  'unsupported-order-type': 'reject',
  'unsupported-tif': 'reject',
  'post-only-would-take': 'reject',
  'fractional-tif': 'reject',
  'unknown-symbol': 'reject',
});

export interface VenueErrorEntry {
  readonly httpStatus: number;
  /** The venue's own code as it appears in the body: Binance "-2010", Alpaca "40010001". */
  readonly code: string;
  /** The message as the venue sends it; `{name}` marks a value filled in per request. */
  readonly message: string;
  /** Values for placeholders the caller may leave out. */
  readonly defaults?: Readonly<Record<string, string>>;
  /** documented: the venue's own docs; observed: seen in real responses quoted in public code or
   *  issues; unverified: our best guess, check against the live venue. */
  readonly confidence: 'documented' | 'observed' | 'unverified';
  readonly source: string;
}

export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number;
  /** The refusal's class (REFUSAL_CLASSES). */
  readonly failure: FailureClass;
}

/** The times in force an order type takes, or 'not-sent': the venue takes none for this type
 *  (the adapter omits the field and the simulator ignores the order's tif). */
export type TifRule = readonly TimeInForce[] | 'not-sent';

export interface OrderTypeRule {
  /** The venue's name for the type (what the adapter sends). */
  readonly venueType: string;
  readonly timesInForce: TifRule;
}

export type PostOnlyRule = { readonly supported: false } | { readonly supported: true; readonly how: string };

/** What the venue allows for fractional quantities; applies to an instrument configured with a
 *  lot finer than its whole-unit default. */
export interface FractionalRule {
  readonly lotSize: string;
  readonly orderTypes: readonly OrderType[];
  readonly timesInForce: readonly TimeInForce[];
}

export interface VenueRules {
  readonly id: VenueId;
  readonly displayName: string;
  readonly clientIdMaxLength: number;
  /** Anchored, without the g or y flag (test() must stay stateless). */
  readonly clientIdPattern: RegExp;
  /** 'open-orders': an id may be reused once its order is done; 'all-orders': never reused. */
  readonly clientIdUniqueness: 'open-orders' | 'all-orders';
  /** The time an orders listing since a time filters and sorts by (Broker.ordersSinceBy). */
  readonly ordersSinceBy: 'updated' | 'submitted';
  /** Order types of our model the venue takes; a missing type is refused. */
  readonly orderTypes: Readonly<Partial<Record<OrderType, OrderTypeRule>>>;
  readonly postOnly: PostOnlyRule;
  readonly fractional: FractionalRule | null;
  readonly hours: TradingHours;
  /** What the venue does with an order while closed: refuse it, or accept and hold it until the open. */
  readonly whenClosed: 'reject' | 'queue-until-open';
  readonly instruments: readonly InstrumentSpec[];
  /** A reason missing here is one this venue cannot produce; asking for it is a bug. */
  readonly errors: Readonly<Partial<Record<RefusalReason, VenueErrorEntry>>>;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Checks a venue's rules once, at definition, and freezes them. */
export function defineVenueRules(rules: VenueRules): VenueRules {
  const where = `venue rules ${rules.id}`;
  const { source, flags } = rules.clientIdPattern;
  if (!source.startsWith('^') || !source.endsWith('$')) throw new Error(`${where}: clientIdPattern must be anchored`);
  if (/[gy]/.test(flags)) throw new Error(`${where}: clientIdPattern must not use the g or y flag`);
  for (const [type, rule] of Object.entries(rules.orderTypes)) {
    if (rule.timesInForce !== 'not-sent' && rule.timesInForce.length === 0) {
      throw new Error(`${where}: order type ${type} lists no time in force (use 'not-sent')`);
    }
  }
  if (rules.instruments.length === 0) throw new Error(`${where}: no default instrument`);
  for (const [reason, entry] of Object.entries(rules.errors)) {
    if (!(REFUSAL_REASONS as readonly string[]).includes(reason)) throw new Error(`${where}: unknown reason ${reason}`);
    if (!Number.isInteger(entry.httpStatus) || entry.httpStatus < 400 || entry.httpStatus > 599) {
      throw new Error(`${where}: ${reason} has HTTP status ${entry.httpStatus}, not a 4xx/5xx`);
    }
  }
  return deepFreeze(rules);
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}

/** The venue's answer for a refusal, placeholders filled from `vars`, then the entry's defaults. */
export function refusal(
  rules: VenueRules,
  reason: RefusalReason,
  vars: Readonly<Record<string, string>> = {},
): Refusal {
  const entry = rules.errors[reason];
  if (!entry) throw new Error(`${rules.id} has no refusal for "${reason}": this venue does not refuse that way`);
  const message = entry.message.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = vars[name] ?? entry.defaults?.[name];
    if (value === undefined) throw new Error(`${rules.id} refusal "${reason}" needs a value for {${name}}`);
    return value;
  });
  return { code: entry.code, message, httpStatus: entry.httpStatus, failure: REFUSAL_CLASSES[reason] };
}

export function isValidClientId(rules: VenueRules, id: string): boolean {
  return id.length > 0 && id.length <= rules.clientIdMaxLength && rules.clientIdPattern.test(id);
}

/** Why the venue would refuse this order type and time in force (null if it takes them). */
export function orderShapeRefusal(
  rules: VenueRules,
  type: OrderType,
  tif: TimeInForce,
  options: { readonly fractional?: boolean } = {},
): RefusalReason | null {
  const rule = rules.orderTypes[type];
  if (!rule) return 'unsupported-order-type';
  if (rule.timesInForce !== 'not-sent' && !rule.timesInForce.includes(tif)) return 'unsupported-tif';
  if (options.fractional) {
    if (!rules.fractional || !rules.fractional.orderTypes.includes(type)) return 'qty-off-lot';
    if (rule.timesInForce !== 'not-sent' && !rules.fractional.timesInForce.includes(tif)) return 'fractional-tif';
  }
  return null;
}

export function defaultInstrument(rules: VenueRules, symbol: string): InstrumentSpec {
  const spec = rules.instruments.find((i) => i.symbol === symbol);
  if (!spec) {
    const known = rules.instruments.map((i) => i.symbol).join(', ');
    throw new Error(`${rules.id} has no default instrument "${symbol}" (known: ${known})`);
  }
  return spec;
}
