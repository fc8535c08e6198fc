// `execsim sweep <scenario> --paths N --queue redis://host:port` and `execsim sweep --resume <id>
// --queue ...`: a sweep whose paths run on `execsim worker` processes anywhere that reach the same
// Redis, coordinated from here (src/sweep/queue/coordinator.ts). The sweep is always
// stored (the store is where the results land and what a resume starts from), in --db, else
// $EXECSIM_DB, else the default database. The report is the one a local sweep prints. Exit codes:
// 0 the sweep finished, 1 it failed (a chunk was refused or a path threw), 2 bad input (including
// a --queue URL that is malformed, or a Redis that does not answer within a few seconds or is a
// read-only replica), 128 + the signal's number when stopped (the sweep stays resumable).
import { performance } from 'node:perf_hooks';
import { codeVersion } from '../store/code-version.ts';
import { connectRedis, parseQueueUrl, QueueUnreachableError, QueueUrlError, redact } from '../sweep/queue/protocol.ts';
import { gridPointCount, type GridAxis } from '../sweep/sweep-grid.ts';
import { unitCount, type SweepDefinition } from '../sweep/sweep-units.ts';
import { MAX_SWEEP_PATHS } from '../sweep/sweep.ts';
import { newSweep, newSweepId, summaryJson } from '../sweep/sweep-recorder.ts';
import { loadScenarioSource, parseScenario } from '../scenario/load-scenario.ts';
import { DEFAULT_DB_PATH, openDatabase, openExistingDatabase } from '../store/open-database.ts';
import { QueuedSweepStore, ResumeSweepRefused } from '../store/queued-sweep-store.ts';
import { SweepStore } from '../store/sweep-store.ts';
import { dbPath, parseCommand, parseSeed, SIGNAL_EXIT, UsageError, type InterruptSignalName, type Io } from './io.ts';
import { formatSweep, throughQueue } from './format-sweep.ts';
import { sayStored } from './stored-line.ts';
import { checkedRunner, gridAxes, progressLine, rankField, refuseOtherKindsFlag } from './sweep-command.ts';
import { groupedDigits } from '../core/model/count-text.ts';

export const SWEEP_QUEUE_HELP = `usage: execsim sweep <scenario> --paths N --queue redis://host:port [--seed S] [--grid KEY=V1,V2 ...]
                     [--rank FIELD] [--chunk N] [--json] [--quiet] [--db PATH]
       execsim sweep --resume <sweepId> --queue redis://host:port [--rank FIELD] [--json] [--quiet] [--db PATH]
Runs a sweep's paths on \`execsim worker --queue URL\` processes (on any machine that reaches the
Redis and runs the same code version), stores the results here as they come back, and prints the
report a local sweep prints. The sweep is always stored (--db, else $EXECSIM_DB, else
${DEFAULT_DB_PATH}); Ctrl-C stops it, and --resume continues it, enqueueing only paths not stored.
  --queue URL   redis://[user:password@]host[:port][/db] (or rediss://)
  --paths N     number of paths (1..${groupedDigits(MAX_SWEEP_PATHS)}; per grid point with --grid)
  --seed S      sweep seed the path seeds derive from (default: the scenario's seed)
  --grid K=V,.. a parameter grid axis (repeatable), as in a local sweep (execsim sweep --help):
                every grid point runs the same path seeds, and the report has each point's figures
  --rank FIELD  with a grid: rank the points by FIELD, as a local sweep (execsim sweep --help)
  --chunk N     paths per queued job (default: paths/16, at most 25; all grid points count)
  --resume ID   continue a stopped, failed or crashed queued sweep
  --json        the report as one JSON object (as a local sweep's, with sweepId)
  --quiet       for scripts: no progress bar, no "sweep ... on" and "stored" lines; the report and
                errors only
Exit codes: 0 finished, 1 a chunk failed (refused by a worker on other code, or a path threw),
2 bad input or Redis unreachable, 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP (resumable).`;

/** What a refused queued sweep prints under its message: the usage lines, not the whole help. */
export const SWEEP_QUEUE_USAGE = `${SWEEP_QUEUE_HELP.split('\n').slice(0, 3).join('\n')}\n(execsim sweep --queue URL --help lists every option)`;

const OPTIONS = {
  queue: { type: 'string' },
  paths: { type: 'string' },
  seed: { type: 'string' },
  chunk: { type: 'string' },
  resume: { type: 'string' },
  db: { type: 'string' },
  store: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  grid: { type: 'string', multiple: true },
  rank: { type: 'string' },
} as const;

/** The shape of a stored sweep's id (what --resume takes). */
const SWEEP_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function positiveInt(flag: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || BigInt(text) < 1n)
    throw new UsageError(`${flag}: "${text}" is not a positive integer`, SWEEP_QUEUE_USAGE);
  if (BigInt(text) > BigInt(max))
    throw new UsageError(`${flag}: ${text} is above the limit of ${max}`, SWEEP_QUEUE_USAGE);
  return Number(text);
}

export async function sweepQueueCommand(args: readonly string[], io: Io): Promise<number> {
  refuseOtherKindsFlag(
    args,
    '--workers',
    "for a sweep on this machine's threads: a queued sweep runs on `execsim worker` processes (start more of them)",
    SWEEP_QUEUE_USAGE,
  );
  const { values, positionals } = parseCommand(args, OPTIONS, SWEEP_QUEUE_USAGE, ['workers']);
  if (values.help) {
    io.out(SWEEP_QUEUE_HELP);
    return 0;
  }
  if (values.queue === undefined)
    throw new UsageError(
      '--queue is required: the Redis the workers take jobs from (redis://host:port)',
      SWEEP_QUEUE_USAGE,
    );
  let url: string;
  try {
    url = parseQueueUrl(values.queue);
  } catch (err) {
    if (err instanceof QueueUrlError) throw new UsageError(err.message, SWEEP_QUEUE_USAGE);
    throw err;
  }
  const resuming = values.resume !== undefined;
  if (resuming) {
    if (!SWEEP_ID.test(values.resume as string))
      throw new UsageError(
        `--resume: ${JSON.stringify(values.resume)} is not a sweep id (the sweepId a queued sweep prints)`,
        SWEEP_QUEUE_USAGE,
      );
    if (positionals.length > 0 || values.paths !== undefined || values.seed !== undefined || values.grid !== undefined)
      throw new UsageError(
        '--resume takes no scenario, --paths, --seed or --grid: the stored sweep has them',
        SWEEP_QUEUE_USAGE,
      );
  } else {
    if (positionals.length !== 1)
      throw new UsageError(`sweep needs exactly one scenario file, got ${positionals.length}`, SWEEP_QUEUE_USAGE);
    if (values.paths === undefined)
      throw new UsageError(
        `--paths is required: the number of paths to run (1..${MAX_SWEEP_PATHS})`,
        SWEEP_QUEUE_USAGE,
      );
  }
  const paths = values.paths === undefined ? 0 : positiveInt('--paths', values.paths, MAX_SWEEP_PATHS);
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed, SWEEP_QUEUE_USAGE);
  const chunk = values.chunk === undefined ? undefined : positiveInt('--chunk', values.chunk, 10_000);
  const grid = gridAxes(values.grid, SWEEP_QUEUE_USAGE);
  // A new sweep ranks only with a grid; a resumed one's grid is the stored one (checked below).
  const rank = rankField(values.rank, resuming || grid.length > 0, SWEEP_QUEUE_USAGE);
  // A new sweep's scenario and every grid point's are checked before Redis or the database is
  // touched.
  const source = resuming ? null : loadScenarioSource(positionals[0] as string);
  let fresh: SweepDefinition | null = null;
  if (source) {
    const { loaded } = source;
    fresh = { file: loaded.file, yaml: source.text, seed: seed ?? loaded.scenario.seed, paths, grid };
    checkedRunner(fresh, loaded, SWEEP_QUEUE_USAGE);
  }

  // The database's path is checked before Redis is: an empty one is refused (SQLite would open a
  // temporary database, gone at exit with the sweep in it).
  const dbFile = dbPath(values.db, io);
  let redis;
  try {
    redis = await connectRedis(
      url,
      (err) => io.err(`execsim: Redis ${redact(url)}: ${err.message}: retrying until it answers`),
      undefined,
      () => io.err(`execsim: Redis ${redact(url)}: connected again`),
    );
  } catch (err) {
    if (err instanceof QueueUnreachableError) {
      io.err(`execsim: ${err.message}`);
      return 2;
    }
    throw err;
  }
  // A resume needs the database that has the sweep: it is never created for one.
  let db;
  try {
    db = resuming ? openExistingDatabase(dbFile, 'write') : openDatabase(dbFile);
  } catch (err) {
    // An open Redis connection would keep the process alive after the message.
    redis.disconnect();
    throw err;
  }
  const store = new QueuedSweepStore(db);
  const stopper = new AbortController();
  let signal: InterruptSignalName | null = null;
  const removeHandlers = io.onInterrupt?.((name) => {
    signal = name;
    stopper.abort(`stopped by ${name}`);
  });
  try {
    let sweepId: string;
    let def: SweepDefinition;
    let scenario: string;
    const version = codeVersion();
    if (source && fresh) {
      sweepId = newSweepId();
      def = fresh;
      scenario = source.loaded.scenario.name;
      new SweepStore(db).create(newSweep(sweepId, source, def.seed, paths, grid));
    } else {
      sweepId = values.resume as string;
      let taken;
      try {
        taken = store.takeOver(sweepId, new Date().toISOString());
      } catch (err) {
        if (err instanceof ResumeSweepRefused) {
          io.err(`execsim: ${err.message}`);
          return 2;
        }
        throw err;
      }
      if (taken.codeVersion !== version) {
        store.end(
          sweepId,
          'interrupted',
          `not resumed: started on code version ${taken.codeVersion}`,
          null,
          new Date().toISOString(),
        );
        io.err(
          `execsim: sweep ${sweepId} was started on code version ${taken.codeVersion}, this is ${version}: ` +
            'its stored paths could differ from new ones, so it is not resumed',
        );
        return 2;
      }
      const storedGrid = taken.gridJson === null ? [] : (JSON.parse(taken.gridJson) as GridAxis[]);
      def = {
        file: taken.scenarioFile,
        yaml: taken.scenarioSource,
        seed: taken.sweepSeed,
        // The row counts every unit; the definition counts paths per grid point.
        paths: taken.paths / gridPointCount(storedGrid),
        grid: storedGrid,
      };
      scenario = parseScenario(def.yaml, def.file).scenario.name;
      if (rank !== undefined && storedGrid.length === 0) {
        // Left as it was found: stopped, and resumable without --rank.
        store.end(
          sweepId,
          'interrupted',
          'not resumed: --rank given to a sweep without a grid',
          null,
          new Date().toISOString(),
        );
        io.err(`execsim: --rank ranks grid points: sweep ${sweepId} has no grid, so it is not resumed`);
        return 2;
      }
    }
    if (!values.quiet) io.err(`execsim: sweep ${sweepId} on ${redact(url)}`);

    const progress = values.quiet ? null : (io.progress ?? null);
    const started = performance.now();
    let shown = '';
    const onProgress = progress
      ? (done: number, total: number): void => {
          const line = progressLine(scenario, done, total, performance.now() - started, progress.columns);
          progress.write(`\r${line}${' '.repeat(Math.max(0, shown.length - line.length))}`);
          shown = line;
        }
      : undefined;
    // bullmq is loaded once the input is checked and Redis answers: a refused command never pays for it.
    const { coordinateSweep, defaultChunk } = await import('../sweep/queue/coordinator.ts');
    const outcome = await coordinateSweep({
      redis,
      store,
      sweepId,
      scenario,
      def,
      codeVersion: version,
      chunk: chunk ?? defaultChunk(unitCount(def)),
      signal: stopper.signal,
      onWarning: (message) => io.err(`execsim: ${message}`),
      ...(onProgress ? { onProgress } : {}),
      ...(rank === undefined ? {} : { rank }),
    });
    if (progress && shown) progress.write(`\r${' '.repeat(shown.length)}\r`);
    const at = new Date().toISOString();
    const total = unitCount(def);
    if (outcome.kind === 'finished') {
      store.end(sweepId, 'finished', null, summaryJson(outcome.result), at);
      const wallMs = performance.now() - started;
      io.out(
        values.json
          ? JSON.stringify({ ...outcome.result, sweepId })
          : formatSweep(outcome.result, wallMs, sweepId, throughQueue(outcome.workers.length)),
      );
      if (!values.quiet) sayStored(io, `sweep ${sweepId}`, dbFile, values.json);
      return 0;
    }
    if (outcome.kind === 'failed') {
      store.end(sweepId, 'failed', outcome.reason, null, at);
      io.err(`execsim: sweep ${sweepId} failed after ${outcome.done} of ${total} paths: ${outcome.reason}`);
      io.err(`execsim: resume it with: execsim sweep --resume ${sweepId} --queue ${redact(url)}`);
      return 1;
    }
    store.end(sweepId, 'interrupted', outcome.reason, null, at);
    io.err(`execsim: sweep ${sweepId} ${outcome.reason} after ${outcome.done} of ${total} paths`);
    io.err(`execsim: resume it with: execsim sweep --resume ${sweepId} --queue ${redact(url)}`);
    return signal === null ? 1 : SIGNAL_EXIT[signal];
  } finally {
    removeHandlers?.();
    db.close();
    // Redis gone at the end: BullMQ clients that could not close keep timers running for ever.
    if (redis.status !== 'ready') io.exitSoon?.(signal === null ? 1 : SIGNAL_EXIT[signal]);
    redis.disconnect();
  }
}
