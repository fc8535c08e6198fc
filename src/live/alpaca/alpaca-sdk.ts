// The official Alpaca SDK (v4) configured for the adapter. v4 has no base-URL option (its hosts
// are HTTPS constants), so for any base URL other than Alpaca paper a `pre` middleware rewrites
// both the trading and the market-data host to it, and the streams take explicit URLs.
//
// Retry and the client-side rate limiter are both OFF, deliberately:
// - the SDK never retries POST/DELETE itself, and a blind retry of a submit is exactly what we
//   must not do: a submit that times out becomes OutcomeUnknownReport and core looks the order
//   up by client id before anything else;
// - a GET retried inside the SDK would hide the failure from core and stretch a read past our
//   request timeout; a failed read is a QueryFailedReport ('transient') and core backs off and
//   asks again on its own schedule;
// - a client-side limiter would queue requests silently (a submit waiting for a token counts
//   against its timeout with nothing sent); Alpaca's 429 is mapped to its class instead.
// The request timeout is the SDK's own per-attempt deadline (`timeoutMs`, an AbortSignal on the
// fetch): it covers the whole request, body included, and surfaces as a FetchError.
import { Alpaca } from '@alpacahq/alpaca-trade-api';
import { ALPACA_PAPER_URL } from './alpaca-venue.ts';

const ALPACA_DATA_STREAM = 'wss://stream.data.alpaca.markets/v2/iex';

export interface AlpacaEndpoints {
  /** Trading REST base, no trailing slash. */
  readonly baseUrl: string;
  /** trade_updates websocket. */
  readonly tradeStreamUrl: string;
  /** Stock market-data websocket (IEX feed). */
  readonly dataStreamUrl: string;
  /** Whether REST requests are rewritten to `baseUrl` (anything but Alpaca's own hosts). */
  readonly rewrite: boolean;
}

/** The URLs for a base URL: Alpaca's paper and live hosts as they are, any other base for everything. */
export function alpacaEndpoints(baseUrl: string = ALPACA_PAPER_URL): AlpacaEndpoints {
  const base = baseUrl.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new Error(`Alpaca base URL "${baseUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`Alpaca base URL "${baseUrl}" must be http or https`);
  const ws = base.replace(/^http/, 'ws');
  const alpacaHost = url.hostname === 'paper-api.alpaca.markets' || url.hostname === 'api.alpaca.markets';
  return {
    baseUrl: base,
    tradeStreamUrl: `${ws}/stream`,
    dataStreamUrl: alpacaHost ? ALPACA_DATA_STREAM : `${ws}/v2/iex`,
    rewrite: !alpacaHost,
  };
}

export interface SdkOptions {
  readonly keyId: string;
  readonly secret: string;
  readonly endpoints: AlpacaEndpoints;
  readonly requestTimeoutMs: number;
}

export function makeAlpacaClient(o: SdkOptions): Alpaca {
  const live = o.endpoints.baseUrl === 'https://api.alpaca.markets';
  const base = o.endpoints.baseUrl;
  const middleware = o.endpoints.rewrite
    ? [
        {
          pre: async ({ url, init }: { url: string; init: RequestInit }) => ({
            url: url.replace(/^https:\/\/[^/]+/, base),
            init,
          }),
        },
      ]
    : [];
  // keyId and secret always explicit: the SDK would otherwise prefer an OAuth token from the
  // environment, and an OAuth client cannot stream.
  return new Alpaca({
    keyId: o.keyId,
    secret: o.secret,
    paper: !live,
    middleware,
    retry: false,
    rateLimit: false,
    timeoutMs: o.requestTimeoutMs,
  });
}

export type AlpacaClient = Alpaca;
