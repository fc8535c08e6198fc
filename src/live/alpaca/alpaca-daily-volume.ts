// A symbol's daily volumes from Alpaca's day bars (GET /v2/stocks/{symbol}/bars, timeframe 1Day),
// the liquidity cap's input: complete days only (today's bar is dropped), the newest `days` bars in
// one page, from the SIP feed (IEX carries a few percent of a stock's volume).
// Why this window and this feed: docs/0066-live-adapter-notes.md.
import type { Instrument } from '../../core/model/instrument.ts';
import { newYorkDate, newYorkInstant } from '../../core/venues/new-york-time.ts';
import { lotsOf, msOf } from './alpaca-convert.ts';
import type { AlpacaClient } from './alpaca-sdk.ts';

const DAY_MS = 86_400_000;
/** Alpaca's free plan refuses SIP data of the last 15 minutes; a minute's margin. */
const SIP_DELAY_MS = 16 * 60_000;

/** Midnight in New York of the day holding `t` (epoch ms). */
export function startOfNewYorkDay(t: number): number {
  return newYorkInstant(newYorkDate(t), 0);
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
