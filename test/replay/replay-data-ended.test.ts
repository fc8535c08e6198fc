// A replay whose recording runs out before the run ends trades after it against the last book,
// held frozen, with no one else trading: the report says so (a `data_ended` model warning), and a
// parent whose benchmark window reaches past the data's end has no participation (a partial
// benchmark) or, when the data ended before it began, no market benchmark at all: its market
// VWAP would be its own fills.
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

/** The bundled recording runs out at 2024-08-09T00:05:04.535Z. */
const ENDED = Date.parse('2024-08-09T00:05:04.535Z');

function run(start: string) {
  const text = `name: replay-data-ended
seed: 1
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: ${start}
duration: PT15M
market:
  model: replay
  files: [data/binance-spot/btcusdt_20240808.gz, data/binance-spot/btcusdt_20240809.gz]
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - { id: twap-buy, at: PT1M, side: buy, qty: "0.1", type: market, twap: { duration: PT10M, slices: 10 } }
`;
  return runScenario(parseScenario(text, 'scenarios/replay-data-ended.yaml'));
}

describe('a replay whose recording runs out before the run ends', () => {
  it('warns of it, and gives a parent whose window reaches past it no participation', () => {
    const report = run('2024-08-09T00:00:00Z');
    const runEnd = Date.parse('2024-08-09T00:15:00Z');
    expect(report.modelWarnings).toEqual([
      {
        model: 'replay',
        warning: 'data_ended',
        count: 1,
        firstAt: expect.closeTo(ENDED, 0),
        first:
          `BTCUSDT: the recording ran out after 99574 messages, ${((runEnd - ENDED) / 1000).toFixed(1)} s before ` +
          'the run ended: after it the book held its last state and no one else traded',
      },
    ]);
    const p = report.parents[0]!;
    expect(p.participationRate).toBeNull();
    expect(p.benchmarkNote).toBe("partial: the recording ran out 244.5 s into the parent's 540.0 s");
    // The part of the window with data is still a market VWAP.
    expect(p.marketVwap).not.toBeNull();
    expect(formatReport(report)).toContain('warning replay data_ended x1');
  });

  it('has no market benchmark for a parent that began after the recording ran out', () => {
    const p = run('2024-08-09T00:10:00Z').parents[0]!;
    expect(p.filledQty).toBe('0.1');
    expect([p.marketVwap, p.marketTwap, p.vwapSlippageBps, p.twapSlippageBps, p.participationRate]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(p.benchmarkNote).toMatch(/^no market data: the recording ran out \d+\.\d s before the parent began$/);
  });

  it('warns of nothing when the recording lasts the run', () => {
    const report = run('2024-08-08T23:50:00Z');
    expect(report.modelWarnings.filter((w) => w.warning === 'data_ended')).toEqual([]);
    expect(report.parents[0]?.participationRate).not.toBeNull();
  });
});
