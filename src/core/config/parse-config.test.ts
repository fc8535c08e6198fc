import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFillConfig } from '../fills/fill-config.ts';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const outcome = (input: unknown): unknown => {
  try {
    return { ok: parseFillConfig(input) };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

/** Fill config inputs, valid and not: fields in and out of range, wrong types, unknown fields. */
const anyInput = fc.oneof(
  fc.constantFrom(undefined, null, 5, 'x', []),
  fc.record(
    {
      timeoutMs: fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.constant('30s')),
      pollInitialMs: fc.integer({ min: 0, max: 10_000 }),
      pollMaxMs: fc.integer({ min: 0, max: 10_000 }),
      pollIncrease: fc.oneof(
        fc.record({ mode: fc.constant('step'), ms: fc.integer({ min: -5, max: 1000 }) }),
        fc.record({ mode: fc.constant('factor'), factor: fc.double({ min: 0, max: 3, noNaN: true }) }),
      ),
      partialFillPolicy: fc.constantFrom('accept', 'cancel_remainder', 'wait', 'other'),
      bogus: fc.constant(1),
    },
    { requiredKeys: [] },
  ),
);

describe('parseConfig, remembering what it parsed', () => {
  it('answers a deeply frozen input, asked again and again, exactly as a fresh parse of a mutable copy', () => {
    fc.assert(
      fc.property(fc.array(anyInput, { maxLength: 8 }), (inputs) => {
        const frozen = inputs.map((i) => deepFreeze(structuredClone(i)));
        for (let round = 0; round < 2; round++)
          frozen.forEach((input, k) => expect(outcome(input)).toEqual(outcome(structuredClone(inputs[k]))));
      }),
      { numRuns: 300 },
    );
  });

  it('parses a mutable input afresh every time: a change to it is seen', () => {
    const input: { timeoutMs: number } = { timeoutMs: 10_000 };
    expect(parseFillConfig(input).timeoutMs).toBe(10_000);
    input.timeoutMs = 20_000;
    expect(parseFillConfig(input).timeoutMs).toBe(20_000);
  });

  it('refuses a bad frozen input with its message every time (refusals are not remembered)', () => {
    const bad = deepFreeze({ timeoutMs: -1 });
    for (let i = 0; i < 2; i++) expect(() => parseFillConfig(bad)).toThrow(/timeoutMs/);
  });
});
