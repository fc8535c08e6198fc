import { Instant, LocalDate, LocalTime, ZoneId, ZonedDateTime } from '@js-joda/core';
import '@js-joda/timezone';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../../test/support/hot-expect.ts';
import { dayOfWeek, newYorkDate, newYorkInstant, newYorkOffsetMs, nextDate, RULE_FIRST_YEAR } from './new-york-time.ts';

// The written-out rule against the tz database (js-joda's), instant by instant and date by date.
const NEW_YORK = ZoneId.of('America/New_York');
const FROM = Date.UTC(RULE_FIRST_YEAR, 0, 1, 5);
const TO = Date.UTC(2100, 0, 1);

describe('New York time from the US daylight-saving rule', () => {
  it('has the tz database offset and date at any instant from 2007 on', () => {
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO }), (t) => {
        const zoned = Instant.ofEpochMilli(t).atZone(NEW_YORK);
        expectIs(newYorkOffsetMs(t), zoned.offset().totalSeconds() * 1000);
        expectIs(newYorkDate(t), zoned.toLocalDate().toString());
      }),
      { numRuns: 5_000 },
    );
  });

  it('has the offset on both sides of every transition, to the millisecond', () => {
    const offset = (t: number): number => Instant.ofEpochMilli(t).atZone(NEW_YORK).offset().totalSeconds() * 1000;
    for (let year = RULE_FIRST_YEAR; year < 2100; year++) {
      // Each transition found in the tz database by bisection: the first millisecond of the new offset.
      for (const [from, to] of [
        [Date.UTC(year, 1, 1), Date.UTC(year, 5, 1)],
        [Date.UTC(year, 8, 1), Date.UTC(year, 11, 31)],
      ] as const) {
        let lo = from;
        let hi = to;
        expect(offset(lo)).not.toBe(offset(hi));
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (offset(mid) === offset(lo)) lo = mid;
          else hi = mid;
        }
        expect(newYorkOffsetMs(lo), `${year}`).toBe(offset(lo));
        expect(newYorkOffsetMs(hi), `${year}`).toBe(offset(hi));
      }
    }
  });

  it('puts midnight and the session times of every date where the tz database does', () => {
    let date = LocalDate.of(RULE_FIRST_YEAR, 1, 1);
    // Checked for every date of 30 years: expect is called only on a mismatch.
    for (let i = 0; i < 366 * 30; i++, date = date.plusDays(1)) {
      const iso = date.toString();
      for (const minute of [0, 9 * 60 + 30, 13 * 60, 16 * 60]) {
        const expected = ZonedDateTime.of(date, LocalTime.ofSecondOfDay(minute * 60), NEW_YORK)
          .toInstant()
          .toEpochMilli();
        expectIs(newYorkInstant(iso, minute), expected, `${iso} ${minute}`);
      }
      expectIs(dayOfWeek(iso), date.dayOfWeek().value() % 7);
      expectIs(nextDate(iso), date.plusDays(1).toString());
    }
  });

  it('refuses a date that is not real or not in YYYY-MM-DD form, and years before the rule', () => {
    for (const bad of ['2025-02-30', '2025-13-01', '2025-1-01', '20250101', '', '2024-02-30'])
      expect(() => newYorkInstant(bad, 0), bad).toThrow(/is not a date in YYYY-MM-DD form/);
    expect(newYorkInstant('2024-02-29', 0)).toBe(Date.UTC(2024, 1, 29, 5));
    expect(() => newYorkOffsetMs(Date.UTC(2006, 5, 1))).toThrow(/from 2007 on; 2006 is earlier/);
  });
});
