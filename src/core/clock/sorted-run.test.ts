// The sorted run must order exactly like the heap: stable by due time, FIFO on ties, across the
// boundary between a burst (sorted run) and single schedules (heap), with cancellations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { sortBurst, stableSortOrder } from './radix-sort.ts';
import { VirtualClock } from './virtual-clock.ts';

describe('stableSortOrder', () => {
  it('property: equals a stable sort, for any finite floats including negatives, -0 and ties', () => {
    const key = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom(0, -0, 1e12, 1723161600000.5),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300, size: 'max' }), (keys) => {
        const arr = Float64Array.from(keys);
        const order = Array.from(stableSortOrder(arr, arr.length));
        const expected = keys
          .map((k, i) => [k + 0, i] as const)
          .sort((a, b) => a[0] - b[0] || a[1] - b[1])
          .map(([, i]) => i);
        expectEqual(order, expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sortBurst', () => {
  // Due times as the timeline makes them (never NaN, never -0 or infinite): small and huge integer
  // spans (the integer sort, and the float sort past 2^32), fractions (the float sort), ties,
  // bursts already in order (no sort), negative times.
  const dueArb = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300, size: 'max' }),
    fc.array(
      fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((d) => 1723161600000 + d),
      { maxLength: 300, size: 'max' },
    ),
    fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { maxLength: 300, size: 'max' }),
    fc.array(
      fc.integer({ min: 0, max: 4000 }).map((d) => d / 4),
      { maxLength: 300, size: 'max' },
    ),
    fc
      .array(fc.integer({ min: 0, max: 1000 }), { maxLength: 300, size: 'max' })
      .map((xs) => [...xs].sort((a, b) => a - b)),
    fc.array(fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, 7), { maxLength: 100, size: 'max' }),
  );

  it('property: sorted due times and a stable permutation (null only when already in order)', () => {
    fc.assert(
      fc.property(dueArb, (dues) => {
        const n = dues.length;
        const due = Float64Array.from(dues);
        const out = new Float64Array(n);
        const order = sortBurst(due, n, out);
        const expected = dues.map((d, i) => [d, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const sorted = expected.map(([d]) => d);
        const stable = expected.map(([, i]) => i);
        expectEqual(Array.from(out), sorted);
        if (order === null) expectEqual(dues, sorted);
        else expectEqual(Array.from(order), stable);
      }),
      { numRuns: 400 },
    );
  });
});

describe('VirtualClock with bursts (sorted run + heap)', () => {
  it('property: firing order is (due, insertion) across bursts, single schedules and cancellations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 256, maxLength: 900, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 899 }), { maxLength: 60, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 256, maxLength: 400, size: 'max' }),
        (burst, singles, cancels, secondBurst) => {
          const clock = new VirtualClock(1000);
          const fired: number[] = [];
          const expected: Array<[number, number]> = [];
          let id = 0;
          const subs = burst.map((d) => {
            const me = id++;
            expected.push([1000 + d, me]);
            return clock.schedule(() => fired.push(me), d);
          });
          clock.nextDueTime(); // flushes the burst into the sorted run
          for (const d of singles) {
            const me = id++;
            expected.push([1000 + d, me]);
            clock.schedule(() => fired.push(me), d);
          }
          const cancelled = new Set<number>();
          for (const c of cancels) {
            if (c < subs.length) {
              subs[c]?.unsubscribe();
              cancelled.add(c);
            }
          }
          clock.advanceTo(1010);
          for (const d of secondBurst) {
            const me = id++;
            expected.push([1010 + d, me]);
            clock.schedule(() => fired.push(me), d);
          }
          clock.runUntilIdle();
          const want = expected
            .filter(([, i]) => !cancelled.has(i))
            .sort((a, b) => a[0] - b[0] || a[1] - b[1])
            .map(([, i]) => i);
          // Up to 1,300 firings compared per case: expect is called only on a mismatch.
          expectEqual(fired, want);
          expectIs(clock.pending(), 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('merges a burst into a run already part-fired, values and arguments of both kept apart', () => {
    // Run shapes: shared handler + args, shared handler without args, a different shared handler,
    // and per-entry closures; each burst merges with what is left of the run before it.
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const expected: Array<[number, number, string]> = []; // due, seq, name
    let seq = 0;
    const onA = (i: number): void => void fired.push(`a${i}`);
    const onB = (i: number): void => void fired.push(`b${i}`);
    let bare = 0;
    const onBare = (): void => void fired.push(`bare${bare++}`);
    const burst = (kind: 'a' | 'b' | 'bare' | 'closure', n: number, spread: number): void => {
      for (let i = 0; i < n; i++) {
        const delay = (i * 7919) % spread;
        const due = clock.now() + delay;
        if (kind === 'a') clock.post(onA, delay, i);
        else if (kind === 'b') clock.post(onB, delay, i);
        else if (kind === 'bare') clock.post(onBare, delay);
        else clock.schedule(() => fired.push(`c${i}`), delay);
        expected.push([due, seq++, kind === 'bare' ? 'bare' : `${kind[0]}${i}`]);
      }
      clock.nextDueTime(); // into the sorted run
    };
    burst('a', 300, 100);
    clock.advanceTo(10);
    burst('b', 300, 100);
    clock.advanceTo(20);
    burst('bare', 300, 50);
    clock.advanceTo(30);
    burst('a', 400, 1000);
    clock.advanceTo(35);
    burst('closure', 300, 40);
    clock.runUntilIdle();
    expected.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let k = 0;
    const want = expected.map(([, , name]) => (name === 'bare' ? `bare${k++}` : name));
    expect(fired).toEqual(want);
    expect(clock.pending()).toBe(0);
  });

  it('merges a burst into a run with one entry left, the burst due first', () => {
    // The burst sorts before the old run's last entry, so the merge must still copy that entry.
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    for (let i = 0; i < 1000; i++) clock.post(() => fired.push(`x${i}`), 0);
    clock.post(() => fired.push('last'), 1);
    expect(clock.advanceTo(0)).toBe(1000);
    for (let i = 0; i < 256; i++) clock.post(() => fired.push(`y${i}`), 0);
    expect(clock.runUntilIdle()).toBe(257);
    expect(fired.slice(1000)).toEqual([...Array.from({ length: 256 }, (_, i) => `y${i}`), 'last']);
  });

  it('keeps pending() exact and compacts when a burst is mostly cancelled', () => {
    const clock = new VirtualClock(0);
    const subs = Array.from({ length: 5000 }, (_, i) => clock.schedule(() => {}, i));
    expect(clock.nextDueTime()).toBe(0);
    subs.slice(0, 4000).forEach((s) => s.unsubscribe());
    expect(clock.pending()).toBe(1000);
    expect(clock.nextDueTime()).toBe(4000);
    expect(clock.runUntilIdle()).toBe(1000);
  });
});
