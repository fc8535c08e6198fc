// The ring of tops in flight is a FIFO queue of six numbers a top, whatever mix of pushes and
// shifts reaches it: checked against a plain array, across its growth past the first capacity
// (16) with the head anywhere in the ring, and with values that are not small integers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { TopRing } from './top-ring.ts';

type Top = [number, number, number, number, number, number];

const top = fc.tuple(
  fc.integer({ min: -1, max: 2 ** 31 }),
  fc.double({ min: 0, max: 1e9, noNaN: true }),
  fc.integer({ min: -1, max: 2 ** 31 }),
  fc.double({ min: 0, max: 1e9, noNaN: true }),
  fc.double({ min: 1.7e12, max: 1.8e12, noNaN: true }),
  fc.nat(),
) as fc.Arbitrary<Top>;

/** A push (a top) or a shift (null), shifts only while something is in flight; more pushes than
 *  shifts, so the ring fills past its capacity with its head anywhere. */
const ops = fc.array(fc.oneof({ arbitrary: top, weight: 3 }, { arbitrary: fc.constant(null), weight: 2 }), {
  maxLength: 300,
  size: 'max',
});

describe('TopRing', () => {
  it('hands tops back in the order they were pushed, through any growth', () => {
    fc.assert(
      fc.property(ops, (steps) => {
        const ring = new TopRing();
        const model: Top[] = [];
        const into = new Float64Array(4);
        // Checked after every step of every case: expect is called only on a mismatch.
        for (const step of steps) {
          if (step !== null) {
            ring.push(...step);
            model.push(step);
          } else if (model.length > 0) {
            const [bid, bidQty, ask, askQty, at, mark] = model.shift() as Top;
            expectEqual([ring.headAt(), ring.headMark()], [at, mark]);
            ring.shift(into);
            expectEqual([...into], [bid, bidQty, ask, askQty]);
          }
          expectIs(ring.size, model.length);
          if (model.length > 0) expectIs(ring.headAt(), (model[0] as Top)[4]);
        }
      }),
    );
  });

  it('keeps every top of a burst far past its first capacity, with the head moved on', () => {
    const ring = new TopRing();
    const into = new Float64Array(4);
    for (let i = 0; i < 10; i++) ring.push(i, i, i, i, i, i);
    for (let i = 0; i < 10; i++) ring.shift(into);
    for (let i = 0; i < 100; i++) ring.push(i, i + 0.5, i + 1, i + 1.5, 1.7e12 + i, i);
    expect(ring.size).toBe(100);
    for (let i = 0; i < 100; i++) {
      expect(ring.headMark()).toBe(i);
      ring.shift(into);
      expect([...into]).toEqual([i, i + 0.5, i + 1, i + 1.5]);
    }
    expect(ring.size).toBe(0);
  });
});
