// Bad requests to `execsim gateway alpaca` always get a 4xx with Alpaca's {code, message} body,
// never a 5xx: random order bodies (JSON and not), random list queries, random order ids, random
// activity queries and types, random position closes, over a real loopback socket. A request that
// happens to be valid may be accepted (200, or 207 for closing every position).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlpacaGateway, type AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';

const AUTH = { 'APCA-API-KEY-ID': 'fuzz-key', 'APCA-API-SECRET-KEY': 'fuzz-secret' };
let gw: AlpacaGateway;
beforeAll(async () => {
  gw = await startAlpacaGateway({
    scenarioFile: 'test/fixtures/gateway/alpaca-aapl.yaml',
    keyId: 'fuzz-key',
    secretKey: 'fuzz-secret',
  });
});
afterAll(() => gw.close());

async function expectAlpacaAnswer(res: Response): Promise<void> {
  expect(res.status, `${res.status}`).toBeLessThan(500);
  const text = await res.text();
  if (res.status >= 400) {
    const body = JSON.parse(text) as { code: unknown; message: unknown };
    expect(typeof body.code).toBe('number');
    expect(typeof body.message).toBe('string');
  }
}

const amount = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer(),
  fc.string({ maxLength: 12, size: 'max' }),
  fc.constantFrom('1', '1e-7', '1E3', '0', '-1', '.5', '5.', '1e400', '0.01', '187.5', ''),
);
const orderBody = fc.record(
  {
    symbol: fc.oneof(fc.constant('AAPL'), fc.string({ maxLength: 8 }), fc.integer()),
    qty: amount,
    notional: amount,
    side: fc.oneof(fc.constantFrom('buy', 'sell'), fc.string({ maxLength: 5 }), fc.boolean()),
    type: fc.oneof(
      fc.constantFrom('market', 'limit', 'stop', 'stop_limit', 'trailing_stop'),
      fc.string({ maxLength: 6 }),
    ),
    time_in_force: fc.oneof(fc.constantFrom('day', 'gtc', 'ioc', 'fok', 'opg', 'cls'), fc.integer()),
    limit_price: amount,
    stop_price: amount,
    client_order_id: fc.oneof(fc.string({ maxLength: 140, size: 'max' }), fc.integer(), fc.constant(null)),
    order_class: fc.constantFrom('', 'simple', 'bracket', 'oco'),
    extended_hours: fc.boolean(),
  },
  { requiredKeys: [] },
);

describe('gateway fuzz: bad requests are 4xx with Alpaca bodies', () => {
  it('POST /v2/orders with random bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          orderBody.map((b) => JSON.stringify(b)),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 40, size: 'max' }),
        ),
        async (body) => {
          const res = await fetch(`${gw.url}/v2/orders`, {
            method: 'POST',
            headers: { ...AUTH, 'content-type': 'application/json' },
            body,
          });
          await expectAlpacaAnswer(res);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('GET /v2/orders with random queries', async () => {
    const key = fc.constantFrom('status', 'limit', 'after', 'until', 'direction', 'nested', 'symbols', 'side', 'x');
    const value = fc.oneof(
      fc.string({ maxLength: 30, size: 'max' }),
      fc.constantFrom(
        'open',
        'closed',
        'all',
        'asc',
        'desc',
        '0',
        '501',
        '-1',
        '2024-01-01T00:00:00Z',
        '2024-13-45',
        'true',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 5 }), async (q) => {
        const res = await fetch(`${gw.url}/v2/orders?${new URLSearchParams(q)}`, { headers: AUTH });
        await expectAlpacaAnswer(res);
      }),
      { numRuns: 100 },
    );
  });

  it('GET and DELETE /v2/orders/{id} and the client-id lookup with random ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 50, size: 'max' }), fc.uuid()),
        fc.constantFrom('GET', 'DELETE', 'PATCH'),
        async (id, method) => {
          const one = await fetch(`${gw.url}/v2/orders/${encodeURIComponent(id)}`, { method, headers: AUTH });
          await expectAlpacaAnswer(one);
          const byClient = await fetch(
            `${gw.url}/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(id)}`,
            { headers: AUTH },
          );
          await expectAlpacaAnswer(byClient);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('GET /v2/account/activities (and /{type}) with random queries and types', async () => {
    const key = fc.constantFrom(
      'activity_types',
      'category',
      'date',
      'after',
      'until',
      'direction',
      'page_size',
      'page_token',
      'x',
    );
    const value = fc.oneof(
      fc.string({ maxLength: 30, size: 'max' }),
      fc.constantFrom('FILL', 'DIV,FILL', 'fill', 'trade_activity', 'asc', '0', '101', '2024-02-30', '2024-08-09'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(key, value, { maxKeys: 4 }),
        fc.option(fc.oneof(fc.constantFrom('FILL', 'DIV'), fc.string({ maxLength: 10 })), { nil: undefined }),
        async (q, type) => {
          const path = type === undefined ? '' : `/${encodeURIComponent(type)}`;
          const res = await fetch(`${gw.url}/v2/account/activities${path}?${new URLSearchParams(q)}`, {
            headers: AUTH,
          });
          await expectAlpacaAnswer(res);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('DELETE /v2/positions and /v2/positions/{symbol} with random queries', async () => {
    const key = fc.constantFrom('qty', 'percentage', 'cancel_orders', 'x');
    const value = fc.oneof(
      fc.string({ maxLength: 12, size: 'max' }),
      fc.constantFrom('1', '50', '100', '0', '1e3', 'true'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(key, value, { maxKeys: 3 }),
        fc.option(fc.oneof(fc.constant('AAPL'), fc.string({ maxLength: 8 })), { nil: undefined }),
        async (q, symbol) => {
          const path = symbol === undefined ? '' : `/${encodeURIComponent(symbol)}`;
          const res = await fetch(`${gw.url}/v2/positions${path}?${new URLSearchParams(q)}`, {
            method: 'DELETE',
            headers: AUTH,
          });
          await expectAlpacaAnswer(res);
        },
      ),
      { numRuns: 60 },
    );
  });
});
