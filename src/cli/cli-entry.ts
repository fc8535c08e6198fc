// What bin/execsim.js runs: usage and version straight away, every command through main.ts,
// which is loaded only then, so that `execsim --help` costs no more than starting Node.
import { processIo, type Io } from './io.ts';
import { quickAnswer } from './usage.ts';

export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  return quickAnswer(argv, io) ?? (await import('./main.ts')).runCli(argv, io);
}
