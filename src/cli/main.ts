// The `execsim` command: dispatches to the commands, prints usage, help and the version, and
// maps errors to exit codes. Exit codes: 0 success, 1 an expectation failed or `show` found the
// stored run inconsistent, 2 bad input (an unknown command or flag, a bad scenario file, an
// unknown run id, a database path that cannot be used), 128 + the signal's number when a run is
// stopped by SIGINT (130), SIGTERM (143) or SIGHUP (129). main runs every command in the call
// (tests and embedding); runCli, what bin/execsim.js calls, runs `run` with the event loop
// turning between chunks of simulation, so that a signal stops the run and marks it interrupted.
import { ReplayFileError } from '../scenario/replay-file.ts';
import { SweepPathError } from '../sweep/sweep.ts';
import { ScenarioError } from '../scenario/load-scenario.ts';
import { StoreError } from '../store/open-database.ts';
import { ResumeRefused, RunGoneError } from '../store/run-store.ts';
import { DATA_HELP, dataCommand } from './data-command.ts';
import { DELETE_HELP, deleteCommand, PRUNE_HELP, pruneCommand } from './delete-command.ts';
import { EVENTS_HELP, eventsCommand } from './events-command.ts';
import { EXPORT_HELP, exportCommand } from './export-command.ts';
import { didYouMean, processIo, InputRefused, UsageError, type Io } from './io.ts';
import { RUN_HELP, runCommand, runCommandAsync } from './run-command.ts';
import { RUNS_HELP, runsCommand, SHOW_HELP, showCommand } from './runs-command.ts';
import { SERVE_HELP } from './serve-help.ts';
import { RESUME_HELP } from './resume-help.ts';
import { GATEWAY_HELP } from './gateway-help.ts';
import { RECORD_HELP } from './record-help.ts';
import { SWEEP_HELP, sweepCommand, wantsQueue } from './sweep-command.ts';
import { SWEEPS_HELP, sweepsCommand } from './sweeps-command.ts';
import { WORKER_HELP } from './worker-help.ts';
import { quickAnswer, USAGE } from './usage.ts';
import { version } from './version.ts';

export { argsProblem, parseSeed, UsageError, type Io } from './io.ts';
export { version } from './version.ts';

const HELP: Record<string, string> = {
  run: RUN_HELP,
  resume: RESUME_HELP,
  runs: RUNS_HELP,
  show: SHOW_HELP,
  events: EVENTS_HELP,
  export: EXPORT_HELP,
  delete: DELETE_HELP,
  prune: PRUNE_HELP,
  data: DATA_HELP,
  sweep: SWEEP_HELP,
  sweeps: SWEEPS_HELP,
  worker: WORKER_HELP,
  serve: SERVE_HELP,
  gateway: GATEWAY_HELP,
  record: RECORD_HELP,
};

export function main(argv: readonly string[], io: Io = processIo): number {
  try {
    return dispatch(argv, io);
  } catch (err) {
    return failure(err, io);
  }
}

/** main for the execsim process: `run` handles SIGINT, SIGTERM and SIGHUP; `serve`, `gateway` and
 *  `record` go on until SIGINT or SIGTERM (loaded only when asked for: a server is not every command's
 *  start-up). */
export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (
    argv[0] !== 'run' &&
    argv[0] !== 'serve' &&
    argv[0] !== 'gateway' &&
    argv[0] !== 'record' &&
    argv[0] !== 'resume' &&
    argv[0] !== 'sweep' &&
    argv[0] !== 'worker'
  )
    return main(argv, io);
  try {
    if (argv[0] === 'worker') return await (await import('./worker-command.ts')).workerCommand(argv.slice(1), io);
    if (argv[0] === 'sweep' && wantsQueue(argv.slice(1)))
      return await (await import('./sweep-queue-command.ts')).sweepQueueCommand(argv.slice(1), io);
    if (argv[0] === 'sweep') return await sweepCommand(argv.slice(1), io);
    if (argv[0] === 'resume') return await (await import('./resume-command.ts')).resumeCommand(argv.slice(1), io);
    if (argv[0] === 'serve')
      return await (await import('./serve-command.ts')).serveCommand(argv.slice(1), io, version());
    if (argv[0] === 'gateway') return await (await import('./gateway-command.ts')).gatewayCommand(argv.slice(1), io);
    if (argv[0] === 'record') return await (await import('./record-command.ts')).recordCommand(argv.slice(1), io);
    return await runCommandAsync(argv.slice(1), io);
  } catch (err) {
    return failure(err, io);
  }
}

function dispatch(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest, io);
    case 'runs':
      return runsCommand(rest, io);
    case 'show':
      return showCommand(rest, io);
    case 'events':
      return eventsCommand(rest, io);
    case 'export':
      return exportCommand(rest, io);
    case 'delete':
      return deleteCommand(rest, io);
    case 'prune':
      return pruneCommand(rest, io);
    case 'sweeps':
      return sweepsCommand(rest, io);
    case 'data':
      return dataCommand(rest, io);
    case 'sweep':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(SWEEP_HELP);
        return 0;
      }
      throw new UsageError('sweep runs on worker threads: use the execsim command (bin/execsim.js) or runCli');
    case 'resume':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(RESUME_HELP);
        return 0;
      }
      throw new UsageError('resume trades on the wall clock: use the execsim command (bin/execsim.js)');
    case 'serve':
      throw new UsageError('serve runs as a process: use the execsim command (bin/execsim.js)');
    case 'gateway':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(GATEWAY_HELP);
        return 0;
      }
      throw new UsageError('gateway runs as a process: use the execsim command (bin/execsim.js)');
    case 'record':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(RECORD_HELP);
        return 0;
      }
      throw new UsageError('record runs as a process: use the execsim command (bin/execsim.js)');
    case 'worker':
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(WORKER_HELP);
        return 0;
      }
      throw new UsageError('worker runs as a process: use the execsim command (bin/execsim.js)');
    case 'help': {
      const topic = rest[0];
      if (topic === undefined) {
        io.out(USAGE);
        return 0;
      }
      // Own keys only: "constructor" is a name every object has, not a command.
      const help = Object.hasOwn(HELP, topic) ? HELP[topic] : undefined;
      if (help === undefined) throw new UsageError(`no command "${topic}"${didYouMean(topic, Object.keys(HELP))}`);
      io.out(help);
      return 0;
    }
    default:
      return quickAnswer(argv, io) ?? unknownCommand(command);
  }
}

/** An unknown command, or an unknown option before any command, with the one it most likely meant. */
function unknownCommand(command: string | undefined): never {
  if (command?.startsWith('-'))
    throw new UsageError(`unknown option '${command}'${didYouMean(command, ['--help', '--version'], (o) => o)}`);
  throw new UsageError(`unknown command "${command}"${didYouMean(command ?? '', [...Object.keys(HELP), 'help'])}`);
}

/** The exit code and message of an error; anything unexpected is rethrown (a bug: its stack). */
export function failure(err: unknown, io: Io): number {
  if (err instanceof UsageError) {
    io.err(`execsim: ${err.message}\n${err.usage ?? USAGE}`);
    return 2;
  }
  // A sweep's path that met a replay file's bad content: the same bad input, said for its path.
  if (err instanceof SweepPathError && err.cause instanceof ReplayFileError) {
    io.err(`execsim: ${err.message}`);
    return 2;
  }
  if (err instanceof ScenarioError || err instanceof ReplayFileError || err instanceof InputRefused) {
    // One problem per line, each with the command's name.
    io.err(
      err.message
        .split('\n')
        .map((line) => `execsim: ${line}`)
        .join('\n'),
    );
    return 2;
  }
  if (
    err instanceof StoreError ||
    err instanceof RunGoneError ||
    err instanceof ResumeRefused ||
    // By name: their classes live with the trading code, which this module does not load.
    (err instanceof Error && (err.name === 'VenueUnavailable' || err.name === 'SessionRefused'))
  ) {
    io.err(`execsim: ${err.message}`);
    return 2;
  }
  throw err;
}
