// A symbol's daily volumes from Alpaca's day bars (GET /v2/stocks/{symbol}/bars, timeframe 1Day),
// the liquidity cap's input. Only complete days count: Alpaca's day bar of today (it starts at
// midnight in New York) is the volume so far, so the request ends before today and a bar of
// today is dropped if one comes. Without `start` Alpaca answers from the beginning of today, so
// the window opens far enough back for `days` trading days (weekends and holidays included), and
// the newest `days` bars come in one page (sort desc, limit days).
// The SIP feed, not IEX: IEX carries a few percent of a stock's volume, so a cap of 1% of IEX
// volume would be some forty times tighter than 1% of the market's. Alpaca's free plan serves
// SIP history older than 15 minutes, which every complete day's bar is once the request ends at
// least that long ago (ending at today's midnight, or 16 minutes ago just after it).
import { Instant, LocalDate, ZoneId } from '@js-joda/core';
import '@js-joda/timezone';
import type { Instrument } from '../../core/model/instrument.ts';
import { lotsOf, msOf } from './alpaca-convert.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';

const NEW_YORK = ZoneId.of('America/New_York');
const DAY_MS = 86_400_000;
/** Alpaca's free plan refuses SIP data of the last 15 minutes; a minute's margin. */
const SIP_DELAY_MS = 16 * 60_000;

/** Midnight in New York of the day holding `t` (epoch ms). */
export function startOfNewYorkDay(t: number): number {
  return LocalDate.ofInstant(Instant.ofEpochMilli(t), NEW_YORK).atStartOfDay(NEW_YORK).toInstant().toEpochMilli();
}

/** The request's window: from far enough back for `days` trading days to before today. */
export function dailyBarsWindow(now: number, days: number): { readonly start: number; readonly end: number } {
  const today = startOfNewYorkDay(now);
  return { start: today - (2 * days + 14) * DAY_MS, end: Math.min(today - 1, now - SIP_DELAY_MS) };
}

/** The last `days` complete days' volumes (lots, oldest first). Throws what the SDK throws, or an
 *  Error naming a bar that does not read. */
export async function readDailyVolumes(
  alpaca: AlpacaClient,
  inst: Instrument,
  now: number,
  days: number,
  signal: AbortSignal,
): Promise<number[]> {
  const { start, end } = dailyBarsWindow(now, days);
  const resp = await alpaca.marketData.stocks.stockBarSingle(
    {
      symbol: inst.symbol,
      timeframe: '1Day',
      start: new Date(start),
      end: new Date(end),
      limit: days,
      feed: 'sip',
      sort: 'desc',
    },
    { signal },
  );
  const today = startOfNewYorkDay(now);
  const bars: Array<{ at: number; lots: number }> = [];
  for (const b of resp.bars ?? []) {
    const at = msOf(b.t);
    const lots = lotsOf(inst, b.v);
    if (at === null || lots === null || lots < 0)
      throw new Error(`the venue sent a day bar that does not read: ${JSON.stringify(b).slice(0, 200)}`);
    if (at < today) bars.push({ at, lots });
  }
  return bars
    .sort((a, b) => a.at - b.at)
    .slice(-days)
    .map((b) => b.lots);
}
