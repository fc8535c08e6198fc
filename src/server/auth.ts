// The bearer token that guards the routes that change something. Without a configured token those
// routes are off (403, saying how to turn them on); with one, a request must carry
// `Authorization: Bearer <token>` (else 401). Tokens are compared as SHA-256 digests with
// timingSafeEqual, so neither the comparison's time nor its length check tells anything about the
// token. The token is never echoed: not in problems, headers or logs.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ProblemError } from './problem.ts';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Checks a request's Authorization header against the server's token; throws the problem. */
export function requireToken(token: string | null, authorization: string | undefined): void {
  if (token === null) {
    throw new ProblemError(
      'mutations-disabled',
      'this server was started without a token, so operations that change stored data are off: ' +
        'start it with EXECSIM_TOKEN set (e.g. EXECSIM_TOKEN=$(openssl rand -hex 32) execsim serve) ' +
        'and send "Authorization: Bearer <that token>"',
    );
  }
  const challenge = { 'www-authenticate': 'Bearer realm="execsim"' };
  const m = authorization === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (m === null) {
    throw new ProblemError(
      'unauthorized',
      'this operation needs "Authorization: Bearer <token>" with the token the server was started with (EXECSIM_TOKEN)',
      undefined,
      challenge,
    );
  }
  if (!timingSafeEqual(digest(m[1] as string), digest(token))) {
    throw new ProblemError('unauthorized', 'the bearer token does not match the server token', undefined, {
      'www-authenticate': 'Bearer realm="execsim", error="invalid_token"',
    });
  }
}
