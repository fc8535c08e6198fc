// The canonical JSON writer builds one string instead of joining arrays of pieces; the digest of
// every stored run depends on its bytes, so they must be the bytes of the plain recursive form
// (kept here as the reference) for any JSON value, and an event's line must not depend on
// whether its kind is left out by copying or by skipping.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonWithout } from './canonical-json.ts';
import { jsonValue as value } from '../../../test/support/json-values.ts';

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

describe('canonicalJson', () => {
  it('writes the bytes of the plain recursive form for any JSON value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('leaving out a key equals the canonical JSON of a copy without it', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 8 }),
        fc.string({ maxLength: 6 }),
        (obj, omit) => {
          const { [omit]: _left, ...rest } = obj;
          expect(canonicalJsonWithout(obj, omit)).toBe(reference(rest));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses what JSON cannot carry, as before', () => {
    expect(() => canonicalJson({ a: Infinity })).toThrow(/non-finite/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});

describe('canonicalJson of objects of one shape', () => {
  it('writes every object of a shape as the recursive form does, whatever order its keys were set in', () => {
    const keys = fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 5 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        keys,
        fc.array(
          fc.tuple(fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), fc.array(value, { minLength: 6, maxLength: 6 })),
          {
            minLength: 2,
            maxLength: 6,
          },
        ),
        (ks, objects) => {
          for (const [order, vals] of objects) {
            // The same keys, inserted in an order drawn per object (so shapes repeat and differ).
            const shuffled = ks.map((k, i) => ({ k, at: order[i] ?? 0 })).sort((a, b) => a.at - b.at);
            const obj: Record<string, unknown> = {};
            shuffled.forEach(({ k }, i) => {
              obj[k] = vals[i];
            });
            expect(canonicalJson(obj)).toBe(reference(obj));
            expect(canonicalJson([obj, obj])).toBe(reference([obj, obj]));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
