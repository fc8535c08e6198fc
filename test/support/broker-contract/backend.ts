// One backend of the broker contract suite: a Broker serving a venue's static-book fixture, with
// the clock, the waits and the market access the cases need. What a backend cannot do is listed
// in its `unsupported` map with the reason; what it does against the contract (a defect for src/
// to fix) in `knownViolations`, and that case then runs as an expected failure there.
import type { Side } from '../../../src/core/model/order.ts';
import type { VenueMessage } from '../../../src/core/model/reports.ts';
import type { Broker } from '../../../src/core/ports/broker.ts';
import type { Clock } from '../../../src/core/ports/clock.ts';
import type { ContractVenue } from './contract-venue.ts';

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
  'an order below the minimum notional is refused with its code',
  'a post-only order: refused where the venue has none, else refused only when it would take',
  'lookup by client id states the fills consistently',
  'lookup of an unknown client id is not found',
  'open orders lists exactly the open orders',
  'orders since: pages list every order exactly once',
  'account: the position after fills',
  'an outage: the submit is of unknown outcome, and a lookup finds the order',
  'an outage: the cancel is of unknown outcome, and a lookup finds the order cancelled',
  'lost stream events: the fill is found by lookup',
  'stream reconnect: reported, and an order filled in the gap is listed',
  'a filled IOC whose answer was lost: core looks it up and never sends it again',
  "a lookup never finds another run's order under the same local id",
] as const;
export type CaseName = (typeof CASE_NAMES)[number];

/** One running backend, fresh for one case. */
export interface Backend {
  readonly name: string;
  readonly broker: Broker;
  /** The venue the backend serves: its rules, symbol, unit and prices. */
  readonly venue: ContractVenue;
  /** Every message the broker handed its handler, in arrival order (ConnectionReports included). */
  readonly reports: VenueMessage[];
  /** The backend's clock (epoch ms): virtual for a simulator, the wall clock for an adapter. */
  now(): number;
  /** The same clock as core's Clock port: a case that runs core's own engine over the broker
   *  schedules on it (a virtual clock advances in `until`). */
  readonly clock: Clock;
  /** Also hands every message the broker hands its handler (after the tap) to `handler`: core's
   *  engine, when a case runs it over the broker. */
  listen(handler: (message: VenueMessage) => void): void;
  /** A second run on the same venue account (another run id, so another client id namespace):
   *  its broker and what that broker reported; closed with the backend. Absent where the venue
   *  serves one run only (a simulator), which lists the case that needs it as unsupported. */
  anotherRun?(): Promise<{ readonly broker: Broker; readonly reports: VenueMessage[] }>;
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
  /** Names the backend in the suite's titles: what runs, and on which venue's rules. */
  readonly name: string;
  readonly venue: ContractVenue;
  /** Cases this backend cannot run, with the reason (reported as skipped with it). */
  readonly unsupported: Partial<Record<CaseName, string>>;
  /** Cases this backend fails because it breaks the contract, with the violation and what the
   *  failure shows (matched against the assertion's message and actual value): the case must
   *  fail exactly so, and the entry must go once src/ is fixed. */
  readonly knownViolations: Partial<Record<CaseName, KnownViolation>>;
  /** The backend waits on the wall clock (an adapter and its gateway over loopback): its cases
   *  run at once, each on backends of its own, since they spend most of their time waiting. */
  readonly wallClock?: boolean;
  create(options?: BackendOptions): Promise<Backend>;
}

/** The longest any wait of a case may take, on the backend's clock. */
export const MAX_WAIT_MS = 10_000;

/** Backend.until on a virtual clock: advances it a millisecond at a time until `check` answers,
 *  or rejects naming the backend and what it waited for at MAX_WAIT_MS. */
export function virtualUntil(clock: { now(): number; advanceBy(ms: number): void }, backend: string): Backend['until'] {
  return <T>(check: () => T | undefined | false | null, what: string, timeoutMs = MAX_WAIT_MS): Promise<T> => {
    const deadline = clock.now() + Math.min(timeoutMs, MAX_WAIT_MS);
    for (;;) {
      const got = check();
      if (got !== undefined && got !== false && got !== null) return Promise.resolve(got);
      if (clock.now() >= deadline)
        return Promise.reject(new Error(`${backend}: ${what}: not within ${timeoutMs} ms of virtual time`));
      clock.advanceBy(1);
    }
  };
}

/** The fixture's text with a case's faults appended. */
export function scenarioText(base: string, faults: readonly string[] = []): string {
  return faults.length === 0 ? base : `${base}faults:\n${faults.map((f) => `  - ${f}\n`).join('')}`;
}

/** Collects what the broker hands its handler, through the tap when there is one, and hands it
 *  on to the listeners (Backend.listen). */
export function recorder(tap: BackendOptions['tap']): {
  reports: VenueMessage[];
  handler: (m: VenueMessage) => void;
  listen: Backend['listen'];
} {
  const reports: VenueMessage[] = [];
  const listeners: Array<(m: VenueMessage) => void> = [];
  return {
    reports,
    handler: (m) => {
      const out = tap ? tap(m) : m;
      if (out === null) return;
      reports.push(out);
      for (const l of listeners) l(out);
    },
    listen: (l) => void listeners.push(l),
  };
}
