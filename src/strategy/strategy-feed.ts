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
  readonly ms: number;
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
  /** The open bar of each bar length, in the order the strategy gave them (null before the first
   *  price). */
  private readonly open: Array<OpenBar | null>;
  /** Tick and lot sizes as an integer over a power of ten (0.01 = 1 / 100). */
  private readonly tick: readonly [number, number];
  private readonly lot: readonly [number, number];

  /** `barLengths`: the strategy's bar lengths, ms; a sample's closed bars are each length's in
   *  this order, each in time order. */
  constructor(
    readonly instrument: Instrument,
    private readonly barLengths: readonly number[],
  ) {
    this.open = barLengths.map(() => null);
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
    const closed: Bar[] = [];
    for (let i = 0; i < this.barLengths.length; i++) this.toBar(i, now, price, volume, closed);
    return closed;
  }

  /** Adds the sample to the open bar of the i-th length, pushing the bars it closed. */
  private toBar(i: number, now: number, price: number, volume: number, closed: Bar[]): void {
    const ms = this.barLengths[i] as number;
    const bucket = Math.floor(now / ms) * ms;
    const open = this.open[i] ?? null;
    if (open !== null && open.time === bucket) {
      if (price > open.high) open.high = price;
      if (price < open.low) open.low = price;
      open.close = price;
      open.volume += volume;
      return;
    }
    if (open !== null) {
      closed.push(this.closed(open, open.time));
      const flat = Math.min(MAX_FLAT, (bucket - open.time) / ms - 1);
      for (let k = 1; k <= flat; k++) {
        const c = open.close;
        closed.push(this.closed({ ms, time: 0, open: c, high: c, low: c, close: c, volume: 0 }, open.time + k * ms));
      }
    }
    this.open[i] = { ms, time: bucket, open: price, high: price, low: price, close: price, volume };
  }

  private closed(b: OpenBar, time: number): Bar {
    const symbol = this.instrument.symbol;
    return { symbol, time, ms: b.ms, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
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
