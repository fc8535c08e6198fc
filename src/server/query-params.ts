// Schemas of single path and query parameters: every one arrives as text and is checked and
// converted here, with a message that says what it must be. Route modules build their
// parameter objects from these, so `limit` or `cursor` mean the same on every route.
import { z } from 'zod';
import { parseUtcInstant } from '../core/model/time-fields.ts';

/** A whole number from `min` to `max`, written in decimal digits. */
export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `must be a whole number from ${min} to ${max}`)
        .max(max, `must be a whole number from ${min} to ${max}`),
    );

export const booleanParam = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');

/** Free text of at most `max` characters, not empty. */
export const text = (max: number) =>
  z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** A UTC instant like 2024-08-09T00:00:00Z. */
export const instantParam = z.string().refine(
  (s) => {
    try {
      parseUtcInstant(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an ISO-8601 UTC instant like 2024-08-09T00:00:00Z' },
);

/** The ids of stored runs and sweeps (run-…). */
export const idParam = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be an id: 1-128 letters, digits, ".", "_", ":" or "-"');

export const cursorParam = text(512).describe('the nextCursor of the previous page');
export const limitParam = (max: number) => wholeNumber(1, max).describe(`items per page, 1 to ${max}`);

/** Comma-separated values, each checked by `item`, from `min` to `max` of them, no repeats. */
export const csvList = (item: z.ZodType<string, string>, min: number, max: number, what: string) =>
  z
    .string()
    .transform((s) => s.split(','))
    .pipe(
      z
        .array(item)
        .min(min, `must name at least ${min} ${what}, comma-separated`)
        .max(max, `must name at most ${max} ${what}`)
        .refine((xs) => new Set(xs).size === xs.length, `must not name the same ${what.replace(/s$/, '')} twice`),
    );

/** `{ id }` path parameters. */
export const idParams = z.object({ id: idParam });
