// Binance spot's entry in the live venue registry: the BINANCE_* variables holding the key pair,
// its paper venues (Demo Mode by default, the spot testnet by `venue.endpoint: testnet`), and the
// adapter, loaded (with ccxt) only when a paper run starts. Demo Mode is the default because its
// prices, books and filters follow the live exchange; the testnet is thin, is reset about monthly
// without notice and has been seen to expire market orders for minutes.
import type { LiveVenueEntry } from '../venue-entry.ts';
import { bodyField, probeGet } from '../venue-probe.ts';

/** Binance's paper venues: Demo Mode and the spot testnet. */
export const BINANCE_DEMO_URL = 'https://demo-api.binance.com';
export const BINANCE_TESTNET_URL = 'https://testnet.binance.vision';
const KEY = 'BINANCE_API_KEY';
const SECRET = 'BINANCE_API_SECRET';

export const BINANCE_LIVE_VENUE: LiveVenueEntry = {
  name: 'binance-spot',
  label: 'Binance',
  keys: [KEY, SECRET],
  urlEnv: 'BINANCE_API_URL',
  paperUrl: BINANCE_DEMO_URL,
  endpoints: { demo: BINANCE_DEMO_URL, testnet: BINANCE_TESTNET_URL },
  gateway: 'binance',
  // Binance's server time is public: {serverTime} in ms. Alpaca refuses a keyless request.
  answersAt: async (url) => {
    const answer = await probeGet(url, '/api/v3/time');
    if (answer === null) return null;
    return answer.status === 200 && typeof bodyField(answer.body, 'serverTime') === 'number';
  },
  load: async () => {
    const { BinanceAdapter } = await import('./binance-adapter.ts');
    return ({ instrument, instruments, clock, runId, url, keys, commissionPrices }) =>
      new BinanceAdapter({
        instrument,
        ...(instruments === undefined ? {} : { instruments }),
        clock,
        runId,
        url,
        apiKey: keys[KEY] ?? '',
        secret: keys[SECRET] ?? '',
        ...(commissionPrices === undefined ? {} : { commissionPrices }),
      });
  },
};
