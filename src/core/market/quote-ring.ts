// A bounded ring of one symbol's recent good quotes with their arrival times: the fallback the
// quote fallback serves from when the primary market-data path fails. It keeps the source's
// TopOfBook objects themselves (a TopOfBook is a value: every source builds a new one per change
// and never alters one it handed out), so a push allocates nothing. Times never go back: a quote
// pushed with an earlier time than the newest takes the newest's time, so the newest quote is
// always the last pushed.

import type { TopOfBook } from '../ports/broker.ts';

export interface RingQuote {
  readonly top: TopOfBook;
  /** When it arrived (epoch ms). */
  readonly at: number;
}

export class QuoteRing {
  private readonly tops: Array<TopOfBook | undefined>;
  private readonly times: Float64Array;
  /** Where the next push goes, and how many are held. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`quote ring: capacity ${capacity} is not >= 1`);
    this.tops = new Array<TopOfBook | undefined>(capacity);
    this.times = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(top: TopOfBook, at: number): void {
    const last = this.count > 0 ? this.newestAt() : at;
    this.tops[this.next] = top;
    this.times[this.next] = at < last ? last : at;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** The newest quote, or null when none was pushed. */
  newest(): TopOfBook | null {
    return this.count === 0 ? null : (this.tops[this.newestIndex()] as TopOfBook);
  }

  /** When the newest quote arrived; NaN when none was pushed. */
  newestAt(): number {
    return this.count === 0 ? NaN : (this.times[this.newestIndex()] as number);
  }

  /** Every quote held, oldest first (a copy: for inspection and tests, not the hot path). */
  quotes(): RingQuote[] {
    const out: RingQuote[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.capacity;
      out.push({ top: this.tops[i] as TopOfBook, at: this.times[i] as number });
    }
    return out;
  }

  private newestIndex(): number {
    return this.next === 0 ? this.capacity - 1 : this.next - 1;
  }
}
