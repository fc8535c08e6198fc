import { describe, expect, it } from 'vitest';
import type { BinanceMessage } from './binance-message-types.ts';
import { BinanceLineParser } from './binance-messages.ts';
import { RawLineWriter } from './raw-line-writer.ts';

const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };

describe('RawLineWriter', () => {
  it('writes lines the raw parser reads back as the same messages', () => {
    const writer = new RawLineWriter(GRID);
    const parser = new BinanceLineParser(GRID);
    const messages: BinanceMessage[] = [
      { kind: 'snapshot', recvMs: 1723161253937.085, lastUpdateId: 7, bids: [6173763, 50_000_000], asks: [6173764, 1] },
      {
        kind: 'depth',
        recvMs: 1723161254000,
        eventMs: 1723161255208,
        firstId: 8,
        lastId: 9,
        bids: [6173763, 0],
        asks: [],
      },
      {
        kind: 'bbo',
        recvMs: 1723161254000.5,
        updateId: 10,
        bid: 6173762,
        bidQty: 3,
        ask: 6173764,
        askQty: 100_000_000,
      },
      {
        kind: 'trade',
        recvMs: 1723161254001.999,
        eventMs: 1723161255209,
        tradeMs: 1723161255208,
        tradeId: 42,
        price: 6173764,
        qty: 12_345,
        buyerIsMaker: true,
      },
    ];
    messages.forEach((m, i) => expect(parser.parse(writer.line(m), i + 1)).toEqual(m));
  });

  it('writes exchange times to the millisecond and receive times to the microsecond', () => {
    const line = new RawLineWriter(GRID).line({
      kind: 'depth',
      recvMs: 1723161254000.0015,
      eventMs: 1723161255208.7,
      firstId: 1,
      lastId: 1,
      bids: [],
      asks: [],
    });
    expect(line).toBe(
      '1723161254000002000 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":1,"u":1,"b":[],"a":[]}}',
    );
  });
});
