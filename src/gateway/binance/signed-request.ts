// A Binance request's parameters (query string and form body) and its proof of the key pair
// (X-MBX-APIKEY, timestamp, recvWindow, HMAC-SHA256 signature), checked as Binance checks them,
// with its error codes. The key and the secret are compared in constant time and never appear in
// an answer. Rules: docs/0068-gateway-notes.md.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sameKey } from '../socket-auth.ts';
import {
  AHEAD_OF_SERVER,
  BAD_API_KEY_FORMAT,
  BAD_SIGNATURE,
  badRequest,
  illegal,
  mandatory,
  OUTSIDE_RECV_WINDOW,
  REJECTED_API_KEY,
  type BinanceError,
} from './wire.ts';

export const DEFAULT_RECV_WINDOW_MS = 5000;
export const MAX_RECV_WINDOW_MS = 60000;

/** A request's parameters by name, and the text a signature covers. */
export interface RequestParams {
  readonly params: ReadonlyMap<string, string>;
  /** The query string and the body, each without its signature parameter, concatenated. */
  readonly payload: string;
  readonly signature: string | null;
}

function split(raw: string): { pairs: Array<[string, string]>; rest: string; signature: string[] } {
  const pairs: Array<[string, string]> = [];
  const kept: string[] = [];
  const signature: string[] = [];
  for (const part of raw === '' ? [] : raw.split('&')) {
    const [k, v] = [...new URLSearchParams(part)][0] ?? ['', ''];
    if (k === 'signature') signature.push(v);
    else {
      kept.push(part);
      if (part !== '') pairs.push([k, v]);
    }
  }
  return { pairs, rest: kept.join('&'), signature };
}

/** The parameters of a request from its raw query string and form body. */
export function readParams(rawQuery: string, rawBody: string): RequestParams | BinanceError {
  const q = split(rawQuery);
  const b = split(rawBody);
  const params = new Map<string, string>();
  for (const source of [q.pairs, b.pairs]) {
    const seen = new Set<string>();
    for (const [k, v] of source) {
      if (seen.has(k)) return badRequest(-1101, 'Duplicate values for a parameter detected.');
      seen.add(k);
      if (!params.has(k)) params.set(k, v);
    }
  }
  const signatures = [...q.signature, ...b.signature];
  if (signatures.length > 1) return badRequest(-1101, 'Duplicate values for a parameter detected.');
  return { params, payload: q.rest + b.rest, signature: signatures[0] ?? null };
}

/** The WebSocket API's signature payload: params but the signature, sorted by name. */
export function wsPayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
}

/** The gateway's key pair: checks keys, signatures and timestamps. */
export class RequestSigner {
  constructor(
    private readonly apiKey: string,
    private readonly secret: string,
  ) {
    if (apiKey === '' || secret === '') throw new Error('the gateway needs an API key and a secret');
  }

  /** The X-MBX-APIKEY a request presents, checked. */
  checkKey(presented: string | undefined): BinanceError | null {
    if (presented === undefined || presented === '' || presented.length > 256) return BAD_API_KEY_FORMAT;
    return sameKey(presented, this.apiKey) ? null : REJECTED_API_KEY;
  }

  /** Whether `signature` is the HMAC of `payload` with the secret. */
  signedBy(payload: string, signature: string): boolean {
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
    const expected = createHmac('sha256', this.secret).update(payload).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }

  /**
   * A SIGNED request's key, signature and timing, checked in that order: null when it may go on.
   * `get` reads a parameter; `now` is the gateway's clock (epoch ms).
   */
  check(
    key: string | undefined,
    get: (name: string) => string | undefined,
    payload: string,
    signature: string | null,
    now: number,
  ): BinanceError | null {
    const keyError = this.checkKey(key);
    if (keyError) return keyError;
    const timestamp = get('timestamp');
    if (timestamp === undefined || timestamp === '') return mandatory('timestamp');
    if (!/^[0-9]{1,20}$/.test(timestamp)) return illegal('timestamp', '^[0-9]{1,20}$');
    if (signature === null || signature === '') return mandatory('signature');
    const windowText = get('recvWindow');
    let recvWindow = DEFAULT_RECV_WINDOW_MS;
    if (windowText !== undefined) {
      if (!/^[0-9]{1,20}(\.[0-9]{1,3})?$/.test(windowText))
        return illegal('recvWindow', '^[0-9]{1,20}(\\.[0-9]{1,3})?$');
      recvWindow = Number(windowText);
      if (recvWindow > MAX_RECV_WINDOW_MS)
        return badRequest(
          -1102,
          `'recvWindow' contains unexpected value. Cannot be greater than ${MAX_RECV_WINDOW_MS}.`,
        );
    }
    if (!this.signedBy(payload, signature)) return BAD_SIGNATURE;
    return timingError(Number(timestamp), recvWindow, now);
  }
}

/** The -1021 a timestamp earns against the gateway's clock, or null. */
export function timingError(timestamp: number, recvWindow: number, now: number): BinanceError | null {
  const ms = timestamp >= 1e15 ? timestamp / 1000 : timestamp; // microseconds have 16 digits
  if (ms >= now + 1000) return AHEAD_OF_SERVER;
  if (now - ms > recvWindow) return OUTSIDE_RECV_WINDOW;
  return null;
}
