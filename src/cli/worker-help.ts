// The help text of `execsim worker`, apart from the command so that `execsim help worker` does
// not load the queue client.
import { DEFAULT_LOCK_MS } from '../sweep/queue/defaults.ts';

export const WORKER_HELP = `usage: execsim worker --queue redis://host:port [--lock-ms N] [--name NAME]
Runs the paths of sweeps started with \`execsim sweep ... --queue URL\`, one chunk at a time, until
stopped (Ctrl-C, or npm gone when npx started it: the chunk in hand goes back to the queue for
another worker). A chunk from a coordinator on another code version (execsim --version and the
git commit) is refused, not run.
  --queue URL    redis://[user:password@]host[:port][/db] (or rediss://)
  --lock-ms N    how long a chunk stays locked without a sign of life from its worker: a killed
                 worker's chunk is run again elsewhere within about twice this (default ${DEFAULT_LOCK_MS})
  --name NAME    this worker's name in the queue's records (default: host:pid)
Exit codes: 0 stopped by a signal, 2 bad input or Redis unreachable.`;

/** What a refused worker command prints under its message: the usage line, not the whole help. */
export const WORKER_USAGE = `${WORKER_HELP.split('\n')[0]}\n(execsim help worker lists every option)`;
