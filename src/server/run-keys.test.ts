// RunKeys against a model of what it promises: a key answers with the run it last started until
// it is forgotten (its run deleted) or pushed out by newer keys, another hash under it is a 409,
// and it never holds more than its bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProblemError } from './problem.ts';
import { RunKeys } from './run-keys.ts';

type Op =
  | { readonly kind: 'remember'; readonly key: string; readonly hash: string }
  | { readonly kind: 'forget'; readonly run: number }
  | { readonly kind: 'ask'; readonly key: string; readonly hash: string };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const hash = fc.constantFrom('h1', 'h2');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('remember' as const), key, hash }),
  fc.record({ kind: fc.constant('forget' as const), run: fc.nat(40) }),
  fc.record({ kind: fc.constant('ask' as const), key, hash }),
);

describe('RunKeys', () => {
  it('answers as a model of its promises does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60, size: 'max' }), (max, ops) => {
        const keys = new RunKeys<number>('POST /runs', max);
        // The model: keys oldest first, each with its hash and run.
        let model: { key: string; hash: string; run: number }[] = [];
        let runs = 0;
        for (const o of ops) {
          if (o.kind === 'remember') {
            const run = runs++;
            keys.remember(o.key, { hash: o.hash, runId: `run-${run}`, answer: run });
            model = [...model.filter((m) => m.key !== o.key), { key: o.key, hash: o.hash, run }].slice(-max);
          } else if (o.kind === 'forget') {
            keys.forgetRun(`run-${o.run}`);
            model = model.filter((m) => m.run !== o.run);
          } else {
            const known = model.find((m) => m.key === o.key);
            if (known !== undefined && known.hash !== o.hash) {
              let thrown: unknown;
              try {
                keys.prior(o.key, o.hash);
              } catch (err) {
                thrown = err;
              }
              expect(thrown).toBeInstanceOf(ProblemError);
              expect((thrown as ProblemError).type).toBe('conflict');
            } else {
              expect(keys.prior(o.key, o.hash)?.answer ?? null).toBe(known?.run ?? null);
            }
          }
          expect(keys.size).toBe(model.length);
          expect(keys.size).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});
