// What a paper run needs from the command line and the environment: the venue's URL (--venue-url,
// else APCA_API_BASE_URL, else Alpaca's paper endpoint) and the key pair, from APCA_API_KEY_ID and
// APCA_API_SECRET_KEY only (never flags: process lists and shell history show flags). The keys go
// to the adapter and nowhere else: not to the store, the log, a report or a message.
import type { PaperOptions } from '../runtime/paper-run.ts';
import { UsageError, type Io } from './io.ts';

export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';

export interface PaperVenue {
  readonly url: string;
  readonly marketHours: 'venue' | 'always';
  /** The adapter factory (the SDK is loaded only when a paper run starts). */
  factory(): Promise<PaperOptions['venue']>;
}

export const PAPER_FLAGS_HELP = `  --mode M        backtest (default: the scenario's mode) or paper: trade on the venue's paper account
  --venue-url URL the venue's REST base URL (default: $APCA_API_BASE_URL, else ${ALPACA_PAPER_URL});
                  e.g. http://127.0.0.1:8788 for a local execsim gateway alpaca
  --market-hours H venue (default: slices wait for the venue's trading hours) or always (a local
                  gateway that never closes)
Paper runs read the keys from APCA_API_KEY_ID and APCA_API_SECRET_KEY (never from flags).`;

/** The venue's URL and market hours from the flags (and APCA_API_BASE_URL), or a UsageError
 *  naming the flag (exit 2); the keys are not looked at. */
export function venueFlags(
  flagUrl: string | undefined,
  hours: string | undefined,
  io: Io,
  usage: string,
): Pick<PaperVenue, 'url' | 'marketHours'> {
  const marketHours = hours ?? 'venue';
  if (marketHours !== 'venue' && marketHours !== 'always')
    throw new UsageError(`--market-hours must be venue or always, got "${marketHours}"`, usage);
  const url = (flagUrl ?? io.env['APCA_API_BASE_URL'] ?? ALPACA_PAPER_URL).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--venue-url must be an http(s) URL, got "${url}"`, usage);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--venue-url must be an http(s) URL, got "${url}"`, usage);
  return { url, marketHours };
}

/** The venue of a paper run, or a UsageError naming what is missing or wrong (exit 2). */
export function paperVenue(flagUrl: string | undefined, hours: string | undefined, io: Io, usage: string): PaperVenue {
  const { url, marketHours } = venueFlags(flagUrl, hours, io, usage);
  const keyId = io.env['APCA_API_KEY_ID'] ?? '';
  const secret = io.env['APCA_API_SECRET_KEY'] ?? '';
  const missing = [keyId === '' ? 'APCA_API_KEY_ID' : null, secret === '' ? 'APCA_API_SECRET_KEY' : null].filter(
    (x) => x !== null,
  );
  if (missing.length > 0)
    throw new UsageError(
      `a paper run needs ${missing.join(' and ')} in the environment (the venue's paper key pair); nothing was run`,
      usage,
    );
  return {
    url,
    marketHours,
    factory: async () => {
      const { AlpacaAdapter } = await import('../live/alpaca/alpaca-adapter.ts');
      return (instrument, clock, runId) =>
        new AlpacaAdapter({ instrument, keyId, secret, baseUrl: url, clock, clientIdNamespace: runId });
    },
  };
}
