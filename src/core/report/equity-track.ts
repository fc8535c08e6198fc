// The run's equity curve as the P&L fold makes it (PnlCurve.observe: the total net P&L after each
// change, the curve the run page's series draws from the stored log by the same arithmetic), kept
// for the run's statistics (docs/0084-round-trips-and-run-statistics.md): its value sampled on a
// grid of run clock (for Sharpe and Sortino), its largest drawdown with when it began and when it
// recovered, and how long the run held a position. Nothing is kept per change but the samples.

export interface Drawdown {
  /** The largest fall from a running peak (the curve starts at 0). */
  readonly amount: number;
  /** The peak it fell from. */
  readonly peak: number;
  /** When that peak was reached, and when the curve first came back to it (null: never did). */
  readonly from: number;
  readonly recovered: number | null;
}

/** The most samples kept: past it, every other one is dropped and the interval doubles, so a long
 *  run sampled finely stays bounded in memory and time. Even, so the grid stays aligned. */
export const MAX_EQUITY_SAMPLES = 1_000_000;

export class EquityTrack {
  /** The curve at start, start + interval, ... (the value after every change up to then). */
  private samples: number[] = [];
  /** The interval the samples are at: the one asked for, doubled each time they were thinned. */
  intervalMs: number;
  private started: number | null = null;
  private next = 0;
  private current = 0;
  private last = 0;
  private peak = 0;
  private peakAt = 0;
  private worst: { amount: number; peak: number; from: number; recovered: number | null } | null = null;
  /** Time with a position, and since when a position is held (null: flat). */
  private exposed = 0;
  private heldSince: number | null = null;

  constructor(
    intervalMs: number,
    private readonly maxSamples = MAX_EQUITY_SAMPLES,
  ) {
    if (!(Number.isSafeInteger(intervalMs) && intervalMs > 0))
      throw new Error(`equity sampling interval must be a whole number of ms > 0, not ${intervalMs}`);
    this.intervalMs = intervalMs;
  }

  /** The run's clock started (its first entry): the curve is 0 there. */
  start(t: number): void {
    if (this.started !== null) return;
    this.started = t;
    this.next = t;
    this.peakAt = t;
    this.last = t;
  }

  /** The curve's value after a change at `t`; `holding`: whether any position is open then. */
  observe(t: number, equity: number, holding: boolean): void {
    this.start(t);
    this.advance(t);
    this.current = equity;
    if (equity >= this.peak) {
      if (this.worst !== null && this.worst.recovered === null && equity >= this.worst.peak) this.worst.recovered = t;
      if (equity > this.peak) {
        this.peak = equity;
        this.peakAt = t;
      }
    } else {
      const fall = this.peak - equity;
      if (fall > (this.worst?.amount ?? 0))
        this.worst = { amount: fall, peak: this.peak, from: this.peakAt, recovered: null };
    }
    if (holding && this.heldSince === null) this.heldSince = t;
    else if (!holding && this.heldSince !== null) {
      this.exposed += t - this.heldSince;
      this.heldSince = null;
    }
  }

  /** Samples up to `t`: each grid instant before it takes the value the curve had there. */
  private advance(t: number): void {
    if (t < this.last) return; // never backwards: a late change counts at the latest time seen
    this.last = t;
    while (this.next < t) {
      this.samples.push(this.current);
      this.next += this.intervalMs;
      if (this.samples.length >= this.maxSamples) this.thin();
    }
  }

  /** Keeps the samples at even positions: the same grid at twice the interval (the next sample
   *  is due where it was: an even count of samples at the old interval). */
  private thin(): void {
    this.samples = this.samples.filter((_, i) => i % 2 === 0);
    this.intervalMs *= 2;
  }

  /** The run's start and end (its end: the later of `end` and the last change). */
  span(end: number): { readonly start: number; readonly end: number } {
    const start = this.started ?? end;
    return { start, end: Math.max(end, this.last, start) };
  }

  /** The samples through the run's end (the grid's instants up to and at `end`). */
  sampled(end: number): number[] {
    this.advance(end);
    const out = [...this.samples];
    if (this.next <= end) out.push(this.current);
    return out;
  }

  drawdown(): Drawdown {
    return this.worst ?? { amount: 0, peak: this.peak, from: this.started ?? 0, recovered: null };
  }

  /** Time with a position open, up to `end`. */
  exposedMs(end: number): number {
    return this.exposed + (this.heldSince === null ? 0 : Math.max(0, end - this.heldSince));
  }
}
