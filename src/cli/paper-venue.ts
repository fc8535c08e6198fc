// What a paper run needs from the command line and the environment, for the scenario's venue as
// the live venue registry describes it (src/live/venue-registry.ts): the venue's URL
// (--venue-url, else the venue's URL variable, else its paper endpoint) and its keys, from the
// environment only (never flags: process lists and shell history show flags). The keys go to the
// adapter and nowhere else: not to the store, the log, a report or a message.
import type { PaperOptions } from '../runtime/paper-run.ts';
import { LIVE_VENUES, type VenueRegistry } from '../live/venue-registry.ts';
import { envKeys } from './env-keys.ts';
import { UsageError, type Io } from './io.ts';

export interface PaperVenue {
  /** The scenario's venue.name. */
  readonly name: string;
  readonly url: string;
  /** What gave the URL, for messages: "--venue-url", the venue's URL variable, or its endpoint. */
  readonly urlFrom: string;
  readonly marketHours: 'venue' | 'always';
  /** The keys' values, for the progress lines to keep out of what they print (a function, so
   *  that printing or serializing the venue shows none of them). */
  secrets(): readonly string[];
  /** The adapter factory (the SDK is loaded only when a paper run starts). */
  factory(): Promise<PaperOptions['venue']>;
}

/** Each registered venue's default URL, as the help says it. */
function urlDefaults(registry: VenueRegistry): string {
  return registry.entries
    .map((e) => {
      const others = Object.entries(e.endpoints ?? {}).filter(([, url]) => url !== e.paperUrl);
      const more = others.map(([name, url]) => ` (${url} with venue.endpoint: ${name})`).join('');
      return `$${e.urlEnv}, else ${e.paperUrl}${more}${registry.entries.length > 1 ? ` for ${e.name}` : ''}`;
    })
    .join('; ');
}

/** Each registered venue's key variables, as the help says them. */
export function keysHelp(registry: VenueRegistry = LIVE_VENUES): string {
  return registry.entries
    .map((e) => `${e.keys.join(' and ')}${registry.entries.length > 1 ? ` (${e.name})` : ''}`)
    .join('; ');
}

/** The --venue-url line of the help: the default of each registered venue. */
export function venueUrlHelp(registry: VenueRegistry = LIVE_VENUES): string {
  return `  --venue-url URL the venue's REST base URL (default: ${urlDefaults(registry)})`;
}

const gateways = LIVE_VENUES.entries.flatMap((e) => (e.gateway === undefined ? [] : [e.gateway]));

export const PAPER_FLAGS_HELP = `  --mode M        backtest (default: the scenario's mode) or paper: trade on the venue's paper account
${venueUrlHelp()};${gateways.length > 0 ? `\n                  e.g. http://127.0.0.1:8788 for a local execsim gateway ${gateways.join(' or ')}` : ''}
  --market-hours H venue (default: slices wait for the venue's trading hours) or always (a local
                  gateway that never closes)
Paper runs read the keys from ${keysHelp()} (never from flags).`;

/** A URL as a venue's base URL (no trailing slash), or a UsageError naming the flag. */
function baseUrl(text: string, usage: string): string {
  const url = text.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--venue-url must be an http(s) URL, got "${url}"`, usage);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--venue-url must be an http(s) URL, got "${url}"`, usage);
  return url;
}

/** --market-hours and --venue-url as given, checked before the venue is known, or a UsageError
 *  naming the flag (exit 2); the environment is not looked at. */
export function venueFlags(
  flagUrl: string | undefined,
  hours: string | undefined,
  usage: string,
): Pick<PaperVenue, 'marketHours'> & { readonly url: string | undefined } {
  const marketHours = hours ?? 'venue';
  if (marketHours !== 'venue' && marketHours !== 'always')
    throw new UsageError(`--market-hours must be venue or always, got "${marketHours}"`, usage);
  return { url: flagUrl === undefined ? undefined : baseUrl(flagUrl, usage), marketHours };
}

/** A scenario's venue as a paper run picks it: its name, and which of its paper venues. */
export interface PaperVenueChoice {
  readonly name: string;
  readonly endpoint?: string | undefined;
}

/** The paper venue of a scenario on venue `name` (and `venue.endpoint`, for a venue with more
 *  than one paper venue), or a UsageError naming what is missing or wrong (exit 2): a venue
 *  without a paper adapter, an endpoint it does not have, a bad flag or URL, keys not in the
 *  environment. The URL is --venue-url, else the venue's URL variable, else the endpoint's. */
export function paperVenue(
  venue: string | PaperVenueChoice,
  flagUrl: string | undefined,
  hours: string | undefined,
  io: Io,
  usage: string,
  registry: VenueRegistry = LIVE_VENUES,
): PaperVenue {
  const { name, endpoint } = typeof venue === 'string' ? { name: venue, endpoint: undefined } : venue;
  const refusal = registry.refusal(name);
  const entry = registry.get(name);
  if (refusal !== null || entry === undefined) throw new UsageError(refusal ?? `no venue "${name}"`, usage);
  const endpointUrl = endpoint === undefined ? entry.paperUrl : entry.endpoints?.[endpoint];
  if (endpointUrl === undefined) {
    const has = Object.keys(entry.endpoints ?? {});
    throw new UsageError(
      `venue.endpoint: ${name} has no paper endpoint "${endpoint}"${has.length > 0 ? `; it has ${has.join(', ')}` : ''}`,
      usage,
    );
  }
  const flags = venueFlags(flagUrl, hours, usage);
  const url = flags.url ?? baseUrl(io.env[entry.urlEnv] ?? endpointUrl, usage);
  const urlFrom =
    flags.url !== undefined
      ? '--venue-url'
      : io.env[entry.urlEnv] !== undefined
        ? `$${entry.urlEnv}`
        : `${entry.label}'s paper endpoint`;
  const found = envKeys(entry.keys, io.env);
  if ('missing' in found)
    throw new UsageError(
      `a paper run needs ${found.missing.join(' and ')} in the environment (the venue's paper key pair); nothing was run`,
      usage,
    );
  const { keys } = found;
  return {
    name,
    url,
    urlFrom,
    marketHours: flags.marketHours,
    secrets: () => Object.values(keys),
    factory: async () => {
      const create = await entry.load();
      return (instrument, clock, runId, { commissionPrices, instruments }) =>
        create({ instrument, clock, runId, url, keys, commissionPrices, ...(instruments ? { instruments } : {}) });
    },
  };
}
