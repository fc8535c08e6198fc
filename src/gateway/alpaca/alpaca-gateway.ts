// `execsim gateway alpaca`: an Alpaca-compatible server backed by the simulated venue of a
// scenario on the wall clock. REST (trading and the latest quote and trade of the scenario's
// symbol) and the trade_updates websocket share one port; both check the gateway's key pair.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import type { ExecEvent } from '../../core/model/events.ts';
import { GatewayVenue, type GatewayVenueOptions } from '../gateway-venue.ts';
import { AlpacaAccount } from './account.ts';
import { AlpacaOrders, type TradeUpdate } from './alpaca-orders.ts';
import { createRestApp } from './rest.ts';
import { TradeUpdatesStream } from './stream.ts';

export interface AlpacaGatewayOptions {
  readonly scenarioFile: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly port?: number;
  readonly host?: string;
  readonly hours?: GatewayVenueOptions['hours'];
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
  readonly port: number;
  readonly venue: GatewayVenue;
  readonly orders: AlpacaOrders;
  readonly stream: TradeUpdatesStream;
  /** Stops the server, the stream and the venue's timers. */
  close(): Promise<void>;
}

/** Constant-time comparison of a presented key with the gateway's (through fixed-size digests). */
function sameKey(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function startAlpacaGateway(options: AlpacaGatewayOptions): Promise<AlpacaGateway> {
  if (options.keyId === '' || options.secretKey === '') throw new Error('the gateway needs a key id and a secret key');
  const authorized = (keyId: unknown, secret: unknown): boolean =>
    sameKey(keyId, options.keyId) && sameKey(secret, options.secretKey);
  const gv = GatewayVenue.load(options.scenarioFile, {
    ...(options.hours ? { hours: options.hours } : {}),
    ...(options.warn ? { warn: options.warn } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const stream = new TradeUpdatesStream(authorized);
  const orders = new AlpacaOrders(gv, (u) => {
    options.onUpdate?.(u);
    stream.publish(u);
  });
  let tradeId = 0;
  let account: AlpacaAccount | null = null;
  // The latest trade on the venue's tape (everyone's), for the latest-trade route.
  const tape = gv.venue.tape;
  const record = tape.trade.bind(tape);
  tape.trade = (time, price, qty) => {
    record(time, price, qty);
    if (account) account.lastTrade = { time, price, qty, id: ++tradeId };
  };
  gv.start();
  account = new AlpacaAccount(gv, orders, randomUUID());
  const app = createRestApp({ orders, account, symbol: gv.instrument.symbol, authorized });
  const host = options.host ?? '127.0.0.1';
  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    gv.stop();
    throw err;
  }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => stream.upgrade(req, socket, head));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    streamUrl: `ws://${shown}:${port}/stream`,
    port,
    venue: gv,
    orders,
    stream,
    close: async () => {
      gv.stop();
      await stream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
