// Shared pieces of the Binance gateway tests: a gateway per test on a loopback port, the real ccxt
// client pointed at it as an unmodified bot would be (its options for a spot-only market load and
// one URL override per key), raw signed requests, and bounded waits on ccxt's watch* calls.
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import WebSocket from 'ws';
import {
  startBinanceGateway,
  type BinanceGateway,
  type BinanceGatewayOptions,
} from '../../src/gateway/binance/binance-gateway.ts';
import { onCleanup } from './gateway-harness.ts';

export const BTC_FIXTURE = 'test/contract/binance/btcusdt-static-book.yaml';
export const API_KEY = 'binance-test-key';
export const API_SECRET = 'binance-test-secret';

export async function binanceGateway(
  file = BTC_FIXTURE,
  options: Partial<Omit<BinanceGatewayOptions, 'scenarioFile' | 'apiKey' | 'secretKey'>> = {},
): Promise<BinanceGateway> {
  const gw = await startBinanceGateway({ scenarioFile: file, apiKey: API_KEY, secretKey: API_SECRET, ...options });
  onCleanup(() => gw.close());
  return gw;
}

/** ccxt's Binance with websockets (ccxt.pro.binance, in the ccxt package). */
export type Ccxt = InstanceType<typeof ccxt.pro.binance>;

/** ccxt as a bot configures it for a local venue: spot markets only, the four URLs overridden. */
export async function ccxtClient(gw: BinanceGateway, keys = { apiKey: API_KEY, secret: API_SECRET }): Promise<Ccxt> {
  const ex = new ccxt.pro.binance({
    ...keys,
    options: {
      defaultType: 'spot',
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      adjustForTimeDifference: false,
    },
  });
  const api = ex.urls['api'] as Record<string, unknown> & {
    ws: Record<string, unknown> & { 'ws-api': Record<string, string> };
  };
  api['public'] = `${gw.url}/api/v3`;
  api['private'] = `${gw.url}/api/v3`;
  api.ws['spot'] = gw.streamUrl;
  api.ws['ws-api']['spot'] = gw.wsApiUrl;
  await ex.loadHttpProxyAgent(); // ccxt needs it for ws:// URLs
  onCleanup(() => ex.close());
  return ex;
}

/**
 * Calls a ccxt watch* until `done` holds for what it gives, for at most `ms`: `first` is a call
 * made before the action it waits for (so its first update is not missed), each later call waits
 * for the next update. Never a loop over values at hand: each turn waits for a message.
 * ccxt hands a message to the watch waiting when it comes and to no later one, so an update that
 * comes between two turns of no loop (the loop not yet started, or awaiting something else) is
 * never given: an order's entry in ccxt's cache is updated in place, so its last state still shows
 * in a list given earlier, but a trade's is not. Start the loop before the action when it waits
 * for more than one trade.
 */
export async function watchUntil<T>(
  watch: () => Promise<T>,
  done: (value: T) => boolean,
  first?: Promise<T>,
  // A bound for a loaded machine; it returns as soon as the condition holds.
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let next = first ?? watch();
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const value = await Promise.race([
      next,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`watch: condition not met within ${ms} ms`)),
          Math.max(0, deadline - Date.now()),
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (done(value)) return value;
    next = watch();
  }
}

/** The HMAC-SHA256 signature of a payload with the test secret (hex). */
export function sign(payload: string, secret = API_SECRET): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/**
 * A raw request: `params` in the query string (GET, DELETE) or a form body (POST), signed when
 * `signed` (timestamp added, the signature last), the key in X-MBX-APIKEY.
 */
export async function raw(
  gw: BinanceGateway,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string> = {},
  signed = false,
  key = API_KEY,
): Promise<RawAnswer> {
  let query = new URLSearchParams(params).toString();
  if (signed) {
    if (!('timestamp' in params)) query = [query, `timestamp=${Date.now()}`].filter((s) => s !== '').join('&');
    query += `&signature=${sign(query)}`;
  }
  const inBody = method === 'POST';
  const url = `${gw.url}/api/v3/${path}${!inBody && query !== '' ? `?${query}` : ''}`;
  const res = await fetch(url, {
    method,
    headers: {
      'X-MBX-APIKEY': key,
      ...(inBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(inBody ? { body: query } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: left as text for the assertion to show
  }
  return { status: res.status, headers: res.headers, body };
}

/** A GTC limit buy of BTCUSDT on the raw wire, signed: `qty` at `price`, with its client id. */
export function rawLimitBuy(gw: BinanceGateway, price: string, clientId: string, qty = '0.01'): Promise<RawAnswer> {
  const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: qty, price };
  return raw(gw, 'POST', 'order', { ...order, newClientOrderId: clientId }, true);
}

/** A raw websocket to the gateway: every frame it got (parsed, with its arrival time), closed
 *  after the test. */
export async function rawSocket(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ ws: WebSocket; frames: Array<{ at: number; msg: Record<string, unknown> }>; send: (m: unknown) => void }> {
  const ws = new WebSocket(url, options);
  const frames: Array<{ at: number; msg: Record<string, unknown> }> = [];
  ws.on('message', (data) => frames.push({ at: Date.now(), msg: JSON.parse(String(data)) as Record<string, unknown> }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  onCleanup(() => ws.terminate());
  return { ws, frames, send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}

/** userDataStream.subscribe.signature's params, signed as Binance's WebSocket API signs them. */
export function subscribeParams(timestamp = Date.now(), key = API_KEY, secret = API_SECRET): Record<string, unknown> {
  const params: Record<string, unknown> = { apiKey: key, timestamp };
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
  return { ...params, signature: sign(payload, secret) };
}
