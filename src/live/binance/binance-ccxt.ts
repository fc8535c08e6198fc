// ccxt's Binance class (ccxt.pro.binance, which also does REST) configured for the adapter: spot
// only, one REST request to load the markets, no client-side limiter, our request deadline, and
// every request in flight aborted by stop(). It connects to Binance Demo Mode, the spot testnet or
// a Binance-compatible server at the run's venue URL; Binance's live exchange is refused.
// The URLs, what is off and why, per-call abort signals: docs/0066-live-adapter-notes.md.
import type ccxt from 'ccxt';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:http';
import { BINANCE_DEMO_URL, BINANCE_TESTNET_URL } from './binance-venue.ts';
import { CcxtProBinance } from './ccxt-binance.ts';

export type BinanceExchange = InstanceType<typeof ccxt.pro.binance>;
const LIVE_HOSTS = new Set(['api.binance.com', 'api-gcp.binance.com', 'api1.binance.com', 'api2.binance.com']);

/** Where the adapter's REST requests and both websockets go. */
export type BinanceEndpoints =
  | { readonly kind: 'demo' | 'testnet'; readonly url: string }
  | {
      readonly kind: 'local';
      readonly url: string;
      /** <base>/api/v3, <base>/api/v1 */
      readonly rest: string;
      readonly restV1: string;
      /** ws(s)://…/ws and ws(s)://…/ws-api/v3 */
      readonly marketStream: string;
      readonly wsApi: string;
    };

/** The endpoints of a venue URL, or an Error naming what is wrong with it. */
export function binanceEndpoints(url: string): BinanceEndpoints {
  const base = url.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new Error(`Binance venue URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`Binance venue URL "${url}" must be http or https`);
  if (LIVE_HOSTS.has(parsed.hostname) || /^api\d*\.binance\.com$/.test(parsed.hostname))
    throw new Error(
      `Binance venue URL "${url}" is Binance's live exchange: a paper run trades on Demo Mode (${BINANCE_DEMO_URL}) or the spot testnet (${BINANCE_TESTNET_URL})`,
    );
  if (parsed.hostname === new URL(BINANCE_DEMO_URL).hostname) return { kind: 'demo', url: base };
  if (parsed.hostname === new URL(BINANCE_TESTNET_URL).hostname) return { kind: 'testnet', url: base };
  const ws = base.replace(/^http/, 'ws');
  return {
    kind: 'local',
    url: base,
    rest: `${base}/api/v3`,
    restV1: `${base}/api/v1`,
    marketStream: `${ws}/ws`,
    wsApi: `${ws}/ws-api/v3`,
  };
}

export interface BinanceClientOptions {
  readonly apiKey: string;
  readonly secret: string;
  readonly endpoints: BinanceEndpoints;
  /** ccxt's per-request deadline (ms). */
  readonly requestTimeoutMs: number;
  /** Aborts every request in flight (the adapter's stop()). */
  readonly signal: AbortSignal;
}

const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `call` (ccxt calls on an exchange made here) with every request it sends also aborted by
 *  `signal`. */
export function withRequestSignal<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  return callSignal.run(signal, call);
}

/** Node's fetch, with the adapter's stop signal (and the call's own, if any) beside ccxt's own
 *  deadline. */
function abortableFetch(signal: AbortSignal): typeof fetch {
  return (input, init) => {
    const call = callSignal.getStore();
    const ours = call === undefined ? signal : AbortSignal.any([signal, call]);
    return fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, ours]) : ours,
    });
  };
}

export function makeBinanceExchange(o: BinanceClientOptions): BinanceExchange {
  const exchange = new CcxtProBinance({
    apiKey: o.apiKey,
    secret: o.secret,
    enableRateLimit: false,
    timeout: o.requestTimeoutMs,
    options: {
      defaultType: 'spot',
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      adjustForTimeDifference: false,
      // The POST answer carries the order's fills (a third channel beside the stream and lookups).
      newOrderRespType: { market: 'FULL', limit: 'FULL' },
    },
  });
  const e = o.endpoints;
  if (e.kind === 'testnet') exchange.setSandboxMode(true);
  else if (e.kind === 'demo') exchange.enableDemoTrading(true);
  if (e.kind === 'local') {
    // Key by key: replacing urls.api (or urls.api.ws) wholesale would drop the sections kept.
    const api = exchange.urls['api'] as Record<string, unknown> & { ws: Record<string, unknown> };
    api['public'] = e.rest;
    api['private'] = e.rest;
    api['v1'] = e.restV1;
    api.ws['spot'] = e.marketStream;
    (api.ws['ws-api'] as Record<string, unknown>)['spot'] = e.wsApi;
    // ccxt dials a plain ws:// URL only with an http agent set (what its loadHttpProxyAgent()
    // would set on the first run); without it every watch* call throws NotSupported.
    if (e.marketStream.startsWith('ws://')) exchange.httpAgent = new Agent();
  }
  exchange.fetchImplementation = abortableFetch(o.signal);
  return exchange;
}
