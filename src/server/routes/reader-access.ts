// What the store-backed routes share: the reader, or a 503 problem when the app was built without
// one (a server always has one; apps built for tests of the other routes may not), and a 404
// problem for an id the store does not have (a 409 for a run started over HTTP that waits for a
// worker: GET /runs/{id} answers it 202 queued, so the routes of what it stores must not say it
// does not exist), and a 400 problem for a cursor the reader did not give out.
import { ProblemError } from '../problem.ts';
import { BadCursorError, type RunReader } from '../../store/read-model-port.ts';

export function requireReader(reader: RunReader | null): RunReader {
  if (reader === null) throw new ProblemError('store-unavailable', 'this server has no run store to read from');
  return reader;
}

/** `value`, or a 404 problem naming the missing `what` (run, sweep) and its id. */
export function found<T>(value: T | null, what: string, id: string): T {
  if (value === null) throw new ProblemError('not-found', `no ${what} with id ${JSON.stringify(id)}`);
  return value;
}

/** Where the run pool has a run this server started (null: the pool does not know it). */
export type RunJobState = (id: string) => 'queued' | 'running' | 'done' | null;

/** Whether run `id`, not stored, is one the pool has yet to start: queued, or taken by a worker
 *  that has not written its row yet (GET /runs/{id} answers both 202 queued). */
export function waitsForWorker(jobState: RunJobState | undefined, id: string): boolean {
  const state = jobState?.(id) ?? null;
  return state === 'queued' || state === 'running';
}

/** The 409 for a run that waits for a worker, saying what to do `instead`. */
export function queuedRunConflict(id: string, instead: string): ProblemError {
  return new ProblemError('conflict', `run ${JSON.stringify(id)} is queued and has not started: ${instead}`);
}

/** What the store has of run `id`; when it has nothing, a 409 for a run that waits for a worker
 *  (nothing of it is stored yet), else the 404 of found(). */
export function storedRun<T>(value: T | null, id: string, jobState: RunJobState | undefined): T {
  if (value === null && waitsForWorker(jobState, id))
    throw queuedRunConflict(id, `nothing of it is stored yet (GET /runs/${id} answers once a worker starts it)`);
  return found(value, 'run', id);
}

/** What `read` returns; a cursor the reader refuses becomes a 400 problem naming query.cursor. */
export function paged<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof BadCursorError)
      throw new ProblemError('bad-request', err.message, [{ path: 'query.cursor', message: err.message }]);
    throw err;
  }
}
