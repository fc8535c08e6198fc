// What the paper tests share, so every one talks to its local gateway alike: the options of a paper
// run against a local gateway (the Alpaca adapter on the real SDK with short timeouts and fast
// reconnects and no market-data stream unless asked, or the Binance adapter on ccxt; the run
// stored in `store`, trading hours always open), the local Alpaca gateway on a market file, one
// test file's scratch stores, and a paper run stopped part-way as SIGINT stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { startAlpacaGateway, type AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { AlpacaAdapter, type AlpacaAdapterOptions } from '../../src/live/alpaca/alpaca-adapter.ts';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.ts';
import { RunInterrupted, runPaper, type PaperOptions } from '../../src/runtime/paper-run.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { onCleanup } from './gateway-harness.ts';

/** What every paper run of the tests shares: the venue at `url` (on loopback, so the account read
 *  waits up to 5 s for it to listen), the run stored in `store`, trading hours always open. */
const localVenue = (url: string, store: RunStore) =>
  ({ store, venueUrl: url, marketHours: 'always', preflightTimeoutMs: 5_000 }) as const;

export function paperOptions(
  url: string,
  store: RunStore,
  keys: { readonly id: string; readonly secret: string },
  adapter: Partial<AlpacaAdapterOptions> = {},
): PaperOptions {
  return {
    ...localVenue(url, store),
    venue: (instrument, clock, runId, settings) =>
      new AlpacaAdapter({
        clientIdNamespace: runId,
        instrument,
        ...(settings.instruments ? { instruments: settings.instruments } : {}),
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

/** The options of a paper run on the local Binance gateway at `url` (the Binance adapter on ccxt
 *  with `keys`); with `commissionPrices` the adapter is handed the scenario's commission prices. */
export function binancePaperOptions(
  url: string,
  store: RunStore,
  keys: { readonly apiKey: string; readonly secret: string },
  { commissionPrices = false } = {},
): PaperOptions {
  return {
    ...localVenue(url, store),
    venue: (instrument, clock, runId, settings) =>
      new BinanceAdapter({
        instrument,
        ...(settings.instruments ? { instruments: settings.instruments } : {}),
        clock,
        runId,
        url,
        ...keys,
        ...(commissionPrices ? { commissionPrices: settings.commissionPrices } : {}),
      }),
  };
}

/** The local Alpaca gateway on the market of `scenarioFile`, on a free loopback port, taking
 *  `keys`; closed after the test. */
export async function alpacaPaperGateway(
  scenarioFile: string,
  keys: { readonly id: string; readonly secret: string },
): Promise<AlpacaGateway> {
  const gw = await startAlpacaGateway({ scenarioFile, keyId: keys.id, secretKey: keys.secret, port: 0 });
  onCleanup(() => gw.close());
  return gw;
}

/** A scratch folder for one test file's stores (`prefix` names it; removed after the file's
 *  tests), and `store(file?)`: a store in `file`, by default a fresh file in the folder
 *  (`<name>-1.db`, `<name>-2.db`, ...), closed after the test. */
export function scratchStores(
  prefix: string,
  name = 'paper',
): { readonly dir: string; store(file?: string): RunStore } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let dbs = 0;
  return {
    dir,
    store: (file = path.join(dir, `${name}-${++dbs}.db`)) => {
      const s = new RunStore(openDatabase(file));
      onCleanup(() => void s.db.close());
      return s;
    },
  };
}

/** Runs `loaded` on paper with `options` and stops it as SIGINT does at the first logged entry
 *  `stopAt` accepts; the run must end RunInterrupted. Returns the run's id. */
export async function interruptedPaperRun(
  loaded: Parameters<typeof runPaper>[0],
  options: PaperOptions,
  stopAt: (e: LogEntry) => boolean,
): Promise<string> {
  const stop = new AbortController();
  const err = await runPaper(loaded, {
    ...options,
    onEntry: (e) => {
      if (stopAt(e)) stop.abort('SIGINT');
    },
    signal: stop.signal,
  }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RunInterrupted);
  return (err as RunInterrupted).runId;
}
