// Exact fixed-point decimals for the edges (scenario files, reports, venue payloads).
// Inside, prices are integer ticks and quantities integer lots; this module converts between a
// decimal string and an integer count of a decimal step ("0.01", "0.00001", "0.05") without
// ever going through a float, so "0.1" + "0.2" problems cannot reach an order.
import { BoundedMemo } from './bounded-memo.ts';

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** A decimal as an integer mantissa and a power-of-ten scale: value = mantissa / 10^scale. */
export interface ScaledDecimal {
  readonly mantissa: bigint;
  readonly scale: number;
}

export function parseDecimal(text: string): ScaledDecimal {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a decimal number`);
  const frac = m[3] ?? '';
  const mantissa = BigInt((m[2] ?? '0') + frac) * (m[1] ? -1n : 1n);
  return { mantissa, scale: frac.length };
}

/** Steps parsed before: a run converts with one tick size and one lot size, again and again.
 *  Bounded, so arbitrary step strings cannot grow it. */
const STEPS = new BoundedMemo<string, ScaledDecimal>(1024);

/** parseDecimal of a step (a tick or lot size, a notional unit), remembered. */
export function parseStep(step: string): ScaledDecimal {
  return STEPS.get(step) ?? STEPS.remember(step, parseDecimal(step));
}

function rescale(d: ScaledDecimal, scale: number): bigint {
  return d.mantissa * 10n ** BigInt(scale - d.scale);
}

/**
 * How many whole `step`s make `value`. Throws when value is not an exact multiple of step
 * (a price off the tick grid, a quantity not in whole lots).
 */
export function toSteps(value: string, step: string): number {
  const v = parseDecimal(value);
  const s = parseStep(step);
  if (s.mantissa <= 0n) throw new Error(`step "${step}" must be positive`);
  const scale = Math.max(v.scale, s.scale);
  const vm = rescale(v, scale);
  const sm = rescale(s, scale);
  if (vm % sm !== 0n) throw new Error(`${value} is not a multiple of ${step}`);
  const steps = vm / sm;
  if (steps > BigInt(Number.MAX_SAFE_INTEGER) || steps < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`${value} is too large for steps of ${step}`);
  }
  return Number(steps);
}

/** The exact decimal string of `steps` whole steps of `step` ("0.01" x 12345 -> "123.45"). */
export function fromSteps(steps: number, step: string): string {
  if (!Number.isSafeInteger(steps)) throw new Error(`steps must be a safe integer, got ${steps}`);
  const s = parseStep(step);
  return formatScaled(BigInt(steps) * s.mantissa, s.scale);
}

/** Rounds a decimal string to `decimals` places, half away from zero, printed with exactly that many. */
export function roundDecimal(value: string, decimals: number): string {
  const { mantissa, scale } = parseDecimal(value);
  const neg = mantissa < 0n;
  let abs = neg ? -mantissa : mantissa;
  if (scale > decimals) {
    const div = 10n ** BigInt(scale - decimals);
    const rem = abs % div;
    abs = abs / div + (2n * rem >= div ? 1n : 0n);
  } else abs *= 10n ** BigInt(decimals - scale);
  const digits = abs.toString().padStart(decimals + 1, '0');
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return neg && abs !== 0n ? `-${text}` : text;
}

/** Formats mantissa / 10^scale without trailing zeros ("1.50" -> "1.5", "2.00" -> "2"). */
export function formatScaled(mantissa: bigint, scale: number): string {
  const negative = mantissa < 0n;
  const digits = (negative ? -mantissa : mantissa).toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  const fracPart = digits.slice(digits.length - scale).replace(/0+$/, '');
  return (negative ? '-' : '') + intPart + (fracPart ? '.' + fracPart : '');
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`, exactly, whatever their scales. */
export function compareScaled(a: ScaledDecimal, b: ScaledDecimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** compareScaled of two decimal strings ("0.0100" equals "0.01"); throws on one that is not a
 *  decimal number. */
export function compareDecimals(a: string, b: string): number {
  return compareScaled(parseDecimal(a), parseDecimal(b));
}

/** Decimal places of a step ("0.00001" -> 5): used to print averages at a useful precision. */
export function decimalsOf(step: string): number {
  return parseStep(step).scale;
}
