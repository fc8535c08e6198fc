// Scenario time fields: instants are ISO-8601 in UTC ("2024-08-09T00:00:00Z"); offsets from
// the start are ISO-8601 durations ("PT30S", "PT1H30M"). Parsed with @js-joda, which is strict
// where Date.parse guesses.
import { Duration, Instant } from '@js-joda/core';

export function parseUtcInstant(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/.test(text)) {
    throw new Error(`"${text}" is not an ISO-8601 UTC instant like 2024-08-09T00:00:00Z`);
  }
  return Instant.parse(text.length === 17 ? text.replace('Z', ':00Z') : text).toEpochMilli();
}

export function parseDurationMs(text: string): number {
  let d: Duration;
  try {
    d = Duration.parse(text);
  } catch {
    throw new Error(`"${text}" is not an ISO-8601 duration like PT30S or PT1H`);
  }
  const ms = d.toMillis();
  if (ms < 0) throw new Error(`duration "${text}" is negative`);
  return ms;
}
