// `execsim resume <runId>`: continues a paper run whose process died (kill -9, power loss) or was
// stopped by a signal, from the store: startup reconciliation with the venue, zombie-slice
// recovery, fill watches resumed, the scenario's inputs not yet due rescheduled. Only paper runs
// are resumed: a backtest is reproducible and is run again. The run is checked first (known,
// a paper run, crashed or stopped), then the flags and keys of its scenario's venue, and only
// then is anything said of resuming it: a mistyped id gets one message and no request for keys.
import { resolve } from 'node:path';
import { RunInterrupted, resumePaper } from '../runtime/paper-run.ts';
import { parseScenarioFile } from '../scenario/load-scenario.ts';
import { openExistingDatabase } from '../store/open-database.ts';
import { ResumeRefused, RunStore } from '../store/run-store.ts';
import { localLiveness, resumeRefusal } from '../store/run-state.ts';
import { formatReport } from './format-report.ts';
import { dbPath, parseCommand, SIGNAL_EXIT, UsageError, type InterruptSignalName, type Io } from './io.ts';
import { paperVenue, venueFlags, type PaperVenue } from './paper-venue.ts';
import { RESUME_HELP, RESUME_USAGE } from './resume-help.ts';
import { resumeCommandLine } from './resume-line.ts';
import { sayStored } from './stored-line.ts';
import { parseStatusEvery } from './progress/progress-flags.ts';
import { runProgress, type RunProgressOptions } from './progress/run-progress.ts';
import type { LivePrinter } from './progress/live-printer.ts';

export async function resumeCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      db: { type: 'string' },
      'venue-url': { type: 'string' },
      'market-hours': { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'status-every': { type: 'string' },
    },
    RESUME_USAGE,
  );
  if (values.help) {
    io.out(RESUME_HELP);
    return 0;
  }
  const [runId, ...extra] = positionals;
  if (runId === undefined) throw new UsageError('resume needs a run id (execsim runs lists them)', RESUME_USAGE);
  if (extra.length > 0) throw new UsageError(`resume takes one run id, got "${extra[0]}" too`, RESUME_USAGE);
  venueFlags(values['venue-url'], values['market-hours'], RESUME_USAGE);
  const statusEveryMs = parseStatusEvery(values['status-every'], RESUME_USAGE);
  // The run to resume is in the database already: a missing one is not created (a mistyped
  // --db would otherwise leave a new empty database behind an answer of "no run").
  const path = dbPath(values.db, io);
  const store = new RunStore(openExistingDatabase(path, 'write'));
  let removeHandlers: (() => void) | undefined;
  let lines: LivePrinter | null = null;
  let venue: PaperVenue | null = null;
  try {
    refuseUnresumable(store, runId, path);
    const venueName = store.getRun(runId)?.venue ?? '';
    const endpoint = storedEndpoint(store.scenarioJson(runId));
    venue = paperVenue({ name: venueName, endpoint }, values['venue-url'], values['market-hours'], io, RESUME_USAGE);
    const stop = new AbortController();
    removeHandlers = io.onInterrupt?.((signal) => stop.abort(signal));
    if (!values.quiet) {
      io.err(`execsim: resuming ${runId} on ${venue.url}`);
      lines = resumedProgress(store, runId, io, { secrets: venue.secrets(), statusEveryMs });
      lines?.start();
    }
    const printer = lines;
    const report = await resumePaper(runId, {
      store,
      venue: await venue.factory(),
      venueUrl: venue.url,
      venueUrlFrom: venue.urlFrom,
      marketHours: venue.marketHours,
      signal: stop.signal,
      warn: (m) => io.err(`execsim: ${m}`),
      ...(values.quiet ? {} : { note: (m: string) => io.err(`execsim: ${m}`) }),
      ...(printer ? { onEntry: (e) => printer.entry(e) } : {}),
    });
    lines?.stop();
    io.out(values.json ? JSON.stringify(report) : formatReport(report, true, 'paper') + '\n');
    if (!values.quiet) sayStored(io, `run ${report.runId}`, path, values.json);
    return report.passed ? 0 : 1;
  } catch (err) {
    if (!(err instanceof RunInterrupted)) throw err;
    const resume = venue
      ? resumeCommandLine(err.runId, { db: resolve(path), venueUrl: venue.url, marketHours: venue.marketHours })
      : `execsim resume ${err.runId}`;
    io.err(`execsim: paper run ${err.runId} interrupted: ${err.reason}; continue it with ${resume}`);
    return SIGNAL_EXIT[err.reason as InterruptSignalName] ?? SIGNAL_EXIT.SIGINT;
  } finally {
    lines?.stop();
    removeHandlers?.();
    store.db.close();
  }
}

/** Throws ResumeRefused (one message, exit 2) unless `runId` is a paper run whose process died
 *  or was stopped (resumeRefusal); resumePaper checks again when it takes the run over. */
function refuseUnresumable(store: RunStore, runId: string, path: string): void {
  const refusal = resumeRefusal(runId, store.getRun(runId), localLiveness(), path);
  if (refusal !== null) throw new ResumeRefused(refusal);
}

/** The stored scenario's venue.endpoint (which of the venue's paper venues the run traded on). */
function storedEndpoint(scenarioJson: string): string | undefined {
  try {
    const endpoint = (JSON.parse(scenarioJson) as { venue?: { endpoint?: unknown } }).venue?.endpoint;
    return typeof endpoint === 'string' ? endpoint : undefined;
  } catch {
    return undefined; // resumePaper reads the scenario again and says what is wrong with it
  }
}

/** The progress lines of a resumed run, its stored log folded in first; null when the stored
 *  scenario does not read (resumePaper then says what is wrong with it). */
function resumedProgress(
  store: RunStore,
  runId: string,
  io: Io,
  options: Omit<RunProgressOptions, 'prior'>,
): LivePrinter | null {
  let scenario;
  try {
    scenario = parseScenarioFile(store.scenarioJson(runId), `run ${runId}`).scenario;
  } catch {
    return null;
  }
  return runProgress(scenario, io, { ...options, prior: store.entries(runId) });
}
