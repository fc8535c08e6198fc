// A strategy's calls have a time budget (strategy.callbackBudgetMs): a call that never returns is
// stopped where it is, the strategy fails as any failing one does, and the run goes on to its
// end, with the same digest every time; a module that never finishes loading, or a schema that
// never finishes checking, is refused with one line. Both ways of stopping a call (the watchdog
// addon, and Node's vm timeout without it) are checked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { BudgetExceeded, vmTimeoutBudget, watchdogBudget, type TimeBudget } from '../../src/strategy/time-budget.ts';
import { runLogged } from '../support/logged-run.ts';
import { STRATEGY_DIR, strategyScenario } from '../support/strategy-scenario.ts';

const DIR = STRATEGY_DIR;
const BUDGET_MS = 40;

const SHAPE = { name: 'strategy-budget', seed: 9, duration: 'PT2M' };

/** A short synthetic run with a strategy section. */
function scenario(strategy: string, extra = ''): string {
  return strategyScenario(SHAPE, `${strategy}\n  callbackBudgetMs: ${BUDGET_MS}`, extra);
}

const run = (yaml: string) => runLogged(parseScenario(yaml, `${DIR}/scenario.yaml`));

function refusal(yaml: string): string {
  try {
    parseScenario(yaml, `${DIR}/scenario.yaml`);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('the scenario loaded');
}

describe('a strategy call that never returns', () => {
  // Where the strategy gets stuck, and the phase its failure names.
  const PLACES = [
    ['create', 'start'],
    ['history', 'bar'],
    ['quote', 'quote'],
    ['bar', 'bar'],
    ['timer', 'timer'],
    ['fill', 'fill'],
  ] as const;

  it('is stopped wherever it is: the strategy fails with its budget named, the run goes on to its end', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLACES), ([at, phase]) => {
        const r = run(scenario(`  module: ./looping.ts\n  params: { at: ${at} }`));
        const failed = r.of('StrategyFailed');
        expect(failed.map((e) => e.event.phase)).toEqual([phase]);
        expect(failed[0]?.event.message).toMatch(/^exceeded its time budget of 40 ms \(strategy\.callbackBudgetMs\)/);
        // The kill switch is halted as for any failure, and the market runs to the end.
        expect(r.of('KillSwitchChanged').map((e) => e.event.state)).toEqual(['halted']);
        expect(r.report.simulatedMs).toBe(120_000);
        expect(r.report.passed).toBe(false);
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('gives the same run every time (the failure is at the same call)', () => {
    const yaml = scenario('  module: ./looping.ts\n  params: { at: bar }');
    expect(run(yaml).report.digest).toBe(run(yaml).report.digest);
  });

  it("leaves the run's clock whole when stopped inside its rxjs pipeline, after asking its scheduler for a timer", () => {
    const stuck = run(scenario('  module: ./rx-stuck.ts'));
    // Stuck in a window's timer (bufferTime on the run's scheduler).
    expect(stuck.of('StrategyFailed').map((e) => e.event.phase)).toEqual(['timer']);
    expect(stuck.report.simulatedMs).toBe(120_000);
    // Before it got stuck it signalled as the same strategy that does not.
    const fine = run(scenario('  module: ./rx-stuck.ts\n  params: { stuck: false }'));
    expect(fine.of('StrategyFailed')).toEqual([]);
    const failedAt = stuck.of('StrategyFailed')[0]?.time ?? 0;
    const before = (r: typeof fine) =>
      r.of('SignalReceived').flatMap((e) => (e.time < failedAt ? [[e.time, e.event.qty]] : []));
    expect(before(stuck)).toEqual(before(fine));
    expect(before(fine).length).toBeGreaterThan(0);
    expect(run(scenario('  module: ./rx-stuck.ts')).report.digest).toBe(stuck.report.digest);
  });

  it('is refused when the module never finishes loading, or its schema never finishes checking', () => {
    expect(refusal(scenario('  module: ./looping-import.ts'))).toMatch(
      /strategy\.module: \.\/looping-import\.ts: loading its module exceeded its time budget of 40 ms/,
    );
    expect(refusal(scenario('  module: ./looping.ts\n  params: { at: params }'))).toMatch(
      /strategy\.module: \.\/looping\.ts: checking its parameters exceeded its time budget of 40 ms/,
    );
  });

  it('is bounded by the budget the file states, within its bounds', () => {
    expect(
      refusal(scenario('  module: ./looping.ts').replace(`callbackBudgetMs: ${BUDGET_MS}`, 'callbackBudgetMs: 5')),
    ).toMatch(/strategy\.callbackBudgetMs: must be at least 10/);
    expect(
      refusal(scenario('  module: ./looping.ts').replace(`callbackBudgetMs: ${BUDGET_MS}`, 'callbackBudgetMs: 60001')),
    ).toMatch(/strategy\.callbackBudgetMs: must be at most 60000/);
    expect(
      parseScenario(scenario('  module: ./looping.ts').replace(/ *callbackBudgetMs.*\n/, ''), `${DIR}/s.yaml`).strategy
        ?.callbackBudgetMs,
    ).toBe(250);
  });
});

describe.each([
  ['the watchdog addon', () => watchdogBudget()],
  ['the vm timeout', () => vmTimeoutBudget()],
])('a time budget by %s', (_name, make) => {
  const budget = make() as TimeBudget;

  it('is there (the addon is built at install)', () => {
    expect(budget).not.toBeNull();
  });

  // A budget far beyond the calls: the vm timeout counts wall time, and a loaded machine can
  // keep this thread off the CPU for longer than a short budget.
  it("returns the call's value and passes on what it throws, untouched", () => {
    expect(budget.call(() => 42, 10_000)).toBe(42);
    const thrown = { any: 'value' };
    let caught: unknown = null;
    try {
      budget.call(() => {
        throw thrown;
      }, 10_000);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(thrown);
  });

  it('stops a call past its budget wherever it is, and the thread goes on as before', () => {
    const host = { entered: 0 };
    // Host code the stuck call is inside of when it is stopped: it never gets to leave.
    const hostLoop = (): void => {
      host.entered++;
      for (;;) {
        // spins
      }
    };
    for (const budgetMs of [10, 30]) {
      // A loaded machine can keep this thread off the CPU past a short budget before the call
      // reaches the host loop: that attempt is stopped before it, and the call is made again (at
      // most five times) until one is stopped inside it.
      let stoppedInside = false;
      for (let attempt = 0; attempt < 5 && !stoppedInside; attempt++) {
        const before = host.entered;
        let err: unknown;
        try {
          budget.call(() => hostLoop(), budgetMs);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(BudgetExceeded);
        expect((err as BudgetExceeded).budgetMs).toBe(budgetMs);
        expect((err as Error).message).toBe(`exceeded its time budget of ${budgetMs} ms`);
        stoppedInside = host.entered > before;
      }
      expect(stoppedInside).toBe(true);
    }
    expect(host.entered).toBeGreaterThanOrEqual(2);
    // Nothing of the stopped calls is left over: plain calls, and calls inside calls, run.
    let n = 0;
    for (let i = 0; i < 2_000; i++) n += budget.call(() => budget.call(() => 1, 10), 10_000);
    expect(n).toBe(2_000);
  });

  it('bounds a call inside a call by the outer one', () => {
    const t = performance.now();
    expect(() =>
      budget.call(
        () =>
          budget.call(() => {
            for (;;) {
              // spins
            }
          }, 60_000),
        30,
      ),
    ).toThrow(BudgetExceeded);
    expect(performance.now() - t).toBeLessThan(30_000);
  });
});
