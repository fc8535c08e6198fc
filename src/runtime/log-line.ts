// A canonical log line turned back into the log entry the store's writer needs (the writer
// thread gets lines, not entries: store-writer.ts), reading only the payloads the order and
// fill projections are folded from.
import type { LogEntry } from '../core/model/events.ts';
import { ORDER_EVENT_KINDS } from '../core/model/order-status.ts';

/** The kinds whose payload the writer reads: those the order ledger folds into the order and
 *  fill projections (OrderLedger.apply) and those RunWriter writes rows from. Every other kind is
 *  stored as its line has it and is not parsed (market samples are most of a run's log). */
export const PARSED_KINDS = new Set<string>([
  ...ORDER_EVENT_KINDS,
  'OrderCreated',
  'ParentOrderCreated',
  'ParentCancelRequested',
  'ParentStopped',
  'ParentOrderCompleted',
  'OrphanDetected',
  'OrphanResolved',
  'AccountBaseline',
  'PositionCorrected',
]);

/** A canonical log line ("seq time kind payload\n") as the log entry the writer needs. */
export function entryOfLine(line: string): LogEntry {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  const kind = line.slice(b + 1, c);
  return {
    seq: Number(line.slice(0, a)),
    time: Number(line.slice(a + 1, b)),
    event: (PARSED_KINDS.has(kind)
      ? { kind, ...(JSON.parse(line.slice(c + 1, -1)) as object) }
      : { kind }) as LogEntry['event'],
  };
}
