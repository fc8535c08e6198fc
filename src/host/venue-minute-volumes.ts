// A live process's minute history for VWAPs with `profile: history`: the venue's 1-minute bars
// of each symbol the node trades over the previous days, read through the adapter before the node
// starts (the venue's minute bars: Alpaca's 1Min bars through its SDK, Binance's 1m klines through
// ccxt), kept in memory and handed to the engine synchronously as each such parent is planned. A
// plan stores the weights it made of them, so a restarted process plans nothing again from a
// second reading. Read only when the scenario's orders or signals name a history profile: a
// process that needs none asks the venue for nothing more. Wall time and Promises: here.
import {
  historyWindows,
  MINUTE_MS,
  type HistoryWindow,
  type MinuteVolume,
  type MinuteVolumes,
  type MinuteVolumeSource,
} from '../core/algo/history-profile.ts';
import type { TradingHours } from '../core/venues/nyse-calendar.ts';
import type { LiveVenue } from '../live/live-venue.ts';
import type { ScenarioFile } from '../scenario/scenario-fields.ts';
import { DEFAULT_HISTORY_DAYS } from '../core/algo/trajectory.ts';

const HOUR_MS = 3_600_000;
/** One request's span at most: under a week, the most one Binance read pages through. */
const CHUNK_MS = 6 * 24 * HOUR_MS;

/** The most days any order or signal of the scenario asks a history profile for, or null. */
export function historyDaysAsked(s: Pick<ScenarioFile, 'orders' | 'signals'>): number | null {
  let most: number | null = null;
  for (const x of [...s.orders, ...s.signals]) {
    const a = x.algo;
    if (a?.kind === 'vwap' && a.profile === 'history') most = Math.max(most ?? 0, a.days ?? DEFAULT_HISTORY_DAYS);
  }
  return most;
}

type Read =
  | { readonly kind: 'read'; readonly bars: readonly MinuteVolume[]; readonly source: string; readonly from: number }
  | { readonly kind: 'failed'; readonly reason: string; readonly source: string };

/** The venue's minute volumes read at the start, per symbol. */
export class VenueMinuteVolumes implements MinuteVolumeSource {
  private readonly reads = new Map<string, Read>();

  constructor(
    private readonly venue: LiveVenue,
    private readonly symbols: readonly string[],
    /** Days to read; null: none (no order or signal asks for a history profile). */
    private readonly days: number | null,
    private readonly hours: TradingHours | undefined,
  ) {}

  /** Whether anything is read at the start. */
  get active(): boolean {
    return this.days !== null;
  }

  /** Reads each symbol's minute bars from far enough back for `days` previous trading days to
   *  `now`, in requests of under a week, one symbol at a time. Never rejects. */
  async startup(now: number): Promise<void> {
    const days = this.days;
    if (days === null) return;
    const windows = historyWindows(now, 0, days, this.hours);
    const from = now - Math.max(0, ...windows.map((w) => w.shift)) - HOUR_MS;
    for (const symbol of this.symbols) {
      const read = this.venue.minuteBars?.bind(this.venue);
      if (read === undefined) {
        this.reads.set(symbol, { kind: 'failed', reason: "the venue's adapter reads no minute bars", source: 'none' });
        continue;
      }
      const bars: MinuteVolume[] = [];
      let failed: Read | null = null;
      let source = '';
      for (let a = from; a < now && failed === null; a += CHUNK_MS) {
        const b = Math.min(now - 1, a + CHUNK_MS - 1);
        try {
          const r = await read(symbol, a, b);
          source = r.source;
          if (r.kind === 'failed') failed = { kind: 'failed', reason: `${r.source}: ${r.reason}`, source: r.source };
          else for (const bar of r.bars) bars.push({ start: bar.start, volume: bar.volume });
        } catch (err) {
          failed = { kind: 'failed', reason: `the venue's minute bars: ${(err as Error).message}`, source: 'none' };
        }
      }
      this.reads.set(symbol, failed ?? { kind: 'read', bars, source, from });
    }
  }

  minuteVolumes(symbol: string, windows: readonly HistoryWindow[]): MinuteVolumes {
    const r = this.reads.get(symbol);
    if (r === undefined)
      return {
        kind: 'failed',
        reason:
          this.days === null
            ? 'this process read no minute history (no order or signal of its scenario asks for a history profile)'
            : `no minute history was read for ${symbol}`,
        source: 'none',
      };
    if (r.kind === 'failed') return r;
    const bars = r.bars.filter((b) => windows.some((w) => b.start + MINUTE_MS > w.from && b.start < w.to));
    return { kind: 'read', bars, source: r.source };
  }
}
