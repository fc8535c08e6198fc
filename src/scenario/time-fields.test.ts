import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseUtcInstant } from '../core/model/time-fields.ts';

describe('scenario time fields, parsed once and remembered', () => {
  it('a duration gives its exact milliseconds on every parse, first or remembered', () => {
    const part = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: undefined });
    fc.assert(
      fc.property(part(50), part(400), part(100), part(5000), part(100_000), part(999), (w, d, h, m, s, ms) => {
        const seconds =
          s === undefined && ms === undefined
            ? ''
            : `${s ?? 0}${ms === undefined ? '' : `.${String(ms).padStart(3, '0')}`}S`;
        const time = `${h === undefined ? '' : `${h}H`}${m === undefined ? '' : `${m}M`}${seconds}`;
        const text = `P${w === undefined ? '' : `${w}W`}${d === undefined ? '' : `${d}D`}${time ? `T${time}` : ''}`;
        const expected =
          (w ?? 0) * 604_800_000 +
          (d ?? 0) * 86_400_000 +
          (h ?? 0) * 3_600_000 +
          (m ?? 0) * 60_000 +
          (s ?? 0) * 1000 +
          (ms ?? 0);
        if (text === 'P') {
          expect(() => parseDurationMs(text)).toThrow(/not an ISO-8601 duration/);
          return;
        }
        expect(parseDurationMs(text)).toBe(expected);
        expect(parseDurationMs(text)).toBe(expected);
      }),
    );
  });

  it('a refused text is refused again with its reason (refusals are not remembered as values)', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => parseDurationMs('P1M')).toThrow(/months or years/);
      expect(() => parseDurationMs('-PT1S')).toThrow(/negative/);
      expect(() => parseUtcInstant('2024-08-09 00:00:00')).toThrow(/not an ISO-8601 UTC instant/);
    }
  });

  it('an instant gives its epoch milliseconds on every parse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (t) => {
        const text = new Date(t).toISOString();
        expect(parseUtcInstant(text)).toBe(t);
        expect(parseUtcInstant(text)).toBe(t);
      }),
    );
  });
});
