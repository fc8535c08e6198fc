// Bad requests to `execsim gateway binance` always get Binance's own error body ({code, msg}) with
// a 4xx, never a 5xx: random parameters (correctly signed, so the endpoints' own checks run, or
// not), random bodies and paths for every REST endpoint, and random frames on the market streams
// and the WebSocket API, which answer every one in Binance's form and stay open. A request that
// happens to be valid may be accepted (200). One gateway, over loopback.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBinanceGateway, type BinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import { API_KEY, API_SECRET, BTC_FIXTURE, sign } from '../support/binance-gateway-harness.ts';

let gw: BinanceGateway;
beforeAll(async () => {
  gw = await startBinanceGateway({
    scenarioFile: BTC_FIXTURE,
    apiKey: API_KEY,
    secretKey: API_SECRET,
    // Binance's limits would ban the fuzzer before it is done; the limits are tested elsewhere.
    limits: { weightPerMinute: 10_000_000, ordersPer10s: 10_000_000, ordersPerDay: 10_000_000 },
  });
});
afterAll(() => gw.close());

const ENDPOINTS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['GET', 'ping', []],
  ['GET', 'time', []],
  ['GET', 'exchangeInfo', ['symbol', 'symbols', 'permissions', 'symbolStatus', 'showPermissionSets']],
  ['GET', 'depth', ['symbol', 'limit']],
  ['GET', 'trades', ['symbol', 'limit']],
  ['GET', 'aggTrades', ['symbol', 'fromId', 'startTime', 'endTime', 'limit']],
  ['GET', 'klines', ['symbol', 'interval', 'startTime', 'endTime', 'timeZone', 'limit']],
  ['GET', 'avgPrice', ['symbol']],
  ['GET', 'ticker/24hr', ['symbol', 'symbols', 'type']],
  ['GET', 'ticker/price', ['symbol', 'symbols']],
  ['GET', 'ticker/bookTicker', ['symbol', 'symbols']],
  [
    'POST',
    'order',
    [
      'symbol',
      'side',
      'type',
      'timeInForce',
      'quantity',
      'quoteOrderQty',
      'price',
      'newClientOrderId',
      'stopPrice',
      'newOrderRespType',
      'icebergQty',
      'selfTradePreventionMode',
      'recvWindow',
    ],
  ],
  ['POST', 'order/test', ['symbol', 'side', 'type', 'timeInForce', 'quantity', 'price', 'computeCommissionRates']],
  [
    'POST',
    'order/cancelReplace',
    [
      'symbol',
      'side',
      'type',
      'timeInForce',
      'quantity',
      'price',
      'newClientOrderId',
      'cancelReplaceMode',
      'cancelOrderId',
      'cancelOrigClientOrderId',
      'cancelNewClientOrderId',
      'cancelRestrictions',
    ],
  ],
  ['GET', 'order', ['symbol', 'orderId', 'origClientOrderId']],
  ['DELETE', 'order', ['symbol', 'orderId', 'origClientOrderId', 'newClientOrderId', 'cancelRestrictions']],
  ['GET', 'openOrders', ['symbol']],
  ['DELETE', 'openOrders', ['symbol']],
  ['GET', 'allOrders', ['symbol', 'orderId', 'startTime', 'endTime', 'limit']],
  ['GET', 'myTrades', ['symbol', 'orderId', 'startTime', 'endTime', 'fromId', 'limit']],
  ['GET', 'account', ['omitZeroBalances']],
];

/** Values that are sometimes right: the symbol, enums, numbers on and off the grid, ids. */
const value = fc.oneof(
  fc.constantFrom(
    'BTCUSDT',
    'ETHUSDT',
    'BUY',
    'SELL',
    'LIMIT',
    'MARKET',
    'LIMIT_MAKER',
    'STOP_LOSS',
    'STOP_LOSS_LIMIT',
    'TAKE_PROFIT',
    'GTC',
    'IOC',
    'FOK',
    'ACK',
    'RESULT',
    'FULL',
    'NONE',
    '1m',
    '1s',
    '1M',
    '8',
    '-12:00',
    '15:00',
    '0.01',
    '0.00001',
    '65000',
    '64999.995',
    '1e3',
    '-1',
    '0',
    '1',
    '5000',
    '999999999999999999999',
    '["BTCUSDT"]',
    '[',
    'true',
    'ONLY_NEW',
    '',
  ),
  fc.integer({ min: -2, max: 70_000 }).map(String),
  fc.string({ maxLength: 24, size: 'max' }),
);

/** Per parameter, values that are right most of the time, so the endpoints' own checks run. */
const junk = fc.oneof(value, fc.string({ maxLength: 12, size: 'max' }));
const often = <T extends string>(good: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: junk, weight: 1 });
const now = Date.now();
const BY_NAME: Record<string, fc.Arbitrary<string>> = {
  symbol: often(fc.constant('BTCUSDT')),
  symbols: often(fc.constant('["BTCUSDT"]')),
  side: often(fc.constantFrom('BUY', 'SELL')),
  type: often(fc.constantFrom('LIMIT', 'MARKET', 'LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'FULL', 'MINI')),
  timeInForce: often(fc.constantFrom('GTC', 'IOC', 'FOK')),
  quantity: often(fc.integer({ min: 1, max: 5_000_000 }).map((n) => (n / 100_000).toFixed(5))),
  price: often(fc.integer({ min: 6_400_000, max: 6_600_000 }).map((n) => (n / 100).toFixed(2))),
  stopPrice: often(fc.integer({ min: 6_400_000, max: 6_600_000 }).map((n) => (n / 100).toFixed(2))),
  newOrderRespType: often(fc.constantFrom('ACK', 'RESULT', 'FULL')),
  newClientOrderId: often(fc.stringMatching(/^[A-Za-z0-9_-]{1,36}$/)),
  origClientOrderId: often(fc.stringMatching(/^[A-Za-z0-9_-]{1,36}$/)),
  orderId: often(fc.integer({ min: 1, max: 40 }).map(String)),
  fromId: often(fc.integer({ min: 1, max: 40 }).map(String)),
  limit: often(fc.integer({ min: 1, max: 6000 }).map(String)),
  interval: often(
    fc.constantFrom('1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'),
  ),
  startTime: often(fc.integer({ min: now - 2 * 86_400_000, max: now + 60_000 }).map(String)),
  endTime: often(fc.integer({ min: now - 86_400_000, max: now + 2 * 86_400_000 }).map(String)),
  timeZone: often(fc.constantFrom('0', '8', '-1:00', '05:45', '+14:00', '-12:00')),
  cancelRestrictions: often(fc.constantFrom('ONLY_NEW', 'ONLY_PARTIALLY_FILLED')),
  cancelReplaceMode: often(fc.constantFrom('STOP_ON_FAILURE', 'ALLOW_FAILURE')),
  cancelOrderId: often(fc.integer({ min: 1, max: 40 }).map(String)),
  cancelOrigClientOrderId: often(fc.stringMatching(/^[A-Za-z0-9_-]{1,36}$/)),
  cancelNewClientOrderId: often(fc.stringMatching(/^[A-Za-z0-9_-]{1,36}$/)),
  omitZeroBalances: often(fc.constantFrom('true', 'false')),
  symbolStatus: often(fc.constantFrom('TRADING', 'HALT', 'BREAK')),
  recvWindow: often(fc.integer({ min: 1000, max: 70_000 }).map(String)),
};

/** An endpoint's parameters: some of its own (likely values), now and then one it does not read. */
function paramsOf(keys: readonly string[]): fc.Arbitrary<Record<string, string>> {
  const own = Object.fromEntries([...keys, 'symbol'].map((k) => [k, BY_NAME[k] ?? value]));
  return fc
    .tuple(fc.record(own, { requiredKeys: [] }), fc.option(fc.tuple(fc.string({ maxLength: 8 }), value), { freq: 8 }))
    .map(([p, extra]) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = v;
      if (extra) out[extra[0]] = extra[1];
      return out;
    });
}

function query(params: Record<string, string>, signed: boolean): string {
  const q = new URLSearchParams(params).toString();
  if (!signed) return q;
  const stamped = [q, `timestamp=${Date.now()}`].filter((s) => s !== '').join('&');
  return `${stamped}&signature=${sign(stamped)}`;
}

async function expectBinanceAnswer(res: Response, what: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `${what}: ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    const body = JSON.parse(text) as { code: unknown; msg: unknown };
    expect(typeof body.code, what).toBe('number');
    expect(typeof body.msg, what).toBe('string');
  }
}

describe('gateway fuzz: bad requests are 4xx with Binance bodies', () => {
  for (const [method, path, keys] of ENDPOINTS) {
    // SIGNED endpoints are signed 4 times in 5 (their checks then run); public ones now and then
    // carry a signature they do not read.
    const signedEndpoint = [
      'order',
      'order/test',
      'order/cancelReplace',
      'openOrders',
      'allOrders',
      'myTrades',
      'account',
    ].includes(path);
    it(`${method} ${path} with random parameters`, async () => {
      await fc.assert(
        fc.asyncProperty(
          paramsOf(keys),
          fc.integer({ min: 0, max: 4 }).map((n) => (signedEndpoint ? n > 0 : n === 0)),
          async (params, signed) => {
            const q = query(params, signed);
            const inBody = method === 'POST';
            const res = await fetch(`${gw.url}/api/v3/${path}${!inBody && q ? `?${q}` : ''}`, {
              method,
              headers: {
                'X-MBX-APIKEY': API_KEY,
                ...(inBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
              },
              ...(inBody ? { body: q } : {}),
            });
            await expectBinanceAnswer(res, `${method} ${path}?${q}`);
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('random paths, methods, keys, signatures and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH'),
        fc.oneof(
          fc.constantFrom(...ENDPOINTS.map((e) => e[1]), 'userDataStream', 'order/oco'),
          fc.string({ maxLength: 16, size: 'max' }),
        ),
        fc.oneof(fc.constant(API_KEY), fc.string({ maxLength: 70, size: 'max' })),
        fc.oneof(
          fc.string({ maxLength: 200, size: 'max' }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        fc.oneof(
          fc.string({ maxLength: 80, size: 'max' }),
          fc.constant(`timestamp=${Date.now()}&signature=${'a'.repeat(64)}`),
        ),
        async (method, path, key, body, q) => {
          const res = await fetch(`${gw.url}/api/v3/${encodeURI(path)}?${encodeURI(q)}`, {
            method,
            headers: {
              'X-MBX-APIKEY': key.replace(/[^\x20-\x7e]/g, ''),
              'content-type': 'application/x-www-form-urlencoded',
            },
            ...(method === 'GET' ? {} : { body }),
          });
          await expectBinanceAnswer(res, `${method} ${path}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A socket that collects every frame; `next` waits (bounded) for the one after those seen. */
async function socket(url: string) {
  const ws = new WebSocket(url);
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(String(d)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (send: () => void): Promise<unknown> => {
    const n = frames.length;
    send();
    const deadline = Date.now() + 3000;
    while (frames.length === n) {
      if (Date.now() > deadline) throw new Error('no answer within 3 s');
      await new Promise((r) => setTimeout(r, 2));
    }
    return JSON.parse(frames[n] as string);
  };
  return { ws, next };
}

const frame = fc.oneof(
  fc.string({ maxLength: 60, size: 'max' }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        method: fc.oneof(
          fc.constantFrom(
            'SUBSCRIBE',
            'UNSUBSCRIBE',
            'LIST_SUBSCRIPTIONS',
            'SET_PROPERTY',
            'GET_PROPERTY',
            'ping',
            'time',
            'userDataStream.subscribe.signature',
            'userDataStream.unsubscribe',
            'session.subscriptions',
          ),
          fc.string({ maxLength: 12, size: 'max' }),
        ),
        params: fc.oneof(
          fc.array(
            fc.oneof(
              fc.constantFrom('btcusdt@trade', 'btcusdt@depth@100ms', 'combined'),
              fc.string({ maxLength: 12, size: 'max' }),
              fc.boolean(),
            ),
          ),
          fc.dictionary(
            fc.constantFrom('apiKey', 'timestamp', 'signature', 'recvWindow', 'subscriptionId', 'x'),
            fc.jsonValue(),
          ),
          fc.jsonValue(),
        ),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 40, size: 'max' }), fc.constant(null), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((m) => JSON.stringify(m)),
);

describe('gateway fuzz: every websocket message is answered in Binance’s form', () => {
  it('the market streams answer {result, id} or {error: {code, msg}, id}', async () => {
    const { ws, next } = await socket(`${gw.streamUrl}/0`);
    try {
      await fc.assert(
        fc.asyncProperty(frame, async (f) => {
          const a = (await next(() => ws.send(f))) as Record<string, unknown>;
          expect('id' in a, f).toBe(true);
          if ('error' in a) {
            const e = a['error'] as { code: unknown; msg: unknown };
            expect([typeof e.code, typeof e.msg], f).toEqual(['number', 'string']);
          } else expect('result' in a, f).toBe(true);
        }),
        { numRuns: 300 },
      );
      expect(ws.readyState).toBe(ws.OPEN);
    } finally {
      ws.terminate();
    }
  });

  it('the WebSocket API answers {id, status, result} or {id, status 4xx, error: {code, msg}}', async () => {
    const { ws, next } = await socket(gw.wsApiUrl);
    try {
      await fc.assert(
        fc.asyncProperty(frame, async (f) => {
          const a = (await next(() => ws.send(f))) as Record<string, unknown>;
          expect('id' in a && typeof a['status'] === 'number', f).toBe(true);
          if (a['status'] === 200) expect('result' in a, f).toBe(true);
          else {
            expect(a['status'] as number, f).toBeGreaterThanOrEqual(400);
            expect(a['status'] as number, f).toBeLessThan(500);
            const e = a['error'] as { code: unknown; msg: unknown };
            expect([typeof e.code, typeof e.msg], f).toEqual(['number', 'string']);
          }
        }),
        { numRuns: 300 },
      );
      expect(ws.readyState).toBe(ws.OPEN);
    } finally {
      ws.terminate();
    }
  });
});
