// `execsim gateway binance`: a Binance-spot-compatible server backed by the simulated venue of a
// scenario on the wall clock (../gateway-venue.ts), its orders at the venue-neutral order desk
// (../gateway-orders.ts). REST (/api/v3/...), the market streams (/ws/<stream>, /stream?streams=)
// and the WebSocket API with the user data stream (/ws-api/v3) share one port; REST and the user
// data stream check the gateway's key pair (HMAC-SHA256 signatures), the market streams are
// public as Binance's are. Every symbol of the scenario (its instrument and otherInstruments) is
// served on the one account, each with its own market; all must share one quote asset, the
// account's balance.
import type { ExecEvent } from '../../core/model/events.ts';
import type { GatewayVenue, GatewayVenueOptions } from '../gateway-venue.ts';
import { gatewayWorld, listenGateway } from '../gateway-server.ts';
import { assetsOf } from '../../core/fills/fees.ts';
import { ScenarioError } from '../../scenario/load-scenario.ts';
import type { MarketFeed } from '../market-feed.ts';
import { StallGate } from '../wire-faults.ts';
import { BINANCE_PROFILE } from './binance-profile.ts';
import { BinanceOrders, type UserEvent } from './binance-orders.ts';
import type { DepthBook } from './depth-book.ts';
import { MarketRest } from './market-rest.ts';
import { MarketStreams } from './market-streams.ts';
import { priceOnlySymbol } from './price-only-symbol.ts';
import { symbolMarkets, type SymbolMarket } from './symbol-market.ts';
import { BINANCE_LIMITS, RequestLimits, type LimitSettings } from './request-limits.ts';
import { UnfilledOrders } from './unfilled-orders.ts';
import { createRestApp } from './rest.ts';
import { RequestSigner } from './signed-request.ts';
import { BINANCE_SOCKET_LIFE, type SocketLifeSettings } from './socket-life.ts';
import { WsApi } from './ws-api.ts';

export interface BinanceGatewayOptions {
  readonly scenarioFile: string;
  readonly apiKey: string;
  readonly secretKey: string;
  readonly port?: number;
  readonly host?: string;
  readonly hours?: GatewayVenueOptions['hours'];
  readonly fills?: GatewayVenueOptions['fills'];
  readonly warn?: (message: string) => void;
  readonly onEvent?: (event: ExecEvent) => void;
  /** Binance's request limits unless given (tests lower them). */
  readonly limits?: Partial<LimitSettings>;
  /** Binance's ping interval, pong timeout and connection lifetime unless given (tests shorten them). */
  readonly socketLife?: Partial<SocketLifeSettings>;
  /** Every user data event as published (tests). */
  readonly onUserEvent?: (event: UserEvent) => void;
  /** List the commission asset's symbol for its price (price-only-symbol.ts) when the scenario
   *  states commissions in another asset: true unless given (a test of a venue that lists no
   *  such ticker turns it off). */
  readonly commissionTicker?: boolean;
  /** The wall clock (epoch ms) unless given (gateway-server.ts). */
  readonly now?: () => number;
}

export interface BinanceGateway {
  /** http://host:port (no trailing slash): REST is under /api/v3. */
  readonly url: string;
  /** ws://host:port/ws: the market streams' base (ccxt's urls.api.ws.spot). */
  readonly streamUrl: string;
  /** ws://host:port/ws-api/v3: the WebSocket API (ccxt's urls.api.ws['ws-api'].spot). */
  readonly wsApiUrl: string;
  readonly port: number;
  readonly venue: GatewayVenue;
  /** The first symbol's public tape and quotes as the gateway serves them (trades, klines, tickers). */
  readonly feed: MarketFeed;
  readonly orders: BinanceOrders;
  /** The first symbol's public book. */
  readonly depth: DepthBook;
  /** Every served symbol's market (feed, tape, depth), by symbol, the first served first. */
  readonly markets: ReadonlyMap<string, SymbolMarket>;
  readonly streams: MarketStreams;
  readonly wsApi: WsApi;
  /** Sends serverShutdown on every websocket, then stops the server and the venue's timers. */
  close(): Promise<void>;
}

export async function startBinanceGateway(options: BinanceGatewayOptions): Promise<BinanceGateway> {
  const signer = new RequestSigner(options.apiKey, options.secretKey);
  const { gv, wire } = gatewayWorld(options, BINANCE_PROFILE);
  // The account has one quote balance: every symbol must be quoted in it (its balance is listed
  // as that one asset). A symbol quoted in another is refused whole, before anything listens.
  const quote = assetsOf(gv.instrument.symbol).quote;
  const otherQuote = gv.symbols().filter((symbol) => assetsOf(symbol).quote !== quote);
  if (otherQuote.length > 0) {
    gv.stop();
    throw new ScenarioError(
      `${gv.file}: otherInstruments: the Binance gateway serves symbols quoted in the account's one quote asset, ${quote}, so ${otherQuote.join(', ')} cannot be traded here`,
    );
  }
  const skewMs = gv.scenario.venue.clockSkewMs;
  const now = () => gv.clock.now() + skewMs;
  const life = { ...BINANCE_SOCKET_LIFE, ...options.socketLife };
  const limitSettings = { ...BINANCE_LIMITS, ...options.limits };
  const wsApi = new WsApi({ signer, now, life, gate: new StallGate(wire, gv.clock, 'user data') });
  const unfilled = new UnfilledOrders(limitSettings, now);
  const orders = new BinanceOrders(
    gv,
    wire,
    (event) => {
      options.onUserEvent?.(event);
      wsApi.publish(event);
    },
    // Read when an order comes, by then the markets are built.
    (symbol) => markets.get(symbol)?.feed.prints.at(-1)?.price ?? null,
    () => unfilled.firstFill(),
  );
  const [first, ...others] = symbolMarkets(gv, (symbol) => orders.resting(symbol)) as [SymbolMarket, ...SymbolMarket[]];
  const markets = new Map([first, ...others].map((m) => [m.inst.symbol as string, m]));
  const market = new MarketRest({
    ...first,
    others,
    limits: limitSettings,
    now,
    priceOnly: options.commissionTicker === false ? null : priceOnlySymbol(gv.scenario, gv.instrument),
  });
  const streams = new MarketStreams({
    markets: [first, ...others],
    now,
    life,
    gate: new StallGate(wire, gv.clock, 'market streams'),
  });
  gv.start();
  const app = createRestApp({
    orders,
    market,
    scenario: gv.scenario,
    signer,
    limits: new RequestLimits(limitSettings, now),
    unfilled,
    wire,
    clock: gv.clock,
    now,
  });
  const host = options.host ?? '127.0.0.1';
  const server = await listenGateway(
    app.fetch,
    host,
    options.port ?? 0,
    (path) =>
      WsApi.serves(path)
        ? (req, socket, head) => wsApi.upgrade(req, socket, head)
        : MarketStreams.serves(path)
          ? (req, socket, head) => streams.upgrade(req, socket, head)
          : null,
    async () => {
      gv.stop();
      await streams.close();
      await wsApi.close();
    },
  );
  const where = server.authority;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${where}`,
    streamUrl: `ws://${where}/ws`,
    wsApiUrl: `ws://${where}/ws-api/v3`,
    port: server.port,
    venue: gv,
    feed: first.feed,
    orders,
    depth: first.depth,
    markets,
    streams,
    wsApi,
    close: () =>
      (closed ??= (async () => {
        await streams.close();
        await wsApi.close();
        gv.stop();
        await server.close();
      })()),
  };
}
