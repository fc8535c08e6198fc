// New York civil time for the NYSE calendar, from the US daylight-saving rule in force since 2007
// (Eastern Standard Time, UTC-5; Eastern Daylight Time, UTC-4, from the second Sunday of March
// at 02:00 local to the first Sunday of November at 02:00 local). The calendar needs only this
// zone and only years under that rule, so the rule is written out here instead of loading a
// whole time-zone database into every process (about a megabyte of JavaScript and 80 ms of CPU
// at each start); nyse-calendar.test.ts checks it against the tz database instant by instant.
// Dates are ISO strings (YYYY-MM-DD); instants are epoch ms. Pure arithmetic on Date.UTC.

/** The first year the rule below describes; earlier years had other transition dates. */
export const RULE_FIRST_YEAR = 2007;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Epoch ms of 00:00 UTC on the day-th day of a month (1-based), month 1-12. */
const utcDay = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day);

/** Day of week of a UTC midnight: 0 Sunday ... 6 Saturday (1970-01-01 was a Thursday). */
const weekday = (utcMidnight: number): number => (((Math.floor(utcMidnight / DAY_MS) + 4) % 7) + 7) % 7;

/** The n-th Sunday (1-based) of a month, as the UTC midnight of that date. */
function nthSunday(year: number, month: number, n: number): number {
  const first = utcDay(year, month, 1);
  return first + (((7 - weekday(first)) % 7) + 7 * (n - 1)) * DAY_MS;
}

/** The year's two transitions in epoch ms: daylight time from `start` (02:00 EST = 07:00 UTC)
 *  until `end` (02:00 EDT = 06:00 UTC). */
function transitions(year: number): { readonly start: number; readonly end: number } {
  if (year < RULE_FIRST_YEAR)
    throw new RangeError(`New York time is computed from ${RULE_FIRST_YEAR} on; ${year} is earlier`);
  return { start: nthSunday(year, 3, 2) + 7 * HOUR_MS, end: nthSunday(year, 11, 1) + 6 * HOUR_MS };
}

const byYear = new Map<number, { readonly start: number; readonly end: number }>();

function transitionsOf(year: number): { readonly start: number; readonly end: number } {
  let t = byYear.get(year);
  if (t === undefined) byYear.set(year, (t = transitions(year)));
  return t;
}

/** New York's offset from UTC at instant t, in ms (-4 h in daylight time, -5 h otherwise). */
export function newYorkOffsetMs(t: number): number {
  const { start, end } = transitionsOf(new Date(t).getUTCFullYear());
  return t >= start && t < end ? -4 * HOUR_MS : -5 * HOUR_MS;
}

/** The New York date (YYYY-MM-DD) at instant t. */
export function newYorkDate(t: number): string {
  return new Date(t + newYorkOffsetMs(t)).toISOString().slice(0, 10);
}

/** The instant a New York wall-clock time of a date happens: `minuteOfDay` minutes after local
 *  midnight. The times the calendar asks for (00:00, 09:30, 13:00, 16:00) are never in the
 *  hour skipped or repeated at a transition (02:00-03:00 and 01:00-02:00), so each has one. */
export function newYorkInstant(isoDate: string, minuteOfDay: number): number {
  const local = civilDate(isoDate) + minuteOfDay * 60_000;
  // The local time read as standard time; if that instant falls in daylight time, it was daylight.
  const asStandard = local + 5 * HOUR_MS;
  return newYorkOffsetMs(asStandard) === -5 * HOUR_MS ? asStandard : local + 4 * HOUR_MS;
}

/** Day of week of a date: 0 Sunday ... 6 Saturday. */
export function dayOfWeek(isoDate: string): number {
  return weekday(civilDate(isoDate));
}

/** The date after a date. */
export function nextDate(isoDate: string): string {
  return new Date(civilDate(isoDate) + DAY_MS).toISOString().slice(0, 10);
}

/** UTC midnight of an ISO date; throws unless the text is a real date in YYYY-MM-DD form. */
function civilDate(isoDate: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const ms = m ? utcDay(Number(m[1]), Number(m[2]), Number(m[3])) : Number.NaN;
  // Date.UTC rolls 2025-02-30 over into March: a date is real when it reads back the same.
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== isoDate)
    throw new RangeError(`"${isoDate}" is not a date in YYYY-MM-DD form`);
  return ms;
}
