// An instrument's trading grid as integers. A price is a count of ticks, a quantity a count of
// lots, and a notional (price x quantity) a count of "notional units" = tick x lot in quote
// currency. With BTCUSDT (tick 0.01, lot 0.00001) one unit is 1e-7 USDT and the 5 USDT minimum
// notional is 50,000,000 units: every check is integer arithmetic, exact and fast.
import { BoundedMemo } from './bounded-memo.ts';
import { formatScaled, fromSteps, parseDecimal, parseStep, toSteps } from './decimal.ts';
import { symbol as toSymbol, type Symbol } from './ids.ts';

export interface InstrumentSpec {
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minNotional: string;
}

export interface Instrument {
  readonly symbol: Symbol;
  readonly tickSize: string;
  readonly lotSize: string;
  /** Minimum notional in notional units (ticks x lots). */
  readonly minNotionalUnits: number;
  readonly spec: InstrumentSpec;
}

export function makeInstrument(spec: InstrumentSpec): Instrument {
  if (parseDecimal(spec.tickSize).mantissa <= 0n) throw new Error(`tickSize must be positive, got "${spec.tickSize}"`);
  if (parseDecimal(spec.lotSize).mantissa <= 0n) throw new Error(`lotSize must be positive, got "${spec.lotSize}"`);
  const minNotionalUnits = ceilSteps(spec.minNotional, notionalUnit(spec.tickSize, spec.lotSize));
  return Object.freeze({
    symbol: toSymbol(spec.symbol),
    tickSize: spec.tickSize,
    lotSize: spec.lotSize,
    minNotionalUnits,
    spec: Object.freeze({ ...spec }),
  });
}

/** One notional unit (tick x lot) as a decimal string: "0.01" x "0.00001" -> "0.0000001". */
function notionalUnit(tickSize: string, lotSize: string): string {
  const key = `${tickSize} ${lotSize}`;
  const known = NOTIONAL_UNITS.get(key);
  if (known !== undefined) return known;
  const tick = parseStep(tickSize);
  const lot = parseStep(lotSize);
  return NOTIONAL_UNITS.remember(key, formatScaled(tick.mantissa * lot.mantissa, tick.scale + lot.scale));
}

/** Notional units worked out before, by tick and lot size (a run uses one pair). */
const NOTIONAL_UNITS = new BoundedMemo<string, string>(1024);

function ceilSteps(value: string, step: string): number {
  const v = parseDecimal(value);
  const s = parseStep(step);
  const scale = Math.max(v.scale, s.scale);
  const vm = v.mantissa * 10n ** BigInt(scale - v.scale);
  const sm = s.mantissa * 10n ** BigInt(scale - s.scale);
  return Number((vm + sm - 1n) / sm);
}

export const priceToTicks = (inst: Instrument, price: string): number => toSteps(price, inst.tickSize);
export const ticksToPrice = (inst: Instrument, ticks: number): string => fromSteps(ticks, inst.tickSize);
export const qtyToLots = (inst: Instrument, qty: string): number => toSteps(qty, inst.lotSize);
export const lotsToQty = (inst: Instrument, lots: number): string => fromSteps(lots, inst.lotSize);

/** Notional units (tick x lot) as a quote-currency decimal string. */
export function unitsToQuote(inst: Instrument, units: number): string {
  return fromSteps(units, notionalUnit(inst.tickSize, inst.lotSize));
}

/** A quote-currency amount in notional units (tick x lot), rounded up. */
export function quoteToUnits(inst: Instrument, quote: string): number {
  return ceilSteps(quote, notionalUnit(inst.tickSize, inst.lotSize));
}

/** A fractional tick count (an average price) as a price string with 4 extra decimals. */
export function fractionalTicksToPrice(inst: Instrument, ticks: number): string {
  const tick = parseStep(inst.tickSize);
  const decimals = tick.scale + 4;
  const value = (ticks * Number(tick.mantissa)) / 10 ** tick.scale;
  return trimZeros(value.toFixed(decimals));
}

/** A toFixed text without the zeros ending its fraction, nor a point left ending it ("1.2500" ->
 *  "1.25", "3.0000" -> "3"); an exponent form (1e21 and above) is left as it is. */
export function trimZeros(text: string): string {
  if (text.indexOf('.') < 0 || text.indexOf('e') >= 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--; // '0'
  if (text.charCodeAt(end - 1) === 46) end--; // '.'
  return end === text.length ? text : text.slice(0, end);
}
