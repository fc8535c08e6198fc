// A live process's input to the liquidity cap: the venue's daily bars of each symbol the node
// trades, read through its adapter before the node starts (and again once a reading is a day
// old), turned into the events the engine plans with (DailyVolumeRead, or LiquidityCapOff with
// why). A resumed process reads only what its stored log lacks or has had for more than a day:
// the TWAPs it plans use the stored ADV, as the first process would have. A symbol already
// logged as capped off is not warned of again. Wall time and Promises: here, not in the node.
import { averageDailyVolume } from '../core/algo/liquidity-cap.ts';
import type { LiquidityBook } from '../core/engine/liquidity-book.ts';
import type { LiquidityEvent } from '../core/model/liquidity-events.ts';
import type { LiveVenue } from '../live/live-venue.ts';
import type { LiquidityConfig } from '../node/node-config.ts';

/** The symbols whose reading is missing or at least `refreshMs` old at `now`. */
export function volumesDue(config: LiquidityConfig, book: LiquidityBook, now: number): string[] {
  return config.symbols.filter((symbol) => {
    const at = book.readAt(symbol);
    return at === null || now - at >= config.refreshMs;
  });
}

/** Reads the venue's daily volumes of `symbols` (one request each, in turn) as the events to log. */
export async function readDailyVolumes(
  venue: LiveVenue,
  config: LiquidityConfig,
  symbols: readonly string[],
): Promise<LiquidityEvent[]> {
  const out: LiquidityEvent[] = [];
  for (const symbol of symbols) {
    const off = (reason: string): void => void out.push({ kind: 'LiquidityCapOff', symbol, reason });
    if (venue.dailyVolumes === undefined) {
      off("the venue's adapter reads no daily bars");
      continue;
    }
    const answer = await venue.dailyVolumes(symbol, config.advDays);
    if (answer.kind === 'failed') {
      off(`the venue's daily bars could not be read: ${answer.reason}`);
      continue;
    }
    const adv = averageDailyVolume(answer.dailyLots, config.advDays);
    if ('unavailable' in adv) off(`${answer.source}: ${adv.unavailable}`);
    else out.push({ kind: 'DailyVolumeRead', symbol, advLots: adv.advLots, days: adv.days, source: answer.source });
  }
  return out;
}
