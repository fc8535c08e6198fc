// What the adapter saw of the market, kept in bounded memory: the latest top of book, the mid path
// and the tape, at the time the data ARRIVED here on the adapter's clock; the market before the
// live feed started is added from the venue's bars, and a window says from when its data is whole.
// Bounds, history and coverage: docs/0066-live-adapter-notes.md.
import type { MarketWindow, TapeSlice, TopOfBook } from '../core/ports/broker.ts';

export interface RecorderLimits {
  /** How much history to keep, ms (default 1 hour). */
  readonly retainMs?: number;
  /** At most this many trades and this many mid changes (default 200,000 each). */
  readonly maxEntries?: number;
}

/** A span of the market the live feed did not see, from the venue's history (our clock, ms). */
export interface HistoryBar {
  /** Its first millisecond, and the millisecond after its last (end > start). */
  readonly start: number;
  readonly end: number;
  /** Lots traded in it that the live feed did not record, and their VWAP (fractional ticks;
   *  null when volume is 0). */
  readonly volume: number;
  readonly vwap: number | null;
  /** The price standing for the mid from `start` on (fractional ticks), null for none. */
  readonly mid: number | null;
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
  /** Adds entries anywhere in time (kept in time order; equal times keep insertion order). */
  merge(entries: ReadonlyArray<readonly [number, number | null, number]>): void {
    const all: Array<readonly [number, number | null, number]> = [];
    for (let i = this.start; i < this.times.length; i++)
      all.push([this.times[i] as number, this.a[i] ?? null, this.b[i] as number]);
    all.push(...entries);
    all.sort((x, y) => x[0] - y[0]);
    this.times = all.map((e) => e[0]);
    this.a = all.map((e) => e[1]);
    this.b = all.map((e) => e[2]);
    this.start = 0;
  }
  /** Drops entries before `time` (with `inForce`, all but the last of them: a path's value at
   *  `time`) and past `keepAtMost`; returns the time of the last dropped entry (null: none). */
  dropBefore(time: number, keepAtMost: number, inForce = false): number | null {
    let last: number | null = null;
    const old = (i: number): boolean =>
      inForce ? i + 1 < this.times.length && (this.times[i + 1] as number) <= time : (this.times[i] as number) < time;
    while (this.length > 0 && (old(this.start) || this.length > keepAtMost)) {
      last = this.times[this.start] as number;
      this.start++;
      this.dropped++;
    }
    if (this.start > 1024 && this.start * 2 > this.times.length) {
      this.times = this.times.slice(this.start);
      this.a = this.a.slice(this.start);
      this.b = this.b.slice(this.start);
      this.start = 0;
    }
    return last;
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
  /** Sum of b and of a x b over entries with time in [from, to]. */
  sum(from: number, to: number): { volume: number; notional: number } {
    let notional = 0;
    let volume = 0;
    for (let i = this.firstAtOrAfter(from); i < this.times.length && (this.times[i] as number) <= to; i++) {
      notional += (this.a[i] as number) * (this.b[i] as number);
      volume += this.b[i] as number;
    }
    return { volume, notional };
  }
}

const EMPTY: TopOfBook = { bid: null, bidQty: 0, ask: null, askQty: 0 };

export class MarketRecorder {
  private top: TopOfBook = EMPTY;
  private lastAt: number | null = null;
  private readonly mids = new Series();
  private readonly trades = new Series();
  /** History's volume (a: VWAP in fractional ticks, b: lots), one print per bar. */
  private readonly past = new Series();
  private lastPrice: number | null = null;
  /** From when the recorded data is whole (null: not said, the data is taken as whole). */
  private covered: number | null = null;
  /** How much history is kept, ms. */
  readonly retainMs: number;
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

  /** From when the recorded data is whole; null when not said (no liveFrom). */
  coveredFrom(): number | null {
    return this.covered;
  }

  /** The live feed starts recording at `at`: what traded before is not known (until history). */
  liveFrom(at: number): void {
    if (this.covered === null) this.covered = at;
  }

  /**
   * The market from `from` until `until` that the live feed did not see, as bars in time order
   * inside [from, until) (`until`: where the live record starts; a bar reaching past it is cut
   * there). Coverage then starts at `from`, unless the bounds drop some of it.
   */
  addHistory(bars: readonly HistoryBar[], from: number, until: number): void {
    const prints: Array<readonly [number, number | null, number]> = [];
    const mids: Array<readonly [number, number | null, number]> = [];
    const firstLiveMid = this.mids.length > 0 ? (this.mids.times[this.mids.start] as number) : until;
    for (const bar of bars) {
      if (bar.end <= bar.start || bar.start < from || bar.start >= until) continue;
      if (bar.volume > 0 && bar.vwap !== null) prints.push([Math.min(bar.end, until) - 1, bar.vwap, bar.volume]);
      if (bar.mid !== null && bar.start < firstLiveMid) mids.push([bar.start, bar.mid, 0]);
    }
    this.past.merge(prints);
    this.mids.merge(mids);
    if (this.covered === null || until >= this.covered) this.covered = Math.min(this.covered ?? from, from);
    this.trim(this.lastAt ?? until);
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
    const live = this.trades.sum(from, to);
    const past = this.past.sum(from, to);
    const volume = live.volume + past.volume;
    const notional = live.notional + past.notional;
    const w = { vwap: volume > 0 ? notional / volume : null, twapMid: this.twap(from, to), volume };
    return this.covered !== null && from < this.covered ? { ...w, coveredFrom: this.covered } : w;
  }
  tradesSince(cursor: number): TapeSlice {
    const s = this.trades;
    const end = s.dropped + s.length;
    const from = Math.max(cursor, s.dropped, 0);
    let notional = 0;
    let volume = 0;
    let high = -Infinity;
    let low = Infinity;
    for (let k = from; k < end; k++) {
      const i = s.start + (k - s.dropped);
      const p = s.a[i] as number;
      notional += p * (s.b[i] as number);
      volume += s.b[i] as number;
      if (p > high) high = p;
      if (p < low) low = p;
    }
    return {
      cursor: end,
      trades: Math.max(0, end - from),
      volume,
      notional,
      last: this.lastPrice,
      high: high === -Infinity ? null : high,
      low: low === Infinity ? null : low,
    };
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
    const horizon = now - this.retainMs;
    // A dropped trade leaves the tape unknown up to it; a dropped mid, the path up to the next one.
    const lastTrade = this.trades.dropBefore(horizon, this.maxEntries);
    const lastPast = this.past.dropBefore(horizon, this.maxEntries);
    const lastMid = this.mids.dropBefore(horizon, this.maxEntries, true);
    let lost = Math.max(lastTrade ?? -Infinity, lastPast ?? -Infinity) + 1;
    if (lastMid !== null)
      lost = Math.max(lost, this.mids.length > 0 ? (this.mids.times[this.mids.start] as number) : now);
    if (lost > -Infinity) this.covered = Math.max(this.covered ?? lost, lost);
  }
}
