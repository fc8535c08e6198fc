// The mids a run's log saw, per symbol, in time order: the market samples (the run's symbol), each
// parent's arrival top (its symbol) and the book as the run ended. The cost figures ask it for the
// mid in force just before a fill and at an instant after one. Mids are in half ticks (bid + ask,
// or twice the one side there is), so they stay whole numbers.

/** A mid in half ticks, or the one side there is (doubled); null for an empty book. */
export function mid2Of(bid: number | null, ask: number | null): number | null {
  if (bid !== null && ask !== null) return bid + ask;
  if (bid !== null) return 2 * bid;
  if (ask !== null) return 2 * ask;
  return null;
}

export interface MidAt {
  readonly mid2: number;
  /** When it was seen (epoch ms). */
  readonly at: number;
}

class Line {
  /** Ordering keys: the time, less half a ms for an observation known to precede what else
   *  happened in that ms (a parent's arrival top comes before its own fills). */
  readonly keys: number[] = [];
  readonly at: number[] = [];
  readonly mids: number[] = [];

  add(key: number, at: number, mid2: number): void {
    let i = this.keys.length;
    while (i > 0 && (this.keys[i - 1] as number) > key) i--;
    if (i === this.keys.length) {
      this.keys.push(key);
      this.at.push(at);
      this.mids.push(mid2);
    } else {
      this.keys.splice(i, 0, key);
      this.at.splice(i, 0, at);
      this.mids.splice(i, 0, mid2);
    }
  }

  /** Index of the last key below `key` (strict) or at most `key`; -1 if none. */
  last(key: number, strict: boolean): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const k = this.keys[m] as number;
      if (strict ? k < key : k <= key) lo = m + 1;
      else hi = m;
    }
    return lo - 1;
  }
}

export class MidTimeline {
  private readonly lines = new Map<string, Line>();

  /** A top of book seen at `at`; `early`: it came before anything else of that ms. */
  observe(symbol: string, at: number, bid: number | null, ask: number | null, early = false): void {
    const mid2 = mid2Of(bid, ask);
    if (mid2 === null) return;
    let line = this.lines.get(symbol);
    if (!line) this.lines.set(symbol, (line = new Line()));
    line.add(early ? at - 0.5 : at, at, mid2);
  }

  /** The mid in force just before `t`: the last one seen before it (an early one of `t` too). */
  before(symbol: string, t: number): MidAt | null {
    return this.pick(symbol, t, true);
  }

  /** The mid at `t`: the last one seen at or before it. */
  atOrBefore(symbol: string, t: number): MidAt | null {
    return this.pick(symbol, t, false);
  }

  private pick(symbol: string, t: number, strict: boolean): MidAt | null {
    const line = this.lines.get(symbol);
    if (!line) return null;
    const i = line.last(t, strict);
    return i < 0 ? null : { mid2: line.mids[i] as number, at: line.at[i] as number };
  }
}
