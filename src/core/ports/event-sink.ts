// Where appended log entries go besides the in-memory fold: the SQLite batch writer in runs,
// an array in tests. `line` is the entry's canonical text (what the digest hashed).
import type { LogEntry } from '../model/events.ts';

export interface EventSink {
  write(entry: LogEntry, line: string): void;
  /** Makes everything written so far durable, in one transaction (before an order goes out). */
  commit?(): void;
}
