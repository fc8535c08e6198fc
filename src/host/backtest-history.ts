// A backtest's warm-up history: the market before `until` as the run's own market would have
// shown it, drawn in a world of its own so reading it changes nothing in the run. How a
// recording and a generated market give one: docs/0065-the-host-layer.md.
import { Rng } from '../core/clock/rng.ts';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { MarketDataPort, MarketWindow, TapeSlice, TopOfBook } from '../core/ports/broker.ts';
import type { Symbol } from '../core/model/ids.ts';
import type { buildVenue } from '../scenario/build-venue.ts';
import type { Scenario } from '../scenario/schema.ts';
import { SymbolFeed, type FeedSample } from '../strategy/strategy-feed.ts';
import type { History, HistorySource } from '../strategy/strategy-port.ts';
import { MINUTE_MS, type MinuteVolume, type MinuteVolumeSource } from '../core/algo/history-profile.ts';

export interface BacktestHistoryParts {
  readonly scenario: Scenario;
  readonly file: string;
  readonly seed: number;
  readonly instrument: Instrument;
  readonly instruments: readonly Instrument[];
  readonly venueBuilder: typeof buildVenue;
  /** The run's market, for where a drawn history must end. */
  readonly live: MarketDataPort;
  readonly quoteMs: number;
  readonly barMs: number;
  /** Every bar length of the strategy (absent: `barMs` alone). */
  readonly bars?: readonly number[];
}

/** What the history world's market showed at one sample. */
interface RawRead {
  readonly time: number;
  readonly top: TopOfBook;
  readonly tape: TapeSlice | null;
}

export function backtestHistory(parts: BacktestHistoryParts): HistorySource {
  return {
    read(symbol, spanMs, until, done, failed) {
      const inst = parts.instruments.find((i) => i.symbol === symbol);
      if (!inst) return failed(`the run does not trade ${symbol}`);
      let reads: RawRead[];
      try {
        reads = sampleHistory(parts, inst, spanMs, until);
      } catch (err) {
        return failed(`the history could not be drawn: ${(err as Error).message}`);
      }
      const replay = marketOf(parts.scenario, symbol)?.model === 'replay';
      const shift = replay ? 0 : shiftTo(reads, parts.live.topOfBook(inst.symbol));
      done({
        samples: toSamples(reads, inst, parts.bars ?? [parts.barMs], shift),
        source: replay ? 'the recording' : 'the market model',
      });
    },
  };
}

function marketOf(s: Scenario, symbol: string): Scenario['market'] | undefined {
  if (s.instrument.symbol.toUpperCase() === symbol.toUpperCase()) return s.market;
  return s.otherInstruments.find((o) => o.symbol.toUpperCase() === symbol.toUpperCase())?.market ?? s.market;
}

/** Runs the history world over [until - spanMs, until) and reads its market every quoteMs. */
function sampleHistory(parts: BacktestHistoryParts, inst: Instrument, spanMs: number, until: number): RawRead[] {
  const from = until - spanMs;
  const clock = new VirtualClock(from);
  const rng = new Rng(parts.seed).stream(`history:${inst.symbol}@${until}`);
  const world = { ...parts.scenario, faults: [] };
  const built = parts.venueBuilder(world, parts.file, clock, rng, parts.instrument, from, () => {});
  built.start();
  const port: MarketDataPort = built.venue;
  const reads: RawRead[] = [];
  let cursor = 0;
  const every = parts.quoteMs;
  const sample = (): void => {
    const top = port.topOfBook(inst.symbol);
    let tape: TapeSlice | null = null;
    if (port.tradesSince) {
      tape = port.tradesSince(inst.symbol, cursor);
      cursor = tape.cursor;
    }
    reads.push({ time: clock.now(), top, tape });
    const next = clock.now() + every - (clock.now() % every);
    if (next < until) clock.schedule(sample, next - clock.now());
  };
  const first = from + every - (from % every);
  if (first < until) clock.schedule(sample, first - from);
  clock.advanceTo(until - 1);
  return reads;
}

/** Whole ticks that move the history's last mid onto the live mid (0 when either is missing). */
function shiftTo(reads: readonly RawRead[], live: TopOfBook): number {
  const liveMid = live.bid !== null && live.ask !== null ? (live.bid + live.ask) / 2 : null;
  for (let i = reads.length - 1; i >= 0; i--) {
    const top = (reads[i] as RawRead).top;
    if (top.bid !== null && top.ask !== null && liveMid !== null) return Math.round(liveMid - (top.bid + top.ask) / 2);
  }
  return 0;
}

/** The raw reads, shifted, through a feed: the samples the strategy gets. */
function toSamples(reads: readonly RawRead[], inst: Instrument, bars: readonly number[], shift: number): FeedSample[] {
  let at = 0;
  const shifted = (p: number | null): number | null => (p === null ? null : Math.max(1, p + shift));
  // A port that answers each read with the recorded one, shifted: the feed turns it into the
  // same quotes, trades and bars a live sample would be.
  const replayed: MarketDataPort = {
    topOfBook: () => {
      const top = (reads[at] as RawRead).top;
      return { ...top, bid: shifted(top.bid), ask: shifted(top.ask) };
    },
    tradesSince: (_symbol: Symbol, cursor: number): TapeSlice => {
      const tape = (reads[at] as RawRead).tape;
      if (tape === null) return { cursor, trades: 0, volume: 0, notional: 0, last: null, high: null, low: null };
      return {
        ...tape,
        notional: tape.notional + shift * tape.volume,
        last: shifted(tape.last),
        high: shifted(tape.high),
        low: shifted(tape.low),
      };
    },
    window: (): MarketWindow => ({ vwap: null, twapMid: null, volume: 0 }),
    lastUpdateAt: () => null,
  };
  const feed = new SymbolFeed(inst, bars);
  const samples: FeedSample[] = [];
  for (at = 0; at < reads.length; at++) samples.push(feed.sample(replayed, (reads[at] as RawRead).time));
  return samples;
}

export type { History };

/** What a backtest's VWAP history is drawn from: the run's scenario and market, without the
 *  strategy's sampling. */
export type VolumeHistoryParts = Omit<BacktestHistoryParts, 'quoteMs' | 'barMs' | 'bars' | 'live'>;

/**
 * A backtest's minute volumes for a VWAP with `profile: history`: each window of a previous day
 * is drawn in a world of its own (the run's market model, or its recording, from the window's
 * start, seeded by the symbol and the window), its tape read every minute from the window's
 * start. Reading it changes nothing in the run, and the same run draws the same history.
 */
export function backtestVolumeHistory(parts: VolumeHistoryParts): MinuteVolumeSource {
  return {
    minuteVolumes(symbol, windows) {
      const replay = marketOf(parts.scenario, symbol)?.model === 'replay';
      const source = replay ? 'the recording' : 'the market model';
      const inst = parts.instruments.find((i) => i.symbol === symbol);
      if (!inst) return { kind: 'failed', reason: `the run does not trade ${symbol}`, source };
      const bars: MinuteVolume[] = [];
      try {
        for (const w of windows) bars.push(...drawMinuteVolumes(parts, inst, w.from, w.to));
      } catch (err) {
        return { kind: 'failed', reason: `the history could not be drawn: ${(err as Error).message}`, source };
      }
      return { kind: 'read', bars, source };
    },
  };
}

/** The market's volume in each whole minute (of the clock) overlapping [from, to), in a world of
 *  its own started at the first of them: minute bars as a venue states them. */
function drawMinuteVolumes(parts: VolumeHistoryParts, inst: Instrument, from: number, to: number): MinuteVolume[] {
  const first = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  const clock = new VirtualClock(first);
  const rng = new Rng(parts.seed).stream(`volume-history:${inst.symbol}@${first}`);
  const world = { ...parts.scenario, faults: [] };
  const built = parts.venueBuilder(world, parts.file, clock, rng, parts.instrument, first, () => {});
  built.start();
  const port: MarketDataPort = built.venue;
  const out: MinuteVolume[] = [];
  const tradesSince = port.tradesSince?.bind(port);
  if (tradesSince === undefined) return out;
  let cursor = 0;
  for (let t = first; t < to; t += MINUTE_MS) {
    // Trades up to the minute's last millisecond count in it.
    clock.advanceTo(t + MINUTE_MS - 1);
    const tape = tradesSince(inst.symbol, cursor);
    cursor = tape.cursor;
    if (tape.volume > 0) out.push({ start: t, volume: tape.volume });
  }
  return out;
}
