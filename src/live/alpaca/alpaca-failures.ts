// What a failed SDK call means, in our words. The SDK throws ApiError (an HTTP answer: status and
// Alpaca's {code, message}) or FetchError (no answer: a timeout, a reset, a refused connection);
// this reads either into a plain WireFailure, maps Alpaca's refusals back to our reasons through
// the venue's rules table (REFUSAL_CLASSES gives the class), and classifies the rest with
// alpaca-error-classifier.ts. No SDK type leaves this file.
import type { FailureCategory } from '../../core/model/reports.ts';
import {
  REFUSAL_CLASSES,
  type RefusalReason,
  type VenueErrorEntry,
  type VenueRules,
} from '../../core/venues/venue-rules.ts';
import { classifyError } from './alpaca-error-classifier.ts';

// Shared with the other adapters (../redact-secrets.ts).
export { redactor } from '../redact-secrets.ts';

/** A failed call as the wire gave it. */
export interface WireFailure {
  /** The HTTP status when the venue answered; absent when nothing came back. */
  readonly httpStatus?: number;
  /** Alpaca's body code ("40310000"), or a transport code (ECONNRESET, TIMEOUTERROR). */
  readonly code?: string;
  readonly message: string;
  /** No HTTP answer came back: the request may or may not have reached the venue. */
  readonly noAnswer: boolean;
  /** The connection was refused: the request never left us (nothing was processed). */
  readonly notSent: boolean;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

/** The innermost `code` (Node's ECONNRESET, undici's UND_ERR_SOCKET) or error name along a cause chain. */
function transportCode(err: unknown): string | undefined {
  let e: Record<string, unknown> | null = record(err);
  for (let depth = 0; e !== null && depth < 6; depth++) {
    if (typeof e['code'] === 'string' && e['code'] !== '') return e['code'];
    const name = e['name'];
    if (name === 'TimeoutError' || name === 'AbortError') return name.toUpperCase();
    e = record(e['cause']);
  }
  return undefined;
}

function messageChain(err: unknown): string {
  const parts: string[] = [];
  let e: Record<string, unknown> | null = record(err);
  for (let depth = 0; e !== null && depth < 6; depth++) {
    if (typeof e['message'] === 'string' && e['message'] !== '' && !parts.includes(e['message']))
      parts.push(e['message']);
    e = record(e['cause']);
  }
  return parts.join(': ') || String(err);
}

/** Reads whatever an SDK call threw. */
export function wireFailure(err: unknown): WireFailure {
  const e = record(err);
  const status = e?.['status'];
  if (e !== null && typeof status === 'number' && Number.isInteger(status) && status >= 100) {
    const code = e['code'];
    return {
      httpStatus: status,
      ...(typeof code === 'number' || typeof code === 'string' ? { code: String(code) } : {}),
      message: typeof e['message'] === 'string' ? e['message'] : '',
      noAnswer: false,
      notSent: false,
    };
  }
  const code = transportCode(err);
  return {
    ...(code === undefined ? {} : { code }),
    message: messageChain(err),
    noAnswer: true,
    notSent: code === 'ECONNREFUSED',
  };
}

const PLACEHOLDER = /\\\{[A-Za-z][A-Za-z0-9_]*\\\}/g;

function templateMatches(entry: VenueErrorEntry, message: string): boolean {
  const pattern = entry.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(PLACEHOLDER, '.*');
  return new RegExp(`^${pattern}$`, 'i').test(message.trim());
}

/**
 * Our reason for an answer Alpaca gave, from the rules table: the entry with the answer's code
 * whose message template matches, else the first entry with that code (Alpaca uses one code for
 * several reasons of the same class), else a 429 is 'rate-limited'. Null: not a refusal the table
 * knows (auth, 5xx, an unknown code): the caller classifies it by status.
 */
export function refusalReason(rules: VenueRules, f: WireFailure): RefusalReason | null {
  if (f.httpStatus === undefined) return null;
  const entries = Object.entries(rules.errors) as Array<[RefusalReason, VenueErrorEntry]>;
  const byCode = f.code === undefined ? [] : entries.filter(([, e]) => e.code === f.code);
  const exact = byCode.find(([, e]) => templateMatches(e, f.message));
  if (exact) return exact[0];
  if (byCode[0]) return byCode[0][0];
  if (f.httpStatus === 429) return 'rate-limited';
  return null;
}

/** The class of a refusal the table knows. */
export const refusalClass = (reason: RefusalReason) => REFUSAL_CLASSES[reason];

/** Code for a report: Alpaca's body code, else the HTTP status, else the transport code. */
export function failureCode(f: WireFailure): string {
  return f.code ?? (f.httpStatus === undefined ? 'no_answer' : String(f.httpStatus));
}

/** Text for people: status, code and message. */
export function failureText(f: WireFailure): string {
  return [f.httpStatus === undefined ? 'no answer' : `HTTP ${f.httpStatus}`, f.code, f.message]
    .filter((s) => s !== undefined && s !== '')
    .join(' ');
}

/** What the transport saw of a request whose outcome is unknown: an answer that was an error
 *  (5xx, 408), no answer in time, or a dropped connection. */
export function unknownCategory(f: WireFailure): 'server' | 'timeout' | 'network' {
  if (f.httpStatus !== undefined) return 'server';
  return /TIMEOUT|ABORT/i.test(f.code ?? '') || /timed? ?out/i.test(f.message) ? 'timeout' : 'network';
}

/** A failed read: its class and category (QueryFailedReport), from alpaca-error-classifier.ts. */
export function readFailure(f: WireFailure): {
  failure: 'transient' | 'reject';
  category: FailureCategory;
  reason: string;
} {
  const c = classifyError({ httpStatus: f.httpStatus, code: f.code, message: f.message });
  const category: FailureCategory = c.category === 'unknown_order' ? 'refused' : c.category;
  return { failure: c.kind === 'permanent' ? 'reject' : 'transient', category, reason: c.reason };
}
