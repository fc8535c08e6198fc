// VirtualClock.slot: work that posts itself again every period, kept beside the queue. It must run
// in exactly the (due, insertion) order that post() gives the same work, ties with queued work
// included, whatever else is posted, scheduled, cancelled or burst into the sorted run meanwhile;
// pending() and nextDueTime() must count it; and a slot holds one function at a time. A repeating
// slot must count its due times and run its work exactly where work that counts itself and posts
// itself again would, fired counts included.
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
        fc.array(op, { maxLength: 30, size: 'max' }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        (ops, period, first) => {
          expect(trace(true, ops, period, first)).toEqual(trace(false, ops, period, first));
        },
      ),
      { numRuns: 300 },
    );
  });

  describe('repeat', () => {
    type ROp =
      | { kind: 'post'; delay: number }
      | { kind: 'take'; delay: number }
      | { kind: 'toggle'; delay: number }
      | { kind: 'burst'; n: number; delay: number }
      | { kind: 'advance'; by: number }
      | { kind: 'idle'; max: number }
      | { kind: 'schedule'; delay: number; cancel: boolean }
      | { kind: 'mark'; delay: number; readAfter: number };

    const rop: fc.Arbitrary<ROp> = fc.oneof(
      fc.record({ kind: fc.constant('post' as const), delay: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ kind: fc.constant('take' as const), delay: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ kind: fc.constant('toggle' as const), delay: fc.integer({ min: 0, max: 60 }) }),
      fc.record({
        kind: fc.constant('burst' as const),
        n: fc.integer({ min: 250, max: 300 }),
        delay: fc.integer({ min: 0, max: 30 }),
      }),
      fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('idle' as const), max: fc.integer({ min: 1, max: 30 }) }),
      fc.record({
        kind: fc.constant('schedule' as const),
        delay: fc.integer({ min: 0, max: 60 }),
        cancel: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('mark' as const),
        delay: fc.integer({ min: 0, max: 30 }),
        readAfter: fc.integer({ min: 0, max: 30 }),
      }),
    );

    /**
     * Periodic work that, while "repeating", only counts its due times and catches up (takes the
     * count) when one is `runAfter` or more after the first counted: done by the slot (useRepeat)
     * or by the work itself posting again through post(). Readers posted at random times take the
     * count; toggles stop or start repeating; a second, plain slot ticks beside it; marks
     * (orderMark) are asked whether their work would have run (hasRun), inside work and after
     * each op. Returns everything seen, in order.
     */
    function trace(
      useRepeat: boolean,
      ops: ROp[],
      period: number,
      first: number,
      runAfter: number,
      otherPeriod: number,
    ): string[] {
      const clock = new VirtualClock(1000);
      const seen: string[] = [];
      const slot = clock.slot() as Required<ClockSlot>;
      const other = clock.slot();
      const otherTick = (): void => {
        seen.push(`other@${clock.now()}`);
        other.post(otherTick, otherPeriod);
      };
      other.post(otherTick, otherPeriod);
      const marks: Array<{ due: number; mark: number }> = [];
      let repeating = true;
      // The self-counting work's own count.
      let count = 0;
      let firstAt = 0;
      const take = (): string => {
        if (useRepeat) {
          const at = slot.firstRepeatAt();
          const n = slot.takeRepeats();
          return n > 0 ? `${n} from ${at}` : '0';
        }
        const n = count;
        count = 0;
        return n > 0 ? `${n} from ${firstAt}` : '0';
      };
      const tick = (): void => {
        const now = clock.now();
        if (!repeating) {
          seen.push(`tick@${now}`);
          if (useRepeat) slot.post(tick, period);
          else clock.post(tick, period);
          return;
        }
        if (!useRepeat) {
          if (count === 0) firstAt = now;
          count++;
          clock.post(tick, period);
          if (now - firstAt < runAfter) return;
        }
        seen.push(
          `caught up ${take()} @${now}, marks ${marks.map((m) => (clock.hasRun(m.due, m.mark) ? 1 : 0)).join('')}`,
        );
      };
      if (useRepeat) {
        slot.post(tick, first);
        slot.repeat(period, runAfter);
      } else clock.post(tick, first);
      let id = 0;
      for (const o of ops) {
        const name = `${o.kind}${id++}`;
        if (o.kind === 'post') clock.post(() => seen.push(`${name}@${clock.now()}`), o.delay);
        else if (o.kind === 'take') clock.post(() => seen.push(`${name} took ${take()} @${clock.now()}`), o.delay);
        else if (o.kind === 'toggle')
          clock.post(() => {
            if (repeating) {
              seen.push(`${name} stops, took ${take()} @${clock.now()}`);
              if (useRepeat) slot.stopRepeating();
            } else {
              seen.push(`${name} starts @${clock.now()}`);
              if (useRepeat) slot.repeat(period, runAfter);
            }
            repeating = !repeating;
          }, o.delay);
        else if (o.kind === 'burst') {
          for (let i = 0; i < o.n; i++)
            if (i % 97 === 0) clock.post(() => seen.push(`${name}.${i}@${clock.now()}`), o.delay);
            else clock.post(() => {}, o.delay + (i % 7));
        } else if (o.kind === 'schedule') {
          const sub = clock.schedule(() => seen.push(`${name}@${clock.now()}`), o.delay);
          if (o.cancel) sub.unsubscribe();
        } else if (o.kind === 'mark') {
          const m = { due: clock.now() + o.delay, mark: clock.orderMark() };
          marks.push(m);
          clock.post(() => seen.push(`${name} read ${clock.hasRun(m.due, m.mark)} @${clock.now()}`), o.readAfter);
        } else if (o.kind === 'advance') seen.push(`fired ${clock.advanceBy(o.by)}`);
        else {
          try {
            clock.runUntilIdle(o.max);
            seen.push('idle');
          } catch (error) {
            seen.push((error as Error).message);
          }
        }
        seen.push(`now ${clock.now()} pending ${clock.pending()} next ${clock.nextDueTime()}`);
        seen.push(`marks ${marks.map((m) => (clock.hasRun(m.due, m.mark) ? 1 : 0)).join('')}`);
      }
      seen.push(`fired ${clock.advanceBy(300)}`, `left ${take()}`);
      return seen;
    }

    it('counts and runs exactly where self-counting work posted again would, fired counts included', () => {
      fc.assert(
        fc.property(
          fc.array(rop, { maxLength: 30, size: 'max' }),
          fc.integer({ min: 1, max: 10 }),
          fc.integer({ min: 0, max: 10 }),
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 1, max: 7 }),
          (ops, period, first, runAfter, otherPeriod) => {
            expect(trace(true, ops, period, first, runAfter, otherPeriod)).toEqual(
              trace(false, ops, period, first, runAfter, otherPeriod),
            );
          },
        ),
        { numRuns: 300 },
      );
    });

    it('passes due times without running, runs the work on the due time runAfter past the first', () => {
      const clock = new VirtualClock(0);
      const slot = clock.slot() as Required<ClockSlot>;
      const ran: number[] = [];
      slot.post(() => ran.push(clock.now()), 10);
      slot.repeat(10, 25);
      expect(clock.advanceTo(29)).toBe(2);
      expect(ran).toEqual([]);
      expect(slot.firstRepeatAt()).toBe(10);
      expect(clock.advanceTo(40)).toBe(2);
      // 10, 20, 30 counted quietly; 40 is 30 past the first: it runs, counted too.
      expect(ran).toEqual([40]);
      expect(slot.takeRepeats()).toBe(4);
      expect(slot.takeRepeats()).toBe(0);
      expect(clock.pending()).toBe(1);
      expect(clock.nextDueTime()).toBe(50);
      expect(() => slot.repeat(0, 5)).toThrow(/period/);
      clock.advanceTo(60);
      expect(() => slot.stopRepeating()).toThrow(/not taken/);
      expect(slot.takeRepeats()).toBe(2);
      slot.stopRepeating();
      clock.advanceTo(70);
      expect(ran).toEqual([40, 70]);
      // The work ran without posting again: the slot is empty and cannot repeat.
      expect(clock.pending()).toBe(0);
      expect(() => slot.repeat(10, 25)).toThrow(/needs posted work/);
    });
  });
});
