// The tests' fast deep comparison (test/support/first-difference.ts) agrees with toEqual on
// whatever plain values it is given, and names the path of the first difference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstDifference } from '../support/first-difference.ts';

/** Plain values as the replay's messages and events are made of, with what toEqual treats
 *  specially: -0, NaN, undefined properties. */
const plain = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(0, -0, 1, NaN, null, undefined, true, false, '', 'a'),
    fc.integer({ min: -3, max: 3 }),
    fc.double(),
    fc.string({ maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'kind'), tie('value'), { maxKeys: 4 }),
  ),
}));

function toEqualHolds(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

describe('firstDifference', () => {
  it('finds no difference exactly when toEqual holds', () => {
    // Pairs made alike often enough to be equal (a value and its structured clone), or apart.
    const pair = fc.oneof(
      plain.value.map((v) => [v, structuredClone(v)] as const),
      fc.tuple(plain.value, plain.value),
    );
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(firstDifference(a, b) === null).toBe(toEqualHolds(a, b));
      }),
    );
  });

  it('names the path of the first difference with both values', () => {
    const expected = [
      { kind: 'depth', bids: [100, 2, 99, 1] },
      { kind: 'trade', qty: 3 },
    ];
    expect(
      firstDifference(
        [
          { kind: 'depth', bids: [100, 2, 99, 5] },
          { kind: 'trade', qty: 4 },
        ],
        expected,
      ),
    ).toBe('$[0].bids[3]: 5 (expected 1)');
    expect(firstDifference([expected[0]], expected)).toBe('$.length: 1 (expected 2)');
    expect(firstDifference([expected[0], { kind: 'trade' }], expected)).toBe('$[1].qty: missing (expected 3)');
    expect(firstDifference([expected[0], { kind: 'trade', qty: 3, side: 'buy' }], expected)).toBe(
      '$[1].side: "buy" (expected none)',
    );
    expect(firstDifference([expected[0], { kind: 'trade', qty: 3, side: undefined }], expected)).toBeNull();
    expect(firstDifference(-0, 0)).toBe('$: -0 (expected 0)');
    expect(firstDifference({ a: [NaN] }, { a: [NaN] })).toBeNull();
  });
});
