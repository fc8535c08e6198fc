// Alpaca's wire conventions at the gateway: error bodies ({code, message} with the HTTP status),
// the rate-limit headers of a 429, amounts (decimal strings in, possibly in exponent notation as
// the SDK's String(n) makes them, or JSON numbers from other clients; decimal strings out) and
// RFC 3339 times.
import type { RateLimitWait } from '../wire-faults.ts';

/** An Alpaca error answer: HTTP status and the body's code and message. */
export interface AlpacaError {
  readonly status: 400 | 401 | 403 | 404 | 413 | 422 | 429 | 500 | 503;
  readonly code: number;
  readonly message: string;
}

export const alpacaError = (status: AlpacaError['status'], code: number, message: string): AlpacaError => ({
  status,
  code,
  message,
});

/** 422 for a request field Alpaca does not recognise. */
export const invalid = (message: string): AlpacaError => alpacaError(422, 40010001, message);

export const NOT_AUTHORIZED = alpacaError(401, 40110000, 'request is not authorized');

/** The request-weight limit Alpaca states in X-RateLimit-Limit (requests per minute). */
export const RATE_LIMIT_PER_MINUTE = 200;

/** A 429's headers, as Alpaca's: Retry-After and X-RateLimit-Limit/Remaining/Reset. */
export function rateLimitHeaders(wait: RateLimitWait): Record<string, string> {
  return {
    'Retry-After': String(wait.waitS),
    'X-RateLimit-Limit': String(RATE_LIMIT_PER_MINUTE),
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(wait.resetAtS),
  };
}

const AMOUNT = /^\+?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;

/**
 * An amount as a plain decimal string ("1e-7" -> "0.0000001", 2 -> "2"), exactly (no float
 * arithmetic on strings); an error message naming `field` when it is not a positive number.
 */
export function parseAmount(value: unknown, field: string): string | AlpacaError {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return invalid(`${field} must be a number`);
    text = String(value);
  } else if (typeof value === 'string') text = value.trim();
  else return invalid(`${field} must be a decimal string or a number`);
  const m = AMOUNT.exec(text);
  const int = m?.[1] ?? '';
  const frac = m?.[2] ?? '';
  if (!m || (int === '' && frac === '')) return invalid(`invalid ${field} "${String(value).slice(0, 40)}"`);
  const exp = Number(m[3] ?? '0');
  if (Math.abs(exp) > 40) return invalid(`invalid ${field} "${String(value).slice(0, 40)}"`);
  let digits = (int + frac).replace(/^0+(?=\d)/, '');
  let scale = frac.length - exp;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale).replace(/^0+(?=\d)/, '');
  const fraction = padded.slice(padded.length - scale).replace(/0+$/, '');
  const out = fraction ? `${whole}.${fraction}` : whole;
  if (/^[0.]*$/.test(out)) return invalid(`${field} must be > 0`);
  return out;
}

/** Epoch ms as RFC 3339 UTC with milliseconds. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** A timestamp query parameter (RFC 3339, or a date) as epoch ms, or null when it is not one: a
 *  date that is not in the calendar (2024-02-30) is none, and a time without an offset is UTC
 *  (the answer does not depend on the server's time zone). */
export function parseTime(text: string): number | null {
  if (!RFC3339.test(text)) return null;
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  const zoned = text.length === 10 || /(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : null;
}
