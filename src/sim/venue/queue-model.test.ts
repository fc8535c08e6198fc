// Properties of the queue models: how much displayed volume stays ahead of our resting order
// when its level shrinks without trades (all quantities in whole lots).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeQueueModel } from './queue-model.ts';

const riskAverse = makeQueueModel({ model: 'risk_averse' });
const probabilistic = (exponent: number) => makeQueueModel({ model: 'probabilistic', exponent });

const lots = fc.integer({ min: 0, max: 1_000_000 });
const exponent = fc.oneof(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.1, max: 10, noNaN: true }));

/** A level of prevQty lots with `ahead` of them ahead of us, shrinking (or not) to newQty. */
const level = fc
  .tuple(lots, lots, fc.nat())
  .map(([prevQty, newQty, r]) => ({ prevQty, newQty, ahead: prevQty === 0 ? 0 : r % (prevQty + 1) }));
const shrink = level.filter((l) => l.newQty < l.prevQty);

describe('queue models', () => {
  it('keep 0 <= new ahead <= min(ahead, new level size), for both models', () => {
    fc.assert(
      fc.property(level, exponent, ({ prevQty, newQty, ahead }, n) => {
        for (const model of [riskAverse, probabilistic(n)]) {
          const next = model.onShrink(ahead, prevQty, newQty);
          expect(Number.isInteger(next)).toBe(true);
          expect(next).toBeGreaterThanOrEqual(0);
          expect(next).toBeLessThanOrEqual(Math.min(ahead, newQty));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keep the bounds even when ahead exceeds the displayed level (our own orders counted in it)', () => {
    fc.assert(
      fc.property(lots, lots, lots, exponent, (ahead, prevQty, newQty, n) => {
        for (const model of [riskAverse, probabilistic(n)]) {
          const next = model.onShrink(ahead, prevQty, newQty);
          expect(next).toBeGreaterThanOrEqual(0);
          expect(next).toBeLessThanOrEqual(Math.min(ahead, newQty));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('risk-averse is never more optimistic than probabilistic', () => {
    fc.assert(
      fc.property(level, exponent, ({ prevQty, newQty, ahead }, n) => {
        expect(riskAverse.onShrink(ahead, prevQty, newQty)).toBeGreaterThanOrEqual(
          probabilistic(n).onShrink(ahead, prevQty, newQty),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('a larger exponent moves us less (or equally) for the same cancel while we are in the front half', () => {
    // Power law ahead^n / (ahead^n + behind^n): with less ahead than behind, raising n puts more
    // of the cancel behind us.
    fc.assert(
      fc.property(shrink, exponent, exponent, ({ prevQty, newQty, ahead }, a, b) => {
        fc.pre(ahead <= prevQty - ahead);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(probabilistic(hi).onShrink(ahead, prevQty, newQty)).toBeGreaterThanOrEqual(
          probabilistic(lo).onShrink(ahead, prevQty, newQty),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('in the back half a larger exponent moves us more: the power law amplifies whichever side is larger', () => {
    fc.assert(
      fc.property(shrink, exponent, exponent, ({ prevQty, newQty, ahead }, a, b) => {
        fc.pre(ahead >= prevQty - ahead);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(probabilistic(hi).onShrink(ahead, prevQty, newQty)).toBeLessThanOrEqual(
          probabilistic(lo).onShrink(ahead, prevQty, newQty),
        );
      }),
      { numRuns: 1000 },
    );
    // A concrete case: 8 ahead, 2 behind, 5 cancelled.
    expect(probabilistic(1).onShrink(8, 10, 5)).toBe(4); // 8 - 5 * 0.8
    expect(probabilistic(3).onShrink(8, 10, 5)).toBe(3); // 8 - round(5 * 512 / 520)
  });

  it('growth (or no change) never moves us', () => {
    fc.assert(
      fc.property(lots, lots, fc.nat(), exponent, (prevQty, extra, r, n) => {
        const ahead = prevQty === 0 ? 0 : r % (prevQty + 1);
        const newQty = prevQty + extra;
        expect(riskAverse.onShrink(ahead, prevQty, newQty)).toBe(ahead);
        expect(probabilistic(n).onShrink(ahead, prevQty, newQty)).toBe(ahead);
      }),
      { numRuns: 1000 },
    );
  });

  it('examples: risk-averse clamps; probabilistic n=1 is proportional; a removed level leaves nothing ahead', () => {
    expect(riskAverse.onShrink(6, 10, 8)).toBe(6);
    expect(riskAverse.onShrink(6, 10, 4)).toBe(4);
    expect(probabilistic(1).onShrink(6, 10, 5)).toBe(3); // 6 - 5 * 6/10
    expect(probabilistic(2).onShrink(5, 10, 6)).toBe(3); // half of the 4 cancelled was ahead
    expect(probabilistic(2).onShrink(0, 10, 6)).toBe(0);
    expect(riskAverse.onShrink(6, 10, 0)).toBe(0);
    expect(probabilistic(2).onShrink(6, 10, 0)).toBe(0);
  });

  it('refuses a non-positive or non-finite exponent', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => probabilistic(bad)).toThrow(/exponent/);
    }
  });
});
