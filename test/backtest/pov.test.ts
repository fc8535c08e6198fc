// Percent-of-volume parents in backtests: a parent that follows the tape (examples/algorithms/
// pov.yaml on the synthetic market, and the recorded BTCUSDT replay) trades its share of the
// market's volume, survives a crash anywhere in its horizon with no double order and no overfill
// (the restarted process reads the same tape and plans nothing again), and is refused at the
// field a bad input names.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { runLogged } from '../support/logged-run.ts';

const POV = readFileSync('examples/algorithms/pov.yaml', 'utf8');
const run = (text: string) => runLogged(parseScenario(text, 'inline.yaml'));

const withRestart = (text: string, at: number, down: number) =>
  text.replace(/restarts:\n {2}- .*\n/, `restarts:\n  - { at: PT${at}S, downtime: PT${down}S }\n`);
const withoutRestart = (text: string) => text.replace(/restarts:\n {2}- .*\n/, '');

function children(log: readonly LogEntry[], parentId: string) {
  return log.flatMap((e) =>
    e.event.kind === 'OrderCreated' && e.event.parentId === parentId
      ? [{ id: e.event.clientOrderId, slice: e.event.sliceNum, at: e.event.scheduledTime }]
      : [],
  );
}

/** Our share of everyone's volume (ours included, as the report counts it) for a target share
 *  of the others' volume. */
const reported = (rate: number): number => rate / (1 + rate);

describe('a POV parent on the synthetic market, with a restart', () => {
  it('trades its share of the volume with no double order or overfill, and reproduces its digest', () => {
    const { report, of } = run(POV);
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(of('ProcessRestarted')).toHaveLength(1);
    expect(report.duplicateOrders).toEqual([]);
    const p = report.parents.find((x) => x.id === 'pov-buy')!;
    expect(p.algo).toBe('pov');
    expect(Number(p.filledQty)).toBeLessThanOrEqual(900);
    expect(Number(p.filledQty)).toBeGreaterThan(0);
    expect(Math.abs((p.participationRate as number) - reported(0.02))).toBeLessThan(0.02);
    const sent = of('SubmitOrder').map((e) => e.event.clientOrderId);
    expect(new Set(sent).size).toBe(sent.length);
    expect(of('TwapPlanned')[0]!.event.trajectory).toEqual({
      kind: 'pov',
      rate: 0.02,
      maxRate: 0.05,
      minChildQty: 5,
      end: 'stop',
    });
    expect(run(POV).report.digest).toBe(report.digest);
  });

  it('never sends a child larger than its max rate of what traded since the previous slice allows in a row', () => {
    const { of } = run(withoutRestart(POV));
    const amended = of('ChildAmended').map((e) => e.event.qty);
    expect(amended.length).toBeGreaterThan(10);
    // 20 s of a market trading about 40 lots a second: 5% of it is about 40 lots.
    expect(Math.max(...amended)).toBeLessThan(120);
    // None under the minimum child, but one that sends all that remained.
    expect(amended.slice(0, -1).every((q) => q >= 5)).toBe(true);
  });

  it('wherever the crash falls, the children keep their ids, none is sent twice and the parent never overfills', () => {
    const planned = children(run(withoutRestart(POV)).log, 'pov-buy');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_200 }), fc.integer({ min: 1, max: 90 }), (atS, downS) => {
        const { report, log, of } = run(withRestart(POV, atS, downS));
        expect(of('ProcessRestarted')).toHaveLength(1);
        expect(children(log, 'pov-buy')).toEqual(planned);
        expect(report.duplicateOrders).toEqual([]);
        const sent = of('SubmitOrder').map((e) => e.event.clientOrderId);
        expect(new Set(sent).size).toBe(sent.length);
        expect(Number(report.parents[0]!.filledQty)).toBeLessThanOrEqual(900);
        const restartSeq = of('ProcessRestarted')[0]!.seq;
        expect(log.filter((e) => e.seq > restartSeq && e.event.kind === 'TwapPlanned')).toEqual([]);
      }),
      { numRuns: 6 },
    );
  });

  it('completes what remains at the end with end: complete, and stops at its share with end: stop', () => {
    const big = (end: string) =>
      withoutRestart(POV)
        .replace('qty: "900"', 'qty: "2000"')
        .replace('end: stop', `end: ${end}`)
        .replace('start: 2024', 'safety:\n  preTrade: { maxOrderNotional: "1000000" }\nstart: 2024');
    const stop = run(big('stop')).report.parents[0]!;
    const complete = run(big('complete')).report.parents[0]!;
    expect(Number(stop.filledQty)).toBeLessThan(2000);
    expect(Math.abs((stop.participationRate as number) - reported(0.02))).toBeLessThan(0.005);
    expect(Number(complete.filledQty)).toBe(2000);
  });
});

describe('a POV parent on the recorded BTCUSDT replay', () => {
  it.each([0.01, 0.02, 0.03])('at %s of the volume realizes its share within 2 percentage points', (rate) => {
    const file = 'scenarios/twap-replay-btcusdt.yaml';
    const text = readFileSync(file, 'utf8')
      .replace('qty: "3"', 'qty: "15"')
      .replace(
        /twap: \{ duration: PT8M, interval: PT30S, maxPriceDeviation: 0.02 \}/,
        `twap: { duration: PT8M, interval: PT10S, maxPriceDeviation: 0.02 }\n    algo: { kind: pov, rate: ${rate}, end: stop }`,
      )
      .replace(/expect:[\s\S]*$/, 'expect:\n  - noDuplicateOrders: true\n  - noDiscrepancies: true\n');
    const { report } = runLogged(parseScenario(text, file));
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    const p = report.parents[0]!;
    expect(Number(p.filledQty)).toBeGreaterThan(0);
    expect(Number(p.filledQty)).toBeLessThan(15); // it stopped at its share
    expect(Math.abs((p.participationRate as number) - reported(rate))).toBeLessThan(0.02);
  });
});

describe('the pov algo is checked at the field it names', () => {
  const refused = (line: string): string => {
    try {
      parseScenario(POV.replace(/algo: .*\n/, `algo: ${line}\n`), 'x.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioError);
      return (err as Error).message;
    }
    throw new Error('parsed');
  };
  it.each([
    ['a zero rate', '{ kind: pov, rate: 0 }', 'orders[0].algo.rate'],
    ['a rate above 1', '{ kind: pov, rate: 1.5 }', 'orders[0].algo.rate'],
    ['a max rate below the rate', '{ kind: pov, rate: 0.1, maxRate: 0.05 }', 'orders[0].algo.maxRate'],
    ['a minimum child off the lot grid', '{ kind: pov, rate: 0.1, minChildQty: "2.5" }', 'orders[0].algo.minChildQty'],
    ['an unknown end', '{ kind: pov, rate: 0.1, end: later }', 'orders[0].algo.end'],
  ])('refuses %s', (_what, line, path) => {
    const message = refused(line);
    expect(message.startsWith(`x.yaml: ${path}: `), message).toBe(true);
  });
});

describe('a signal names its execution algorithm', () => {
  it('a scenario signal with algo is sliced on routing.defaultTwap and follows it; route single with one is refused', () => {
    const text = withoutRestart(POV)
      .replace(/orders:\n[\s\S]*?expect:/, 'expect:')
      .replace(
        'expect:',
        'routing:\n  defaultTwap: { duration: PT10M, interval: PT20S }\n' +
          'signals:\n  - { id: s-pov, at: PT1M, side: buy, qty: "500", confirm: [large-order, hard-limit], confirmedBy: desk-lead, algo: { kind: pov, rate: 0.02, end: stop } }\n' +
          '  - { id: s-vwap, at: PT2M, side: sell, qty: "300", confirm: [large-order, hard-limit], confirmedBy: desk-lead, algo: { kind: vwap, profile: [3, 1, 1, 3] } }\n' +
          'expect:',
      );
    const { report, of } = run(text);
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    const plans = of('TwapPlanned').map((e) => e.event.trajectory?.kind);
    expect(plans).toEqual(['pov', 'vwap']);
    expect(report.parents.map((p) => p.algo)).toEqual(['pov', 'vwap']);
    expect(report.duplicateOrders).toEqual([]);

    const single = text.replace('id: s-vwap, at: PT2M,', 'id: s-vwap, at: PT2M, route: single,');
    expect(() => parseScenario(single, 'x.yaml')).toThrow(
      /signals\[1\]\.algo: a single-routed signal runs no algorithm/,
    );
  });
});
