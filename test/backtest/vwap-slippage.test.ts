// VWAP's slippage against the interval VWAP (the report's vwapSlippageBps), beside a TWAP's, on
// the recorded BTCUSDT replay and on synthetic days whose volume follows a U (test/support/
// synthetic-day.ts; the market models trade at one rate all day). What must hold, not figures
// (bench/vwap-slippage.ts prints them, bench/RESULTS.md keeps them):
// - a VWAP given the day's true U profile is closer to the interval VWAP than a TWAP is, on every
//   seeded day, while a TWAP is the closer to the interval TWAP (each tracks what it is shaped
//   after);
// - on a 24/7 venue a VWAP's default profile is flat, so it trades as the TWAP does;
// - on the replay every parent fills and its slippage is reported.
import { describe, expect, it } from 'vitest';
import { dayRows, replayRows, type SlippageRow } from '../support/vwap-slippage.ts';

const SEEDS = [1, 2, 3, 4];
const of = (rows: readonly SlippageRow[], algo: string): SlippageRow => rows.find((r) => r.algo === algo)!;
const abs = (x: number | null): number => Math.abs(x as number);

describe('VWAP slippage against the interval VWAP', () => {
  it.each(SEEDS)(
    'on a synthetic U-shaped day (seed %s), the VWAP on the true profile beats the TWAP against the interval VWAP',
    (seed) => {
      const rows = dayRows(seed);
      for (const r of rows) {
        expect(r.filledQty, r.algo).toBe('2');
        expect(typeof r.vwapSlippageBps, r.algo).toBe('number');
      }
      const twap = of(rows, 'twap');
      const vwap = of(rows, 'vwap (true U)');
      const flat = of(rows, 'vwap (default: flat)');
      expect(abs(vwap.vwapSlippageBps)).toBeLessThan(abs(twap.vwapSlippageBps));
      expect(abs(twap.twapSlippageBps)).toBeLessThan(abs(vwap.twapSlippageBps));
      // Flat on a 24/7 venue: the TWAP's sizes within a lot, so its slippage within a hundredth of a bp or so.
      expect(abs((flat.vwapSlippageBps as number) - (twap.vwapSlippageBps as number))).toBeLessThan(0.05);
    },
    120_000,
  );

  it('on the recorded BTCUSDT replay: every parent fills, its slippage against the interval VWAP is reported, and the default VWAP trades as the TWAP', () => {
    const rows = replayRows();
    for (const r of rows) {
      expect(r.filledQty, r.algo).toBe('3');
      expect(r.slices, r.algo).toBe(16);
      // A market buy of 3 BTC over 8 minutes pays the ask: within 25 bps of the interval VWAP.
      expect(abs(r.vwapSlippageBps), r.algo).toBeLessThan(25);
    }
    expect(of(rows, 'vwap (default: flat)').vwapSlippageBps).toBe(of(rows, 'twap').vwapSlippageBps);
  }, 120_000);
});
