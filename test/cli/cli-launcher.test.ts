// A long-running command started through npm stops when npm is gone: `npx execsim gateway ... &`
// then `kill %1` stops npm, and the gateway, which npm's shell started, would otherwise serve on
// as an orphan, holding its port (src/cli/launcher-watch.ts). With real processes: the gateway
// started by npx, npx sent SIGTERM, the port closes within a bound. The process-table reading and
// the watch on scripted tables (a process npm did not start is not watched: a server started on
// its own is not tied to its parent), the watch's timer on vitest's clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import {
  launcherChain,
  psField,
  systemProcesses,
  watchLauncher,
  WATCH_EVERY_MS,
  type ProcessTable,
} from '../../src/cli/launcher-watch.ts';

const BOUND_MS = 30_000;

/** A table of processes: pid -> [parent, command]; `gone` pids are not alive. */
function table(rows: Record<number, [number, string]>, gone: Set<number> = new Set()): ProcessTable {
  return {
    parentOf: (pid) => rows[pid]?.[0] ?? null,
    commandOf: (pid) => rows[pid]?.[1] ?? null,
    alive: (pid) => pid in rows && !gone.has(pid),
  };
}
const NPM_ENV = { npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js' };

describe("this machine's process table", () => {
  it('reads a parent and a command line from /proc', () => {
    expect(systemProcesses.parentOf(process.pid)).toBe(process.ppid);
    expect(systemProcesses.commandOf(process.pid)).toContain(process.execPath);
  });

  it.skipIf(!['/bin/ps', '/usr/bin/ps'].some((p) => existsSync(p)))(
    'reads the same through ps, the fallback where /proc cannot be read; nothing for a process that is gone',
    () => {
      expect(psField(process.pid, 'ppid=')).toBe(String(process.ppid));
      expect(psField(process.pid, 'command=')).toContain(process.execPath);
      expect(psField(2 ** 22 + 1, 'ppid=')).toBeNull();
    },
  );
});

describe('which processes a command hangs from', () => {
  const rows: Record<number, [number, string]> = {
    100: [1, 'npm exec execsim gateway binance --port 7880'],
    101: [100, "sh -c 'execsim' gateway binance --port 7880"],
    200: [1, 'node /usr/lib/node_modules/npm/bin/npx-cli.js execsim serve'],
    300: [1, 'bash'],
    301: [300, 'bash ./start.sh'],
  };

  it('npm and the shell between, for npx, npm exec and npm run; npm directly above too', () => {
    expect(launcherChain(NPM_ENV, table(rows), 101)).toEqual([101, 100]);
    expect(launcherChain(NPM_ENV, table(rows), 100)).toEqual([100]);
    expect(launcherChain(NPM_ENV, table(rows), 200)).toEqual([200]);
  });

  it('nothing when npm did not start it, or is not within two parents', () => {
    expect(launcherChain({}, table(rows), 101)).toEqual([]);
    expect(launcherChain(NPM_ENV, table(rows), 301)).toEqual([]);
    expect(launcherChain(NPM_ENV, table(rows), 1)).toEqual([]);
  });

  it('the parent alone when the process table cannot be read', () => {
    expect(launcherChain(NPM_ENV, table({}), 101)).toEqual([101]);
    expect(launcherChain({}, table({}), 101)).toEqual([]);
  });
});

describe('the watch', () => {
  afterEach(() => vi.useRealTimers());
  const rows: Record<number, [number, string]> = {
    100: [1, 'npm exec execsim gateway'],
    101: [100, "sh -c 'execsim' gateway"],
  };

  it('says once that npm is gone, within a look of it, and not before', () => {
    vi.useFakeTimers();
    const gone = new Set<number>();
    const said = vi.fn();
    watchLauncher(NPM_ENV, said, table(rows, gone), { ppid: () => 101 });
    vi.advanceTimersByTime(10 * WATCH_EVERY_MS);
    expect(said).not.toHaveBeenCalled();
    gone.add(100);
    vi.advanceTimersByTime(WATCH_EVERY_MS);
    expect(said).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * WATCH_EVERY_MS);
    expect(said).toHaveBeenCalledTimes(1);
  });

  it('also when its own parent changes (the shell gone, the process taken in by another)', () => {
    vi.useFakeTimers();
    let parent = 101;
    const said = vi.fn();
    watchLauncher(NPM_ENV, said, table(rows), { ppid: () => parent });
    vi.advanceTimersByTime(WATCH_EVERY_MS);
    parent = 1;
    vi.advanceTimersByTime(WATCH_EVERY_MS);
    expect(said).toHaveBeenCalledTimes(1);
  });

  it('does nothing for a process npm did not start, and stops when told to', () => {
    vi.useFakeTimers();
    const said = vi.fn();
    watchLauncher({}, said, table(rows, new Set([100, 101])), { ppid: () => 101 });
    const stop = watchLauncher(NPM_ENV, said, table(rows), { ppid: () => 101 });
    stop();
    vi.advanceTimersByTime(10 * WATCH_EVERY_MS);
    expect(said).not.toHaveBeenCalled();
  });
});

/** Whether something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it holds, for at most BOUND_MS. */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a gateway on a free port through `command` (in its own process group, killed after the
 *  test), resolving with the port once it prints its URL. */
async function startedGateway(command: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BINANCE_API_KEY: 'k', BINANCE_API_SECRET: 's' },
  });
  started.push(child);
  let printed = '';
  child.stdout?.on('data', (d) => (printed += String(d)));
  child.stderr?.on('data', (d) => (printed += String(d)));
  await until(async () => /http:\/\/127\.0\.0\.1:\d+/.test(printed), `the gateway's URL in:\n${printed}`);
  return { child, port: Number(/http:\/\/127\.0\.0\.1:(\d+)/.exec(printed)?.[1]) };
}
const started: ChildProcess[] = [];
afterEach(() => {
  // Whatever is left of a test's processes (its group: the wrapper and what it started).
  for (const c of started.splice(0))
    try {
      process.kill(-(c.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
});

const GATEWAY = ['gateway', 'binance', '--scenario', 'test/contract/binance/btcusdt-static-book.yaml', '--port', '0'];

describe('a gateway started through npx, npx stopped', () => {
  it('stops and frees its port', { timeout: 2 * BOUND_MS + 10_000 }, async () => {
    const { child, port } = await startedGateway('npx', ['execsim', ...GATEWAY]);
    expect(await listening(port)).toBe(true);
    child.kill('SIGTERM'); // npx alone, as `kill %1` on `npx execsim gateway ... &`
    await until(async () => !(await listening(port)), `port ${port} closed`);
  });
});
