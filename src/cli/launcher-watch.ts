// Whether the npm process that started a long-running command is still there. `npx execsim
// gateway ... &` runs npm, which runs a shell, which runs execsim: `kill %1` stops npm alone, and
// execsim, now an orphan, would keep serving and holding its port. So `gateway`, `serve` and
// `worker` started through npm (npx, npm exec, npm run: npm says so in npm_execpath) watch npm
// and its shell, and stop as on SIGTERM once either is gone or their own parent changed.
// Started any other way (node bin/execsim.js from a shell, systemd, nohup) they keep running when
// their parent ends, as a server does. The process table is read from /proc where there is one,
// else from `ps` (node:child_process is loaded only then: about 5 ms of CPU that every command
// paid at its start); where neither answers, only the parent (npm's shell) is watched.
import { readFileSync } from 'node:fs';

/** What is read of another process: its parent and its command line (null: unknown, or gone). */
export interface ProcessTable {
  parentOf(pid: number): number | null;
  commandOf(pid: number): string | null;
  alive(pid: number): boolean;
}

/** npm's own process as the process table shows it: its title ("npm exec ...") or its script. */
const NPM = /(^|[\s/])(npm|npx)(-cli\.js)?(\s|$)/;

/** How often the launcher is looked for (ms): a stopped wrapper's command ends within about this. */
export const WATCH_EVERY_MS = 500;

/**
 * The processes a command started through npm hangs from: npm, and the shell between it and this
 * process (npm runs commands through `sh -c`); the parent alone when the table cannot say what
 * it is. Empty when npm did not start it: `npm_execpath` unset, or no npm process within two
 * parents (npm ran something that ran execsim).
 */
export function launcherChain(
  env: Readonly<Record<string, string | undefined>>,
  table: ProcessTable,
  parent: number,
): number[] {
  if (env['npm_execpath'] === undefined) return [];
  // A process table that cannot be read: the parent alone (npm's shell, which ends with npm).
  if (parent > 1 && table.commandOf(parent) === null) return [parent];
  const chain: number[] = [];
  let pid: number | null = parent;
  for (let depth = 0; depth < 2 && pid !== null && pid > 1; depth++) {
    chain.push(pid);
    if (NPM.test(table.commandOf(pid) ?? '')) return chain;
    pid = table.parentOf(pid);
  }
  return [];
}

/** This machine's process table. */
export const systemProcesses: ProcessTable = {
  parentOf(pid) {
    const stat = procText(`/proc/${pid}/stat`);
    if (stat !== null) {
      // "pid (command) state ppid ...": the command may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return Number.isSafeInteger(ppid) ? ppid : null;
    }
    const ps = psField(pid, 'ppid=');
    return ps === null || !/^\d+$/.test(ps) ? null : Number(ps);
  },
  commandOf(pid) {
    const cmdline = procText(`/proc/${pid}/cmdline`);
    if (cmdline !== null) return cmdline.replace(/\0/g, ' ').trim();
    return psField(pid, 'command=');
  },
  alive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: it is there, and someone else's.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

function procText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** One column of `ps` for a process (`ppid=`, `command=`): the fallback where /proc cannot be
 *  read; null when ps cannot say (no such process, no ps). */
export function psField(pid: number, field: string): string | null {
  try {
    const { execFileSync } = process.getBuiltinModule('node:child_process');
    return execFileSync('ps', ['-o', field, '-p', String(pid)], { encoding: 'utf8', timeout: 2_000 }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Calls `gone` once when the npm process that started this one (or the shell between), or this
 * process's parent, is gone; returns the function that stops watching. Does nothing for a process
 * npm did not start. The timer does not keep the process alive.
 */
export function watchLauncher(
  env: Readonly<Record<string, string | undefined>>,
  gone: () => void,
  table: ProcessTable = systemProcesses,
  self: { readonly ppid: () => number } = { ppid: () => process.ppid },
): () => void {
  const parent = self.ppid();
  const chain = launcherChain(env, table, parent);
  if (chain.length === 0) return () => {};
  const timer = setInterval(() => {
    if (self.ppid() === parent && chain.every((pid) => table.alive(pid))) return;
    clearInterval(timer);
    gone();
  }, WATCH_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
