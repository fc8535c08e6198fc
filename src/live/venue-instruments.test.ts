// The instruments of an adapter trading several symbols: each row read on its own symbol's grid
// and stating its symbol, the one quote balance in account units (the finest notional unit), and
// one instrument exactly as before (no symbol stated, its own notional units).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InstrumentSet } from '../core/model/instrument-set.ts';
import { makeInstrument, quoteToUnits } from '../core/model/instrument.ts';
import { symbol } from '../core/model/ids.ts';
import { VenueInstruments } from './venue-instruments.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const ETH = makeInstrument({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001', minNotional: '5' });

describe('the instruments of an adapter', () => {
  it('with one: every row is read on it and says no symbol, amounts in its own units', () => {
    const one = new VenueInstruments(BTC);
    expect(one.several).toBe(false);
    expect(one.forRow('ANYTHING')).toBe(BTC);
    expect(one.of('ETHUSDT')).toBeNull();
    expect(one.stated({ qty: 1 }, symbol('BTCUSDT'))).toEqual({ qty: 1 });
    expect(one.quoteUnits('1000.5')).toBe(quoteToUnits(BTC, '1000.5'));
    expect(new VenueInstruments(BTC, [BTC]).several).toBe(false);
  });

  it('with several: a row of each symbol on its own grid, stating it; another symbol is none of them', () => {
    const two = new VenueInstruments(BTC, [BTC, ETH]);
    expect(two.several).toBe(true);
    expect(two.forRow('ETHUSDT')).toBe(ETH);
    expect(two.forRow('SOLUSDT')).toBeNull();
    expect(two.stated({ qty: 1 }, symbol('ETHUSDT'))).toEqual({ qty: 1, symbol: 'ETHUSDT' });
    expect(two.notTraded('SOLUSDT')).toBe('the adapter trades BTCUSDT, ETHUSDT, not SOLUSDT');
  });

  it('refuses a list that does not start with the run instrument, or names a symbol twice', () => {
    expect(() => new VenueInstruments(BTC, [ETH, BTC])).toThrow(/the first must be the run's BTCUSDT/);
    expect(() => new VenueInstruments(BTC, [BTC, BTC])).toThrow(/listed twice/);
  });

  it('property: the quote balance in account units is what the node counts it in (each notional unit times its scale)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('0.01', '0.05', '0.1', '1'),
        fc.constantFrom('0.00001', '0.0001', '0.001', '1'),
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        (tick, lot, cents) => {
          const other = makeInstrument({ symbol: 'XUSDT', tickSize: tick, lotSize: lot, minNotional: '0' });
          let set: InstrumentSet;
          try {
            set = InstrumentSet.of([BTC, other]);
          } catch {
            return; // units that do not divide: the scenario checks refuse them
          }
          const both = new VenueInstruments(BTC, [BTC, other]);
          const cash = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
          const units = both.quoteUnits(cash);
          // Exactly the amount when it is on the finest grid: each instrument's own count times
          // its scale agrees wherever that count is exact.
          for (const inst of [BTC, other]) {
            const own = quoteToUnits(inst, cash);
            const scale = set.scaleOf(inst.symbol);
            expect(units).toBeLessThanOrEqual(own * scale);
            expect(units).toBeGreaterThan((own - 1) * scale);
          }
        },
      ),
    );
  });
});
