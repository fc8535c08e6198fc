// VWAP and implementation-shortfall parents in backtests (examples/algorithms/*.yaml): each runs
// its trajectory on TWAP's grid, stores it with the plan, and survives a crash anywhere in it: the
// restarted process plans nothing again, every slice keeps the id and size of a run without the
// crash, nothing is sent twice and the parent never fills past its quantity. The `algo` block is
// checked like the `twap` block: a bad input is refused at the field it names.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import type { RunReport } from '../../src/runtime/backtest-run.ts';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { formatReport } from '../../src/cli/format-report.ts';
import { runLogged } from '../support/logged-run.ts';

const VWAP = readFileSync('examples/algorithms/vwap-open.yaml', 'utf8');
const IS = readFileSync('examples/algorithms/implementation-shortfall.yaml', 'utf8');
const run = (text: string) => runLogged(parseScenario(text, 'inline.yaml'));

/** The children of a parent as its plan made them. */
function children(log: readonly LogEntry[], parentId: string) {
  return log.flatMap((e) =>
    e.event.kind === 'OrderCreated' && e.event.parentId === parentId
      ? [{ id: e.event.clientOrderId, slice: e.event.sliceNum, qty: e.event.qty, at: e.event.scheduledTime }]
      : [],
  );
}

/** Lots a parent's children filled, by the run report (the venue's fills as the ledger applied
 *  them), and the parent's own total. */
function filledLots(report: RunReport, parentId: string, lotSize: number): { children: number; parent: number } {
  const p = report.parents.find((x) => x.id === parentId)!;
  const lotsOf = (q: string) => Math.round(Number(q) / lotSize);
  return { children: p.children.reduce((a, c) => a + lotsOf(c.filledQty), 0), parent: lotsOf(p.filledQty) };
}

const withRestart = (text: string, at: number, down: number) =>
  text.replace(/restarts:\n {2}- .*\n/, `restarts:\n  - { at: PT${at}S, downtime: PT${down}S }\n`);
const withoutRestart = (text: string) => text.replace(/restarts:\n {2}- .*\n/, '');

const cases = [
  { name: 'VWAP', text: VWAP, parent: 'vwap-buy', lotSize: 1, lots: 300, horizonS: 3600 },
  { name: 'implementation shortfall', text: IS, parent: 'is-sell', lotSize: 0.00001, lots: 5000, horizonS: 600 },
] as const;

describe.each(cases)('$name under a restart', ({ text, parent, lotSize, lots, horizonS }) => {
  it('completes its quantity with no overfill and no double order, and reproduces its digest', () => {
    const { report, log, of } = run(text);
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(of('ProcessRestarted')).toHaveLength(1);
    expect(report.duplicateOrders).toEqual([]);
    expect(filledLots(report, parent, lotSize)).toEqual({ children: lots, parent: lots });
    expect(children(log, parent).reduce((a, c) => a + c.qty, 0)).toBe(lots);
    const sent = of('SubmitOrder').map((e) => e.event.clientOrderId);
    expect(new Set(sent).size).toBe(sent.length);
    expect(run(text).report.digest).toBe(report.digest);
  });

  it('after the crash the restarted process plans nothing again', () => {
    const { log, of } = run(text);
    const restartSeq = of('ProcessRestarted')[0]!.seq;
    const after = log.filter((e) => e.seq > restartSeq);
    for (const kind of ['TwapPlanned', 'OrderCreated', 'ChildAmended'])
      expect(after.filter((e) => e.event.kind === kind)).toEqual([]);
    expect(of('SliceRecovered').length).toBeGreaterThan(0);
  });

  it('wherever the crash falls, every slice keeps the id and size of a run without one, and none is sent twice', () => {
    const whole = run(withoutRestart(text));
    expect(whole.of('ProcessRestarted')).toEqual([]);
    const planned = children(whole.log, parent);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: horizonS }), fc.integer({ min: 1, max: 120 }), (atS, downS) => {
        const { report, log, of } = run(withRestart(text, atS, downS));
        expect(of('ProcessRestarted')).toHaveLength(1);
        expect(children(log, parent)).toEqual(planned);
        expect(report.duplicateOrders).toEqual([]);
        const filled = filledLots(report, parent, lotSize);
        expect(filled.children).toBe(filled.parent);
        expect(filled.parent).toBeLessThanOrEqual(lots);
        const sent = of('SubmitOrder').map((e) => e.event.clientOrderId);
        expect(new Set(sent).size).toBe(sent.length);
      }),
      { numRuns: 8 },
    );
  });
});

describe.each(cases)('$name crashed right after a send, before its status is stored', ({ text, parent, lotSize }) => {
  it('makes no double order and keeps every slice of the plan, whichever send the crash follows', () => {
    const planned = children(run(withoutRestart(text)).log, parent);
    for (let n = 1; n <= planned.length; n += 3) {
      const { report, log, of } = run(
        text.replace(/restarts:\n {2}- .*\n/, `restarts:\n  - { afterSubmit: ${n}, downtime: PT20S }\n`),
      );
      expect(of('ProcessRestarted')).toHaveLength(1);
      expect(children(log, parent)).toEqual(planned);
      expect(report.duplicateOrders).toEqual([]);
      const filled = filledLots(report, parent, lotSize);
      expect(filled.children).toBe(filled.parent);
      expect(filled.parent).toBeLessThanOrEqual(planned.reduce((a, c) => a + c.qty, 0));
    }
  });
});

describe('what the plan stores and the report says', () => {
  it("a VWAP with no profile of its own follows the venue's: U-shaped on Alpaca's calendar, front-loaded from the open", () => {
    const { report, of } = run(VWAP);
    const plan = of('TwapPlanned')[0]!.event;
    expect(plan.trajectory).toEqual({ kind: 'vwap', profile: 'u-shaped' });
    const sizes = children(run(VWAP).log, 'vwap-buy').map((c) => c.qty);
    expect(sizes).toEqual([36, 35, 33, 32, 30, 29, 28, 27, 25, 25]);
    expect(report.parents.find((p) => p.id === 'vwap-buy')?.algo).toBe('vwap');
    expect(report.parents.find((p) => p.id === 'vwap-buy')?.profile).toBe(
      "the U-shaped default of the exchange's sessions",
    );
    expect(formatReport(report, false)).toContain(
      "    vwap (profile: the U-shaped default of the exchange's sessions): ",
    );
  });

  it('on a 24/7 venue the default profile is flat, and a given one is stored with its weights', () => {
    const binance = IS.replace(/algo: .*\n/, 'algo: { kind: vwap }\n');
    const flat = run(binance);
    expect(flat.of('TwapPlanned')[0]!.event.trajectory).toEqual({ kind: 'vwap', profile: 'flat' });
    expect(flat.report.parents[0]!.profile).toBe('flat (a 24/7 market without history)');
    const given = IS.replace(/algo: .*\n/, 'algo: { kind: vwap, profile: [3, 1, 1, 3] }\n');
    const { of, log, report } = run(given);
    expect(report.parents[0]!.profile).toBe('given with the order (4 weights)');
    expect(formatReport(report, false)).toContain(
      '    vwap (profile: given with the order (4 weights)): 10/10 slices sent',
    );
    expect(of('TwapPlanned')[0]!.event.trajectory).toEqual({ kind: 'vwap', profile: 'given', weights: [3, 1, 1, 3] });
    // 10 slices over 4 buckets: 3/8 of the order by a quarter of the horizon... front and back heavy.
    const sizes = children(log, 'is-sell').map((c) => c.qty);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(sizes[0]).toBeGreaterThan(sizes[4]!);
    expect(sizes[9]).toBeGreaterThan(sizes[5]!);
  });

  it("the text report counts a VWAP's slice times from the parent's start, not from its first slice", () => {
    // A profile empty for its first two thirds: the first of the two slices planned is due 8
    // minutes after the parent started.
    const { report } = run(`name: late-profile
seed: 7
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-09T12:00:00Z
duration: PT21M
market: { model: synthetic, initialPrice: "100.00", volatility: 0.005, depth: ["400", "800"] }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - id: p
    at: PT10S
    side: buy
    qty: "600"
    type: market
    twap: { duration: PT12M, slices: 6 }
    algo: { kind: vwap, profile: [0, 0, 1] }
`);
    const p = report.parents[0]!;
    expect(p.startedAt).toBe(Date.parse('2024-08-09T12:00:10Z'));
    expect(p.children.map((c) => (c.scheduledAt - p.startedAt) / 1000)).toEqual([480, 600]);
    const text = formatReport(report, false);
    expect(text).toContain('    slice 1: filled 300/300 @ ');
    expect(text).toMatch(/slice 1: .*, due \+480\.0 s, sent \+480\.0 s/);
    expect(text).toMatch(/slice 2: .*, due \+600\.0 s, sent \+600\.0 s/);
  });

  it('implementation shortfall stores its inputs and kappa, front-loads, and at urgency 0 plans exactly the TWAP', () => {
    const { report, of, log } = run(IS);
    expect(report.parents[0]!.profile).toBeNull();
    const t = of('TwapPlanned')[0]!.event.trajectory;
    expect(t).toMatchObject({ kind: 'almgren-chriss', urgency: 0.05, volatility: 0.02, impact: 0.001 });
    expect(t?.kind === 'almgren-chriss' && t.kappaPerSecond).toBeCloseTo(Math.sqrt((0.05 * 0.0004) / 3600 / 0.001), 12);
    const sizes = children(log, 'is-sell').map((c) => c.qty);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
    expect(report.parents.find((p) => p.id === 'is-sell')?.algo).toBe('is');

    const zero = run(IS.replace('urgency: 0.05', 'urgency: 0'));
    const twap = run(IS.replace(/ {4}algo: .*\n/, ''));
    const shape = (l: readonly LogEntry[]) => children(l, 'is-sell').map((c) => ({ qty: c.qty, at: c.at }));
    expect(shape(zero.log)).toEqual(shape(twap.log));
    expect(twap.of('TwapPlanned')[0]!.event.trajectory).toBeUndefined();
    expect(twap.report.parents[0]?.algo).toBe('twap');
    expect(zero.report.parents[0]?.algo).toBe('is');
  });

  it('an algo on an order without a twap block runs on routing.defaultTwap', () => {
    const { of, log } = run(IS.replace(/ {4}twap: .*\n/, ''));
    const plan = of('TwapPlanned')[0]!.event;
    expect(plan.durationMs).toBe(150_000);
    expect(plan.trajectory?.kind).toBe('almgren-chriss');
    expect(children(log, 'is-sell')).toHaveLength(5);
  });
});

describe('the algo block is checked like the twap block', () => {
  const refused = (text: string): string => {
    try {
      parseScenario(text, 'x.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioError);
      return (err as Error).message;
    }
    throw new Error('parsed');
  };
  const algo = (line: string) => IS.replace(/algo: .*\n/, `algo: ${line}\n`);
  it.each([
    ['an unknown kind', '{ kind: chaser }', 'orders[0].algo.kind', /kind twap, vwap, is, pov, iceberg or module/],
    ['a negative weight', '{ kind: vwap, profile: [1, 2, -1] }', 'orders[0].algo.profile[2]', /at least 0/],
    ['a profile of zeros', '{ kind: vwap, profile: [0, 0] }', 'orders[0].algo.profile', /above 0/],
    ['an empty profile', '{ kind: vwap, profile: [] }', 'orders[0].algo.profile', /at least one weight/],
    ['a missing impact', '{ kind: is, urgency: 1, volatility: 0.02 }', 'orders[0].algo.impact', /.+/],
    ['a zero impact', '{ kind: is, urgency: 1, volatility: 0.02, impact: 0 }', 'orders[0].algo.impact', /.+/],
    ['a negative urgency', '{ kind: is, urgency: -1, volatility: 0.02, impact: 1 }', 'orders[0].algo.urgency', /.+/],
    ['an unknown field', '{ kind: is, urgency: 1, volatility: 0.02, impact: 1, alpha: 2 }', 'orders[0].algo', /alpha/],
  ])('refuses %s at its field', (_what, line, path, mention) => {
    const message = refused(algo(line));
    expect(message.startsWith(`x.yaml: ${path}: `), message).toBe(true);
    expect(message).toMatch(mention);
  });

  it('refuses a trajectory the planner cannot make, at the field it names', () => {
    const message = refused(algo('{ kind: is, urgency: 1000000000000, volatility: 100, impact: 1e-300 }'));
    expect(message).toMatch(/^x\.yaml: orders\[0\]\.algo\.urgency: the TWAP planner refuses/);
  });

  it('refuses an algo whose default grid runs past the end of the run', () => {
    const late = IS.replace(/ {4}twap: .*\n/, '').replace('  - id: is-sell\n', '  - id: is-sell\n    at: PT14M\n');
    expect(refused(late)).toMatch(
      /^x\.yaml: orders\[0\]\.algo: runs past the end of the run on routing\.defaultTwap: at PT14M \+ PT150S > duration PT15M/,
    );
  });

  it('refuses an algo on a single-routed order', () => {
    const message = refused(
      IS.replace('    type: market\n', '    type: market\n    route: single\n').replace(/ {4}twap: .*\n/, ''),
    );
    expect(message).toMatch(/orders\[0\]\.algo: a single-routed order runs no algorithm/);
  });
});
