// Field types shared by the scenario schemas: exact decimals, ISO-8601 durations and instants,
// identifiers. Base checks abort on failure so cross-field checks never see a malformed value.
import { z } from 'zod';
import { parseDecimal } from '../core/model/decimal.ts';
import { parseDurationMs, parseUtcInstant } from '../core/model/time-fields.ts';

const parses = (parse: (s: string) => unknown) => (s: string) => {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
};

const decimal = z
  .string()
  .refine(parses(parseDecimal), { message: 'must be a decimal number written as a string, like "0.01"', abort: true });
export const positiveDecimal = decimal.refine((s) => parseDecimal(s).mantissa > 0n, {
  message: 'must be greater than zero',
  abort: true,
});
export const nonNegativeDecimal = decimal.refine((s) => parseDecimal(s).mantissa >= 0n, {
  message: 'must not be negative',
  abort: true,
});
/** The parser's own reason ("uses months or years, ...", "is finer than a millisecond") is the message. */
export const duration = z.string().superRefine((s, ctx) => {
  try {
    parseDurationMs(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message, continue: false });
  }
});
/** A duration of at most `maxMs`, refused beyond it with `what` ("a TWAP may run") and the bound
 *  as a duration (`maxText`). */
export const durationAtMost = (maxMs: number, maxText: string, what: string) =>
  duration.superRefine((s, ctx) => {
    if (parseDurationMs(s) > maxMs)
      ctx.addIssue({ code: 'custom', message: `"${s}" is longer than ${what}: at most ${maxText}`, continue: false });
  });
export const instant = z.string().refine(parses(parseUtcInstant), {
  message: 'must be an ISO-8601 UTC instant like 2024-08-09T00:00:00Z',
  abort: true,
});
export const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
export const probability = z.number().min(0).max(1);
