// What bin/execsim.js runs: the version straight away (loading nothing else), usage and help
// next, the commands that read or manage the store through their own modules, and every other
// command through main.ts, which is loaded only then. `execsim --version` and `execsim --help`
// cost little more than starting Node, and `execsim runs` loads the store's code (a fifteenth of
// the CLI's), not the simulator's.
import type { Io } from './io.ts';
import { version } from './version.ts';

type StoreCommand = (args: readonly string[], io: Io) => number;

/** The commands that read or manage stored runs, sweeps and market data, each loaded alone; main.ts
 *  dispatches the same functions the same way (its `main`, for tests and embedding). */
const STORE_COMMANDS: Readonly<Record<string, () => Promise<StoreCommand>>> = {
  runs: async () => (await import('./runs-command.ts')).runsCommand,
  show: async () => (await import('./runs-command.ts')).showCommand,
  events: async () => (await import('./events-command.ts')).eventsCommand,
  export: async () => (await import('./export-command.ts')).exportCommand,
  delete: async () => (await import('./delete-command.ts')).deleteCommand,
  prune: async () => (await import('./delete-command.ts')).pruneCommand,
  sweeps: async () => (await import('./sweeps-command.ts')).sweepsCommand,
  data: async () => (await import('./data-command.ts')).dataCommand,
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
  const store = Object.hasOwn(STORE_COMMANDS, argv[0] ?? '') ? STORE_COMMANDS[argv[0] as string] : undefined;
  if (store === undefined) return (await import('./main.ts')).runCli(argv, theIo);
  try {
    return (await store())(argv.slice(1), theIo);
  } catch (err) {
    // Exit codes and messages as main.ts gives them (loaded only for an error).
    return (await import('./main.ts')).failure(err, theIo);
  }
}
