import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareDecimals,
  compareScaled,
  formatScaled,
  fromSteps,
  parseDecimal,
  roundDecimal,
  toSteps,
} from './decimal.ts';
import {
  fractionalTicksToPrice,
  lotsToQty,
  makeInstrument,
  priceToTicks,
  qtyToLots,
  ticksToPrice,
  trimZeros,
  unitsToQuote,
} from './instrument.ts';

describe('decimal steps', () => {
  it('converts exactly, without float error', () => {
    expect(toSteps('0.3', '0.1')).toBe(3);
    expect(toSteps('61000.10', '0.01')).toBe(6_100_010);
    expect(toSteps('1.25', '0.05')).toBe(25);
    expect(fromSteps(6_100_010, '0.01')).toBe('61000.1');
    expect(fromSteps(3, '0.00001')).toBe('0.00003');
    expect(fromSteps(-25, '0.05')).toBe('-1.25');
    expect(formatScaled(100n, 2)).toBe('1');
  });

  it('refuses values off the grid and malformed text', () => {
    expect(() => toSteps('0.015', '0.01')).toThrow(/not a multiple/);
    expect(() => toSteps('1.02', '0.05')).toThrow(/not a multiple/);
    expect(() => parseDecimal('1e5')).toThrow(/not a decimal/);
    expect(() => parseDecimal('abc')).toThrow(/not a decimal/);
    expect(() => toSteps('1', '0')).toThrow(/positive/);
    expect(() => toSteps('100000000000000000', '0.01')).toThrow(/too large/);
  });

  it('property: steps -> decimal -> steps is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom('0.01', '0.00001', '0.05', '1', '25', '0.5'),
        (n, step) => {
          expect(toSteps(fromSteps(n, step), step)).toBe(n);
        },
      ),
    );
  });
});

describe('decimal comparison', () => {
  it('compares exactly, whatever the scales and trailing zeros', () => {
    expect(compareDecimals('0.0100', '0.01')).toBe(0);
    expect(compareDecimals('0.0001', '0.001')).toBe(-1);
    expect(compareDecimals('10', '9.99999999')).toBe(1);
    expect(compareDecimals('-0.5', '0.1')).toBe(-1);
    expect(compareDecimals('-0.5', '-0.50')).toBe(0);
    expect(compareDecimals('0.30000000000000000001', '0.3')).toBe(1);
    expect(() => compareDecimals('1e3', '1')).toThrow(/not a decimal/);
  });

  it('property: agrees with the values compared on a common scale, equal across trailing zeros, antisymmetric', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        (x, sx, y, sy, zeros) => {
          const a = formatScaled(BigInt(x), sx);
          const b = formatScaled(BigInt(y), sy);
          // x / 10^sx against y / 10^sy, both on the scale 10^6 (exact in a double at this size).
          expect(compareDecimals(a, b)).toBe(Math.sign(x * 10 ** (6 - sx) - y * 10 ** (6 - sy)) || 0);
          expect(compareDecimals(b, a)).toBe(-compareDecimals(a, b) || 0);
          const padded = `${a}${a.includes('.') ? '' : '.'}${'0'.repeat(zeros)}`.replace(/\.$/, '');
          expect(compareDecimals(padded, a)).toBe(0);
          expect(compareScaled(parseDecimal(a), parseDecimal(b))).toBe(compareDecimals(a, b));
        },
      ),
    );
  });
});

describe('instrument', () => {
  const btc = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

  it('holds minimum notional as integer tick x lot units', () => {
    // 5 USDT / (0.01 * 0.00001) = 50,000,000 units
    expect(btc.minNotionalUnits).toBe(50_000_000);
    expect(makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' }).minNotionalUnits).toBe(
      100,
    );
    // a minimum that is not a whole number of units rounds up (never lets a too-small order through)
    expect(makeInstrument({ symbol: 'X', tickSize: '0.5', lotSize: '1', minNotional: '1.2' }).minNotionalUnits).toBe(3);
  });

  it('converts prices, quantities and notionals', () => {
    expect(priceToTicks(btc, '61000.10')).toBe(6_100_010);
    expect(ticksToPrice(btc, 6_100_010)).toBe('61000.1');
    expect(qtyToLots(btc, '0.25')).toBe(25_000);
    expect(lotsToQty(btc, 25_000)).toBe('0.25');
    expect(unitsToQuote(btc, 6_100_010 * 25_000)).toBe('15250.025');
  });

  it('refuses a zero tick or lot', () => {
    expect(() => makeInstrument({ symbol: 'X', tickSize: '0', lotSize: '1', minNotional: '0' })).toThrow(/tickSize/);
    expect(() => makeInstrument({ symbol: 'X', tickSize: '1', lotSize: '0.0', minNotional: '0' })).toThrow(/lotSize/);
  });
});

describe('instrument with whole-number grids', () => {
  it('handles a tick and lot of 1 (unit scale 0)', () => {
    const inst = makeInstrument({ symbol: 'T', tickSize: '1', lotSize: '1', minNotional: '500' });
    expect(inst.minNotionalUnits).toBe(500);
    expect(unitsToQuote(inst, 1234)).toBe('1234');
  });
});

describe('average prices as text', () => {
  it('trimZeros gives what the two regular expressions it replaced gave, for any toFixed text', () => {
    const before = (t: string) => t.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer().map((n) => n / 1000),
        ),
        fc.integer({ min: 0, max: 12 }),
        (x, decimals) => {
          const text = x.toFixed(decimals);
          expect(trimZeros(text)).toBe(before(text));
        },
      ),
      { numRuns: 5000 },
    );
    for (const t of ['1.5e+30', '1e+21', '-0.0000', '10.000', '100', '0.1200']) expect(trimZeros(t)).toBe(before(t));
  });

  it('fractionalTicksToPrice prints an average at the tick decimals plus four, trailing zeros trimmed', () => {
    const btc = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
    expect(fractionalTicksToPrice(btc, 6_100_010)).toBe('61000.1');
    expect(fractionalTicksToPrice(btc, 6_100_010.25)).toBe('61000.1025');
    expect(fractionalTicksToPrice(btc, 100)).toBe('1');
  });
});

describe('roundDecimal', () => {
  it('is the nearest decimal of that many places, half a unit of the last away at most', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 10 }),
        (mantissa, scale, places) => {
          const text = formatScaled(mantissa, scale);
          const out = roundDecimal(text, places);
          expect(out).toMatch(places === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${places}}$`));
          const a = parseDecimal(text);
          const b = parseDecimal(out);
          const common = Math.max(a.scale, places);
          const diff = b.mantissa * 10n ** BigInt(common - b.scale) - a.mantissa * 10n ** BigInt(common - a.scale);
          const abs = diff < 0n ? -diff : diff;
          // Half a unit of the last place at most, exactly half only away from zero.
          const half = common > places ? 5n * 10n ** BigInt(common - places - 1) : 0n;
          expect(abs <= half).toBe(true);
          if (half > 0n && abs === half) expect(diff > 0n === a.mantissa > 0n).toBe(true);
        },
      ),
    );
  });
});
