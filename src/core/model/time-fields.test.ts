import { Instant } from '@js-joda/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectIs } from '../../../test/support/hot-expect.ts';
import { parseUtcInstant } from './time-fields.ts';

/** The instant js-joda reads from the same text (its strict ISO parser), or null when it refuses. */
function jsJoda(text: string): number | null {
  try {
    return Instant.parse(text.length === 17 ? text.replace('Z', ':00Z') : text).toEpochMilli();
  } catch {
    return null;
  }
}

function ours(text: string): number | null {
  try {
    return parseUtcInstant(text);
  } catch {
    return null;
  }
}

const digits = (n: number, max: number): fc.Arbitrary<string> =>
  fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));

// Well-formed texts whose fields range past what is real (month 13, day 31 of a short month,
// February 29th of a common year, hour 24, minute and second 60), with and without seconds and
// fractions of 1 to 9 digits.
const instantText = fc
  .tuple(
    digits(4, 9999),
    digits(2, 13),
    digits(2, 32),
    digits(2, 24),
    digits(2, 60),
    fc.option(fc.tuple(digits(2, 60), fc.option(fc.stringMatching(/^\d{1,9}$/)))),
  )
  .map(([y, mo, d, h, mi, sec]) => {
    const seconds = sec === null ? '' : `:${sec[0]}${sec[1] === null ? '' : `.${sec[1]}`}`;
    return `${y}-${mo}-${d}T${h}:${mi}${seconds}Z`;
  });

describe('parseUtcInstant', () => {
  // 20,000 texts take about 5 s on an idle core; at load 13 on two cores they took over 60 s.
  it('reads every well-formed text as the tz library does, and refuses what it refuses', () => {
    fc.assert(
      // 20,000 cases: expect is called only on a mismatch.
      fc.property(instantText, (text) => {
        expectIs(ours(text), jsJoda(text), text);
      }),
      { numRuns: 20_000 },
    );
  }, 300_000);

  it('reads the edges of the calendar', () => {
    expect(parseUtcInstant('2024-02-29T23:59:59.999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parseUtcInstant('0050-01-01T00:00Z')).toBe(jsJoda('0050-01-01T00:00Z'));
    expect(parseUtcInstant('2024-12-31T24:00Z')).toBe(Date.UTC(2025, 0, 1));
    expect(parseUtcInstant('2016-12-31T23:59:60Z')).toBe(jsJoda('2016-12-31T23:59:60Z'));
    expect(parseUtcInstant('2016-12-31T23:59:60.5Z')).toBe(jsJoda('2016-12-31T23:59:60.5Z'));
    expect(parseUtcInstant('2024-08-09T00:00:00.123456789Z')).toBe(Date.UTC(2024, 7, 9, 0, 0, 0, 123));
  });

  it('names the field out of its range', () => {
    expect(() => parseUtcInstant('2023-02-29T00:00:00Z')).toThrow(
      '"2023-02-29T00:00:00Z" is not a real instant: day 29 is not 01-28 in 2023-02',
    );
    expect(() => parseUtcInstant('2024-13-01T00:00Z')).toThrow('month 13 is not 01-12');
    expect(() => parseUtcInstant('2024-01-01T24:01Z')).toThrow('hour 24 is not 00-23 (or 24:00, the end of the day)');
    expect(() => parseUtcInstant('2024-01-01T00:60Z')).toThrow('minute 60 is not 00-59');
    expect(() => parseUtcInstant('2024-01-01T00:00:60Z')).toThrow('seconds are 00-59');
    expect(() => parseUtcInstant('2024-01-01 00:00Z')).toThrow(
      'is not an ISO-8601 UTC instant like 2024-08-09T00:00:00Z',
    );
  });
});
