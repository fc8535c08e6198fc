// VirtualClock.slot: work that posts itself again every period, kept beside the queue. It must run
// in exactly the (due, insertion) order that post() gives the same work, ties with queued work
// included, whatever else is posted, scheduled, cancelled or burst into the sorted run meanwhile;
// pending() and nextDueTime() must count it; and a slot holds one function at a time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClockSlot } from '../ports/clock.ts';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock.slot', () => {
  it('runs in the order post() would give, ties included', () => {
    const clock = new VirtualClock(0);
    const slot = clock.slot();
    const order: string[] = [];
    clock.post(() => order.push('p-before'), 10);
    slot.post(() => order.push('slot'), 10);
    clock.post(() => order.push('p-after'), 10);
    clock.post(() => order.push('p-early'), 9);
    expect(clock.pending()).toBe(4);
    expect(clock.nextDueTime()).toBe(9);
    clock.runUntilIdle();
    expect(order).toEqual(['p-early', 'p-before', 'slot', 'p-after']);
    expect(clock.pending()).toBe(0);
  });

  it('holds one function at a time, may post again from its own work, and refuses replayed posts', () => {
    const clock = new VirtualClock(0);
    const slot = clock.slot();
    let ran = 0;
    const step = (): void => {
      ran++;
      if (ran < 3) slot.post(step, 5);
    };
    slot.post(step, 5);
    expect(() => slot.post(step, 1)).toThrow(/already holds/);
    expect(clock.advanceTo(100)).toBe(3);
    expect(ran).toBe(3);
    slot.post(() => {}, Infinity);
    expect(clock.pending()).toBe(0);
    clock.replayAt(50, () => expect(() => slot.post(() => {}, 1)).toThrow(/replayed/));
    expect(clock.pending()).toBe(0);
  });

  type Op =
    | { kind: 'post'; delay: number; then: number }
    | { kind: 'schedule'; delay: number; cancel: boolean }
    | { kind: 'burst'; n: number; delay: number }
    | { kind: 'advance'; by: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('post' as const),
      delay: fc.integer({ min: 0, max: 40 }),
      then: fc.integer({ min: -1, max: 30 }),
    }),
    fc.record({ kind: fc.constant('schedule' as const), delay: fc.integer({ min: 0, max: 40 }), cancel: fc.boolean() }),
    fc.record({
      kind: fc.constant('burst' as const),
      n: fc.integer({ min: 250, max: 300 }),
      delay: fc.integer({ min: 0, max: 30 }),
    }),
    fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 25 }) }),
  );

  /** Runs the ops with periodic work (period `period`, starting at `first`) posted through a slot
   *  or through post(); returns what ran, in order, with the time. */
  function trace(useSlot: boolean, ops: Op[], period: number, first: number): string[] {
    const clock = new VirtualClock(1000);
    const seen: string[] = [];
    const slot: ClockSlot = useSlot ? clock.slot() : clock;
    let k = 0;
    const tick = (): void => {
      seen.push(`tick${k++}@${clock.now()}`);
      // Work posted by the periodic work itself before it posts its next period.
      if (k % 3 === 0) clock.post(() => seen.push(`from-tick@${clock.now()}`), period);
      slot.post(tick, period);
    };
    slot.post(tick, first);
    let id = 0;
    for (const o of ops) {
      const name = `${o.kind}${id++}`;
      if (o.kind === 'post')
        clock.post(() => {
          seen.push(`${name}@${clock.now()}`);
          if (o.then >= 0) clock.post(() => seen.push(`${name}.then@${clock.now()}`), o.then);
        }, o.delay);
      else if (o.kind === 'schedule') {
        const sub = clock.schedule(() => seen.push(`${name}@${clock.now()}`), o.delay);
        if (o.cancel) sub.unsubscribe();
      } else if (o.kind === 'burst') {
        for (let i = 0; i < o.n; i++)
          if (i % 97 === 0) clock.post(() => seen.push(`${name}.${i}@${clock.now()}`), o.delay);
          else clock.post(() => {}, o.delay + (i % 7));
      } else clock.advanceBy(o.by);
      seen.push(`pending ${clock.pending()} next ${clock.nextDueTime()}`);
    }
    clock.advanceBy(200);
    return seen;
  }

  it('gives the same run as post() under any mix of posts, schedules, cancels, bursts and advances', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        (ops, period, first) => {
          expect(trace(true, ops, period, first)).toEqual(trace(false, ops, period, first));
        },
      ),
      { numRuns: 300 },
    );
  });
});
