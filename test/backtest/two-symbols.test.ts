// One node trading two symbols on one account (scenarios/two-symbols.yaml and variations of it):
// each symbol's baseline, position checks and end-of-run audit are its own, an orphan on one
// symbol quarantines that symbol only, a restart reconciles both, and the file is checked for
// what a several-instrument scenario can get wrong.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const BASE = readFileSync('scenarios/two-symbols.yaml', 'utf8');

function run(yaml: string) {
  const log: LogEntry[] = [];
  const report = runScenario(parseScenario(yaml, 'two-symbols.yaml'), { onEntry: (e) => log.push(e) });
  const events = <K extends ExecEvent['kind']>(kind: K) =>
    log.filter((e) => e.event.kind === kind).map((e) => e.event as Extract<ExecEvent, { kind: K }>);
  return { report, events };
}

/** The base file with `extra` YAML appended at the top level after the orders. */
const withExtra = (extra: string): string => BASE.replace(/^signals:/m, `${extra}\nsignals:`);

describe('a node trading BTCUSDT and ETHUSDT on one account', () => {
  it('takes a baseline per symbol, checks each fill against its own symbol and audits both at the end', () => {
    const { report, events } = run(BASE);
    expect(report.passed).toBe(true);
    // The account held 200,000 USDT and 1 ETH (10,000 lots) before the run; no BTC.
    expect(events('AccountBaseline').map((b) => [b.symbol, b.position])).toEqual([
      ['BTCUSDT', 0],
      ['ETHUSDT', 10_000],
    ]);
    const checks = events('PositionChecked');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.consistent)).toBe(true);
    expect(new Set(checks.map((c) => c.symbol))).toEqual(new Set(['BTCUSDT', 'ETHUSDT']));
    // 2 BTC bought; 1 + 10 - 4 = 7 ETH held at the end, on both sides of the audit.
    const [audit] = events('FillAudit');
    expect(audit).toMatchObject({ expectedPosition: 200_000, venuePosition: 200_000, ledgerMismatches: 0 });
    expect(audit?.others).toEqual([{ symbol: 'ETHUSDT', expectedPosition: 70_000, venuePosition: 70_000 }]);
    expect(report.positions).toEqual([
      { symbol: 'BTCUSDT', ours: '2', venue: '2' },
      { symbol: 'ETHUSDT', ours: '7', venue: '7' },
    ]);
    expect(report.parents.map((p) => [p.id.startsWith('sig-') ? 'signal' : p.id, p.symbol, p.filledQty])).toEqual([
      ['btc-twap', 'BTCUSDT', '2'],
      ['eth-buy', 'ETHUSDT', '10'],
      ['signal', 'ETHUSDT', '4'],
    ]);
  });

  it('quarantines only the symbol of an orphan: ETH orders wait while BTC keeps trading', () => {
    const yaml = withExtra(
      [
        'externalOrders:',
        '  - { at: PT20S, symbol: ETHUSDT, clientOrderId: desk-eth-1, side: buy, qty: "1", limitPrice: "2000.00" }',
      ].join('\n'),
    ).replace('reconciliation: { periodMs: 120000 }', 'reconciliation: { periodMs: 20000 }');
    const { events } = run(yaml);
    const [orphan] = events('OrphanDetected');
    expect(orphan).toMatchObject({ clientOrderId: 'desk-eth-1', symbol: 'ETHUSDT' });
    // The ETH buy at one minute is abandoned for the quarantine; every BTC slice still went out.
    const abandoned = events('OrderAbandoned');
    expect(abandoned.some((a) => a.reason.includes('quarantined'))).toBe(true);
    const created = events('OrderCreated');
    const ethIds = new Set(created.filter((o) => o.symbol === 'ETHUSDT').map((o) => o.clientOrderId));
    expect(abandoned.every((a) => ethIds.has(a.clientOrderId))).toBe(true);
    const btcSent = events('SubmitOrder').filter((o) => !ethIds.has(o.clientOrderId));
    expect(btcSent).toHaveLength(10);
  });

  it('a crash mid-run restarts into the same per-symbol positions, with no double order', () => {
    const yaml = withExtra(['restarts:', '  - { at: PT4M, downtime: PT20S }'].join('\n'));
    const { report, events } = run(yaml);
    expect(events('ProcessRestarted')).toHaveLength(1);
    const [audit] = events('FillAudit');
    expect(audit?.expectedPosition).toBe(audit?.venuePosition);
    expect(audit?.others?.[0]?.expectedPosition).toBe(audit?.others?.[0]?.venuePosition);
    expect(audit?.ledgerMismatches).toBe(0);
    const sent = events('OrderCreated').map((o) => o.clientOrderId);
    expect(new Set(sent).size).toBe(sent.length);
    expect(report.duplicateOrders).toEqual([]);
  });

  it('refuses a file that trades a symbol it does not list, one listed twice, or units that do not divide', () => {
    const bad = (yaml: string) => {
      try {
        parseScenario(yaml, 'bad.yaml');
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(BASE.replace('symbol: ETHUSDT, at: PT1M', 'symbol: SOLUSDT, at: PT1M'))).toMatch(
      /orders\[1\]\.symbol: SOLUSDT is not traded by this scenario \(instrument BTCUSDT, ETHUSDT\)/,
    );
    expect(bad(BASE.replace('  - symbol: ETHUSDT', '  - symbol: BTCUSDT'))).toMatch(
      /otherInstruments\[0\]\.symbol: BTCUSDT is traded already/,
    );
    // ETH's notional unit 0.025 x 0.00001 is 2.5 of BTC's 0.01 x 0.00001.
    expect(
      bad(BASE.replace('tickSize: "0.01"\n    lotSize: "0.0001"', 'tickSize: "0.025"\n    lotSize: "0.00001"')),
    ).toMatch(/otherInstruments: .*not a whole number/);
    // A backtest simulates each symbol's market, so each needs one; a paper run trades on the
    // venue's markets and needs none.
    const noEthMarket = BASE.replace(/^ {4}market:\n(?: {6}.*\n)+/m, '');
    expect(bad(noEthMarket)).toMatch(/otherInstruments\[0\]\.market: is required to simulate the venue/);
    const paper = parseScenario(noEthMarket.replace(/^seed: 47$/m, 'seed: 47\nmode: paper'), 'paper.yaml');
    expect(paper.scenario.otherInstruments.map((o) => o.symbol)).toEqual(['ETHUSDT']);
  });

  it('is refused whole by a gateway whose fill profile fills one instrument (a book gateway serves both)', async () => {
    const { startGateway } = await import('../../src/cli/gateway-command.ts');
    const env = { APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's' };
    const args = ['alpaca', '--scenario', 'scenarios/two-symbols.yaml', '--port', '0', '--fills', 'alpaca-paper'];
    const err = await startGateway(args, { out: () => {}, err: () => {}, env }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('ScenarioError');
    expect((err as Error).message).toBe(
      'scenarios/two-symbols.yaml: otherInstruments: the alpaca-paper fill profile fills one instrument, so ETHUSDT cannot be traded with it (use the book fills, or leave otherInstruments out)',
    );
  });
});
