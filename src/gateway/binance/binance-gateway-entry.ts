// Binance's entry in the gateway registry: `execsim gateway binance`, the BINANCE_* key pair its
// clients sign with (the variables execsim's own Binance adapter reads), what it serves, and how
// ccxt reaches it. The server itself (binance-gateway.ts: hono, ws) is loaded only when it starts.
import type { GatewayEntry } from '../gateway-entry.ts';
import type { BinanceGateway } from './binance-gateway.ts';
import { BINANCE_PROFILE } from './binance-profile.ts';

const KEY = 'BINANCE_API_KEY';
const SECRET = 'BINANCE_API_SECRET';

const HELP = `binance: a Binance-spot-compatible venue (without venue.account: 10,000 of the quote asset
and 1 of the base, as Binance's spot test network credits). Every symbol of the scenario (its
instrument and otherInstruments, all quoted in one asset) trades on one account. REST (/api/v3:
exchangeInfo with each symbol's filters, depth, trades, klines, tickers, orders, allOrders,
myTrades, account; HMAC-SHA256 signatures, recvWindow, request weight and order-count limits),
the market streams (/ws/<stream>, /stream?streams=: depth diffs, bookTicker, trade, kline) and the
WebSocket API's user data stream (/ws-api/v3, userDataStream.subscribe.signature) share one port.
Environment: ${KEY} and ${SECRET} are the key pair clients sign with; both are required
and never printed.`;

export const BINANCE_GATEWAY: GatewayEntry<BinanceGateway> = {
  name: 'binance',
  profile: BINANCE_PROFILE,
  keys: [KEY, SECRET],
  help: HELP,
  start: async ({ keys, ...options }) => {
    const { startBinanceGateway } = await import('./binance-gateway.ts');
    return startBinanceGateway({ ...options, apiKey: keys[KEY] ?? '', secretKey: keys[SECRET] ?? '' });
  },
  banner: (gateway) => {
    const s = gateway.venue.scenario;
    return [
      `execsim gateway: Binance-compatible venue on ${gateway.url} (scenario ${s.name}, ${gateway.venue.symbols().join(', ')}, fills: ${gateway.venue.fills})`,
      `  REST: ${gateway.url}/api/v3`,
      `  market streams: ${gateway.streamUrl}/<stream>, combined: ${gateway.url.replace(/^http/, 'ws')}/stream?streams=`,
      `  WebSocket API (user data stream): ${gateway.wsApiUrl}`,
      '  ccxt:',
      `    const ex = new ccxt.pro.binance({ apiKey: process.env.${KEY}, secret: process.env.${SECRET},`,
      "      options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false,",
      '        fetchMargins: false, adjustForTimeDifference: false } });',
      `    ex.urls.api.public = ex.urls.api.private = '${gateway.url}/api/v3';`,
      `    ex.urls.api.ws.spot = '${gateway.streamUrl}';`,
      `    ex.urls.api.ws['ws-api'].spot = '${gateway.wsApiUrl}';`,
      '    await ex.loadHttpProxyAgent(); // ccxt needs it once for ws:// URLs',
    ];
  },
};
