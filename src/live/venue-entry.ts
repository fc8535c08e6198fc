// What a live venue registers: its name (the scenario's venue.name), the environment variables it
// reads (names only), where its paper account is, and a factory that builds its adapter (loading
// the vendor SDK only when called). The values of the keys go to the factory and nowhere else:
// not to a log, the store, a report or a message.
import type { Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { VenueId } from '../core/venues/index.ts';
import type { LiveVenue } from './live-venue.ts';

/** What an adapter is built from. */
export interface LiveVenueConfig {
  /** The run's instrument (the first of `instruments`). */
  readonly instrument: Instrument;
  /** Every instrument the run trades on the one account, the scenario's `instrument` first and
   *  then its `otherInstruments`; absent: `instrument` alone. */
  readonly instruments?: readonly Instrument[];
  readonly clock: Clock;
  /** Names the run's orders at the venue (the adapter's client id namespace): a run's ids are
   *  derived from its scenario, so two runs of one scenario on one day would share them. */
  readonly runId: string;
  /** The venue's REST base URL, without a trailing slash. */
  readonly url: string;
  /** The value of each of the entry's `keys`, by variable name (never empty). */
  readonly keys: Readonly<Record<string, string>>;
  /** The scenario's quote prices of commission assets (`BNB` -> "600"): an adapter whose venue
   *  takes commissions in another asset values them at these first. */
  readonly commissionPrices?: ReadonlyMap<string, string>;
}

export type LiveVenueFactory = (config: LiveVenueConfig) => LiveVenue;

export interface LiveVenueEntry {
  /** The scenario's venue.name this adapter trades on. */
  readonly name: VenueId;
  /** The venue's own name, for messages ("Alpaca"). */
  readonly label: string;
  /** The environment variables holding the credentials, all required (read by the CLI only). */
  readonly keys: readonly string[];
  /** The environment variable that may give the REST base URL instead of the paper endpoint. */
  readonly urlEnv: string;
  /** The venue's paper trading endpoint: where a paper run goes by default. */
  readonly paperUrl: string;
  /** A venue with more than one paper venue: their URLs by the name a scenario's
   *  `venue.endpoint` gives (Binance: demo, testnet); paperUrl is the one without it. */
  readonly endpoints?: Readonly<Record<string, string>>;
  /** The `execsim gateway` venue that imitates this one locally, for help texts. */
  readonly gateway?: string;
  /** Whether the server at `url` answers as this venue's REST API, asked without keys (never
   *  with them: the URL may be another venue's): true or false when it answered over HTTP, null
   *  when nothing answered. For the message of a run pointed at the wrong API. */
  answersAt?(url: string): Promise<boolean | null>;
  /** The adapter's factory; the first call loads the adapter and its SDK. */
  load(): Promise<LiveVenueFactory>;
}
