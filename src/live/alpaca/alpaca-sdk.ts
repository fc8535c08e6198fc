// The official Alpaca SDK (v4) configured for the adapter: the hosts rewritten to the run's base
// URL (v4 has no base-URL option), the SDK's retry and client-side rate limiter both OFF, and its
// per-attempt deadline as the request timeout. Why each: docs/0066-live-adapter-notes.md.
// Code built into dist/ loads the SDK from the build's bundle of it, with its code cache (about
// half the CPU of loading the package's file, docs/0095-packages-bundled-apart.md); the sources load
// the package.
import type { Alpaca as AlpacaSdk } from '@alpacahq/alpaca-trade-api';
import { createRequire } from 'node:module';
import { bundledPackage } from '../package-bundle.ts';
import { ALPACA_PAPER_URL } from './alpaca-venue.ts';

/** The file of the build's bundle of the SDK, in code built into dist/ only. */
declare const __EXECSIM_ALPACA_BUNDLE__: string | null | undefined;

const load = createRequire(import.meta.url);
const sdkFile = load.resolve('@alpacahq/alpaca-trade-api');
const bundleFile = typeof __EXECSIM_ALPACA_BUNDLE__ === 'undefined' ? null : __EXECSIM_ALPACA_BUNDLE__;
const sdk = (bundledPackage(bundleFile, sdkFile) ?? load(sdkFile)) as {
  Alpaca: typeof AlpacaSdk;
};
const { Alpaca } = sdk;

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

export function makeAlpacaClient(o: SdkOptions): AlpacaSdk {
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

export type AlpacaClient = AlpacaSdk;
