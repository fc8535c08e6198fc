// VirtualClock.post: the fire-and-forget path (no action object). Posted work must be ordered with
// scheduled actions by (due, insertion) exactly as schedule() orders them, in the heap, in the
// sorted run (bursts of 256+), across compaction, and when fired work posts or schedules more.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Subscription } from 'rxjs';
import type { Clock } from '../ports/clock.ts';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock.post basics', () => {
  it('satisfies the Clock port: runs once after the delay, counts as pending until it fires', () => {
    const clock = new VirtualClock(1000);
    const port: Clock = clock;
    const seen: number[] = [];
    port.post(() => seen.push(clock.now()), 25);
    expect(clock.pending()).toBe(1);
    expect(clock.nextDueTime()).toBe(1025);
    expect(clock.advanceTo(1024)).toBe(0);
    expect(clock.pending()).toBe(1);
    expect(clock.advanceTo(2000)).toBe(1);
    expect(seen).toEqual([1025]);
    expect(clock.pending()).toBe(0);
    expect(clock.runUntilIdle()).toBe(0);
  });

  it('clamps a negative delay to 0, throws on NaN, and never runs an Infinity delay', () => {
    const clock = new VirtualClock(50);
    const seen: string[] = [];
    clock.post(() => seen.push(`clamped at ${clock.now()}`), -20);
    expect(() => clock.post(() => seen.push('nan'), Number.NaN)).toThrow(RangeError);
    clock.post(() => seen.push('never'), Infinity);
    expect(clock.pending()).toBe(1);
    expect(clock.runUntilIdle()).toBe(1);
    expect(seen).toEqual(['clamped at 50']);
    expect(clock.now()).toBe(50);
  });

  it('interleaves with schedule() by (due, insertion order), ties included', () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    clock.schedule(() => order.push('s1'), 10);
    clock.post(() => order.push('p1'), 10);
    clock.post(() => order.push('p0'), 5);
    clock.schedule(() => order.push('s2'), 10);
    clock.post(() => order.push('p2'), 10);
    clock.advanceTo(3);
    clock.post(() => order.push('p3'), 7); // due 10, inserted last
    clock.runUntilIdle();
    expect(order).toEqual(['p0', 's1', 'p1', 's2', 'p2', 'p3']);
  });

  it('work posted from inside an action during advanceTo fires in the same advanceTo when due by the target', () => {
    const clock = new VirtualClock(0);
    const seen: [number, string][] = [];
    clock.post(() => {
      seen.push([clock.now(), 'parent']);
      clock.post(() => seen.push([clock.now(), 'posted +0']), 0);
      clock.post(() => seen.push([clock.now(), 'posted +10']), 10);
      clock.post(() => seen.push([clock.now(), 'posted +11']), 11);
    }, 10);
    clock.schedule(() => {
      seen.push([clock.now(), 'scheduled']);
      clock.post(() => seen.push([clock.now(), 'posted by scheduled']), 5);
    }, 12);
    expect(clock.advanceTo(20)).toBe(5);
    expect(seen).toEqual([
      [10, 'parent'],
      [10, 'posted +0'],
      [12, 'scheduled'],
      [17, 'posted by scheduled'],
      [20, 'posted +10'],
    ]);
    expect(clock.now()).toBe(20);
    expect(clock.pending()).toBe(1);
    expect(clock.nextDueTime()).toBe(21);
  });

  it('posted work that throws propagates its error; it is gone, the rest stay queued', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.post(() => seen.push(clock.now()), 5);
    clock.post(() => {
      throw new Error('hop failed');
    }, 10);
    clock.post(() => seen.push(clock.now()), 10);
    clock.schedule(() => seen.push(clock.now()), 20);
    expect(() => clock.advanceTo(30)).toThrow('hop failed');
    expect(seen).toEqual([5]);
    expect(clock.now()).toBe(10);
    expect(clock.pending()).toBe(2);
    clock.advanceTo(30);
    expect(seen).toEqual([5, 10, 20]);
    expect(clock.pending()).toBe(0);
  });

  it('post(work, delay, arg) calls work(arg), arguments of any kind, in order with everything else', () => {
    const clock = new VirtualClock(0);
    const seen: unknown[] = [];
    const order = { id: 'o1' };
    const record = (arg: unknown): void => void seen.push(arg);
    clock.post(record, 5, order);
    clock.post(record, 5, 0);
    clock.post(() => seen.push('closure'), 5);
    clock.post(record, 5, null);
    clock.post(record, 1, 'first');
    clock.schedule(() => seen.push('scheduled'), 5);
    clock.post(record, 5, false);
    expect(clock.pending()).toBe(7);
    expect(clock.runUntilIdle()).toBe(7);
    expect(seen).toEqual(['first', order, 0, 'closure', null, 'scheduled', false]);
    expect(seen[1]).toBe(order); // the very object, not a copy
  });

  it('post(work, delay, arg) with arg undefined calls work with no argument, like post(work, delay)', () => {
    const clock = new VirtualClock(0);
    const counts: number[] = [];
    const work = (...rest: unknown[]): void => void counts.push(rest.length);
    clock.post(work, 1, undefined);
    clock.post(work, 1);
    clock.post(work, 1, 7);
    // The same through a burst (the sorted run), where every entry shares the handler.
    for (let i = 0; i < 300; i++) clock.post(work, 2 + (i % 3), i % 2 === 0 ? undefined : i);
    clock.runUntilIdle();
    expect(counts.slice(0, 3)).toEqual([0, 0, 1]);
    expect(counts.slice(3).filter((c) => c === 0).length).toBe(150);
    expect(counts.slice(3).filter((c) => c === 1).length).toBe(150);
  });

  it('post(work, delay, arg): negative clamps, NaN throws, Infinity never runs', () => {
    const clock = new VirtualClock(10);
    const seen: [number, number][] = [];
    const work = (id: number): void => void seen.push([clock.now(), id]);
    clock.post(work, -5, 1);
    expect(() => clock.post(work, Number.NaN, 2)).toThrow(RangeError);
    clock.post(work, Infinity, 3);
    expect(clock.pending()).toBe(1);
    clock.runUntilIdle();
    expect(seen).toEqual([[10, 1]]);
  });

  it('satisfies the Clock port with an argument too', () => {
    const clock = new VirtualClock(0);
    const port: Clock = clock;
    const seen: number[] = [];
    port.post((n: number) => seen.push(n * 2), 3, 21);
    clock.runUntilIdle();
    expect(seen).toEqual([42]);
  });

  it('posted work cannot advance the clock either', () => {
    const clock = new VirtualClock(0);
    clock.post(() => clock.advanceBy(1), 1);
    expect(() => clock.runUntilIdle()).toThrow(/inside a scheduled action/);
    expect(clock.pending()).toBe(0);
  });

  it('posted entries survive compaction of cancelled actions, in order', () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const subs: Subscription[] = [];
    // 3000 scheduled and 2000 posted, interleaved, all in one burst (sorted run) with many ties.
    for (let i = 0; i < 5000; i++) {
      const due = (i * 7) % 50;
      if (i % 5 < 3) subs.push(clock.schedule(() => fired.push(`s${i}`), due));
      else clock.post(() => fired.push(`p${i}`), due);
    }
    // A few more through the heap, then cancel every scheduled action: 3000 stale > 2000 live.
    clock.nextDueTime();
    for (let i = 0; i < 100; i++) clock.post(() => fired.push(`h${i}`), i % 50);
    for (const s of subs) s.unsubscribe();
    expect(clock.pending()).toBe(2100);
    expect(clock.runUntilIdle()).toBe(2100);
    const expected: { name: string; due: number; seq: number }[] = [];
    for (let i = 0; i < 5000; i++) if (i % 5 >= 3) expected.push({ name: `p${i}`, due: (i * 7) % 50, seq: i });
    for (let i = 0; i < 100; i++) expected.push({ name: `h${i}`, due: i % 50, seq: 5000 + i });
    expected.sort((a, b) => a.due - b.due || a.seq - b.seq);
    expect(fired).toEqual(expected.map((e) => e.name));
  });
});

// ---------------------------------------------------------------------------------------------
// Property: a lockstep model. The model keeps live entries in an array sorted by (due, seq)
// (a new entry goes after every entry with due <= its due, since its seq is the largest).
// Every firing, real or model, is checked against the model's head as it happens, and
// pending() is checked inside fired work and after every command.

// Kinds: 'post' is post() of a closure made for the entry; 'schedule' is schedule(); 'postArg' is
// post(handler, delay, id) of one handler shared by every such entry, told apart only by its
// argument; 'postShared' is post() of one shared handler with no argument at all (it learns
// nothing about which entry it is, so it checks the model's head). A burst of only 'postArg' or
// only 'postShared' entries is what the sorted run stores without a per-entry value array.
type Kind = 'post' | 'schedule' | 'postArg' | 'postShared';
/** What a fired entry does besides recording itself: nothing, add a child, or cancel one. */
type Spawn = null | { kind: Kind; delay: number } | { kind: 'cancel'; pick: number };

type Command =
  | { op: 'add'; kind: Kind; delay: number; spawn: Spawn }
  | { op: 'burst'; n: number; seed: number; maxDelay: number; frac: boolean; mix: Kind | 'mixed' }
  | { op: 'cancel'; pick: number }
  | { op: 'cancelMany'; stride: number }
  | { op: 'advance'; ms: number }
  | { op: 'peek' };

const kindArb = fc.constantFrom<Kind>('post', 'schedule', 'postArg', 'postShared');
const KINDS: readonly Kind[] = ['post', 'schedule', 'postArg', 'postShared'];
const spawnArb: fc.Arbitrary<Spawn> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.record({ kind: kindArb, delay: fc.integer({ min: -2, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      kind: kindArb,
      delay: fc.integer({ min: -3, max: 25 }),
      spawn: spawnArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('burst' as const),
      n: fc.oneof(fc.integer({ min: 256, max: 400 }), fc.integer({ min: 1000, max: 1600 })),
      seed: fc.nat(),
      // 2^33: a span too wide for the integer sort; frac: fractional due times (the float sort).
      maxDelay: fc.constantFrom(0, 3, 40, 1000, 2 ** 33),
      frac: fc.boolean(),
      mix: fc.constantFrom<Kind | 'mixed'>('post', 'schedule', 'postArg', 'postShared', 'mixed'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('cancelMany' as const), stride: fc.integer({ min: 2, max: 8 }) }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 15 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'peek' as const }) },
);

interface ModelEntry {
  readonly id: number;
  readonly due: number;
  readonly kind: Kind;
  readonly spawn: Spawn;
  live: boolean;
}

/** Deterministic pseudo-random stream for bursts (keeps the generated commands small). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** `expect(actual).toBe(expected)`, with vitest's expect (microseconds a call: most of this
 *  property's time, over the million checks of its runs) called only to report a mismatch. */
function same(actual: unknown, expected: unknown): void {
  if (!Object.is(actual, expected)) expect(actual).toBe(expected);
}

function runCommands(commands: Command[]): void {
  const clock = new VirtualClock(0);
  const queue: ModelEntry[] = []; // live and cancelled model entries, sorted by (due, seq)
  let head = 0;
  let live = 0;
  let now = 0;
  const entries: ModelEntry[] = []; // by id
  const subs = new Map<number, Subscription>(); // scheduled entries' subscriptions, by id
  const fired: number[] = [];

  const insert = (e: ModelEntry): void => {
    let lo = head;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((queue[mid] as ModelEntry).due <= e.due) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, e);
    live++;
  };
  const modelHead = (): ModelEntry | undefined => {
    while (head < queue.length && !(queue[head] as ModelEntry).live) head++;
    return queue[head];
  };
  const cancel = (id: number): void => {
    const sub = subs.get(id);
    if (sub === undefined) return; // posted entries cannot be cancelled
    sub.unsubscribe();
    const e = entries[id] as ModelEntry;
    if (e.live) {
      e.live = false;
      live--;
    }
  };

  // Fires model entry `id`: it must be the model's head, at its due time (lockstep).
  const fire = (id: number): void => {
    const e = entries[id] as ModelEntry;
    const expected = modelHead();
    same(expected?.id, id);
    same(clock.now(), e.due);
    e.live = false;
    live--;
    head++;
    fired.push(id);
    same(clock.pending(), live);
    const s = e.spawn;
    if (s === null) return;
    if (s.kind === 'cancel') {
      if (entries.length > 0) cancel(s.pick % entries.length);
    } else {
      add(s.kind, s.delay, null);
    }
    same(clock.pending(), live);
  };
  // The shared handlers: one function for every 'postArg' entry, one for every 'postShared' one.
  const onArg = (id: number): void => fire(id);
  const onShared = function (this: unknown, ...rest: unknown[]): void {
    expect(rest).toEqual([]); // posted without an argument: called with none
    const h = modelHead();
    same(h?.kind, 'postShared');
    fire((h as ModelEntry).id);
  };

  const add = (kind: Kind, delay: number, spawn: Spawn): void => {
    const id = entries.length;
    const e: ModelEntry = { id, due: clock.now() + Math.max(0, delay), kind, spawn, live: true };
    entries.push(e);
    insert(e);
    if (kind === 'post') clock.post(() => fire(id), delay);
    else if (kind === 'postArg') clock.post(onArg, delay, id);
    else if (kind === 'postShared') clock.post(onShared, delay);
    else
      subs.set(
        id,
        clock.schedule(() => fire(id), delay),
      );
  };

  for (const c of commands) {
    switch (c.op) {
      case 'add':
        add(c.kind, c.delay, c.spawn);
        break;
      case 'burst': {
        const next = lcg(c.seed);
        for (let i = 0; i < c.n; i++) {
          const r = next();
          const kind: Kind = c.mix === 'mixed' ? (KINDS[(r >>> 3) & 3] as Kind) : c.mix;
          // -2 .. maxDelay: clamps and ties; with frac, quarter-ms fractions too.
          const delay =
            ((c.maxDelay > 0xffffffff ? r * 4 : r) % (c.maxDelay + 3)) - 2 + (c.frac ? ((r >>> 5) & 3) / 4 : 0);
          const spawn: Spawn = i % 17 === 0 ? { kind: KINDS[(r >>> 8) & 3] as Kind, delay: (r >>> 10) % 5 } : null;
          add(kind, delay, spawn);
        }
        break;
      }
      case 'cancel':
        if (entries.length > 0) cancel(c.pick % entries.length);
        break;
      case 'cancelMany':
        for (const id of subs.keys()) if (id % c.stride !== 0) cancel(id);
        break;
      case 'advance': {
        // Each firing is checked against the model inside its work; here the count and the end
        // state: nothing due by the target is left.
        const target = now + c.ms;
        const before = fired.length;
        same(clock.advanceTo(target), fired.length - before);
        now = target;
        const h = modelHead();
        same(h === undefined || h.due > target, true);
        break;
      }
      case 'peek':
        same(clock.nextDueTime(), modelHead()?.due);
        break;
    }
    same(clock.pending(), live);
    same(clock.now(), now);
  }
  const before = fired.length;
  const n = clock.runUntilIdle();
  same(n, fired.length - before);
  expect(modelHead()).toBeUndefined();
  same(live, 0);
  same(clock.pending(), 0);
  // Every entry fired exactly once unless it was cancelled before firing.
  const firedSet = new Set(fired);
  same(firedSet.size, fired.length);
  for (const e of entries) if (e.kind !== 'schedule') same(firedSet.has(e.id), true);
}

describe('VirtualClock.post properties', () => {
  it('post and schedule, interleaved with ties, cancels, bursts and spawning work, fire in (due, insertion) order with pending() exact', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 60, size: 'max' }), (commands) => {
        runCommands(commands);
      }),
      { numRuns: 150 },
    );
  });
});
