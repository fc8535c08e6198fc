// The shortfall's parts add up exactly to the cost against the decision mid, computed on its
// own, over generated parents of either side (filled, partly filled, unfilled; quantities and
// prices large enough that a float would round), and each part has the sign its meaning gives it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../../test/support/hot-expect.ts';
import type { Side } from '../model/order.ts';
import { COST_PARTS, decomposeShortfall, shortfallTotal, type ShortfallInput } from './cost-decomposition.ts';
import { bps, bpsBreakdown } from './cost-figures.ts';

/** A mid near a price of `base` ticks, as its offset from 2 x base in half ticks (so an odd
 *  value is a mid between two ticks). Drawn beside the base rather than chained on it: the same
 *  mids, without a chained arbitrary's cost per run. */
const midOffset = fc.integer({ min: -4_000, max: 4_000 });

const parent: fc.Arbitrary<ShortfallInput> = fc
  .record({
    side: fc.constantFrom<Side>('buy', 'sell'),
    // Up to 10^9 lots at up to ~10^7 ticks: the products pass 2^53.
    base: fc.integer({ min: 5_000, max: 10_000_000 }),
    qty: fc.integer({ min: 1, max: 1_000_000_000 }),
    fillShares: fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 8 }),
    unfilledShare: fc.integer({ min: 0, max: 1_000 }),
    fees: fc.integer({ min: 0, max: 1_000_000_000 }),
    seed: fc.array(fc.tuple(fc.integer({ min: -3_000, max: 3_000 }), fc.integer({ min: -2_000, max: 2_000 })), {
      minLength: 8,
      maxLength: 8,
    }),
    decision: midOffset,
    arrival: midOffset,
    end: midOffset,
  })
  .map((p): ShortfallInput => {
    // Split qty among the fills (and the part left unfilled) by the drawn shares.
    const shares = [...p.fillShares, p.unfilledShare];
    const sum = shares.reduce((a, b) => a + b, 0);
    let left = p.qty;
    const fills = p.fillShares.map((share, j) => {
      const qty = Math.min(left, Math.floor((p.qty * share) / Math.max(1, sum)));
      left -= qty;
      const [midOffset, priceOffset] = p.seed[j] ?? [0, 0];
      const fillMid2 = 2 * p.base + midOffset;
      const price = Math.max(1, Math.round(fillMid2 / 2) + priceOffset);
      return { qty, notional: qty * price, mid2: fillMid2 };
    });
    return {
      side: p.side,
      qty: p.qty,
      decisionMid2: 2 * p.base + p.decision,
      arrivalMid2: 2 * p.base + p.arrival,
      endMid2: 2 * p.base + p.end,
      fills: fills.filter((f) => f.qty > 0 && Number.isSafeInteger(f.notional)),
      fees: p.fees,
    };
  });

describe('implementation shortfall decomposition', () => {
  it('delay + timing + spread + opportunity + fees is exactly the cost against the decision mid', () => {
    fc.assert(
      fc.property(parent, (p) => {
        const parts = decomposeShortfall(p);
        // Checked in each of 10,000 cases: expect is called only on a mismatch.
        expectIs(parts.delay + parts.timing + parts.spread + parts.opportunity + parts.fees, parts.total);
        expectIs(parts.total, shortfallTotal(p));
      }),
      { numRuns: 10_000 },
    );
  });

  it('each part has the sign of its meaning', () => {
    fc.assert(
      fc.property(parent, (p) => {
        const parts = decomposeShortfall(p);
        const s = BigInt(p.side === 'buy' ? 1 : -1);
        const filled = p.fills.reduce((a, f) => a + f.qty, 0);
        // A buy that starts after the mid rose (a sell after it fell) paid for the wait.
        // Checked in each of 10,000 cases: expect is called only on a mismatch.
        expectIs(
          Math.sign(Number(parts.delay)),
          p.qty === 0 ? 0 : Math.sign(Number(s * BigInt(p.arrivalMid2 - p.decisionMid2))),
        );
        // A fill on the far side of the mid (a buy above it, a sell below) pays spread; the sum of
        // fills that each pay is positive, of fills that each earn negative.
        const paying = p.fills.map((f) => s * (2n * BigInt(f.notional) - BigInt(f.qty) * BigInt(f.mid2)));
        if (paying.every((x) => x > 0n) && paying.length > 0) expectIs(parts.spread > 0n, true);
        if (paying.every((x) => x < 0n) && paying.length > 0) expectIs(parts.spread < 0n, true);
        // Fills after the mid moved our way (down for a buy) make timing a gain.
        const moves = p.fills.map((f) => s * BigInt(f.mid2 - p.arrivalMid2));
        if (moves.every((x) => x < 0n) && moves.length > 0) expectIs(parts.timing < 0n, true);
        if (moves.every((x) => x > 0n) && moves.length > 0) expectIs(parts.timing > 0n, true);
        // What did not fill costs what the mid moved against us from arrival to the end; a
        // filled parent has none.
        if (filled === p.qty) expectIs(parts.opportunity, 0n);
        else expectIs(Math.sign(Number(parts.opportunity)), Math.sign(Number(s * BigInt(p.endMid2 - p.arrivalMid2))));
        expectIs(parts.fees, 2n * BigInt(p.fees));
        expectIs(parts.fees >= 0n, true);
      }),
      { numRuns: 10_000 },
    );
  });

  it('a worked buy: 2 of 3 lots filled', () => {
    // Decided at mid 100, started at 100.5, filled 1 at 101 (mid 100.5) and 1 at 102 (mid 101.5),
    // the last lot unfilled with the mid at 103 at the end; fees 3 units.
    const parts = decomposeShortfall({
      side: 'buy',
      qty: 3,
      decisionMid2: 200,
      arrivalMid2: 201,
      endMid2: 206,
      fills: [
        { qty: 1, notional: 101, mid2: 201 },
        { qty: 1, notional: 102, mid2: 203 },
      ],
      fees: 3,
    });
    // In half units: delay 3 x 1, timing 0 + 2, spread 1 + 1, opportunity 1 x 5, fees 6.
    expect(parts).toEqual({ delay: 3n, timing: 2n, spread: 2n, opportunity: 5n, fees: 6n, total: 18n });
  });
});

describe('bps of a breakdown', () => {
  it('rounds each part within a hundredth of its exact bps, and the parts add up to the rounded total', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.double({ min: 1, max: 1e9, noNaN: true }),
        (parts, of) => {
          const [delay, timing, spread, opportunity, fees] = parts as [number, number, number, number, number];
          const total = delay + timing + spread + opportunity + fees;
          const b = bpsBreakdown({ delay, timing, spread, opportunity, fees, total }, of);
          const sum = COST_PARTS.reduce((s, k) => s + Math.round(b[k] * 100), 0);
          expectIs(sum, Math.round(b.total * 100));
          expectIs(b.total, bps(total, of));
          for (const k of COST_PARTS) {
            const off = Math.abs(b[k] - ({ delay, timing, spread, opportunity, fees }[k] / of) * 1e4);
            if (!(off < 0.01 + 1e-9)) expect(off).toBeLessThan(0.01 + 1e-9);
          }
        },
      ),
    );
    // Three parts of 0.006 bps each: rounded alone 0.01 each (0.03), against a total of 0.02.
    const b = bpsBreakdown({ delay: 0.6, timing: 0.6, spread: 0.6, opportunity: 0, fees: 0, total: 1.8 }, 1e6);
    expect(b).toEqual({ delay: 0.01, timing: 0.01, spread: 0, opportunity: 0, fees: 0, total: 0.02 });
  });
});
