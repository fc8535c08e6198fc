import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors } from './request-input.ts';

describe('fieldErrors', () => {
  it('gives a field that fails several checks one error, its first check’s, and every other field its own', () => {
    const schema = z.strictObject({
      seed: z
        .number()
        .int('must be a whole number')
        .refine((n) => Number.isSafeInteger(n), 'must be a safe integer')
        .refine((n) => n < 100, 'must be below 100'),
      side: z.enum(['buy', 'sell'], { error: 'must be buy or sell' }),
    });
    const parsed = schema.safeParse({ seed: 1e300, side: 'up' });
    if (parsed.success) throw new Error('parsed');
    expect(parsed.error.issues.length).toBeGreaterThan(2);
    expect(fieldErrors('body', parsed.error)).toEqual([
      { path: 'body.seed', message: 'must be a whole number' },
      { path: 'body.side', message: 'must be buy or sell' },
    ]);
  });
});
