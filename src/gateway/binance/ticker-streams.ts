// The ticker streams' events: `<symbol>@ticker` (24hrTicker), `@miniTicker` (24hrMiniTicker),
// `@ticker_<1h|4h|1d>` (<window>Ticker), `@avgPrice`, and the all-market arrays `!miniTicker@arr`
// and `!ticker_<1h|4h|1d>@arr`. Each event is the REST answer at the event's moment
// (ticker-stats.ts: ticker/24hr, ticker?windowSize=, avgPrice) relabelled with the stream's
// one-letter keys in Binance's order, so stream and REST agree by construction. The market
// streams send them once a second (market-streams.ts), each computed once a moment however many
// connections want it (TickerMoment); an array holds only the symbols whose statistics changed
// since the connection's last one (each symbol's first counts as a change):
// docs/0092-ticker-streams.md.
import type { SymbolMarket } from './symbol-market.ts';
import type { TickerKind } from './stream-names.ts';
import { averagePrice, DAY_MS, rollingTicker, ticker24h } from './ticker-stats.ts';

type Json = Record<string, unknown>;

/** What a ticker stream reads of a symbol's market. */
export type TickerMarket = Pick<SymbolMarket, 'inst' | 'tape' | 'feed'>;

/** Each stream key and the REST field it carries, in the event's order. */
const FULL_24H: ReadonlyArray<readonly [string, string]> = [
  ['p', 'priceChange'],
  ['P', 'priceChangePercent'],
  ['w', 'weightedAvgPrice'],
  ['x', 'prevClosePrice'],
  ['c', 'lastPrice'],
  ['Q', 'lastQty'],
  ['b', 'bidPrice'],
  ['B', 'bidQty'],
  ['a', 'askPrice'],
  ['A', 'askQty'],
  ['o', 'openPrice'],
  ['h', 'highPrice'],
  ['l', 'lowPrice'],
  ['v', 'volume'],
  ['q', 'quoteVolume'],
  ['O', 'openTime'],
  ['C', 'closeTime'],
  ['F', 'firstId'],
  ['L', 'lastId'],
  ['n', 'count'],
];
const MINI: ReadonlyArray<readonly [string, string]> = [
  ['c', 'lastPrice'],
  ['o', 'openPrice'],
  ['h', 'highPrice'],
  ['l', 'lowPrice'],
  ['v', 'volume'],
  ['q', 'quoteVolume'],
];
const ROLLING: ReadonlyArray<readonly [string, string]> = [
  ['p', 'priceChange'],
  ['P', 'priceChangePercent'],
  ['o', 'openPrice'],
  ['h', 'highPrice'],
  ['l', 'lowPrice'],
  ['c', 'lastPrice'],
  ['w', 'weightedAvgPrice'],
  ['v', 'volume'],
  ['q', 'quoteVolume'],
  ['O', 'openTime'],
  ['C', 'closeTime'],
  ['F', 'firstId'],
  ['L', 'lastId'],
  ['n', 'count'],
];

const EVENT: Readonly<Record<TickerKind, string>> = {
  ticker: '24hrTicker',
  miniTicker: '24hrMiniTicker',
  ticker_1h: '1hTicker',
  ticker_4h: '4hTicker',
  ticker_1d: '1dTicker',
};

/** The rolling windows' sizes (ms). */
export const STREAM_WINDOW_MS: Readonly<Record<'ticker_1h' | 'ticker_4h' | 'ticker_1d', number>> = {
  ticker_1h: 3_600_000,
  ticker_4h: 14_400_000,
  ticker_1d: DAY_MS,
};

/** The REST answer a ticker event relabels: ticker/24hr FULL or MINI, or ticker FULL over the
 *  stream's window, at `now`. */
export function restTickerOf(m: TickerMarket, kind: TickerKind, now: number): Json {
  if (kind === 'ticker') return ticker24h(m.inst, m.tape, now, m.feed.quote(), false);
  if (kind === 'miniTicker') return ticker24h(m.inst, m.tape, now, null, true);
  return rollingTicker(m.inst, m.tape, now, STREAM_WINDOW_MS[kind], false);
}

/** A symbol's ticker event at `now`. */
export function tickerEvent(m: TickerMarket, kind: TickerKind, now: number): Json {
  const rest = restTickerOf(m, kind, now);
  const keys = kind === 'ticker' ? FULL_24H : kind === 'miniTicker' ? MINI : ROLLING;
  const event: Json = { e: EVENT[kind], E: now, s: m.inst.symbol };
  for (const [key, field] of keys) event[key] = rest[field];
  return event;
}

/** A symbol's avgPrice event at `now`: GET /api/v3/avgPrice's price as `w`, its closeTime as `T`. */
export function avgPriceEvent(m: TickerMarket, now: number): Json {
  const { price, closeTime } = averagePrice(m.inst, m.tape, now);
  return { e: 'avgPrice', E: now, s: m.inst.symbol, i: '5m', w: price, T: closeTime };
}

/** An event's statistics without its times: what "changed" compares. */
function statsOf(event: Json): string {
  return JSON.stringify(Object.entries(event).filter(([k]) => k !== 'E' && k !== 'O' && k !== 'C'));
}

/** The ticker events of one moment, each computed once however many connections want it. */
export class TickerMoment {
  private readonly events = new Map<string, Json>();

  constructor(readonly now: number) {}

  /** A symbol's ticker event of this moment. */
  ticker(m: TickerMarket, kind: TickerKind): Json {
    const key = `${m.inst.symbol} ${kind}`;
    let event = this.events.get(key);
    if (event === undefined) this.events.set(key, (event = tickerEvent(m, kind, this.now)));
    return event;
  }

  /** A symbol's avgPrice event of this moment. */
  avgPrice(m: TickerMarket): Json {
    const key = `${m.inst.symbol} avgPrice`;
    let event = this.events.get(key);
    if (event === undefined) this.events.set(key, (event = avgPriceEvent(m, this.now)));
    return event;
  }

  /** An all-market array's events: the symbols whose statistics differ from those `seen` last
   *  (by symbol; updated). Empty when none changed. */
  changed(markets: readonly TickerMarket[], kind: TickerKind, seen: Map<string, string>): Json[] {
    const out: Json[] = [];
    for (const m of markets) {
      const event = this.ticker(m, kind);
      const stats = statsOf(event);
      if (seen.get(m.inst.symbol) === stats) continue;
      seen.set(m.inst.symbol, stats);
      out.push(event);
    }
    return out;
  }
}
