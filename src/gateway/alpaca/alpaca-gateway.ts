// `execsim gateway alpaca`: an Alpaca-compatible server backed by the simulated venue of a
// scenario on the wall clock. REST (trading and the scenario's symbol's market data), the
// trade_updates websocket (/stream) and the stocks market-data websocket (/v2/iex, /v2/sip,
// /v2/delayed_sip) share one port; all check the gateway's key pair.
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
import { createRestApp } from './rest.ts';
import { dailyHistoryOf } from '../daily-history.ts';
import { minuteHistoryOf } from '../minute-history.ts';
import { TradeUpdatesStream } from './stream.ts';

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
  readonly feed: MarketFeed;
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
  const feed = new MarketFeed(gv);
  const marketData = new MarketDataStream({
    instrument: gv.instrument,
    skewMs: gv.scenario.venue.clockSkewMs,
    authorized,
    gate: new StallGate(wire, gv.clock, 'market data'),
  });
  feed.onNews((prints, quote) => marketData.publish(prints, quote));
  gv.start();
  const account = new AlpacaAccount(gv, orders, feed, randomUUID());
  const app = createRestApp({
    orders,
    account,
    activities,
    symbol: gv.instrument.symbol,
    feed,
    instrument: gv.instrument,
    skewMs: gv.scenario.venue.clockSkewMs,
    hours: gv.rules.hours,
    wire,
    clock: gv.clock,
    authorized,
    dailyHistory: dailyHistoryOf(gv.scenario, gv.instrument, feed, gv.startedAt + gv.scenario.venue.clockSkewMs),
    minuteHistory: minuteHistoryOf(
      gv.scenario,
      gv.file,
      gv.instrument,
      feed,
      gv.startedAt,
      gv.scenario.venue.clockSkewMs,
    ),
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
    close: async () => {
      gv.stop();
      await stream.close();
      await marketData.close();
      await server.close();
    },
  };
}
