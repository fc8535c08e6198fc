// When a venue trades, behind one interface: `TradingHours` is what the simulator, DAY-order
// expiry and the slice scheduler ask, whether the venue is Binance (always open) or a US equity
// venue on the NYSE calendar. The calendar is data listed per year; a date outside the bundled
// years throws. Why, time zones and sources: docs/0069-core-and-simulator-notes.md.
import { dayOfWeek, newYorkDate, newYorkInstant, nextDate } from './new-york-time.ts';

/** One trading session, epoch ms, half-open: open at `open`, closed again at `close`. */
export interface Session {
  readonly open: number;
  readonly close: number;
}

export interface TradingHours {
  readonly kind: '24/7' | 'calendar';
  readonly name: string;
  /** Whether the venue trades at t. */
  isOpen(t: number): boolean;
  /** The session of the trading day containing t (t may be before its open or after its close), or null. */
  sessionAt(t: number): Session | null;
  /** The earliest instant at or after t when the venue is open: t itself while open. */
  nextOpen(t: number): number;
  /** The close of the session open at t or, while closed, of the next one: when a DAY order placed at t expires. */
  sessionClose(t: number): number;
}

function assertTime(t: number): void {
  if (!Number.isFinite(t)) throw new Error(`time must be a finite epoch-ms number, got ${t}`);
}

const FOREVER: Session = Object.freeze({ open: Number.NEGATIVE_INFINITY, close: Number.POSITIVE_INFINITY });

/** A venue that never closes (Binance spot): one endless session. */
export const ALWAYS_OPEN: TradingHours = Object.freeze({
  kind: '24/7',
  name: '24/7',
  isOpen(t: number): boolean {
    assertTime(t);
    return true;
  },
  sessionAt(t: number): Session {
    assertTime(t);
    return FOREVER;
  },
  nextOpen(t: number): number {
    assertTime(t);
    return t;
  },
  sessionClose(t: number): number {
    assertTime(t);
    return Number.POSITIVE_INFINITY;
  },
} as const);

export interface CalendarDay {
  /** ISO date, YYYY-MM-DD, in New York. */
  readonly date: string;
  readonly name: string;
}

export const NYSE_FIRST_YEAR = 2024;
export const NYSE_LAST_YEAR = 2026;

/** Full-day closures on weekdays (weekends are always closed). */
export const NYSE_HOLIDAYS: readonly CalendarDay[] = Object.freeze(
  [
    { date: '2024-01-01', name: "New Year's Day" },
    { date: '2024-01-15', name: 'Martin Luther King, Jr. Day' },
    { date: '2024-02-19', name: "Washington's Birthday" },
    { date: '2024-03-29', name: 'Good Friday' },
    { date: '2024-05-27', name: 'Memorial Day' },
    { date: '2024-06-19', name: 'Juneteenth National Independence Day' },
    { date: '2024-07-04', name: 'Independence Day' },
    { date: '2024-09-02', name: 'Labor Day' },
    { date: '2024-11-28', name: 'Thanksgiving Day' },
    { date: '2024-12-25', name: 'Christmas Day' },
    { date: '2025-01-01', name: "New Year's Day" },
    { date: '2025-01-09', name: 'National Day of Mourning for President Jimmy Carter' },
    { date: '2025-01-20', name: 'Martin Luther King, Jr. Day' },
    { date: '2025-02-17', name: "Washington's Birthday" },
    { date: '2025-04-18', name: 'Good Friday' },
    { date: '2025-05-26', name: 'Memorial Day' },
    { date: '2025-06-19', name: 'Juneteenth National Independence Day' },
    { date: '2025-07-04', name: 'Independence Day' },
    { date: '2025-09-01', name: 'Labor Day' },
    { date: '2025-11-27', name: 'Thanksgiving Day' },
    { date: '2025-12-25', name: 'Christmas Day' },
    { date: '2026-01-01', name: "New Year's Day" },
    { date: '2026-01-19', name: 'Martin Luther King, Jr. Day' },
    { date: '2026-02-16', name: "Washington's Birthday" },
    { date: '2026-04-03', name: 'Good Friday' },
    { date: '2026-05-25', name: 'Memorial Day' },
    { date: '2026-06-19', name: 'Juneteenth National Independence Day' },
    { date: '2026-07-03', name: 'Independence Day (observed; July 4 is a Saturday)' },
    { date: '2026-09-07', name: 'Labor Day' },
    { date: '2026-11-26', name: 'Thanksgiving Day' },
    { date: '2026-12-25', name: 'Christmas Day' },
  ].map((d) => Object.freeze(d)),
);

/** Days the regular session ends at 13:00 ET. (No July 2 early close in 2026: NYSE lists none.) */
export const NYSE_EARLY_CLOSES: readonly CalendarDay[] = Object.freeze(
  [
    { date: '2024-07-03', name: 'Day before Independence Day' },
    { date: '2024-11-29', name: 'Day after Thanksgiving' },
    { date: '2024-12-24', name: 'Christmas Eve' },
    { date: '2025-07-03', name: 'Day before Independence Day' },
    { date: '2025-11-28', name: 'Day after Thanksgiving' },
    { date: '2025-12-24', name: 'Christmas Eve' },
    { date: '2026-11-27', name: 'Day after Thanksgiving' },
    { date: '2026-12-24', name: 'Christmas Eve' },
  ].map((d) => Object.freeze(d)),
);

/** Minutes after New York midnight. */
const OPEN = 9 * 60 + 30;
const CLOSE = 16 * 60;
const EARLY_CLOSE = 13 * 60;
const HOLIDAY_SET = new Set(NYSE_HOLIDAYS.map((d) => d.date));
const EARLY_SET = new Set(NYSE_EARLY_CLOSES.map((d) => d.date));

/** One New York calendar day: its epoch-ms bounds and its session (null when closed all day). */
interface DayRecord {
  readonly from: number;
  readonly to: number;
  readonly session: Session | null;
}

// Memo of computed days (pure: the same input always gives the same record), plus the last hit,
// because callers usually ask about the same day many times in a row.
const days = new Map<string, DayRecord>();
let lastDay: DayRecord | null = null;

/** The record of a New York date (YYYY-MM-DD; a text that is no real date throws). */
function dayRecord(key: string): DayRecord {
  const known = days.get(key);
  if (known) return known;
  const weekDay = dayOfWeek(key);
  const year = Number(key.slice(0, 4));
  if (year < NYSE_FIRST_YEAR || year > NYSE_LAST_YEAR) {
    throw new RangeError(
      `NYSE calendar covers ${NYSE_FIRST_YEAR}-${NYSE_LAST_YEAR} only; ${key} is outside it ` +
        "(this version of execsim holds no other year's holidays and early closes)",
    );
  }
  const weekend = weekDay === 6 || weekDay === 0;
  const session: Session | null =
    weekend || HOLIDAY_SET.has(key)
      ? null
      : Object.freeze({
          open: newYorkInstant(key, OPEN),
          close: newYorkInstant(key, EARLY_SET.has(key) ? EARLY_CLOSE : CLOSE),
        });
  const record = Object.freeze({
    from: newYorkInstant(key, 0),
    to: newYorkInstant(nextDate(key), 0),
    session,
  });
  days.set(key, record);
  return record;
}

function dayAt(t: number): DayRecord {
  assertTime(t);
  if (lastDay && lastDay.from <= t && t < lastDay.to) return lastDay;
  lastDay = dayRecord(newYorkDate(t));
  return lastDay;
}

/** The session on a New York calendar date (YYYY-MM-DD), or null on a weekend or holiday. */
export function sessionOnDate(isoDate: string): Session | null {
  return dayRecord(isoDate).session;
}

export function isOpen(t: number): boolean {
  const s = dayAt(t).session;
  return s !== null && s.open <= t && t < s.close;
}

export function sessionAt(t: number): Session | null {
  return dayAt(t).session;
}

export function nextOpen(t: number): number {
  let day = dayAt(t);
  // The longest NYSE closure in the bundled years is 4 days (a Friday holiday weekend).
  for (let i = 0; i < 10; i++) {
    const s = day.session;
    if (s && t < s.close) return Math.max(t, s.open);
    day = dayAt(day.to);
  }
  throw new Error(`no NYSE session within 10 days after ${new Date(t).toISOString()}`);
}

export function sessionClose(t: number): number {
  const s = sessionAt(nextOpen(t));
  if (!s) throw new Error('nextOpen returned a time outside any session'); // broken invariant
  return s.close;
}

export const NYSE_HOURS: TradingHours = Object.freeze({
  kind: 'calendar',
  name: 'NYSE regular session 09:30-16:00 America/New_York',
  isOpen,
  sessionAt,
  nextOpen,
  sessionClose,
} as const);
