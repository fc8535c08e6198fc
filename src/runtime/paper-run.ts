// Composition root of a paper run: the same trading node as a backtest (src/node/), on the wall
// clock against a live venue's paper account through its adapter. Every adapter answer, timer and
// scenario input is one unit of work in the serial inbox (src/node/serial-inbox.ts), after which
// the log commits, and each send is written ahead; startup reconciles with the venue before
// anything is sent, taking the account as the run's baseline (docs/0017-the-live-boundary.md). A
// run stopped by a signal ('interrupted') or killed ('crashed') is continued by resumePaper from
// the store. The only wall-time and Promise code of a run lives here and in src/live.
import { randomUUID } from 'node:crypto';
import { Rng } from '../core/clock/rng.ts';
import { EventLog } from '../core/log/event-log.ts';
import type { LogEntry } from '../core/model/events.ts';
import { runId as toRunId, type ParentOrderId, type RunId, type Symbol } from '../core/model/ids.ts';
import { makeInstrument, type Instrument } from '../core/model/instrument.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import { OrderLedger } from '../core/order/order-ledger.ts';
import { RunReportFold } from '../core/report/run-report.ts';
import { ALWAYS_OPEN, venueRules, type TradingHours } from '../core/venues/index.ts';
import type { LiveVenue, VenueClock } from '../live/live-venue.ts';
import { LIVE_VENUES, paperRefusal } from '../live/venue-registry.ts';
import { WallClock } from '../live/wall-clock.ts';
import { parseScenarioFile, type LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { ResumeRefused, type RunStore, type RunWriter } from '../store/run-store.ts';
import { localLiveness, resumeRefusal } from '../store/run-state.ts';
import { runReport, type RunReport } from './backtest-run.ts';
import { codeVersion } from '../store/code-version.ts';
import { nodeConfigOf } from '../scenario/node-config-of.ts';
import { scenarioInputs } from '../scenario/scenario-commands.ts';
import { SerialInbox } from '../node/serial-inbox.ts';
import { TradingNode } from '../node/trading-node.ts';
import { UnitBroker, UnitClock } from '../node/unit-runner.ts';

/**
 * What the venue's own clock says against the trading hours the run goes by, when they disagree
 * (null when they agree): slices wait for the hours the run goes by, so a venue open while the
 * run thinks it closed (a local gateway that never closes, a calendar past its end) holds every
 * slice, and the other way round sends orders the venue refuses or parks.
 */
export function marketHoursWarning(venue: VenueClock, hours: TradingHours, now: number): string | null {
  const ours = hours.isOpen(now);
  if (venue.isOpen === ours) return null;
  if (venue.isOpen)
    return "the venue says its market is open, but the run's trading hours say closed: slices wait for the next open (--market-hours always trades now)";
  const next = venue.nextOpen === null ? 'its next open' : new Date(venue.nextOpen).toISOString();
  return `the venue says its market is closed until ${next}, but the run's trading hours say open: orders sent now may be refused or held by the venue`;
}

export interface PaperOptions {
  readonly store: RunStore;
  /** Builds the venue's adapter on the run's clock (keys and URL are the caller's). `runId`
   *  names the run's orders at the venue (the adapter's client id namespace): a run's ids are
   *  derived from its scenario, so two runs of one scenario on one day would share them. */
  readonly venue: (instrument: Instrument, clock: WallClock, runId: string) => LiveVenue;
  /** Where the venue is, for messages. */
  readonly venueUrl: string;
  readonly runId?: string;
  /** Stops the run: it is stored as interrupted (resumable). */
  readonly signal?: AbortSignal;
  readonly warn?: (message: string) => void;
  readonly onEntry?: (entry: LogEntry) => void;
  /** How long the first account read may take before the venue is called unreachable (ms). */
  readonly preflightTimeoutMs?: number;
  /** How long the startup waits for the execution stream before it reconciles anyway (ms). */
  readonly streamWaitMs?: number;
  /** 'venue' (default): slices wait for the venue's trading hours (its rules' calendar);
   *  'always': the venue never closes (a local gateway serving around the clock). */
  readonly marketHours?: 'venue' | 'always';
}

/** The venue cannot be used (unreachable, keys refused): nothing was stored. */
export class VenueUnavailable extends Error {
  override readonly name = 'VenueUnavailable';
}

/** What is still working at the horizon is cancelled; this long to see the cancels confirmed. */
export const HORIZON_GRACE_MS = 30_000;

export async function runPaper(loaded: LoadedScenario<ScenarioFile>, options: PaperOptions): Promise<RunReport> {
  const refusal = paperRefusal(loaded.scenario);
  if (refusal !== null) throw new ResumeRefused(refusal);
  const id = toRunId(options.runId ?? `run-${randomUUID()}`);
  const session = await connect(loaded, options, id);
  const start = session.clock.now();
  options.store.createRun({
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed: loaded.scenario.seed,
    codeVersion: codeVersion(),
    startedAt: new Date(start).toISOString(),
    simStart: start,
    mode: 'paper',
  });
  return drive(session, options, id, start, null);
}

/** Continues a paper run whose process died (a kill -9 leaves it 'crashed') or was stopped by a
 *  signal ('interrupted'), from the store: startup reconciliation, zombie-slice recovery, fill
 *  watches resumed, inputs not yet due rescheduled, and the market since the oldest open parent
 *  read back from the venue's history, so benchmarks span the restart
 *  (docs/0033-benchmarks-across-restarts.md). */
export async function resumePaper(id: string, options: PaperOptions): Promise<RunReport> {
  const row = options.store.getRun(id);
  // Checked again by claimRun when it takes the run over; here before anything connects (row is
  // undefined only with a refusal).
  const refusal = resumeRefusal(id, row, localLiveness(), options.store.db.name);
  if (refusal !== null || row === undefined) throw new ResumeRefused(refusal ?? `no run "${id}"`);
  const loaded = parseScenarioFile(options.store.scenarioJson(id), `run ${id}`);
  // The log before the venue: one that no longer reads (edited by hand) stops nothing half-done.
  const entries = [...options.store.entries(id)];
  // The venue first: a run is only taken over when it can go on.
  const session = await connect(loaded, options, id);
  try {
    options.store.claimRun(id);
  } catch (err) {
    await session.venue.stop();
    throw err;
  }
  const started = entries.find((e) => e.event.kind === 'RunStarted');
  const start = started?.event.kind === 'RunStarted' ? started.event.startTime : row.sim_start;
  return drive(session, options, toRunId(id), start, entries);
}

interface Session {
  readonly loaded: LoadedScenario<ScenarioFile>;
  readonly instrument: Instrument;
  readonly clock: WallClock;
  readonly venue: LiveVenue;
}

/** Builds the adapter and reads the account once: an unreachable venue or refused keys end
 *  here, before anything is stored. */
async function connect(loaded: LoadedScenario<ScenarioFile>, options: PaperOptions, id: string): Promise<Session> {
  const instrument = makeInstrument(loaded.scenario.instrument);
  const clock = new WallClock((ms) =>
    options.warn?.(`the system clock stepped back ${ms} ms; the run's time holds until it catches up`),
  );
  const venue = options.venue(instrument, clock, id);
  // A venue that states its rules for the symbol (Binance's filters) refuses an instrument that
  // disagrees with them here, before anything is sent or stored.
  const refused = await venue.instrumentRefusal?.();
  if (refused) {
    await venue.stop();
    throw new VenueUnavailable(`the venue at ${options.venueUrl} refuses the run: ${refused}`);
  }
  const answer = await new Promise<VenueMessage | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), options.preflightTimeoutMs ?? 15_000);
    venue.setReportHandler((m) => {
      if (m.kind !== 'AccountReport' && m.kind !== 'QueryFailedReport') return;
      clearTimeout(timer);
      resolve(m);
    });
    venue.queryAccount('preflight');
  });
  if (answer === null || answer.kind === 'QueryFailedReport') {
    await venue.stop();
    const why = answer === null ? 'no answer' : answer.reason;
    const keys = answer?.kind === 'QueryFailedReport' && answer.failure === 'reject';
    throw new VenueUnavailable(
      keys
        ? `the venue at ${options.venueUrl} refused the account read (${why}): check ${keyNames(loaded.scenario.venue.name)}`
        : `cannot reach the venue at ${options.venueUrl}: ${why}`,
    );
  }
  if (options.marketHours !== 'always' && venue.marketClock) {
    const venueClock = await venue.marketClock();
    const hours = venueRules(loaded.scenario.venue.name).hours;
    const warning = venueClock && marketHoursWarning(venueClock, hours, clock.now());
    if (warning) options.warn?.(warning);
  }
  return { loaded, instrument, clock, venue };
}

/** The live process: wired, started, run to its end. `prior`: the stored log when resuming. */
async function drive(
  session: Session,
  options: PaperOptions,
  id: RunId,
  start: number,
  prior: readonly LogEntry[] | null,
): Promise<RunReport> {
  const { loaded, instrument, clock, venue } = session;
  const s = loaded.scenario;
  const store = options.store;
  const writer: RunWriter = store.writer(id, instrument);
  if (prior) writer.rollback(prior);
  const fold = new RunReportFold(instrument);
  for (const e of prior ?? []) fold.add(e);
  let finished: ((how: { error?: unknown }) => void) | null = null;
  const ended = new Promise<{ error?: unknown }>((resolve) => (finished = resolve));
  const end = (how: { error?: unknown }): void => {
    const f = finished;
    finished = null;
    f?.(how);
  };

  const log = prior ? EventLog.resume(clock, prior) : new EventLog(clock);
  const inbox = new SerialInbox(
    () => {
      log.commit();
      checkDone();
    },
    (error) => end({ error }),
  );
  const iclock = new UnitClock(clock, inbox, { cancelOnStop: true });
  log.addSink({ write: (entry) => fold.add(entry) });
  log.addSink(writer);
  if (options.onEntry) {
    const onEntry = options.onEntry;
    log.addSink({ write: (entry) => onEntry(entry) });
  }
  const ledger = new OrderLedger();
  for (const e of prior ?? []) ledger.apply(e);
  const streamUp = { orders: false, waiters: [] as Array<() => void> };
  const broker = new UnitBroker(venue, inbox, (m) => {
    if (m.kind !== 'ConnectionReport' || m.stream !== 'orders') return;
    streamUp.orders = m.state === 'connected';
    if (streamUp.orders) for (const w of streamUp.waiters.splice(0)) w();
  });
  const config = nodeConfigOf(s, instrument, options.marketHours === 'always' ? ALWAYS_OPEN : undefined);
  const crashedAt = prior?.at(-1)?.time ?? start;
  const node = new TradingNode({
    config,
    clock: iclock,
    broker,
    marketData: venue,
    log,
    ledger,
    rng: new Rng(s.seed).stream(prior ? `engine@${crashedAt}` : 'engine'),
    sampleOrigin: start,
    prior: prior ?? [],
  });
  const { engine, recon } = node;

  // Inputs: the ones due after now are scheduled; on a resume, the ones due while no process ran
  // are refused (named in ProcessRestarted), as a backtest's restart refuses them.
  const now = clock.now();
  const inputs = scenarioInputs(s, instrument);
  const refused: string[] = [];
  let pending = 0;
  let ready = false;
  let held: Array<() => void> | null = [];
  // What the dead process handled: an order, when its parent is in the log (created, or
  // refused by the checks); any other input, when it was due before the last logged event. An
  // order due earlier but not in the log never reached the engine (it waited behind the startup
  // gate when the process died): it is due while no process ran, so it is refused and named.
  const refusedBefore = new Set<string>();
  for (const e of prior ?? []) if (e.event.kind === 'ParentRejected') refusedBefore.add(e.event.parentId);
  const handledBefore = (input: (typeof inputs)[number], due: number): boolean =>
    input.parentId !== null
      ? ledger.parents.has(input.parentId as ParentOrderId) || refusedBefore.has(input.parentId)
      : due <= crashedAt;
  for (const input of inputs) {
    const due = start + input.atMs;
    if (prior && handledBefore(input, due)) continue;
    if (prior && due <= now) {
      refused.push(input.label);
      continue;
    }
    pending++;
    const run = (): void => {
      pending--;
      node.handle(input.command);
    };
    iclock.schedule(() => (held ? held.push(run) : run()), due - now);
  }

  // The run ends when every input was delivered, every parent and order is done and every order
  // watched for its fills is verified, or at the scenario's duration of wall time, when what is
  // still working is cancelled (HORIZON_GRACE_MS to confirm).
  const horizon = start + parseDurationMs(s.duration);
  let horizonReached = false;
  const checkDone = (): void => {
    if (!ready || recon.running) return;
    if (!horizonReached && pending > 0) return;
    for (const p of ledger.parents.values()) if (p.completed === null && !horizonReached) return;
    if (ledger.openCount > 0) return;
    // An order done in the ledger may still be watched for its fills (a cancel answered before
    // the venue said how much had filled): the run goes on until that is verified.
    if (!horizonReached && (engine.fills?.active ?? 0) > 0) return;
    end({});
  };
  iclock.schedule(
    () => {
      horizonReached = true;
      for (const [pid, p] of ledger.parents) if (p.completed === null) engine.cancelParent(pid, 'paper run horizon');
      iclock.schedule(() => end({}), HORIZON_GRACE_MS);
    },
    Math.max(0, horizon - now),
  );

  const abort = (): void => end({ error: new Interrupted(String(options.signal?.reason ?? 'stopped')) });
  options.signal?.addEventListener('abort', abort, { once: true });
  // The gate opens (startup reconciliation done): held inputs run in order, and the run may end.
  const release = (): void => {
    const h = held ?? [];
    held = null;
    for (const run of h) iclock.schedule(run, 0);
    ready = true;
  };

  // A resumed run's open parents began in an earlier process: their benchmarks (market windows
  // from their creation) need the market since the oldest of them, which the adapter reads from
  // the venue's history before anything here can complete a parent.
  let marketSince: number | undefined;
  for (const p of ledger.parents.values())
    if (p.completed === null && (marketSince === undefined || p.createdAt < marketSince)) marketSince = p.createdAt;
  venue.start(marketSince);
  // Fills of our orders must not slip between the startup snapshot and the stream: wait for the
  // execution stream (bounded; a stream that connects later is a reconnect, reconciled then).
  // Meanwhile, wait for the venue's first top of book (as long at most): the pre-trade checks
  // value a market order at the touch and refuse one with no price, and a venue may show its
  // book only on its market stream after the start (Binance's is a depth snapshot synced with
  // the diff stream; Alpaca's latest quote is one REST read), so an order due at the start, or a
  // resumed TWAP's catch-up, would be refused for a book that was a moment away.
  const waitMs = options.streamWaitMs ?? 10_000;
  const ordersStream = streamUp.orders
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        const t = setTimeout(resolve, waitMs);
        streamUp.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
  await Promise.all([ordersStream, firstQuote(venue, instrument.symbol, waitMs)]);
  // Bounded by the adapter; a failure does not stop the run: the benchmarks say they are partial.
  const history = await venue.backfilled?.();
  if (history?.kind === 'failed' && marketSince !== undefined)
    options.warn?.(
      `could not read the venue's market history since ${new Date(marketSince).toISOString()} (${history.reason ?? 'no reason given'}): ` +
        'the market benchmarks of parents open since before this restart cover only what this process sees and are reported as partial',
    );

  inbox.post(() => {
    if (!prior) {
      // The account's position and cash before anything is sent are the run's baseline.
      node.start(start, true, release);
      return;
    }
    held = null; // a resumed process runs inputs as they come: the gate refuses new orders until ready
    node.restart({ crashedAt, lostEntries: 0, refusedInputs: refused }, release);
  });

  const outcome = await ended;
  options.signal?.removeEventListener('abort', abort);
  node.stop();
  inbox.stop();
  iclock.stop();
  await venue.stop();
  const finishedAt = new Date().toISOString();
  if (outcome.error !== undefined) {
    if (outcome.error instanceof Interrupted) {
      store.interruptRun(id, outcome.error.reason, finishedAt);
      throw new PaperInterrupted(id, outcome.error.reason);
    }
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    store.failRun(writer, id, message, finishedAt);
    throw outcome.error;
  }
  const wallMs = clock.now() - start;
  const report = runReport({
    runId: id,
    scenario: s,
    seed: s.seed,
    log,
    summary: fold.summary(),
    clockActions: inbox.handled,
    simulatedMs: wallMs,
    wallMs,
  });
  store.finishRun(writer, {
    digest: report.digest,
    simEnd: clock.now(),
    eventCount: log.count,
    finishedAt,
    reportJson: JSON.stringify(report),
    parents: report.parents,
    passed: report.passed,
  });
  return report;
}

class Interrupted extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A paper run stopped by a signal; stored as interrupted, resumable. */
export class PaperInterrupted extends Error {
  override readonly name = 'PaperInterrupted';
  constructor(
    readonly runId: RunId,
    readonly reason: string,
  ) {
    super(`paper run ${runId} interrupted: ${reason}; continue it with execsim resume ${runId}`);
  }
}

/** How often the startup looks whether the venue's book has arrived (ms). */
const QUOTE_POLL_MS = 20;

/** Settles when the venue shows a bid or an ask for the symbol, or after `waitMs`. */
async function firstQuote(venue: LiveVenue, symbol: Symbol, waitMs: number): Promise<void> {
  const quoted = (): boolean => {
    const top = venue.topOfBook(symbol);
    return top.bid !== null || top.ask !== null;
  };
  const deadline = Date.now() + waitMs;
  while (!quoted() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, QUOTE_POLL_MS));
}

/** The environment variables that hold the venue's keys, for a message. */
function keyNames(venue: string): string {
  const keys = LIVE_VENUES.get(venue)?.keys ?? [];
  return keys.length > 0 ? keys.join(' and ') : "the venue's keys";
}
