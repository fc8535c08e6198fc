// How every session route reaches the hosted session: the session (or, on a server without
// one, a stand-in whose every use is a 404 saying how to host one), the 404 each route may
// answer for that, and a refused command as the problem it is: not ready 503, the kill switch or
// breaker 409, an idempotency key used by another request 409, an unknown parent or order 404, an
// order that is not one to cancel alone (a TWAP's slice) 409, a check 422. Commands are run
// through idempotent-command.ts.
import type { CommandResult } from '../node/node-commands.ts';
import { ProblemError, type ProblemType } from './problem.ts';
import type { AnyRoute } from './route-spec.ts';
import type { SessionPort } from './session-port.ts';

/** A refused command as the problem it is: not ready 503, a safety control 409, a check 422. */
export function refusalProblem(result: Extract<CommandResult, { outcome: 'refused' }>): ProblemError {
  const detail = `${result.check} (${result.code}): ${result.reason}`;
  if (result.code === 'not-ready' || result.code === 'stopped') return new ProblemError('not-ready', detail);
  if (result.code === 'guard') return new ProblemError('safety-blocked', detail);
  if (result.code === 'key-reused') return new ProblemError('conflict', result.reason);
  // An order that exists but is not for this command to cancel (a TWAP's slice, an orphan's) is a
  // conflict with its state; only an id the session does not know is not found.
  if (result.code === 'unknown-order' || result.code === 'unknown-parent') return new ProblemError('not-found', detail);
  if (result.check === 'parent' || result.check === 'order') return new ProblemError('conflict', detail);
  return new ProblemError('order-refused', detail);
}

/** The session as the routes use it: without one, every read and call is a 404 saying how to
 *  host one. */
export function hostedSession(port: SessionPort | null): SessionPort {
  if (port !== null) return port;
  const none = (): never => {
    throw new ProblemError(
      'not-found',
      'this server hosts no trading session (start it with execsim serve --session FILE)',
    );
  };
  return new Proxy({} as SessionPort, { get: none });
}

/** Every session route may answer 404: no session hosted. */
export const withNotFound = (routes: AnyRoute[]): AnyRoute[] =>
  routes.map((r) => ({ ...r, problems: [...new Set<ProblemType>([...(r.problems ?? []), 'not-found'])] }));
