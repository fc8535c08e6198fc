// Field types shared by the scenario schemas: exact decimals, ISO-8601 durations and instants,
// identifiers. Base checks abort on failure so cross-field checks never see a malformed value.
import { z } from 'zod';
import { parseDecimal } from '../core/model/decimal.ts';
import { parseDurationMs, parseUtcInstant } from './time-fields.ts';

const parses = (parse: (s: string) => unknown) => (s: string) => {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
};

export const decimal = z.string().refine(parses(parseDecimal), { message: 'must be a decimal number written as a string, like "0.01"', abort: true });
export const positiveDecimal = decimal.refine((s) => parseDecimal(s).mantissa > 0n, 'must be greater than zero');
export const nonNegativeDecimal = decimal.refine((s) => parseDecimal(s).mantissa >= 0n, 'must not be negative');
export const duration = z.string().refine(parses(parseDurationMs), { message: 'must be an ISO-8601 duration like PT30S or PT1H', abort: true });
export const instant = z.string().refine(parses(parseUtcInstant), { message: 'must be an ISO-8601 UTC instant like 2024-08-09T00:00:00Z', abort: true });
export const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
export const probability = z.number().min(0).max(1);
export const positive = z.number().positive();
