// The typed messages a recorded Binance spot feed line parses into (binance-messages.ts): the
// REST depth snapshot and the three combined-stream payloads, prices in integer ticks and
// quantities in integer lots. Types only, in their own module so the payload readers
// (binance-payloads.ts), the line parser and the consumers (depth sync, replay model) share them
// without importing each other.

/** Price levels flattened: [price0, qty0, price1, qty1, ...] in ticks and lots, as sent. */
export type BinanceLevels = number[];

export interface BinanceSnapshot {
  readonly kind: 'snapshot';
  /** Receive time, ms since epoch (fractional: the recording has ns). */
  readonly recvMs: number;
  readonly lastUpdateId: number;
  readonly bids: BinanceLevels;
  readonly asks: BinanceLevels;
}

export interface BinanceDepth {
  readonly kind: 'depth';
  readonly recvMs: number;
  /** Exchange event time `E`, ms. */
  readonly eventMs: number;
  /** `U`: first update id in this diff. */
  readonly firstId: number;
  /** `u`: last update id in this diff. */
  readonly lastId: number;
  /** Levels to set; qty 0 removes the level. */
  readonly bids: BinanceLevels;
  readonly asks: BinanceLevels;
}

export interface BinanceBbo {
  readonly kind: 'bbo';
  readonly recvMs: number;
  /** Order book update id `u` (same sequence as depth U/u). */
  readonly updateId: number;
  readonly bid: number;
  readonly bidQty: number;
  readonly ask: number;
  readonly askQty: number;
}

export interface BinanceTrade {
  readonly kind: 'trade';
  readonly recvMs: number;
  readonly eventMs: number;
  /** Trade time `T`, ms. */
  readonly tradeMs: number;
  readonly tradeId: number;
  readonly price: number;
  readonly qty: number;
  readonly buyerIsMaker: boolean;
}

export type BinanceMessage = BinanceSnapshot | BinanceDepth | BinanceBbo | BinanceTrade;
