// Where appended log entries go besides the in-memory fold: the SQLite batch writer in runs,
// an array in tests. `line` is the entry's canonical line (what the digest hashed).
import type { LogEntry } from '../model/events.ts';

/** An appended entry's canonical line, lent to each sink for the length of its write() call:
 *  its bytes live in the log's buffer, which is reused after it. */
export interface LogLine {
  /** The line as text (decoded on first use, the same string for every sink). */
  text(): string;
  /** Its length in UTF-8 bytes. */
  readonly byteLength: number;
  /** Copies its UTF-8 bytes into `target` at `offset` (which has room for byteLength). */
  copyTo(target: Uint8Array, offset: number): void;
}

export interface EventSink {
  write(entry: LogEntry, line: LogLine): void;
  /** Makes everything written so far durable, in one transaction (before an order goes out). */
  commit?(): void;
}
