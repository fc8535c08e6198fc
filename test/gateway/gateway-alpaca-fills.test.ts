// The gateway's fill profiles through the real SDK: 'book' (the simulated venue: depth, walking
// the book) and 'alpaca-paper' (Alpaca's documented paper rules: any size at the touch, no impact,
// a random partial fill 10% of the time, seeded). The book is test/fixtures/gateway/alpaca-aapl.yaml
// (asks 10 at 187.50, 100 at 187.60, 500 at 187.80) with more cash for the many-orders test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { streaming as sdkStreaming } from '@alpacahq/alpaca-trade-api';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { FIXTURE, gateway, KEY, onCleanup, SECRET, waitFor } from '../support/gateway-harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'execsim-gateway-fills-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RICH = path.join(dir, 'rich.yaml');
writeFileSync(
  RICH,
  readFileSync(FIXTURE, 'utf8').replace('account: { quote: "100000" }', 'account: { quote: "100000000" }'),
);

async function streaming(gw: AlpacaGateway) {
  const c = gatewayClient(gw.url, KEY, SECRET);
  const updates: sdkStreaming.TradeUpdate[] = [];
  let listening = 0;
  c.updates.onTradeUpdate((u) => updates.push(u));
  c.updates.on('subscription' as never, () => (listening += 1));
  onCleanup(() => c.updates.disconnect());
  c.updates.connect();
  expect((await c.updates.whenAuthenticated()).authenticated).toBe(true);
  await waitFor(() => listening >= 1);
  return { ...c, updates };
}

async function filled(gw: AlpacaGateway, qty: number) {
  const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
  const o = await alpaca.trading.orders.market({ symbol: 'AAPL', qty, side: 'buy' });
  return waitFor(async () => {
    const got = await alpaca.trading.orders.getOrderByOrderID({ orderId: o.id as string });
    return got.status === 'filled' && got;
  });
}

describe('fill profiles', () => {
  it('a market order of 10x the top size fills at the quote under alpaca-paper and walks the book under book', async () => {
    const paper = await filled(await gateway(FIXTURE, { fills: 'alpaca-paper' }), 100);
    expect(paper.filledQty).toBe('100');
    expect(paper.filledAvgPrice).toBe('187.5');
    const book = await filled(await gateway(FIXTURE), 100);
    expect(book.filledQty).toBe('100');
    expect(Number(book.filledAvgPrice)).toBeCloseTo((10 * 187.5 + 90 * 187.6) / 100, 6);
    expect(Number(book.filledAvgPrice)).toBeGreaterThan(187.5);
  });

  it('alpaca-paper leaves the market alone: the quote and the tape do not move', async () => {
    const gw = await gateway(FIXTURE, { fills: 'alpaca-paper' });
    await filled(gw, 100);
    await filled(gw, 50);
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const q = await alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'AAPL' });
    expect([q.quote.ap, q.quote.as]).toEqual([187.5, 10]);
    expect(gw.feed.prints).toEqual([]);
    const p = await alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: 'AAPL' });
    expect(p.qty).toBe('150');
    expect((await alpaca.trading.account.getAccount()).cash).toBe(String(100000 - 150 * 187.5));
  });

  it('alpaca-paper: about 10% of orders get a partial first fill (binomial bound), the rest at the quote, reproducibly', async () => {
    const N = 200;
    const run = async () => {
      const gw = await gateway(RICH, { fills: 'alpaca-paper' });
      const c = await streaming(gw);
      for (let i = 0; i < N; i++) await c.alpaca.trading.orders.market({ symbol: 'AAPL', qty: 10, side: 'buy' });
      await waitFor(() => c.updates.filter((u) => u.event === 'fill').length >= N, 20_000);
      const byOrder = new Map<string, string[]>();
      for (const u of c.updates)
        if (u.executionId)
          byOrder.set(u.order.id as string, [...(byOrder.get(u.order.id as string) ?? []), `${u.qty}@${u.price}`]);
      return [...byOrder.values()];
    };
    const first = await run();
    expect(first).toHaveLength(N);
    for (const executions of first) {
      expect(executions.reduce((s, e) => s + Number(e.split('@')[0]), 0)).toBe(10);
      for (const e of executions) expect(e.endsWith('@187.5')).toBe(true);
    }
    const partial = first.filter((e) => e.length > 1).length;
    // Binomial(200, 0.1): mean 20, standard deviation 4.2; 4.5 standard deviations either side.
    expect(partial).toBeGreaterThanOrEqual(2);
    expect(partial).toBeLessThanOrEqual(39);
    // The draws come from the scenario's seed: the same requests fill the same way.
    expect(await run()).toEqual(first);
  });

  it('the command refuses an unknown fill profile and alpaca-paper with the venue calendar', async () => {
    const { startGateway } = await import('../../src/cli/gateway-command.ts');
    const { UsageError } = await import('../../src/cli/io.ts');
    const env = { APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's' };
    const io = { out: () => {}, err: () => {}, env };
    for (const [args, problem] of [
      [['--fills', 'nbbo'], /--fills must be book or alpaca-paper, got "nbbo"/],
      [['--fills', 'alpaca-paper', '--market-hours', 'venue'], /--fills alpaca-paper needs --market-hours always/],
    ] as const) {
      const err = await startGateway(['alpaca', '--scenario', FIXTURE, ...args], io).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(problem);
    }
  });
});
