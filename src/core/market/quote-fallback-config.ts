// Quote fallback settings, validated, with every default in this one file.
//
// Defaults. The ring keeps the last 100 quotes per symbol and a fallback quote older than 60 s is
// no quote (the reliability plan's buffer size and staleness policy; the breaker's staleData uses
// the same 60 s). Degrading on staleness alone is off by default: a quiet market (a static book,
// a thinly traded stock) updates rarely without anything being wrong, so only a source that says
// its feed failed degrades a symbol unless `staleAfterMs` is set.
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';

const DAY_MS = 86_400_000;
const ms = (min: number) =>
  z
    .number('must be a number of milliseconds')
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(DAY_MS, 'must be at most one day (86400000 ms)');

export const quoteFallbackConfigSchema = z.strictObject({
  /** false: consumers read the source as it is, with no ring and no degraded state. */
  enabled: z.boolean('must be true or false').default(true),
  /** Recent good quotes kept per symbol: 100. */
  quotes: z
    .number('must be a number of quotes')
    .int('must be a whole number of quotes')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .default(100),
  /** A fallback quote older than this (from its arrival) is no quote: 60 s. */
  maxAgeMs: ms(1).default(60_000),
  /** Also degrade when the source has not updated for longer than this; null (the default):
   *  only when the source reports its feed failed. */
  staleAfterMs: ms(1).nullable().default(null),
});

export type QuoteFallbackConfig = Readonly<z.output<typeof quoteFallbackConfigSchema>>;

export class QuoteFallbackConfigError extends Error {
  override readonly name = 'QuoteFallbackConfigError';
}

/** Validates a quote fallback config (undefined = all defaults); throws one
 *  QuoteFallbackConfigError naming the first bad field. */
export function parseQuoteFallbackConfig(input: unknown): QuoteFallbackConfig {
  return parseConfig(quoteFallbackConfigSchema, input, {
    label: 'quote fallback config',
    fields: '(enabled, quotes, maxAgeMs, staleAfterMs)',
    error: QuoteFallbackConfigError,
  });
}

export const DEFAULT_QUOTE_FALLBACK: QuoteFallbackConfig = parseQuoteFallbackConfig({});
