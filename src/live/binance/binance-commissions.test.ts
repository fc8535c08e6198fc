// Commissions in another asset valued before a fill is reported (binance-commissions.ts): the
// scenario's price first, the venue's ticker next (read once, again only after the refresh
// period, one read in flight), none when the venue lists no ASSET/QUOTE market; a trade valued
// at a price, or said to be without one, and base and quote commissions left as they are.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock/virtual-clock.ts';
import { tradeId } from '../../core/model/ids.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { ReportedTrade } from '../../core/model/reports.ts';
import { CommissionPrices, valuedTrade, type TickerSource } from './binance-commissions.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const assets = { base: 'BTC', quote: 'USDT' };
const REFRESH = 60_000;

/** A ticker source whose answers the test gives: each read waits until answered. */
function venue(listed: string[] = ['BTC/USDT', 'BNB/USDT']) {
  const asked: string[] = [];
  const waiting: Array<{ resolve: (last: number) => void; reject: (e: Error) => void }> = [];
  const ex = {
    markets: Object.fromEntries(listed.map((s) => [s, {}])),
    fetchTicker: (symbol: string) => {
      asked.push(symbol);
      return new Promise((resolve, reject) =>
        waiting.push({ resolve: (last) => resolve({ symbol, last } as never), reject }),
      );
    },
  } as unknown as TickerSource;
  return {
    ex,
    asked,
    answer: (last: number) => waiting.shift()?.resolve(last),
    fail: () => waiting.shift()?.reject(new Error('503')),
  };
}

const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('CommissionPrices', () => {
  it("takes the scenario's price without asking the venue", async () => {
    const v = venue();
    const prices = new CommissionPrices(v.ex, new VirtualClock(0), new Map([['BNB', '612.5']]));
    prices.prime(assets);
    expect(await prices.priceOf('BNB', assets)).toEqual({ price: '612.5', source: 'scenario' });
    expect(v.asked).toEqual([]);
  });

  it('has no price for an asset whose ASSET/QUOTE market the venue does not list, and asks nothing', async () => {
    const v = venue(['BTC/USDT']);
    const prices = new CommissionPrices(v.ex, new VirtualClock(0));
    prices.prime(assets);
    expect(await prices.priceOf('BNB', assets)).toBeNull();
    expect(v.asked).toEqual([]);
  });

  it('reads the ticker once at the start, values at it, and reads again only once a period has passed', async () => {
    const v = venue();
    const clock = new VirtualClock(0);
    const prices = new CommissionPrices(v.ex, clock, new Map(), REFRESH);
    prices.prime(assets); // the markets are loaded: BNB's ticker is read
    expect(v.asked).toEqual(['BNB/USDT']);
    // A fill before the first answer waits for it; so does a second one, on the same read.
    const first = prices.priceOf('BNB', assets);
    const second = prices.priceOf('BNB', assets);
    v.answer(600.25);
    expect(await first).toEqual({ price: '600.25', source: 'ticker' });
    expect(await second).toEqual({ price: '600.25', source: 'ticker' });
    // Many fills within the period: no request.
    for (let i = 0; i < 50; i++) {
      clock.advanceBy(1_000);
      expect(await prices.priceOf('BNB', assets)).toEqual({ price: '600.25', source: 'ticker' });
    }
    expect(v.asked).toHaveLength(1);
    // Past the period: the fill is valued at the price held, and one read starts.
    clock.advanceBy(REFRESH);
    expect(await prices.priceOf('BNB', assets)).toEqual({ price: '600.25', source: 'ticker' });
    expect(await prices.priceOf('BNB', assets)).toEqual({ price: '600.25', source: 'ticker' });
    expect(v.asked).toHaveLength(2);
    v.answer(601);
    await turns();
    expect(await prices.priceOf('BNB', assets)).toEqual({ price: '601', source: 'ticker' });
    expect(v.asked).toHaveLength(2);
  });

  it('a failed read leaves no price, and the next read waits a period', async () => {
    const v = venue();
    const clock = new VirtualClock(0);
    const prices = new CommissionPrices(v.ex, clock, new Map(), REFRESH);
    const asked = prices.priceOf('BNB', assets);
    v.fail();
    expect(await asked).toBeNull();
    clock.advanceBy(REFRESH - 1);
    expect(await prices.priceOf('BNB', assets)).toBeNull();
    expect(v.asked).toHaveLength(1);
    clock.advanceBy(1);
    const again = prices.priceOf('BNB', assets);
    v.answer(599);
    expect(await again).toEqual({ price: '599', source: 'ticker' });
    expect(v.asked).toHaveLength(2);
  });

  it('a zero or unreadable last price is no price', async () => {
    for (const last of [0, Number.NaN]) {
      const v = venue();
      const prices = new CommissionPrices(v.ex, new VirtualClock(0));
      const asked = prices.priceOf('BNB', assets);
      v.answer(last);
      expect(await asked).toBeNull();
    }
  });

  it('reads nothing ahead for BNB when BNB is one of the symbol’s own assets', () => {
    const v = venue(['BNB/USDT']);
    new CommissionPrices(v.ex, new VirtualClock(0)).prime({ base: 'BNB', quote: 'USDT' });
    expect(v.asked).toEqual([]);
  });

  it('values a list of trades, leaving those in the base or quote asset as they are', async () => {
    const v = venue();
    const prices = new CommissionPrices(v.ex, new VirtualClock(0), new Map([['BNB', '500']]));
    const t = (asset: string, amount: string, fee = 0): ReportedTrade => ({
      tradeId: tradeId(`t-${asset}`),
      qty: 1000,
      price: 6_500_000,
      fee,
      liquidity: 'taker',
      venueTime: 0,
      commission: asset === 'BNB' ? { asset, amount, unvalued: true } : { asset, amount },
    });
    const quote = t('USDT', '0.065', 650_000);
    const base = t('BTC', '0.00001', 6_500_000);
    const [q, b, n] = await prices.value(inst, assets, [quote, base, t('BNB', '0.00013')]);
    expect(q).toBe(quote);
    expect(b).toBe(base);
    // 0.00013 BNB at 500 = 0.065 USDT = 650,000 units.
    expect(n).toMatchObject({
      fee: 650_000,
      commission: { asset: 'BNB', valuedAt: { price: '500', source: 'scenario' } },
    });
    expect(n?.commission?.unvalued).toBeUndefined();
  });
});

describe('valuedTrade', () => {
  const trade = (amount: string): ReportedTrade => ({
    tradeId: tradeId('t1'),
    qty: 1000,
    price: 6_500_000,
    fee: 0,
    liquidity: 'taker',
    venueTime: 0,
    commission: { asset: 'BNB', amount, unvalued: true },
  });
  // Amounts as Binance states them (8 decimals) and prices as a ticker does.
  const amount = fc.integer({ min: 0, max: 10_000_000_000 }).map((n) => (n / 1e8).toFixed(8));
  const price = fc.integer({ min: 1, max: 100_000_000 }).map((n) => String(n / 100));

  it('is amount x price in notional units, within half a unit, never negative, and names its price', () => {
    fc.assert(
      fc.property(amount, price, fc.constantFrom('scenario' as const, 'ticker' as const), (a, p, source) => {
        const v = valuedTrade(inst, assets, trade(a), { price: p, source });
        const exact = (Number(a) * Number(p)) / 1e-7; // USDT in units of tick x lot = 1e-7
        expect(v.fee).toBeGreaterThanOrEqual(0);
        expect(Number.isSafeInteger(v.fee)).toBe(true);
        expect(Math.abs(v.fee - exact)).toBeLessThanOrEqual(0.5 + exact * 1e-12);
        expect(v.commission).toEqual({ asset: 'BNB', amount: a, valuedAt: { price: p, source } });
      }),
    );
  });

  it('without a price: fee 0 and unvalued, never a silent 0', () => {
    fc.assert(
      fc.property(amount, (a) => {
        expect(valuedTrade(inst, assets, trade(a), null)).toMatchObject({
          fee: 0,
          commission: { asset: 'BNB', amount: a, unvalued: true },
        });
      }),
    );
  });

  it('leaves a trade without a commission, or with one in the base or quote asset, as it is', () => {
    fc.assert(
      fc.property(amount, price, fc.constantFrom('BTC', 'USDT', null), (a, p, asset) => {
        const { commission: _c, ...bare } = trade(a);
        const t: ReportedTrade = { ...bare, fee: 123, ...(asset === null ? {} : { commission: { asset, amount: a } }) };
        expect(valuedTrade(inst, assets, t, { price: p, source: 'ticker' })).toBe(t);
      }),
    );
  });
});
