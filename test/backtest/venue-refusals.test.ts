// Refusals the simulated venue gives in a backtest are rendered from the venue's own table with
// the values they name: a sell beyond the position on alpaca-equities is Alpaca's 403 40310000
// "insufficient qty available for order (requested: 5, available: 0)" (it once threw inside the
// venue because the message's placeholders had no values), and the run goes on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const BOOK = readFileSync('test/fixtures/gateway/alpaca-aapl.yaml', 'utf8').replace(
  'name: gateway-alpaca-aapl',
  'name: alpaca-oversell',
);

describe('venue refusals in a backtest', () => {
  it('renders insufficient position with the requested and available quantities', () => {
    const text = `${BOOK}
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - { id: s1, at: PT1M, side: sell, qty: "5", type: market, route: single }
  - { id: b1, at: PT2M, side: buy, qty: "2", type: market, route: single }
  - { id: s2, at: PT3M, side: sell, qty: "3", type: market, route: single }
`;
    const report = runScenario(parseScenario(text, 'test/fixtures/gateway/alpaca-oversell.yaml'));
    const child = (id: string) => report.parents.find((p) => p.id === id)?.children[0];
    expect(child('s1')).toMatchObject({
      outcome: 'rejected',
      code: '40310000',
      reason: 'insufficient qty available for order (requested: 5, available: 0)',
    });
    expect(child('b1')?.outcome).toBe('filled');
    expect(child('s2')).toMatchObject({
      outcome: 'rejected',
      reason: 'insufficient qty available for order (requested: 3, available: 2)',
    });
  });
});

describe('the printed fault summary', () => {
  it('counts final and retryable refusals apart, as two counts neither of which reads as part of the other', () => {
    const text = `name: refusals
seed: 4
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT5M
market: { model: static_book, bids: [["99.90", "50.000"]], asks: [["100.10", "50.000"]] }
faults:
  - { kind: rate_limit, from: PT30S, until: PT1M, scope: orders }
  - { kind: reject_window, from: PT2M, until: PT2M30S }
orders:
  - { id: limited, at: PT40S, side: buy, qty: "1.000", type: market, route: single }
  - { id: refused, at: PT2M10S, side: buy, qty: "1.000", type: market, route: single }
`;
    const report = runScenario(parseScenario(text, 'refusals.yaml'));
    const { rejects, retryableRejects } = report.faults;
    // More retryable refusals than final ones: "1 refused (3 retryable)" read as 3 of 1.
    expect(rejects).toBe(1);
    expect(retryableRejects).toBeGreaterThan(rejects);
    const line = formatReport(report)
      .split('\n')
      .find((l) => l.startsWith('  faults: '));
    expect(line).toContain(`, 1 final refusal, ${retryableRejects} retryable refusals, `);
  });
});
