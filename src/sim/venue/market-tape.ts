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

// A window's loops run once per parent over the whole tape (tens of thousands of entries), so V8
// compiles them on the stack mid-loop; code after such a loop that had never run had no type
// feedback, and the compiled loop was thrown away on leaving it (then interpreted again on the
// next call: about 70 ms of a process's first run, tens of ms now and then after). Each loop is
// a function of its own, and a window of a two-entry tape is taken once when this module loads
// (16 times, at the end of the file), so every line of them has run before a long loop is compiled.

// A percent-of-volume parent asks for the window from its start to now at every slice, so the
// loops go on from where the last window with the same start left off (the sums so far and the
// index to go on from, kept in a small array): the same additions in the same order as from the
// start, so the same sums. Entries are only appended (a mid at the last one's time replaces it),
// and what is resumed covers only entries before the last one.

/** Trades from index st[2] (the first at or after the window's start) while at or before `to`,
 *  added to the notional st[0] and volume st[1]; st[2] becomes the index after the last. */
function sumTrades(times: Column, px: Float64Array, qty: Float64Array, to: number, st: Float64Array): void {
  const t = times.values;
  const n = times.length;
  let notional = st[0] as number;
  let volume = st[1] as number;
  // An index read from a Float64Array is a double: as one, every access below would convert it
  // (the mids' loop ran at about twice its time so); `| 0` makes it the small integer it is.
  let i = (st[2] as number) | 0;
  for (; i < n && (t[i] as number) <= to; i++) {
    notional += (px[i] as number) * (qty[i] as number);
    volume += qty[i] as number;
  }
  st[0] = notional;
  st[1] = volume;
  st[2] = i;
}

/** The mids from index st[2] (at first, the one in force at `from`, i) weighted by how long each
 *  held within [from, to], added to st[0], and the time they covered, added to st[1]; missing mids
 *  are left out. st[3], st[4] and st[5] become the sums before the first mid whose span may still
 *  grow with a later `to` (the last one, or one that ends after `to`), and its index. */
function weighMids(
  times: Float64Array,
  mids: Float64Array,
  n: number,
  i: number,
  from: number,
  to: number,
  st: Float64Array,
): void {
  let weighted = st[0] as number;
  let covered = st[1] as number;
  // A small integer, as in sumTrades.
  let k = (st[2] as number) | 0;
  let open = -1;
  for (; k < n; k++) {
    // Mids wholly inside the window whose next mid comes at or before `to` (nearly all of a long
    // window): the same sums as the steps below make for them, in the same order, without the
    // clipping to the window's ends.
    while (k >= i && k + 1 < n) {
      const next = times[k + 1] as number;
      const at = times[k] as number;
      if (!(next <= to && at >= from && at < to)) break;
      const m = mids[k] as number;
      if (!Number.isNaN(m) && next > at) {
        weighted += m * (next - at);
        covered += next - at;
      }
      k++;
    }
    if (open < 0 && !(k + 1 < n && (times[k + 1] as number) <= to)) {
      open = k;
      st[3] = weighted;
      st[4] = covered;
    }
    const start = Math.max(times[k] as number, from);
    const end = Math.min(k + 1 < n ? (times[k + 1] as number) : to, to);
    if (start >= to) break;
    const m = mids[k] as number;
    if (k < i || Number.isNaN(m) || end <= start) continue;
    weighted += m * (end - start);
    covered += end - start;
  }
  if (open < 0) {
    open = k;
    st[3] = weighted;
    st[4] = covered;
  }
  st[0] = weighted;
  st[1] = covered;
  st[5] = open;
}

/** A missing mid (one side of the book empty) in the mids column. */
const NO_MID = NaN;

export class MarketTape {
  private readonly tradeTimes = new Column();
  private readonly tradePxs = new Column();
  private readonly tradeQtys = new Column();
  private readonly midTimes = new Column();
  private readonly midValues = new Column();
  /** The loops' sums and where they go on from (sumTrades, weighMids), and the window they were
   *  for: its start, its end, and (mids) the index of the mid in force at its start. */
  private readonly tradeSums = new Float64Array(3);
  private tradesFrom = NaN;
  private tradesTo = NaN;
  private readonly midSums = new Float64Array(6);
  private midsFrom = NaN;
  private midsTo = NaN;
  private midsIndex = -2;

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
    let high = -Infinity;
    let low = Infinity;
    for (let i = Math.max(0, cursor); i < n; i++) {
      const p = px[i] as number;
      notional += p * (qty[i] as number);
      volume += qty[i] as number;
      if (p > high) high = p;
      if (p < low) low = p;
    }
    return {
      cursor: n,
      trades: Math.max(0, n - Math.max(0, cursor)),
      volume,
      notional,
      last: n > 0 ? (px[n - 1] as number) : null,
      high: high === -Infinity ? null : high,
      low: low === Infinity ? null : low,
    };
  }

  window(from: number, to: number): TapeWindow {
    const st = this.tradeSums;
    if (!(from === this.tradesFrom && to >= this.tradesTo)) {
      st[0] = 0;
      st[1] = 0;
      st[2] = firstAtOrAfter(this.tradeTimes, from);
    }
    sumTrades(this.tradeTimes, this.tradePxs.values, this.tradeQtys.values, to, st);
    this.tradesFrom = from;
    this.tradesTo = to;
    const notional = st[0] as number;
    const volume = st[1] as number;
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
    const st = this.midSums;
    if (from === this.midsFrom && i === this.midsIndex && to >= this.midsTo) {
      st[0] = st[3] as number;
      st[1] = st[4] as number;
      st[2] = st[5] as number;
    } else {
      st[0] = 0;
      st[1] = 0;
      st[2] = Math.max(i, 0);
    }
    weighMids(times, mids, n, i, from, to, st);
    this.midsFrom = from;
    this.midsIndex = i;
    this.midsTo = to;
    const weighted = st[0] as number;
    const covered = st[1] as number;
    return covered > 0 ? weighted / covered : null;
  }
}

// Type feedback for every line of window() and its loops before a run's first long window (see
// sumTrades): a tape of two trades and two mids, one of them missing, over a window past both
// (taken again: the loops go on from where it left off).
{
  const warm = new MarketTape();
  warm.trade(1, 2, 3);
  warm.trade(2, 2, 3);
  warm.mid(1, 2);
  warm.mid(2, null);
  // V8 keeps feedback for a function only after its first few calls.
  for (let i = 0; i < 16; i++) {
    warm.window(0, 3);
    warm.window(0, 3);
    warm.window(1, 1);
  }
}
