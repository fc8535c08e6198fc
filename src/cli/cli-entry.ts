// What bin/execsim.js runs: the version straight away (loading nothing else), usage and help
// next, every command through main.ts, which is loaded only then, so that `execsim --version` and
// `execsim --help` cost little more than starting Node.
import type { Io } from './io.ts';
import { version } from './version.ts';

export async function runCli(argv: readonly string[], io?: Io): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    // processIo's out, without loading io.ts (and the store it names the default path of).
    if (io === undefined) process.stdout.write(`${version()}\n`);
    else io.out(version());
    return 0;
  }
  const theIo = io ?? (await import('./io.ts')).processIo;
  return (await import('./usage.ts')).quickAnswer(argv, theIo) ?? (await import('./main.ts')).runCli(argv, theIo);
}
