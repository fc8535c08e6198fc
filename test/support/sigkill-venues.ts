// The venues the crash-safety test (test/paper/paper-sigkill.test.ts) kills paper runs on, one table
// entry each: the local gateway it starts in the test's process (on a deep static book, or on a
// market that trades for an algorithm that follows the tape), the paper TWAP, VWAP, POV and module
// parent and the keys the child processes get, the hooks that tell the test when the gateway takes an order and when it
// publishes a fill, and the venue's own view of the round read through the venue's own client (the
// official Alpaca SDK; ccxt for Binance), as a bot or an operator would read it. Everything else
// (the kill plan, the lives, the checks) is shared by the test; the benchmark-resume test
// (test/paper/paper-benchmark-resume.test.ts) runs its kill and resume on the same table.
import ccxt from 'ccxt';
import { startAlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { startBinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import type { GatewayOrders } from '../../src/gateway/gateway-orders.ts';
import type { GatewayVenue } from '../../src/gateway/gateway-venue.ts';
import type { MarketFeed } from '../../src/gateway/market-feed.ts';
import { wireFailure } from '../../src/live/alpaca/alpaca-failures.ts';
import { alpacaEndpoints, makeAlpacaClient } from '../../src/live/alpaca/alpaca-sdk.ts';
import { HashedClientIdNamespace } from '../../src/live/hashed-client-id-namespace.ts';

/** One order as the venue lists it, quantities in the instrument's lots. */
export interface VenueOrder {
  /** The client order id at the venue (the run's namespace and the local id). */
  readonly wireId: string;
  readonly qty: number;
  readonly filled: number;
  readonly status: string;
  readonly open: boolean;
}

/** What the test counts at the gateway while a life runs. */
export interface GatewayHooks {
  /** The gateway took an order request (before it reaches the venue). */
  onSubmit(): void;
  /** The gateway published a fill (before the client has it). */
  onFill(): void;
}

/** One round's gateway and the venue's view of it. */
export interface VenueRound {
  readonly url: string;
  /** The simulated venue behind the gateway (its own record: the position). */
  readonly venue: GatewayVenue;
  /** The venue's public tape as the gateway serves it (every print, ours and others'). */
  readonly feed: MarketFeed;
  /** The gateway's order desk (its own record: every execution). */
  readonly desk: GatewayOrders;
  /** Every order the venue lists for the symbol (the gateway's first when not named), read
   *  through the venue's client. */
  orders(symbol?: string): Promise<VenueOrder[]>;
  /** The quantity of every execution of the symbol the venue lists (its fills, through the client). */
  executed(symbol?: string): Promise<number>;
  /** The account's position in the symbol, through the client. */
  position(symbol?: string): Promise<number>;
  /** The simulator's own record of the symbol: every execution's quantity, and the position. */
  simulated(symbol?: string): { readonly executed: number; readonly position: number };
  close(): Promise<void>;
}

/** One parent of a run of several symbols: its symbol, its id, its quantity in lots and the
 *  symbol's lot size (absent: the venue's `lot`). */
export interface SymbolLeg {
  readonly symbol: string;
  readonly parent: string;
  readonly lots: number;
  readonly lot?: number;
}

export interface SigkillVenue {
  readonly name: string;
  /** The paper TWAP the lives run (`mode: paper`, the parent `twap-buy`). */
  readonly twapFile: string;
  /** The same parent as a paper VWAP (`vwap-buy`, a given profile on the TWAP's grid), a paper
   *  POV (`pov-buy`, completing at its end) and a parent a user's algorithm module the file
   *  declares decides (`module-buy`), of the same quantity. */
  readonly algoFiles: Readonly<Record<'vwap' | 'pov' | 'module', string>>;
  /** The parent's quantity in lots. */
  readonly parentLots: number;
  /** The instrument's lot size: decimal quantities in the store are whole multiples of it. */
  readonly lot: number;
  /** The environment the CLI reads the venue's keys from. */
  readonly env: Readonly<Record<string, string>>;
  /** The local id a venue client id stands for in this run's namespace, or null when it is not
   *  the run's. */
  localId(runId: string, wireId: string): string | null;
  /** A run of two symbols on one account, when the venue's gateway serves several: the paper
   *  file (a TWAP per symbol) and each symbol's parent. */
  readonly twoSymbols?: { readonly file: string; readonly legs: readonly SymbolLeg[] };
  /** Starts the round's gateway on the deep static book ('book'), on a market where others
   *  trade ('tape'), or on the deep books of two symbols ('two'). */
  start(hooks: GatewayHooks, traded?: 'book' | 'tape' | 'two'): Promise<VenueRound>;
}

/** The simulator's record of `symbol` behind a gateway: its executions (the desk's, by the
 *  order's symbol; absent: the first) and its exchange's position. */
function simulatedOf(venue: GatewayVenue, desk: GatewayOrders, symbol: string): { executed: number; position: number } {
  const first = venue.instrument.symbol;
  const executed = desk.holdings
    .executions()
    .filter(({ rec }) => (rec.symbol ?? first) === symbol)
    .reduce((s, e) => s + e.trade.qty, 0);
  return { executed, position: venue.servedSymbol(symbol)?.exchange.position ?? 0 };
}

const FIXTURES = 'test/fixtures/paper';
const lotsOf = (v: unknown, lot: number): number => Math.round(Number(v ?? 0) / lot);

const ALPACA_KEY = 'sigkilltestkey01';
const ALPACA_SECRET = 'sigkilltestsecret0123456789';

/** Alpaca: `<runId>-<id>` client ids (unique forever), read with the official SDK. */
export const ALPACA: SigkillVenue = {
  name: 'alpaca',
  twapFile: `${FIXTURES}/sigkill-twap.yaml`,
  algoFiles: {
    vwap: `${FIXTURES}/sigkill-vwap.yaml`,
    pov: `${FIXTURES}/sigkill-pov.yaml`,
    module: `${FIXTURES}/sigkill-module.yaml`,
  },
  parentLots: 160,
  lot: 1,
  env: { APCA_API_KEY_ID: ALPACA_KEY, APCA_API_SECRET_KEY: ALPACA_SECRET },
  localId: (runId, wireId) => (wireId.startsWith(`${runId}-`) ? wireId.slice(runId.length + 1) : null),
  twoSymbols: {
    file: `${FIXTURES}/sigkill-two-symbols.yaml`,
    legs: [
      { symbol: 'AAPL', parent: 'twap-buy', lots: 160 },
      { symbol: 'MSFT', parent: 'msft-buy', lots: 80 },
    ],
  },
  async start(hooks, traded = 'book') {
    const venueFile = { book: 'sigkill-venue.yaml', tape: 'sigkill-venue-tape.yaml', two: 'sigkill-two-venue.yaml' };
    const gw = await startAlpacaGateway({
      scenarioFile: `${FIXTURES}/${venueFile[traded]}`,
      keyId: ALPACA_KEY,
      secretKey: ALPACA_SECRET,
      port: 0,
      onUpdate: (u) => {
        if (u.event === 'fill' || u.event === 'partial_fill') hooks.onFill();
      },
    });
    const submit = gw.orders.submit.bind(gw.orders);
    gw.orders.submit = (body: unknown) => {
      hooks.onSubmit();
      return submit(body);
    };
    const sdk = makeAlpacaClient({
      keyId: ALPACA_KEY,
      secret: ALPACA_SECRET,
      endpoints: alpacaEndpoints(gw.url),
      requestTimeoutMs: 5_000,
    });
    const first = gw.venue.instrument.symbol;
    const field = (o: Record<string, unknown>, camel: string, snake: string): unknown => o[camel] ?? o[snake];
    return {
      url: gw.url,
      venue: gw.venue,
      feed: gw.feed,
      desk: gw.orders.desk,
      simulated: (symbol = first) => simulatedOf(gw.venue, gw.orders.desk, symbol),
      async orders(symbol = first) {
        const all = await sdk.trading.orders.getAllOrders({
          status: 'all',
          direction: 'asc',
          limit: 500,
          symbols: symbol,
        });
        return (all as unknown as Array<Record<string, unknown>>).map((o) => {
          const status = String(o['status']);
          return {
            wireId: String(field(o, 'clientOrderId', 'client_order_id')),
            qty: lotsOf(o['qty'], 1),
            filled: lotsOf(field(o, 'filledQty', 'filled_qty'), 1),
            status,
            open: ['new', 'partially_filled', 'pending_cancel', 'accepted', 'pending_new'].includes(status),
          };
        });
      },
      async executed(symbol = first) {
        const fills = await sdk.trading.accountActivities.getAccountActivitiesByActivityType({
          activityType: 'FILL',
          direction: 'asc',
          pageSize: 100,
        });
        const rows = fills as unknown as Array<Record<string, unknown>>;
        if (rows.length >= 100) throw new Error('more than one page of fills: read the next pages');
        return rows.filter((f) => f['symbol'] === symbol).reduce((s, f) => s + lotsOf(f['qty'], 1), 0);
      },
      async position(symbol = first) {
        try {
          const p = (await sdk.trading.positions.getOpenPosition({ symbolOrAssetId: symbol })) as unknown as Record<
            string,
            unknown
          >;
          return lotsOf(p['qty'], 1);
        } catch (err) {
          if (wireFailure(err).httpStatus === 404) return 0; // flat
          throw err;
        }
      },
      close: () => gw.close(),
    };
  },
};

const BINANCE_KEY = 'sigkill-binance-key';
const BINANCE_SECRET = 'sigkill-binance-secret';

/** Binance: client ids hashed from the run id into 36 characters (unique among open orders
 *  only), read with ccxt over the gateway's REST API. */
export const BINANCE: SigkillVenue = {
  name: 'binance',
  twapFile: `${FIXTURES}/sigkill-binance-twap.yaml`,
  algoFiles: {
    vwap: `${FIXTURES}/sigkill-binance-vwap.yaml`,
    pov: `${FIXTURES}/sigkill-binance-pov.yaml`,
    module: `${FIXTURES}/sigkill-binance-module.yaml`,
  },
  parentLots: 16_000, // 0.16 BTC
  lot: 0.00001,
  env: { BINANCE_API_KEY: BINANCE_KEY, BINANCE_API_SECRET: BINANCE_SECRET },
  localId: (runId, wireId) => new HashedClientIdNamespace(runId, 36).local(wireId),
  twoSymbols: {
    file: `${FIXTURES}/sigkill-binance-two-symbols.yaml`,
    legs: [
      { symbol: 'BTCUSDT', parent: 'twap-buy', lots: 16_000, lot: 0.00001 },
      { symbol: 'ETHUSDT', parent: 'eth-buy', lots: 16_000, lot: 0.0001 },
    ],
  },
  async start(hooks, traded = 'book') {
    const venueFile = {
      book: 'sigkill-binance-venue.yaml',
      tape: 'sigkill-binance-venue-tape.yaml',
      two: 'sigkill-binance-two-venue.yaml',
    };
    const gw = await startBinanceGateway({
      scenarioFile: `${FIXTURES}/${venueFile[traded]}`,
      apiKey: BINANCE_KEY,
      secretKey: BINANCE_SECRET,
      port: 0,
      onUserEvent: (e) => {
        if (e['e'] === 'executionReport' && e['x'] === 'TRADE') hooks.onFill();
      },
    });
    const submit = gw.orders.submit.bind(gw.orders);
    gw.orders.submit = (f) => {
      hooks.onSubmit();
      return submit(f);
    };
    // ccxt as a bot points it at a local venue: spot markets only, REST at the gateway.
    const ex = new ccxt.binance({
      apiKey: BINANCE_KEY,
      secret: BINANCE_SECRET,
      options: {
        defaultType: 'spot',
        fetchMarkets: { types: ['spot'] },
        fetchCurrencies: false,
        fetchMargins: false,
        adjustForTimeDifference: false,
      },
    });
    const api = ex.urls['api'] as Record<string, unknown>;
    api['public'] = `${gw.url}/api/v3`;
    api['private'] = `${gw.url}/api/v3`;
    // Each symbol's ccxt market, lot size and base asset.
    const markets: Record<string, { market: string; lot: number; base: string }> = {
      BTCUSDT: { market: 'BTC/USDT', lot: 0.00001, base: 'BTC' },
      ETHUSDT: { market: 'ETH/USDT', lot: 0.0001, base: 'ETH' },
    };
    const first = gw.venue.instrument.symbol;
    const of = (symbol: string) => {
      const m = markets[symbol];
      if (m === undefined) throw new Error(`no market ${symbol} in the sigkill table`);
      return m;
    };
    return {
      url: gw.url,
      venue: gw.venue,
      feed: gw.feed,
      desk: gw.orders.desk,
      simulated: (symbol = first) => simulatedOf(gw.venue, gw.orders.desk, symbol),
      async orders(symbol = first) {
        const { market, lot } = of(symbol);
        const all = await ex.fetchOrders(market, undefined, 1000);
        return all.map((o) => ({
          wireId: String(o.clientOrderId),
          qty: lotsOf(o.amount, lot),
          filled: lotsOf(o.filled, lot),
          status: String(o.status),
          open: o.status === 'open',
        }));
      },
      async executed(symbol = first) {
        const { market, lot } = of(symbol);
        const trades = await ex.fetchMyTrades(market, undefined, 1000);
        return trades.reduce((s, t) => s + lotsOf(t.amount, lot), 0);
      },
      async position(symbol = first) {
        const { base, lot } = of(symbol);
        const balance = await ex.fetchBalance();
        return lotsOf((balance[base] as { total?: number } | undefined)?.total, lot);
      },
      close: async () => {
        await ex.close();
        await gw.close();
      },
    };
  },
};
