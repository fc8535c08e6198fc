// Which stored run a session file continues. A paper session whose last run was stopped (SIGTERM:
// interrupted) or killed (crashed) is resumed from the store (startup gate, startup
// reconciliation, slice recovery), as `execsim resume` continues a paper run; the same name from
// another version of the file is refused rather than guessed at (naming the algorithm module whose
// code changed, when that is what changed); a session another live server writes is refused. A
// sim session's venue ended with its process: a dead one is marked failed and the file starts a
// new run.
import type { LoadedSession } from '../scenario/session-file.ts';
import { changedAlgorithm } from './changed-code.ts';
import type { RunStore } from '../store/run-store.ts';
import { localLiveness, runState } from '../store/run-state.ts';
import type { RunRow } from '../store/stored-rows.ts';

/** The session file cannot start a session (another server runs it; an unfinished run from
 *  another version of the file). Nothing was started. */
export class SessionRefused extends Error {
  override readonly name = 'SessionRefused';
}

/** The run to resume, or null to start a new one; throws SessionRefused. Marks the dead runs of
 *  a sim session failed on the way. */
export function sessionRunToContinue(store: RunStore, file: LoadedSession): RunRow | null {
  const loaded = file.loaded;
  const name = loaded.scenario.name;
  const live = localLiveness();
  let resume: RunRow | null = null;
  for (const row of store.sessionRuns(name)) {
    const state = runState(row, live);
    if (state === 'running')
      throw new SessionRefused(
        `session "${name}" is running: run ${row.id} is written by process ${row.writer_pid ?? '?'} on ${row.writer_host ?? '?'}`,
      );
    if (state !== 'crashed' && state !== 'interrupted') continue;
    if (file.mode === 'sim' || !tradedOnPaper(store, row.id)) {
      // Its venue lived in its process: there is nothing to go on with.
      store.failRun(null, row.id, 'its simulated venue ended with its server process', new Date().toISOString());
      continue;
    }
    const changed = row.scenario_hash !== loaded.hash ? changedAlgorithm(row.algorithm_codes, loaded) : null;
    if (changed !== null) throw new SessionRefused(`session "${name}" has an unfinished run ${row.id}: ${changed}`);
    if (row.scenario_hash !== loaded.hash)
      throw new SessionRefused(
        `session "${name}" has an unfinished run ${row.id} started from another version of this file: ` +
          'restore the file it was started from so the server resumes it (or rename the session to start a new one)',
      );
    resume ??= row;
  }
  return resume;
}

/** Whether a stored session traded on a venue's paper account (its scenario's mode). */
function tradedOnPaper(store: RunStore, id: string): boolean {
  try {
    return (JSON.parse(store.scenarioJson(id)) as { mode?: string }).mode === 'paper';
  } catch {
    return false;
  }
}
