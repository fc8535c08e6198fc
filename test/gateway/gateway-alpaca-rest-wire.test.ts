// Order bodies sent raw to the gateway's POST /v2/orders and PATCH /v2/orders/{id}, as bots that
// do not use the SDK send them: each refusal is one 4xx naming the field and its problem, and
// nothing is created. The gateway serves test/fixtures/gateway/alpaca-aapl.yaml (AAPL, whole
// shares, ticks of 0.01).
import { describe, expect, it } from 'vitest';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { gateway, KEY, SECRET } from '../support/gateway-harness.ts';

const HEADERS = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' };

async function call(gw: AlpacaGateway, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const LIMIT = { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'day', qty: '1', limit_price: '187.00' };

describe('order bodies refused by field', () => {
  it.each([
    [{ ...LIMIT, qty: '100000000000000000000' }, /qty .*too large/],
    [{ ...LIMIT, qty: 1e40 }, /qty .*too large/],
    [{ ...LIMIT, limit_price: '1e30' }, /limit_price .*too large/],
    [{ ...LIMIT, type: 'stop_limit', stop_price: '1e30' }, /stop_price .*too large/],
    [{ ...LIMIT, extended_hours: 'yes' }, /extended_hours/],
    [{ ...LIMIT, extended_hours: 1 }, /extended_hours/],
  ])('POST %j: 422 naming the field, nothing created', async (body, message) => {
    const gw = await gateway();
    const r = await call(gw, 'POST', '/v2/orders', body);
    expect(r.status).toBe(422);
    expect(r.body['code']).toBe(40010001);
    expect(r.body['message']).toMatch(message);
    expect((await call(gw, 'GET', '/v2/orders?status=all')).body).toEqual([]);
  });

  it('a fractional qty of a whole-share asset is still refused as not fractionable', async () => {
    const gw = await gateway();
    const r = await call(gw, 'POST', '/v2/orders', { ...LIMIT, qty: '0.5' });
    expect(r).toEqual({ status: 403, body: { code: 40310000, message: 'asset "AAPL" is not fractionable' } });
  });

  it('PATCH with a qty too large: 422 naming qty, and the order is untouched', async () => {
    const gw = await gateway();
    const placed = await call(gw, 'POST', '/v2/orders', LIMIT);
    expect(placed.status).toBe(200);
    const id = String(placed.body['id']);
    const r = await call(gw, 'PATCH', `/v2/orders/${id}`, { qty: '1e20' });
    expect(r.status).toBe(422);
    expect(r.body['message']).toMatch(/qty .*too large/);
    const after = await call(gw, 'GET', `/v2/orders/${id}`);
    expect(after.body).toMatchObject({ status: 'new', qty: '1', replaced_by: null });
  });

  it('extended_hours false (or null) is an ordinary order', async () => {
    const gw = await gateway();
    expect((await call(gw, 'POST', '/v2/orders', { ...LIMIT, extended_hours: false })).status).toBe(200);
    expect((await call(gw, 'POST', '/v2/orders', { ...LIMIT, extended_hours: null })).status).toBe(200);
  });
});

describe('request bodies past the gateway limit', () => {
  it('are 413 before they are read whole, with or without Content-Length, and create nothing', async () => {
    const gw = await gateway();
    const big = JSON.stringify({ ...LIMIT, client_order_id: 'x'.repeat(128), pad: 'y'.repeat(200_000) });
    const sized = await fetch(`${gw.url}/v2/orders`, { method: 'POST', headers: HEADERS, body: big });
    expect(sized.status).toBe(413);
    expect(await sized.json()).toMatchObject({ code: 40010000, message: 'request body over 64 KiB' });
    // Streamed (chunked, no Content-Length): counted as it arrives.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('z'.repeat(20_000)));
        controller.close();
      },
    });
    const streamed = await fetch(`${gw.url}/v2/orders`, {
      method: 'POST',
      headers: HEADERS,
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await call(gw, 'GET', '/v2/orders?status=all')).body).toEqual([]);
    // An ordinary order is unaffected.
    expect((await call(gw, 'POST', '/v2/orders', LIMIT)).status).toBe(200);
  });
});
