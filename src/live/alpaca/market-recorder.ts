// What the adapter saw of the market, kept in bounded memory: the latest top of book, the mid
// path (each change) and the tape (every trade). Times are when the data ARRIVED here, on the
// adapter's clock: windows are asked in that time, and staleness is measured from it.
// Bounded: entries older than `retainMs` before the newest one are dropped, and never more than
// `maxEntries` of each kind are kept (the oldest go first), so a long run holds at most the last
// `retainMs` of market data. A window reaching before the retained range sees only what is left;
// tradesSince counts trades by their index on the whole tape, so a cursor older than the
// retained range resumes at the oldest trade kept.
import type { MarketWindow, TapeSlice, TopOfBook } from '../../core/ports/broker.ts';

export interface RecorderLimits {
  /** How much history to keep, ms (default 1 hour). */
  readonly retainMs?: number;
  /** At most this many trades and this many mid changes (default 200,000 each). */
  readonly maxEntries?: number;
}

/** A deque over parallel arrays: append at the end, drop from the front, binary search by time. */
class Series {
  times: number[] = [];
  a: Array<number | null> = [];
  b: number[] = [];
  start = 0;
  /** Entries ever dropped from the front (for tape indices). */
  dropped = 0;

  get length(): number {
    return this.times.length - this.start;
  }
  push(time: number, a: number | null, b: number): void {
    this.times.push(time);
    this.a.push(a);
    this.b.push(b);
  }
  dropBefore(time: number, keepAtMost: number): void {
    while (this.length > 0 && ((this.times[this.start] as number) < time || this.length > keepAtMost)) {
      this.start++;
      this.dropped++;
    }
    if (this.start > 1024 && this.start * 2 > this.times.length) {
      this.times = this.times.slice(this.start);
      this.a = this.a.slice(this.start);
      this.b = this.b.slice(this.start);
      this.start = 0;
    }
  }
  /** First index (absolute in the arrays) whose time is >= t. */
  firstAtOrAfter(t: number): number {
    let lo = this.start;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const EMPTY: TopOfBook = { bid: null, bidQty: 0, ask: null, askQty: 0 };

export class MarketRecorder {
  private top: TopOfBook = EMPTY;
  private lastAt: number | null = null;
  private readonly mids = new Series();
  private readonly trades = new Series();
  private lastPrice: number | null = null;
  private readonly retainMs: number;
  private readonly maxEntries: number;

  constructor(limits: RecorderLimits = {}) {
    this.retainMs = limits.retainMs ?? 3_600_000;
    this.maxEntries = limits.maxEntries ?? 200_000;
  }

  topOfBook(): TopOfBook {
    return this.top;
  }

  lastUpdateAt(): number | null {
    return this.lastAt;
  }

  /** A quote arrived at `at` (local time): prices in ticks (null: that side is empty), sizes in lots. */
  quote(at: number, top: TopOfBook): void {
    const t = Math.max(at, this.lastAt ?? at);
    this.top = top;
    this.lastAt = t;
    const mid = top.bid !== null && top.ask !== null ? (top.bid + top.ask) / 2 : null;
    const n = this.mids.times.length;
    if (n > this.mids.start && this.mids.times[n - 1] === t) this.mids.a[n - 1] = mid;
    else if (n === this.mids.start || this.mids.a[n - 1] !== mid) this.mids.push(t, mid, 0);
    this.trim(t);
  }

  /** A trade on the tape arrived at `at`: price in ticks, size in lots. */
  trade(at: number, price: number, qty: number): void {
    const t = Math.max(at, this.lastAt ?? at);
    this.lastAt = t;
    this.trades.push(t, price, qty);
    this.lastPrice = price;
    this.trim(t);
  }

  window(from: number, to: number): MarketWindow {
    let notional = 0;
    let volume = 0;
    const s = this.trades;
    for (let i = s.firstAtOrAfter(from); i < s.times.length && (s.times[i] as number) <= to; i++) {
      notional += (s.a[i] as number) * (s.b[i] as number);
      volume += s.b[i] as number;
    }
    return { vwap: volume > 0 ? notional / volume : null, twapMid: this.twap(from, to), volume };
  }

  tradesSince(cursor: number): TapeSlice {
    const s = this.trades;
    const end = s.dropped + s.length;
    const from = Math.max(cursor, s.dropped, 0);
    let notional = 0;
    let volume = 0;
    for (let k = from; k < end; k++) {
      const i = s.start + (k - s.dropped);
      notional += (s.a[i] as number) * (s.b[i] as number);
      volume += s.b[i] as number;
    }
    return { cursor: end, trades: Math.max(0, end - from), volume, notional, last: this.lastPrice };
  }

  /** Time-weighted mid over [from, to]; the mid in force at `from` counts from `from`. */
  private twap(from: number, to: number): number | null {
    const s = this.mids;
    if (s.length === 0) return null;
    let i = s.firstAtOrAfter(from);
    if (i === s.times.length || (s.times[i] as number) > from) i--;
    if (to <= from) return i >= s.start ? (s.a[i] ?? null) : null;
    let weighted = 0;
    let covered = 0;
    for (let k = Math.max(i, s.start); k < s.times.length; k++) {
      const start = Math.max(s.times[k] as number, from);
      const end = Math.min(k + 1 < s.times.length ? (s.times[k + 1] as number) : to, to);
      if (start >= to) break;
      const m = s.a[k];
      if (k < i || m === null || m === undefined || end <= start) continue;
      weighted += m * (end - start);
      covered += end - start;
    }
    return covered > 0 ? weighted / covered : null;
  }

  private trim(now: number): void {
    this.mids.dropBefore(now - this.retainMs, this.maxEntries);
    this.trades.dropBefore(now - this.retainMs, this.maxEntries);
  }
}
