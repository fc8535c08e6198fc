// The market before the live feed started, from the venue's own history: Alpaca's minute bars
// (GET /v2/stocks/{symbol}/bars, timeframe 1Min, IEX feed: the feed the live stream carries), each
// with its volume `v` and VWAP `vw`. Bars, not trades: the local gateway serves bars but no
// historical trades (only the latest one), so the history is minute-grained (market-recorder.ts
// says how a window counts a minute it reaches only part of).
//
// No double counting where history and the live feed meet: the bars are read once the live stream
// is subscribed, and each bar is counted net of the live trades the feed already recorded with a
// venue time inside that bar and before the request was sent (`until`). A trade printed while the
// request is in flight can be in both (a few milliseconds on loopback). Bar times are the venue's;
// they are taken as ours (a venue clock off ours by seconds moves the minute edges by as much).
// The decision record is docs/0033-benchmarks-across-restarts.md.
import type { Instrument } from '../../core/model/instrument.ts';
import { fractionalTicksOf, lotsOf, msOf } from './alpaca-convert.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';
import type { HistoryBar } from '../market-recorder.ts';

export const BAR_MS = 60_000;
/** Pages of up to 10,000 bars read at most (a week of minutes); the rest is left out. */
const MAX_PAGES = 20;

/** One minute bar as read: venue time of its start, lots, and prices in fractional ticks. */
export interface MinuteBar {
  readonly start: number;
  readonly volume: number;
  readonly vwap: number;
  readonly low: number;
  readonly high: number;
}

/** A live trade the feed recorded: the venue's time of the print, ticks, lots. */
export interface LivePrint {
  readonly venueTime: number;
  readonly price: number;
  readonly qty: number;
}

/** Reads the minute bars starting in [from, until] (every page), in time order. Throws what the
 *  SDK throws (the caller reports it). */
export async function readMinuteBars(
  alpaca: AlpacaClient,
  inst: Instrument,
  from: number,
  until: number,
  signal: AbortSignal,
): Promise<MinuteBar[]> {
  const out: MinuteBar[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const resp = await alpaca.marketData.stocks.stockBarSingle(
      {
        symbol: inst.symbol,
        timeframe: '1Min',
        start: new Date(from),
        end: new Date(until),
        limit: 10_000,
        feed: 'iex',
        sort: 'asc',
        ...(pageToken === undefined ? {} : { pageToken }),
      },
      { signal },
    );
    for (const b of resp.bars ?? []) {
      const start = msOf(b.t);
      const volume = lotsOf(inst, b.v);
      const vwap = fractionalTicksOf(inst, b.vw);
      const low = fractionalTicksOf(inst, b.l);
      const high = fractionalTicksOf(inst, b.h);
      if (start === null || volume === null || vwap === null || low === null || high === null || volume < 0)
        throw new Error(`the venue sent a bar that does not read: ${JSON.stringify(b).slice(0, 200)}`);
      out.push({ start, volume, vwap, low, high });
    }
    if (!resp.nextPageToken) break;
    pageToken = resp.nextPageToken;
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The bars as the recorder's history before `until`: each bar's volume and notional less the live
 * prints inside it and before `until` (never below zero; the VWAP of what is left stays within the
 * bar's low and high), its VWAP standing for the mid from its start. Bars starting at or after
 * `until` are the live feed's alone and are left out.
 */
export function historyBars(bars: readonly MinuteBar[], live: readonly LivePrint[], until: number): HistoryBar[] {
  const out: HistoryBar[] = [];
  for (const bar of bars) {
    if (bar.start >= until) continue;
    const end = bar.start + BAR_MS;
    let volume = bar.volume;
    let notional = bar.vwap * bar.volume;
    for (const p of live)
      if (p.venueTime >= bar.start && p.venueTime < end && p.venueTime < until) {
        volume -= p.qty;
        notional -= p.price * p.qty;
      }
    const left = Math.max(0, volume);
    const vwap = left > 0 ? Math.min(bar.high, Math.max(bar.low, notional / left)) : null;
    out.push({ start: bar.start, end, volume: left, vwap, mid: bar.vwap });
  }
  return out;
}
