import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatScaled, parseDecimal } from '../../core/model/decimal.ts';
import { rounded8 } from './wire.ts';

describe('rounded8', () => {
  it('states 8 places, rounding half up past them', () => {
    expect(rounded8('0.000021666667')).toBe('0.00002167');
    expect(rounded8('0.000000005')).toBe('0.00000001');
    expect(rounded8('0.0000000049999')).toBe('0.00000000');
    expect(rounded8('12.5')).toBe('12.50000000');
    expect(rounded8('3')).toBe('3.00000000');
    expect(rounded8('0.999999999')).toBe('1.00000000');
  });

  it('is the nearest 8-place decimal, half a unit at most away', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 14 }), (mantissa, scale) => {
        const text = formatScaled(mantissa, scale);
        const out = rounded8(text);
        expect(out).toMatch(/^\d+\.\d{8}$/);
        const a = parseDecimal(text);
        const b = parseDecimal(out);
        const scaleMax = Math.max(a.scale, 8);
        const diff = b.mantissa * 10n ** BigInt(scaleMax - 8) - a.mantissa * 10n ** BigInt(scaleMax - a.scale);
        // Half up: at most half a unit of the 8th place above, less than half below.
        const half = scaleMax > 8 ? 5n * 10n ** BigInt(scaleMax - 9) : 0n;
        expect(half === 0n ? diff === 0n : diff <= half && -diff < half).toBe(true);
      }),
    );
  });
});
