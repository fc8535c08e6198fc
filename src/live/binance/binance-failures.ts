// What a failed ccxt call means, in our words: ONE table from ccxt's exception classes to the
// port's failure classes (not_found, reject, transient, unknown_outcome), read most specific first.
// Every command and read of the adapter classifies its failures here and nowhere else; no ccxt type
// leaves this file. The classes and their Binance codes: docs/0066-live-adapter-notes.md.
import type { FailureCategory, FailureClass } from '../../core/model/reports.ts';
import type { RefusalReason, VenueErrorEntry, VenueRules } from '../../core/venues/venue-rules.ts';
import { ccxtErrors } from './ccxt-binance.ts';

const {
  AuthenticationError,
  BadRequest,
  BadResponse,
  BaseError,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  OperationFailed,
  OperationRejected,
  OrderNotFound,
  RateLimitExceeded,
  RequestTimeout,
} = ccxtErrors;

export type Meaning = Extract<FailureClass, 'reject' | 'transient' | 'unknown_outcome' | 'not_found'>;

interface Row {
  readonly error: abstract new (...args: never[]) => Error;
  readonly name: string;
  readonly meaning: Meaning;
  readonly category: FailureCategory;
}

const row = (error: Row['error'], meaning: Meaning, category: FailureCategory): Row => ({
  error,
  name: error.name,
  meaning,
  category,
});

/** ccxt's exception classes, most specific first: the first row the error is an instance of wins. */
export const CCXT_FAILURES: readonly Row[] = [
  row(OrderNotFound, 'not_found', 'refused'), // -2011, -2013
  row(InsufficientFunds, 'reject', 'refused'), // -2010 "Account has insufficient balance ..."
  row(InvalidOrder, 'reject', 'validation'), // -2010, filter failures, post-only would take
  row(AuthenticationError, 'reject', 'refused'), // -1002, -1022, -2014, -2015, 401
  row(BadRequest, 'reject', 'validation'), // -11xx, -1013, -1016
  row(DDoSProtection, 'transient', 'rate_limit'), // HTTP 429, 418
  row(RateLimitExceeded, 'transient', 'rate_limit'), // -1003, -1015
  row(InvalidNonce, 'transient', 'refused'), // -1021: the timestamp outside recvWindow, not processed
  row(RequestTimeout, 'unknown_outcome', 'timeout'), // -1007, HTTP 408/504, our request deadline
  row(ExchangeNotAvailable, 'unknown_outcome', 'server'), // 5xx without a code
  row(NetworkError, 'unknown_outcome', 'network'), // reset, closed socket (refused: see notSent)
  row(BadResponse, 'unknown_outcome', 'server'), // -1006: execution status unknown
  row(OperationFailed, 'unknown_outcome', 'server'), // -1000, -1001, -1008
  row(OperationRejected, 'reject', 'refused'), // "Market is closed.", account restrictions
  row(ExchangeError, 'reject', 'refused'), // any other code Binance stated
];

/** A failed call as read: its class, what the venue or transport said, and whether it was sent. */
export interface BinanceFailure {
  readonly meaning: Meaning;
  readonly category: FailureCategory;
  /** Binance's code ("-2010"), when the answer stated one; else empty. */
  readonly code: string;
  /** The ccxt class it was read as ("InvalidOrder"), or "Error" for anything else. */
  readonly error: string;
  /** Binance's msg, or the error's text: for people (scrub before reporting). */
  readonly message: string;
  /** The connection was refused: the request never left us. */
  readonly notSent: boolean;
}

/** Binance's {code, msg} inside a ccxt message ("binance {"code":-2010,"msg":"..."}"), if any. */
export function binanceBody(message: string): { code: string; msg: string } | null {
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const body = JSON.parse(message.slice(start, end + 1)) as Record<string, unknown>;
    const code = body['code'];
    if (typeof code !== 'number' && typeof code !== 'string') return null;
    return { code: String(code), msg: typeof body['msg'] === 'string' ? body['msg'] : '' };
  } catch {
    return null;
  }
}

/** Reads whatever a ccxt call threw. Anything that is not ccxt's (a bug, an unreadable answer
 *  after sending) is of unknown outcome: nothing is concluded from it. */
export function binanceFailure(err: unknown): BinanceFailure {
  // ccxt puts its exchange's id before the venue's text ("binance {...}", "binance Account has ...").
  const message = (err instanceof Error ? err.message : String(err)).replace(/^binance /, '');
  const found = err instanceof BaseError ? CCXT_FAILURES.find((r) => err instanceof r.error) : undefined;
  const body = binanceBody(message);
  if (found === undefined)
    return {
      meaning: 'unknown_outcome',
      category: 'unrecognised',
      code: '',
      error: err instanceof Error ? err.name : 'Error',
      message,
      notSent: false,
    };
  return {
    meaning: found.meaning,
    category: found.category,
    code: body?.code ?? '',
    error: found.name,
    message: body?.msg || message,
    notSent: found.meaning === 'unknown_outcome' && /ECONNREFUSED|ConnectionRefused/.test(message),
  };
}

const PLACEHOLDER = /\\\{[A-Za-z][A-Za-z0-9_]*\\\}/g;

/** Our reason for a refusal Binance stated, from the venue's rules table (code and message), or
 *  null: the table does not know it. Only to tell what a refusal is for people and for the
 *  duplicate flag; the class comes from CCXT_FAILURES. */
export function refusalReason(rules: VenueRules, f: BinanceFailure): RefusalReason | null {
  const entries = Object.entries(rules.errors) as Array<[RefusalReason, VenueErrorEntry]>;
  const matches = (e: VenueErrorEntry): boolean => {
    const pattern = e.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(PLACEHOLDER, '.*');
    return (f.code === '' || e.code === f.code) && new RegExp(`^${pattern}$`, 'i').test(f.message.trim());
  };
  return entries.find(([, e]) => matches(e))?.[0] ?? null;
}

/** The code a report carries: Binance's, else the ccxt class's name. */
export const failureCode = (f: BinanceFailure): string => (f.code === '' ? f.error : f.code);

/**
 * The code a refusal's report carries: Binance's; where ccxt matched the refusal by its message
 * and kept only the message ("binance Order would immediately match and take."), the code the
 * venue's rules table gives that message (so a post-only order that would take is -2010 however
 * ccxt read it); else the ccxt class's name.
 */
export function refusalCode(rules: VenueRules, f: BinanceFailure): string {
  if (f.code !== '') return f.code;
  const reason = refusalReason(rules, f);
  return (reason === null ? undefined : rules.errors[reason]?.code) ?? f.error;
}

/** Text for people: the code (or class) and the message. */
export const failureText = (f: BinanceFailure): string => `${failureCode(f)} ${f.message}`;

/** The category of an unknown outcome, as OutcomeUnknownReport takes it. */
export function unknownCategory(f: BinanceFailure): 'server' | 'timeout' | 'network' {
  return f.category === 'timeout' || f.category === 'network' ? f.category : 'server';
}

/** A failed read: transient (ask again) or reject (asking again will not help). */
export function readFailure(f: BinanceFailure): { failure: 'transient' | 'reject'; category: FailureCategory } {
  return { failure: f.meaning === 'reject' ? 'reject' : 'transient', category: f.category };
}
