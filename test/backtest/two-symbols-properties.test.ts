// Property: a node trading two symbols on one account, whatever its orders on either symbol and
// whatever the venue does to them (outages of unknown outcome, lost and delayed execution reports,
// 5xx answers, a crash and restart), ends with the venue's truth in every symbol: no client id
// became two orders, no parent filled beyond its quantity, every order's fills are the venue's,
// each symbol's position is the venue's, nothing of ours is left open unwatched, and the run says
// nothing is wrong only when nothing is. Checked against the simulated venue's own books through
// the end-of-run audit (FillAudit), which reads them directly.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const BASE = readFileSync('scenarios/two-symbols.yaml', 'utf8')
  .replace(/^orders:[\s\S]*$/m, '')
  .replace('reconciliation: { periodMs: 120000 }', 'reconciliation: { periodMs: 30000 }');

const order = fc.record({
  eth: fc.boolean(),
  side: fc.constantFrom('buy', 'sell'),
  type: fc.constantFrom('market', 'limit', 'ioc'),
  at: fc.integer({ min: 1, max: 300 }),
  /** Tenths of a coin for ETH, hundredths for BTC. */
  size: fc.integer({ min: 1, max: 20 }),
  /** Ticks away from the start price, toward the book's far side for a buy. */
  offset: fc.integer({ min: -400, max: 400 }),
});

const fault = fc.oneof(
  fc.record({
    kind: fc.constant('outage'),
    from: fc.integer({ min: 0, max: 280 }),
    len: fc.integer({ min: 5, max: 60 }),
  }),
  fc.record({
    kind: fc.constant('lost_reports'),
    from: fc.integer({ min: 0, max: 280 }),
    len: fc.integer({ min: 5, max: 90 }),
  }),
  fc.record({
    kind: fc.constant('http_5xx'),
    from: fc.integer({ min: 0, max: 280 }),
    len: fc.integer({ min: 5, max: 30 }),
  }),
);

type Order = typeof order extends fc.Arbitrary<infer T> ? T : never;
type Fault = typeof fault extends fc.Arbitrary<infer T> ? T : never;

/** The base file without its orders, signals and expectations, with these instead. */
function yaml(orders: readonly Order[], faults: readonly Fault[], restartAt: number | null): string {
  const lines = ['orders:'];
  orders.forEach((o, i) => {
    const eth = o.eth;
    const qty = eth ? (o.size / 10).toFixed(1) : (o.size / 100).toFixed(2);
    const mid = eth ? 2600 : 61000;
    const price = (mid + (o.side === 'buy' ? 1 : -1) * o.offset * 0.01).toFixed(2);
    const fields = [`id: o${i}`, `at: PT${o.at}S`, `side: ${o.side}`, `qty: "${qty}"`, 'route: single'];
    if (eth) fields.push('symbol: ETHUSDT');
    if (o.type === 'market') fields.push('type: market');
    else fields.push('type: limit', `limitPrice: "${price}"`, `tif: ${o.type === 'ioc' ? 'IOC' : 'GTC'}`);
    lines.push(`  - { ${fields.join(', ')} }`);
  });
  if (faults.length > 0) {
    lines.push('faults:');
    for (const f of faults) lines.push(`  - { kind: ${f.kind}, from: PT${f.from}S, until: PT${f.from + f.len}S }`);
  }
  if (restartAt !== null) lines.push('restarts:', `  - { at: PT${restartAt}S, downtime: PT15S }`);
  return `${BASE.replace(/^signals:[\s\S]*?^expect:/m, 'expect:').replace(/^expect:[\s\S]*$/m, '')}${lines.join('\n')}\n`;
}

describe('two symbols on one account under faults and restarts', () => {
  it('property: the run ends with the venue truth in every symbol, or says it does not', () => {
    // What the generated runs went through, so the property is known to cover it.
    const seen = { btcFills: 0, ethFills: 0, lost: 0, outages: 0, restarts: 0 };
    fc.assert(
      fc.property(
        fc.array(order, { minLength: 1, maxLength: 8 }),
        fc.array(fault, { maxLength: 2 }),
        fc.option(fc.integer({ min: 10, max: 320 }), { nil: null }),
        (orders, faults, restartAt) => {
          const log: LogEntry[] = [];
          const report = runScenario(parseScenario(yaml(orders, faults, restartAt), 'gen.yaml'), {
            onEntry: (e) => log.push(e),
          });
          const of = <K extends ExecEvent['kind']>(kind: K) =>
            log.filter((e) => e.event.kind === kind).map((e) => e.event as Extract<ExecEvent, { kind: K }>);
          const [audit] = of('FillAudit');
          expect(audit).toBeDefined();
          if (!audit) return;
          expect(report.duplicateOrders).toEqual([]);
          expect(report.overfilledParents).toEqual([]);
          expect(audit.ledgerMismatches).toBe(0);
          expect(audit.hiddenOpen).toBe(0);
          expect(audit.expectedPosition).toBe(audit.venuePosition);
          expect(audit.others?.map((o) => o.expectedPosition - o.venuePosition)).toEqual([0]);
          // The report's per-symbol positions are the audit's.
          expect(report.positions.map((p) => p.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
          expect(report.positions.every((p) => p.ours === p.venue)).toBe(true);
          // Ids are venue-wide: no client id was used on both books.
          const created = of('OrderCreated');
          const ids = created.map((o) => o.clientOrderId);
          expect(new Set(ids).size).toBe(ids.length);
          const eth = new Set(created.filter((o) => o.symbol === 'ETHUSDT').map((o) => o.clientOrderId));
          for (const f of of('FillReport')) {
            if (eth.has(f.clientOrderId)) seen.ethFills++;
            else seen.btcFills++;
          }
          for (const f of of('FaultApplied')) {
            if (f.fault === 'lost_reports' && !f.detail.endsWith('begins') && !f.detail.endsWith('ends')) seen.lost++;
            if (f.fault === 'outage' && f.detail.endsWith('begins')) seen.outages++;
          }
          seen.restarts += of('ProcessRestarted').length;
        },
      ),
      { numRuns: 25 },
    );
    expect(seen.btcFills).toBeGreaterThan(0);
    expect(seen.ethFills).toBeGreaterThan(0);
    expect(seen.lost).toBeGreaterThan(0);
    expect(seen.outages).toBeGreaterThan(0);
    expect(seen.restarts).toBeGreaterThan(0);
  });
});
