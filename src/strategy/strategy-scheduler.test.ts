// The strategy scheduler never touches the clock while strategy code runs: schedule and cancel
// requests wait until the host applies them (flush, after a call returned), in the order they
// were made, or drops them with every timer (stopAll, once the strategy failed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { StrategyScheduler } from './strategy-scheduler.ts';

/** A scheduler on a virtual clock whose firings are counted calls (flushed after each). */
function world() {
  const clock = new VirtualClock(0);
  const fired: string[] = [];
  let calls = 0;
  const scheduler: StrategyScheduler = new StrategyScheduler(clock, (fire) => {
    calls++;
    fire();
    scheduler.flush();
  });
  return { clock, scheduler, fired, calls: () => calls };
}

describe('the strategy scheduler', () => {
  it('puts nothing on the clock until the call that asked returns', () => {
    const { clock, scheduler, fired } = world();
    scheduler.schedule(() => void fired.push('a'), 100);
    clock.advanceBy(1_000);
    expect(fired).toEqual([]);
    scheduler.schedule(() => void fired.push('b'), 100);
    scheduler.flush();
    clock.advanceBy(99);
    expect(fired).toEqual([]);
    clock.advanceBy(1);
    // The request made before the first advance was applied with the second: 100 ms after it.
    expect(fired).toEqual(['a', 'b']);
  });

  it('reschedules from inside the work (an interval), inside the host call', () => {
    const { clock, scheduler, fired, calls } = world();
    scheduler.schedule(
      function (this: { schedule(s?: unknown, d?: number): unknown }, n?: number) {
        fired.push(`tick ${n}`);
        if ((n ?? 0) < 3) this.schedule((n ?? 0) + 1, 10);
      },
      10,
      0,
    );
    scheduler.flush();
    clock.advanceBy(100);
    expect(fired).toEqual(['tick 0', 'tick 1', 'tick 2', 'tick 3']);
    expect(calls()).toBe(4);
  });

  it('cancels on unsubscribe once applied, and drops everything when the strategy stops', () => {
    const { clock, scheduler, fired } = world();
    const a = scheduler.schedule(() => void fired.push('a'), 10);
    scheduler.schedule(() => void fired.push('b'), 20);
    scheduler.flush();
    a.unsubscribe();
    scheduler.flush();
    scheduler.schedule(() => void fired.push('c'), 5);
    // A failed call: its requests are dropped, and every timer is cancelled.
    scheduler.stopAll();
    clock.advanceBy(100);
    expect(fired).toEqual([]);
  });

  it('applies requests in the order they were made: same-time work fires in that order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 20, size: 'max' }), (delays) => {
        const { clock, scheduler, fired } = world();
        delays.forEach((d, i) => scheduler.schedule(() => void fired.push(`${d}:${i}`), d * 10));
        scheduler.flush();
        clock.advanceBy(100);
        const expected = delays.map((d, i) => ({ d, i })).sort((x, y) => x.d - y.d || x.i - y.i);
        expect(fired).toEqual(expected.map(({ d, i }) => `${d}:${i}`));
      }),
    );
  });
});
