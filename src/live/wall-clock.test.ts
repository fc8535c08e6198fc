// The wall clock under vitest's fake timers: real-time behaviour without sleeping.
import { firstValueFrom, timer } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WallClock } from './wall-clock.ts';

describe('WallClock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2024-08-09T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('reads the system time', () => {
    expect(new WallClock().now()).toBe(Date.parse('2024-08-09T00:00:00Z'));
  });

  it('runs scheduled work after its delay, clamps negative delays, and cancels', () => {
    const clock = new WallClock();
    const fired: string[] = [];
    clock.schedule(() => fired.push('b'), 200);
    clock.schedule(() => fired.push('a'), -5);
    clock.schedule(() => fired.push('never'), 100).unsubscribe();
    vi.advanceTimersByTime(150);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['a', 'b']);
    expect(() => clock.schedule(() => {}, Number.NaN)).toThrow(/NaN/);
  });

  it('drives rxjs operators as their scheduler', () => {
    const clock = new WallClock();
    const value = firstValueFrom(timer(1000, clock.scheduler));
    vi.advanceTimersByTime(1000);
    return expect(value).resolves.toBe(0);
  });
});
