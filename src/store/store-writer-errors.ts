// How a failure of the store's writer thread crosses to the run's thread (structured clone keeps
// an error's message but not its class): the reply names the class, and the run's thread throws
// the same kind of error again, so the CLI and the server tell a problem of the database (a lock
// held past the busy timeout, a full disk, a damaged or read-only file: one message naming the
// database) from a run whose row another process deleted, and both from a bug.
import { described, StoreError } from './open-database.ts';
import { RunGoneError } from './run-store.ts';

export type StoreWriterFailure = { readonly type: 'error'; readonly message: string; readonly name: string };

/** SQLite's answers that are about the database file or its use by others, not about the run. */
const DATABASE_PROBLEM = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN)/;

/** The reply for an error of the writer thread writing into the database at `path`. */
export function failureReply(err: unknown, path: string): StoreWriterFailure {
  const code = (err as { code?: unknown } | null)?.code;
  const e =
    typeof code === 'string' && DATABASE_PROBLEM.test(code)
      ? described(err, path)
      : err instanceof Error
        ? err
        : new Error(String(err));
  return { type: 'error', message: e.message, name: e.constructor.name };
}

/** The error the run's thread throws for a failure reply. */
export function failureError(reply: StoreWriterFailure): Error {
  if (reply.name === 'RunGoneError') return new RunGoneError(reply.message);
  if (reply.name === 'StoreError') return new StoreError(reply.message);
  return new Error(reply.message);
}
