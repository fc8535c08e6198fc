// Writes the replay's messages as lines of a raw recording, `<receive time ns> <raw JSON>`, the
// format the bundled recording has and BinanceLineParser reads: a REST depth snapshot, and the
// combined-stream depth diffs, bookTickers and trades of one symbol. What any importer read can
// then be kept, shared and replayed like a recording. Receive times are written to the
// microsecond (what an imported source has), exchange times to the millisecond (the wire's "E"
// and "T" are integers); the replay orders and schedules by the receive time alone.
import type { BinanceLevels, BinanceMessage } from './binance-message-types.ts';
import { stepFormatter } from './step-format.ts';

export class RawLineWriter {
  private readonly px: (steps: number) => string;
  private readonly qty: (steps: number) => string;
  private readonly stream: string;
  private readonly symbol: string;

  constructor(grid: { tickSize: string; lotSize: string; symbol: string }) {
    this.px = stepFormatter(grid.tickSize);
    this.qty = stepFormatter(grid.lotSize);
    this.symbol = JSON.stringify(grid.symbol.toUpperCase());
    this.stream = grid.symbol.toLowerCase();
  }

  /** The line for `m`, without its newline. */
  line(m: BinanceMessage): string {
    const recv = `${Math.round(m.recvMs * 1000)}000`;
    switch (m.kind) {
      case 'snapshot':
        return `${recv} {"lastUpdateId":${m.lastUpdateId},"bids":${this.levels(m.bids)},"asks":${this.levels(m.asks)}}`;
      case 'depth':
        return (
          `${recv} {"stream":"${this.stream}@depth@100ms","data":{"e":"depthUpdate","E":${Math.floor(m.eventMs)},` +
          `"s":${this.symbol},"U":${m.firstId},"u":${m.lastId},"b":${this.levels(m.bids)},"a":${this.levels(m.asks)}}}`
        );
      case 'bbo':
        return (
          `${recv} {"stream":"${this.stream}@bookTicker","data":{"u":${m.updateId},"s":${this.symbol},` +
          `"b":"${this.px(m.bid)}","B":"${this.qty(m.bidQty)}","a":"${this.px(m.ask)}","A":"${this.qty(m.askQty)}"}}`
        );
      case 'trade':
        return (
          `${recv} {"stream":"${this.stream}@trade","data":{"e":"trade","E":${Math.floor(m.eventMs)},"s":${this.symbol},` +
          `"t":${m.tradeId},"p":"${this.px(m.price)}","q":"${this.qty(m.qty)}","T":${Math.floor(m.tradeMs)},` +
          `"m":${m.buyerIsMaker},"M":true}}`
        );
    }
  }

  private levels(levels: BinanceLevels): string {
    let out = '[';
    for (let i = 0; i < levels.length; i += 2) {
      if (i > 0) out += ',';
      out += `["${this.px(levels[i] as number)}","${this.qty(levels[i + 1] as number)}"]`;
    }
    return `${out}]`;
  }
}
