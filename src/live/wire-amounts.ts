// Amounts from a venue's wire in our units: a decimal (a string, or a JSON number) as whole
// ticks or lots (off the grid: rounded to the nearest step), or as fractional ticks (averages).
// Every live adapter reads the venue's decimals through these, so none of them parses a price
// its own way.
import { parseDecimal } from '../core/model/decimal.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../core/model/instrument.ts';

/** A plain decimal string from a string or number, exponent notation expanded ("1e-7" -> "0.0000001"). */
export function plainDecimal(value: unknown): string | null {
  let text: string;
  if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'string') text = value.trim();
  else return null;
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/.exec(text);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return null;
  const sign = m[1] === '-' ? '-' : '';
  const frac = m[3] ?? '';
  let digits = (m[2] ?? '') + frac;
  let scale = frac.length - Number(m[4] ?? '0');
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale).replace(/^0+(?=\d)/, '');
  const fraction = padded.slice(padded.length - scale);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Steps of `step` in a decimal, exactly when on the grid, else rounded to the nearest step. */
function stepsOf(value: string, step: string, exact: (v: string) => number): number {
  try {
    return exact(value);
  } catch {
    return Math.round(fractionalSteps(value, step));
  }
}

function fractionalSteps(value: string, step: string): number {
  const v = parseDecimal(value);
  const s = parseDecimal(step);
  return (Number(v.mantissa) / Number(s.mantissa)) * 10 ** (s.scale - v.scale);
}

/** A price in whole ticks (an off-grid price, e.g. sub-penny price improvement, rounds to the nearest). */
export function ticksOf(inst: Instrument, value: unknown): number | null {
  const d = plainDecimal(value);
  return d === null ? null : stepsOf(d, inst.tickSize, (v) => priceToTicks(inst, v));
}

/** A price in fractional ticks, unrounded (averages). */
export function fractionalTicksOf(inst: Instrument, value: unknown): number | null {
  const d = plainDecimal(value);
  return d === null ? null : fractionalSteps(d, inst.tickSize);
}

/** A quantity in lots (off the lot grid rounds to the nearest lot). */
export function lotsOf(inst: Instrument, value: unknown): number | null {
  const d = plainDecimal(value);
  return d === null ? null : stepsOf(d, inst.lotSize, (v) => qtyToLots(inst, v));
}
