// Assertions for checks made thousands of times in one test (every level of a book after every
// operation, every bar of a series): each compares first, in plain code, and calls vitest's
// expect (for its verdict and its message) only when the comparison fails. A call to expect costs
// about 7 us, most of it vitest recording its state, against well under 1 us for the comparison;
// properties that check every value they produce spent most of their time there.
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';

/** expect(actual, message).toBe(expected), calling expect only when they are not the same value
 *  (Object.is, as toBe compares). */
export function expectIs<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) expect(actual, message).toBe(expected);
}

/** expect(actual, message).toEqual(expected), calling expect only when they are not deeply and
 *  strictly equal. Strict equality implies toEqual's; where they part (prototypes, properties that
 *  are undefined), expect has the last word. */
export function expectEqual<T>(actual: T, expected: T, message?: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, message).toEqual(expected);
}
