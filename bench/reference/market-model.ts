// What every market model drives: the displayed book and the tape of other participants'
// trades, through the venue (which updates our queue positions and fills our resting orders),
// then refreshTop() once per batch of changes so our delayed market-data view can follow.
import type { Side } from '../../src/core/model/order.ts';

export interface MarketSink {
  /** refresh=false when the level shrank because of a market trade (our consumption stays). */
  setLevel(side: 'bid' | 'ask', price: number, qty: number, refresh?: boolean): void;
  marketTrade(price: number, qty: number, aggressor: Side): void;
  refreshTop(): void;
  /** Quantities currently displayed (to diff a rebuilt book against). */
  levelQty(side: 'bid' | 'ask', price: number): number;
  /** Best displayed price of a side, or null. */
  best(side: 'bid' | 'ask'): number | null;
  /** Displayed volume at a level that we have not consumed (what another participant can take). */
  available(side: 'bid' | 'ask', price: number): number;
}

export interface MarketModel {
  /** Schedules the model's activity on the clock, from the run's start. */
  start(): void;
  /** A price-jump fault: moves the model's price by `bps` basis points at once. */
  jump(bps: number): void;
}

/**
 * Rebuilds one side of a displayed book: sets the new levels and removes the old ones that are
 * not in it. `levels` best first; returns the prices now displayed.
 */
export function replaceSide(
  sink: MarketSink,
  side: 'bid' | 'ask',
  previous: readonly number[],
  levels: ReadonlyArray<readonly [number, number]>,
): number[] {
  const next = new Set<number>();
  for (const [price, qty] of levels) {
    if (qty <= 0) continue;
    next.add(price);
    sink.setLevel(side, price, qty);
  }
  for (const price of previous) if (!next.has(price)) sink.setLevel(side, price, 0);
  return [...next];
}
