// The instruments of a node: each notional unit in account units (the finest of them), exactly,
// and the refusals of a list that cannot share one quote balance.
import { describe, expect, it } from 'vitest';
import { makeInstrument } from './instrument.ts';
import { InstrumentSet } from './instrument-set.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const ETH = makeInstrument({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001', minNotional: '5' });
const SOL = makeInstrument({ symbol: 'SOLUSDT', tickSize: '0.001', lotSize: '0.01', minNotional: '5' });

describe('an instrument set', () => {
  it('counts each notional unit in the finest one, whichever comes first', () => {
    const set = InstrumentSet.of([ETH, BTC, SOL]);
    expect(set.primary).toBe(ETH);
    // BTC 1e-7, ETH 1e-6, SOL 1e-5 USDT.
    expect([set.scaleOf('BTCUSDT'), set.scaleOf('ETHUSDT'), set.scaleOf('SOLUSDT')]).toEqual([1, 10, 100]);
    expect(set.of('SOLUSDT')).toBe(SOL);
    expect(set.symbols()).toEqual(['ETHUSDT', 'BTCUSDT', 'SOLUSDT']);
  });

  it('has scale 1 for a node of one instrument', () => {
    const set = InstrumentSet.of([ETH]);
    expect(set.scaleOf('ETHUSDT')).toBe(1);
    expect(set.of('ETHUSDT')).toBe(ETH);
    expect(() => set.of('BTCUSDT')).toThrow(/no instrument BTCUSDT in this node \(it trades ETHUSDT\)/);
  });

  it('refuses a symbol twice, no instrument, and units that are not multiples of the finest', () => {
    expect(() => InstrumentSet.of([BTC, BTC])).toThrow(/BTCUSDT is listed twice/);
    expect(() => InstrumentSet.of([])).toThrow(/at least one/);
    const odd = makeInstrument({ symbol: 'ODDUSDT', tickSize: '0.025', lotSize: '0.00001', minNotional: '5' });
    expect(() => InstrumentSet.of([BTC, odd])).toThrow(
      /ODDUSDT's notional unit \(tick x lot\) is not a whole number of BTCUSDT's/,
    );
  });
});
