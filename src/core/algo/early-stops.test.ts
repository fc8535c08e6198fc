import { describe, expect, it } from 'vitest';
import { lotsToQty, makeInstrument } from '../model/instrument.ts';
import { earlyStopReason } from './early-stops.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const stops = { maxSpread: 0.5, maxPriceDeviation: 0.5, minLiquidity: 20_000 };
const top = { bid: 6_099_900, ask: 6_100_000, bidQty: 5_000, askQty: 5_000 };

describe('earlyStopReason', () => {
  it('states the liquidity floor and what is displayed as the instrument writes quantities', () => {
    const reason = earlyStopReason(
      stops,
      'buy',
      top,
      null,
      () => null,
      (lots) => lotsToQty(inst, lots),
    );
    expect(reason).toBe('displayed liquidity 0.05 below the floor of 0.2');
  });

  it('stops for nothing while the book is wide enough, near enough and deep enough', () => {
    expect(earlyStopReason({ ...stops, minLiquidity: 5_000 }, 'sell', top, 6_099_950, () => null)).toBeNull();
  });
});
