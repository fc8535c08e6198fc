// A TimerHost (src/live/wall-clock.ts) a test moves by hand: monotonic and wall time advance
// together, and each timer fires once its delay has passed, in (due, armed) order, `lateMs` after
// it is due (Node's timers fire late, never early). It keeps Node's rule for long delays: a delay
// above 2^31 - 1 ms fires after 1 ms, so code that hands one to a timer shows it here as it would
// in production. Every delay armed is recorded.
import { MAX_TIMER_MS, type TimerHost } from '../../src/live/wall-clock.ts';

interface FakeTimer {
  readonly due: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class FakeTimerHost implements TimerHost {
  private mono = 0;
  private wall: number;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();
  /** Every delay handed to setTimer, in order. */
  readonly armed: number[] = [];

  constructor(
    wallStart: number,
    private readonly lateMs = 0,
  ) {
    this.wall = wallStart;
  }

  wallNow(): number {
    return this.wall;
  }

  monoNow(): number {
    return this.mono;
  }

  setTimer(fire: () => void, delayMs: number): unknown {
    this.armed.push(delayMs);
    // Node: a delay that is not a number from 1 to 2^31 - 1 ms becomes 1 ms.
    const delay = delayMs >= 1 && delayMs <= MAX_TIMER_MS ? delayMs : 1;
    const seq = this.seq++;
    this.timers.set(seq, { due: this.mono + delay + this.lateMs, seq, fire });
    return seq;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Sets the system time alone (a step of NTP), monotonic time unmoved. */
  setWall(t: number): void {
    this.wall = t;
  }

  /** Moves time forward `ms`, firing every timer due by then at its own time, in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers.values())
        if (t.due <= end && (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq)))
          next = t;
      if (next === undefined) break;
      this.timers.delete(next.seq);
      this.moveTo(next.due);
      next.fire();
    }
    this.moveTo(end);
  }

  private moveTo(mono: number): void {
    if (mono <= this.mono) return;
    this.wall += mono - this.mono;
    this.mono = mono;
  }
}
