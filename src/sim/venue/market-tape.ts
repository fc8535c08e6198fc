// What happened in the market, kept by the simulated venue for execution-quality benchmarks:
// every trade (other participants' and ours) and the true mid each time the top of book moved.
// Times only grow, so a window is found by binary search.
import type { TapeSlice } from '../../core/ports/broker.ts';

export interface TapeWindow {
  readonly vwap: number | null;
  readonly twapMid: number | null;
  readonly volume: number;
}

function firstAtOrAfter(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MarketTape {
  private readonly tradeTimes: number[] = [];
  private readonly tradePx: number[] = [];
  private readonly tradeQty: number[] = [];
  private readonly midTimes: number[] = [];
  private readonly mids: Array<number | null> = [];

  trade(time: number, price: number, qty: number): void {
    this.tradeTimes.push(time);
    this.tradePx.push(price);
    this.tradeQty.push(qty);
  }

  mid(time: number, mid: number | null): void {
    const n = this.midTimes.length;
    if (n > 0 && this.midTimes[n - 1] === time) this.mids[n - 1] = mid;
    else {
      this.midTimes.push(time);
      this.mids.push(mid);
    }
  }

  /** The trades after index `cursor` (0: the first), summed; the cursor to continue from is
   *  the tape's length. */
  since(cursor: number): TapeSlice {
    const n = this.tradeTimes.length;
    let notional = 0;
    let volume = 0;
    for (let i = Math.max(0, cursor); i < n; i++) {
      notional += (this.tradePx[i] as number) * (this.tradeQty[i] as number);
      volume += this.tradeQty[i] as number;
    }
    return {
      cursor: n,
      trades: Math.max(0, n - Math.max(0, cursor)),
      volume,
      notional,
      last: n > 0 ? (this.tradePx[n - 1] as number) : null,
    };
  }

  window(from: number, to: number): TapeWindow {
    let notional = 0;
    let volume = 0;
    for (
      let i = firstAtOrAfter(this.tradeTimes, from);
      i < this.tradeTimes.length && (this.tradeTimes[i] as number) <= to;
      i++
    ) {
      notional += (this.tradePx[i] as number) * (this.tradeQty[i] as number);
      volume += this.tradeQty[i] as number;
    }
    return { vwap: volume > 0 ? notional / volume : null, twapMid: this.twap(from, to), volume };
  }

  /** Time-weighted mid over [from, to]; the mid in force at `from` counts from `from`. */
  private twap(from: number, to: number): number | null {
    if (this.midTimes.length === 0) return null;
    let i = firstAtOrAfter(this.midTimes, from);
    if (i === this.midTimes.length || (this.midTimes[i] as number) > from) i--;
    if (to <= from) return i >= 0 ? (this.mids[i] ?? null) : null;
    let weighted = 0;
    let covered = 0;
    for (let k = Math.max(i, 0); k < this.midTimes.length; k++) {
      const start = Math.max(this.midTimes[k] as number, from);
      const end = Math.min(k + 1 < this.midTimes.length ? (this.midTimes[k + 1] as number) : to, to);
      if (start >= to) break;
      const m = this.mids[k];
      if (k < i || m === null || m === undefined || end <= start) continue;
      weighted += m * (end - start);
      covered += end - start;
    }
    return covered > 0 ? weighted / covered : null;
  }
}
