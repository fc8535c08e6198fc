import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TopOfBook } from '../ports/broker.ts';
import { QuoteRing } from './quote-ring.ts';

const top = (bid: number): TopOfBook => ({ bid, bidQty: 1, ask: bid + 2, askQty: 1 });

describe('quote ring', () => {
  it('is empty until the first push', () => {
    const ring = new QuoteRing(3);
    expect(ring.size).toBe(0);
    expect(ring.newest()).toBeNull();
    expect(ring.newestAt()).toBeNaN();
    expect(ring.quotes()).toEqual([]);
  });

  it('keeps at most its capacity, dropping the oldest; the newest is the last pushed', () => {
    const ring = new QuoteRing(3);
    const tops = [top(10), top(11), top(12), top(13), top(14)];
    tops.forEach((t, i) => ring.push(t, 1000 + i));
    expect(ring.size).toBe(3);
    expect(ring.quotes()).toEqual([
      { top: tops[2], at: 1002 },
      { top: tops[3], at: 1003 },
      { top: tops[4], at: 1004 },
    ]);
    expect(ring.newest()).toBe(tops[4]);
    expect(ring.newestAt()).toBe(1004);
  });

  it('keeps the pushed objects themselves (no copy)', () => {
    const ring = new QuoteRing(2);
    const t = top(5);
    ring.push(t, 1);
    expect(ring.newest()).toBe(t);
  });

  it('never lets time go back: an earlier time takes the newest time', () => {
    const ring = new QuoteRing(4);
    ring.push(top(1), 500);
    ring.push(top(2), 400);
    expect(ring.newestAt()).toBe(500);
    expect(ring.quotes().map((q) => q.at)).toEqual([500, 500]);
  });

  it('refuses a capacity below 1 or not whole', () => {
    expect(() => new QuoteRing(0)).toThrow(/capacity 0/);
    expect(() => new QuoteRing(1.5)).toThrow(/capacity 1.5/);
  });

  it('property: holds the last min(n, capacity) pushes in order, times non-decreasing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 60, size: 'max' }),
        (capacity, times) => {
          const ring = new QuoteRing(capacity);
          const pushed = times.map((t, i) => ({ top: top(i), at: t }));
          for (const p of pushed) {
            ring.push(p.top, p.at);
            expect(ring.size).toBeLessThanOrEqual(capacity);
          }
          const held = ring.quotes();
          expect(held.length).toBe(Math.min(times.length, capacity));
          expect(held.map((q) => q.top)).toEqual(pushed.slice(-capacity).map((p) => p.top));
          for (let i = 1; i < held.length; i++) expect(held[i]!.at).toBeGreaterThanOrEqual(held[i - 1]!.at);
          if (times.length > 0) {
            expect(ring.newest()).toBe(pushed.at(-1)!.top);
            expect(ring.newestAt()).toBe(Math.max(...times));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
