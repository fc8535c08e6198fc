// One symbol's warm-up: what a strategy said it needs before it may signal (closed bars, trade
// samples, seconds of quotes; all that are given) and what it has seen so far, from history and
// live data alike. Pure counting: symbol-warmup.ts decides what to log and when.
import type { Warmup } from './strategy-api.ts';

type Unit = 'bars' | 'trades' | 'seconds';

export class Warmth {
  /** Set by the warm-up once the need is met (and never unset: a warm strategy stays warm). */
  done = false;
  /** Some of what it has came from history. */
  sawHistory = false;
  /** Closed bars per bar length: the need is counted for each. */
  private readonly bars = new Map<number, number>();
  private trades_ = 0;
  private firstQuote: number | null = null;
  private lastQuote: number | null = null;
  private quarter = 0;

  constructor(
    private readonly need: Warmup,
    private readonly quoteMs: number,
    barLengths: readonly number[] = [],
  ) {
    for (const ms of barLengths) this.bars.set(ms, 0);
  }

  quote(time: number): void {
    if (this.firstQuote === null) this.firstQuote = time;
    this.lastQuote = time;
  }

  trades(): void {
    this.trades_++;
  }

  /** A closed bar of `ms` (a length the warm-up was not given counts as one of its own). */
  bar(ms: number): void {
    // With one bar length every bar is of it (a history's bars say so too, or should).
    const key = this.bars.size === 1 && !this.bars.has(ms) ? (this.bars.keys().next().value as number) : ms;
    this.bars.set(key, (this.bars.get(key) ?? 0) + 1);
  }

  reached(): boolean {
    return this.units().every(([, have, need]) => have >= need);
  }

  /** How much market before now covers the need: the bars' span (of the longest bar length),
   *  the seconds, and for trade samples a guess of one in ten samples (the rest, if short, comes
   *  live). */
  spanMs(barMs: number): number {
    const n = this.need;
    return Math.max(
      (n.bars ?? 0) * barMs + barMs,
      (n.seconds ?? 0) * 1000 + 2 * this.quoteMs,
      (n.trades ?? 0) * 10 * this.quoteMs,
    );
  }

  /** The unit furthest from its need, with what it has: for the events. */
  figures(): { have: number; need: number; unit: Unit } {
    const units = this.units();
    let worst = units[0] ?? (['bars', 0, 0] as const);
    for (const u of units) if (u[1] / u[2] < worst[1] / worst[2]) worst = u;
    return { unit: worst[0], have: Math.min(worst[1], worst[2]), need: worst[2] };
  }

  progress(): string {
    const { have, need, unit } = this.figures();
    return `${have} of ${need} ${unit}`;
  }

  /** Whether progress has crossed another quarter of the need since the last time it did. */
  crossedQuarter(): boolean {
    const { have, need } = this.figures();
    const q = need > 0 ? Math.floor((4 * have) / need) : 4;
    if (q <= this.quarter) return false;
    this.quarter = q;
    return q < 4;
  }

  private units(): Array<readonly [Unit, number, number]> {
    const n = this.need;
    const out: Array<readonly [Unit, number, number]> = [];
    if (n.bars) {
      // The bar length furthest behind: every one needs `bars`.
      let fewest = this.bars.size === 0 ? 0 : Infinity;
      for (const count of this.bars.values()) fewest = Math.min(fewest, count);
      out.push(['bars', fewest, n.bars]);
    }
    if (n.trades) out.push(['trades', this.trades_, n.trades]);
    if (n.seconds) {
      const seconds =
        this.firstQuote === null || this.lastQuote === null ? 0 : Math.floor((this.lastQuote - this.firstQuote) / 1000);
      out.push(['seconds', seconds, n.seconds]);
    }
    return out;
  }
}
