// The minute history a gateway states before its own first minute, so that a paper run's VWAP
// with `profile: history` has previous days to read: the scenario's market model run over the
// `liquidity.minuteHistoryDays` days before the gateway started, in a world of its own (its own
// clock and random stream, no faults), its tape read every minute. Drawn once, on the first
// request for intraday bars that reaches before the start, and kept. Minutes start on the
// venue's clock minutes. Prices are moved by whole ticks so that the history's last price is the
// market's first (the model's walk over the days would otherwise end elsewhere); a minute's open
// is the close before it, its high and low the highest and lowest of its trades (and of its
// open, so a bar holds its own open). Day bars keep the daily history (daily-history.ts); every
// bar from the start is the tape's. A symbol of the scenario's otherInstruments is drawn from its
// own market, alone in its world.
import { Rng } from '../core/clock/rng.ts';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import { buildVenue } from '../scenario/build-venue.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { MarketFeed } from './market-feed.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** One minute of the history: its start (the venue's time), prices in ticks, lots, the
 *  notional (ticks x lots) and the trades in it. */
export interface HistoryMinute {
  readonly start: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly lots: number;
  readonly notional: number;
  readonly trades: number;
}

export interface MinuteHistory {
  /** The venue's time when the gateway started: every minute is before it. */
  readonly startedAt: number;
  /** The minutes with trades, oldest first (drawn on the first call). */
  minutes(): readonly HistoryMinute[];
}

/** The scenario's minute history for the gateway, or null when it asks for none. `skewMs` moves
 *  the drawn world's times to the clock the gateway states them on. */
export function minuteHistoryOf(
  scenario: Scenario,
  file: string,
  inst: Instrument,
  feed: MarketFeed,
  startedAt: number,
  skewMs: number,
): MinuteHistory | null {
  const days = scenario.liquidity?.minuteHistoryDays ?? 0;
  if (days < 1) return null;
  let drawn: HistoryMinute[] | null = null;
  return {
    startedAt: startedAt + skewMs,
    minutes() {
      drawn ??= drawMinutes(scenario, file, inst, startedAt - days * DAY_MS, startedAt, skewMs, firstPrice(feed));
      return drawn;
    },
  };
}

/** The market's first price: its first print, else its quote's mid, else null. */
function firstPrice(feed: MarketFeed): number | null {
  const first = feed.prints[0];
  if (first !== undefined) return first.price;
  const q = feed.quote();
  if (q?.bid != null && q.ask != null) return Math.round((q.bid + q.ask) / 2);
  return q?.bid ?? q?.ask ?? null;
}

/** The scenario whose one market is `inst`'s (the scenario's own, or an other instrument's), with
 *  no faults. */
function worldOf(scenario: Scenario, inst: Instrument): Scenario {
  if (scenario.otherInstruments.length === 0) return { ...scenario, faults: [] };
  const other = scenario.otherInstruments.find((o) => o.symbol === inst.symbol);
  const market = other === undefined ? scenario.market : (other.market as Scenario['market']);
  return { ...scenario, market, otherInstruments: [], faults: [] };
}

function drawMinutes(
  scenario: Scenario,
  file: string,
  inst: Instrument,
  from: number,
  until: number,
  skewMs: number,
  endPrice: number | null,
): HistoryMinute[] {
  // The minutes start on the venue's clock minutes (its times are ours plus skewMs), as the
  // gateway's bars and klines bucket them: a minute drawn across a clock minute's boundary would
  // be served in the minute it started in, with the next one's trades.
  const first = Math.floor((from + skewMs) / MINUTE_MS) * MINUTE_MS - skewMs;
  const clock = new VirtualClock(first);
  const rng = new Rng(scenario.seed).stream(`gateway-minute-history:${inst.symbol}`);
  const built = buildVenue(worldOf(scenario, inst), file, clock, rng, inst, first, () => {});
  built.start();
  const port: MarketDataPort = built.venue;
  const raw: Array<{
    start: number;
    lots: number;
    notional: number;
    trades: number;
    last: number;
    high: number;
    low: number;
  }> = [];
  if (port.tradesSince === undefined) return [];
  let cursor = 0;
  for (let t = first; t < until; t += MINUTE_MS) {
    clock.advanceTo(Math.min(until, t + MINUTE_MS) - 1);
    const tape = port.tradesSince(inst.symbol, cursor);
    cursor = tape.cursor;
    if (tape.volume > 0 && tape.last !== null && tape.high !== null && tape.low !== null)
      raw.push({
        start: t,
        lots: tape.volume,
        notional: tape.notional,
        trades: tape.trades,
        last: tape.last,
        high: tape.high,
        low: tape.low,
      });
  }
  const lastRaw = raw.at(-1);
  const shift = endPrice === null || lastRaw === undefined ? 0 : endPrice - lastRaw.last;
  const price = (p: number): number => Math.max(1, Math.round(p + shift));
  const out: HistoryMinute[] = [];
  let close: number | null = null;
  for (const m of raw) {
    const c = price(m.last);
    const open = close ?? price(m.notional / m.lots);
    out.push({
      start: m.start + skewMs,
      open,
      high: Math.max(open, price(m.high)),
      low: Math.min(open, price(m.low)),
      close: c,
      lots: m.lots,
      notional: m.notional + shift * m.lots,
      trades: m.trades,
    });
    close = c;
  }
  return out;
}
