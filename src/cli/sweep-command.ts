// `execsim sweep <scenario> --paths N [--seed S] [--grid KEY=V1,V2 ...] [--workers N] [--json]
// [--store [--db PATH]]`: one scenario over N derived seeds, at every point of a parameter grid,
// on worker threads. Results come back in path order whatever the number of workers, so the output
// and the stored rows do not depend on it. Exit codes and storing:
// docs/0070-store-service-and-cli-notes.md#srcclisweep-commandts.
import { homedir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DB_PATH, openDatabase } from '../store/open-database.ts';
import { SweepStore } from '../store/sweep-store.ts';
import { MAX_SWEEP_PATHS, SweepPathError, type SweepResult } from '../sweep/sweep.ts';
import { ReplayFileError } from '../scenario/replay-file.ts';
import { newSweep, newSweepId, SweepRecorder } from '../sweep/sweep-recorder.ts';
import { GridError, parseGridFlag, type GridAxis } from '../sweep/sweep-grid.ts';
import {
  checkedSweepRunner,
  SweepCollector,
  type SweepDefinition,
  type SweepUnitRunner,
} from '../sweep/sweep-units.ts';
import { defaultWorkers, MAX_WORKERS, runSweepUnits } from '../sweep/sweep-threads.ts';
import { loadScenarioSource, type LoadedScenario } from '../scenario/load-scenario.ts';
import { replayCacheDir } from '../scenario/replay-cache-location.ts';
import {
  dbPath,
  parseCommand,
  parseSeed,
  SIGNAL_EXIT,
  UsageError,
  type InterruptSignalName,
  type Io,
  type ProgressSink,
} from './io.ts';
import { formatSweep, onThreads } from './format-sweep.ts';
import { sayStored } from './stored-line.ts';
import { RANK_FIELDS, type RankField } from '../sweep/path-trading.ts';
import { groupedDigits } from '../core/model/count-text.ts';

export const SWEEP_HELP = `usage: execsim sweep <scenario> --paths N [--seed S] [--grid KEY=V1,V2 ...] [--rank FIELD]
                     [--workers N] [--json] [--quiet] [--store [--db PATH]]
Runs one scenario over N paths (1..${groupedDigits(MAX_SWEEP_PATHS)}), each with a seed derived from S (default: the
scenario's seed) and the path number, and reports per parent the mean, standard deviation and
5th/50th/95th percentiles of implementation shortfall (quote currency and bps), fill ratio and
duration. Path i reproduces with \`execsim run <scenario> --seed <its seed>\` (seeds are in --json).
  --paths N     number of paths (per grid point with --grid)
  --seed S      sweep seed the path seeds derive from
  --grid K=V,.. a parameter grid axis (repeatable): every combination of the axes' values runs the
                same N path seeds (common random numbers), and each grid point gets its shortfall
                (bps, all parents) mean, sd, p5/p50/p95 and 95% confidence interval, fill ratio,
                pass rate, and the paired difference to the point of lowest mean shortfall. Keys:
                twap.<field> (every order with a twap: slices, interval, duration, maxSliceQty,
                limitOffsetTicks, ...; slices replaces interval and back), orders.<id>.twap.<field>,
                algo (twap, vwap, is, pov: every sliced order's algorithm), algo.<field> (rate,
                maxRate, minChildQty, end, urgency, volatility, impact of every algo block),
                algo.params.<name> (a parameter of every order's algorithm module),
                placement (market, passive-then-cross, chaser: every sliced order's child placement),
                placement.<field> (offsetTicks, crossWhenBehind, thresholdTicks, everyMs, ...),
                orders.<id>.qty|limitPrice|stopPrice|at|cancelAt, routing.defaultTwap.<field>,
                routing.twapThreshold, market.<field> (e.g. market.volatility), venue.latency.<channel>.ms
                or .jitterMs, venue.fees.makerBps|takerBps, duration, strategy.params.<name>. Example:
                --grid twap.slices=5,10,20 --grid twap.duration=PT30M,PT1H
  --rank FIELD  with --grid: rank the points by the mean over their paths of FIELD, one of
                ${RANK_FIELDS.join(', ')}
                (default netPnl; drawdown: lowest first), each beside the top point with the paired
                difference's 95% CI ("not significant" when it covers 0) and its pass rate; each
                point also gets the paths' trading figures (Sharpe, Sortino, win rate, profit factor,
                expectancy, max drawdown, trades, exposure)
  --workers N   worker threads (default: every core, here ${defaultWorkers()}; 1 runs in this thread);
                results are the same for any N
  --json        one JSON object: scenario, seed, paths, perPath, summary, expectations (with --grid:
                grid, with each point's figures and the best point per objective; and sweepId
                with --store)
  --quiet       for scripts: no progress bar and no "stored" line; the report (or --json) and
                errors only
  --store       store the sweep and its paths (seed, digest, per-parent figures, grid point) as it
                runs, and print its id (off by default: nothing is stored)
  --db PATH     the database for --store (else $EXECSIM_DB, else ${DEFAULT_DB_PATH})
  --queue URL   run the paths on \`execsim worker\` processes through Redis (redis://host:port);
                see \`execsim sweep --queue URL --help\` (also --resume <sweepId>)
Exit codes: 0 the sweep ran (expectations are counted per path, not failed on), 2 bad input,
130/143/129 stopped by SIGINT/SIGTERM/SIGHUP (a stored sweep is marked interrupted).`;

/** What a refused sweep command prints under its message: the usage lines, not the whole help. */
export const SWEEP_USAGE = `${SWEEP_HELP.split('\n').slice(0, 2).join('\n')}\n(execsim sweep --help lists every option)`;

/** --rank FIELD: one of RANK_FIELDS, and only with --grid (a plain sweep has nothing to rank). */
export function rankField(text: string | undefined, grid: boolean, usage = SWEEP_USAGE): RankField | undefined {
  if (text === undefined) return undefined;
  if (!(RANK_FIELDS as readonly string[]).includes(text))
    throw new UsageError(
      `--rank: "${text}" is not a figure grid points rank by; use one of ${RANK_FIELDS.join(', ')}`,
      usage,
    );
  if (!grid) throw new UsageError('--rank ranks grid points: give it with --grid', usage);
  return text as RankField;
}

/** Whether a sweep's arguments ask for the queue: the queued sweep command runs it instead. */
export function wantsQueue(args: readonly string[]): boolean {
  return args.some((a) => /^--(queue|resume)(=|$)/.test(a));
}

function terminalProgress(): ProgressSink | null {
  const s = process.stderr;
  return s.isTTY ? { write: (t) => void s.write(t), columns: s.columns || 80 } : null;
}

const seconds = (ms: number): string => {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.floor(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
};

/** The progress bar's width when the terminal has room, and the narrowest bar worth drawing. */
const BAR_WIDTH = 30;
const MIN_BAR_WIDTH = 5;

/** One line of the progress bar (no \r), at most `columns - 1` characters: done of total, the
 *  elapsed time and, once something is done and until the end, the time left at the rate so far.
 *  Those figures are what a narrow terminal keeps: the bar narrows first, then goes, then the
 *  label, and only then are the figures cut (an 80-column terminal cut the ETA off a 30-wide bar). */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, columns: number): string {
  const pct = Math.floor((done / total) * 100);
  const eta = done > 0 && done < total ? `, ETA ${seconds((elapsedMs * (total - done)) / done)}` : '';
  const figures = `${String(pct).padStart(3)}% ${done}/${total} paths ${seconds(elapsedMs)}${eta}`;
  const room = columns - 1;
  const head = `sweep ${label} `;
  // "[" + bar + "] " around the bar.
  const width = Math.min(BAR_WIDTH, room - head.length - figures.length - 3);
  if (width >= MIN_BAR_WIDTH) {
    const filled = Math.floor((done / total) * width);
    return `${head}[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${figures}`;
  }
  const line = `${head}${figures}`;
  if (line.length <= room) return line;
  return figures.trimStart().slice(0, Math.max(0, room));
}

function positiveInt(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || BigInt(text) < 1n)
    throw new UsageError(`${flag}: "${text}" is not a positive integer`, SWEEP_USAGE);
  if (BigInt(text) > BigInt(max)) throw new UsageError(`${flag}: ${text} is above the limit of ${max}`, SWEEP_USAGE);
  return Number(text);
}

/** The axes of --grid flags; a flag that is not KEY=V1,V2,... is a UsageError. */
export function gridAxes(flags: readonly string[] | undefined, usage?: string): GridAxis[] {
  try {
    return (flags ?? []).map(parseGridFlag);
  } catch (err) {
    if (err instanceof GridError) throw new UsageError(err.message, usage);
    throw err;
  }
}

/** The runner of a sweep about to start: a UsageError when it has too many units or a grid point
 *  is not a valid scenario (every point is parsed here, before anything runs or is stored). */
export function checkedRunner(
  def: SweepDefinition,
  loaded: LoadedScenario,
  usage?: string,
  replayCacheDir?: string | null,
): SweepUnitRunner {
  try {
    return checkedSweepRunner(def, loaded, replayCacheDir);
  } catch (err) {
    if (err instanceof GridError) throw new UsageError(err.message, usage);
    throw err;
  }
}

/** A flag of the other kind of sweep (local or queued) is named as such rather than as an
 *  unknown option, since `execsim sweep --help` lists both kinds' flags. */
export function refuseOtherKindsFlag(args: readonly string[], flag: string, why: string, usage: string): void {
  if (args.some((a) => a === flag || a.startsWith(`${flag}=`))) throw new UsageError(`${flag} is ${why}`, usage);
}

const OPTIONS = {
  paths: { type: 'string' },
  seed: { type: 'string' },
  grid: { type: 'string', multiple: true },
  rank: { type: 'string' },
  workers: { type: 'string' },
  db: { type: 'string' },
  store: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const;

export async function sweepCommand(
  args: readonly string[],
  io: Io,
  terminal: ProgressSink | null = terminalProgress(),
): Promise<number> {
  refuseOtherKindsFlag(
    args,
    '--chunk',
    'for a sweep on a queue (--queue): a local sweep spreads its paths over --workers threads',
    SWEEP_USAGE,
  );
  const { values, positionals } = parseCommand(args, OPTIONS, SWEEP_USAGE, ['queue', 'resume', 'chunk']);
  if (values.help) {
    io.out(SWEEP_HELP);
    return 0;
  }
  const progress = values.quiet ? null : terminal;
  if (positionals.length !== 1)
    throw new UsageError(`sweep needs exactly one scenario file, got ${positionals.length}`, SWEEP_USAGE);
  if (values.paths === undefined)
    throw new UsageError(`--paths is required: the number of paths to run (1..${MAX_SWEEP_PATHS})`, SWEEP_USAGE);
  const paths = positiveInt('--paths', values.paths, MAX_SWEEP_PATHS);
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed, SWEEP_USAGE);
  const workers =
    values.workers === undefined ? defaultWorkers() : positiveInt('--workers', values.workers, MAX_WORKERS);
  const grid = gridAxes(values.grid, SWEEP_USAGE);
  const rank = rankField(values.rank, grid.length > 0);
  if (values.db !== undefined && !values.store)
    io.err('execsim: --db has no effect without --store (sweep paths are not stored)');
  // Validated before anything runs or any database is opened: the scenario, then every grid point.
  const source = loadScenarioSource(positionals[0] as string);
  const { loaded } = source;
  const def = { file: loaded.file, yaml: source.text, seed: seed ?? loaded.scenario.seed, paths, grid };
  // Only a stored sweep has a database: an empty path is refused then (SQLite would open a
  // temporary one, gone at exit with the sweep in it).
  const dbFile = values.store ? dbPath(values.db, io) : DEFAULT_DB_PATH;
  // Stored: replays' parsed caches beside the store, as for runs; else the environment's.
  const replayCache = values.store ? replayCacheDir(io.env, homedir(), dbFile) : undefined;
  const runner = checkedRunner(def, loaded, SWEEP_USAGE, replayCache);

  let recorder: SweepRecorder | undefined;
  let store: SweepStore | undefined;
  if (values.store) {
    store = new SweepStore(openDatabase(dbFile));
    const id = newSweepId();
    store.create(newSweep(id, source, def.seed, paths, grid));
    recorder = new SweepRecorder(store, id);
  }
  const started = performance.now();
  let shown = '';
  let lastDraw = -Infinity;
  const draw = (done: number, total: number): void => {
    if (!progress) return;
    const now = performance.now();
    if (done < total && now - lastDraw < 100) return;
    lastDraw = now;
    const line = progressLine(loaded.scenario.name, done, total, now - started, progress.columns);
    progress.write(`\r${line}${' '.repeat(Math.max(0, shown.length - line.length))}`);
    shown = line;
  };
  const collector = new SweepCollector(def, loaded.scenario.name);
  const stop = new AbortController();
  const removeHandlers = io.onInterrupt?.((signal) => stop.abort(signal));
  let result: SweepResult;
  let ranOn: number;
  try {
    const end = await runSweepUnits(def, {
      workers,
      runner,
      signal: stop.signal,
      ...(replayCache === undefined ? {} : { replayCacheDir: replayCache }),
      onUnit: (r, done, total) => {
        collector.add(r);
        recorder?.addUnit(r);
        draw(done, total);
      },
    });
    if (end.kind === 'interrupted') {
      recorder?.interrupt(end.reason);
      io.err(
        `execsim: ${end.reason}: sweep stopped after ${end.units} of ${runner.units} paths` +
          (recorder ? `; stored as interrupted sweep ${recorder.sweepId}` : ''),
      );
      return SIGNAL_EXIT[end.reason as InterruptSignalName] ?? SIGNAL_EXIT.SIGINT;
    }
    result = collector.result(rank);
    ranOn = end.threads;
    recorder?.finish(result);
  } catch (err) {
    recorder?.fail(err);
    if (recorder !== undefined && err instanceof SweepPathError && err.cause instanceof ReplayFileError) {
      io.err(`execsim: ${err.message}\nexecsim: stored as failed sweep ${recorder.sweepId}`);
      return 2;
    }
    throw err;
  } finally {
    removeHandlers?.();
    if (progress && shown) progress.write(`\r${' '.repeat(shown.length)}\r`);
    store?.db.close();
  }
  const wallMs = performance.now() - started;
  const sweepId = recorder?.sweepId ?? null;
  io.out(
    values.json
      ? JSON.stringify(sweepId === null ? result : { ...result, sweepId })
      : formatSweep(result, wallMs, sweepId, onThreads(ranOn, workers)),
  );
  if (sweepId !== null && !values.quiet) sayStored(io, `sweep ${sweepId}`, dbFile, values.json);
  return 0;
}
