// A stored log and the market samples stored beside it, put back in the order they were written:
// a sample carries the seq of the entry it followed, so it comes after that entry and before the
// next (samples of one seq in the order taken).
import type { LogEntry, MarketSampled } from '../model/events.ts';

/** `entries` (seq order) with `samples` (the order taken) between them. */
export function* withSamples(
  entries: readonly LogEntry[],
  samples: readonly LogEntry<MarketSampled>[],
): Generator<LogEntry> {
  let next = 0;
  for (const entry of entries) {
    while (next < samples.length && (samples[next] as LogEntry).seq < entry.seq) yield samples[next++] as LogEntry;
    yield entry;
  }
  while (next < samples.length) yield samples[next++] as LogEntry;
}
