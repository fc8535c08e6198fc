// The `execsim` command run in process (runCli: every command, the asynchronous ones included)
// with what it writes captured as a process would write it: what CLI tests assert on when the
// process itself (its signals, its real exit) does not matter.
import { runCli, type Io } from '../../src/cli/main.ts';

export interface CliResult {
  readonly code: number;
  /** Everything written to stdout, each write ending in a line break as on a real stdout. */
  readonly stdout: string;
  /** stderr split into lines. */
  readonly err: string[];
}

/** `execsim ...args` in process, with `env` as its whole environment. */
export async function execsimInProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t + '\n'), err: (t) => void err.push(...t.split('\n')), env };
  const code = await runCli(args, io);
  return { code, stdout: out.join(''), err };
}
