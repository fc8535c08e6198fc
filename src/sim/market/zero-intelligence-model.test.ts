// The zero-intelligence model: its display is always the L3 book aggregated per price, every
// execution is on the tape before its level shrinks, and the flow is a function of the seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual } from '../../../test/support/hot-expect.ts';
import { Rng } from '../../core/clock/rng.ts';
import { VirtualClock } from '../../core/clock/virtual-clock.ts';
import type { Side } from '../../core/model/order.ts';
import type { MarketSink } from './market-model.ts';
import { ZeroIntelligenceModel, type ZeroIntelligenceSpec } from './zero-intelligence-model.ts';

const SPEC: ZeroIntelligenceSpec = {
  initialMid: 10_000,
  limitRatePerSec: 6,
  marketRatePerSec: 2,
  cancelRatePerSec: 0.05,
  priceRangeTicks: 20,
  meanQty: 5,
  initialOrders: 100,
};

function run(seed: number, spec: ZeroIntelligenceSpec = SPEC, seconds = 120) {
  const clock = new VirtualClock(0);
  const display = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  const tape: Array<{ time: number; price: number; qty: number; aggressor: Side }> = [];
  const problems: string[] = [];
  /** Levels traded since the last refreshTop (one market order can walk several). */
  let traded = new Set<string>();
  const sink: MarketSink = {
    setLevel: (side, price, qty, refresh) => {
      if (qty === 0) display[side].delete(price);
      else display[side].set(price, qty);
      if (refresh === false && !traded.has(`${side}${price}`))
        problems.push(`shrink without a trade at ${side} ${price}`);
    },
    marketTrade: (price, qty, aggressor) => {
      const side = aggressor === 'buy' ? 'ask' : 'bid';
      if ((display[side].get(price) ?? 0) < qty)
        problems.push(`trade of ${qty} at ${side} ${price} showing ${display[side].get(price) ?? 0}`);
      traded.add(`${side}${price}`);
      tape.push({ time: clock.now(), price, qty, aggressor });
    },
    refreshTop: () => {
      traded = new Set();
    },
    levelQty: (side, price) => display[side].get(price) ?? 0,
    best: (side) => {
      const prices = [...display[side].keys()];
      return prices.length === 0 ? null : side === 'bid' ? Math.max(...prices) : Math.min(...prices);
    },
    available: (side, price) => display[side].get(price) ?? 0,
  };
  const model = new ZeroIntelligenceModel(clock, new Rng(seed).stream('market'), sink, spec);
  model.start();
  clock.advanceTo(seconds * 1000);
  return { model, display, tape, problems };
}

const sorted = (m: Map<number, number>, dir: 1 | -1) => [...m.entries()].sort((a, b) => dir * (a[0] - b[0]));

describe('ZeroIntelligenceModel', () => {
  it('property: the display equals the L3 book aggregated per price, and trades print against displayed volume', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.integer({ min: 5, max: 60 }), (seed, seconds) => {
        const { model, display, problems } = run(seed, SPEC, seconds);
        // Whole books compared for every case: expect is called only on a mismatch.
        expectEqual(problems, []);
        expectEqual(sorted(display.bid, -1), model.depth('buy', Number.MAX_SAFE_INTEGER));
        expectEqual(sorted(display.ask, 1), model.depth('sell', Number.MAX_SAFE_INTEGER));
        const bid = model.depth('buy', 1)[0];
        const ask = model.depth('sell', 1)[0];
        if (bid && ask && !(bid[0] < ask[0])) expect(bid[0]).toBeLessThan(ask[0]);
      }),
      { numRuns: 100 },
    );
  });

  it('is a function of its seed', () => {
    expect(run(3).tape).toEqual(run(3).tape);
    expect(run(3).tape).not.toEqual(run(4).tape);
  });

  it('trades at the rates it is given: market orders produce a tape, none without them', () => {
    const { tape } = run(5, SPEC, 300);
    expect(tape.length).toBeGreaterThan(300); // ~2 market orders/s, often several fills each
    expect(new Set(tape.map((t) => t.aggressor))).toEqual(new Set(['buy', 'sell']));
    expect(run(5, { ...SPEC, marketRatePerSec: 0, limitRatePerSec: 0 }, 60).tape).toEqual([]);
  });

  it('cancels resting orders: without new flow, the book drains at the cancel rate', () => {
    const quiet = { ...SPEC, limitRatePerSec: 0, marketRatePerSec: 0, cancelRatePerSec: 0.1 };
    const start = run(9, quiet, 0);
    const later = run(9, quiet, 30);
    const volume = (r: typeof start) =>
      [...r.display.bid.values(), ...r.display.ask.values()].reduce((s, q) => s + q, 0);
    // each order survives 30 s with probability e^-3 (about 5%)
    expect(volume(later)).toBeLessThan(volume(start) * 0.2);
    expect(volume(later)).toBeGreaterThan(0);
  });
});
