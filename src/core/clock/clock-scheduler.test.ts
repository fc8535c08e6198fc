// ClockScheduler: rxjs operators through a Clock's schedule(), here a virtual clock's, so every
// wait is where the clock puts it.
import { delay, interval, of, take, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ClockScheduler } from './clock-scheduler.ts';
import { VirtualClock } from './virtual-clock.ts';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

describe('ClockScheduler', () => {
  it("reads the clock's time and runs timer, interval and delay on its schedule()", () => {
    const clock = new VirtualClock(T0);
    const scheduler = new ClockScheduler(clock);
    expect(scheduler.now()).toBe(T0);
    const seen: Array<[string, number]> = [];
    timer(90 * DAY, scheduler).subscribe(() => seen.push(['timer', clock.now() - T0]));
    interval(40 * DAY, scheduler)
      .pipe(take(2))
      .subscribe((i) => seen.push([`interval ${i}`, clock.now() - T0]));
    of('x')
      .pipe(delay(DAY, scheduler))
      .subscribe(() => seen.push(['delay', clock.now() - T0]));
    clock.advanceBy(100 * DAY);
    expect(seen).toEqual([
      ['delay', DAY],
      ['interval 0', 40 * DAY],
      ['interval 1', 80 * DAY],
      ['timer', 90 * DAY],
    ]);
    expect(clock.pending()).toBe(0);
  });

  it('reschedules the same action from its work and cancels what is pending on unsubscribe', () => {
    const clock = new VirtualClock(T0);
    const scheduler = new ClockScheduler(clock);
    const runs: Array<[number, number]> = [];
    const action = scheduler.schedule<number>(
      function (n) {
        runs.push([n as number, clock.now() - T0]);
        if ((n as number) < 3) this.schedule((n as number) + 1, 10);
      },
      5,
      1,
    );
    clock.advanceBy(100);
    expect(runs).toEqual([
      [1, 5],
      [2, 15],
      [3, 25],
    ]);
    action.unsubscribe();
    const cancelled = scheduler.schedule(() => runs.push([-1, clock.now() - T0]), 10);
    cancelled.unsubscribe();
    clock.advanceBy(100);
    expect(runs).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });
});
