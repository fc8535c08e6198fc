// The progress printer of one paper run or session, built from what the command has: its
// scenario (the instruments its lines show quantities and prices in), its Io (stderr, and
// whether that is a terminal) and the venue's keys (kept out of every line).
import type { LogEntry } from '../../core/model/events.ts';
import { makeInstrument, type Instrument } from '../../core/model/instrument.ts';
import { scenarioInstruments } from '../../scenario/scenario-requests.ts';
import type { ScenarioFile } from '../../scenario/schema.ts';
import type { Io } from '../io.ts';
import { LivePrinter } from './live-printer.ts';
import { RunWatch } from './run-watch.ts';

export interface RunProgressOptions {
  readonly secrets: readonly string[];
  /** Wall ms between status lines (0: none); default by whether stderr is a terminal. */
  readonly statusEveryMs?: number | undefined;
  /** The stored log of a resumed run, folded in without lines. */
  readonly prior?: Iterable<LogEntry>;
}

/** The run's instruments, its own first. */
export function runInstruments(s: ScenarioFile): Instrument[] {
  const first = makeInstrument(s.instrument);
  return s.otherInstruments.length > 0 ? [...scenarioInstruments(s, first).all] : [first];
}

export function runProgress(s: ScenarioFile, io: Io, options: RunProgressOptions): LivePrinter {
  const watch = new RunWatch(runInstruments(s), options.secrets);
  if (options.prior) watch.seed(options.prior);
  return new LivePrinter(watch, {
    line: (t) => io.err(t),
    tty: io.progress ?? null,
    ...(options.statusEveryMs === undefined ? {} : { statusEveryMs: options.statusEveryMs }),
  });
}
