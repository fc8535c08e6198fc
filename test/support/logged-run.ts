// A backtest run with its event log kept, and the log's entries of one kind: how tests read what
// a run did (signals received, slices planned, fallback transitions) beside its report.
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { runScenario, type RunOptions, type RunReport } from '../../src/runtime/backtest-run.ts';
import type { LoadedScenario } from '../../src/scenario/load-scenario.ts';

/** One event kind's log entries, typed. */
export type EntryOf<K extends ExecEvent['kind']> = LogEntry<Extract<ExecEvent, { kind: K }>>;

/** The entries of kind `kind` in `log`, in log order. */
export function entriesOf<K extends ExecEvent['kind']>(log: readonly LogEntry[], kind: K): EntryOf<K>[] {
  return log.filter((e): e is EntryOf<K> => e.event.kind === kind);
}

export interface LoggedRun {
  readonly report: RunReport;
  /** Every entry the run logged, in order. */
  readonly log: readonly LogEntry[];
  /** The entries of one kind. */
  of<K extends ExecEvent['kind']>(kind: K): EntryOf<K>[];
}

/** Runs `loaded` to its end (runScenario with `options`), keeping every entry it logs. */
export function runLogged(loaded: LoadedScenario, options: Omit<RunOptions, 'onEntry'> = {}): LoggedRun {
  const log: LogEntry[] = [];
  const report = runScenario(loaded, { ...options, onEntry: (e) => log.push(e) });
  return { report, log, of: (kind) => entriesOf(log, kind) };
}
