// The two backends the broker contract suite (broker-contract.test.ts) runs against, behind one
// small interface:
// - sim: the simulated venue itself (SimVenue, built from the scenario as a backtest builds it,
//   on Alpaca's rules) on a VirtualClock. Waiting for a condition advances the virtual clock a
//   millisecond at a time until it holds, bounded.
// - alpaca: the Alpaca adapter on the real SDK, talking over a loopback socket to execsim's
//   Alpaca gateway serving the same scenario, on the wall clock. Waiting for a condition polls
//   it, bounded.
// Both serve test/contract/fixtures/static-book.yaml, with a case's `faults:` appended, so a case
// sees the same market on both. What a backend cannot do is listed in its `unsupported` map with
// the reason; what it does against the contract (a defect for src/ to fix) in `knownViolations`,
// and that case runs as an expected failure there.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { Side } from '../../src/core/model/order.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import type { Broker } from '../../src/core/ports/broker.ts';
import { venueRules, type VenueRules } from '../../src/core/venues/index.ts';
import { startAlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { buildVenue } from '../../src/scenario/build-venue.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseUtcInstant } from '../../src/core/model/time-fields.ts';

export const FIXTURE = 'test/contract/fixtures/static-book.yaml';

/** Every case of the suite, by name (the keys of the backends' unsupported and violation maps). */
export const CASE_NAMES = [
  'submit is acknowledged',
  'a market order fills',
  'an order larger than the top level fills in several executions',
  'a resting limit order is cancelled',
  'a cancel of a finished or unknown order is refused with its class',
  'a second cancel of a cancelled order: the same answer with or without the venue id',
  'cancel versus fill: the fill wins',
  'cancel versus fill: a partial fill, then the cancel',
  'cancel versus fill: the cancel wins',
  'a duplicate client id is refused',
  'a rate-limited submit is refused as transient and creates nothing',
  "an IOC order's unfilled rest ends the order",
  'lookup by client id states the fills consistently',
  'lookup of an unknown client id is not found',
  'open orders lists exactly the open orders',
  'orders since: pages list every order exactly once',
  'account: the position after fills',
  'an outage: the submit is of unknown outcome, and a lookup finds the order',
  'an outage: the cancel is of unknown outcome, and a lookup finds the order cancelled',
  'lost stream events: the fill is found by lookup',
  'stream reconnect: reported, and an order filled in the gap is listed',
] as const;
export type CaseName = (typeof CASE_NAMES)[number];

/** One running backend, fresh for one case. */
export interface Backend {
  readonly name: string;
  readonly broker: Broker;
  /** The venue's rules (codes of its refusals). */
  readonly rules: VenueRules;
  /** Every message the broker handed its handler, in arrival order (ConnectionReports included). */
  readonly reports: VenueMessage[];
  /** The backend's clock (epoch ms): virtual for the simulator, the wall clock for the adapter. */
  now(): number;
  /** The instant the scenario's fault windows count from, on that clock. */
  readonly startedAt: number;
  /** Waits until `check` returns something other than undefined/false/null, at most `timeoutMs`
   *  of the backend's time (≤ 10 s); throws naming `what` otherwise. */
  until<T>(check: () => T | undefined | false | null, what: string, timeoutMs?: number): Promise<T>;
  /** Waits until every execution-stream report caused so far has arrived (or was lost). */
  settle(): Promise<void>;
  /** Someone else's trade on the venue (the aggressor's side): fills our resting orders it
   *  reaches, as the simulated exchange decides. Happens now, not after any latency. */
  marketTrade(price: number, qty: number, aggressor: Side): void;
  /** Closes the execution stream's connection from the venue's side (backends that have one). */
  dropStream?(): void;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** Fault entries (YAML flow mappings) appended to the fixture as its `faults:` section. */
  readonly faults?: readonly string[];
  /** Rewrites (or drops: null) each message before the case sees it: a deliberately broken
   *  backend, to show that the suite notices. */
  readonly tap?: (message: VenueMessage) => VenueMessage | null;
}

export interface KnownViolation {
  readonly violation: string;
  readonly shows: RegExp;
}

export interface BackendFactory {
  readonly name: string;
  /** Cases this backend cannot run, with the reason (reported as skipped with it). */
  readonly unsupported: Partial<Record<CaseName, string>>;
  /** Cases this backend fails because it breaks the contract, with the violation and what the
   *  failure shows (matched against the assertion's message and actual value): the case must
   *  fail exactly so, and the entry must go once src/ is fixed. */
  readonly knownViolations: Partial<Record<CaseName, KnownViolation>>;
  create(options?: BackendOptions): Promise<Backend>;
}

const MAX_WAIT_MS = 10_000;

function scenarioText(faults: readonly string[] = []): string {
  const base = readFileSync(FIXTURE, 'utf8');
  return faults.length === 0 ? base : `${base}faults:\n${faults.map((f) => `  - ${f}\n`).join('')}`;
}

function recorder(tap: BackendOptions['tap']): { reports: VenueMessage[]; handler: (m: VenueMessage) => void } {
  const reports: VenueMessage[] = [];
  return {
    reports,
    handler: (m) => {
      const out = tap ? tap(m) : m;
      if (out !== null) reports.push(out);
    },
  };
}

// ---- the simulated venue ---------------------------------------------------------------------

export const simBackend: BackendFactory = {
  name: 'sim',
  unsupported: {
    'stream reconnect: reported, and an order filled in the gap is listed':
      'the simulated venue has no connection: its execution stream cannot drop (it has neither start nor stop of streams, and emits no ConnectionReport)',
  },
  knownViolations: {},
  async create(options = {}) {
    const loaded = parseScenario(scenarioText(options.faults), FIXTURE);
    const s = loaded.scenario;
    const start = parseUtcInstant(s.start);
    const clock = new VirtualClock(start);
    const instrument = makeInstrument(s.instrument);
    const rules = venueRules(s.venue.name);
    const built = buildVenue(s, FIXTURE, clock, new Rng(s.seed), instrument, start, () => {});
    const { reports, handler } = recorder(options.tap);
    built.venue.setReportHandler(handler);
    built.start();
    clock.advanceBy(1); // the book is published
    const until = <T>(check: () => T | undefined | false | null, what: string, timeoutMs = MAX_WAIT_MS) => {
      const deadline = clock.now() + Math.min(timeoutMs, MAX_WAIT_MS);
      for (;;) {
        const v = check();
        if (v !== undefined && v !== false && v !== null) return Promise.resolve(v);
        if (clock.now() >= deadline)
          return Promise.reject(new Error(`sim: ${what}: not within ${timeoutMs} ms of virtual time`));
        clock.advanceBy(1);
      }
    };
    return {
      name: 'sim',
      broker: built.venue,
      rules,
      reports,
      now: () => clock.now(),
      startedAt: start,
      until,
      // Every path has a millisecond of latency; a second covers it, and fault timeouts too.
      settle: async () => void clock.advanceBy(1_000),
      marketTrade: (price, qty, aggressor) => {
        built.venue.marketTrade(price, qty);
        built.exchange.marketTrade(price, qty, aggressor);
      },
      close: async () => {},
    };
  },
};

// ---- the Alpaca adapter against the gateway --------------------------------------------------

const KEY = 'contract-key-id';
const SECRET = 'contract-secret-value';

export const alpacaBackend: BackendFactory = {
  name: 'alpaca',
  unsupported: {},
  knownViolations: {},
  async create(options = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'execsim-contract-'));
    const file = path.join(dir, 'scenario.yaml');
    writeFileSync(file, scenarioText(options.faults));
    const gw = await startAlpacaGateway({ scenarioFile: file, keyId: KEY, secretKey: SECRET });
    const instrument = makeInstrument(gw.venue.scenario.instrument);
    const adapter = new AlpacaAdapter({
      instrument,
      keyId: KEY,
      secret: SECRET,
      baseUrl: gw.url,
      clock: new WallClock(),
      requestTimeoutMs: 3000,
      reconnectInitialMs: 200,
      cancelConfirm: { firstDelayMs: 20 },
      // The gateway serves quotes over REST only; the contract is about orders.
      marketData: { stream: false, pollMs: 1000 },
    });
    const { reports, handler } = recorder(options.tap);
    adapter.setReportHandler(handler);
    const close = async () => {
      await adapter.stop();
      await gw.close();
      rmSync(dir, { recursive: true, force: true });
    };
    const until = async <T>(check: () => T | undefined | false | null, what: string, timeoutMs = MAX_WAIT_MS) => {
      const deadline = Date.now() + Math.min(timeoutMs, MAX_WAIT_MS);
      for (;;) {
        const v = check();
        if (v !== undefined && v !== false && v !== null) return v;
        if (Date.now() >= deadline) throw new Error(`alpaca: ${what}: not within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const connectedOrders = () =>
      reports.filter((r) => r.kind === 'ConnectionReport' && r.stream === 'orders' && r.state === 'connected').length;
    try {
      adapter.start();
      await until(() => connectedOrders() >= 1, 'the trade_updates stream connects');
    } catch (err) {
      await close();
      throw err;
    }
    let probes = 0;
    return {
      name: 'alpaca',
      broker: adapter,
      rules: gw.venue.rules,
      reports,
      now: () => Date.now(),
      startedAt: gw.venue.startedAt,
      until,
      // The stream keeps its order: once a probe order's `new` event (a stream OrderStatusReport)
      // is here, so is every event published before it. The probe rests far below the market and
      // is cancelled again, so it never fills.
      settle: async () => {
        const cid = clientOrderId(`settle-probe-${++probes}`);
        adapter.submit({
          clientOrderId: cid,
          parentId: parentOrderId('probe'),
          sliceNum: 1,
          totalSlices: 1,
          scheduledTime: 0,
          symbol: symbol('AAPL'),
          side: 'buy',
          type: 'limit',
          tif: 'GTC',
          qty: 1,
          limitPrice: 10_000,
        });
        await until(
          () => reports.some((r) => r.kind === 'OrderStatusReport' && r.clientOrderId === cid && r.source === 'stream'),
          'the settle probe appears on the stream',
        );
        adapter.cancel(cid, null);
        await until(
          () => reports.some((r) => r.kind === 'CancelReport' && r.clientOrderId === cid),
          'the settle probe is cancelled',
        );
      },
      marketTrade: (price, qty, aggressor) => {
        gw.venue.venue.marketTrade(price, qty);
        gw.venue.exchange.marketTrade(price, qty, aggressor);
      },
      dropStream: () => gw.stream.dropAll(),
      close,
    };
  },
};

export const BACKENDS: readonly BackendFactory[] = [simBackend, alpacaBackend];
