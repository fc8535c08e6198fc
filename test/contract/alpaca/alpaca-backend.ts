// The Alpaca adapter as a broker contract backend: the real SDK talking over a loopback socket to
// execsim's Alpaca gateway, which serves the venue's fixture on the wall clock. Each adapter names
// its orders by a run of its own (the client id namespace a paper run gives it), so a second run
// on the same account can be opened beside it. Waiting for a condition polls it, bounded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeInstrument } from '../../../src/core/model/instrument.ts';
import { startAlpacaGateway } from '../../../src/gateway/alpaca/alpaca-gateway.ts';
import { AlpacaAdapter } from '../../../src/live/alpaca/alpaca-adapter.ts';
import { WallClock } from '../../../src/live/wall-clock.ts';
import { recorder, scenarioText, type BackendFactory } from '../../support/broker-contract/backend.ts';
import { anotherRunOf, gatewayTrade, probeSettle, wallUntil } from '../../support/broker-contract/wall-backend.ts';
import type { ContractVenue } from '../../support/broker-contract/contract-venue.ts';

const KEY = 'contract-key-id';
const SECRET = 'contract-secret-value';

export interface AlpacaBackendOptions {
  /** The client id namespace of the n-th adapter the backend opens (1-based): a run id of its own
   *  by default, as a paper run names its orders. A test gives two runs one namespace to show
   *  what the cases notice when the namespace fails. */
  readonly namespace?: (n: number) => string;
}

let runs = 0;

export function alpacaBackend(venue: ContractVenue, options: AlpacaBackendOptions = {}): BackendFactory {
  const namespace = options.namespace ?? ((n: number) => `contract-run-${process.pid}-${n}`);
  return {
    name: `alpaca adapter over the gateway on ${venue.rules.id}`,
    venue,
    unsupported: {},
    knownViolations: {},
    wallClock: true,
    async create(backendOptions = {}) {
      const dir = mkdtempSync(path.join(tmpdir(), 'execsim-contract-'));
      const file = path.join(dir, 'scenario.yaml');
      writeFileSync(file, scenarioText(readFileSync(venue.fixture, 'utf8'), backendOptions.faults));
      const gw = await startAlpacaGateway({ scenarioFile: file, keyId: KEY, secretKey: SECRET });
      const instrument = makeInstrument(gw.venue.scenario.instrument);
      const clock = new WallClock();
      const adapters: AlpacaAdapter[] = [];
      const open = () => {
        const a = new AlpacaAdapter({
          instrument,
          keyId: KEY,
          secret: SECRET,
          baseUrl: gw.url,
          clock,
          clientIdNamespace: namespace(++runs),
          requestTimeoutMs: 3000,
          reconnectInitialMs: 200,
          cancelConfirm: { firstDelayMs: 20 },
          // The gateway serves quotes over REST only; the contract is about orders.
          marketData: { stream: false, pollMs: 1000 },
        });
        adapters.push(a);
        return a;
      };
      const adapter = open();
      const { reports, handler, listen } = recorder(backendOptions.tap);
      adapter.setReportHandler(handler);
      const close = async () => {
        for (const a of adapters.splice(0)) await a.stop();
        await gw.close();
        rmSync(dir, { recursive: true, force: true });
      };
      const until = wallUntil('alpaca');
      const connectedOrders = () =>
        reports.filter((r) => r.kind === 'ConnectionReport' && r.stream === 'orders' && r.state === 'connected').length;
      try {
        adapter.start();
        await until(() => connectedOrders() >= 1, 'the trade_updates stream connects');
      } catch (err) {
        await close();
        throw err;
      }
      return {
        name: 'alpaca',
        broker: adapter,
        venue,
        reports,
        now: () => clock.now(),
        clock,
        listen,
        // Another run's adapter on the same account: REST only (its stream is not needed).
        anotherRun: anotherRunOf(open),
        startedAt: gw.venue.startedAt,
        until,
        settle: probeSettle(adapter, reports, until, venue),
        marketTrade: gatewayTrade(gw.venue),
        dropStream: () => gw.stream.dropAll(),
        close,
      };
    },
  };
}
