// A VWAP's volume profile from the market's history: the average volume per minute of the
// horizon's time of day over the previous N days, from minute bars. Pure: the bars come from the
// host (the venue's minute bars in a paper run or a session, the recording or the market model
// before the start in a backtest) through a MinuteVolumeSource, asked once, as the parent is
// planned. The profile is stored with the plan as its weights, so a restarted process never reads
// history again for it. Why a time of day and how days are chosen:
// docs/0075-vwap-history-profiles.md.
import type { TradingHours } from '../venues/nyse-calendar.ts';
import { MAX_PROFILE_BUCKETS } from './trajectory.ts';

/** A minute: the bars' length and the profile's bucket. */
export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far back trading days are looked for: weekends and holidays are skipped, as the exchange's
 *  calendar says. */
const LOOKBACK_DAYS = (days: number): number => 2 * days + 14;

/** One minute bar's volume: the venue's time of its start (epoch ms) and lots. */
export interface MinuteVolume {
  readonly start: number;
  readonly volume: number;
}

/** An interval [from, to) of one previous day: the horizon moved back by `shift` ms. */
export interface HistoryWindow {
  readonly from: number;
  readonly to: number;
  readonly shift: number;
}

/** What a source answers: the minute bars overlapping the windows asked (any order), and
 *  what they are ('binance-spot 1-minute bars', 'the market model'); or why there are none. */
export type MinuteVolumes =
  | { readonly kind: 'read'; readonly bars: readonly MinuteVolume[]; readonly source: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly source: string };

/** Where a VWAP's history comes from, asked synchronously as the parent is planned: a backtest
 *  draws it, a live process answers from what it read from the venue before it started. */
export interface MinuteVolumeSource {
  minuteVolumes(symbol: string, windows: readonly HistoryWindow[]): MinuteVolumes;
}

/** The profile read: volume per minute bucket of the horizon, averaged over the days used. */
export interface HistoryProfile {
  readonly weights: readonly number[];
  readonly daysUsed: number;
}

/** Why the history gave no profile (the plan falls back and stores this). */
export interface HistoryUnavailable {
  readonly unavailable: string;
}

/**
 * The horizon [start, start + horizonMs) on each of the `days` previous days. On a 24/7 venue (or
 * one whose hours the node does not know) a day is 24 hours. On an exchange calendar a day is a
 * trading day: the same offset from its session's open as the horizon has from its own (so a
 * daylight-saving change moves the window with the exchange's clock), weekends and holidays
 * skipped. Fewer windows than `days` when the calendar cannot say about earlier years.
 */
export function historyWindows(
  start: number,
  horizonMs: number,
  days: number,
  hours: TradingHours | undefined,
): HistoryWindow[] {
  const out: HistoryWindow[] = [];
  const at = (shift: number): HistoryWindow => ({ from: start - shift, to: start + horizonMs - shift, shift });
  if (hours === undefined || hours.kind !== 'calendar') {
    for (let k = 1; k <= days; k++) out.push(at(k * DAY_MS));
    return out;
  }
  try {
    const own = hours.sessionAt(start) ?? hours.sessionAt(hours.nextOpen(start));
    if (own === null) return out;
    for (let k = 1; k <= LOOKBACK_DAYS(days) && out.length < days; k++) {
      // The open's time of day k days back, give or take an hour of daylight saving: inside that
      // date's trading day, whose session the calendar names (null on a weekend or holiday).
      const s = hours.sessionAt(own.open - k * DAY_MS);
      if (s === null || s.open >= own.open) continue;
      const shift = own.open - s.open;
      if (out.some((w) => w.shift === shift)) continue;
      out.push(at(shift));
    }
  } catch (err) {
    // A calendar asked about a year it does not list: the windows found so far.
    if (!(err instanceof RangeError)) throw err;
  }
  return out;
}

/** Buckets of a horizon: one a minute, at most MAX_PROFILE_BUCKETS. */
export function historyBuckets(horizonMs: number): number {
  return Math.min(MAX_PROFILE_BUCKETS, Math.max(1, Math.ceil(horizonMs / MINUTE_MS)));
}

/**
 * The average volume per bucket of the horizon over `windows`, from minute bars: each bar's
 * volume spread evenly over its minute, the part of it inside a window counted in the buckets it
 * overlaps (so a horizon of seconds, or one not on whole minutes, takes its share of the minutes
 * it spans). A day counts when any volume fell in its window; at least half of the days asked
 * (rounded up) must, else there is too little history and the answer says why.
 */
export function historyProfile(
  bars: readonly MinuteVolume[],
  windows: readonly HistoryWindow[],
  horizonMs: number,
  daysAsked: number,
): HistoryProfile | HistoryUnavailable {
  const n = historyBuckets(horizonMs);
  const width = horizonMs / n;
  const sums = new Float64Array(n);
  const dayHad = new Array<boolean>(windows.length).fill(false);
  for (const bar of bars) {
    if (!(Number.isFinite(bar.volume) && bar.volume > 0)) continue;
    for (let k = 0; k < windows.length; k++) {
      const w = windows[k] as HistoryWindow;
      // The bar's minute in the window's own time, clipped to the window.
      const a = Math.max(0, bar.start - w.from);
      const b = Math.min(horizonMs, bar.start + MINUTE_MS - w.from);
      if (b <= a) continue;
      const perMs = bar.volume / MINUTE_MS;
      for (let i = Math.floor(a / width); i < n && i * width < b; i++) {
        const part = Math.min(b, (i + 1) * width) - Math.max(a, i * width);
        if (part > 0) sums[i] = (sums[i] as number) + perMs * part;
      }
      dayHad[k] = true;
    }
  }
  const daysUsed = dayHad.filter(Boolean).length;
  const need = Math.ceil(daysAsked / 2);
  if (daysUsed < need)
    return {
      unavailable:
        windows.length === 0
          ? 'no previous trading day to read'
          : `volume in the horizon's time of day on ${daysUsed} of the ${daysAsked} previous days asked (at least ${need} needed)`,
    };
  return { weights: Array.from(sums, (v) => v / daysUsed), daysUsed };
}

/** A VWAP's profile from a source: the windows of `days` previous days, the source's bars in
 *  them, and the average; or why there is none. */
export function readHistoryProfile(
  source: MinuteVolumeSource | undefined,
  symbol: string,
  start: number,
  horizonMs: number,
  days: number,
  hours: TradingHours | undefined,
): (HistoryProfile & { readonly source: string }) | (HistoryUnavailable & { readonly source: string | null }) {
  if (source === undefined) return { unavailable: 'this run reads no minute history', source: null };
  const windows = historyWindows(start, horizonMs, days, hours);
  if (windows.length === 0) return { unavailable: 'no previous trading day to read', source: null };
  const answer = source.minuteVolumes(symbol, windows);
  if (answer.kind === 'failed') return { unavailable: answer.reason, source: answer.source };
  return { ...historyProfile(answer.bars, windows, horizonMs, days), source: answer.source };
}
