// `execsim gateway alpaca`: an Alpaca-compatible server backed by the simulated venue of a
// scenario on the wall clock. REST (trading and the market data of every symbol the scenario
// trades: its instrument and otherInstruments), the trade_updates websocket (/stream) and the
// stocks market-data websocket (/v2/iex, /v2/sip, /v2/delayed_sip) share one port; all check the
// gateway's key pair.
import { randomUUID } from 'node:crypto';
import type { ExecEvent } from '../../core/model/events.ts';
import type { GatewayVenue, GatewayVenueOptions } from '../gateway-venue.ts';
import { gatewayWorld, listenGateway } from '../gateway-server.ts';
import { keyPairCheck } from '../socket-auth.ts';
import { StallGate } from '../wire-faults.ts';
import { AlpacaAccount } from './account.ts';
import { FillActivities } from './activities.ts';
import { AlpacaOrders, type TradeUpdate } from './alpaca-orders.ts';
import { ALPACA_PROFILE } from './alpaca-profile.ts';
import { MarketFeed } from '../market-feed.ts';
import { MarketDataStream } from './market-stream.ts';
import { createRestApp, type SymbolMarket } from './rest.ts';
import { dailyHistoryOf } from '../daily-history.ts';
import { minuteHistoryOf } from '../minute-history.ts';
import { TradeUpdatesStream } from './stream.ts';
import { everyMinuteBar } from './stream-bars.ts';

export interface AlpacaGatewayOptions {
  readonly scenarioFile: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly port?: number;
  readonly host?: string;
  readonly hours?: GatewayVenueOptions['hours'];
  /** Who fills orders: 'book' (the simulated venue, default) or 'alpaca-paper' (Alpaca's paper rules). */
  readonly fills?: GatewayVenueOptions['fills'];
  readonly warn?: (message: string) => void;
  readonly onEvent?: (event: ExecEvent) => void;
  /** Every trade update as published (tests). */
  readonly onUpdate?: (update: TradeUpdate) => void;
  /** The wall clock (epoch ms) unless given (gateway-server.ts). */
  readonly now?: () => number;
}

export interface AlpacaGateway {
  /** http://host:port (no trailing slash): the base URL for REST. */
  readonly url: string;
  /** ws://host:port/stream */
  readonly streamUrl: string;
  /** ws://host:port/v2/iex: the stocks market-data stream (/v2/sip and /v2/delayed_sip serve the same). */
  readonly dataStreamUrl: string;
  readonly port: number;
  readonly venue: GatewayVenue;
  readonly orders: AlpacaOrders;
  readonly stream: TradeUpdatesStream;
  readonly marketData: MarketDataStream;
  /** The first symbol's market feed. */
  readonly feed: MarketFeed;
  /** Every served symbol's market feed. */
  readonly feeds: ReadonlyMap<string, MarketFeed>;
  /** Stops the server, the stream and the venue's timers. */
  close(): Promise<void>;
}

export async function startAlpacaGateway(options: AlpacaGatewayOptions): Promise<AlpacaGateway> {
  const authorized = keyPairCheck(options.keyId, options.secretKey);
  const { gv, wire } = gatewayWorld(options, ALPACA_PROFILE);
  const stream = new TradeUpdatesStream(authorized, new StallGate(wire, gv.clock, 'trade_updates'));
  const activities = new FillActivities();
  const orders = new AlpacaOrders(gv, (u) => {
    options.onUpdate?.(u);
    activities.record(u);
    stream.publish(u);
  });
  const feeds = new Map(gv.symbols().map((symbol) => [symbol as string, new MarketFeed(gv, symbol)]));
  const feed = feeds.get(gv.instrument.symbol) as MarketFeed;
  const marketData = new MarketDataStream({
    instruments: gv.served.map((one) => one.instrument),
    skewMs: gv.scenario.venue.clockSkewMs,
    authorized,
    gate: new StallGate(wire, gv.clock, 'market data'),
  });
  for (const f of feeds.values()) f.onNews((prints, quote) => marketData.publish(f.symbol, prints, quote));
  gv.start();
  everyMinuteBar(gv.clock, gv.scenario.venue.clockSkewMs, [...feeds.values()], (symbol, bar) =>
    marketData.publishBar(symbol, bar),
  );
  const account = new AlpacaAccount(gv, orders, feeds, randomUUID());
  const skewMs = gv.scenario.venue.clockSkewMs;
  const markets = new Map(
    gv.served.map((one) => {
      const f = feeds.get(one.instrument.symbol) as MarketFeed;
      const market: SymbolMarket = {
        instrument: one.instrument,
        feed: f,
        dailyHistory: dailyHistoryOf(gv.scenario, one.instrument, f, gv.startedAt + skewMs),
        minuteHistory: minuteHistoryOf(gv.scenario, gv.file, one.instrument, f, gv.startedAt, skewMs),
      };
      return [one.instrument.symbol as string, market];
    }),
  );
  const app = createRestApp({
    orders,
    account,
    activities,
    markets,
    skewMs,
    hours: gv.rules.hours,
    wire,
    clock: gv.clock,
    authorized,
  });
  const host = options.host ?? '127.0.0.1';
  const server = await listenGateway(
    app.fetch,
    host,
    options.port ?? 0,
    (path) =>
      path === '/stream'
        ? (req, socket, head) => stream.upgrade(req, socket, head)
        : MarketDataStream.serves(path)
          ? (req, socket, head) => marketData.upgrade(req, socket, head)
          : null,
    () => gv.stop(),
  );
  const where = server.authority;
  return {
    url: `http://${where}`,
    streamUrl: `ws://${where}/stream`,
    dataStreamUrl: `ws://${where}/v2/iex`,
    port: server.port,
    venue: gv,
    orders,
    stream,
    marketData,
    feed,
    feeds,
    close: async () => {
      gv.stop();
      await stream.close();
      await marketData.close();
      await server.close();
    },
  };
}
