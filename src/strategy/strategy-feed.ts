// A strategy's market data for one symbol, sampled from the node's pull-only MarketDataPort on
// the run's clock every `quoteMs`: each sample becomes a Quote, the Trades since the previous
// sample and the bars it closed. The same sampling serves a backtest, a paper run, a session and a
// backtest's warm-up history.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-feedts
import { fractionalTicksToPrice, lotsToQty, ticksToPrice, type Instrument } from '../core/model/instrument.ts';
import { parseStep } from '../core/model/decimal.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import type { Bar, Quote, Trades } from './strategy-api.ts';

const MAX_FLAT = 1_000;

export interface FeedSample {
  /** Null in a history that has bars only (a venue's bars endpoint). */
  readonly quote: Quote | null;
  readonly trades: Trades | null;
  readonly bars: readonly Bar[];
}

interface OpenBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export class SymbolFeed {
  private cursor = 0;
  private last: number | null = null;
  private bar: OpenBar | null = null;
  /** Tick and lot sizes as an integer over a power of ten (0.01 = 1 / 100). */
  private readonly tick: readonly [number, number];
  private readonly lot: readonly [number, number];

  constructor(
    readonly instrument: Instrument,
    private readonly barMs: number,
  ) {
    this.tick = asFraction(instrument.tickSize);
    this.lot = asFraction(instrument.lotSize);
  }

  sample(port: MarketDataPort, now: number): FeedSample {
    const inst = this.instrument;
    const symbol = inst.symbol;
    const top = port.topOfBook(symbol);
    const bid = top.bid === null ? null : this.price(top.bid);
    const ask = top.ask === null ? null : this.price(top.ask);
    const quote: Quote = {
      symbol,
      time: now,
      bid,
      ask,
      bidSize: bid === null ? 0 : this.qty(top.bidQty),
      askSize: ask === null ? 0 : this.qty(top.askQty),
      mid: bid !== null && ask !== null ? (bid + ask) / 2 : null,
    };
    let trades: Trades | null = null;
    if (port.tradesSince) {
      const tape = port.tradesSince(symbol, this.cursor);
      this.cursor = tape.cursor;
      if (tape.trades > 0 && tape.volume > 0 && tape.last !== null) {
        trades = {
          symbol,
          time: now,
          count: tape.trades,
          size: this.qty(tape.volume),
          vwap: this.price(tape.notional / tape.volume),
          last: this.price(tape.last),
        };
      }
    }
    const price = trades !== null ? trades.last : (quote.mid ?? this.last);
    return { quote, trades, bars: price === null ? [] : this.toBars(now, price, trades?.size ?? 0) };
  }

  private toBars(now: number, price: number, volume: number): Bar[] {
    this.last = price;
    const bucket = Math.floor(now / this.barMs) * this.barMs;
    const open = this.bar;
    if (open !== null && open.time === bucket) {
      if (price > open.high) open.high = price;
      if (price < open.low) open.low = price;
      open.close = price;
      open.volume += volume;
      return [];
    }
    const closed: Bar[] = [];
    if (open !== null) {
      closed.push(this.closed(open, open.time));
      const flat = Math.min(MAX_FLAT, (bucket - open.time) / this.barMs - 1);
      for (let i = 1; i <= flat; i++) {
        const c = open.close;
        closed.push(
          this.closed({ time: 0, open: c, high: c, low: c, close: c, volume: 0 }, open.time + i * this.barMs),
        );
      }
    }
    this.bar = { time: bucket, open: price, high: price, low: price, close: price, volume };
    return closed;
  }

  private closed(b: OpenBar, time: number): Bar {
    const symbol = this.instrument.symbol;
    return { symbol, time, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
  }

  /** Ticks (whole or fractional, a VWAP) as a price: the exact decimal, read as a number. */
  private price(ticks: number): number {
    if (Number.isInteger(ticks)) return stepsToNumber(ticks, this.tick) ?? Number(ticksToPrice(this.instrument, ticks));
    return Number(fractionalTicksToPrice(this.instrument, ticks));
  }

  private qty(lots: number): number {
    return stepsToNumber(lots, this.lot) ?? Number(lotsToQty(this.instrument, lots));
  }
}

/** A step ("0.01") as [mantissa, 10^scale]. */
export function asFraction(step: string): readonly [number, number] {
  const s = parseStep(step);
  return [Number(s.mantissa), 10 ** s.scale];
}

/**
 * n whole steps as a number, without the decimal text: n x mantissa / 10^scale is the division
 * of two exact integers, which IEEE rounds correctly, so it is the same double as reading the
 * exact decimal (what Number(fromSteps(...)) does, at a fraction of its cost). Null when the
 * integers are past exactness (the caller then takes the text way).
 */
export function stepsToNumber(n: number, [mantissa, denominator]: readonly [number, number]): number | null {
  const units = n * mantissa;
  return Math.abs(units) <= Number.MAX_SAFE_INTEGER && denominator <= 1e22 ? units / denominator : null;
}
