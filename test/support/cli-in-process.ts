// The `execsim` command run in process (runCli: every command, the asynchronous ones included;
// main: the synchronous ones, for tests that call it without awaiting) with what it writes
// captured: as a process would write it, or write by write as the command made each.
import { main, runCli, type Io } from '../../src/cli/main.ts';

export interface CliResult {
  readonly code: number;
  /** Everything written to stdout, each write ending in a line break as on a real stdout. */
  readonly stdout: string;
  /** stderr split into lines. */
  readonly err: string[];
}

/** What the command wrote, write by write. */
export interface CliWrites {
  readonly code: number;
  /** Each write to stdout as the command made it (no line break added). */
  readonly out: string[];
  /** stderr split into lines. */
  readonly err: string[];
  /** Each write to stderr as the command made it (a message and its usage line can be one write). */
  readonly errWrites: string[];
}

/** An Io with `env` as its whole environment, and what it was given once the command returned `code`. */
function capture(env: Record<string, string>): { io: Io; writes: (code: number) => CliWrites } {
  const out: string[] = [];
  const errWrites: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void errWrites.push(t), env };
  return { io, writes: (code) => ({ code, out, err: errWrites.flatMap((t) => t.split('\n')), errWrites }) };
}

/** `execsim ...args` in process, with `env` as its whole environment. */
export async function execsimInProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { code, out, err } = await execsimWrites(args, env);
  return { code, stdout: out.map((t) => t + '\n').join(''), err };
}

/** execsimInProcess, with what was written write by write. */
export async function execsimWrites(args: readonly string[], env: Record<string, string> = {}): Promise<CliWrites> {
  const { io, writes } = capture(env);
  return writes(await runCli(args, io));
}

/** `execsim ...args` through main, synchronously (its `run` is runCommand, not runCli's signal-aware
 *  runCommandAsync; sweep, resume, serve, gateway and worker are refused as bad input), with `env` as
 *  its whole environment and what was written write by write. */
export function execsimMain(args: readonly string[], env: Record<string, string> = {}): CliWrites {
  const { io, writes } = capture(env);
  return writes(main(args, io));
}
