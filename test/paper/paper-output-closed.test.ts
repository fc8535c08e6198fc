// A paper run whose output pipes close (`| head`, a log reader gone) goes on trading to its end:
// it is the reader's choice, and stopping mid-run would leave its orders working unwatched. The
// run is the short SIGKILL TWAP on the local Alpaca gateway, in a process of its own, its status
// lines every second onto a stderr the test closes at once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { onCleanup, scoped } from '../support/gateway-harness.ts';
import { scratchStores } from '../support/paper-options.ts';
import { ALPACA } from '../support/sigkill-venues.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const { dir } = scratchStores('execsim-paper-output-', 'output');

it(
  'finishes a paper run whose stdout and stderr are closed early, the run stored finished',
  { timeout: 90_000 },
  scoped(async () => {
    const round = await ALPACA.start({ onSubmit: () => {}, onFill: () => {} });
    onCleanup(() => round.close());
    const db = path.join(dir, 'closed.db');
    const env: NodeJS.ProcessEnv = { ...process.env, ...ALPACA.env };
    delete env['NODE_OPTIONS'];
    const args = ['run', ALPACA.twapFile, '--venue-url', round.url, '--market-hours', 'always', '--db', db];
    const proc = spawn(process.execPath, [BIN, ...args, '--status-every', '1'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Both pipes closed by their reader before the run writes: every write after is EPIPE.
    proc.stdout.destroy();
    proc.stderr.destroy();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 80_000);
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
    onCleanup(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    expect(await exited).toEqual({ code: 0, signal: null });
    const read = new Database(db, { readonly: true, fileMustExist: true });
    try {
      const row = read.prepare('SELECT status, passed FROM runs').get() as { status: string; passed: number };
      expect(row).toEqual({ status: 'finished', passed: 1 });
    } finally {
      read.close();
    }
  }),
);
