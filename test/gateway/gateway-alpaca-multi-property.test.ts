// A property of the Alpaca gateway serving two symbols on one account: whatever orders a client
// sends (random symbols, sides, market and limit orders, marketable or resting, some refused),
// after each one every symbol's position, as GET /v2/positions states it through the real SDK, is
// its starting position plus the signed sum of that symbol's fills as trade_updates announced
// them, and the account's cash is the starting cash less the notional of every fill of both
// symbols and their fees. The venue is scenarios/gateway/aapl-msft.yaml with fees (10 bps taker,
// 5 bps maker) so that cash also proves the fees. No sleeps: each wait is for a condition, bounded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { TradeUpdate } from '../../src/gateway/alpaca/alpaca-orders.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { gateway, KEY, SECRET, waitFor } from '../support/gateway-harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'execsim-gateway-multi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = path.join(dir, 'aapl-msft-fees.yaml');
writeFileSync(
  FILE,
  readFileSync('scenarios/gateway/aapl-msft.yaml', 'utf8').replace(
    'fees: { makerBps: 0, takerBps: 0 }',
    'fees: { makerBps: 5, takerBps: 10 }',
  ),
);

/** Where each symbol's book starts: best bid and ask (cents) and shares held at the start. */
const BOOKS = { AAPL: { bid: 18_740, ask: 18_750, held: 0 }, MSFT: { bid: 41_500, ask: 41_520, held: 20 } } as const;
type Sym = keyof typeof BOOKS;

const order = fc.record({
  symbol: fc.constantFrom<Sym>('AAPL', 'MSFT'),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  limit: fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }),
  ioc: fc.boolean(),
  qty: fc.integer({ min: 1, max: 40 }),
});

describe('the Alpaca gateway serving two symbols: positions and cash are the fills', () => {
  it('after every order, each position is its fills signed and summed, and cash the start less notional and fees', async () => {
    // What the runs covered, so a generator that stopped reaching fills would be seen.
    const seen = { AAPL: 0, MSFT: 0, sells: 0, fees: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 7 }), async (orders) => {
        const updates: TradeUpdate[] = [];
        const gw = await gateway(FILE, { onUpdate: (u) => updates.push(u) });
        const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
        try {
          for (const o of orders) {
            const book = BOOKS[o.symbol];
            const price = o.limit === null ? null : ((o.side === 'buy' ? book.ask : book.bid) + o.limit) / 100;
            const placed =
              price === null
                ? alpaca.trading.orders.market({ symbol: o.symbol, qty: o.qty, side: o.side })
                : alpaca.trading.orders.limit({
                    symbol: o.symbol,
                    qty: o.qty,
                    side: o.side,
                    limitPrice: price,
                    timeInForce: o.ioc ? 'ioc' : 'gtc',
                  });
            // A refused order (no shares to sell, no cash left) changes nothing.
            await placed.catch(() => null);
            // Every execution the venue made is announced before positions and cash are read.
            const executions = () => gw.orders.desk.holdings.executions().length;
            await waitFor(() => updates.filter((u) => u.execution_id !== undefined).length === executions());

            const fills = updates.filter((u) => u.execution_id !== undefined);
            const positions = await alpaca.trading.positions.getAllOpenPositions();
            for (const symbol of ['AAPL', 'MSFT'] as const) {
              const signed = fills
                .filter((u) => u.order['symbol'] === symbol)
                .reduce((s, u) => s + (u.order['side'] === 'buy' ? 1 : -1) * Number(u.qty), 0);
              const stated = positions.find((p) => p.symbol === symbol);
              expect(Number(stated?.qty ?? 0), symbol).toBe(BOOKS[symbol].held + signed);
            }
            // Cash in cents: every fill's notional, and its fee as the venue charged it (in
            // notional units: a cent x a share here, for both symbols).
            const notionalCents = fills.reduce(
              (s, u) => s + (u.order['side'] === 'buy' ? 1 : -1) * Math.round(Number(u.price) * 100) * Number(u.qty),
              0,
            );
            const feeUnits = gw.orders.desk.holdings.executions().reduce((s, e) => s + e.trade.fee, 0);
            const cash = Number((await alpaca.trading.account.getAccount()).cash);
            for (const u of fills) {
              seen[u.order['symbol'] as Sym] += 1;
              if (u.order['side'] === 'sell') seen.sells += 1;
            }
            if (feeUnits > 0) seen.fees += 1;
            expect(cash).toBeCloseTo((10_000_000 - notionalCents - feeUnits) / 100, 2);
          }
        } finally {
          await gw.close();
        }
      }),
      { numRuns: 12 },
    );
    expect(seen.AAPL).toBeGreaterThan(0);
    expect(seen.MSFT).toBeGreaterThan(0);
    expect(seen.sells).toBeGreaterThan(0);
    expect(seen.fees).toBeGreaterThan(0);
  });
});
