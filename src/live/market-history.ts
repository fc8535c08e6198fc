// The market before a live feed started, as the venue's minute bars, merged with what the feed
// recorded meanwhile without double counting: the part of reading a venue's history back that is
// the same on every venue. Design notes: docs/0066-live-adapter-notes.md; the decision:
// docs/0033-benchmarks-across-restarts.md.
import type { HistoryBar } from './market-recorder.ts';

export const BAR_MS = 60_000;

/** One minute bar as read: venue time of its start, lots, and prices in fractional ticks (`vwap`
 *  stands for the minute's price: for a minute without trades, the venue's price then). Open and
 *  close are for a strategy's warm-up (src/host/venue-history.ts); the benchmarks read the rest. */
export interface MinuteBar {
  readonly start: number;
  readonly volume: number;
  readonly vwap: number;
  readonly open: number;
  readonly low: number;
  readonly high: number;
  readonly close: number;
}

/** A venue's minute bars of a symbol as read for a strategy's warm-up, in time order, and what
 *  was read ('alpaca 1Min bars (iex)'); or why they could not be read. */
export type VenueBars =
  | { readonly kind: 'read'; readonly bars: readonly MinuteBar[]; readonly source: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly source: string };

/** A live trade the feed recorded: the venue's time of the print, ticks, lots. */
export interface LivePrint {
  readonly venueTime: number;
  readonly price: number;
  readonly qty: number;
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
