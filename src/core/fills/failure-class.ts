// What fill detection does with a failed status query, from the class the venue's adapter put on
// the report (reports.ts FailureClass) and from how many lookups in a row found nothing: core
// never reads the venue's code or text. Transient failures are retried with backoff and never
// end monitoring early; a read the venue refused for good (failure 'reject') stops polling; an
// order not found is transient (a fresh order may not be visible yet) until
// `unknownOrderAfterLookups` lookups in a row found nothing.
import type { FailureCategory, QueryFailedReport } from '../model/reports.ts';
import { DEFAULT_FILL_CONFIG, type FillConfig } from './fill-config.ts';

export type ErrorClass = 'transient' | 'permanent';
export type ErrorCategory = FailureCategory | 'unknown_order';
export interface Classification {
  readonly kind: ErrorClass;
  readonly category: ErrorCategory;
  /** For people: what happened, with the venue's text. */
  readonly reason: string;
}

const SAYS: Readonly<Record<FailureCategory, string>> = {
  rate_limit: 'rate limited',
  timeout: 'timed out',
  server: 'venue-side failure',
  network: 'network failure',
  validation: 'refused by the venue',
  refused: 'refused by the venue',
  unrecognised: 'unrecognised error',
};

/** A failed read, as its adapter classed it. */
export function classifyQueryFailure(r: Pick<QueryFailedReport, 'failure' | 'category' | 'reason'>): Classification {
  return {
    kind: r.failure === 'transient' ? 'transient' : 'permanent',
    category: r.category,
    reason: `${SAYS[r.category] ?? r.category}: ${r.reason || 'no details'}`,
  };
}

/** The `lookups`-th lookup in a row that found no such order. */
export function classifyNotFound(
  lookups: number,
  config: Pick<FillConfig, 'unknownOrderAfterLookups'> = DEFAULT_FILL_CONFIG,
): Classification {
  const n = config.unknownOrderAfterLookups;
  const limit = Number.isFinite(n) ? Math.max(1, Math.floor(n)) : DEFAULT_FILL_CONFIG.unknownOrderAfterLookups;
  const seen = Number.isFinite(lookups) ? Math.max(1, Math.floor(lookups)) : 1;
  return seen >= limit
    ? {
        kind: 'permanent',
        category: 'unknown_order',
        reason: `order still unknown after ${seen} lookups (limit ${limit}): order not found`,
      }
    : {
        kind: 'transient',
        category: 'unknown_order',
        reason: `order not found on lookup ${seen} of ${limit}; it may not be visible yet: order not found`,
      };
}
