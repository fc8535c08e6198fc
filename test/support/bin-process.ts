// The real `bin/execsim.js` in a child process, for what only a process shows (its exit code, its
// stdout and stderr as written, no stack trace reaching either): run in the project root with this
// process's environment minus NODE_OPTIONS (a test runner's loader flags would change how the bin
// loads) plus `env`, bounded at 60 s.
import { spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'execsim.js');

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node bin/execsim.js ...args`, with `env` over this process's environment. */
export function execsimProcess(args: readonly string[], env: Record<string, string> = {}): BinResult {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv['NODE_OPTIONS'];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: childEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Resolves with the first match of `re` in what a long-running child (a server) writes to its
 *  stdout, within `waitMs`; rejects when it exits first or the time is up. */
export function lineMatching(proc: ChildProcess, re: RegExp, waitMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${re} within ${waitMs} ms: ${buffered}`)),
      waitMs,
    );
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const m = re.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${re}: ${buffered}`)));
  });
}
