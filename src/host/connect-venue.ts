// Connecting a live process's venue before anything is stored: the adapter on the run's clock
// for every instrument the scenario trades (its instrument, then its otherInstruments), the
// instruments and the account checked once (bounded), so an unreachable venue or refused keys
// end here (VenueUnavailable) with no run row; and a warning when the venue's market hours
// disagree with the run's. Details: docs/0065-the-host-layer.md.
import { makeInstrument, type Instrument } from '../core/model/instrument.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { Clock } from '../core/ports/clock.ts';
import { venueRules, type TradingHours } from '../core/venues/index.ts';
import type { LiveVenue, MarketClockReading } from '../live/live-venue.ts';
import { LIVE_VENUES } from '../live/venue-registry.ts';
import { WallClock } from '../live/wall-clock.ts';
import { commissionPricesOf } from '../scenario/commission-prices.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { scenarioInstruments } from '../scenario/scenario-requests.ts';

/** What the scenario tells the venue's adapter beyond the instrument. */
export interface VenueSettings {
  /** Quote prices of commission assets (scenario/commission-prices.ts). */
  readonly commissionPrices: ReadonlyMap<string, string>;
  /** Every instrument the run trades on the one account, the adapter's `instrument` first and
   *  then the scenario's otherInstruments; absent when it trades that one alone. */
  readonly instruments?: readonly Instrument[];
}

/** How to reach the venue, and what the connection may take. */
export interface ConnectOptions {
  /** Builds the venue's adapter on the run's clock (keys and URL are the caller's). `runId`
   *  names the run's orders at the venue (the adapter's client id namespace): a run's ids are
   *  derived from its scenario, so two runs of one scenario on one day would share them. */
  readonly venue: (instrument: Instrument, clock: Clock, runId: string, settings: VenueSettings) => LiveVenue;
  /** The process's clock: the wall clock (default), or one a test advances itself. Every timer
   *  of the process and its startup runs on it. */
  readonly clock?: Clock;
  /** Where the venue is, for messages. */
  readonly venueUrl: string;
  /** What gave `venueUrl` ("--venue-url", "$APCA_API_BASE_URL"), for a message saying it points
   *  at the wrong API; absent: "the venue URL". */
  readonly venueUrlFrom?: string;
  readonly warn?: (message: string) => void;
  /** Progress a person watching wants and a quiet command leaves out: that a local venue is not
   *  listening yet and is waited for. */
  readonly note?: (message: string) => void;
  /** How long the first account read may take before the venue is called unreachable (ms). */
  readonly preflightTimeoutMs?: number;
  /** 'venue' (default): slices wait for the venue's trading hours (its rules' calendar);
   *  'always': the venue never closes (a local gateway serving around the clock). */
  readonly marketHours?: 'venue' | 'always';
}

/** The venue cannot be used (unreachable, keys refused): nothing was stored. */
export class VenueUnavailable extends Error {
  override readonly name = 'VenueUnavailable';
}

/** A scenario, its instruments, the run's wall clock and the venue's adapter, connected. */
export interface LiveSession {
  readonly loaded: LoadedScenario<ScenarioFile>;
  /** The run's instrument (the first of `instruments`). */
  readonly instrument: Instrument;
  /** Every instrument the run trades, the run's first. */
  readonly instruments: readonly Instrument[];
  readonly clock: Clock;
  readonly venue: LiveVenue;
}

/** Builds the adapter and reads the account once: an unreachable venue or refused keys end
 *  here, before anything is stored. */
export async function connectVenue(
  loaded: LoadedScenario<ScenarioFile>,
  options: ConnectOptions,
  id: string,
): Promise<LiveSession> {
  const instrument = makeInstrument(loaded.scenario.instrument);
  const instruments =
    loaded.scenario.otherInstruments.length > 0 ? scenarioInstruments(loaded.scenario, instrument).all : [instrument];
  const clock =
    options.clock ??
    new WallClock((ms) =>
      options.warn?.(`the system clock stepped back ${ms} ms; the run's time holds until it catches up`),
    );
  const venue = options.venue(instrument, clock, id, {
    commissionPrices: commissionPricesOf(loaded.scenario),
    ...(instruments.length > 1 ? { instruments } : {}),
  });
  const deadline = clock.now() + (options.preflightTimeoutMs ?? 15_000);
  let answer: VenueMessage | null;
  /** The last read that failed: what to name when the bound cuts the next one short. */
  let lastFailed: VenueMessage | null = null;
  let waiting = false;
  for (;;) {
    // A venue that states its rules for each symbol (Binance's filters) refuses an instrument that
    // disagrees with them here, before anything is sent or stored.
    const refused = await venue.instrumentRefusal?.();
    if (refused) {
      await venue.stop();
      throw new VenueUnavailable(`the venue at ${options.venueUrl} refuses the run: ${refused}`);
    }
    answer = (await accountRead(venue, clock, deadline)) ?? lastFailed;
    if (answer?.kind === 'QueryFailedReport') lastFailed = answer;
    // A local venue that is not listening yet (a gateway started in the background a moment
    // before) is asked again until the deadline; a remote one that cannot be reached is not.
    if (!startingLocally(answer, options.venueUrl) || clock.now() + RETRY_MS >= deadline) break;
    if (!waiting)
      options.note?.(
        `nothing listens at ${options.venueUrl} yet: waiting for it up to ${Math.ceil((deadline - clock.now()) / 1000)} s`,
      );
    waiting = true;
    await new Promise<void>((resolve) => clock.schedule(resolve, RETRY_MS));
  }
  if (answer === null || answer.kind === 'QueryFailedReport') {
    await venue.stop();
    // Something answered, but not as the account read expects: the URL may be another venue's API.
    if (answer?.kind === 'QueryFailedReport' && answer.category !== 'network') {
      const from = options.venueUrlFrom ?? 'the venue URL';
      const wrong = await wrongApi(loaded.scenario.venue.name, options.venueUrl, from);
      if (wrong !== null) throw new VenueUnavailable(wrong);
    }
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
  return { loaded, instrument, instruments, clock, venue };
}

/**
 * What to say when the URL answers as another registered venue's API, or not as the scenario's
 * venue's (each entry's keyless probe); null when it answers as the scenario's venue, or when
 * that cannot be told (no probe, nothing answered the probe).
 */
export async function wrongApi(name: string, url: string, from: string): Promise<string | null> {
  const own = LIVE_VENUES.get(name);
  if (own?.answersAt === undefined || (await own.answersAt(url)) !== false) return null;
  const fix = `point it at ${own.label}'s API${own.gateway ? ` (locally: execsim gateway ${own.gateway})` : ''}; nothing was stored`;
  for (const other of LIVE_VENUES.entries) {
    if (other === own || other.answersAt === undefined) continue;
    if ((await other.answersAt(url)) === true)
      return `${from} ${url} answers as ${other.label}'s API (${other.name}), but the scenario trades on ${name}: ${fix}`;
  }
  return `${from} ${url} does not answer as ${own.label}'s API, which the scenario (on ${name}) needs: ${fix}`;
}

/** How often a local venue that refuses connections is asked again (ms). */
const RETRY_MS = 200;

/** The account, read once: the answer, a failed read, or null when none came by `deadline`. */
function accountRead(venue: LiveVenue, clock: Clock, deadline: number): Promise<VenueMessage | null> {
  return new Promise<VenueMessage | null>((resolve) => {
    const timer = clock.schedule(() => resolve(null), Math.max(0, deadline - clock.now()));
    venue.setReportHandler((m) => {
      if (m.kind !== 'AccountReport' && m.kind !== 'QueryFailedReport') return;
      timer.unsubscribe();
      resolve(m);
    });
    venue.queryAccount('preflight');
  });
}

/** Whether a failed read says the venue at a loopback URL refused the connection: nothing listens
 *  there yet. The adapters state the transport's failure as category 'network' with its code in
 *  the reason (ECONNREFUSED, whichever client library read it). */
export function startingLocally(answer: VenueMessage | null, venueUrl: string): boolean {
  if (answer?.kind !== 'QueryFailedReport' || answer.category !== 'network') return false;
  if (!answer.reason.includes('ECONNREFUSED')) return false;
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(venueUrl).hostname);
  } catch {
    return false;
  }
}

/**
 * What the venue's own clock says against the trading hours the run goes by, when they disagree
 * (null when they agree): slices wait for the hours the run goes by, so a venue open while the
 * run thinks it closed (a local gateway that never closes, a calendar past its end) holds every
 * slice, and the other way round sends orders the venue refuses or parks.
 */
export function marketHoursWarning(venue: MarketClockReading, hours: TradingHours, now: number): string | null {
  const ours = hours.isOpen(now);
  if (venue.isOpen === ours) return null;
  if (venue.isOpen)
    return "the venue says its market is open, but the run's trading hours say closed: slices wait for the next open (--market-hours always trades now)";
  const next = venue.nextOpen === null ? 'its next open' : new Date(venue.nextOpen).toISOString();
  return `the venue says its market is closed until ${next}, but the run's trading hours say open: orders sent now may be refused or held by the venue`;
}

/** The environment variables that hold the venue's keys, for a message. */
function keyNames(venue: string): string {
  const keys = LIVE_VENUES.get(venue)?.keys ?? [];
  return keys.length > 0 ? keys.join(' and ') : "the venue's keys";
}
