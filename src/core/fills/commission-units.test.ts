// A commission's value in notional units (commission-units.ts), as properties: whole units,
// never negative, within half a unit of the exact value; the quote and base asset valued by the
// commission and the trade alone (no other price changes them); another asset only at a
// positive price; an amount that does not read, or is negative, has no value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../model/instrument.ts';
import { commissionAssetKind, commissionLots, commissionUnits } from './commission-units.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const assets = { base: 'BTC', quote: 'USDT' };
const UNIT = 0.01 * 0.00001; // one notional unit, in USDT

const amount = fc.integer({ min: 0, max: 10_000_000_000 }).map((n) => (n / 1e8).toFixed(8));
const ticks = fc.integer({ min: 1, max: 1_000_000_000 });
const rate = fc.oneof(
  fc.constant(null),
  fc.double({ min: -10, max: 1e6, noNaN: true }),
  fc.constantFrom(Number.NaN, Infinity),
);
const positiveRate = fc.integer({ min: 1, max: 100_000_000 }).map((n) => n / 100);
const within = (units: number, exact: number) =>
  expect(Math.abs(units - exact)).toBeLessThanOrEqual(0.5 + Math.abs(exact) * 1e-12);

describe('commissionUnits', () => {
  it('the quote asset is its amount, whatever the trade price or another price says', () => {
    fc.assert(
      fc.property(amount, ticks, rate, fc.constantFrom('USDT', 'usdt'), (a, p, r, asset) => {
        const u = commissionUnits(inst, assets, { asset, amount: a }, p, r);
        expect(u).not.toBeNull();
        expect(Number.isSafeInteger(u)).toBe(true);
        expect(u).toBeGreaterThanOrEqual(0);
        within(u as number, Number(a) / UNIT);
        expect(commissionUnits(inst, assets, { asset, amount: a }, p, null)).toBe(u);
      }),
    );
  });

  it('the base asset is its amount at the trade price, whatever another price says', () => {
    fc.assert(
      fc.property(amount, ticks, rate, (a, p, r) => {
        // Notional units are safe integers for any trade the instrument can hold.
        fc.pre((Number(a) * p) / 0.00001 < Number.MAX_SAFE_INTEGER);
        const u = commissionUnits(inst, assets, { asset: 'BTC', amount: a }, p, r);
        expect(Number.isSafeInteger(u)).toBe(true);
        expect(u).toBeGreaterThanOrEqual(0);
        // amount (BTC) x price (p ticks of 0.01 USDT) in units of 1e-7 USDT.
        within(u as number, (Number(a) * p * 0.01) / UNIT);
        expect(commissionUnits(inst, assets, { asset: 'BTC', amount: a }, p, null)).toBe(u);
      }),
    );
  });

  it('another asset is its amount at its price, and has no value without a positive price', () => {
    fc.assert(
      fc.property(amount, ticks, positiveRate, rate, (a, p, r, bad) => {
        const u = commissionUnits(inst, assets, { asset: 'BNB', amount: a }, p, r);
        expect(Number.isSafeInteger(u)).toBe(true);
        expect(u).toBeGreaterThanOrEqual(0);
        within(u as number, (Number(a) * r) / UNIT);
        const unpriced = commissionUnits(inst, assets, { asset: 'BNB', amount: a }, p, bad);
        if (bad === null || !(bad > 0) || !Number.isFinite(bad)) expect(unpriced).toBeNull();
        else expect(unpriced).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('grows with the amount and with the price (monotone)', () => {
    fc.assert(
      fc.property(amount, amount, positiveRate, (a, b, r) => {
        const [lo, hi] = Number(a) <= Number(b) ? [a, b] : [b, a];
        const at = (x: string, y: number) => commissionUnits(inst, assets, { asset: 'BNB', amount: x }, 1, y) as number;
        expect(at(lo, r)).toBeLessThanOrEqual(at(hi, r));
        expect(at(hi, r)).toBeLessThanOrEqual(at(hi, r * 2));
      }),
    );
  });

  it('an amount that does not read or is negative has no value', () => {
    for (const a of ['abc', '-0.1', 'NaN', 'Infinity', '1e400'])
      for (const asset of ['USDT', 'BTC', 'BNB'])
        expect(commissionUnits(inst, assets, { asset, amount: a }, 100, 600)).toBeNull();
  });
});

describe('commissionLots and commissionAssetKind', () => {
  it('a base commission in lots is the amount over the lot size, fractions kept', () => {
    fc.assert(
      fc.property(amount, (a) => {
        const lots = commissionLots(inst, a) as number;
        expect(lots).toBeGreaterThanOrEqual(0);
        expect(Math.abs(lots * 0.00001 - Number(a))).toBeLessThanOrEqual(1e-12 + Number(a) * 1e-12);
      }),
    );
    expect(commissionLots(inst, '0.00000123')).toBeCloseTo(0.123, 12);
    expect(commissionLots(inst, '-1')).toBeNull();
  });

  it('names the quote, the base and any other asset, in any case', () => {
    expect(commissionAssetKind(assets, 'usdt')).toBe('quote');
    expect(commissionAssetKind(assets, 'Btc')).toBe('base');
    expect(commissionAssetKind(assets, 'BNB')).toBe('other');
  });
});
