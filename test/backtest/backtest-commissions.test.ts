// A backtest whose simulated venue states commissions in another asset (venue.fees.commissionAsset):
// each fill's fee is the venue's own charge in notional units, stated beside it in the asset at
// the venue's price (commissionAssetPrice, or the trade's price for the base asset), so the
// parent's fees count it already and nothing is unvalued; the fill reports carry neither a
// valuation nor a kept base (the simulated venue takes every fee from the quote balance, and its
// position is the traded one). What a paper run's adapter adds (docs/0047) is for venues that
// state only the asset and amount.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { quoteToUnits, makeInstrument } from '../../src/core/model/instrument.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

function backtest(venueFile: string) {
  const text = `${readFileSync(venueFile, 'utf8')}
orders:
  - { id: buy, side: buy, qty: "0.03", type: market, route: single }
  - { id: sell, at: PT1S, side: sell, qty: "0.02", type: market, route: single }
`;
  const entries: LogEntry[] = [];
  const report = runScenario(parseScenario(text, venueFile), { onEntry: (e) => entries.push(e) });
  const fills = entries.flatMap((e) => (e.event.kind === 'FillReport' ? [e.event] : []));
  return { report, fills, entries };
}

describe('a backtest stating commissions in another asset', () => {
  it('BNB at the venue price: each fee is its amount x 500 in notional units, and the parents count them', () => {
    const { report, fills, entries } = backtest('test/fixtures/paper/binance-bnb-fees-venue.yaml');
    expect(fills.length).toBeGreaterThanOrEqual(2);
    for (const f of fills) {
      expect(f.commission?.asset).toBe('BNB');
      expect(f.commission?.valuedAt).toBeUndefined();
      expect(f.commission?.unvalued).toBeUndefined();
      expect(f.commission?.baseLots).toBeUndefined();
      expect(Math.abs(f.fee - quoteToUnits(inst, (Number(f.commission?.amount) * 500).toFixed(7)))).toBeLessThanOrEqual(
        1,
      );
      expect(f.fee).toBeGreaterThan(0);
    }
    // 0.03 bought at 65000 and 0.02 sold at 64999, 10 bps each: 1.95 + 1.29998.
    expect(report.parents.map((p) => [p.id, p.fees])).toEqual([
      ['buy', '1.95'],
      ['sell', '1.29998'],
    ]);
    expect(entries.some((e) => e.event.kind === 'CommissionUnvalued')).toBe(false);
    expect(report.parents.map((p) => p.unvaluedFees)).toEqual([[], []]);
  });

  it('the base asset: each fee is its amount at the trade price; the position is the traded one', () => {
    const { report, fills } = backtest('test/fixtures/paper/binance-btc-fees-venue.yaml');
    for (const f of fills) {
      expect(f.commission?.asset).toBe('BTC');
      expect(f.commission?.baseLots).toBeUndefined();
      const worth = Number(f.commission?.amount) * f.price * 0.01;
      expect(Math.abs(f.fee - quoteToUnits(inst, worth.toFixed(7)))).toBeLessThanOrEqual(1);
    }
    expect(report.passed).toBe(true);
    expect(report.discrepancies).toBe(0);
  });
});
