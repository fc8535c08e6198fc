// Integer steps back to exact decimal strings, fast, for writers of market data (the import
// command writes millions of prices and quantities): steps x the step's mantissa is placed
// before its decimal point by string slicing, never through a float. Where that product is not a
// safe integer the exact bigint `fromSteps` answers; either way the result is fromSteps's
// (no trailing zeros), property-tested.
import { fromSteps } from '../../core/model/decimal.ts';
import { stepGrid } from './decimal-scan.ts';

/** A function writing whole steps of `step` ("0.01") as decimals ("12345" -> "123.45"). */
export function stepFormatter(step: string): (steps: number) => string {
  const { scale, mantissa } = stepGrid(step);
  const zeros = '0'.repeat(scale + 1);
  return (steps) => {
    const n = steps * mantissa;
    if (!Number.isSafeInteger(n) || n < 0) return fromSteps(steps, step);
    if (scale === 0) return String(n);
    let digits = String(n);
    if (digits.length <= scale) digits = zeros.slice(0, scale + 1 - digits.length) + digits;
    let end = digits.length;
    const point = end - scale;
    while (end > point && digits.charCodeAt(end - 1) === 48) end--;
    return end === point ? digits.slice(0, point) : `${digits.slice(0, point)}.${digits.slice(point, end)}`;
  };
}
