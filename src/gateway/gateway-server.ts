// What every venue's gateway does the same way around its own routes: the scenario's simulated
// venue on the wall clock with the scenario's faults on the wire, and an HTTP server on
// host:port (127.0.0.1 unless told) whose websocket upgrades go to the venue's streams by path,
// closed without waiting on keep-alive connections.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { Rng } from '../core/clock/rng.ts';
import type { ExecEvent } from '../core/model/events.ts';
import type { GatewayProfile } from './gateway-profile.ts';
import { GatewayVenue, type GatewayVenueOptions } from './gateway-venue.ts';
import { WireFaults } from './wire-faults.ts';

/** The options every gateway takes. */
export interface GatewayWorldOptions {
  readonly scenarioFile: string;
  readonly hours?: GatewayVenueOptions['hours'];
  /** Who fills orders: 'book' (the simulated venue, default) or one of the profile's paper fills. */
  readonly fills?: GatewayVenueOptions['fills'];
  readonly warn?: (message: string) => void;
  readonly onEvent?: (event: ExecEvent) => void;
  /** The wall clock (epoch ms) unless given: a test moves it on to open and close fault windows
   *  when it is ready, not when a loaded machine gets round to it. */
  readonly now?: () => number;
}

/** The scenario's venue for `profile`, and its faults as the wire applies them (logged as
 *  FaultApplied through onEvent). */
export function gatewayWorld(
  options: GatewayWorldOptions,
  profile: GatewayProfile,
): { readonly gv: GatewayVenue; readonly wire: WireFaults } {
  const gv = GatewayVenue.load(options.scenarioFile, {
    profile,
    ...(options.hours ? { hours: options.hours } : {}),
    ...(options.fills ? { fills: options.fills } : {}),
    ...(options.warn ? { warn: options.warn } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const record = gv.record;
  const wire = new WireFaults(
    gv.scenario.faults,
    gv.startedAt,
    new Rng(gv.scenario.seed).stream('wire'),
    () => gv.clock.now(),
    (fault, detail) => record({ kind: 'FaultApplied', fault, detail }),
  );
  return { gv, wire };
}

/** A websocket upgrade handler. */
export type Upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface ListeningGateway {
  /** The port it listens on (the one the system chose for port 0). */
  readonly port: number;
  /** host:port as a URL writes it (an IPv6 address in brackets). */
  readonly authority: string;
  /** Closes the server and every connection it holds. */
  close(): Promise<void>;
}

/**
 * Serves `fetch` on host:port; a websocket upgrade goes to what `upgradeFor` returns for its path,
 * or is answered 404. When listening fails, `onFail` releases what the gateway built before the
 * error is thrown.
 */
export async function listenGateway(
  fetch: (request: Request) => Response | Promise<Response>,
  host: string,
  port: number,
  upgradeFor: (path: string) => Upgrade | null,
  onFail: () => void | Promise<void>,
): Promise<ListeningGateway> {
  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch, hostname: host, port }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    await onFail();
    throw err;
  }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const upgrade = upgradeFor((req.url ?? '').split('?')[0] ?? '');
    if (upgrade) upgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    port: bound,
    authority: `${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
