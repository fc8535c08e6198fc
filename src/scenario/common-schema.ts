// Field types shared by the scenario schemas: exact decimals, ISO-8601 durations and instants,
// identifiers. Base checks abort on failure so cross-field checks never see a malformed value.
import { z } from 'zod';
import { formatScaled, parseDecimal } from '../core/model/decimal.ts';
import { parseDurationMs, parseUtcInstant } from '../core/model/time-fields.ts';

const parses = (parse: (s: string) => unknown) => (s: string) => {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
};

/** What a number given where a decimal string belongs is told (a scenario file's `qty: 2`, an
 *  HTTP body's `"qty": 2`): how to write it, with the value echoed, and why a number is not taken.
 *  Undefined for anything else (zod's own message, worded by the scenario loader). */
export function decimalAsNumber(input: unknown): string | undefined {
  if (typeof input !== 'number') return undefined;
  const meant = plainText(input);
  const write =
    meant === null
      ? `write the decimal meant in quotes; as a number it reads as ${input}`
      : `write "${meant}" (quoted), not ${meant}`;
  return `must be a decimal string: ${write} (a number keeps about 15 digits, a string all of them)`;
}

/** A number's shortest text as a plain decimal ("1e-7" -> "0.0000001"), or null when it has more
 *  than 15 significant digits (what was written may have had more, lost when it was read) or is
 *  not finite: then what was meant can no longer be read from it. */
function plainText(n: number): string | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (m === null) return null;
  const frac = m[3] ?? '';
  const digits = (m[2] as string) + frac;
  if (digits.replace(/^0+/, '').replace(/0+$/, '').length > 15) return null;
  const scale = frac.length - Number(m[4] ?? 0);
  return `${m[1]}${formatScaled(BigInt(scale < 0 ? digits + '0'.repeat(-scale) : digits), Math.max(scale, 0))}`;
}

const decimal = z
  .string({ error: (issue) => decimalAsNumber(issue.input) })
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
/** A duration longer than zero (an interval something repeats at). */
export const positiveDuration = duration.refine((d) => parseDurationMs(d) > 0, {
  message: 'must be longer than zero',
  abort: true,
});
/** A duration of at most `maxMs`, refused beyond it with `what` ("a TWAP may run") and the bound
 *  as a duration (`maxText`). */
export const durationAtMost = (maxMs: number, maxText: string, what: string) =>
  duration.superRefine((s, ctx) => {
    if (parseDurationMs(s) > maxMs)
      ctx.addIssue({ code: 'custom', message: `"${s}" is longer than ${what}: at most ${maxText}`, continue: false });
  });
export const instantField = z.string().refine(parses(parseUtcInstant), {
  message: 'must be an ISO-8601 UTC instant like 2024-08-09T00:00:00Z',
  abort: true,
});
export const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
export const probability = z.number().min(0).max(1);

/** What a string given for a number of milliseconds is told: that the field takes a number, and
 *  the number to write when the string reads as one ("25", "25ms", "PT0.025S"); undefined for
 *  anything else (the loader's own wording). `forms` is what the field takes. */
export function msAsString(input: unknown, forms: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  const ms = msOf(input.trim());
  const write = ms === null ? '' : `: write ${ms}, unquoted and without a unit`;
  return `must be ${forms}, not the string ${JSON.stringify(input)}${write}`;
}

function msOf(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(?:ms)?$/i.exec(text);
  if (m !== null) return Number(m[1]);
  try {
    return parseDurationMs(text);
  } catch {
    return null;
  }
}

/** A number of milliseconds from 0 to `max`; a string is told the number to write instead. */
export const msNumber = (max: number) =>
  z
    .number({ error: (issue) => msAsString(issue.input, `a number of milliseconds (from 0 to ${max})`) })
    .min(0)
    .max(max);
