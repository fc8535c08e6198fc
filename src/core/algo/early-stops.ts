// The early stops a parent's new children are held to, whatever runs it: a slice scheduler at each
// slice (slice-scheduler.ts) and an intent runner at each child it places (intent-runner.ts). One
// function decides, so a TWAP, a VWAP, an iceberg and a user's module stop for the same reasons,
// in the same words: no two-sided market, the spread too wide, the price moved too far from the
// start, too little displayed on the side the parent takes.

export interface EarlyStops {
  /** Stop when (ask - bid) / mid exceeds this fraction (default 0.005). */
  readonly maxSpread: number;
  /** Stop when the mid moved more than this fraction from the start (default 0.01). */
  readonly maxPriceDeviation: number;
  /** Stop when the displayed quantity on the side we take is below this many lots; 0 = off. */
  readonly minLiquidity: number;
  /** Ticks: the price the parent never pays worse than (a buy's most, a sell's least). A market
   *  parent's slices are IOC limits at it, sent only while the touch is at or better than it
   *  (else skipped, their quantity carried); a limit child's price is held to it. Absent: none. */
  readonly worstPrice?: number;
}

export interface StopTop {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly bidQty: number;
  readonly askQty: number;
}

/**
 * Why a parent on `side` stops at this book, or null. `startMid`: the mid when it started (null:
 * no price-move stop); `noQuote`: why the market data holds the quote back, when it says (the
 * quote fallback's reason), else "no two-sided market"; `qty`: lots as the instrument writes them
 * (the liquidity stop's reason).
 */
export function earlyStopReason(
  stops: EarlyStops,
  side: 'buy' | 'sell',
  top: StopTop,
  startMid: number | null,
  noQuote: () => string | null | undefined,
  qty: (lots: number) => string = String,
): string | null {
  const { bid, ask } = top;
  if (bid === null || ask === null) return noQuote() ?? 'no two-sided market';
  const mid = (bid + ask) / 2;
  const spread = (ask - bid) / mid;
  if (spread > stops.maxSpread)
    return `spread ${(spread * 100).toFixed(3)}% wider than ${(stops.maxSpread * 100).toFixed(3)}%`;
  if (startMid !== null) {
    const moved = Math.abs(mid - startMid) / startMid;
    if (moved > stops.maxPriceDeviation) {
      return `price moved ${(moved * 100).toFixed(3)}% from the start, more than ${(stops.maxPriceDeviation * 100).toFixed(3)}%`;
    }
  }
  const depth = side === 'buy' ? top.askQty : top.bidQty;
  if (stops.minLiquidity > 0 && depth < stops.minLiquidity)
    return `displayed liquidity ${qty(depth)} below the floor of ${qty(stops.minLiquidity)}`;
  return null;
}
