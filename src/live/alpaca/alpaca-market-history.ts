// The market before the live feed started, from Alpaca's own history: its minute bars
// (GET /v2/stocks/{symbol}/bars, timeframe 1Min, IEX feed: the feed the live stream carries), each
// with its volume `v` and VWAP `vw`. Bars, not trades: the local gateway serves bars but no
// historical trades (only the latest one), so the history is minute-grained (market-recorder.ts
// says how a window counts a minute it reaches only part of). How the bars meet the live feed is
// the same on every venue (../market-history.ts, ../market-backfill.ts).
import type { Instrument } from '../../core/model/instrument.ts';
import { BAR_MS, type MinuteBar } from '../market-history.ts';
import { fractionalTicksOf, lotsOf, msOf } from './alpaca-convert.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';

/** Pages of up to 10,000 bars (about a week of minutes each) read at most; the rest is left out. */
const MAX_PAGES = 20;
/** The span MAX_PAGES full pages of minutes cover (about 139 days). */
export const MAX_SPAN_MS = MAX_PAGES * 10_000 * BAR_MS;

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
      const open = fractionalTicksOf(inst, b.o);
      const low = fractionalTicksOf(inst, b.l);
      const high = fractionalTicksOf(inst, b.h);
      const close = fractionalTicksOf(inst, b.c);
      if (
        start === null ||
        volume === null ||
        vwap === null ||
        open === null ||
        low === null ||
        high === null ||
        close === null ||
        volume < 0
      )
        throw new Error(`the venue sent a bar that does not read: ${JSON.stringify(b).slice(0, 200)}`);
      out.push({ start, volume, vwap, open, low, high, close });
    }
    if (!resp.nextPageToken) break;
    pageToken = resp.nextPageToken;
  }
  return out.sort((a, b) => a.start - b.start);
}
