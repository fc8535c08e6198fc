// The class of a failed Alpaca call from what the wire gave (HTTP status, Alpaca's body code, a
// Node error code, the message), for the reports the adapter emits: transient failures are retried
// with backoff, permanent ones stop retrying that call; anything unrecognised is transient.
// Design notes: docs/0066-live-adapter-notes.md.
import type { ErrorClass } from '../../core/fills/failure-class.ts';
import { DEFAULT_FILL_CONFIG, type FillConfig } from '../../core/fills/fill-config.ts';

export interface ErrorInfo {
  readonly httpStatus?: number | undefined;
  /** Alpaca's body code (40010001) or a Node error code (ECONNRESET). */
  readonly code?: string | number | undefined;
  readonly message?: string | undefined;
  /** Lookups in a row (this one included) that found no such order. Given alone (no status,
   *  code or message) it means this error is such a lookup. */
  readonly lookupsNotFound?: number | undefined;
}

export type AlpacaErrorCategory =
  'rate_limit' | 'server' | 'network' | 'timeout' | 'unknown_order' | 'validation' | 'refused' | 'unrecognised';
export interface AlpacaErrorClassification {
  readonly kind: ErrorClass;
  readonly category: AlpacaErrorCategory;
  readonly reason: string;
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TIMEOUTERROR',
  'ABORT_ERR',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const NOT_FOUND_TEXT = /unknown order|order does not exist|no such order|order not found/i;
const RATE_TEXT = /rate limit|too many (requests|orders)|request weight/i;
const TIMEOUT_TEXT = /time[ -]?out|timed out/i;
const NETWORK_TEXT =
  /network|socket hang up|connection (reset|refused|closed|aborted)|disconnected|econnreset|temporarily unavailable|service unavailable|bad gateway|try again/i;
const REFUSED_TEXT =
  /invalid|validation|malformed|insufficient|not allowed|forbidden|unauthori[sz]ed|not permitted|filter failure|rejected/i;

const result = (kind: ErrorClass, category: AlpacaErrorCategory, reason: string): AlpacaErrorClassification => ({
  kind,
  category,
  reason,
});

/** An HTTP status, from the field or from Alpaca's 8-digit body code; NaN when neither. */
function httpStatusOf(e: ErrorInfo, code: string): number {
  if (typeof e.httpStatus === 'number' && Number.isInteger(e.httpStatus) && e.httpStatus >= 100 && e.httpStatus <= 599)
    return e.httpStatus;
  if (/^[1-5]\d{7}$/.test(code)) return Number(code.slice(0, 3));
  return Number.NaN;
}

export function classifyError(
  error: ErrorInfo | null | undefined,
  config: Pick<FillConfig, 'unknownOrderAfterLookups'> = DEFAULT_FILL_CONFIG,
): AlpacaErrorClassification {
  const e: ErrorInfo = error !== null && typeof error === 'object' ? error : {};
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code).trim().toUpperCase() : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const http = httpStatusOf(e, code);
  const lookups =
    typeof e.lookupsNotFound === 'number' && Number.isFinite(e.lookupsNotFound)
      ? Math.max(0, Math.floor(e.lookupsNotFound))
      : 0;
  const n = config.unknownOrderAfterLookups;
  const limit = Number.isFinite(n) ? Math.max(1, Math.floor(n)) : DEFAULT_FILL_CONFIG.unknownOrderAfterLookups;
  const label = [Number.isNaN(http) ? '' : `HTTP ${http}`, code, message].filter(Boolean).join(' ') || 'no details';

  // 1. The order was not found: the venue may not show a fresh order yet, so only repeated misses are final.
  const saysNotFound = http === 404 || NOT_FOUND_TEXT.test(message);
  if (saysNotFound || (lookups > 0 && Number.isNaN(http) && code === '' && message === '')) {
    const seen = Math.max(1, lookups);
    return seen >= limit
      ? result('permanent', 'unknown_order', `order still unknown after ${seen} lookups (limit ${limit}): ${label}`)
      : result(
          'transient',
          'unknown_order',
          `order not found on lookup ${seen} of ${limit}; it may not be visible yet: ${label}`,
        );
  }
  // 2. Transient by status or code. 418: an IP ban after ignored 429s, lifted after a while.
  if (http === 429 || http === 418) return result('transient', 'rate_limit', `rate limited: ${label}`);
  if (http === 408 || http === 504 || TIMEOUT_CODES.has(code))
    return result('transient', 'timeout', `timed out: ${label}`);
  if (http >= 500) return result('transient', 'server', `venue-side failure: ${label}`);
  if (NETWORK_CODES.has(code)) return result('transient', 'network', `network failure: ${label}`);
  // 3. Permanent by status: any other 4xx (validation, buying power, auth).
  if (http >= 400 && http < 500)
    return result(
      'permanent',
      http === 400 || http === 422 ? 'validation' : 'refused',
      `refused by the venue: ${label}`,
    );
  // 4. Only a message (or nothing) to go on.
  if (RATE_TEXT.test(message)) return result('transient', 'rate_limit', `rate limited: ${label}`);
  if (TIMEOUT_TEXT.test(message)) return result('transient', 'timeout', `timed out: ${label}`);
  if (NETWORK_TEXT.test(message)) return result('transient', 'network', `network failure: ${label}`);
  if (REFUSED_TEXT.test(message)) return result('permanent', 'validation', `refused: ${label}`);
  return result('transient', 'unrecognised', `unrecognised error, treated as transient: ${label}`);
}
