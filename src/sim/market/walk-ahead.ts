// The random walk's standard normals drawn ahead of the steps they serve, so a synthetic market
// can look at its exact mids to come (how far they range over the next k steps) before it
// decides to keep those steps as data. The walk's stream serves nothing else, so drawing a
// normal early draws the same number the step would have drawn at its time.
import type { Rng } from '../../core/clock/rng.ts';

/** The most normals drawn ahead of the step they serve (a power of two: a ring). */
export const AHEAD_CAP = 1024;

export class WalkAhead {
  /** The normals drawn ahead, a ring from head (count of them). */
  private readonly ring = new Float64Array(AHEAD_CAP);
  private head = 0;
  private count = 0;
  /** The running lowest and highest sum of the moves over the next k steps (index k), for
   *  the scan begun last (begin()); `seen` steps of it summed so far. */
  private readonly lows = new Float64Array(AHEAD_CAP + 1);
  private readonly highs = new Float64Array(AHEAD_CAP + 1);
  private scale = 0;
  private drift = 0;
  private sum = 0;
  private low = 0;
  private high = 0;
  private seen = 0;

  constructor(private readonly rng: Rng) {}

  /** The next step's standard normal (drawn ahead, or now). */
  next(): number {
    if (this.count === 0) return this.rng.normal();
    const z = this.ring[this.head] as number;
    this.head = (this.head + 1) & (AHEAD_CAP - 1);
    this.count--;
    return z;
  }

  /** The standard normal of the step `k` steps after the next one (0: the next), drawn now if it
   *  was not yet (k < AHEAD_CAP). */
  at(k: number): number {
    while (this.count <= k) {
      this.ring[(this.head + this.count) & (AHEAD_CAP - 1)] = this.rng.normal();
      this.count++;
    }
    return this.ring[(this.head + k) & (AHEAD_CAP - 1)] as number;
  }

  /** Starts a scan of the moves to come from the next step: each step moves the walk by
   *  `scale` times its normal less `drift` (ticks, or log-returns for a geometric walk). */
  begin(scale: number, drift: number): void {
    this.scale = scale;
    this.drift = drift;
    this.sum = 0;
    this.low = 0;
    this.high = 0;
    this.seen = 0;
  }

  /** The lowest sum of the moves over the next `k` steps of the scan (0 for none: the walk
   *  where it is), k <= AHEAD_CAP; lowestMove and highestMove of the same k may be asked in
   *  either order and again. */
  lowestMove(k: number): number {
    this.sumTo(k);
    return this.lows[k] as number;
  }

  /** The highest sum of the moves over the next `k` steps of the scan. */
  highestMove(k: number): number {
    this.sumTo(k);
    return this.highs[k] as number;
  }

  private sumTo(k: number): void {
    while (this.seen < k) {
      this.sum += this.scale * this.at(this.seen) - this.drift;
      if (this.sum < this.low) this.low = this.sum;
      if (this.sum > this.high) this.high = this.sum;
      this.seen++;
      this.lows[this.seen] = this.low;
      this.highs[this.seen] = this.high;
    }
  }
}
