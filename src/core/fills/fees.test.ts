// Fees and slippage of a detected fill (fees.ts): asset names from a symbol, each fee method, and
// the slippage in bps as properties (sign, symmetry, rounding to 0.01).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tradeId } from '../model/ids.ts';
import type { ReportedTrade } from '../model/reports.ts';
import { assetsOf, formatBps, slippageBps, tradeFeeUnits, type FeeContext } from './fees.ts';
import { INSTRUMENT } from '../../../test/support/fill-harness.ts';

// BTCUSDT: tick 0.01, lot 0.00001, one notional unit = 1e-7 USDT.
const UNITS_PER_USDT = 10_000_000;
const trade = (t: Partial<ReportedTrade> = {}): ReportedTrade => ({
  tradeId: tradeId('t1'),
  qty: 100_000,
  price: 6_000_000,
  fee: 1234,
  liquidity: 'taker',
  venueTime: 0,
  ...t,
}); // 1 BTC at 60,000 USDT
const ctx = (priceOf: FeeContext['priceOf'] = () => null, fallbackBps = 10): FeeContext => ({
  instrument: INSTRUMENT,
  assets: assetsOf(INSTRUMENT.symbol),
  priceOf,
  fallbackBps,
});

describe('assetsOf', () => {
  it.each([
    ['BTCUSDT', 'BTC', 'USDT'],
    ['btcusdt', 'BTC', 'USDT'],
    ['BTCFDUSD', 'BTC', 'FDUSD'],
    ['ETHBTC', 'ETH', 'BTC'],
    ['BNBETH', 'BNB', 'ETH'],
    ['SOLUSDC', 'SOL', 'USDC'],
    ['BTC/USD', 'BTC', 'USD'],
    ['ETH-EUR', 'ETH', 'EUR'],
    ['AAPL', 'AAPL', 'USD'],
  ])('%s -> %s / %s', (symbol, base, quote) => {
    expect(assetsOf(symbol)).toEqual({ base, quote });
  });
});

describe('tradeFeeUnits', () => {
  it('takes the quote fee as it is when the venue states no commission', () => {
    expect(tradeFeeUnits(trade(), ctx())).toEqual({ units: 1234, method: 'quote' });
  });

  it('takes a commission in the quote asset as its amount', () => {
    expect(tradeFeeUnits(trade({ commission: { asset: 'USDT', amount: '60' } }), ctx())).toEqual({
      units: 60 * UNITS_PER_USDT,
      method: 'commission_quote',
    });
    expect(tradeFeeUnits(trade({ commission: { asset: 'usdt', amount: '0.5' } }), ctx())).toEqual({
      units: UNITS_PER_USDT / 2,
      method: 'commission_quote',
    });
  });

  it('values a commission in the base asset at the trade price', () => {
    // 0.001 BTC at 60,000 = 60 USDT.
    expect(tradeFeeUnits(trade({ commission: { asset: 'BTC', amount: '0.001' } }), ctx())).toEqual({
      units: 60 * UNITS_PER_USDT,
      method: 'commission_base',
    });
  });

  it('converts another asset with the price source', () => {
    // 0.002 BNB at 600 = 1.2 USDT.
    const priced = ctx((a) => (a === 'BNB' ? 600 : null));
    expect(tradeFeeUnits(trade({ commission: { asset: 'BNB', amount: '0.002' } }), priced)).toEqual({
      units: 1.2 * UNITS_PER_USDT,
      method: 'converted',
    });
  });

  it("counts a commission a live adapter valued at a named price as the fill's fee (what the ledger counts)", () => {
    const valued = trade({
      fee: 987_654,
      commission: { asset: 'BNB', amount: '0.002', valuedAt: { price: '493.827', source: 'ticker' } },
    });
    for (const priceOf of [() => null, () => 600])
      expect(tradeFeeUnits(valued, ctx(priceOf))).toEqual({ units: 987_654, method: 'converted' });
    // One the adapter could not value is converted here as any stated commission is.
    const unvalued = trade({ fee: 0, commission: { asset: 'BNB', amount: '0.002', unvalued: true } });
    expect(
      tradeFeeUnits(
        unvalued,
        ctx(() => 600),
      ).units,
    ).toBe(1.2 * UNITS_PER_USDT);
    expect(tradeFeeUnits(unvalued, ctx()).method).toBe('fallback');
  });

  it('falls back to the configured rate of the notional without a usable price or amount', () => {
    // 10 bps of 60,000 USDT = 60 USDT.
    const expected = { units: 60 * UNITS_PER_USDT, method: 'fallback' };
    const bnb = trade({ commission: { asset: 'BNB', amount: '0.002' } });
    expect(tradeFeeUnits(bnb, ctx())).toEqual(expected);
    for (const bad of [0, -1, Number.NaN, Infinity])
      expect(
        tradeFeeUnits(
          bnb,
          ctx(() => bad),
        ),
      ).toEqual(expected);
    for (const amount of ['abc', '-1', '']) {
      // '' is Number('') = 0: a zero commission, not a bad one.
      if (amount === '') expect(tradeFeeUnits(trade({ commission: { asset: 'USDT', amount } }), ctx()).units).toBe(0);
      else expect(tradeFeeUnits(trade({ commission: { asset: 'USDT', amount } }), ctx())).toEqual(expected);
    }
    expect(
      tradeFeeUnits(
        bnb,
        ctx(() => null, 25),
      ).units,
    ).toBe(150 * UNITS_PER_USDT);
  });
});

describe('slippageBps', () => {
  const price = fc.integer({ min: 1, max: 100_000_000 });
  const avgOf = fc.tuple(price, fc.integer({ min: 1, max: 1_000_000 })).map(([n, d]) => n / d);

  it('is zero at equality, with no -0', () => {
    fc.assert(
      fc.property(price, fc.constantFrom('buy' as const, 'sell' as const), (p, side) => {
        expect(Object.is(slippageBps(side, p, p), 0)).toBe(true);
        expect(formatBps(slippageBps(side, p, p))).toBe('0.00');
      }),
      { numRuns: 200 },
    );
  });

  it('buy and sell are symmetric: the same move is worse for one and better for the other', () => {
    fc.assert(
      fc.property(price, avgOf, (e, a) => {
        const buy = slippageBps('buy', e, a);
        const sell = slippageBps('sell', e, a);
        expect(buy).toBe(sell === 0 ? 0 : -sell);
        expect(Math.sign(buy)).toBe(a > e && buy !== 0 ? 1 : a < e && buy !== 0 ? -1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it('rounds to 0.01 bps, within half a unit of the exact value', () => {
    fc.assert(
      fc.property(price, avgOf, fc.constantFrom('buy' as const, 'sell' as const), (e, a, side) => {
        const s = slippageBps(side, e, a);
        const exact = ((side === 'buy' ? a - e : e - a) / e) * 10_000;
        expect(Math.abs(s * 100 - Math.round(s * 100))).toBeLessThan(1e-6 * Math.max(1, Math.abs(s)));
        expect(Math.abs(s - exact)).toBeLessThanOrEqual(0.005 + 1e-9 * Math.max(1, Math.abs(exact)));
        expect(formatBps(s)).toBe(s.toFixed(2));
      }),
      { numRuns: 300 },
    );
  });

  it('rounds half away from zero', () => {
    expect(slippageBps('buy', 80_000, 80_001)).toBe(0.13); // 0.125 bps
    expect(slippageBps('sell', 80_000, 80_001)).toBe(-0.13);
    expect(slippageBps('buy', 10_000, 10_100)).toBe(100);
    expect(slippageBps('sell', 10_000, 9_900)).toBe(100);
  });

  // Regression: slippageBps once divided before scaling, so an exact tie (expected 80,000 ticks,
  // average 80,003: exactly 0.375 bps) fell just below .5 in binary and rounded toward zero.
  it('rounds exact ties half away from zero', () => {
    expect(slippageBps('buy', 80_000, 80_003)).toBe(0.38);
    expect(slippageBps('sell', 80_000, 79_997)).toBe(0.38);
    expect(slippageBps('sell', 80_000, 80_003)).toBe(-0.38);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.constantFrom('buy' as const, 'sell' as const), (k, side) => {
        const q = 2 * k + 1; // q / 2e6 x 1e4 = q x 0.005 bps: always a tie at the 0.01 digit
        const worse = side === 'buy' ? 2_000_000 + q : 2_000_000 - q;
        expect(slippageBps(side, 2_000_000, worse)).toBe((k + 1) / 100);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses prices that are not positive and finite', () => {
    for (const [e, a] of [
      [0, 1],
      [1, 0],
      [-1, 1],
      [Number.NaN, 1],
      [1, Infinity],
    ] as const) {
      expect(() => slippageBps('buy', e, a)).toThrow(RangeError);
    }
  });
});
