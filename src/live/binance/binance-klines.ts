// The market before the Binance feed started, from the venue's 1-minute klines (GET /api/v3/klines
// through ccxt's implicit method; not fetchOHLCV, whose candles drop the quote volume a minute's
// VWAP needs), paged from the start. Rows and paging: docs/0066-live-adapter-notes.md.
import type { Instrument } from '../../core/model/instrument.ts';
import { BAR_MS, type MinuteBar } from '../market-history.ts';
import { fractionalTicksOf, lotsOf, plainDecimal } from '../wire-amounts.ts';

/** Binance's most klines per request. */
export const KLINES_PER_PAGE = 1000;
/** Requests per read at most (weight 2 each). */
export const MAX_PAGES = 10;
/** The span one read covers: MAX_PAGES full pages of minutes (about a week). */
export const MAX_SPAN_MS = MAX_PAGES * KLINES_PER_PAGE * BAR_MS;

/** The one ccxt method read here (ccxt's binance has it). */
export interface KlinesClient {
  publicGetKlines(params: Record<string, string | number>): Promise<unknown>;
}

/** A kline row as a minute bar, or why it does not read. */
export function minuteBarOf(inst: Instrument, row: unknown): MinuteBar | string {
  const bad = (why: string): string =>
    `the venue sent a kline that does not read (${why}): ${JSON.stringify(row)?.slice(0, 200)}`;
  if (!Array.isArray(row) || row.length < 8) return bad('not a row of at least 8 fields');
  const [openTime, open, high, low, close, base, , quote] = row as unknown[];
  if (typeof openTime !== 'number' || !Number.isSafeInteger(openTime)) return bad('open time');
  const o = fractionalTicksOf(inst, open);
  const h = fractionalTicksOf(inst, high);
  const l = fractionalTicksOf(inst, low);
  const c = fractionalTicksOf(inst, close);
  if (o === null || h === null || l === null || c === null || l > h) return bad('prices');
  const volume = lotsOf(inst, base);
  const units = Number(plainDecimal(base));
  const quoteTicks = fractionalTicksOf(inst, quote);
  if (volume === null || volume < 0 || !(units >= 0) || quoteTicks === null || quoteTicks < 0) return bad('volumes');
  // The minute's VWAP in ticks: quote volume over base volume; the close when nothing traded.
  const vwap = volume > 0 && units > 0 ? quoteTicks / units : c;
  return { start: openTime, volume, vwap, open: o, low: l, high: h, close: c };
}

/** The 1-minute klines starting in [from, until] (`from` a whole minute), in time order. Throws
 *  what ccxt throws, or an Error naming a row that does not read or a page that does not move on. */
export async function readMinuteKlines(
  ex: KlinesClient,
  marketId: string,
  inst: Instrument,
  from: number,
  until: number,
): Promise<MinuteBar[]> {
  const out: MinuteBar[] = [];
  let start = from;
  for (let page = 0; page < MAX_PAGES && start <= until; page++) {
    const rows = await ex.publicGetKlines({
      symbol: marketId,
      interval: '1m',
      startTime: start,
      endTime: until,
      limit: KLINES_PER_PAGE,
    });
    if (!Array.isArray(rows)) throw new Error(`the venue's klines are not a list: ${String(rows).slice(0, 200)}`);
    let last = -Infinity;
    for (const row of rows) {
      const bar = minuteBarOf(inst, row);
      if (typeof bar === 'string') throw new Error(bar);
      if (bar.start <= last) throw new Error(`the venue's klines are not in time order at ${bar.start}`);
      last = bar.start;
      if (bar.start >= start && bar.start <= until) out.push(bar);
    }
    if (rows.length < KLINES_PER_PAGE) break;
    if (last < start) throw new Error(`the venue's klines from ${start} do not move forward`);
    start = last + BAR_MS;
  }
  return out;
}
