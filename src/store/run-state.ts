// What state a stored run is in, as `execsim runs` and `show` report it. The stored status is
// 'running' until the run ends, so a run whose process died (SIGKILL, a crash of the machine, a
// closed terminal) would say 'running' forever. A running run is shown as 'crashed' when its
// writer is known to be gone: the writer's pid is not alive on this host, or its heartbeat
// (refreshed about once a second while the run goes on) is older than STALE_HEARTBEAT_MS, which
// also covers writers on other hosts, runs stored before writers were recorded, and a pid reused
// after a reboot. Reading the state writes nothing.
import { hostname } from 'node:os';
import type { RunRow, StoredStatus } from './stored-rows.ts';

export type RunState = StoredStatus | 'crashed';

export const RUN_STATES: readonly RunState[] = ['running', 'finished', 'failed', 'interrupted', 'crashed'];

/** A running run whose heartbeat is older than this is shown as crashed. */
export const STALE_HEARTBEAT_MS = 60_000;

/** What the state is judged against: the time, this host, and whether a local pid is alive. */
export interface Liveness {
  readonly nowMs: number;
  readonly host: string;
  isAlive(pid: number): boolean;
}

export function localLiveness(): Liveness {
  return { nowMs: Date.now(), host: hostname(), isAlive: pidAlive };
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type StateRow = Pick<RunRow, 'status' | 'writer_pid' | 'writer_host' | 'heartbeat_at'>;

export function runState(row: StateRow, live: Liveness): RunState {
  if (row.status !== 'running') return row.status;
  if (writerGoneLocally(row, live)) return 'crashed';
  const beat = row.heartbeat_at === null ? NaN : Date.parse(row.heartbeat_at);
  if (!Number.isFinite(beat) || live.nowMs - beat > STALE_HEARTBEAT_MS) return 'crashed';
  return 'running';
}

/** The run's writer is a live process on this host (whatever its heartbeat says): deleting
 *  its run under it is refused. */
export function writerAliveHere(row: StateRow, live: Liveness): boolean {
  return (
    row.status === 'running' && row.writer_host === live.host && row.writer_pid !== null && live.isAlive(row.writer_pid)
  );
}

function writerGoneLocally(row: StateRow, live: Liveness): boolean {
  return row.writer_host === live.host && row.writer_pid !== null && !live.isAlive(row.writer_pid);
}

/**
 * Why a stored run cannot be resumed (`execsim resume`), or null when it can: it must be in the
 * database, a paper run (a backtest is reproducible and run again), and crashed or interrupted
 * (its writer gone, or stopped by a signal). One wording for the CLI's check before it asks for a
 * venue's keys, resumePaper's before it connects, and claimRun's when it takes the run over.
 * `where` names the database (its path).
 */
export function resumeRefusal(
  runId: string,
  row: (StateRow & Pick<RunRow, 'mode'>) | undefined,
  live: Liveness,
  where: string,
  mode: 'paper' | 'session' = 'paper',
): string | null {
  if (row === undefined) return `no run "${runId}" in ${where} (execsim runs lists them)`;
  if (row.mode === 'session' && mode !== 'session')
    return `run ${runId} is a service session: it resumes when its server starts again (execsim serve --session FILE)`;
  if (row.mode !== mode)
    return (
      `run ${runId} is a ${row.mode}, not a paper run: only paper runs are resumed (a backtest is reproducible: ` +
      `run its scenario again with execsim run)`
    );
  const state = runState(row, live);
  if (state === 'running')
    return `run ${runId} is still being written by process ${row.writer_pid ?? '?'} on ${row.writer_host ?? '?'}`;
  if (state !== 'crashed' && state !== 'interrupted')
    return `run ${runId} is ${state}: only a run whose process died or was stopped can be resumed`;
  return null;
}
