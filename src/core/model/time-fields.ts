// Scenario time fields: instants are ISO-8601 in UTC ("2024-08-09T00:00:00Z"); offsets from
// the start are ISO-8601 durations of exact length ("PT30S", "PT1H30M", "P1D", "P2W"). Both are
// parsed by the grammars below, strictly where Date.parse guesses, so every message can say which
// form is wrong and why.
import { BoundedMemo } from './bounded-memo.ts';

/** Instants and durations already parsed (a run reads its start, its length and every input's
 *  offset; a sweep does so per path): the same few texts, each parsed once. Bounded. */
const PARSED_INSTANTS = new BoundedMemo<string, number>(4096);
const PARSED_DURATIONS = new BoundedMemo<string, number>(4096);

/** Epoch ms of an ISO-8601 UTC instant; throws with the reason the text is not one. */
export function parseUtcInstant(text: string): number {
  return PARSED_INSTANTS.get(text) ?? PARSED_INSTANTS.remember(text, parseInstantText(text));
}

// YYYY-MM-DDTHH:MM, optional seconds with up to nine digits of fraction, and Z.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z$/;

function parseInstantText(text: string): number {
  const m = INSTANT.exec(text);
  if (!m) throw new Error(`"${text}" is not an ISO-8601 UTC instant like 2024-08-09T00:00:00Z`);
  const [y, mo, d, h, mi, written] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // A leap second (23:59:60) is read as the second before it, as ISO instant parsers do.
  const s = h === 23 && mi === 59 && written === 60 ? 59 : written;
  // A fraction finer than a millisecond is cut, not rounded: the instant it names has begun.
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  // setUTCFullYear takes years below 100 as written (Date.UTC would read 0050 as 1950); an
  // out-of-range field carries into the next (February 30th becomes March 1st or 2nd, 24:00 the
  // next day), so the text names a real instant only when the instant reads back as written.
  // ISO-8601's end of a day, 24:00 (with nothing after it), is the next day's 00:00.
  const endOfDay = h === 24 && mi === 0 && s === 0 && ms === 0 && !/[1-9]/.test(m[7] ?? '');
  const at = new Date(0);
  at.setUTCFullYear(y, mo - 1, d);
  at.setUTCHours(endOfDay ? 0 : h, mi, s, ms);
  const real =
    at.getUTCFullYear() === y &&
    at.getUTCMonth() === mo - 1 &&
    at.getUTCDate() === d &&
    at.getUTCHours() === (endOfDay ? 0 : h) &&
    at.getUTCMinutes() === mi &&
    at.getUTCSeconds() === s;
  if (!real) throw new Error(`"${text}" is not a real instant: ${outOfRange(y, mo, d, h, mi)}`);
  return endOfDay ? at.getTime() + 86_400_000 : at.getTime();
}

/** Which field of a well-formed but impossible instant is out of its range. */
function outOfRange(y: number, mo: number, d: number, h: number, mi: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  if (mo < 1 || mo > 12) return `month ${two(mo)} is not 01-12`;
  const last = new Date(0);
  last.setUTCFullYear(y, mo, 0);
  const days = last.getUTCDate();
  if (d < 1 || d > days) return `day ${two(d)} is not 01-${days} in ${String(y).padStart(4, '0')}-${two(mo)}`;
  if (h > 23) return `hour ${two(h)} is not 00-23 (or 24:00, the end of the day)`;
  if (mi > 59) return `minute ${two(mi)} is not 00-59`;
  return 'seconds are 00-59';
}

/** The duration forms a scenario may use, for messages. */
const DURATION_FORMS = 'PnW, PnD, PTnH, PTnM, PTnS and combinations like P1DT12H or PT1M30.5S';

// Weeks, days, then after T hours, minutes and seconds (a fraction only on seconds, "." or ",").
// Every part is a whole number of a unit of fixed length: a day is 24 hours (UTC has no
// daylight saving), a week 7 days. Months and years vary in length and are refused.
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d+))?S)?)?$/i;
const MS = { W: 604_800_000n, D: 86_400_000n, H: 3_600_000n, M: 60_000n, S: 1_000n } as const;

/** Milliseconds of an exact ISO-8601 duration; throws with the reason the text is not one. */
export function parseDurationMs(text: string): number {
  return PARSED_DURATIONS.get(text) ?? PARSED_DURATIONS.remember(text, parseDurationText(text));
}

function parseDurationText(text: string): number {
  const m = DURATION.exec(text);
  const bare = /^P(T)?$/i.test(text) || /T$/i.test(text);
  if (!m || bare) {
    if (/^[-+]/.test(text) || /P.*-/i.test(text))
      throw new Error(`duration "${text}" is negative: offsets and lengths are never negative`);
    if (/^P(?:\d+[.,]?\d*[YMWD])*\d+[.,]?\d*[YM]/i.test(text)) {
      throw new Error(
        `"${text}" uses months or years, which have no fixed length: write days or weeks instead (P30D, P365D, P4W); supported: ${DURATION_FORMS}`,
      );
    }
    throw new Error(`"${text}" is not an ISO-8601 duration like PT30S, PT1H or P1D (supported: ${DURATION_FORMS})`);
  }
  const [, w, d, h, min, s, frac] = m;
  const fraction = frac ?? '';
  if (/[1-9]/.test(fraction.slice(3)))
    throw new Error(`duration "${text}" is finer than a millisecond: the clock counts whole milliseconds`);
  const part = (digits: string | undefined, unit: bigint): bigint =>
    digits === undefined ? 0n : BigInt(digits) * unit;
  const ms =
    part(w, MS.W) +
    part(d, MS.D) +
    part(h, MS.H) +
    part(min, MS.M) +
    part(s, MS.S) +
    BigInt(fraction.slice(0, 3).padEnd(3, '0'));
  if (ms > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`duration "${text}" is too long: at most ${Number.MAX_SAFE_INTEGER} ms`);
  return Number(ms);
}
