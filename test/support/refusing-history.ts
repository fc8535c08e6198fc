// A loopback proxy in front of a local venue gateway that refuses the market's history: the
// history route (Alpaca's bars, Binance's klines) answers as a venue refusing it ('refuse': the
// venue's error body with a 503), or never answers ('hold'); every other request is passed on, and
// websocket upgrades are tunnelled to the gateway (an adapter deriving its stream URLs from the
// proxy's still streams). Closed after the test.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import type { BinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import { onCleanup } from './gateway-harness.ts';

export type RefusalMode = 'refuse' | 'hold';

export interface HistoryProxy {
  readonly url: string;
  /** History requests held and not yet given up by the client. */
  heldOpen(): number;
  /** History requests held since the proxy started, given up or not: a count that only grows, so
   *  a test waiting for it cannot miss it between two looks. */
  heldEver(): number;
}

/** The proxy: `route` (tested on the request's path and query) refused with `body` and a 503, or
 *  held, by `mode`; the rest passed on to `target` (http://host:port). */
export async function refusingHistory(
  target: string,
  route: RegExp,
  body: unknown,
  mode: RefusalMode = 'refuse',
): Promise<HistoryProxy> {
  const held: http.ServerResponse[] = [];
  const tunnels: net.Socket[] = [];
  const server = http.createServer((req, res) => {
    if (route.test(req.url ?? '')) {
      if (mode === 'hold') return void held.push(res);
      res.writeHead(503, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(body));
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host'),
      );
      const sent = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      void fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(sent ? { body: sent } : {}),
      })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const { hostname, port } = new URL(target);
    const upstream = net.connect(Number(port), hostname, () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    tunnels.push(socket, upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        for (const s of tunnels) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heldOpen: () => held.filter((r) => !r.destroyed && !r.socket?.destroyed).length,
    heldEver: () => held.length,
  };
}

/** Alpaca's gateway with its bars route refused (Alpaca's body) or held. */
export function refusingBars(gw: AlpacaGateway, mode: RefusalMode = 'refuse'): Promise<HistoryProxy> {
  return refusingHistory(
    gw.url,
    /\/v2\/stocks\/[^/]+\/bars/,
    { code: 50300000, message: 'historical data unavailable' },
    mode,
  );
}

/** Binance's gateway with GET /api/v3/klines refused (-1008, Binance's "server busy") or held. */
export function refusingKlines(gw: BinanceGateway, mode: RefusalMode = 'refuse'): Promise<HistoryProxy> {
  return refusingHistory(
    gw.url,
    /^\/api\/v3\/klines\b/,
    { code: -1008, msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.' },
    mode,
  );
}
