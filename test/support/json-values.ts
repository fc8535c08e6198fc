// Values a log payload may hold, for the canonical JSON writers' property tests: strings (plain,
// any UTF-16 unit including lone surrogates, whole graphemes), numbers (any integer, the safe
// range, epoch milliseconds, any finite double, and the edges: -0, digit-count boundaries, 2^31,
// 2^53, 1e21), booleans, null, arrays, and objects with keys that need escaping and keys whose
// value is undefined (left out).
import fc from 'fast-check';

/** A double with a fraction from 2^18 to 2^52 (the log writer writes those from 2^26 itself),
 *  built from its exponent, whole part and units in the last place: every digit count, ties
 *  between two decimals, odd and even last bits, and epoch-millisecond times with fractions
 *  (what most of a log's fractions are). */
export const fractionNumber = fc.oneof(
  fc
    .tuple(fc.integer({ min: 18, max: 51 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), fc.boolean())
    .map(([e, at, units, negative]) => {
      const den = 2 ** (52 - e);
      const whole = Math.floor(2 ** e + at * (2 ** e - 1));
      const x = whole + ((units % (den - 1)) + 1) / den;
      return negative ? -x : x;
    }),
  fc
    .tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 1, max: 4095 }))
    .map(([ms, units]) => 1_723_161_600_000 + ms + units / 4096),
  fc
    .tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 1, max: 9999 }))
    .map(([ms, tenths]) => 1_723_161_600_000 + ms + tenths / 10_000),
);

export const jsonNumber = fc.oneof(
  fractionNumber,
  fc.integer(),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.integer({ min: 0, max: 99_999_999 }).map((n) => 1_723_161_600_000 + n),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e21, 123456789.5, 5e-7),
);

export const jsonText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));

export const jsonValue = fc.letrec((tie) => ({
  leaf: fc.oneof(jsonText, jsonNumber, fc.boolean(), fc.constant(null)),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.option(tie('node'), { nil: undefined }), {
      maxKeys: 6,
    }),
  ),
})).node;
