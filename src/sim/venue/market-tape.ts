// What happened in the market, kept by the simulated venue for execution-quality benchmarks:
// every trade (other participants' and ours) and the true mid each time the top of book moved.
// Times only grow, so a window is found by binary search. Kept in growing typed arrays: a run
// records a mid at every move of the top (tens of thousands an hour), and an array of numbers
// and nulls would box each fractional mid.
import type { TapeSlice } from '../../core/ports/broker.ts';

export interface TapeWindow {
  readonly vwap: number | null;
  readonly twapMid: number | null;
  readonly volume: number;
}

/** A column of numbers that only grows. */
class Column {
  values = new Float64Array(64);
  length = 0;

  push(x: number): void {
    if (this.length === this.values.length) {
      const wider = new Float64Array(2 * this.length);
      wider.set(this.values);
      this.values = wider;
    }
    this.values[this.length++] = x;
  }
}

function firstAtOrAfter(times: Column, t: number): number {
  const v = times.values;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((v[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A missing mid (one side of the book empty) in the mids column. */
const NO_MID = NaN;

export class MarketTape {
  private readonly tradeTimes = new Column();
  private readonly tradePxs = new Column();
  private readonly tradeQtys = new Column();
  private readonly midTimes = new Column();
  private readonly midValues = new Column();

  trade(time: number, price: number, qty: number): void {
    this.tradeTimes.push(time);
    this.tradePxs.push(price);
    this.tradeQtys.push(qty);
  }

  mid(time: number, mid: number | null): void {
    const n = this.midTimes.length;
    if (n > 0 && this.midTimes.values[n - 1] === time) this.midValues.values[n - 1] = mid ?? NO_MID;
    else {
      this.midTimes.push(time);
      this.midValues.push(mid ?? NO_MID);
    }
  }

  /** The trades after index `cursor` (0: the first), summed; the cursor to continue from is
   *  the tape's length. */
  since(cursor: number): TapeSlice {
    const n = this.tradeTimes.length;
    const px = this.tradePxs.values;
    const qty = this.tradeQtys.values;
    let notional = 0;
    let volume = 0;
    for (let i = Math.max(0, cursor); i < n; i++) {
      notional += (px[i] as number) * (qty[i] as number);
      volume += qty[i] as number;
    }
    return {
      cursor: n,
      trades: Math.max(0, n - Math.max(0, cursor)),
      volume,
      notional,
      last: n > 0 ? (px[n - 1] as number) : null,
    };
  }

  window(from: number, to: number): TapeWindow {
    const times = this.tradeTimes.values;
    const px = this.tradePxs.values;
    const qty = this.tradeQtys.values;
    const n = this.tradeTimes.length;
    let notional = 0;
    let volume = 0;
    for (let i = firstAtOrAfter(this.tradeTimes, from); i < n && (times[i] as number) <= to; i++) {
      notional += (px[i] as number) * (qty[i] as number);
      volume += qty[i] as number;
    }
    return { vwap: volume > 0 ? notional / volume : null, twapMid: this.twap(from, to), volume };
  }

  /** Time-weighted mid over [from, to]; the mid in force at `from` counts from `from`. */
  private twap(from: number, to: number): number | null {
    const n = this.midTimes.length;
    if (n === 0) return null;
    const times = this.midTimes.values;
    const mids = this.midValues.values;
    let i = firstAtOrAfter(this.midTimes, from);
    if (i === n || (times[i] as number) > from) i--;
    if (to <= from) return i >= 0 && !Number.isNaN(mids[i] as number) ? (mids[i] as number) : null;
    let weighted = 0;
    let covered = 0;
    for (let k = Math.max(i, 0); k < n; k++) {
      const start = Math.max(times[k] as number, from);
      const end = Math.min(k + 1 < n ? (times[k + 1] as number) : to, to);
      if (start >= to) break;
      const m = mids[k] as number;
      if (k < i || Number.isNaN(m) || end <= start) continue;
      weighted += m * (end - start);
      covered += end - start;
    }
    return covered > 0 ? weighted / covered : null;
  }
}
