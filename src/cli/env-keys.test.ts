// Reading a venue's keys: every missing or empty variable named at once, and the values only
// when all are there, never a value of any variable otherwise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envKeys } from './env-keys.ts';

const NAMES = ['FAKE_KEY', 'FAKE_SECRET', 'FAKE_PASSPHRASE'];

describe('envKeys', () => {
  it('names every missing or empty variable at once, in the order asked', () => {
    expect(envKeys(NAMES, { FAKE_SECRET: 's' })).toEqual({ missing: ['FAKE_KEY', 'FAKE_PASSPHRASE'] });
    expect(envKeys(NAMES, { FAKE_KEY: '', FAKE_SECRET: 's', FAKE_PASSPHRASE: 'p' })).toEqual({ missing: ['FAKE_KEY'] });
    expect(envKeys(NAMES, { FAKE_KEY: 'k', FAKE_SECRET: 's', FAKE_PASSPHRASE: 'p', OTHER: 'o' })).toEqual({
      keys: { FAKE_KEY: 'k', FAKE_SECRET: 's', FAKE_PASSPHRASE: 'p' },
    });
  });

  it('answers with the values only when all are there, and never with a value otherwise', () => {
    const value = fc.option(
      fc.string({ minLength: 1, maxLength: 20, size: 'max' }).map((v) => `v:${v}`),
      { nil: undefined },
    );
    fc.assert(
      fc.property(value, value, value, value, (k, s, p, other) => {
        const found = envKeys(NAMES, { FAKE_KEY: k, FAKE_SECRET: s, FAKE_PASSPHRASE: p, OTHER: other });
        if (k !== undefined && s !== undefined && p !== undefined)
          expect(found).toEqual({ keys: { FAKE_KEY: k, FAKE_SECRET: s, FAKE_PASSPHRASE: p } });
        else for (const v of [k, s, p, other]) if (v !== undefined) expect(JSON.stringify(found)).not.toContain(v);
      }),
    );
  });
});
