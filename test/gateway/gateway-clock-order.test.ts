// The gateway's wall clock (src/gateway/gateway-clock.ts) runs work in the order a virtual clock
// does: by due time (now() when posted, plus the delay), work due at the same time in the order
// posted, and never before it is due. The clock's reading is scripted here: it moves at some reads
// and not at others (as on a loaded machine, where the process loses the CPU between two reads), so
// due times and the order of posting disagree, and Node's own timers, which count a delay from the
// event loop's cached time, would run the work in another order. Nothing here sleeps: each test
// waits for what it expects, or for a later piece of work, within a deadline.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClock } from '../../src/gateway/gateway-clock.ts';
import { Channel } from '../../src/sim/venue/market-data-feed.ts';

const DEADLINE_MS = 5_000;
const START = Date.UTC(2024, 7, 9, 14);

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Resolves once `done()` holds; fails naming `what` when it does not within DEADLINE_MS. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + DEADLINE_MS;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${DEADLINE_MS} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * A wall clock that moves by `moves[i]` ms at its i-th reading (taken in turn, over and over) and
 * remembers its last reading: the one post() or schedule() took the due time from.
 */
function scripted(moves: readonly number[]): { readonly now: () => number; readonly last: () => number } {
  let wall = START;
  let reads = 0;
  return {
    now: () => (wall += moves[reads++ % moves.length] as number),
    last: () => wall,
  };
}

/** A GatewayClock on `wallNow`, stopped after the test; errors are collected. */
function clockOn(wallNow?: () => number): { readonly clock: GatewayClock; readonly errors: unknown[] } {
  const errors: unknown[] = [];
  const clock = new GatewayClock((err) => errors.push(err), wallNow);
  stops.push(() => clock.stop());
  return { clock, errors };
}

/** Resolves once work posted now on a clock of its own, `delayMs` from now, has run: everything
 *  due before it on a clock reading the same wall clock has had its time by then. */
function after(delayMs: number): Promise<void> {
  const { clock } = clockOn();
  return new Promise<void>((resolve) => clock.post(resolve, delayMs));
}

interface Posted {
  readonly name: string;
  readonly due: number;
  readonly seq: number;
}

/** (due, seq) order, the order a virtual clock runs its work in. */
const byDueThenSeq = (a: Posted, b: Posted): number => a.due - b.due || a.seq - b.seq;

describe('GatewayClock on a wall clock that moves between reads', () => {
  it('runs work posted with increasing due times in due order, whatever the delays', async () => {
    // Readings 0, +10, +10: A is due at START+5, B (no delay) at START+10, C at START+21.
    const wall = scripted([0, 10, 10, 0]);
    const { clock, errors } = clockOn(wall.now);
    const ran: string[] = [];
    clock.post(() => ran.push('A'), 5);
    clock.post(() => ran.push('B'), 0);
    clock.post(() => ran.push('C'), 1);
    await until(() => ran.length === 3, 'A, B and C');
    // Node's timers alone would run B (no delay) first, and C (1 ms) before A (5 ms).
    expect(ran).toEqual(['A', 'B', 'C']);
    expect(errors).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('runs work due at the same time in the order it was posted', async () => {
    // The clock reads START+1, +2, +3: X (2 ms), Y (1 ms) and Z (no delay) are all due at START+3.
    const wall = scripted([1]);
    const { clock } = clockOn(wall.now);
    const ran: string[] = [];
    clock.post(() => ran.push('X'), 2);
    clock.schedule(() => ran.push('Y'), 1);
    clock.post((name: string) => ran.push(name), 0, 'Z');
    await until(() => ran.length === 3, 'X, Y and Z');
    expect(ran).toEqual(['X', 'Y', 'Z']);
  });

  it('runs nothing before the wall clock reaches its due time', async () => {
    // The real wall clock, whose readings are recorded: each piece of work checks the time it runs
    // at against the reading its due time was taken from.
    let last = 0;
    const { clock } = clockOn(() => (last = Date.now()));
    const early: string[] = [];
    let ran = 0;
    const delays = [0, 1, 2, 3, 5, 8, 13, 1, 0, 2];
    for (const [i, delay] of delays.entries()) {
      const posted = { due: 0 };
      clock.post(() => {
        const at = Date.now();
        if (at < posted.due) early.push(`#${i} ran at ${at}, due at ${posted.due}`);
        ran++;
      }, delay);
      posted.due = last + delay;
    }
    await until(() => ran === delays.length, 'every piece of work');
    expect(early).toEqual([]);
  });

  it('still runs work once its delay has passed in real time when the wall clock stands still', async () => {
    // A wall clock that never moves (a test's scripted clock, or the system clock set back) does
    // not hold the venue's work back for ever; the order stays that of the due times.
    const { clock } = clockOn(() => START);
    const ran: Array<{ readonly name: string; readonly waited: number }> = [];
    const postedAt = performance.now();
    for (const [name, delay] of [
      ['late', 6],
      ['soon', 2],
      ['now', 0],
      ['soon too', 2],
    ] as const)
      clock.post(() => ran.push({ name, waited: performance.now() - postedAt }), delay);
    await until(() => ran.length === 4, 'every piece of work');
    expect(ran.map((r) => r.name)).toEqual(['now', 'soon', 'soon too', 'late']);
    // Not before its delay has passed.
    expect(ran[1]!.waited).toBeGreaterThanOrEqual(2);
    expect(ran[3]!.waited).toBeGreaterThanOrEqual(6);
  });

  it('runs work a wall clock that jumped forward has made due at the next post, in due order', async () => {
    // Work an hour away is armed on a monotonic timer an hour long; the wall clock then jumps past
    // it (stepped forward, or moved on by a test). Work posted after the jump must not queue
    // behind a timer that still counts the hour: the jumped-past work runs first, then the new.
    let wall = START;
    const { clock } = clockOn(() => wall);
    const ran: string[] = [];
    clock.post(() => ran.push('in an hour'), 3_600_000);
    clock.post(() => ran.push('in two hours'), 7_200_000);
    wall += 3_600_000 + 1;
    clock.post(() => ran.push('now'), 0);
    await until(() => ran.length === 2, 'the work due by the jumped wall clock');
    expect(ran).toEqual(['in an hour', 'now']);
    expect(clock.pending).toBe(1);
  });

  it('runs, in (due, posted) order, random posts on a clock that moves by random steps at its reads', async () => {
    const post = fc.record({
      delay: fc.integer({ min: 0, max: 4 }),
      how: fc.constantFrom('post', 'post with arg', 'schedule'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(post, { minLength: 1, maxLength: 30, size: 'max' }),
        // The clock's steps: forwards mostly, standing still at times, and now and then back.
        fc.array(fc.integer({ min: -2, max: 5 }), { minLength: 1, maxLength: 12, size: 'max' }),
        async (posts, moves) => {
          const wall = scripted(moves);
          const { clock, errors } = clockOn(wall.now);
          const posted: Posted[] = [];
          const ran: string[] = [];
          for (const [seq, p] of posts.entries()) {
            const name = `#${seq}`;
            if (p.how === 'post') clock.post(() => ran.push(name), p.delay);
            else if (p.how === 'post with arg') clock.post((n: string) => ran.push(n), p.delay, name);
            else clock.schedule(() => ran.push(name), p.delay);
            posted.push({ name, due: wall.last() + p.delay, seq });
          }
          expect(clock.pending).toBe(posts.length);
          await until(() => ran.length === posts.length, 'every piece of work');
          expect(ran).toEqual([...posted].sort(byDueThenSeq).map((p) => p.name));
          expect(errors).toEqual([]);
          expect(clock.pending).toBe(0);
          clock.stop();
        },
      ),
      {
        numRuns: 60,
        // Due order against posting order: a later post with no delay is due before an earlier one
        // with a delay; readings that move between posts make equal due times.
        examples: [
          [
            [
              { delay: 3, how: 'post' },
              { delay: 0, how: 'post' },
            ],
            [0],
          ],
          [
            [
              { delay: 2, how: 'post' },
              { delay: 1, how: 'schedule' },
              { delay: 0, how: 'post with arg' },
            ],
            [1],
          ],
        ],
      },
    );
  });

  it('runs each piece of work only once everything posted before it and due no later has run, also what work posts', async () => {
    // Work posts more work as it runs: each piece that runs must be first in (due, posted) order
    // among all that is pending then, as on a virtual clock.
    const plan = fc.array(
      fc.record({
        delay: fc.integer({ min: 0, max: 3 }),
        children: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 12, size: 'max' },
    );
    await fc.assert(
      fc.asyncProperty(
        plan,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        async (roots, moves) => {
          const wall = scripted(moves);
          const { clock, errors } = clockOn(wall.now);
          const pending: Posted[] = [];
          const outOfOrder: string[] = [];
          let seq = 0;
          let expected = 0;
          let ran = 0;
          const postOne = (delay: number, children: readonly number[]): void => {
            const me = { name: `#${seq}`, due: 0, seq: seq++ };
            expected++;
            clock.post(() => {
              const first = [...pending].sort(byDueThenSeq)[0];
              if (first !== me) outOfOrder.push(`${me.name} ran before ${first?.name}`);
              pending.splice(pending.indexOf(me), 1);
              ran++;
              for (const child of children) postOne(child, []);
            }, delay);
            me.due = wall.last() + delay;
            pending.push(me);
          };
          for (const r of roots) postOne(r.delay, r.children);
          await until(() => ran === expected, 'every piece of work');
          expect(outOfOrder).toEqual([]);
          expect(errors).toEqual([]);
          clock.stop();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('GatewayClock: cancelling, stopping and failing work', () => {
  it('stop() drops everything scheduled, and nothing posted after it runs', async () => {
    const wall = scripted([1, 0]);
    const { clock } = clockOn(wall.now);
    const ran: string[] = [];
    for (const delay of [0, 1, 2, 5]) clock.post(() => ran.push(`post ${delay}`), delay);
    const sub = clock.schedule(() => ran.push('schedule'), 3);
    expect(clock.pending).toBe(5);
    clock.stop();
    expect(clock.pending).toBe(0);
    clock.post(() => ran.push('after stop'), 0);
    clock.schedule(() => ran.push('after stop'), 1);
    expect(clock.pending).toBe(0);
    sub.unsubscribe(); // after stop: nothing to take out
    await after(10);
    expect(ran).toEqual([]);
  });

  it('stop() inside a piece of work: nothing after it runs, not even work due at the same time', async () => {
    const { clock } = clockOn(scripted([0]).now);
    const ran: string[] = [];
    let observed = 0;
    clock.afterWork(() => observed++);
    clock.post(() => ran.push('A'), 0);
    clock.post(() => {
      ran.push('B');
      clock.stop();
    }, 0);
    clock.post(() => ran.push('C'), 0);
    clock.post(() => ran.push('D'), 1);
    await until(() => ran.includes('B'), 'B');
    await after(5);
    expect(ran).toEqual(['A', 'B']);
    expect(observed).toBe(2); // after A, and after B, which ran
    expect(clock.pending).toBe(0);
  });

  it('unsubscribe takes out one piece of work; the rest runs in order at its time', async () => {
    const wall = scripted([0, 1]);
    const { clock } = clockOn(wall.now);
    const ran: string[] = [];
    const first = clock.schedule(() => ran.push('first'), 0); // runs first: its removal re-arms
    clock.schedule(() => ran.push('second'), 2);
    const third = clock.schedule(() => ran.push('third'), 2);
    clock.schedule(() => ran.push('fourth'), 3);
    expect(clock.pending).toBe(4);
    first.unsubscribe();
    third.unsubscribe();
    third.unsubscribe(); // twice: nothing more happens
    expect(clock.pending).toBe(2);
    await until(() => ran.length === 2, 'the work left');
    expect(ran).toEqual(['second', 'fourth']);
    expect(clock.pending).toBe(0);
    const late = clock.schedule(() => ran.push('late'), 0);
    await until(() => ran.length === 3, 'late');
    late.unsubscribe(); // after it ran: nothing to take out
    expect(ran).toEqual(['second', 'fourth', 'late']);
  });

  it('runs what is left in order, and nothing taken out, after thousands of unsubscribes (first ones included)', () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 2_000, maxLength: 4_000 }),
        fc.integer({ min: 0, max: 3 }),
        async (cancels, spread) => {
          const { clock } = clockOn(scripted([0]).now);
          const ran: number[] = [];
          // Due in a few distinct times, most work at the same time: posting order decides.
          const subs = cancels.map((_, i) => clock.schedule(() => ran.push(i), (i % (spread + 1)) + 1));
          // The first ones are taken out too, so the wake-up follows the work that now runs first.
          cancels.forEach((cancel, i) => {
            if (cancel) subs[i]?.unsubscribe();
          });
          const kept = cancels.flatMap((cancel, i) => (cancel ? [] : [i]));
          expect(clock.pending).toBe(kept.length);
          await until(() => ran.length === kept.length && clock.pending === 0, 'the work left');
          const dueOf = (i: number): number => i % (spread + 1);
          expect(ran).toEqual([...kept].sort((a, b) => dueOf(a) - dueOf(b) || a - b));
        },
      ),
      { numRuns: 8 },
    ));

  it('hands a failing piece of work to onError and runs the rest, with the observers after each', async () => {
    const { clock, errors } = clockOn(scripted([1]).now);
    const ran: string[] = [];
    clock.afterWork(() => ran.push('observed'));
    clock.afterWork(() => {
      if (ran.length === 2) throw new Error('observer failed');
    });
    clock.post(() => ran.push('A'), 1);
    clock.post(() => {
      throw new Error('B failed');
    }, 1);
    clock.post(() => ran.push('C'), 0);
    await until(() => ran.length === 5, 'A and C, and the observers after each');
    expect(ran).toEqual(['A', 'observed', 'observed', 'C', 'observed']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['observer failed', 'B failed']);
  });

  it('keeps a delay past the longest Node timer pending, and never runs a delay of Infinity', async () => {
    const { clock } = clockOn();
    const ran: string[] = [];
    const far = clock.schedule(() => ran.push('far'), 2 ** 31 + 5);
    clock.post(() => ran.push('never'), Infinity);
    expect(clock.pending).toBe(1);
    await after(5);
    expect(ran).toEqual([]);
    expect(clock.pending).toBe(1);
    far.unsubscribe();
    expect(clock.pending).toBe(0);
  });

  it('lets the event loop turn while work keeps posting itself with no delay', async () => {
    const { clock } = clockOn();
    let runs = 0;
    const again = (): void => {
      runs++;
      clock.post(again, 0);
    };
    clock.post(again, 0);
    // An immediate set now runs: work posted while the clock runs waits for its next turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await until(() => runs > 3, 'a few runs');
    clock.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('Channel on the wall clock', () => {
  it('delivers in the order sent when the clock moves between its reading and the post', async () => {
    // Send 1 reads START (arrival START+1), the clock moves before its post reads START+1: due at
    // START+2. Send 2 reads START+1, arrival max(START+1, START+1) = START+1, posted at START+1
    // with no delay: due at START+1, before send 1's delivery.
    let wall = START;
    const reads = [0, 1, 0, 0];
    let i = 0;
    const { clock } = clockOn(() => (wall += reads[i++ % reads.length] as number));
    const channel = new Channel(clock);
    const got: string[] = [];
    channel.send(1, () => got.push('first'));
    channel.send(0, () => got.push('second'));
    await until(() => got.length === 2, 'both messages');
    expect(got).toEqual(['first', 'second']);
  });

  it('delivers random sends in the order sent, on a clock that moves by random steps', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 25, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 10 }),
        async (delays, moves) => {
          const { clock, errors } = clockOn(scripted(moves).now);
          const channel = new Channel(clock);
          const got: number[] = [];
          for (const [i, delay] of delays.entries()) channel.send(delay, () => got.push(i));
          await until(() => got.length === delays.length, 'every message');
          expect(got).toEqual(delays.map((_, i) => i));
          expect(errors).toEqual([]);
          clock.stop();
        },
      ),
      { numRuns: 40 },
    );
  });
});
