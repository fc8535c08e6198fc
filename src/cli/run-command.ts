// `execsim run <file|dir...>`: validates every scenario first (a bad one runs nothing and writes
// nothing), then runs each, stores it and prints its report. In the execsim process the runs go
// through runScenarioAsync, which lets the event loop run between chunks of simulation so that
// SIGINT, SIGTERM and SIGHUP are handled: the current run is marked 'interrupted' in the store
// and the command exits 128 + the signal's number (130, 143, 129). On a terminal a long run shows its
// progress on stderr; a run estimated above WARN_SIM_EVENTS simulated events is announced first.
import { randomUUID } from 'node:crypto';
import { ReplayFileError } from '../scenario/replay-file.ts';
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  RunInterrupted,
  runScenario,
  runScenarioAsync,
  type RunOptions,
  type RunReport,
} from '../runtime/backtest-run.ts';
import { runPaper } from '../runtime/paper-run.ts';
import {
  loadAnyScenarioFile,
  ScenarioError,
  simulatedScenario,
  type LoadedScenario,
} from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { paperWarnings } from '../scenario/paper-mode.ts';
import { LIVE_VENUES } from '../live/venue-registry.ts';
import { estimateRunEvents } from '../scenario/run-limits.ts';
import { MAX_SIM_EVENTS } from '../scenario/event-limit.ts';
import { firstMissingOnPath, openDatabase, removeCreatedDatabase } from '../store/open-database.ts';
import { RunStore } from '../store/run-store.ts';
import { storedVenueUrl } from '../store/stored-venue-url.ts';
import { replayCacheDir } from '../scenario/replay-cache-location.ts';
import { formatReport } from './format-report.ts';
import { progressDrawer, type Drawer } from './backtest-progress.ts';
import { runProgress } from './progress/run-progress.ts';
import { runTable } from './run-table.ts';
import { sayStored } from './stored-line.ts';
import { parseStatusEvery, QUIET_HELP, STATUS_EVERY_HELP } from './progress/progress-flags.ts';
import { PAPER_FLAGS_HELP, paperVenue, type PaperVenue } from './paper-venue.ts';
import { resumeCommandLine } from './resume-line.ts';
import { trading } from './closed-output.ts';
import {
  DB_FLAG_HELP,
  dbPath,
  parseCommand,
  parseSeed,
  SIGNAL_EXIT,
  UsageError,
  type InterruptSignalName,
  type Io,
} from './io.ts';
import { groupedDigits } from '../core/model/count-text.ts';

export { span } from './span.ts';
export { runProgressLine } from './backtest-progress.ts';

/** Runs estimated above this many simulated events get a warning before they start. */
export const WARN_SIM_EVENTS = 5_000_000;

export const RUN_USAGE =
  'usage: execsim run <file|dir...> [--seed N] [--db PATH | --no-store] [--json] [--mode backtest|paper] [--venue-url URL] [--market-hours venue|always] [--quiet] [--status-every S]';

export const RUN_HELP = `${RUN_USAGE}
Validates every scenario file (a directory: the .yaml files in it) before any runs, then runs
each, stores it in the database (created if missing) and prints its report.
  --seed N      the seed of every run, 0 to 2^53 - 1 (default: each scenario's own seed)
${DB_FLAG_HELP}
  --no-store    run without opening or writing a database (the same report and digest):
                quick checks; backtests only, not with --db
A replay's parsed cache goes in replay-cache/ beside the database (EXECSIM_REPLAY_CACHE
overrides it; with --no-store, ~/.cache/execsim/replay): execsim data list --db PATH.
  --json        one JSON report per run, one per line
${QUIET_HELP}
${STATUS_EVERY_HELP}
${PAPER_FLAGS_HELP}
  -h, --help    this help
On a terminal, a backtest shows its progress on stderr (simulated time done and in all, events,
time left); nothing is drawn when stderr is not a terminal. A paper run prints a line on stderr per
notable event (warm-up, signals, parents, fills, venue errors, readiness) and a status line.
With a store, where the runs went is said last (stderr with --json). Several scenarios end with a
table: each one's result, fills, shortfall and net P&L. A run estimated above
${groupedDigits(WARN_SIM_EVENTS)} simulated events (the limit is ${groupedDigits(MAX_SIM_EVENTS)}) is announced on stderr first.
Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the current run: it is stored as interrupted, and the
scenarios after it are not run.
Exit codes: 0 every run's expectations held, 1 an expectation failed, 2 bad input (a bad
scenario, flag or database: nothing is run or written), 130 SIGINT, 143 SIGTERM, 129 SIGHUP.`;

interface Prepared {
  /** Each scenario as its file states it: one that runs as a backtest was checked to have its
   *  start and market (simulatedScenario), a paper run's may leave them out. */
  readonly loaded: readonly LoadedScenario<ScenarioFile>[];
  /** Null with --no-store: nothing is opened or written. */
  readonly store: RunStore | null;
  readonly seed: number | undefined;
  readonly json: boolean;
  /** The venue of each venue.name that scenarios run on as paper runs (null: all backtests). */
  readonly paper: ReadonlyMap<string, PaperVenue> | null;
  /** The mode the flag forces, or null: each scenario's own. */
  readonly mode: 'backtest' | 'paper' | null;
  /** Where replays' parsed caches live with a store: EXECSIM_REPLAY_CACHE, else beside it
   *  (replay-cache-location.ts); undefined with --no-store: the environment's, as the replay finds it. */
  readonly replayCacheDir: string | null | undefined;
  /** --quiet: the reports and errors only. */
  readonly quiet: boolean;
  /** --status-every in wall ms, or undefined: by whether stderr is a terminal. */
  readonly statusEveryMs: number | undefined;
  /** The database's absolute path (null with --no-store). */
  readonly dbFile: string | null;
  /** What this command created to hold the database (the file, or the first folder that was
   *  missing on its path); null when the database was there already. */
  readonly createdPath: string | null;
}

const isPaper = (p: Pick<Prepared, 'mode'>, s: LoadedScenario<ScenarioFile>): boolean =>
  (p.mode ?? s.scenario.mode) === 'paper';

/** A paper venue is one per venue and endpoint (Binance's Demo Mode and testnet are two). */
const paperKey = (v: { readonly name: string; readonly endpoint?: string | undefined }): string =>
  `${v.name}|${v.endpoint ?? ''}`;

/** Parses and validates everything and opens the store; a number when there is nothing to run
 *  (--help). Bad input throws before anything is written. */
function prepare(args: readonly string[], io: Io): Prepared | number {
  const { values, positionals } = parseCommand(
    args,
    {
      seed: { type: 'string' },
      db: { type: 'string' },
      'no-store': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      mode: { type: 'string' },
      'venue-url': { type: 'string' },
      'market-hours': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'status-every': { type: 'string' },
    },
    RUN_USAGE,
  );
  if (values.help) {
    io.out(RUN_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('run needs at least one scenario file or directory', RUN_USAGE);
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed, RUN_USAGE);
  const statusEveryMs = parseStatusEvery(values['status-every'], RUN_USAGE);
  const noStore = values['no-store'];
  if (noStore && values.db !== undefined)
    throw new UsageError('--no-store runs without a database: it cannot be given with --db', RUN_USAGE);
  // Validate everything first: a bad file must not leave half the runs written, and every bad
  // file is reported, not just the first.
  const mode = values.mode ?? null;
  if (mode !== null && mode !== 'backtest' && mode !== 'paper')
    throw new UsageError(`--mode must be backtest or paper, got "${mode}"`, RUN_USAGE);
  const loaded = loadAll(positionals, mode);
  const paperRuns = loaded.filter((l) => isPaper({ mode }, l));
  // A backtest takes neither (its venue is simulated and keeps no hours of its own): given, they
  // are refused rather than ignored, whatever their value.
  for (const flag of ['venue-url', 'market-hours'] as const)
    if (paperRuns.length === 0 && values[flag] !== undefined)
      throw new UsageError(`--${flag} is for paper runs (--mode paper, or mode: paper in the scenario)`, RUN_USAGE);
  let paper: Map<string, PaperVenue> | null = null;
  if (paperRuns.length > 0) {
    // Every file on a venue without a paper adapter, in one message.
    const refusals = paperRuns.flatMap((l) => {
      const why = LIVE_VENUES.refusal(l.scenario.venue.name);
      return why === null ? [] : [`${l.file}: ${why}`];
    });
    if (refusals.length > 0) throw new UsageError(refusals.join('\n'), RUN_USAGE);
    if (seed !== undefined) throw new UsageError('--seed is for backtests: a paper run trades on the venue', RUN_USAGE);
    if (noStore)
      throw new UsageError('--no-store is for backtests: a paper run is stored so that it can be resumed', RUN_USAGE);
    paper = new Map();
    for (const l of paperRuns) {
      const key = paperKey(l.scenario.venue);
      if (!paper.has(key))
        paper.set(key, paperVenue(l.scenario.venue, values['venue-url'], values['market-hours'], io, RUN_USAGE));
    }
  }
  const dbFile = noStore ? null : dbPath(values.db, io);
  const createdPath = dbFile === null ? null : firstMissingOnPath(resolve(dbFile));
  const store = dbFile === null ? null : new RunStore(openDatabase(dbFile));
  const replayCache = dbFile === null ? undefined : replayCacheDir(io.env, homedir(), dbFile);
  return {
    loaded,
    store,
    seed,
    json: values.json,
    paper,
    mode,
    replayCacheDir: replayCache,
    quiet: values.quiet,
    statusEveryMs,
    dbFile: dbFile === null ? null : resolve(dbFile),
    createdPath,
  };
}

/** The runs one after the other, in this call: the event loop does not run meanwhile, so
 *  signals are not handled (main; embedding and tests). */
export function runCommand(args: readonly string[], io: Io): number {
  const p = prepare(args, io);
  if (typeof p === 'number') return p;
  if (p.paper !== null) {
    p.store?.db.close();
    throw new UsageError('paper runs trade on the wall clock: run them with the execsim command', RUN_USAGE);
  }
  try {
    const reports: RunReport[] = [];
    for (const scenario of p.loaded) {
      const progress = announce(scenario, io, p.quiet);
      try {
        reports.push(print(runScenario(simulatedScenario(scenario), runOptions(p, progress)), p, io));
      } finally {
        progress?.clear();
      }
    }
    return summary(reports, p, io);
  } finally {
    p.store?.db.close();
  }
}

/**
 * The runs with the event loop running between chunks of simulation (the `execsim` process):
 * SIGINT, SIGTERM or SIGHUP stop the current run, which is stored as interrupted, and the
 * command returns 128 + the signal's number. Bad input throws before the promise.
 */
export function runCommandAsync(args: readonly string[], io: Io): number | Promise<number> {
  const p = prepare(args, io);
  if (typeof p === 'number') return p;
  return runAll(p, io).then(
    (code) => {
      p.store?.db.close();
      return code;
    },
    (err: unknown) => {
      // A command that stored nothing (a paper run whose venue cannot be reached) leaves no
      // database it created behind, nor the folders it made for it.
      const empty = p.store !== null && p.store.listRuns(1).length === 0;
      p.store?.db.close();
      if (empty && p.createdPath !== null && p.dbFile !== null) removeCreatedDatabase(p.createdPath, p.dbFile);
      throw err;
    },
  );
}

async function runAll(p: Prepared, io: Io): Promise<number> {
  const stop = new AbortController();
  const removeHandlers = io.onInterrupt?.((signal) => stop.abort(signal));
  const exitCode = (reason: unknown): number => SIGNAL_EXIT[reason as InterruptSignalName] ?? SIGNAL_EXIT.SIGINT;
  try {
    const reports: RunReport[] = [];
    for (const scenario of p.loaded) {
      if (stop.signal.aborted) return exitCode(stop.signal.reason);
      const paper = isPaper(p, scenario) ? p.paper?.get(paperKey(scenario.scenario.venue)) : undefined;
      if (paper !== undefined && p.store !== null) {
        for (const w of paperWarnings(scenario.scenario)) io.err(`execsim: ${scenario.file}: ${w}`);
        if (!p.quiet)
          io.err(`execsim: ${scenario.scenario.name}: paper run on ${storedVenueUrl(paper.url) ?? paper.url}`);
        const lines = p.quiet
          ? null
          : runProgress(scenario.scenario, io, { secrets: paper.secrets(), statusEveryMs: p.statusEveryMs });
        lines?.start();
        try {
          const store = p.store;
          const venue = await paper.factory();
          const report = await trading(() =>
            runPaper(scenario, {
              store,
              venue,
              venueUrl: paper.url,
              venueUrlFrom: paper.urlFrom,
              marketHours: paper.marketHours,
              signal: stop.signal,
              warn: (m) => io.err(`execsim: ${m}`),
              ...(p.quiet ? {} : { note: (m: string) => io.err(`execsim: ${m}`) }),
              ...(lines ? { onEntry: (e) => lines.entry(e) } : {}),
            }),
          );
          lines?.stop();
          reports.push(print(report, p, io, 'paper'));
        } catch (err) {
          if (!(err instanceof RunInterrupted)) throw err;
          const resume = resumeCommandLine(err.runId, {
            db: p.dbFile as string,
            venueUrl: paper.url,
            marketHours: paper.marketHours,
          });
          io.err(`execsim: paper run ${err.runId} interrupted: ${err.reason}; continue it with ${resume}`);
          return exitCode(err.reason);
        } finally {
          lines?.stop();
        }
        continue;
      }
      const progress = announce(scenario, io, p.quiet);
      const runId = `run-${randomUUID()}`;
      try {
        reports.push(
          print(
            await runScenarioAsync(simulatedScenario(scenario), {
              ...runOptions(p, progress),
              runId,
              signal: stop.signal,
            }),
            p,
            io,
          ),
        );
      } catch (err) {
        // A replay file whose content turns out bad as the run reads it (a cut-off gzip, a bad
        // line): the run was stored as failed by then, which the message says.
        if (err instanceof ReplayFileError && p.store?.getRun(runId) !== undefined) {
          progress?.clear();
          io.err(`execsim: ${err.message}\nexecsim: stored as failed run ${runId}`);
          return 2;
        }
        if (!(err instanceof RunInterrupted)) throw err;
        progress?.clear();
        io.err(
          p.store
            ? `execsim: ${err.reason}: run ${err.runId} (${scenario.scenario.name}) stopped and stored as interrupted`
            : `execsim: ${err.reason}: the run of ${scenario.scenario.name} stopped (not stored)`,
        );
        return exitCode(err.reason);
      } finally {
        progress?.clear();
      }
    }
    return summary(reports, p, io);
  } finally {
    removeHandlers?.();
  }
}

function runOptions(p: Prepared, progress: Drawer | null): RunOptions {
  return {
    ...(p.store === null ? {} : { store: p.store }),
    ...(p.seed === undefined ? {} : { seed: p.seed }),
    ...(p.replayCacheDir === undefined ? {} : { replayCacheDir: p.replayCacheDir }),
    ...(progress ? { onProgress: progress.draw } : {}),
    ...(progress?.everyMs === undefined ? {} : { progressEveryMs: progress.everyMs }),
  };
}

/** Warns before a long run; returns the progress drawer when there is a terminal to draw on. */
function announce(scenario: LoadedScenario<ScenarioFile>, io: Io, quiet: boolean): Drawer | null {
  const estimate = estimateRunEvents(scenario.scenario);
  if (estimate > WARN_SIM_EVENTS) {
    io.err(
      `execsim: ${scenario.file}: a long run: about ${groupedDigits(Math.round(estimate))} simulated events are estimated ` +
        `(the limit is ${groupedDigits(MAX_SIM_EVENTS)}); Ctrl-C stops it`,
    );
  }
  return io.progress && !quiet ? progressDrawer(io.progress, scenario.scenario.name) : null;
}

/** Prints the report; a run not stored (--no-store) shows no run id (runId null in JSON): an id
 *  that nothing can look up would only mislead. */
function print(report: RunReport, p: Pick<Prepared, 'json' | 'store'>, io: Io, mode = 'backtest'): RunReport {
  const stored = p.store !== null;
  if (p.json) io.out(JSON.stringify(stored ? report : { ...report, runId: null }));
  else io.out(formatReport(report, stored, mode) + '\n');
  return report;
}

/** The end: several runs' table, where they were stored, and the count (the last two not with
 *  --json on stdout: where they were stored goes to stderr then). */
function summary(reports: readonly RunReport[], p: Pick<Prepared, 'json' | 'quiet' | 'dbFile'>, io: Io): number {
  const allPassed = reports.every((r) => r.passed);
  if (!p.json && reports.length > 1) io.out(runTable(reports).join('\n') + '\n');
  if (p.dbFile !== null && reports.length > 0 && !p.quiet) {
    sayStored(io, reports.length === 1 ? `run ${reports[0]?.runId}` : `${reports.length} runs`, p.dbFile, p.json);
  }
  if (!p.json)
    io.out(
      `${reports.length} scenario${reports.length === 1 ? '' : 's'} run, ${allPassed ? 'all expectations held' : 'some expectations FAILED'}`,
    );
  return allPassed ? 0 : 1;
}

/** Every scenario of the paths validated, or one ScenarioError listing every bad path and file.
 *  A directory's own .yaml files are read, not its folders' (scenarios/paper/ holds paper runs,
 *  which need a venue, so `execsim run scenarios` runs the backtests beside it). A scenario that
 *  runs as a backtest must state its start and market; only a paper run's may leave them out. */
function loadAll(paths: readonly string[], mode: Prepared['mode']): LoadedScenario<ScenarioFile>[] {
  const loaded: LoadedScenario<ScenarioFile>[] = [];
  const problems: string[] = [];
  let bad = 0;
  const load = (file: string): void => {
    try {
      const l = loadAnyScenarioFile(file);
      loaded.push(isPaper({ mode }, l) ? l : simulatedScenario(l));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      problems.push(err.message);
      bad++;
    }
  };
  let files = 0; // files and unusable paths
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      isDir = false; // the loader names what is wrong with the path (nothing there, no access)
    }
    if (!isDir) {
      files++;
      load(p);
      continue;
    }
    const found = readdirSync(p)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(p, f));
    if (found.length === 0) {
      problems.push(`${p}: no .yaml scenario files in this directory`);
      bad++;
      files++;
    }
    files += found.length;
    found.forEach(load);
  }
  if (bad === 0) return loaded;
  if (files > 1) problems.push(`${bad} of ${files} scenario files are bad; nothing was run`);
  throw new ScenarioError(problems.join('\n'));
}
