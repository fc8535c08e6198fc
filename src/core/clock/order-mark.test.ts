// orderMark()/hasRun(): a component keeps a fire-and-forget event as data (its due time and the
// order mark at which it would have been posted) instead of posting it, and asks later whether it
// would have run. The answer must be exactly whether the same event, really posted, has run: for
// work firing at the event's own instant (ties decided by insertion order), and between advances.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.ts';

interface Step {
  /** Delay of the event this action sends (null: none). */
  readonly event: number | null;
  /** Delay of the action this action schedules (null: none). */
  readonly child: number | null;
}

const step = fc.record({
  event: fc.option(fc.integer({ min: 0, max: 3 })),
  child: fc.option(fc.integer({ min: 0, max: 3 })),
});

/**
 * Runs a program of actions on a fresh clock and returns what it observes at every action and
 * after every advance: for each event sent so far, whether it has run. `real` posts each event
 * (and observes whether it ran); `kept` keeps it as (due, mark) and asks hasRun.
 */
function observe(
  mode: 'real' | 'kept',
  starts: readonly number[],
  steps: readonly Step[],
  advances: readonly number[],
  setupEvent: boolean,
): boolean[][] {
  const clock = new VirtualClock(0);
  const ran: boolean[] = [];
  const kept: Array<{ due: number; mark: number }> = [];
  const seen: boolean[][] = [];
  let next = 0;
  const look = (): void => {
    seen.push(mode === 'real' ? [...ran] : kept.map((e) => clock.hasRun(e.due, e.mark)));
  };
  const send = (delay: number): void => {
    if (mode === 'kept') {
      kept.push({ due: clock.now() + delay, mark: clock.orderMark() });
      return;
    }
    const i = ran.length;
    ran.push(false);
    clock.post(() => {
      ran[i] = true;
    }, delay);
  };
  const action = (): void => {
    look();
    const s = steps[next++];
    if (s === undefined) return;
    if (s.event !== null) send(s.event);
    if (s.child !== null) clock.post(action, s.child);
  };
  if (setupEvent) send(0);
  look();
  for (const d of starts) clock.post(action, d);
  let t = 0;
  for (const a of advances) {
    t += a;
    clock.advanceTo(t);
    look();
    // Between advances, something may send an event for the instant the clock stands at.
    if (a % 2 === 1) send(0);
  }
  clock.runUntilIdle();
  look();
  return seen;
}

describe('VirtualClock.orderMark / hasRun', () => {
  it('property: hasRun(due, mark) says whether the same event, really posted, has run', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 }),
        fc.array(step, { minLength: 1, maxLength: 40, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (starts, steps, advances, setupEvent) => {
          expect(observe('kept', starts, steps, advances, setupEvent)).toEqual(
            observe('real', starts, steps, advances, setupEvent),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('orders an event due now after the action running now when it is sent after it was queued', () => {
    const clock = new VirtualClock(0);
    const answers: boolean[] = [];
    let mark = -1;
    clock.post(() => {
      mark = clock.orderMark(); // an event due at 10, sent at time 0 after the two actions below
    }, 0);
    clock.post(() => answers.push(clock.hasRun(10, mark)), 10); // queued before the event: runs first
    clock.post(() => clock.post(() => answers.push(clock.hasRun(10, mark)), 0), 10); // queued at 10: after
    clock.advanceTo(20);
    expect(answers).toEqual([false, true]);
    expect(clock.hasRun(10, mark)).toBe(true);
    expect(clock.hasRun(20, clock.orderMark())).toBe(false); // sent after the advance: not run yet
  });
});
