// A sim session of two symbols on one account (scenarios/session/sandbox-two-symbols.yaml) behind
// the HTTP app, on a virtual clock: orders name their symbol and trade on its own book; positions,
// quotes, orders and parents are answered in each symbol's units; a symbol the session does not
// trade is refused naming the field; readiness names the symbol whose quote is missing; the page
// shows every symbol's position, flow and P&L, and the metrics have a series per symbol.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionMetrics } from '../../src/server/session-metrics.ts';
import { sessionView } from '../../src/server/pages/session-page-view.ts';
import { sessionApp, until, type SessionAppFixture } from '../support/session-fixture.ts';

const FILE = 'scenarios/session/sandbox-two-symbols.yaml';
const TOKEN = 'two-symbols-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let served: SessionAppFixture;
type Json = ReturnType<typeof JSON.parse>;

const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const res = await served.app.request(`http://127.0.0.1/api/v1${path}`, {
    method,
    headers: auth,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : null };
};

beforeAll(async () => {
  served = await sessionApp(FILE, TOKEN);
});
afterAll(async () => {
  await served?.close();
});

describe('a session of two symbols', () => {
  it('says which symbols it trades, and is ready once each has a quote', async () => {
    const { f } = served;
    await until(f.clock, () => f.session.readiness().ready);
    const s = await call('GET', '/session');
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ symbol: 'BTCUSDT', symbols: ['BTCUSDT', 'ETHUSDT'], ready: true });
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const q = await call('GET', `/quotes/${symbol}/latest`);
      expect(q.status, symbol).toBe(200);
      expect(q.body.symbol).toBe(symbol);
    }
    // Prices in each symbol's own decimals and range.
    expect(Number((await call('GET', '/quotes/BTCUSDT/latest')).body.bid)).toBeGreaterThan(10_000);
    expect(Number((await call('GET', '/quotes/ETHUSDT/latest')).body.bid)).toBeLessThan(10_000);
    const other = await call('GET', '/quotes/SOLUSDT/latest');
    expect(other.status).toBe(404);
    expect(other.body.detail).toBe('this session trades BTCUSDT and ETHUSDT, not SOLUSDT');
  });

  it('trades each symbol on its own book, and answers positions, orders and parents in its units', async () => {
    const { f } = served;
    const eth = await call('POST', '/orders', {
      parentId: 'eth-1',
      symbol: 'ETHUSDT',
      side: 'buy',
      qty: '1.5',
      type: 'market',
    });
    expect(eth.status, JSON.stringify(eth.body)).toBe(201);
    const btc = await call('POST', '/orders', {
      parentId: 'btc-1',
      symbol: 'BTCUSDT',
      side: 'sell',
      qty: '0.02',
      type: 'market',
    });
    expect(btc.status, JSON.stringify(btc.body)).toBe(201);
    await until(f.clock, () =>
      ['eth-1', 'btc-1'].every((id) => f.session.ledger.parents.get(id as never)?.completed?.status === 'filled'),
    );
    const positions = await call('GET', '/positions');
    expect(positions.body.items.map((p: Json) => [p.symbol, p.position, p.baseline, p.openOrders])).toEqual([
      ['BTCUSDT', '9.98', '10', 0],
      ['ETHUSDT', '101.5', '100', 0],
    ]);
    // Each symbol's flow is its own fills' quote: spent on ETH, received for BTC.
    const flow = Object.fromEntries(positions.body.items.map((p: Json) => [p.symbol, Number(p.cashFlow)]));
    expect(flow['ETHUSDT']).toBeLessThan(-1.5 * 2000);
    expect(flow['BTCUSDT']).toBeGreaterThan(0.02 * 50_000);

    const parent = await call('GET', '/orders/eth-1/slices');
    expect(parent.body).toMatchObject({ parentId: 'eth-1', symbol: 'ETHUSDT', qty: '1.5', filledQty: '1.5' });
    const orders = await call('GET', '/orders?parentId=eth-1');
    expect(orders.body.items).toHaveLength(1);
    expect(orders.body.items[0]).toMatchObject({ symbol: 'ETHUSDT', qty: '1.5', filledQty: '1.5' });
    const one = await call('GET', `/orders/${orders.body.items[0].clientOrderId}`);
    expect(one.body.fills.reduce((n: number, x: Json) => n + Number(x.qty), 0)).toBeCloseTo(1.5, 9);
    expect(Number(one.body.fills[0].price)).toBeLessThan(10_000);
  });

  it('refuses an order for a symbol it does not trade, naming the field', async () => {
    const r = await call('POST', '/orders', {
      parentId: 'sol-1',
      symbol: 'SOLUSDT',
      side: 'buy',
      qty: '1',
      type: 'market',
    });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      { path: 'body.symbol', message: 'this session trades BTCUSDT and ETHUSDT, not SOLUSDT' },
    ]);
    expect(served.f.session.ledger.parents.has('sol-1' as never)).toBe(false);
  });

  it('shows every symbol on its page and in its metrics', async () => {
    const { f } = served;
    const page = await (await served.app.request('http://127.0.0.1/session')).text();
    expect(page).toContain('binance-spot BTCUSDT, ETHUSDT');
    const row = (symbol: string): string =>
      (new RegExp(`<tr data-symbol="${symbol}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    expect(row('BTCUSDT')).toMatch(/^BTCUSDT 9\.98 10 [\d.]+ [\d.]+ -?[\d,.]+ [\d.]+ s old$/);
    expect(row('ETHUSDT')).toMatch(/^ETHUSDT 101\.5 100 -[\d.]+ [\d.]+ -?[\d,.]+ [\d.]+ s old$/);
    // The parents table names each parent's symbol.
    expect(page).toMatch(/<tr data-parent="eth-1">\s*<td>eth-1<\/td>\s*<td>ETHUSDT<\/td>/);
    // The total P&L is the symbols' P&L together.
    const view = sessionView(f.session);
    const sum = view.account.symbols.reduce((n, s) => n + (s.pnl ?? NaN), 0);
    expect(view.account.pnl).toBeCloseTo(sum, 6);

    const registry = new Registry();
    const metrics = sessionMetrics(f.session, registry);
    try {
      const text = await registry.metrics();
      expect(text).toContain('execsim_session_position{symbol="BTCUSDT"} 9.98');
      expect(text).toContain('execsim_session_position{symbol="ETHUSDT"} 101.5');
      expect(text).toMatch(/execsim_session_pnl\{symbol="ETHUSDT"\} -?\d/);
      expect(text).toMatch(/execsim_session_market_data_age_seconds\{symbol="ETHUSDT"\} \d/);
      expect(text).toContain('execsim_session_market_data_degraded{symbol="ETHUSDT"} 0');
    } finally {
      metrics.stop();
    }
  });
});
