// The Binance adapter as a broker contract backend: the real ccxt library (ccxt.pro.binance) over
// loopback sockets to execsim's Binance gateway on 127.0.0.1 (a free port), which serves the
// venue's fixture on the wall clock. REST for commands and reads, the WebSocket API's user data
// stream for executions; the market streams stay off (the contract is about orders). Every wait
// polls a condition, bounded.
//
// Fault windows: the adapter reads the venue's markets (exchangeInfo) before it sends or
// subscribes anything, and a window from the gateway's first instant (an outage) would refuse that
// read. A fixture with faults is therefore served with every window shifted by WARMUP_MS, and the
// backend's `startedAt` (where the cases count the windows from) is that much after the gateway's
// start; create() returns once the adapter is subscribed and the windows' origin has passed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { makeInstrument } from '../../../src/core/model/instrument.ts';
import { parseDurationMs } from '../../../src/core/model/time-fields.ts';
import { startBinanceGateway } from '../../../src/gateway/binance/binance-gateway.ts';
import { BinanceAdapter } from '../../../src/live/binance/binance-adapter.ts';
import { WallClock } from '../../../src/live/wall-clock.ts';
import { recorder, scenarioText, type BackendFactory } from '../../support/broker-contract/backend.ts';
import { anotherRunOf, gatewayTrade, probeSettle, wallUntil } from '../../support/broker-contract/wall-backend.ts';
import type { ContractVenue } from '../../support/broker-contract/contract-venue.ts';

const KEY = 'contract-binance-key';
const SECRET = 'contract-binance-secret';
/** How much later than the gateway's start a fixture's fault windows begin. */
const WARMUP_MS = 1_000;

/** A fault entry (a YAML flow mapping) with its window moved `ms` later. */
export function shiftedFault(entry: string, ms: number): string {
  const f = parse(entry) as Record<string, unknown>;
  const later = (d: unknown) => `PT${(parseDurationMs(String(d)) + ms) / 1000}S`;
  for (const k of ['from', 'until', 'at']) if (k in f) f[k] = later(f[k]);
  return JSON.stringify(f);
}

export interface BinanceBackendOptions {
  /** The run id of the n-th adapter the backend opens (1-based): every adapter's own by default.
   *  A test gives two runs one id to show what the cases notice when the namespace fails. */
  readonly runId?: (n: number) => string;
}

let runs = 0;

export function binanceBackend(venue: ContractVenue, options: BinanceBackendOptions = {}): BackendFactory {
  const runId = options.runId ?? ((n: number) => `contract-run-${process.pid}-${n}`);
  return {
    name: `binance adapter (ccxt) over the gateway on ${venue.rules.id}`,
    venue,
    unsupported: {},
    knownViolations: {},
    wallClock: true,
    async create(backendOptions = {}) {
      const faults = backendOptions.faults ?? [];
      const warmup = faults.length > 0 ? WARMUP_MS : 0;
      const dir = mkdtempSync(path.join(tmpdir(), 'execsim-contract-binance-'));
      const file = path.join(dir, 'scenario.yaml');
      writeFileSync(
        file,
        scenarioText(
          readFileSync(venue.fixture, 'utf8'),
          faults.map((f) => shiftedFault(f, warmup)),
        ),
      );
      const gw = await startBinanceGateway({ scenarioFile: file, apiKey: KEY, secretKey: SECRET, port: 0 });
      const instrument = makeInstrument(gw.venue.scenario.instrument);
      const clock = new WallClock();
      const adapters: BinanceAdapter[] = [];
      const adapter = (n: number) => {
        const a = new BinanceAdapter({
          instrument,
          runId: runId(n),
          apiKey: KEY,
          secret: SECRET,
          url: gw.url,
          clock,
          requestTimeoutMs: 3000,
          reconnectInitialMs: 100,
          marketData: { stream: false },
        });
        adapters.push(a);
        return a;
      };
      const first = adapter(++runs);
      const { reports, handler, listen } = recorder(backendOptions.tap);
      first.setReportHandler(handler);
      const close = async () => {
        for (const a of adapters.splice(0)) await a.stop();
        await gw.close();
        rmSync(dir, { recursive: true, force: true });
      };
      const until = wallUntil('binance');
      const startedAt = gw.venue.startedAt + warmup;
      try {
        first.start();
        await until(
          () => reports.some((r) => r.kind === 'ConnectionReport' && r.stream === 'orders' && r.state === 'connected'),
          'the user data stream is subscribed',
        );
        await until(() => Date.now() >= startedAt, 'the fault windows begin');
      } catch (err) {
        await close();
        throw err;
      }
      return {
        name: 'binance',
        broker: first,
        venue,
        reports,
        now: () => clock.now(),
        clock,
        listen,
        // Another run's adapter on the same account: REST only (its streams are not needed).
        anotherRun: anotherRunOf(() => adapter(++runs)),
        startedAt,
        until,
        settle: probeSettle(first, reports, until, venue),
        marketTrade: gatewayTrade(gw.venue),
        dropStream: () => gw.wsApi.dropAll(),
        close,
      };
    },
  };
}
