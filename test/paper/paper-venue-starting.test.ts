// A paper run whose local venue is not listening yet (a gateway started in the background a
// moment before, as a guide's commands run one after the other) waits for it: the account read
// that finds nothing listening on a loopback URL is asked again until the preflight bound, with
// one warning, and the run then trades as usual. On Binance the markets, whose first load failed,
// are loaded anew (ccxt would otherwise hand out its failed load again). A venue that never starts
// is still "cannot reach" at the bound; a remote URL is not waited for. The gateway is started once
// the run's first read has been refused: a condition, not a delay.
import { describe, expect, it } from 'vitest';
import { startAlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { startBinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.ts';
import type { LiveVenue } from '../../src/live/live-venue.ts';
import { startingLocally } from '../../src/host/connect-venue.ts';
import { runPaper, VenueUnavailable, type PaperOptions } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET } from '../support/binance-gateway-harness.ts';
import { onCleanup, scoped } from '../support/gateway-harness.ts';
import { scratchStores } from '../support/paper-options.ts';
import { freePort } from '../support/free-port.ts';

const { store } = scratchStores('execsim-venue-starting-', 'run');

/** A loopback port nothing listens on (the system's choice, released). */

/** Options whose venue calls `refused` when an account read of it fails (the first sign that
 *  nothing listens), the warnings said, and the progress notes (what a quiet command leaves out). */
function watched(
  url: string,
  s: RunStore,
  make: PaperOptions['venue'],
  refused: () => void,
): { options: PaperOptions; warnings: string[]; notes: string[] } {
  const warnings: string[] = [];
  const notes: string[] = [];
  const options: PaperOptions = {
    store: s,
    venueUrl: url,
    marketHours: 'always',
    preflightTimeoutMs: 20_000,
    warn: (m) => void warnings.push(m),
    note: (m) => void notes.push(m),
    venue: (...args) => {
      const v: LiveVenue = make(...args);
      const setHandler = v.setReportHandler.bind(v);
      v.setReportHandler = (handler) =>
        setHandler((m) => {
          if (m.kind === 'QueryFailedReport' && m.query === 'account') refused();
          handler(m);
        });
      return v;
    },
  };
  return { options, warnings, notes };
}

/** The Alpaca adapter on `url`, keys `k` and `s`, as a paper run's venue. */
const alpacaAt =
  (url: string): PaperOptions['venue'] =>
  (instrument, clock, runId) =>
    new AlpacaAdapter({
      clientIdNamespace: runId,
      instrument,
      keyId: 'k',
      secret: 's',
      baseUrl: url,
      clock,
      requestTimeoutMs: 3_000,
      marketData: { stream: false },
    });

describe.concurrent('a paper run started before its local venue listens', () => {
  it(
    'on the Alpaca gateway: waits, says so once, then trades',
    scoped(async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      let started: Promise<unknown> | null = null;
      const { options, warnings, notes } = watched(url, store(), alpacaAt(url), () => {
        started ??= startAlpacaGateway({
          scenarioFile: 'test/fixtures/gateway/alpaca-aapl.yaml',
          keyId: 'k',
          secretKey: 's',
          port,
        }).then((gw) => onCleanup(() => gw.close()));
      });
      const report = await runPaper(loadScenarioFile('test/fixtures/paper/twap-aapl.yaml'), options);
      expect(started).not.toBeNull();
      expect(report.passed).toBe(true);
      // Waiting is progress, not a warning: a quiet command (which passes no `note`) leaves it out.
      expect(notes).toEqual([
        expect.stringMatching(new RegExp(`^nothing listens at ${url} yet: waiting for it up to \\d+ s$`)),
      ]);
      expect(warnings.filter((w) => w.includes('nothing listens'))).toEqual([]);
    }),
  );

  it(
    'on the Binance gateway: its markets, whose first load failed, are loaded anew',
    scoped(async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      let started: Promise<unknown> | null = null;
      const { options } = watched(
        url,
        store(),
        (instrument, clock, runId) =>
          new BinanceAdapter({ instrument, clock, runId, url, apiKey: API_KEY, secret: API_SECRET }),
        () => {
          started ??= startBinanceGateway({
            scenarioFile: 'test/contract/binance/btcusdt-static-book.yaml',
            apiKey: API_KEY,
            secretKey: API_SECRET,
            port,
          }).then((gw) => onCleanup(() => gw.close()));
        },
      );
      const report = await runPaper(loadScenarioFile('test/fixtures/paper/paper-binance-twap.yaml'), options);
      expect(started).not.toBeNull();
      expect(report.passed).toBe(true);
    }),
  );

  it(
    'a local venue that never listens is "cannot reach" at the bound, nothing stored',
    scoped(async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const s = store();
      const { options, warnings, notes } = watched(url, s, alpacaAt(url), () => {});
      const failed = await runPaper(loadScenarioFile('test/fixtures/paper/twap-aapl.yaml'), {
        ...options,
        preflightTimeoutMs: 1_000,
      }).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(VenueUnavailable);
      expect((failed as Error).message).toMatch(new RegExp(`^cannot reach the venue at ${url}: .*ECONNREFUSED`));
      expect(notes).toHaveLength(1);
      expect(warnings).toEqual([]);
      expect(s.listRuns()).toEqual([]);
    }),
  );

  it('only a refused connection on a loopback URL is waited for', () => {
    const refused = {
      kind: 'QueryFailedReport',
      clientOrderId: null,
      query: 'account',
      failure: 'transient',
      category: 'network',
      reason: 'fetch failed: connect ECONNREFUSED 127.0.0.1:7879',
    } as const;
    expect(startingLocally(refused, 'http://127.0.0.1:7879')).toBe(true);
    expect(startingLocally(refused, 'http://localhost:7879')).toBe(true);
    expect(startingLocally(refused, 'http://[::1]:7879')).toBe(true);
    expect(startingLocally(refused, 'https://paper-api.alpaca.markets')).toBe(false);
    expect(startingLocally({ ...refused, reason: 'getaddrinfo ENOTFOUND x' }, 'http://127.0.0.1:7879')).toBe(false);
    expect(startingLocally({ ...refused, category: 'timeout' }, 'http://127.0.0.1:7879')).toBe(false);
    expect(startingLocally(null, 'http://127.0.0.1:7879')).toBe(false);
  });
});
