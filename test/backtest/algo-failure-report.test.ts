// A run where a parent's algorithm failed (its decide threw, ran past its budget, looped or
// returned a malformed decision) fails, as a run whose strategy failed does: the parent is stopped
// and the run goes on to its end, then its report has a result of its own naming the parent and
// why, and `execsim run` exits 1; unless the scenario expects the failure (`algorithmFailed`,
// optionally the parent and part of the reason). A scenario expecting it where no algorithm can
// fail is refused naming the field. The stop reason (the report's, the log's) names the module,
// decide, what asked it and the problem.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { execsimProcess } from '../support/bin-process.ts';
import { runLogged } from '../support/logged-run.ts';

const FIXTURES = path.resolve('test/fixtures/algorithms');
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-algo-failure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A short backtest: p runs a module that rests one child and throws when next asked (5 s on);
 *  q is a plain TWAP beside it. */
function scenario(
  expect: string,
  module = 'throws-later.ts',
  algo = `{ kind: module, path: ${path.join(FIXTURES, module)} }`,
  declared = '',
): string {
  return `
name: algo-failure
seed: 3
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT2M
market: { model: synthetic, initialPrice: "61000.00", volatility: 1.0, depth: ["1", "2"] }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - id: p
    side: buy
    qty: "0.3"
    type: limit
    limitPrice: "61100.00"
    twap: { duration: PT1M, slices: 4 }
    algo: ${algo}
  - id: q
    side: buy
    qty: "0.02"
    type: market
    twap: { duration: PT1M, slices: 2 }
${declared}expect:
  - noDuplicateOrders: true
${expect}`;
}

const run = (expect: string) => runLogged(parseScenario(scenario(expect), path.join(dir, 'scenario.yaml')));

describe('a run where an algorithm failed', () => {
  it('fails, with a result of its own naming the parent and why; the run goes on to its end', () => {
    const { report, of } = run('');
    expect(report.simulatedMs).toBe(120_000);
    expect(of('ParentStopped').map((e) => e.event)).toEqual([
      {
        kind: 'ParentStopped',
        parentId: 'p',
        reason: expect.stringContaining('no more ideas') as string,
        algorithmFailed: true,
      },
    ]);
    const p = report.parents.find((x) => x.id === 'p');
    expect(p).toMatchObject({ stoppedEarly: true, algorithmFailed: true });
    expect(report.parents.find((x) => x.id === 'q')).toMatchObject({ status: 'filled', algorithmFailed: false });
    expect(report.passed).toBe(false);
    expect(report.expectations).toEqual([
      { name: 'noDuplicateOrders', expected: 'none', observed: 'none', pass: true },
      {
        name: 'algorithm',
        expected: 'no failure (or an algorithmFailed expectation)',
        observed: `parent p: ${p?.stopReason}`,
        pass: false,
      },
    ]);
  });

  it('passes when the scenario expects the failure, of that parent and with that in its reason', () => {
    for (const e of [
      'true',
      '{ parent: p }',
      '{ reasonIncludes: no more ideas }',
      '{ parent: p, reasonIncludes: Range }',
    ]) {
      const { report } = run(`  - algorithmFailed: ${e}`);
      expect(report.passed, e).toBe(true);
      expect(report.expectations.at(-1)).toMatchObject({
        name: expect.stringMatching(/^algorithmFailed/) as string,
        expected: expect.stringMatching(/^yes/) as string,
        observed: expect.stringMatching(/^yes: parent p: .*no more ideas/) as string,
        pass: true,
      });
    }
  });

  it('fails when the failure is not the one expected, or no algorithm failed', () => {
    const reason = run('  - algorithmFailed: { reasonIncludes: time budget }').report;
    expect(reason.passed).toBe(false);
    expect(reason.expectations.at(-1)).toMatchObject({ expected: 'yes (time budget)', pass: false });
    const fine = runLogged(
      parseScenario(scenario('  - algorithmFailed: { parent: p }', 'random-rest.ts'), path.join(dir, 's.yaml')),
    ).report;
    expect(fine.parents.find((x) => x.id === 'p')?.algorithmFailed).toBe(false);
    expect(fine.passed).toBe(false);
    expect(fine.expectations.at(-1)).toEqual({
      name: 'algorithmFailed p',
      expected: 'yes in parent p',
      observed: 'no',
      pass: false,
    });
  });

  it('refuses an algorithmFailed expectation no algorithm can meet, naming the field', () => {
    const problem = (yaml: string): string => {
      try {
        parseScenario(yaml, path.join(dir, 's.yaml'));
        return 'loaded';
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as ScenarioError).message;
      }
    };
    expect(problem(scenario('  - algorithmFailed: { parent: q }'))).toMatch(
      /expect\[1\]\.algorithmFailed\.parent: expects the algorithm of order "q" to fail: it runs none deciding its children/,
    );
    expect(problem(scenario('  - algorithmFailed: { parent: nope }'))).toMatch(
      /expect\[1\]\.algorithmFailed\.parent: no order has id "nope"/,
    );
    const noAlgo = scenario('  - algorithmFailed: true').replace(/ {4}algo: .*\n/, '');
    expect(problem(noAlgo)).toMatch(
      /expect\[1\]\.algorithmFailed: expects an algorithm to fail: no order or signal runs one/,
    );
  });

  it('makes `execsim run` print a FAIL line naming the parent and exit 1', () => {
    const file = path.join(dir, 'cli.yaml');
    writeFileSync(file, scenario(''));
    const text = execsimProcess(['run', file, '--no-store']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL {2}algo-failure /m);
    expect(text.stdout).toMatch(
      /^ {2}FAIL algorithm: expected no failure \(or an algorithmFailed expectation\), observed parent p: .*no more ideas$/m,
    );
    writeFileSync(file, scenario('  - algorithmFailed: { parent: p }'));
    expect(execsimProcess(['run', file, '--no-store']).code).toBe(0);
  }, 120_000);
});

describe('the stop reason of an algorithm that failed', () => {
  const FAILS = path.join(FIXTURES, 'fails-later.ts');
  const reason = (
    mode: string,
    algo = `{ kind: module, path: ${FAILS}, params: { mode: ${mode} } }`,
    declared = '',
  ) => {
    const { report, of } = runLogged(
      parseScenario(scenario('  - algorithmFailed: true', '', algo, declared), path.join(dir, 's.yaml')),
    );
    const stops = of('ParentStopped').map((e) => e.event.reason);
    expect(stops).toHaveLength(1);
    expect(report.parents.find((p) => p.id === 'p')?.stopReason).toBe(stops[0]);
    return stops[0];
  };

  it('names the module, decide, its trigger and the problem: a throw, a loop, a malformed decision', () => {
    expect(reason('throw')).toBe(`the algorithm module ${FAILS} failed in decide (trigger: wake): decide blew up`);
    expect(reason('loop')).toBe(
      `the algorithm module ${FAILS} failed in decide (trigger: wake): it exceeded its time budget of 250 ms; does it loop forever?`,
    );
    expect(reason('extra')).toBe(
      `the algorithm module ${FAILS} returned a bad decision from decide (trigger: wake): unknown field extra (intents, wakeAt, memo, done)`,
    );
  });

  it('names the child whose end asked', () => {
    expect(reason('ended')).toBe(
      `the algorithm module ${FAILS} failed in decide (trigger: ended of child 1): no plan after a fill`,
    );
  });

  it('refuses a memo holding what is not JSON, naming where, and a memo past its bound', () => {
    const bad = `the algorithm module ${FAILS} returned a bad decision from decide (trigger: wake)`;
    const hint = ' (plain objects, lists, strings, numbers, booleans, null: a time as epoch ms)';
    expect(reason('date')).toBe(`${bad}: memo.seen.at: a Date is not JSON${hint}`);
    expect(reason('class')).toBe(`${bad}: memo.seen[0]: an instance of Tracker is not JSON${hint}`);
    expect(reason('big')).toBe(
      `${bad}: memo: its JSON is at least 20000010 characters long, more than the 65536 a memo may hold`,
    );
  });

  it('names a declared module by its name and its path', () => {
    const declared = `algorithms:\n  failer: { path: ${FAILS}, params: { mode: throw } }\n`;
    expect(reason('throw', '{ kind: module, name: failer }', declared)).toBe(
      `the algorithm module failer (${FAILS}) failed in decide (trigger: wake): decide blew up`,
    );
  });
});

describe('an algorithm that decides nothing (returns undefined)', () => {
  it('is asked again at the horizon, its parent never stopped and the run not failed', () => {
    const { report, of } = runLogged(parseScenario(scenario('', 'returns-nothing.ts'), path.join(dir, 's.yaml')));
    expect(of('ParentStopped')).toEqual([]);
    expect(report.passed).toBe(true);
    const p = report.parents.find((x) => x.id === 'p');
    expect(p).toMatchObject({ stoppedEarly: false, algorithmFailed: false, childOrders: 1 });
    // Its last decision, at the horizon, cancelled the child the first left resting.
    expect(p?.children.map((c) => c.status)).toEqual(['canceled']);
  });
});
