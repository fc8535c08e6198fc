// A symbol's daily volumes from Binance's 1-day klines (GET /api/v3/klines, interval 1d, through
// ccxt's implicit method as binance-klines.ts reads the minutes), the liquidity cap's input.
// Without startTime Binance answers the latest `limit` klines, the last of which is today's, still
// open (its close time is ahead): it is dropped, so `days + 1` are asked for and only complete
// days count. Binance trades around the clock; its days are UTC days. The volume is the base
// asset's (row field 5). A day's volume past 2^53 - 1 lots (a fine lot grid, a heavily traded
// asset) is counted as 2^53 - 1 lots, so the average stays a whole count the cap can take its
// share of: the cap can come out smaller than the venue's volume would make it, never off.
import type { Instrument } from '../../core/model/instrument.ts';
import { lotsOf } from '../wire-amounts.ts';
import type { KlinesClient } from './binance-klines.ts';

/** Binance's most klines per request. */
const MAX_LIMIT = 1000;

/** The last `days` complete UTC days' base volumes (lots, oldest first). Throws what ccxt throws,
 *  or an Error naming a row that does not read. */
export async function readDailyKlineVolumes(
  ex: KlinesClient,
  marketId: string,
  inst: Instrument,
  now: number,
  days: number,
): Promise<number[]> {
  const rows = await ex.publicGetKlines({ symbol: marketId, interval: '1d', limit: Math.min(MAX_LIMIT, days + 1) });
  if (!Array.isArray(rows)) throw new Error(`the venue's klines are not a list: ${String(rows).slice(0, 200)}`);
  const out: Array<{ at: number; lots: number }> = [];
  for (const row of rows) {
    const bad = (): Error =>
      new Error(`the venue sent a kline that does not read: ${JSON.stringify(row)?.slice(0, 200)}`);
    if (!Array.isArray(row) || row.length < 7) throw bad();
    const [openTime, , , , , volume, closeTime] = row as unknown[];
    if (typeof openTime !== 'number' || typeof closeTime !== 'number') throw bad();
    const lots = lotsOf(inst, volume);
    if (lots === null || !(lots >= 0)) throw bad();
    if (closeTime < now) out.push({ at: openTime, lots: Math.min(lots, Number.MAX_SAFE_INTEGER) });
  }
  return out
    .sort((a, b) => a.at - b.at)
    .slice(-days)
    .map((k) => k.lots);
}
