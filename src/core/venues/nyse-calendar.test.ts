import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALWAYS_OPEN,
  isOpen,
  NYSE_EARLY_CLOSES,
  NYSE_FIRST_YEAR,
  NYSE_HOLIDAYS,
  NYSE_HOURS,
  NYSE_LAST_YEAR,
  nextOpen,
  sessionAt,
  sessionClose,
  sessionOnDate,
} from './nyse-calendar.ts';

// Expected instants are written in UTC and parsed with Date.parse, independently of js-joda:
// New York is UTC-4 in summer (EDT) and UTC-5 in winter (EST).
const utc = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test time ${iso}`);
  return t;
};
const MINUTE = 60_000;

// Range used by the properties: the first instant of 2024 in New York up to the last close of 2026
// (after it, nextOpen would need 2027 and rightly throws).
const FIRST = utc('2024-01-01T05:00:00Z');
const LAST_CLOSE = utc('2026-12-31T21:00:00Z');

describe('NYSE regular session', () => {
  it('opens at 09:30 and closes at 16:00 New York time (summer: 13:30Z-20:00Z)', () => {
    expect(isOpen(utc('2024-08-07T13:29:00Z'))).toBe(false); // 09:29
    expect(isOpen(utc('2024-08-07T13:29:59.999Z'))).toBe(false);
    expect(isOpen(utc('2024-08-07T13:30:00Z'))).toBe(true); // 09:30
    expect(isOpen(utc('2024-08-07T19:59:00Z'))).toBe(true); // 15:59
    expect(isOpen(utc('2024-08-07T19:59:59.999Z'))).toBe(true);
    expect(isOpen(utc('2024-08-07T20:00:00Z'))).toBe(false); // 16:00
  });

  it('reports the trading day of t, before its open and after its close too', () => {
    const session = { open: utc('2024-08-07T13:30:00Z'), close: utc('2024-08-07T20:00:00Z') };
    expect(sessionAt(utc('2024-08-07T12:00:00Z'))).toEqual(session); // 08:00 ET
    expect(sessionAt(utc('2024-08-07T23:00:00Z'))).toEqual(session); // 19:00 ET
    expect(sessionAt(utc('2024-08-08T03:59:59.999Z'))).toEqual(session); // 23:59:59.999 ET
    expect(sessionAt(utc('2024-08-08T04:00:00Z'))?.open).toBe(utc('2024-08-08T13:30:00Z')); // next ET day
    expect(sessionOnDate('2024-08-07')).toEqual(session);
  });

  it('is open at 09:30 and 15:59 in winter (14:30Z-21:00Z)', () => {
    expect(isOpen(utc('2024-01-10T14:29:00Z'))).toBe(false);
    expect(isOpen(utc('2024-01-10T14:30:00Z'))).toBe(true);
    expect(isOpen(utc('2024-01-10T20:59:00Z'))).toBe(true);
    expect(isOpen(utc('2024-01-10T21:00:00Z'))).toBe(false);
  });

  it('is closed on weekends', () => {
    expect(isOpen(utc('2024-08-10T16:00:00Z'))).toBe(false); // Saturday noon ET
    expect(isOpen(utc('2024-08-11T16:00:00Z'))).toBe(false); // Sunday noon ET
    expect(sessionAt(utc('2024-08-10T16:00:00Z'))).toBeNull();
    expect(sessionOnDate('2025-03-09')).toBeNull(); // the Sunday clocks go forward
  });
});

describe('NYSE holidays and early closes', () => {
  it('is closed all day on every listed holiday', () => {
    for (const { date } of NYSE_HOLIDAYS) {
      expect(sessionOnDate(date), date).toBeNull();
      // 12:00 New York is 16:00Z or 17:00Z; both are inside a regular session's hours.
      expect(isOpen(utc(`${date}T16:00:00Z`)), date).toBe(false);
      expect(isOpen(utc(`${date}T17:00:00Z`)), date).toBe(false);
    }
  });

  it('closes at 13:00 New York time on every listed early-close day', () => {
    for (const { date } of NYSE_EARLY_CLOSES) {
      const s = sessionOnDate(date);
      expect(s, date).not.toBeNull();
      if (!s) continue;
      expect(s.close - s.open, date).toBe(210 * MINUTE); // 09:30-13:00
      expect(isOpen(s.close - MINUTE), date).toBe(true); // 12:59
      expect(isOpen(s.close), date).toBe(false); // 13:00
    }
    expect(sessionOnDate('2024-07-03')?.close).toBe(utc('2024-07-03T17:00:00Z')); // EDT
    expect(sessionOnDate('2024-11-29')?.close).toBe(utc('2024-11-29T18:00:00Z')); // EST
    expect(isOpen(utc('2024-12-24T17:59:00Z'))).toBe(true);
    expect(isOpen(utc('2024-12-24T18:00:00Z'))).toBe(false);
  });

  it('keeps full sessions on the days around them (no early close on 2026-07-02)', () => {
    expect(sessionOnDate('2026-07-02')).toEqual({
      open: utc('2026-07-02T13:30:00Z'),
      close: utc('2026-07-02T20:00:00Z'),
    });
    expect(sessionOnDate('2024-12-23')?.close).toBe(utc('2024-12-23T21:00:00Z'));
  });

  it('lists weekdays only, inside the bundled years, with no day both closed and early-closing', () => {
    const dayOfWeek = (d: string) => new Date(`${d}T12:00:00Z`).getUTCDay();
    for (const { date } of [...NYSE_HOLIDAYS, ...NYSE_EARLY_CLOSES]) {
      expect([1, 2, 3, 4, 5], date).toContain(dayOfWeek(date));
      const year = Number(date.slice(0, 4));
      expect(year >= NYSE_FIRST_YEAR && year <= NYSE_LAST_YEAR, date).toBe(true);
    }
    const holidays = new Set(NYSE_HOLIDAYS.map((d) => d.date));
    expect(holidays.size).toBe(NYSE_HOLIDAYS.length);
    expect(NYSE_EARLY_CLOSES.filter((d) => holidays.has(d.date))).toEqual([]);
  });

  it('matches the US holiday rules year by year (an independent derivation)', () => {
    for (let year = NYSE_FIRST_YEAR; year <= NYSE_LAST_YEAR; year++) {
      const derived = [
        observed(iso(year, 1, 1)),
        nthWeekday(year, 1, 1, 3), // MLK: third Monday of January
        nthWeekday(year, 2, 1, 3), // Washington's Birthday: third Monday of February
        addDays(easterSunday(year), -2), // Good Friday
        lastWeekday(year, 5, 1), // Memorial Day: last Monday of May
        observed(iso(year, 6, 19)),
        observed(iso(year, 7, 4)),
        nthWeekday(year, 9, 1, 1), // Labor Day: first Monday of September
        nthWeekday(year, 11, 4, 4), // Thanksgiving: fourth Thursday of November
        observed(iso(year, 12, 25)),
      ];
      const adHoc = year === 2025 ? ['2025-01-09'] : []; // national day of mourning, President Carter
      const listed = NYSE_HOLIDAYS.filter((d) => d.date.startsWith(`${year}-`)).map((d) => d.date);
      expect(listed, String(year)).toEqual([...derived, ...adHoc].sort());
    }
  });
});

describe('DST', () => {
  const cases = [
    // [last trading day on EST, first on EDT] and [last on EDT, first on EST]
    ['2024-03-08', '2024-03-11', '2024-11-01', '2024-11-04'],
    ['2025-03-07', '2025-03-10', '2025-10-31', '2025-11-03'],
    ['2026-03-06', '2026-03-09', '2026-10-30', '2026-11-02'],
  ] as const;

  it('opens at 09:30 local time on both sides of each switch', () => {
    for (const [estBefore, edtAfter, edtBefore, estAfter] of cases) {
      for (const [day, open] of [
        [estBefore, '14:30'],
        [edtAfter, '13:30'],
        [edtBefore, '13:30'],
        [estAfter, '14:30'],
      ] as const) {
        const t = utc(`${day}T${open}:00Z`);
        expect(sessionOnDate(day)?.open, day).toBe(t);
        expect(isOpen(t), day).toBe(true);
        expect(isOpen(t - 1), day).toBe(false);
        expect(sessionClose(t) - t, day).toBe(390 * MINUTE);
      }
    }
    // 13:30Z is 08:30 New York before the spring switch and 09:30 after it.
    expect(isOpen(utc('2024-03-08T13:30:00Z'))).toBe(false);
    expect(isOpen(utc('2024-03-11T13:30:00Z'))).toBe(true);
    expect(isOpen(utc('2024-11-04T13:30:00Z'))).toBe(false);
    expect(isOpen(utc('2024-11-04T14:30:00Z'))).toBe(true);
  });
});

describe('nextOpen and sessionClose', () => {
  it('returns t itself while open, and the same day open before it', () => {
    const t = utc('2024-08-07T15:00:00Z');
    expect(nextOpen(t)).toBe(t);
    expect(nextOpen(utc('2024-08-07T11:00:00Z'))).toBe(utc('2024-08-07T13:30:00Z'));
    expect(nextOpen(utc('2024-08-07T13:30:00Z'))).toBe(utc('2024-08-07T13:30:00Z'));
  });

  it('skips a long weekend (Labor Day 2024-09-02)', () => {
    expect(nextOpen(utc('2024-08-30T20:00:00Z'))).toBe(utc('2024-09-03T13:30:00Z'));
    expect(nextOpen(utc('2024-09-02T15:00:00Z'))).toBe(utc('2024-09-03T13:30:00Z'));
  });

  it('skips holidays: Good Friday, Christmas after an early close, 2025-01-09, 2026-07-03 observed', () => {
    expect(nextOpen(utc('2024-03-28T20:00:00Z'))).toBe(utc('2024-04-01T13:30:00Z'));
    expect(nextOpen(utc('2024-12-24T18:00:00Z'))).toBe(utc('2024-12-26T14:30:00Z'));
    expect(nextOpen(utc('2025-01-08T21:00:00Z'))).toBe(utc('2025-01-10T14:30:00Z'));
    expect(nextOpen(utc('2026-07-02T20:00:00Z'))).toBe(utc('2026-07-06T13:30:00Z'));
    expect(nextOpen(utc('2025-12-31T21:00:00Z'))).toBe(utc('2026-01-02T14:30:00Z')); // across a year
  });

  it('gives the close of the session in force, or of the next one (DAY-order expiry)', () => {
    expect(sessionClose(utc('2024-08-07T15:00:00Z'))).toBe(utc('2024-08-07T20:00:00Z'));
    expect(sessionClose(utc('2024-08-07T11:00:00Z'))).toBe(utc('2024-08-07T20:00:00Z'));
    expect(sessionClose(utc('2024-08-07T20:00:00Z'))).toBe(utc('2024-08-08T20:00:00Z'));
    expect(sessionClose(utc('2024-11-29T15:00:00Z'))).toBe(utc('2024-11-29T18:00:00Z')); // early close
    expect(sessionClose(utc('2024-08-31T16:00:00Z'))).toBe(utc('2024-09-03T20:00:00Z')); // Saturday
  });

  it('throws outside the bundled years instead of guessing', () => {
    expect(() => isOpen(utc('2023-12-29T15:00:00Z'))).toThrow(/covers 2024-2026 only; 2023-12-29/);
    // Said to whoever asked (an API client of the gateway too): no path of the sources.
    expect(() => isOpen(utc('2027-01-04T15:00:00Z'))).toThrow(
      "NYSE calendar covers 2024-2026 only; 2027-01-04 is outside it (this version of execsim holds no other year's holidays and early closes)",
    );
    expect(() => isOpen(utc('2027-01-04T15:00:00Z'))).toThrow(/2027-01-04 is outside/);
    expect(() => nextOpen(LAST_CLOSE)).toThrow(/2027-01-01 is outside/);
    expect(() => sessionOnDate('2030-06-03')).toThrow(RangeError);
    expect(nextOpen(LAST_CLOSE - 1)).toBe(LAST_CLOSE - 1);
  });

  it('rejects a non-finite time', () => {
    expect(() => isOpen(Number.NaN)).toThrow(/finite/);
    expect(() => ALWAYS_OPEN.nextOpen(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});

describe('properties', () => {
  const inRange = fc.integer({ min: FIRST, max: LAST_CLOSE - 1 });

  it('nextOpen(t) >= t, the market is open then, and nothing opens in between', () => {
    fc.assert(
      fc.property(inRange, (t) => {
        const o = nextOpen(t);
        expect(o).toBeGreaterThanOrEqual(t);
        expect(isOpen(o)).toBe(true);
        expect(o === t).toBe(isOpen(t));
        if (o > t) expect(isOpen(o - 1)).toBe(false);
        const close = sessionClose(t);
        expect(close).toBeGreaterThan(o);
        expect(sessionAt(o)?.close).toBe(close);
      }),
      { numRuns: 2000 },
    );
  });

  it('isOpen(t) implies sessionAt(t) contains t', () => {
    fc.assert(
      fc.property(inRange, (t) => {
        const s = sessionAt(t);
        if (isOpen(t)) {
          expect(s).not.toBeNull();
          expect(s!.open <= t && t < s!.close).toBe(true);
        } else if (s) {
          expect(t < s.open || t >= s.close).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('24/7 is always open, in one endless session', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (t) => {
        expect(ALWAYS_OPEN.isOpen(t)).toBe(true);
        expect(ALWAYS_OPEN.nextOpen(t)).toBe(t);
        expect(ALWAYS_OPEN.sessionClose(t)).toBe(Number.POSITIVE_INFINITY);
        const s = ALWAYS_OPEN.sessionAt(t);
        expect(s && s.open <= t && t < s.close).toBe(true);
      }),
    );
  });

  it('NYSE_HOURS is the same calendar behind the TradingHours interface', () => {
    const t = utc('2024-08-07T15:00:00Z');
    expect(NYSE_HOURS.kind).toBe('calendar');
    expect(NYSE_HOURS.isOpen(t)).toBe(true);
    expect(NYSE_HOURS.sessionAt(t)).toEqual(sessionAt(t));
    expect(NYSE_HOURS.nextOpen(LAST_CLOSE - 1)).toBe(LAST_CLOSE - 1);
  });
});

// --- an independent derivation of the US holiday rules, on plain UTC dates ---
function iso(y: number, m: number, d: number): string {
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
}
function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();
/** The n-th `dow` (0 = Sunday) of a month. */
function nthWeekday(y: number, m: number, dow: number, n: number): string {
  const first = iso(y, m, 1);
  return addDays(first, ((dow - weekday(first) + 7) % 7) + 7 * (n - 1));
}
function lastWeekday(y: number, m: number, dow: number): string {
  const last = addDays(iso(y, m + 1, 1), -1);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
}
/** NYSE rule 7.2: Saturday -> the Friday before, Sunday -> the Monday after. (Except New Year's
 *  Day on a Saturday, which is not observed; no bundled year has that case.) */
function observed(date: string): string {
  const d = weekday(date);
  return d === 6 ? addDays(date, -1) : d === 0 ? addDays(date, 1) : date;
}
/** Easter Sunday, anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easterSunday(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(y, month, day);
}
