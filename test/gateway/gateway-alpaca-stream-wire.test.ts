// The gateway's trade_updates websocket (/stream) spoken raw, as a bot without the SDK speaks it:
// both authentication messages Alpaca documents ({"action":"authenticate","data":{key_id,
// secret_key}} and {"action":"auth","key","secret"}), then listen and an order's events. No
// sleeps: every wait is for a frame, bounded.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { gateway, KEY, onCleanup, SECRET, waitFor } from '../support/gateway-harness.ts';

/** A raw client of /stream: every frame it received, parsed. */
async function rawStream(gw: AlpacaGateway) {
  const ws = new WebSocket(gw.streamUrl);
  onCleanup(() => ws.terminate());
  const frames: Array<{ stream: string; data: Record<string, unknown> }> = [];
  ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString('utf8'))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

describe('trade_updates over a raw websocket', () => {
  it.each([
    ['authenticate with data.key_id/secret_key', { action: 'authenticate', data: { key_id: KEY, secret_key: SECRET } }],
    ['auth with key/secret', { action: 'auth', key: KEY, secret: SECRET }],
  ])('%s: authorized, listening, and the order events arrive', async (_name, auth) => {
    const gw = await gateway();
    const c = await rawStream(gw);
    c.send(auth);
    const authz = await waitFor(() => c.frames.find((f) => f.stream === 'authorization'));
    expect(authz.data).toEqual({ status: 'authorized', action: 'authenticate' });
    c.send({ action: 'listen', data: { streams: ['trade_updates'] } });
    await waitFor(() => c.frames.some((f) => f.stream === 'listening'));
    const res = await fetch(`${gw.url}/v2/orders`, {
      method: 'POST',
      headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', time_in_force: 'day' }),
    });
    expect(res.status).toBe(200);
    const fill = await waitFor(() => c.frames.find((f) => f.stream === 'trade_updates' && f.data['event'] === 'fill'));
    expect(fill.data).toMatchObject({ qty: '10', price: '187.5' });
  });

  it('auth with a wrong secret is refused and the socket closed, in either form', async () => {
    const gw = await gateway();
    for (const auth of [
      { action: 'auth', key: KEY, secret: 'wrong' },
      { action: 'authenticate', data: { key_id: KEY, secret_key: 'wrong' } },
    ]) {
      const c = await rawStream(gw);
      const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
      c.send(auth);
      expect(await closed).toBe(1008);
      expect(c.frames).toEqual([{ stream: 'authorization', data: { status: 'unauthorized', action: 'authenticate' } }]);
    }
  });

  it('the gateway stopping closes the trade_updates and market-data sockets with 1001 (going away), not a drop', async () => {
    const gw = await gateway();
    const orders = await rawStream(gw);
    const data = new WebSocket(gw.dataStreamUrl);
    onCleanup(() => data.terminate());
    await new Promise<void>((resolve, reject) => {
      data.once('open', () => resolve());
      data.once('error', reject);
    });
    const code = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (c: number) => resolve(c)));
    const closed = [code(orders.ws), code(data)];
    await gw.close();
    expect(await Promise.all(closed)).toEqual([1001, 1001]);
  });
});
