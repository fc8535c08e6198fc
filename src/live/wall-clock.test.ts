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

  it('never goes back: a system clock stepped back holds time at the last reading until it catches up', () => {
    const steps: number[] = [];
    const clock = new WallClock((ms) => steps.push(ms));
    const t0 = Date.parse('2024-08-09T00:00:00Z');
    expect(clock.now()).toBe(t0);
    vi.setSystemTime(t0 + 500);
    expect(clock.now()).toBe(t0 + 500);
    vi.setSystemTime(t0 - 4_500); // NTP steps the clock back 5 s
    expect(clock.now()).toBe(t0 + 500);
    expect(clock.now()).toBe(t0 + 500);
    expect(steps).toEqual([5_000]); // told once
    vi.setSystemTime(t0 + 200); // still behind: a small step is not told again
    expect(clock.now()).toBe(t0 + 500);
    vi.setSystemTime(t0 + 700);
    expect(clock.now()).toBe(t0 + 700);
    vi.setSystemTime(t0 + 600); // 100 ms back: held, not worth a warning
    expect(clock.now()).toBe(t0 + 700);
    expect(steps).toEqual([5_000]);
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

  it('post runs work once after its delay, clamps negative delays, keeps insertion order with schedule, and never runs Infinity', () => {
    const clock = new WallClock();
    const fired: string[] = [];
    clock.post(() => fired.push('post 200'), 200);
    clock.schedule(() => fired.push('schedule 200'), 200);
    clock.post(() => fired.push('post 200 again'), 200);
    clock.post(() => fired.push('clamped'), -5);
    clock.post(() => fired.push('never'), Infinity);
    vi.advanceTimersByTime(0);
    expect(fired).toEqual(['clamped']);
    vi.advanceTimersByTime(199);
    expect(fired).toEqual(['clamped']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['clamped', 'post 200', 'schedule 200', 'post 200 again']);
    vi.advanceTimersByTime(10_000);
    expect(fired).toHaveLength(4); // once each; Infinity never
    expect(vi.getTimerCount()).toBe(0);
    expect(() => clock.post(() => {}, Number.NaN)).toThrow(/NaN/);
  });

  it('drives rxjs operators as their scheduler', () => {
    const clock = new WallClock();
    const value = firstValueFrom(timer(1000, clock.scheduler));
    vi.advanceTimersByTime(1000);
    return expect(value).resolves.toBe(0);
  });
});
