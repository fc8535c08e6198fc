// Refused signals in the run report: each carries its refusal in words (the kill switch's, the
// breaker's, the signal a duplicate copies), in the JSON report and on a printed line of its own;
// past ten, the rest are counted by stage and code, so a strategy's thousands do not flood it.
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const HEAD = `name: refused-signals
seed: 8
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT10M
market: { model: static_book, bids: [["99.90", "50.000"]], asks: [["100.10", "50.000"]] }
`;

function run(body: string) {
  const report = runScenario(parseScenario(`${HEAD}${body}`, 'refused-signals.yaml'));
  return { report, lines: formatReport(report).split('\n') };
}

describe('refused signals in the report', () => {
  it('say why they were refused: halted by the kill switch, tripped breaker, duplicate', () => {
    const { report, lines } = run(`actions:
  - { at: PT1M, kind: kill_switch, state: halted, actor: risk-desk, reason: "desk halt" }
  - { at: PT2M, kind: kill_switch, state: active, actor: risk-desk, reason: "resume" }
  - { at: PT3M, kind: circuit_breaker, state: tripped, reason: "manual trip" }
signals:
  - { id: halted, at: PT1M30S, side: buy, qty: "0.100" }
  - { id: tripped, at: PT3M30S, side: buy, qty: "0.100" }
`);
    const refused = report.signals.filter((s) => s.outcome === 'rejected');
    expect(refused.map((s) => [s.id, s.stage])).toEqual([
      ['halted', 'guards'],
      ['tripped', 'guards'],
    ]);
    for (const s of refused) {
      expect(s.reason, s.id).toBeTruthy();
      expect(lines).toContain(`  refused signal ${s.id} at guards (${s.code}): ${s.reason}`);
    }
    expect(refused[0]?.reason).toMatch(/kill switch/i);
    expect(refused[1]?.reason).toMatch(/breaker/i);
    expect(report.signals.find((s) => s.outcome === 'accepted')).toBeUndefined();
  });

  it('past ten, the rest are one line counting them by stage and code', () => {
    const copies = Array.from({ length: 14 }, (_, i) => `  - { id: s${i}, at: PT1M, side: buy, qty: "0.100" }`);
    const { report, lines } = run(`signals:\n${copies.join('\n')}\n`);
    expect(report.signals.filter((s) => s.outcome === 'rejected')).toHaveLength(13);
    expect(lines.filter((l) => l.startsWith('  refused signal '))).toHaveLength(10);
    expect(lines).toContain('  refused 3 more signals: 3 at dedup (duplicate-signal)');
    expect(lines).toContain(
      `  refused signal s1 at dedup (duplicate-signal): ${report.signals.find((s) => s.id === 's1')?.reason}`,
    );
  });
});
