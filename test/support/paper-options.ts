// The options of a paper run against a local gateway in tests: the Alpaca adapter on the real SDK
// with short timeouts and fast reconnects, no market-data stream unless asked, the run stored in
// `store`, trading hours always open. One place, so every paper test talks to its gateway alike.
import { AlpacaAdapter, type AlpacaAdapterOptions } from '../../src/live/alpaca/alpaca-adapter.ts';
import type { PaperOptions } from '../../src/runtime/paper-run.ts';
import type { RunStore } from '../../src/store/run-store.ts';

export function paperOptions(
  url: string,
  store: RunStore,
  keys: { readonly id: string; readonly secret: string },
  adapter: Partial<AlpacaAdapterOptions> = {},
): PaperOptions {
  return {
    store,
    venueUrl: url,
    marketHours: 'always',
    preflightTimeoutMs: 5_000,
    venue: (instrument, clock, runId) =>
      new AlpacaAdapter({
        clientIdNamespace: runId,
        instrument,
        keyId: keys.id,
        secret: keys.secret,
        baseUrl: url,
        clock,
        requestTimeoutMs: 3_000,
        reconnectInitialMs: 20,
        marketData: { stream: false },
        ...adapter,
      }),
  };
}
