// The Binance adapter when the venue's transport fails in ways the local Binance gateway does not
// produce: a server that answers the markets but refuses every websocket upgrade (ccxt 4.5.84
// left the failed user data subscription's future unawaited, and its rejection ended the
// process), and no server at all. Everything else the adapter does is tested over the gateway
// (live-binance-adapter.test.ts). Real sockets on 127.0.0.1; every wait is a bounded condition.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { VenueMessage } from '../../src/core/model/reports.ts';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import { EXCHANGE_INFO } from '../support/binance-markets.ts';

const INSTRUMENT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const adapter = (url: string, stream: boolean) => {
  const a = new BinanceAdapter({
    instrument: INSTRUMENT,
    runId: 'run-transport',
    apiKey: 'transport-key-0123',
    secret: 'transport-secret-4567',
    url,
    clock: new WallClock(),
    requestTimeoutMs: 2000,
    reconnectInitialMs: 50,
    marketData: { stream },
  });
  const reports: VenueMessage[] = [];
  a.setReportHandler((m) => reports.push(m));
  cleanup.push(() => a.stop());
  return { a, reports };
};

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within 5 s');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the Binance adapter when the transport fails', () => {
  it('dials every stream at the local paths and, refused, reports nothing and ends nothing', async () => {
    const upgrades: string[] = [];
    const server = createServer((req, res) => {
      res.writeHead(req.url?.startsWith('/api/v3/exchangeInfo') ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url?.startsWith('/api/v3/exchangeInfo') ? EXCHANGE_INFO : { code: -1000, msg: 'no' }));
    });
    server.on('upgrade', (req: IncomingMessage, socket: { destroy(): void }) => {
      upgrades.push(req.url ?? '');
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const { a, reports } = adapter(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, true);
    a.start();
    await until(() => ['/ws-api/v3', '/ws/0', '/ws/1', '/ws/2'].every((p) => upgrades.includes(p)));
    // Retried (a second dial of the WebSocket API), never connected: no connection changed.
    await until(() => upgrades.filter((u) => u === '/ws-api/v3').length >= 2);
    await a.stop();
    expect(reports).toEqual([]);
  });

  it('a submit whose markets cannot be read was never sent: a retryable refusal, not an unknown outcome', async () => {
    const { a, reports } = adapter('http://127.0.0.1:9', false); // the discard port: connection refused
    a.submit({
      clientOrderId: clientOrderId('x0123456789abcdef01234567'),
      parentId: parentOrderId('p1'),
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: 0,
      symbol: symbol('BTCUSDT'),
      side: 'buy',
      type: 'market',
      tif: 'GTC',
      qty: 300,
      postOnly: false,
    });
    await until(() => reports.length > 0);
    expect(reports).toEqual([
      expect.objectContaining({
        kind: 'RetryableRejectReport',
        reason: expect.stringMatching(/^not sent: the venue's markets could not be read: /),
      }),
    ]);
    expect(await a.instrumentRefusal()).toBeNull(); // unreachable is no refusal: the account read says it
  });
});
