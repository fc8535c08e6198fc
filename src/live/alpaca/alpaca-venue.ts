// Alpaca's entry in the live venue registry: the APCA_* variables its SDKs read, its paper
// endpoint, and the adapter, loaded (with the SDK) only when a paper run starts.
import type { LiveVenueEntry } from '../venue-entry.ts';
import { bodyField, probeGet } from '../venue-probe.ts';

/** Alpaca's paper trading endpoint. */
export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
const KEY_ID = 'APCA_API_KEY_ID';
const SECRET = 'APCA_API_SECRET_KEY';

export const ALPACA_LIVE_VENUE: LiveVenueEntry = {
  name: 'alpaca-equities',
  label: 'Alpaca',
  keys: [KEY_ID, SECRET],
  urlEnv: 'APCA_API_BASE_URL',
  paperUrl: ALPACA_PAPER_URL,
  gateway: 'alpaca',
  // Alpaca's trading API answers every keyless request 401 or 403 with a JSON {message}
  // ({code, message}); the market clock, with keys, is {is_open, ...}. Binance's errors are
  // {code, msg}, and it has no /v2/clock.
  answersAt: async (url) => {
    const answer = await probeGet(url, '/v2/clock');
    if (answer === null) return null;
    if (answer.status === 200) return typeof bodyField(answer.body, 'is_open') === 'boolean';
    return (answer.status === 401 || answer.status === 403) && typeof bodyField(answer.body, 'message') === 'string';
  },
  load: async () => {
    const { AlpacaAdapter } = await import('./alpaca-adapter.ts');
    return ({ instrument, instruments, clock, runId, url, keys }) =>
      new AlpacaAdapter({
        instrument,
        ...(instruments === undefined ? {} : { instruments }),
        keyId: keys[KEY_ID] ?? '',
        secret: keys[SECRET] ?? '',
        baseUrl: url,
        clock,
        clientIdNamespace: runId,
      });
  },
};
