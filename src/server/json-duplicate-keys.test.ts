// A key given twice in one object of a JSON text is found, with its path, wherever it is nested
// and however its second spelling is escaped; a text whose objects each name a key once (every
// JSON.stringify output) has none.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKeyPath } from './json-duplicate-keys.ts';

/** Every character of `key` as a \u escape: the same key to JSON.parse, another spelling. */
const escaped = (key: string): string =>
  `"${key
    .split('')
    .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('')}"`;

type Step = { readonly key: string } | { readonly index: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ key: fc.string({ maxLength: 6 }) }),
  fc.record({ index: fc.nat({ max: 3 }) }),
);

describe('duplicateKeyPath', () => {
  it('finds nothing in JSON that names each key of an object once', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t'), (value, space) => {
        expect(duplicateKeyPath(JSON.stringify(value, null, space))).toBeNull();
      }),
    );
  });

  it('names the path of a key given twice, however deep and however spelled', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 6 }),
        fc.string({ maxLength: 6, unit: 'binary' }),
        fc.jsonValue(),
        fc.jsonValue(),
        fc.boolean(),
        (steps, key, filler, value, escape) => {
          const k = JSON.stringify(key);
          let text = `{${k}:${JSON.stringify(value)}, "${key === 'x' ? 'y' : 'x'}": 1 , ${escape ? escaped(key) : k} :0}`;
          for (const s of [...steps].reverse()) {
            if ('key' in s) {
              const other = JSON.stringify(`${s.key}-other`);
              text = `{${other}: ${JSON.stringify(filler)}, ${JSON.stringify(s.key)}: ${text}}`;
            } else {
              text = `[${Array.from({ length: s.index }, () => JSON.stringify(filler)).join(',')}${s.index > 0 ? ',' : ''}${text}]`;
            }
          }
          JSON.parse(text); // the text is JSON
          expect(duplicateKeyPath(text)).toEqual([...steps.map((s) => ('key' in s ? s.key : s.index)), key]);
        },
      ),
    );
  });

  it('answers a body nested deeper than the call stack', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}{"a":1,"a":2}${']'.repeat(depth)}`;
    expect(duplicateKeyPath(text)).toEqual([...Array.from({ length: depth }, () => 0), 'a']);
  });

  it('reads strings as strings: braces, commas and quotes inside them are not structure', () => {
    expect(duplicateKeyPath('{"a":"{\\"a\\":1,","b":"}],","c":["a","a"]}')).toBeNull();
    expect(duplicateKeyPath('{"a\\\\":1,"a\\\\":2}')).toEqual(['a\\']);
  });
});
