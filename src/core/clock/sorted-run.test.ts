// The sorted run must order exactly like the heap: stable by due time, FIFO on ties, across the
// boundary between a burst (sorted run) and single schedules (heap), with cancellations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableSortOrder } from './sorted-run.ts';
import { VirtualClock } from './virtual-clock.ts';

describe('stableSortOrder', () => {
  it('property: equals a stable sort, for any finite floats including negatives, -0 and ties', () => {
    const key = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -5, max: 5 }), fc.constantFrom(0, -0, 1e12, 1723161600000.5));
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), (keys) => {
        const arr = Float64Array.from(keys);
        const order = Array.from(stableSortOrder(arr, arr.length));
        const expected = keys.map((k, i) => [k + 0, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
        expect(order).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('VirtualClock with bursts (sorted run + heap)', () => {
  it('property: firing order is (due, insertion) across bursts, single schedules and cancellations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 256, maxLength: 900 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 899 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 256, maxLength: 400 }),
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
          expect(fired).toEqual(want);
          expect(clock.pending()).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
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
