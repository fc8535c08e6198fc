// A trade tape synthesized inside each kline bar, for archives that recorded only bars: a stated,
// deterministic model (docs/0083-kline-bars-market.md), so that a bar market replays through the
// same tape-and-book path as a trade archive (tape-book.ts draws the book around each trade).
// Inside one bar of volume V (data lots):
// - the path: open, then the extreme nearer the open (high or low; a tie by the seeded draw),
//   then the other extreme, then the close, consecutive equal prices merged: its "anchors";
// - K trades: the bar's own trade count, at most `tradesPerBar`, at least one per anchor, at most
//   V (every trade at least one lot). A bar too thin to trade each anchor (V below their number)
//   trades its last V anchors, so it still ends at its close (counted as thin);
// - prices: every anchor traded exactly, the trades beyond the anchors spread over the path's legs
//   in proportion to their lengths in ticks, evenly along each leg (rounded to the tick), so
//   every price lies in [low, high], the first is the open and the last the close;
// - sizes: one lot each, and the rest of V split by seeded integer weights (1 to 64), the
//   remainder of the division a lot each to the first trades: they add up to V exactly;
// - times: evenly from the bar's open time, trade i at open + floor(i * span / K);
// - sides by the tick rule: a trade above the one before is a buy (the buyer took the ask), below
//   it a sell, at the same price the side before; the first of the tape a buy when its bar closes
//   at or above its open.
// A bar of no volume trades nothing. The draws come from a generator seeded by the model's seed
// and the bar's open time alone, so a bar's trades do not depend on the bars read before it.
import type { KlineBar } from './kline-rows.ts';
import { usToMs } from './tardis-assembler.ts';
import type { TapeTrade } from './tape-book.ts';

export interface BarModel {
  /** Most trades synthesized in one bar (at least the bar's anchors, up to four). */
  readonly tradesPerBar: number;
  readonly seed: number;
}

/** Exact integer products below this; above it the split is done in bigint. */
const SAFE_REST = 2 ** 46;

/** A 32-bit generator (mulberry32) from the seed and the bar's open time: integer arithmetic only. */
function barDraws(seed: number, openUs: number): () => number {
  let s = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ (openUs % 0x1_0000_0000) ^ Math.floor(openUs / 0x1_0000_0000);
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface BarTapeCounts {
  bars: number;
  /** Bars of no volume (no trades). */
  empty: number;
  /** Bars whose volume in lots was below their anchors' number. */
  thin: number;
  trades: number;
}

export class BarTape {
  readonly counts: BarTapeCounts = { bars: 0, empty: 0, thin: 0, trades: 0 };
  private tradeId = 0;
  private lastPrice: number | null = null;
  private lastBuy = true;

  constructor(private readonly model: BarModel) {}

  /** The bar's synthesized trades, in time order (none for a bar of no volume). */
  trades(bar: KlineBar): TapeTrade[] {
    this.counts.bars++;
    if (bar.volume === 0) {
      this.counts.empty++;
      return [];
    }
    const draw = barDraws(this.model.seed, bar.openUs);
    const up = bar.high - bar.open;
    const down = bar.open - bar.low;
    const highFirst = up < down || (up === down && (draw() & 1) === 0);
    let anchors: number[] = [];
    for (const p of [bar.open, highFirst ? bar.high : bar.low, highFirst ? bar.low : bar.high, bar.close])
      if (anchors[anchors.length - 1] !== p) anchors.push(p);
    const k = Math.min(bar.volume, Math.max(anchors.length, Math.min(bar.trades, this.model.tradesPerBar)));
    if (k < anchors.length) {
      this.counts.thin++;
      anchors = anchors.slice(anchors.length - k);
    }
    const prices = pathPrices(anchors, k);
    const sizes = splitVolume(bar.volume, k, draw);
    const span = bar.closeUs - bar.openUs + 1;
    const out: TapeTrade[] = [];
    for (let i = 0; i < k; i++) {
      const price = prices[i] as number;
      const buy =
        this.lastPrice === null
          ? bar.close >= bar.open
          : price > this.lastPrice
            ? true
            : price < this.lastPrice
              ? false
              : this.lastBuy;
      this.lastPrice = price;
      this.lastBuy = buy;
      out.push({
        recvMs: usToMs(bar.openUs + Math.floor((i * span) / k)),
        tradeId: ++this.tradeId,
        price,
        qty: sizes[i] as number,
        buyerIsMaker: !buy,
      });
    }
    this.counts.trades += k;
    return out;
  }
}

/** `k` prices along the anchors (k >= anchors.length): each anchor once, the rest along the legs. */
export function pathPrices(anchors: readonly number[], k: number): number[] {
  const legs = anchors.length - 1;
  if (legs === 0) return new Array<number>(k).fill(anchors[0] as number);
  const lengths = Array.from({ length: legs }, (_, j) => Math.abs((anchors[j + 1] as number) - (anchors[j] as number)));
  const total = lengths.reduce((a, b) => a + b, 0);
  const extra = k - anchors.length;
  // Largest remainder: each leg floor(extra * length / total), the rest to the largest remainders.
  const per = lengths.map((len) => Math.floor((extra * len) / total));
  const order = lengths.map((len, j) => ({ j, rem: (extra * len) % total })).sort((a, b) => b.rem - a.rem || a.j - b.j);
  for (let left = extra - per.reduce((a, b) => a + b, 0), i = 0; left > 0; left--, i++) {
    const j = (order[i] as { j: number }).j;
    per[j] = (per[j] as number) + 1;
  }
  const out: number[] = [anchors[0] as number];
  for (let j = 0; j < legs; j++) {
    const a = anchors[j] as number;
    const b = anchors[j + 1] as number;
    const m = per[j] as number;
    for (let i = 1; i <= m; i++) out.push(a + Math.round(((b - a) * i) / (m + 1)));
    out.push(b);
  }
  return out;
}

/** `volume` lots in `k` sizes of at least one lot, by seeded weights; they add up exactly. */
export function splitVolume(volume: number, k: number, draw: () => number): number[] {
  const weights = Array.from({ length: k }, () => 1 + (draw() >>> 26));
  const sum = weights.reduce((a, b) => a + b, 0);
  const rest = volume - k;
  const sizes =
    rest < SAFE_REST
      ? weights.map((w) => Math.floor((rest * w) / sum))
      : weights.map((w) => Number((BigInt(rest) * BigInt(w)) / BigInt(sum)));
  let left = rest - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i++, left--) sizes[i] = (sizes[i] as number) + 1;
  return sizes.map((s) => s + 1);
}
