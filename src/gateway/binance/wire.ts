// Binance's wire conventions at the gateway: error answers ({code, msg} with Binance's HTTP
// status), the errors the gateway itself states (the venue rules table holds the refusals the
// simulated venue states), and amounts as Binance writes them: decimal strings with at least 8
// places ("65000.00000000"), finer when the instrument's step is finer.
import { formatScaled, parseStep } from '../../core/model/decimal.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import { lotsToQty, ticksToPrice, unitsToQuote } from '../../core/model/instrument.ts';

/** A Binance error answer: HTTP status and the body's code and message. */
export interface BinanceError {
  readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 418 | 429 | 500 | 503;
  readonly code: number;
  readonly msg: string;
  /** Seconds the client must wait (a 429 or 418 carries it as Retry-After). */
  readonly retryAfterS?: number;
  /** What the body carries beside code and msg (cancelReplace's two results). */
  readonly data?: unknown;
}

export const binanceError = (status: BinanceError['status'], code: number, msg: string): BinanceError => ({
  status,
  code,
  msg,
});

/** Whether a value is a BinanceError (answers are unions of an error and a result). */
export function isBinanceError(x: unknown): x is BinanceError {
  return typeof x === 'object' && x !== null && 'code' in x && 'msg' in x && 'status' in x;
}

/** A text from the request, shortened for a message. */
export const shown = (text: string): string => text.slice(0, 40);

export const badRequest = (code: number, msg: string): BinanceError => binanceError(400, code, msg);

export const mandatory = (name: string): BinanceError =>
  badRequest(-1102, `Mandatory parameter '${shown(name)}' was not sent, was empty/null, or malformed.`);

export const illegal = (name: string, legal: string): BinanceError =>
  badRequest(-1100, `Illegal characters found in parameter '${shown(name)}'; legal range is '${legal}'.`);

export const INVALID_SYMBOL = badRequest(-1121, 'Invalid symbol.');
export const NO_SUCH_ORDER = badRequest(-2013, 'Order does not exist.');
export const UNKNOWN_ORDER = badRequest(-2011, 'Unknown order sent.');
export const DUPLICATE_ORDER = badRequest(-2010, 'Duplicate order sent.');
export const BAD_SIGNATURE = badRequest(-1022, 'Signature for this request is not valid.');
export const BAD_API_KEY_FORMAT = binanceError(401, -2014, 'API-key format invalid.');
export const REJECTED_API_KEY = binanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
export const OUTSIDE_RECV_WINDOW = badRequest(-1021, 'Timestamp for this request is outside of the recvWindow.');
export const AHEAD_OF_SERVER = badRequest(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
/** The venue's backend did not answer in time: the request may or may not have been acted on. */
export const SEND_STATUS_UNKNOWN = binanceError(
  503,
  -1007,
  'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
);
export const NOT_FOUND = binanceError(404, -1020, 'This operation is not supported.');

/** `filter` refused the order (-1013 "Filter failure: LOT_SIZE"). */
export const filterFailure = (filter: string): BinanceError => badRequest(-1013, `Filter failure: ${filter}`);

/** A decimal text padded to at least 8 places ("65000" -> "65000.00000000"). */
export function places8(text: string): string {
  const dot = text.indexOf('.');
  const decimals = dot < 0 ? 0 : text.length - dot - 1;
  if (decimals >= 8) return text;
  return (dot < 0 ? `${text}.` : text) + '0'.repeat(8 - decimals);
}

/** Ticks as Binance's price string. */
export const price8 = (inst: Instrument, ticks: number): string => places8(ticksToPrice(inst, ticks));
/** Lots as Binance's quantity string; a bigint count (a volume summed over many trades, which can
 *  pass 2^53 lots) is written exactly, whatever its size. */
export const qty8 = (inst: Instrument, lots: number | bigint): string =>
  places8(typeof lots === 'bigint' ? bigSteps(lots, inst.lotSize) : lotsToQty(inst, lots));

/** Notional units (tick x lot) as Binance's quote amount string; a bigint count (a day's quote
 *  volume is lots x ticks summed, soon past 2^53) is written exactly. */
export function quote8(inst: Instrument, units: number | bigint): string {
  if (typeof units !== 'bigint') return places8(unitsToQuote(inst, Math.round(units)));
  const tick = parseStep(inst.tickSize);
  const lot = parseStep(inst.lotSize);
  return places8(formatScaled(units * tick.mantissa * lot.mantissa, tick.scale + lot.scale));
}

/** `steps` whole steps of `step` as an exact decimal string, with no bound on `steps`. */
function bigSteps(steps: bigint, step: string): string {
  const s = parseStep(step);
  return formatScaled(steps * s.mantissa, s.scale);
}

export const ZERO8 = '0.00000000';
