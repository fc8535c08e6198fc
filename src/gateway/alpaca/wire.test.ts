// The timestamps the Alpaca gateway's query parameters take (after, until, start, end): RFC 3339
// or a date, in the calendar, a time without an offset read as UTC.
import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseTime } from './wire.ts';

describe('parseTime', () => {
  it('reads every real date and time, with or without an offset, the same on any server', () => {
    // A server in another time zone than UTC reads a time without an offset as UTC all the same.
    const zone = process.env['TZ'];
    process.env['TZ'] = 'Asia/Tokyo';
    onTestFinished(() => {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    });
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: -12, max: 12 }),
        (d, offsetHours) => {
          const iso = d.toISOString(); // 2024-02-29T13:45:12.345Z
          expect(parseTime(iso)).toBe(d.getTime());
          expect(parseTime(iso.slice(0, 23))).toBe(d.getTime()); // no offset: UTC
          expect(parseTime(iso.slice(0, 10))).toBe(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
          const sign = offsetHours < 0 ? '-' : '+';
          const off = `${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
          expect(parseTime(`${iso.slice(0, 23)}${off}`)).toBe(d.getTime() - offsetHours * 3_600_000);
        },
      ),
    );
  });

  it('refuses a date that is not in the calendar, and what is no RFC 3339 time', () => {
    for (const bad of ['2024-02-30', '2023-02-29', '2024-04-31T00:00:00Z', '2024-13-01', '2024-00-10', '2024-01-00'])
      expect(parseTime(bad), bad).toBeNull();
    for (const bad of ['yesterday', '1704067200000', '2024-1-1', '2024-01-01T25'])
      expect(parseTime(bad), bad).toBeNull();
    expect(parseTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
});
