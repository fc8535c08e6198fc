// The wall clock under vitest's fake timers (Node's timers as the clock uses them) and under a
// timer host the test moves itself (test/support/fake-timer-host.ts): real-time behaviour, waits
// of days and months included, without sleeping.
import fc from 'fast-check';
import { firstValueFrom, interval, take, timer, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeTimerHost } from '../../test/support/fake-timer-host.ts';
import { MAX_TIMER_MS, WallClock } from './wall-clock.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2024-08-09T00:00:00Z');

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

describe('WallClock on Node timers: waits longer than a Node timer holds', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2024-08-09T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('runs a slice 30 and 60 days out at 30 and 60 days, not after 1 ms', () => {
    const clock = new WallClock();
    const fired: Array<[string, number]> = [];
    clock.schedule(() => fired.push(['slice 2', clock.now() - T0]), 30 * DAY);
    clock.post(() => fired.push(['slice 3', clock.now() - T0]), 60 * DAY);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(30 * DAY - 1_000);
    expect(fired).toEqual([['slice 2', 30 * DAY]]);
    vi.advanceTimersByTime(30 * DAY);
    expect(fired).toEqual([
      ['slice 2', 30 * DAY],
      ['slice 3', 60 * DAY],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never runs schedule(work, Infinity): a Node timer would fire it after 1 ms', () => {
    const clock = new WallClock();
    let fired = false;
    clock.schedule(() => (fired = true), Infinity);
    vi.advanceTimersByTime(1_000 * DAY);
    expect(fired).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an rxjs timer on its scheduler waits 90 days', async () => {
    const clock = new WallClock();
    const value = firstValueFrom(timer(90 * DAY, clock.scheduler));
    let done = false;
    void value.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(90 * DAY - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(value).resolves.toBe(0);
  });
});

describe('WallClock over a timer host it is given', () => {
  it('reads the wall time from the host and still never goes back', () => {
    const host = new FakeTimerHost(T0);
    const steps: number[] = [];
    const clock = new WallClock((ms) => steps.push(ms), host);
    expect(clock.now()).toBe(T0);
    host.setWall(T0 - 5_000);
    expect(clock.now()).toBe(T0);
    expect(steps).toEqual([5_000]);
  });

  it('takes a 90-day wait in steps within the limit and runs the work at its due time', () => {
    const host = new FakeTimerHost(T0);
    const clock = new WallClock(null, host);
    const at: number[] = [];
    clock.schedule(() => at.push(host.monoNow()), 90 * DAY);
    host.advance(89 * DAY);
    expect(at).toEqual([]);
    host.advance(DAY);
    expect(at).toEqual([90 * DAY]);
    expect(host.armed.every((d) => d <= MAX_TIMER_MS)).toBe(true);
    expect(host.armed).toHaveLength(Math.ceil((90 * DAY) / MAX_TIMER_MS));
    expect(host.pending).toBe(0);
  });

  it('keeps a long wait on its due time when each step fires late', () => {
    const host = new FakeTimerHost(T0, 40);
    const clock = new WallClock(null, host);
    const at: number[] = [];
    clock.schedule(() => at.push(host.monoNow()), 120 * DAY);
    host.advance(121 * DAY);
    // Four steps, each 40 ms late: the last is armed for what is left, so the work is one step
    // late, not four.
    expect(at).toEqual([120 * DAY + 40]);
  });

  it('cancels a long wait before its first step ends and after a re-arm', () => {
    const host = new FakeTimerHost(T0);
    const clock = new WallClock(null, host);
    const fired: string[] = [];
    const early = clock.schedule(() => fired.push('early'), 60 * DAY);
    const late = clock.schedule(() => fired.push('late'), 60 * DAY);
    const kept = clock.schedule(() => fired.push('kept'), 60 * DAY);
    early.unsubscribe();
    expect(host.pending).toBe(2);
    host.advance(30 * DAY); // past the first step: `late` and `kept` were re-armed
    late.unsubscribe();
    expect(host.pending).toBe(1);
    host.advance(31 * DAY);
    expect(fired).toEqual(['kept']);
    kept.unsubscribe(); // after it ran: nothing to do
    expect(host.pending).toBe(0);
  });

  it('never runs Infinity, in schedule or post, and arms no timer for it', () => {
    const host = new FakeTimerHost(T0);
    const clock = new WallClock(null, host);
    const fired: string[] = [];
    clock.schedule(() => fired.push('schedule'), Infinity).unsubscribe();
    clock.schedule(() => fired.push('schedule kept'), Infinity);
    clock.post(() => fired.push('post'), Infinity);
    host.advance(10_000 * DAY);
    expect(fired).toEqual([]);
    expect(host.armed).toEqual([]);
  });

  it('rxjs operators on its scheduler wait long delays, repeat and cancel', () => {
    const host = new FakeTimerHost(T0);
    const clock = new WallClock(null, host);
    const ticks: number[] = [];
    const sub = interval(40 * DAY, clock.scheduler).subscribe((i) => ticks.push(i));
    host.advance(39 * DAY);
    expect(ticks).toEqual([]);
    host.advance(DAY);
    expect(ticks).toEqual([0]);
    host.advance(80 * DAY);
    expect(ticks).toEqual([0, 1, 2]);
    sub.unsubscribe();
    host.advance(400 * DAY);
    expect(ticks).toEqual([0, 1, 2]);
    expect(host.pending).toBe(0);
    const values: number[][] = [];
    timer(0, 30 * DAY, clock.scheduler)
      .pipe(take(3), toArray())
      .subscribe((v) => values.push(v));
    host.advance(60 * DAY); // the first value waits 1 ms (a Node timer of 0)
    expect(values).toEqual([]);
    host.advance(1);
    expect(values).toEqual([[0, 1, 2]]);
    expect(host.armed.every((d) => d <= MAX_TIMER_MS)).toBe(true);
  });

  it('property: any wait, around the limit or far above it, runs once, never early, one step late at most', () => {
    const near = fc.integer({ min: MAX_TIMER_MS - 3, max: MAX_TIMER_MS + 3 });
    const multiples = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: -2, max: 2 }))
      .map(([k, d]) => k * MAX_TIMER_MS + d);
    const anyDelay = fc.oneof(
      fc.integer({ min: 0, max: 5_000 }),
      near,
      multiples,
      fc.integer({ min: 0, max: 2 ** 40 }),
    );
    const wait = fc.record({ delay: anyDelay, post: fc.boolean(), cancelAt: fc.option(anyDelay) });
    fc.assert(
      fc.property(fc.array(wait, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 50 }), (waits, lateMs) => {
        const host = new FakeTimerHost(T0, lateMs);
        const clock = new WallClock(null, host);
        const ran = waits.map(() => [] as number[]);
        const cancels: Array<{ at: number; cancel: () => void }> = [];
        waits.forEach((w, i) => {
          const work = (): void => void ran[i]!.push(host.monoNow());
          if (w.post) return clock.post(work, w.delay);
          const sub = clock.schedule(work, w.delay);
          if (w.cancelAt !== null) cancels.push({ at: w.cancelAt, cancel: () => sub.unsubscribe() });
        });
        // Each cancel at its own time, in order; then time runs past every due time.
        let now = 0;
        for (const c of cancels.sort((a, b) => a.at - b.at)) {
          host.advance(c.at - now);
          now = c.at;
          c.cancel();
        }
        host.advance(Math.max(...waits.map((w) => w.delay)) + 2 * lateMs + 2);
        waits.forEach((w, i) => {
          // Node runs a wait of 0 after 1 ms; every run is `lateMs` late at most, never early.
          const due = Math.max(1, w.delay);
          const runs = ran[i]!;
          if (!w.post && w.cancelAt !== null && runs.length === 0) {
            expect(w.cancelAt).toBeLessThan(due + lateMs); // cancelled before it ran
            return;
          }
          expect(runs).toHaveLength(1);
          expect(runs[0]).toBeGreaterThanOrEqual(due);
          expect(runs[0]).toBeLessThanOrEqual(due + lateMs);
          if (!w.post && w.cancelAt !== null) expect(runs[0]).toBeLessThanOrEqual(w.cancelAt); // ran, then cancelled
        });
        expect(host.armed.every((d) => d <= MAX_TIMER_MS)).toBe(true);
        expect(host.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
