// The minute history a gateway states before its start: minutes on the venue's clock minutes,
// each one's high and low its trades' own extremes, not a span of its open, close and VWAP.
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../test/support/hot-expect.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import { loadScenarioFile } from '../scenario/load-scenario.ts';
import type { MarketFeed } from './market-feed.ts';
import { minuteHistoryOf } from './minute-history.ts';

const FILE = 'test/fixtures/gateway/binance-minute-history.yaml';

describe('minute history', () => {
  it('bars start on the venue’s minutes, hold their open, close and VWAP, and reach their trades’ extremes beyond them', () => {
    const loaded = loadScenarioFile(FILE);
    // One day, the book redrawn every 10 s and a trade every 5 s (a tenth and two fifths of the
    // fixture's: the test stays cheap, with a dozen trades a minute).
    const s = loaded.scenario;
    if (s.market.model !== 'synthetic' || !s.market.trades || !s.liquidity)
      throw new Error(`${FILE}: expected a synthetic market with trades and a liquidity block`);
    const scenario = {
      ...s,
      market: { ...s.market, stepMs: 10_000, trades: { ...s.market.trades, ratePerSec: 0.2 } },
      liquidity: { ...s.liquidity, minuteHistoryDays: 1 },
    };
    const inst = makeInstrument(scenario.instrument);
    const feed = { prints: [], quote: () => null } as unknown as MarketFeed;
    // A gateway that started 17.25 s into a minute, on a venue clock 2.5 s ahead of ours.
    const start = Date.parse(scenario.start) + 17_250;
    const history = minuteHistoryOf(scenario, FILE, inst, feed, start, 2_500);
    const minutes = history?.minutes() ?? [];
    expect(minutes.length).toBeGreaterThan(600); // a trade every 2 s: nearly every minute trades
    let beyond = 0;
    // Checked for every minute of the day: expect is called only on a mismatch.
    for (const m of minutes) {
      // On the venue's clock minutes, as its bars bucket them, and all before it started.
      expectIs(m.start % 60_000, 0);
      if (!(m.start < start + 2_500)) expect(m.start).toBeLessThan(start + 2_500);
      const vwap = m.notional / m.lots;
      const lowest = Math.min(m.open, m.close);
      const highest = Math.max(m.open, m.close);
      if (!(m.low <= lowest)) expect(m.low).toBeLessThanOrEqual(lowest);
      if (!(m.high >= highest)) expect(m.high).toBeGreaterThanOrEqual(highest);
      if (!(m.low <= Math.round(vwap) + 1)) expect(m.low).toBeLessThanOrEqual(Math.round(vwap) + 1);
      if (!(m.high >= Math.round(vwap) - 1)) expect(m.high).toBeGreaterThanOrEqual(Math.round(vwap) - 1);
      if (m.high > Math.max(m.open, m.close, Math.round(vwap)) || m.low < Math.min(m.open, m.close, Math.round(vwap)))
        beyond++;
    }
    // Trades walk the book past the VWAP in most minutes: a span of open, close and VWAP would
    // show none of that.
    expect(beyond).toBeGreaterThan(minutes.length / 2);
  });
});
