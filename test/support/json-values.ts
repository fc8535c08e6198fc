// Values a log payload may hold, for the canonical JSON writers' property tests: strings (plain,
// any UTF-16 unit including lone surrogates, whole graphemes), numbers (any integer, the safe
// range, epoch milliseconds, any finite double, and the edges: -0, digit-count boundaries, 2^31,
// 2^53, 1e21), booleans, null, arrays, and objects with keys that need escaping and keys whose
// value is undefined (left out).
import fc from 'fast-check';

export const jsonNumber = fc.oneof(
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
