// What bin/execsim.js runs: the version straight away (loading nothing else), usage and help
// next, then each command that has a module of its own through that module alone, and `run` and
// `sweep` through main.ts, which is loaded only then. `execsim --version` and `execsim --help`
// cost little more than starting Node, `execsim runs` loads the store's code (a fifteenth of the
// CLI's), and a paper run's `resume`, a queue's `worker`, `serve`, `gateway` and `record` load
// their own code without the backtest's, the sweeps' and the store commands'.
import type { Io } from './io.ts';
import { version } from './version.ts';

export { endsOnClosedOutput } from './closed-output.ts';

type Command = (args: readonly string[], io: Io) => number | Promise<number>;

/** The commands loaded alone: those that read or manage stored runs, sweeps and market data, and
 *  those that run as processes of their own. main.ts dispatches the same functions the same way
 *  (its `main` and `runCli`, for tests and embedding). */
const OWN_MODULE_COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  runs: async () => (await import('./runs-command.ts')).runsCommand,
  show: async () => (await import('./runs-command.ts')).showCommand,
  events: async () => (await import('./events-command.ts')).eventsCommand,
  export: async () => (await import('./export-command.ts')).exportCommand,
  delete: async () => (await import('./delete-command.ts')).deleteCommand,
  prune: async () => (await import('./delete-command.ts')).pruneCommand,
  sweeps: async () => (await import('./sweeps-command.ts')).sweepsCommand,
  data: async () => (await import('./data-command.ts')).dataCommand,
  resume: async () => (await import('./resume-command.ts')).resumeCommand,
  worker: async () => (await import('./worker-command.ts')).workerCommand,
  gateway: async () => (await import('./gateway-command.ts')).gatewayCommand,
  record: async () => (await import('./record-command.ts')).recordCommand,
  serve: async () => {
    const { serveCommand } = await import('./serve-command.ts');
    return (args, io) => serveCommand(args, io, version());
  },
};

export async function runCli(argv: readonly string[], io?: Io): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    // processIo's out, without loading io.ts (and the store it names the default path of).
    if (io === undefined) process.stdout.write(`${version()}\n`);
    else io.out(version());
    return 0;
  }
  const theIo = io ?? (await import('./io.ts')).processIo;
  const quick = (await import('./usage.ts')).quickAnswer(argv, theIo);
  if (quick !== undefined) return quick;
  const own = Object.hasOwn(OWN_MODULE_COMMANDS, argv[0] ?? '') ? OWN_MODULE_COMMANDS[argv[0] as string] : undefined;
  if (own === undefined) return (await import('./main.ts')).runCli(argv, theIo);
  try {
    return await (
      await own()
    )(argv.slice(1), theIo);
  } catch (err) {
    // Exit codes and messages as main.ts gives them (loaded only for an error).
    return (await import('./main.ts')).failure(err, theIo);
  }
}
