import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NEVER, TimeoutError, delay, interval, of, take, timeout, timer } from 'rxjs';
import type { Observable, SchedulerAction } from 'rxjs';
import type { Clock } from '../ports/clock.ts';
import { VirtualClock } from './virtual-clock.ts';
import { expectIs } from '../../../test/support/hot-expect.ts';

const T0 = 1_700_000_000_000; // an arbitrary epoch-ms start

type Event = readonly [time: number, what: string];

/** Subscribes and records every notification with the virtual time it arrived at. */
function record<T>(clock: VirtualClock, source: Observable<T>): Event[] {
  const events: Event[] = [];
  source.subscribe({
    next: (v) => events.push([clock.now(), `next ${String(v)}`]),
    error: (e: unknown) => events.push([clock.now(), `error ${e instanceof Error ? e.name : String(e)}`]),
    complete: () => events.push([clock.now(), 'complete']),
  });
  return events;
}

describe('VirtualClock basics', () => {
  it('starts at startMs, satisfies the Clock port, and is its own scheduler', () => {
    const clock = new VirtualClock(T0);
    const port: Clock = clock;
    expect(port.now()).toBe(T0);
    expect(port.scheduler).toBe(clock);
    const fired: number[] = [];
    port.schedule(() => fired.push(port.now()), 250);
    expect(clock.pending()).toBe(1);
    expect(clock.nextDueTime()).toBe(T0 + 250);
    clock.advanceBy(1000);
    expect(fired).toEqual([T0 + 250]);
    expect(clock.now()).toBe(T0 + 1000);
    expect(clock.pending()).toBe(0);
    expect(clock.nextDueTime()).toBeUndefined();
  });

  it('rejects a non-finite start time', () => {
    expect(() => new VirtualClock(Number.NaN)).toThrow(RangeError);
    expect(() => new VirtualClock(Infinity)).toThrow(RangeError);
  });

  it('fires same-time actions in insertion order, including ones scheduled at different moments', () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    clock.schedule(() => order.push('a'), 10);
    clock.schedule(() => order.push('b'), 10);
    clock.advanceTo(4);
    clock.schedule(() => order.push('c'), 6); // also due at 10, inserted later
    clock.schedule(() => order.push('early'), 5); // due at 9
    clock.schedule(() => order.push('d'), 6);
    clock.advanceTo(10);
    expect(order).toEqual(['early', 'a', 'b', 'c', 'd']);
  });

  it('sets now() to each due time while firing, then to the target', () => {
    const clock = new VirtualClock(100);
    const seen: number[] = [];
    clock.schedule(() => seen.push(clock.now()), 7.5);
    clock.schedule(() => seen.push(clock.now()), 0);
    clock.schedule(() => seen.push(clock.now()), 3);
    expect(clock.advanceTo(150)).toBe(3);
    expect(seen).toEqual([100, 103, 107.5]);
    expect(clock.now()).toBe(150);
  });

  it('fires actions scheduled during firing when they are due by the target, and only those', () => {
    const clock = new VirtualClock(0);
    const seen: Event[] = [];
    clock.schedule(() => {
      seen.push([clock.now(), 'parent']);
      clock.schedule(() => seen.push([clock.now(), 'child +0']), 0);
      clock.schedule(() => seen.push([clock.now(), 'child +5']), 5);
      clock.schedule(() => seen.push([clock.now(), 'child +50']), 50);
    }, 10);
    clock.advanceTo(20);
    expect(seen).toEqual([
      [10, 'parent'],
      [10, 'child +0'],
      [15, 'child +5'],
    ]);
    expect(clock.now()).toBe(20);
    expect(clock.pending()).toBe(1);
    expect(clock.nextDueTime()).toBe(60);
  });

  it('refuses to go backwards', () => {
    const clock = new VirtualClock(1000);
    clock.advanceTo(1000); // standing still is fine
    expect(() => clock.advanceTo(999)).toThrow(/time cannot go backwards/);
    expect(() => clock.advanceBy(-1)).toThrow(RangeError);
    expect(() => clock.advanceTo(Number.NaN)).toThrow(RangeError);
    expect(() => clock.advanceTo(Infinity)).toThrow(RangeError);
    expect(clock.now()).toBe(1000);
  });

  it('clamps a negative delay to 0, throws on NaN, and never fires an Infinity delay', () => {
    const clock = new VirtualClock(50);
    const seen: number[] = [];
    clock.schedule(() => seen.push(clock.now()), -20);
    expect(() => clock.schedule(() => seen.push(-1), Number.NaN)).toThrow(RangeError);
    const never = clock.schedule(() => seen.push(-2), Infinity);
    expect(clock.pending()).toBe(1);
    expect(clock.runUntilIdle()).toBe(1);
    expect(seen).toEqual([50]);
    expect(clock.now()).toBe(50);
    expect(never.closed).toBe(false);
  });

  it('defaults the delay to 0 and passes state (SchedulerLike form)', () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.schedule((s?: string) => seen.push(s ?? 'none'));
    clock.schedule((s?: string) => seen.push(s ?? 'none'), 1, 'hello');
    clock.runUntilIdle();
    expect(seen).toEqual(['none', 'hello']);
    expect(clock.now()).toBe(1);
  });

  it('runUntil is advanceTo', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.schedule(() => seen.push(clock.now()), 5);
    clock.runUntil(8);
    expect(seen).toEqual([5]);
    expect(clock.now()).toBe(8);
  });
});

describe('cancellation', () => {
  it('an unsubscribed action does not fire and pending() is exact', () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    const a = clock.schedule(() => seen.push('a'), 10);
    clock.schedule(() => seen.push('b'), 10);
    const c = clock.schedule(() => seen.push('c'), 5);
    expect(clock.pending()).toBe(3);
    a.unsubscribe();
    c.unsubscribe();
    c.unsubscribe(); // idempotent
    expect(clock.pending()).toBe(1);
    expect(clock.nextDueTime()).toBe(10); // skips the cancelled entry due at 5
    clock.advanceTo(100);
    expect(seen).toEqual(['b']);
    expect(clock.pending()).toBe(0);
  });

  it('an action can cancel another one due at the same time', () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.schedule(() => {
      seen.push('first');
      second.unsubscribe();
      expect(clock.pending()).toBe(1);
    }, 10);
    const second = clock.schedule(() => seen.push('second'), 10);
    clock.schedule(() => seen.push('third'), 10);
    clock.advanceTo(10);
    expect(seen).toEqual(['first', 'third']);
    expect(clock.pending()).toBe(0);
  });

  it('cancelling a fired action is a no-op; a cancelled action cannot be rescheduled', () => {
    const clock = new VirtualClock(0);
    let count = 0;
    const sub = clock.schedule(function (this: SchedulerAction<unknown>) {
      count++;
    }, 1);
    clock.advanceTo(1);
    sub.unsubscribe();
    expect(clock.pending()).toBe(0);
    expect(sub.closed).toBe(true);
    const action = sub as unknown as SchedulerAction<unknown>;
    action.schedule(undefined, 1);
    expect(clock.pending()).toBe(0);
    clock.runUntilIdle();
    expect(count).toBe(1);
  });

  it('stays exact when many cancelled entries are purged', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    const subs = Array.from({ length: 5000 }, (_, i) => clock.schedule(() => fired.push(i), 5000 - i));
    for (let i = 0; i < 5000; i++) if (i % 5 !== 0) subs[i]?.unsubscribe();
    expect(clock.pending()).toBe(1000);
    expect(clock.runUntilIdle()).toBe(1000);
    const expected = Array.from({ length: 1000 }, (_, k) => 4995 - 5 * k);
    expect(fired).toEqual(expected);
    expect(clock.now()).toBe(5000);
  });
});

describe('rescheduling through the action (this.schedule)', () => {
  it('reschedules the same action with new state, as rxjs interval does', () => {
    const clock = new VirtualClock(0);
    const seen: Event[] = [];
    const sub = clock.schedule(
      function (this: SchedulerAction<number>, n?: number) {
        const count = n ?? 0;
        seen.push([clock.now(), `tick ${count}`]);
        if (count < 3) expect(this.schedule(count + 1, 10)).toBe(this);
      },
      5,
      0,
    );
    clock.runUntilIdle();
    expect(seen).toEqual([
      [5, 'tick 0'],
      [15, 'tick 1'],
      [25, 'tick 2'],
      [35, 'tick 3'],
    ]);
    expect(sub.closed).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('rescheduling a pending action replaces its pending entry', () => {
    const clock = new VirtualClock(0);
    const seen: Event[] = [];
    const action = clock.schedule(
      (s?: string) => seen.push([clock.now(), s ?? '']),
      10,
      'original',
    ) as unknown as SchedulerAction<string>;
    clock.advanceTo(3);
    action.schedule('moved', 20); // now due at 23, not 10
    expect(clock.pending()).toBe(1);
    expect(clock.nextDueTime()).toBe(23);
    clock.runUntilIdle();
    expect(seen).toEqual([[23, 'moved']]);
  });

  it('an action rescheduled to an earlier time than others moves to the back of its new slot', () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    const a = clock.schedule(() => order.push('a'), 5) as unknown as SchedulerAction<unknown>;
    clock.schedule(() => order.push('b'), 5);
    a.schedule(undefined, 5); // same due, but now inserted after b
    clock.runUntilIdle();
    expect(order).toEqual(['b', 'a']);
  });
});

describe('runUntilIdle', () => {
  it('fires until idle and leaves now() at the last due time', () => {
    const clock = new VirtualClock(10);
    clock.schedule(() => undefined, 30);
    clock.schedule(() => undefined, 20);
    expect(clock.runUntilIdle()).toBe(2);
    expect(clock.now()).toBe(40);
    expect(clock.runUntilIdle()).toBe(0);
  });

  it('throws when maxActions is exceeded (runaway interval) and leaves the clock usable', () => {
    const clock = new VirtualClock(0);
    let ticks = 0;
    const sub = interval(1, clock).subscribe(() => ticks++);
    expect(() => clock.runUntilIdle(100)).toThrow(/maxActions=100/);
    expect(ticks).toBe(100);
    expect(clock.now()).toBe(100);
    expect(clock.pending()).toBe(1);
    sub.unsubscribe();
    expect(clock.pending()).toBe(0);
    expect(clock.runUntilIdle(0)).toBe(0);
  });

  it('does not throw when exactly maxActions actions are needed', () => {
    const clock = new VirtualClock(0);
    for (let i = 0; i < 3; i++) clock.schedule(() => undefined, i);
    expect(clock.runUntilIdle(3)).toBe(3);
  });
});

describe('errors', () => {
  it('an action error propagates and leaves the clock consistent', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.schedule(() => seen.push(clock.now()), 5);
    clock.schedule(() => {
      throw new Error('broken invariant');
    }, 10);
    clock.schedule(() => seen.push(clock.now()), 10);
    clock.schedule(() => seen.push(clock.now()), 20);
    expect(() => clock.advanceTo(30)).toThrow('broken invariant');
    expect(seen).toEqual([5]);
    expect(clock.now()).toBe(10);
    expect(clock.pending()).toBe(2);
    expect(clock.nextDueTime()).toBe(10);
    clock.advanceTo(30); // the run can continue
    expect(seen).toEqual([5, 10, 20]);
    expect(clock.now()).toBe(30);
  });

  it('unsubscribes the failing action, cancelling a reschedule it made before throwing', () => {
    const clock = new VirtualClock(0);
    const sub = clock.schedule(function (this: SchedulerAction<unknown>) {
      this.schedule(undefined, 10);
      throw new Error('boom');
    }, 1);
    expect(() => clock.runUntilIdle()).toThrow('boom');
    expect(sub.closed).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('refuses to be advanced from inside an action', () => {
    const clock = new VirtualClock(0);
    clock.schedule(() => clock.advanceBy(1), 1);
    expect(() => clock.runUntilIdle()).toThrow(/inside a scheduled action/);
    clock.schedule(() => undefined, 1);
    expect(clock.runUntilIdle()).toBe(1); // firing flag was reset
  });
});

describe('rxjs operators on the virtual clock', () => {
  it('timer(due) emits 0 at the due time and completes', () => {
    const clock = new VirtualClock(T0);
    const events = record(clock, timer(100, clock));
    clock.advanceTo(T0 + 99);
    expect(events).toEqual([]);
    clock.advanceTo(T0 + 1000);
    expect(events).toEqual([
      [T0 + 100, 'next 0'],
      [T0 + 100, 'complete'],
    ]);
    expect(clock.pending()).toBe(0);
  });

  it('timer(Date) uses the clock as its time source', () => {
    const clock = new VirtualClock(T0);
    const events = record(clock, timer(new Date(T0 + 250), clock));
    clock.runUntilIdle();
    expect(events).toEqual([
      [T0 + 250, 'next 0'],
      [T0 + 250, 'complete'],
    ]);
  });

  it('timer(due, period) repeats', () => {
    const clock = new VirtualClock(0);
    const events = record(clock, timer(5, 10, clock).pipe(take(3)));
    clock.runUntilIdle();
    expect(events).toEqual([
      [5, 'next 0'],
      [15, 'next 1'],
      [25, 'next 2'],
      [25, 'complete'],
    ]);
  });

  it('interval with take', () => {
    const clock = new VirtualClock(T0);
    const events = record(clock, interval(10, clock).pipe(take(3)));
    expect(clock.runUntilIdle()).toBe(3);
    expect(events).toEqual([
      [T0 + 10, 'next 0'],
      [T0 + 20, 'next 1'],
      [T0 + 30, 'next 2'],
      [T0 + 30, 'complete'],
    ]);
    expect(clock.pending()).toBe(0);
  });

  it('delay shifts every value by the delay', () => {
    const clock = new VirtualClock(0);
    const source = interval(10, clock).pipe(take(3), delay(25, clock));
    const events = record(clock, source);
    clock.runUntilIdle();
    expect(events).toEqual([
      [35, 'next 0'],
      [45, 'next 1'],
      [55, 'next 2'],
      [55, 'complete'],
    ]);
    expect(clock.pending()).toBe(0);
  });

  it('delay on a synchronous source', () => {
    const clock = new VirtualClock(T0);
    const events = record(clock, of('a', 'b').pipe(delay(50, clock)));
    clock.advanceBy(49);
    expect(events).toEqual([]);
    clock.advanceBy(1);
    expect(events).toEqual([
      [T0 + 50, 'next a'],
      [T0 + 50, 'next b'],
      [T0 + 50, 'complete'],
    ]);
  });

  it('timeout fires when the source is too slow', () => {
    const clock = new VirtualClock(T0);
    const events = record(clock, NEVER.pipe(timeout({ each: 100, scheduler: clock })));
    clock.advanceTo(T0 + 99);
    expect(events).toEqual([]);
    clock.advanceTo(T0 + 500);
    expect(events).toEqual([[T0 + 100, `error ${new TimeoutError().name}`]]);
    expect(clock.pending()).toBe(0);
  });

  it('timeout fires between values when a gap is too long', () => {
    const clock = new VirtualClock(0);
    const source = timer(30, 60, clock).pipe(timeout({ each: 50, scheduler: clock }));
    const events = record(clock, source);
    clock.runUntilIdle();
    expect(events).toEqual([
      [30, 'next 0'],
      [80, 'error TimeoutError'],
    ]);
    expect(clock.pending()).toBe(0);
  });

  it('timeout does not fire when values arrive in time, and cancels its timers', () => {
    const clock = new VirtualClock(0);
    const source = interval(30, clock).pipe(take(4), timeout({ each: 40, scheduler: clock }));
    const events = record(clock, source);
    clock.runUntilIdle();
    expect(events).toEqual([
      [30, 'next 0'],
      [60, 'next 1'],
      [90, 'next 2'],
      [120, 'next 3'],
      [120, 'complete'],
    ]);
    expect(clock.pending()).toBe(0);
    expect(clock.now()).toBe(120);
  });
});

describe('properties', () => {
  const delayArb = fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double({ min: 0, max: 50, noNaN: true }));

  it('fires in stable-sorted due order, at the due times, with now() never decreasing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(delayArb, { maxLength: 200, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 10 }),
        (start, delays, steps) => {
          const clock = new VirtualClock(start);
          const fired: { index: number; at: number }[] = [];
          delays.forEach((d, index) => clock.schedule(() => fired.push({ index, at: clock.now() }), d));
          let last = clock.now();
          for (const step of steps) {
            clock.advanceBy(step);
            expect(clock.now()).toBeGreaterThanOrEqual(last);
            last = clock.now();
          }
          clock.runUntilIdle();

          const due = delays.map((d) => start + Math.max(0, d));
          // Array.prototype.sort is stable: equal due times keep their scheduling order.
          const expected = delays.map((_, index) => index).sort((a, b) => (due[a] as number) - (due[b] as number));
          expect(fired.map((f) => f.index)).toEqual(expected);
          // Per fired action (up to 200): expect is called only on a mismatch.
          for (const f of fired) expectIs(f.at, due[f.index]);
          for (let i = 1; i < fired.length; i++) {
            const [a, b] = [(fired[i - 1] as { at: number }).at, (fired[i] as { at: number }).at];
            if (!(b >= a)) expect(b).toBeGreaterThanOrEqual(a);
          }
          expect(clock.pending()).toBe(0);
        },
      ),
    );
  });

  type Command =
    | { kind: 'schedule'; delay: number }
    | { kind: 'cancel'; pick: number }
    | { kind: 'reschedule'; pick: number; delay: number }
    | { kind: 'advance'; ms: number };

  const commandArb: fc.Arbitrary<Command> = fc.oneof(
    fc.record({ kind: fc.constant('schedule' as const), delay: fc.integer({ min: -3, max: 30 }) }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('reschedule' as const), pick: fc.nat(), delay: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 15 }) }),
  );

  it('matches a sorted-list model under schedule / cancel / reschedule / advance', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 150, size: 'max' }), (commands) => {
        const clock = new VirtualClock(0);
        // Model: one entry per action; live entries fire by (due, seq).
        const model: { due: number; seq: number; live: boolean; closed: boolean }[] = [];
        const actions: SchedulerAction<unknown>[] = [];
        const firedReal: [number, number][] = [];
        const firedModel: [number, number][] = [];
        let seq = 0;
        let now = 0;
        const advanceModel = (t: number): void => {
          while (true) {
            let best = -1;
            model.forEach((m, i) => {
              const b = model[best];
              if (m.live && m.due <= t && (b === undefined || m.due < b.due || (m.due === b.due && m.seq < b.seq)))
                best = i;
            });
            const m = model[best];
            if (m === undefined) break;
            m.live = false;
            firedModel.push([best, m.due]);
          }
          now = t;
        };
        for (const c of commands) {
          if (c.kind === 'schedule') {
            const id = actions.length;
            actions.push(
              clock.schedule(() => firedReal.push([id, clock.now()]), c.delay) as unknown as SchedulerAction<unknown>,
            );
            model.push({ due: now + Math.max(0, c.delay), seq: seq++, live: true, closed: false });
          } else if (c.kind === 'advance') {
            clock.advanceBy(c.ms);
            advanceModel(now + c.ms);
          } else if (actions.length > 0) {
            const id = c.pick % actions.length;
            const m = model[id] as (typeof model)[number];
            if (c.kind === 'cancel') {
              actions[id]?.unsubscribe();
              m.live = false;
              m.closed = true;
            } else {
              actions[id]?.schedule(undefined, c.delay);
              if (!m.closed) Object.assign(m, { due: now + c.delay, seq: seq++, live: true });
            }
          }
          // Per command (up to 150): expect is called only on a mismatch.
          expectIs(clock.pending(), model.filter((m) => m.live).length);
          expectIs(clock.now(), now);
        }
        clock.runUntilIdle();
        advanceModel(Infinity);
        expect(firedReal).toEqual(firedModel);
        expect(clock.pending()).toBe(0);
      }),
    );
  });
});

describe('VirtualClock.replayAt', () => {
  it('runs work at an earlier time, then puts the time back', () => {
    const clock = new VirtualClock(1_000);
    const seen: number[] = [];
    clock.schedule(() => {
      clock.replayAt(1_200, () => seen.push(clock.now()));
      seen.push(clock.now());
    }, 500);
    clock.advanceTo(2_000);
    expect(seen).toEqual([1_200, 1_500]);
    expect(clock.now()).toBe(2_000);
  });

  it('counts work due at the replayed time as not yet run, and earlier work as run', () => {
    const clock = new VirtualClock(0);
    const mark = clock.orderMark();
    const answers: boolean[] = [];
    clock.schedule(() => {
      clock.replayAt(100, () => answers.push(clock.hasRun(100, mark), clock.hasRun(99, mark)));
      answers.push(clock.hasRun(100, mark));
    }, 300);
    clock.advanceTo(300);
    expect(answers).toEqual([false, true, true]);
  });

  it('refuses a later time, nesting, and anything posted or scheduled inside', () => {
    const clock = new VirtualClock(0);
    clock.advanceTo(50);
    expect(() => clock.replayAt(51, () => {})).toThrow(/later than now/);
    expect(() => clock.replayAt(10, () => clock.post(() => {}, 0))).toThrow(/replayed work/);
    expect(() => clock.replayAt(10, () => clock.schedule(() => {}, 5))).toThrow(/replayed work/);
    expect(() => clock.replayAt(10, () => clock.replayAt(5, () => {}))).toThrow(/already replaying/);
    // Nothing was queued by the refused calls, and the clock works on.
    expect(clock.pending()).toBe(0);
    expect(clock.now()).toBe(50);
    let ran = false;
    clock.post(() => {
      ran = true;
    }, 1);
    clock.advanceBy(1);
    expect(ran).toBe(true);
  });
});
