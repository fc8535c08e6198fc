// What the store-backed routes share: the reader, or a 503 problem when the app was built without
// one (a server always has one; apps built for tests of the other routes may not), and a 404
// problem for an id the store does not have, and a 400 problem for a cursor the reader did not
// give out.
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
