// Scenario time fields: instants are ISO-8601 in UTC ("2024-08-09T00:00:00Z"); offsets from
// the start are ISO-8601 durations of exact length ("PT30S", "PT1H30M", "P1D", "P2W"). Instants
// are parsed with @js-joda, which is strict where Date.parse guesses; durations by the grammar
// below, so every message can say which form is wrong and why.
import { Instant } from '@js-joda/core';
import { BoundedMemo } from './bounded-memo.ts';

/** Instants and durations already parsed (a run reads its start, its length and every input's
 *  offset; a sweep does so per path): the same few texts, each parsed once. Bounded. */
const PARSED_INSTANTS = new BoundedMemo<string, number>(4096);
const PARSED_DURATIONS = new BoundedMemo<string, number>(4096);

/** Epoch ms of an ISO-8601 UTC instant; throws with the reason the text is not one. */
export function parseUtcInstant(text: string): number {
  return PARSED_INSTANTS.get(text) ?? PARSED_INSTANTS.remember(text, parseInstantText(text));
}

function parseInstantText(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/.test(text)) {
    throw new Error(`"${text}" is not an ISO-8601 UTC instant like 2024-08-09T00:00:00Z`);
  }
  return Instant.parse(text.length === 17 ? text.replace('Z', ':00Z') : text).toEpochMilli();
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
