// Alpaca's entry in the gateway registry: `execsim gateway alpaca`, the APCA_* key pair its
// clients present (the variables Alpaca's SDKs read), what it serves, and how an SDK reaches it.
// The server itself (alpaca-gateway.ts: hono, ws) is loaded only when it starts.
import type { GatewayEntry } from '../gateway-entry.ts';
import type { AlpacaGateway } from './alpaca-gateway.ts';
import { ALPACA_PROFILE } from './alpaca-profile.ts';

const KEY_ID = 'APCA_API_KEY_ID';
const SECRET = 'APCA_API_SECRET_KEY';

const HELP = `alpaca: an Alpaca-compatible trading venue (without venue.account: 100,000 in cash, no
shares). REST (/v2/orders, /v2/positions (also closing them), /v2/account,
/v2/account/activities, /v2/clock, /v2/calendar, the latest quote and trade and the bars of each
symbol the scenario trades: its instrument and otherInstruments), the trade_updates websocket
(/stream) and the stocks market-data websocket (/v2/iex, /v2/sip) share one port.
  --fills alpaca-paper   Alpaca's documented paper rules (any size at the touch, no queue, no
                         impact, a random partial fill 10% of the time, seeded by the scenario's seed)
Environment: ${KEY_ID} and ${SECRET} are the key pair clients must present (the
same variables the Alpaca SDKs read); both are required and never printed.
The market-data websocket also takes them as APCA-API-KEY-ID and APCA-API-SECRET-KEY upgrade headers.`;

export const ALPACA_GATEWAY: GatewayEntry<AlpacaGateway> = {
  name: 'alpaca',
  profile: ALPACA_PROFILE,
  keys: [KEY_ID, SECRET],
  help: HELP,
  start: async ({ keys, ...options }) => {
    const { startAlpacaGateway } = await import('./alpaca-gateway.ts');
    return startAlpacaGateway({ ...options, keyId: keys[KEY_ID] ?? '', secretKey: keys[SECRET] ?? '' });
  },
  banner: (gateway) => {
    const s = gateway.venue.scenario;
    return [
      `execsim gateway: Alpaca-compatible venue on ${gateway.url} (scenario ${s.name}, ${gateway.venue.symbols().join(', ')}, fills: ${gateway.venue.fills})`,
      `  trade_updates stream: ${gateway.streamUrl}`,
      `  market-data stream: ${gateway.dataStreamUrl} (also /v2/sip; MessagePack or JSON)`,
      '  SDK v4 (@alpacahq/alpaca-trade-api):',
      `    const base = '${gateway.url}';`,
      '    const toGateway = { pre: async ({ url, init }) => ({ url: url.replace(/^https:\\/\\/[^/]+/, base), init }) };',
      `    const alpaca = new Alpaca({ keyId: process.env.${KEY_ID}, secret: process.env.${SECRET},`,
      '      middleware: [toGateway], retry: false, rateLimit: false });',
      `    const updates = alpaca.trading.stream({ url: '${gateway.streamUrl}' });`,
      `    const data = alpaca.marketData.stockStream({ feed: 'iex', url: '${gateway.dataStreamUrl}' });`,
      `  SDK v3 and other clients: APCA_API_BASE_URL=${gateway.url}`,
    ];
  },
};
