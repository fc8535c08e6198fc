// Converts a raw Binance recording (the bundled one) into Tardis.dev CSV datasets, as Tardis
// would have written them from the same feed: incremental_book_L2 holds the book as the replay
// rebuilds it (a snapshot's rows once the depth sync has loaded it and applied the diffs it held,
// then every applied diff's levels, at each message's receive time in microseconds), trades every
// trade (the aggressor's side), quotes every bookTicker (no exchange time: Tardis then repeats the
// local one). For the round-trip tests of the Tardis source.
import { ReplayFileReader } from '../../src/scenario/replay-file.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import { BinanceLineParser } from '../../src/sim/replay/binance-messages.ts';
import { DepthSync } from '../../src/sim/replay/depth-sync.ts';
import { stepFormatter } from '../../src/sim/replay/step-format.ts';

export interface TardisCsv {
  readonly book: string;
  readonly trades: string;
  readonly quotes: string;
}

export const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
export const TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
export const QUOTES_HEADER = 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount';

const decoder = new TextDecoder();

export function recordingToTardis(
  files: readonly string[],
  grid: { tickSize: string; lotSize: string; symbol: string },
): TardisCsv {
  const px = stepFormatter(grid.tickSize);
  const qty = stepFormatter(grid.lotSize);
  const pre = `binance,${grid.symbol}`;
  const book: string[] = [BOOK_HEADER];
  const trades: string[] = [TRADES_HEADER];
  const quotes: string[] = [QUOTES_HEADER];
  let recvUs = '';
  let eventUs = '';
  let loading = false;
  const sync = new DepthSync(new L2Book(), {
    onApplied: (d) => {
      if (loading) return;
      eventUs = String(d.eventMs * 1000);
      for (let i = 0; i < d.bids.length; i += 2)
        book.push(`${pre},${eventUs},${recvUs},false,bid,${px(d.bids[i] as number)},${qty(d.bids[i + 1] as number)}`);
      for (let i = 0; i < d.asks.length; i += 2)
        book.push(`${pre},${eventUs},${recvUs},false,ask,${px(d.asks[i] as number)},${qty(d.asks[i + 1] as number)}`);
    },
  });
  const reader = new ReplayFileReader(files);
  const parser = new BinanceLineParser({ tickSize: grid.tickSize, lotSize: grid.lotSize, symbol: grid.symbol });
  while (reader.next()) {
    const line = decoder.decode(reader.bytes.subarray(reader.start, Math.min(reader.end, reader.start + 24)));
    recvUs = line.slice(0, line.indexOf(' ') - 3); // ns to µs, truncated
    const m = parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
    if (m.kind === 'snapshot') {
      loading = true;
      const loaded = sync.onSnapshot(m) === 'loaded';
      loading = false;
      if (!loaded) continue;
      for (const side of ['bid', 'ask'] as const) {
        for (const [p, q] of sync.book.depth(side, sync.book.levels(side)))
          book.push(`${pre},${recvUs},${recvUs},true,${side},${px(p)},${qty(q)}`);
      }
    } else if (m.kind === 'depth') {
      sync.onDepth(m);
    } else if (m.kind === 'trade') {
      const side = m.buyerIsMaker ? 'sell' : 'buy';
      trades.push(`${pre},${m.tradeMs * 1000},${recvUs},${m.tradeId},${side},${px(m.price)},${qty(m.qty)}`);
    } else {
      quotes.push(`${pre},${recvUs},${recvUs},${qty(m.askQty)},${px(m.ask)},${px(m.bid)},${qty(m.bidQty)}`);
    }
  }
  const text = (rows: string[]) => `${rows.join('\n')}\n`;
  return { book: text(book), trades: text(trades), quotes: text(quotes) };
}
