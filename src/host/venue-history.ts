// A live run's warm-up history: the venue's 1-minute bars merged into the strategy's bars, handed
// to the strategy host once, as a unit of work of the process, or failed after `timeoutMs`. How
// bars are merged and gaps filled: docs/0065-the-host-layer.md.
import { fractionalTicksToPrice, lotsToQty, ticksToPrice, type Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { LiveVenue } from '../live/live-venue.ts';
import { BAR_MS, type MinuteBar } from '../live/market-history.ts';
import type { Bar } from '../strategy/strategy-api.ts';
import type { FeedSample } from '../strategy/strategy-feed.ts';
import type { HistorySource } from '../strategy/strategy-port.ts';

export interface VenueHistoryParts {
  readonly venue: LiveVenue;
  /** The venue's name (the file's venue.name), for the events. */
  readonly venueName: string;
  readonly instruments: readonly Instrument[];
  /** The strategy's bar length (ms), and every one of them when it has several. */
  readonly barMs: number;
  readonly bars?: readonly number[];
  /** The process's clock (for the deadline: its timers are units of work of the process). */
  readonly clock: Clock;
  /** Runs work as a unit of the process (its serial inbox). */
  readonly post: (work: () => void) => void;
  /** How long a read may take before it fails (ms); default 60,000. */
  readonly timeoutMs?: number;
}

/** The venue's history for the host, or null when the adapter reads none. */
export function venueHistory(parts: VenueHistoryParts): HistorySource | null {
  const { venue, clock, post } = parts;
  const lengths = parts.bars ?? [parts.barMs];
  const longest = Math.max(...lengths);
  const read = venue.minuteBars?.bind(venue);
  if (read === undefined) return null;
  const timeoutMs = parts.timeoutMs ?? 60_000;
  return {
    name: `${parts.venueName} 1-minute bars`,
    read(symbol, spanMs, until, done, failed) {
      const inst = parts.instruments.find((i) => i.symbol === symbol);
      if (!inst) return failed(`the run does not trade ${symbol}`);
      const odd = lengths.find((ms) => ms % BAR_MS !== 0);
      if (odd !== undefined)
        return failed(
          `the venue's history is 1-minute bars and this strategy's bars are ${odd} ms (not whole minutes)`,
        );
      const liveStart = Math.floor(until / longest) * longest;
      const from = liveStart - Math.ceil(spanMs / longest) * longest;
      let answered = false;
      let deadline: { unsubscribe(): void } | null = null;
      const answer = (work: () => void): void => {
        if (answered) return;
        answered = true;
        deadline?.unsubscribe();
        work();
      };
      deadline = clock.schedule(
        () => answer(() => failed(`the venue's bars: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      read(symbol, from, liveStart - 1).then(
        (r) =>
          post(() =>
            answer(() =>
              r.kind === 'read'
                ? done({ samples: lengthsSamples(r.bars, inst, lengths, until), source: r.source })
                : failed(`${r.source}: ${r.reason}`),
            ),
          ),
        (err: unknown) => post(() => answer(() => failed(`the venue's bars: ${(err as Error).message}`))),
      );
    },
  };
}

/** Minute bars as the strategy's bars of every length, each before its live sampling's first
 *  bar, in the order they close (a shorter length first at a tie). */
function lengthsSamples(
  minutes: readonly MinuteBar[],
  inst: Instrument,
  lengths: readonly number[],
  until: number,
): FeedSample[] {
  if (lengths.length === 1) {
    const ms = lengths[0] as number;
    return barSamples(minutes, inst, ms, Math.floor(until / ms) * ms);
  }
  const all = lengths.flatMap((ms) => barSamples(minutes, inst, ms, Math.floor(until / ms) * ms));
  const end = (s: FeedSample): number => (s.bars[0] as Bar).time + (s.bars[0] as Bar).ms;
  return all.sort((a, b) => end(a) - end(b) || (a.bars[0] as Bar).ms - (b.bars[0] as Bar).ms);
}

/** Minute bars (any order) as the strategy's bars before `liveStart`, one sample each, in time
 *  order, gaps after the first bar filled flat. `barMs` is a whole number of minutes. */
export function barSamples(
  minutes: readonly MinuteBar[],
  inst: Instrument,
  barMs: number,
  liveStart: number,
): FeedSample[] {
  const sorted = minutes.filter((m) => m.start < liveStart).sort((a, b) => a.start - b.start);
  const out: FeedSample[] = [];
  let cur: { time: number; open: number; high: number; low: number; close: number; lots: number } | null = null;
  const close = (upTo: number): void => {
    if (cur === null) return;
    out.push(sample(inst, barMs, cur.time, cur.open, cur.high, cur.low, cur.close, cur.lots));
    for (let t = cur.time + barMs; t < upTo; t += barMs)
      out.push(sample(inst, barMs, t, cur.close, cur.close, cur.close, cur.close, 0));
  };
  for (const m of sorted) {
    const time = Math.floor(m.start / barMs) * barMs;
    if (cur !== null && cur.time === time) {
      cur.high = Math.max(cur.high, m.high);
      cur.low = Math.min(cur.low, m.low);
      cur.close = m.close;
      cur.lots += m.volume;
      continue;
    }
    close(time);
    cur = { time, open: m.open, high: m.high, low: m.low, close: m.close, lots: m.volume };
  }
  close(liveStart);
  return out;
}

function sample(
  inst: Instrument,
  ms: number,
  time: number,
  open: number,
  high: number,
  low: number,
  close: number,
  lots: number,
): FeedSample {
  const bar: Bar = {
    symbol: inst.symbol,
    time,
    ms,
    open: price(inst, open),
    high: price(inst, high),
    low: price(inst, low),
    close: price(inst, close),
    volume: Number(lotsToQty(inst, lots)),
  };
  return { quote: null, trades: null, bars: [bar] };
}

/** Ticks (whole, or fractional as a venue's prices may be) as a price number. */
function price(inst: Instrument, ticks: number): number {
  return Number(Number.isInteger(ticks) ? ticksToPrice(inst, ticks) : fractionalTicksToPrice(inst, ticks));
}
