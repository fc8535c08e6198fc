// The quote fallback's transitions as events (src/core/market/quote-fallback.ts): one per change
// of a symbol's market-data state, never one per read. Healthy -> degraded (MarketDataDegraded),
// degraded on fallback quotes -> the newest fallback quote too old (MarketDataFallbackExpired),
// degraded -> healthy (MarketDataRestored). Here, at the bottom layer, so that the event types
// depend on nothing above them.

/** The primary market-data path of a symbol failed or went stale: consumers read the newest
 *  quote of the ring of recent quotes while it is young enough. */
export interface MarketDataDegraded {
  readonly kind: 'MarketDataDegraded';
  readonly symbol: string;
  /** Why: the source's feed failure, or how long it has not updated. */
  readonly reason: string;
  /** Age of the newest fallback quote now (ms), and when it arrived (epoch ms); both null when
   *  the ring holds none. */
  readonly fallbackAgeMs: number | null;
  readonly quoteAt: number | null;
  /** The age past which a fallback quote is no quote (ms). */
  readonly maxAgeMs: number;
}

/** The newest fallback quote grew older than the limit while still degraded: consumers now
 *  read no quote (as with no market data) until the primary path is back. */
export interface MarketDataFallbackExpired {
  readonly kind: 'MarketDataFallbackExpired';
  readonly symbol: string;
  /** When the newest fallback quote arrived (epoch ms), null when the ring held none. */
  readonly quoteAt: number | null;
  readonly maxAgeMs: number;
  /** Reads answered from the ring since the degradation began. */
  readonly fallbackReads: number;
}

/** The primary path is healthy again: consumers read it as before. */
export interface MarketDataRestored {
  readonly kind: 'MarketDataRestored';
  readonly symbol: string;
  /** How long the symbol was degraded (ms, from its MarketDataDegraded). */
  readonly degradedMs: number;
  /** Reads answered from the ring, and reads answered with no quote (the ring too old or
   *  empty), during the degradation. */
  readonly fallbackReads: number;
  readonly blindReads: number;
}

export type QuoteFallbackEvent = MarketDataDegraded | MarketDataFallbackExpired | MarketDataRestored;
