// A property of the Binance gateway serving two symbols on one account
// (scenarios/gateway/btc-eth.yaml: 100,000 USDT, no BTC, 2 ETH; 0.1% fees in USDT): whatever
// orders a client sends on either symbol (market or limit, buy or sell, crossing or resting, some
// refused for want of funds), after each answer every symbol's base balance (free and locked) is
// its start plus the signed sum of its own fills, and the one quote balance is the start less
// the notional of every fill of both symbols (bought less sold) and every commission, exactly.
// The fills are read back from myTrades of each symbol; every amount is compared as an exact
// decimal. No sleeps: a resting order never fills later (the books are static and nobody else
// trades them).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binanceGateway, raw } from '../support/binance-gateway-harness.ts';
import { scoped } from '../support/gateway-harness.ts';

const TWO = 'scenarios/gateway/btc-eth.yaml';

/** An exact decimal string as an integer count of 1e-8. */
function e8(text: string): bigint {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole as string) * 100_000_000n + BigInt((frac + '00000000').slice(0, 8));
}

interface Op {
  readonly symbol: 'BTCUSDT' | 'ETHUSDT';
  readonly side: 'BUY' | 'SELL';
  readonly market: boolean;
  /** Quantity in the symbol's test steps (BTC 0.01, ETH 0.1). */
  readonly steps: number;
  /** A limit's distance from the touch it would take, in the symbol's price steps (BTC 1.00,
   *  ETH 0.50): positive crosses the spread, negative rests behind it. */
  readonly offset: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  symbol: fc.constantFrom('BTCUSDT' as const, 'ETHUSDT' as const),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  market: fc.boolean(),
  steps: fc.integer({ min: 1, max: 30 }),
  offset: fc.integer({ min: -4, max: 4 }),
});

/** The order's parameters: BTC's touch is 65000 ask / 64999 bid, ETH's 2600.00 / 2599.50. */
function orderParams(op: Op): Record<string, string> {
  const btc = op.symbol === 'BTCUSDT';
  const quantity = btc ? (op.steps / 100).toFixed(2) : (op.steps / 10).toFixed(1);
  const base = { symbol: op.symbol, side: op.side, quantity, newOrderRespType: 'FULL' };
  if (op.market) return { ...base, type: 'MARKET' };
  const touch = op.side === 'BUY' ? (btc ? 65000 : 2600) : btc ? 64999 : 2599.5;
  const step = (btc ? 1 : 0.5) * (op.side === 'BUY' ? 1 : -1);
  return { ...base, type: 'LIMIT', timeInForce: 'GTC', price: (touch + step * op.offset).toFixed(2) };
}

describe('the Binance gateway serving two symbols: balances against fills', () => {
  it('each base is its start plus its own signed fills; the shared quote pays every fill and fee', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 6 }),
        scoped(async (ops: Op[]) => {
          const gw = await binanceGateway(TWO);
          const start: Record<string, bigint> = { BTC: 0n, ETH: e8('2'), USDT: e8('100000') };
          for (const op of ops) {
            const placed = await raw(gw, 'POST', 'order', orderParams(op), true);
            // Filled, resting or refused (for want of funds): never a server error.
            expect(placed.status, JSON.stringify(placed.body)).toBeLessThan(500);
            const account = (await raw(gw, 'GET', 'account', {}, true)).body as {
              balances: Array<{ asset: string; free: string; locked: string }>;
            };
            const total = new Map(account.balances.map((b) => [b.asset, e8(b.free) + e8(b.locked)]));
            let quote = start['USDT'] as bigint;
            for (const [symbol, base] of [
              ['BTCUSDT', 'BTC'],
              ['ETHUSDT', 'ETH'],
            ] as const) {
              const trades = (await raw(gw, 'GET', 'myTrades', { symbol }, true)).body as Array<{
                qty: string;
                quoteQty: string;
                commission: string;
                commissionAsset: string;
                isBuyer: boolean;
              }>;
              let position = start[base] as bigint;
              for (const t of trades) {
                expect(t.commissionAsset).toBe('USDT');
                position += t.isBuyer ? e8(t.qty) : -e8(t.qty);
                quote += (t.isBuyer ? -e8(t.quoteQty) : e8(t.quoteQty)) - e8(t.commission);
              }
              expect([base, total.get(base)]).toEqual([base, position]);
            }
            expect(total.get('USDT')).toBe(quote);
            expect(account.balances.every((b) => !b.free.startsWith('-') && !b.locked.startsWith('-'))).toBe(true);
          }
        }),
      ),
      { numRuns: 12 },
    );
  });
});
