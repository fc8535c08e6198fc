// A loopback proxy in front of the local Alpaca gateway's REST routes that refuses the market's
// history: the bars route answers 503 as a venue refusing it ('refuse'), or never answers
// ('hold'); every other request is passed on. The streams are not proxied: point the adapter's
// stream URLs at the gateway itself. Closed after the test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { onCleanup } from './gateway-harness.ts';

/**
 * A loopback proxy in front of the gateway's REST routes: the bars route answers 503 as a venue
 * refusing it ('refuse'), or never answers ('hold'); everything else is passed on. Returns its URL.
 */
export async function refusingBars(gw: AlpacaGateway, mode: 'refuse' | 'hold' = 'refuse'): Promise<string> {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (/\/v2\/stocks\/[^/]+\/bars/.test(req.url ?? '')) {
      if (mode === 'hold') return void held.push(res);
      res.writeHead(503, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ code: 50300000, message: 'historical data unavailable' }));
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host'),
      );
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      void fetch(`${gw.url}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
