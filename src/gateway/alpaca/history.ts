// Historical bars built from the venue's tape (earlier day bars from the scenario's liquidity.adv)
// and the trading calendar, as Alpaca serves them: GET /v2/stocks/{symbol}/bars,
// /v2/stocks/bars and /v2/calendar. Parameters, bucketing and defaults: docs/0068-gateway-notes.md.
import { Instant, LocalDate, ZoneId, ZonedDateTime } from '@js-joda/core';
import '@js-joda/timezone';
import type { Instrument } from '../../core/model/instrument.ts';
import { ticksToPrice } from '../../core/model/instrument.ts';
import type { TradingHours } from '../../core/venues/index.ts';
import type { TapePrint } from '../market-feed.ts';
import type { DailyHistory } from '../daily-history.ts';
import type { HistoryMinute } from '../minute-history.ts';
import { alpacaError, parseTime, rfc3339, type AlpacaError } from './wire.ts';

const NEW_YORK = ZoneId.of('America/New_York');

export interface AlpacaBar {
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly n: number;
  readonly vw: number;
}

export interface BarsPage {
  readonly bars: AlpacaBar[];
  readonly next_page_token: string | null;
}

const badRequest = (message: string): AlpacaError => alpacaError(400, 40010001, message);

type Timeframe = { readonly unit: 'min' | 'hour' | 'day'; readonly n: number };

export function parseTimeframe(text: string | undefined): Timeframe | AlpacaError {
  if (text === undefined || text === '') return badRequest('timeframe is required');
  const m = /^(\d{1,2})(Min|T|Hour|H|Day|D)$/.exec(text);
  const n = Number(m?.[1]);
  const unit = m?.[2] === 'Min' || m?.[2] === 'T' ? 'min' : m?.[2] === 'Hour' || m?.[2] === 'H' ? 'hour' : 'day';
  const max = unit === 'min' ? 59 : unit === 'hour' ? 23 : 1;
  if (!m || n < 1 || n > max)
    return badRequest(`invalid timeframe "${text.slice(0, 20)}": use 1-59Min, 1-23Hour or 1Day`);
  return { unit, n };
}

/** Start of the bucket holding `t` (epoch ms). */
function bucketStart(tf: Timeframe, t: number): number {
  if (tf.unit === 'day') return startOfNewYorkDay(t);
  const len = tf.n * (tf.unit === 'min' ? 60_000 : 3_600_000);
  return Math.floor(t / len) * len;
}

function startOfNewYorkDay(t: number): number {
  return LocalDate.ofInstant(Instant.ofEpochMilli(t), NEW_YORK).atStartOfDay(NEW_YORK).toInstant().toEpochMilli();
}

const round = (x: number, decimals: number): number => Number(x.toFixed(decimals));

/** A day of the history before the gateway's first day: its start (New York midnight), lots and
 *  price (ticks). */
export interface HistoryDay {
  readonly at: number;
  readonly lots: number;
  readonly price: number;
}

/** The history's days before the day holding `history.startedAt`, oldest first: the trading days
 *  of `hours` (every day when they are always open, or when its calendar cannot say). */
export function historyDays(history: DailyHistory | null, hours: TradingHours): HistoryDay[] {
  if (history === null) return [];
  const first = LocalDate.ofInstant(Instant.ofEpochMilli(history.startedAt), NEW_YORK);
  const price = history.price();
  const out: HistoryDay[] = [];
  for (let i = history.days; i >= 1; i--) {
    const d = first.minusDays(i);
    if (hours.kind !== '24/7') {
      let open = true;
      try {
        open = hours.sessionAt(ZonedDateTime.of(d.atTime(12, 0), NEW_YORK).toInstant().toEpochMilli()) !== null;
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
      }
      if (!open) continue;
    }
    out.push({ at: d.atStartOfDay(NEW_YORK).toInstant().toEpochMilli(), lots: Number(history.lots), price });
  }
  return out;
}

/**
 * One page of bars. `prints` are in tape order (times never decrease); `skewMs` moves the venue's
 * times to the clock it states them on; `now` is that clock's time now. `history`: the days
 * before the gateway's first, as day bars (asked only for day bars), each before the tape's
 * first day. `minutes`: the minutes before the gateway's start (asked only for intraday bars,
 * and only when the page reaches before the tape's first print), each as its own trades would be.
 */
export function barsPage(
  prints: readonly TapePrint[],
  inst: Instrument,
  skewMs: number,
  now: number,
  query: (k: string) => string | undefined,
  history: () => readonly HistoryDay[] = () => [],
  minutes: () => readonly HistoryMinute[] = () => [],
): BarsPage | AlpacaError {
  const tf = parseTimeframe(query('timeframe'));
  if ('status' in tf) return tf;
  const time = (k: 'start' | 'end', fallback: number): number | AlpacaError => {
    const v = query(k);
    if (v === undefined || v === '') return fallback;
    return parseTime(v) ?? badRequest(`invalid ${k} "${v.slice(0, 40)}": must be an RFC 3339 time or a date`);
  };
  const start = time('start', startOfNewYorkDay(now));
  if (typeof start !== 'number') return start;
  const end = time('end', now);
  if (typeof end !== 'number') return end;
  if (end < start) return badRequest('end must not be before start');
  const limitText = query('limit');
  let limit = 1000;
  if (limitText !== undefined && limitText !== '') {
    if (!/^\d{1,6}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 10_000)
      return badRequest(`invalid limit "${limitText.slice(0, 20)}": must be 1 to 10000`);
    limit = Number(limitText);
  }
  const sort = query('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') return badRequest(`invalid sort "${sort.slice(0, 20)}": must be asc or desc`);
  const token = query('page_token');
  let after: number | null = null;
  if (token !== undefined && token !== '') {
    const decoded = /^[A-Za-z0-9_-]{1,40}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
    if (!/^b\d{1,16}$/.test(decoded)) return badRequest('invalid page_token');
    after = Number(decoded.slice(1));
  }

  const bars: Array<{ at: number; bar: AlpacaBar }> = [];
  let cur: { at: number; o: number; h: number; l: number; c: number; v: number; n: number; pv: number } | null = null;
  const close = () => {
    if (cur === null) return;
    const c = cur;
    bars.push({
      at: c.at,
      bar: { t: rfc3339(c.at), o: c.o, h: c.h, l: c.l, c: c.c, v: c.v, n: c.n, vw: round(c.pv / c.v, 6) },
    });
  };
  if (tf.unit === 'day') {
    const firstPrint = prints[0];
    const tapeFrom = firstPrint === undefined ? Infinity : bucketStart(tf, firstPrint.time + skewMs);
    const lot = Number(inst.lotSize);
    for (const d of history()) {
      if (d.at < start || d.at > end || d.at >= tapeFrom) continue;
      const price = Number(ticksToPrice(inst, d.price));
      const v = round(d.lots * lot, 9);
      bars.push({ at: d.at, bar: { t: rfc3339(d.at), o: price, h: price, l: price, c: price, v, n: 1, vw: price } });
    }
  }
  if (tf.unit !== 'day') {
    const firstPrint = prints[0];
    const tapeFrom = firstPrint === undefined ? Infinity : firstPrint.time + skewMs;
    if (start < tapeFrom) {
      const tick = Number(inst.tickSize);
      const lot = Number(inst.lotSize);
      for (const m of minutes()) {
        const at = bucketStart(tf, m.start);
        if (at < start || at > end || m.start >= tapeFrom) continue;
        const price = (t: number): number => Number(ticksToPrice(inst, t));
        if (cur === null || cur.at !== at) {
          close();
          cur = { at, o: price(m.open), h: price(m.high), l: price(m.low), c: price(m.close), v: 0, n: 0, pv: 0 };
        }
        cur.h = Math.max(cur.h, price(m.high));
        cur.l = Math.min(cur.l, price(m.low));
        cur.c = price(m.close);
        cur.v = round(cur.v + m.lots * lot, 9);
        cur.n += m.trades;
        cur.pv += m.notional * tick * lot;
      }
    }
  }
  for (const p of prints) {
    const at = bucketStart(tf, p.time + skewMs);
    if (at < start || at > end) continue;
    const price = Number(ticksToPrice(inst, p.price));
    const qty = p.qty * Number(inst.lotSize);
    if (cur === null || cur.at !== at) {
      close();
      cur = { at, o: price, h: price, l: price, c: price, v: 0, n: 0, pv: 0 };
    }
    cur.h = Math.max(cur.h, price);
    cur.l = Math.min(cur.l, price);
    cur.c = price;
    cur.v = round(cur.v + qty, 9);
    cur.n += 1;
    cur.pv += price * qty;
  }
  close();
  if (sort === 'desc') bars.reverse();
  const rest = after === null ? bars : bars.filter((b) => (sort === 'asc' ? b.at > after : b.at < after));
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return {
    bars: page.map((b) => b.bar),
    next_page_token: rest.length > limit && last ? Buffer.from(`b${last.at}`, 'utf8').toString('base64url') : null,
  };
}

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[Tt ].*)?$/;

function parseDate(text: string | undefined, field: string, fallback: LocalDate): LocalDate | AlpacaError {
  if (text === undefined || text === '') return fallback;
  const m = DATE.exec(text);
  try {
    if (m && (m[0].length === 10 || parseTime(text) !== null)) return LocalDate.parse(m[1] as string);
  } catch {
    // falls through to the error
  }
  return badRequest(`invalid ${field} "${text.slice(0, 40)}": must be a date (YYYY-MM-DD) or an RFC 3339 time`);
}

const hhmm = (t: number): string => {
  const z = ZonedDateTime.ofInstant(Instant.ofEpochMilli(t), NEW_YORK);
  return `${String(z.hour()).padStart(2, '0')}:${String(z.minute()).padStart(2, '0')}`;
};

export interface CalendarDayJson {
  readonly date: string;
  readonly open: string;
  readonly close: string;
  readonly session_open: string;
  readonly session_close: string;
  readonly settlement_date: string;
}

/** GET /v2/calendar over the gateway's trading hours; `now` is the venue's time (epoch ms). */
export function calendar(
  hours: TradingHours,
  now: number,
  query: (k: string) => string | undefined,
): CalendarDayJson[] | AlpacaError {
  const today = LocalDate.ofInstant(Instant.ofEpochMilli(now), NEW_YORK);
  const start = parseDate(query('start'), 'start', today);
  if (!(start instanceof LocalDate)) return start;
  const end = parseDate(query('end'), 'end', today.plusDays(30));
  if (!(end instanceof LocalDate)) return end;
  if (end.isBefore(start)) return badRequest('end must not be before start');
  if (start.plusYears(10).isBefore(end)) return badRequest('start and end are more than 10 years apart');
  const sessionOf = (d: LocalDate): { open: number; close: number } | null => {
    if (hours.kind === '24/7') return null;
    // Noon in New York is inside the trading day, whatever the session's times.
    return hours.sessionAt(ZonedDateTime.of(d.atTime(12, 0), NEW_YORK).toInstant().toEpochMilli());
  };
  const open = (d: LocalDate): boolean => hours.kind === '24/7' || sessionOf(d) !== null;
  const out: CalendarDayJson[] = [];
  try {
    for (let d = start; !d.isAfter(end); d = d.plusDays(1)) {
      if (!open(d)) continue;
      let settle = d.plusDays(1);
      for (let i = 0; i < 10 && !open(settle); i++) settle = settle.plusDays(1);
      const s = sessionOf(d);
      out.push({
        date: d.toString(),
        open: s ? hhmm(s.open) : '00:00',
        close: s ? hhmm(s.close) : '23:59',
        session_open: s ? '0400' : '0000',
        session_close: s ? '2000' : '2359',
        settlement_date: settle.toString(),
      });
    }
  } catch (err) {
    // The venue's calendar covers the years it bundles and refuses to guess beyond them.
    if (err instanceof RangeError) return alpacaError(422, 42210000, err.message);
    throw err;
  }
  return out;
}
