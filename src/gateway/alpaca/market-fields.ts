// The gateway's quotes and prints as Alpaca's market data states them (REST latest quote and
// trade, the market-data websocket): prices and sizes as numbers, exchange and condition codes.
import { lotsToQty, ticksToPrice, type Instrument } from '../../core/model/instrument.ts';
import type { FeedQuote, TapePrint } from '../market-feed.ts';

/** A quote's fields as Alpaca's market data states them (prices and sizes as numbers), without `t`. */
export function quoteFields(inst: Instrument, q: FeedQuote): Record<string, unknown> {
  const price = (ticks: number | null) => (ticks === null ? 0 : Number(ticksToPrice(inst, ticks)));
  return {
    ax: 'V',
    ap: price(q.ask),
    as: Number(lotsToQty(inst, q.askQty)),
    bx: 'V',
    bp: price(q.bid),
    bs: Number(lotsToQty(inst, q.bidQty)),
    c: ['R'],
    z: 'C',
  };
}

/** A print's fields as Alpaca's market data states a trade, without `t`. */
export function tradeFields(inst: Instrument, p: TapePrint): Record<string, unknown> {
  return {
    x: 'V',
    p: Number(ticksToPrice(inst, p.price)),
    s: Number(lotsToQty(inst, p.qty)),
    c: ['@'],
    i: p.id,
    z: 'C',
  };
}
