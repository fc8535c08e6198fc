// The canonical text is what run digests hash: the faster builder must write exactly the text the
// straightforward one (kept here as the reference) writes, for any payload.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

function reference(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`non-finite number ${value} in a log payload`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`cannot put a ${typeof value} in a log payload`);
  }
}

const payload = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.oneof(tie('value'), fc.constant(undefined)), {
      maxKeys: 6,
    }),
  ),
})).value;

describe('canonicalJson', () => {
  it('property: writes exactly the reference text (sorted keys, undefined members left out)', () => {
    fc.assert(
      fc.property(payload, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
    );
  });

  it('sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Infinity })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/function/);
  });
});
