// The engine's one way to write: an event is appended to the log and folded into the ledger,
// and what the fold derived (an inferred fill, a status change) is appended and folded after it.
import type { ExecEvent, LogEntry } from '../model/events.ts';
import type { EventLog } from '../log/event-log.ts';
import type { AppliedTrade, DerivedEvent, OrderLedger } from '../order/order-ledger.ts';

/** A logged entry and the trades its own fold added. */
export interface Folded<E extends ExecEvent> {
  readonly entry: LogEntry<E>;
  readonly trades: readonly AppliedTrade[];
}

/** Logs an event, folds it into the ledger, and logs and folds what the fold derived; returns
 *  the entry and the trades the event's own fold added. The ledger's appliedTrades are the last
 *  fold's, and the derived events folded after it (an inferred fill, a status change) add none,
 *  so they are taken before those: a report's inferred fill reaches the fill monitor. */
export function appendAndFold<E extends ExecEvent>(log: EventLog, ledger: OrderLedger, event: E): Folded<E> {
  const entry = log.append(event);
  const derived = ledger.apply(entry);
  const trades = ledger.appliedTrades;
  for (let i = 0; i < derived.length; i++) ledger.apply(log.append(derived[i] as DerivedEvent));
  return { entry, trades };
}

/** appendAndFold without the trades: no result object for every event of the run. */
export function record<E extends ExecEvent>(log: EventLog, ledger: OrderLedger, event: E): LogEntry<E> {
  const entry = log.append(event);
  const derived = ledger.apply(entry);
  for (let i = 0; i < derived.length; i++) ledger.apply(log.append(derived[i] as DerivedEvent));
  return entry;
}
