// The host's guarded calls into a strategy, with either way of keeping the time budget: outputs
// copied, failures recorded (the first), a call past its budget stopped and never followed by
// more of the strategy's code, the scheduler's requests applied only after a call that returned.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { StrategyCalls } from './strategy-calls.ts';
import { StrategyScheduler } from './strategy-scheduler.ts';
import { vmTimeoutBudget, watchdogBudget, type TimeBudget } from './time-budget.ts';

const spin = (): never => {
  for (;;) {
    // spins
  }
};

// `stopAt`: the budget of the tests that run a call past it. The addon counts the thread's CPU
// time, so a short one holds on any machine; the vm timeout counts wall time, which a loaded
// machine spends with this thread off the CPU, so its calls that must finish get a long one.
describe.each([
  ['the watchdog addon', () => watchdogBudget() as TimeBudget, 20],
  ['the vm timeout', () => vmTimeoutBudget(), 1_000],
])('strategy calls bounded by %s', (_name, budget, stopAt) => {
  const calls = (ms = 10_000) => new StrategyCalls(budget(), ms);

  it("returns the call's outputs as the host's own copies, emitted ones first", () => {
    const c = calls();
    const returned = { side: 'buy', qty: 1 };
    const out = c.run(
      'bar',
      () => {
        c.emit({ kind: 'score', value: 2 });
        return [returned];
      },
      true,
    );
    expect(out).toEqual([{ kind: 'score', value: 2 }, returned]);
    expect(out[1]).not.toBe(returned);
    expect(c.failure).toBeNull();
  });

  it('lets the strategy parse with zod inside a call (asking instanceof Promise makes none)', () => {
    const c = calls();
    expect(c.run('bar', () => ({ side: 'buy', qty: z.number().parse(2) }), true)).toEqual([{ side: 'buy', qty: 2 }]);
    expect(c.failure).toBeNull();
  });

  it('records the first failure: a throw, a Promise, too many outputs', () => {
    const c = calls();
    expect(c.run('quote', async () => 1, true)).toEqual([]);
    expect(c.failure).toEqual({
      phase: 'quote',
      message: 'a handler returned a Promise: a strategy is synchronous (no async functions)',
    });
    c.run(
      'bar',
      () => {
        throw new TypeError('later');
      },
      true,
    );
    expect(c.failure?.phase).toBe('quote');
    const many = calls();
    many.run('bar', () => Array.from({ length: 1_001 }, () => ({})), true);
    expect(many.failure?.message).toMatch(/^a call returned 1001 outputs, more than 1000/);
  });

  it('stops a call past its budget, drops what it asked of the scheduler, and never calls the strategy again', () => {
    const clock = new VirtualClock(0);
    const c = calls(stopAt);
    const fired: string[] = [];
    const scheduler = new StrategyScheduler(clock, (fire) => c.run('timer', fire, false));
    c.scheduler = scheduler;
    c.run('start', () => scheduler.schedule(() => void fired.push('kept'), 10), false);
    const out = c.run(
      'bar',
      () => {
        scheduler.schedule(() => void fired.push('dropped'), 5);
        c.emit({ side: 'buy', qty: 1 });
        spin();
      },
      true,
    );
    expect(out).toEqual([]);
    expect(c.timedOut).toBe(true);
    expect(c.failure).toEqual({
      phase: 'bar',
      message: `exceeded its time budget of ${stopAt} ms (strategy.callbackBudgetMs): it was stopped there, and is not called again`,
    });
    let teardown = false;
    c.quietly(() => {
      teardown = true;
    });
    expect(teardown).toBe(false);
    clock.advanceBy(100);
    // The failure cancelled every timer of the strategy: the one asked at its start too.
    expect(fired).toEqual([]);
  });

  it('runs a teardown bounded, and ignores what it throws or how long it takes', () => {
    const c = calls(stopAt);
    c.quietly(spin);
    c.quietly(() => {
      throw new Error('teardown');
    });
    let ran = false;
    c.quietly(() => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(c.failure).toBeNull();
  });
});
