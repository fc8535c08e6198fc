import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupedDigits } from './count-text.ts';

describe('groupedDigits', () => {
  it('writes a whole number as toLocaleString("en-US") does', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(groupedDigits(n)).toBe(n.toLocaleString('en-US'));
      }),
    );
  });

  it('groups by three from the right, a sign kept in front, minus zero as zero', () => {
    expect([0, -0, 7, 999, 1000, -1000, 12345, 100000, -9007199254740991].map(groupedDigits)).toEqual([
      '0',
      '0',
      '7',
      '999',
      '1,000',
      '-1,000',
      '12,345',
      '100,000',
      '-9,007,199,254,740,991',
    ]);
  });

  it('leaves what is not a safe whole number to toLocaleString', () => {
    for (const n of [1.5, -2.25, 1e21, Infinity, NaN]) expect(groupedDigits(n)).toBe(n.toLocaleString('en-US'));
  });
});
