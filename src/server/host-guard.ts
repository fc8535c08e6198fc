// Refuses requests addressed to another host name than the server's own. A server on 127.0.0.1 is
// still reachable from a web page through DNS rebinding (evil.example resolving to 127.0.0.1):
// the browser then sends `Host: evil.example`, which this refuses, so such a page cannot read
// stored runs. A server bound to a public interface may be reached by any name: no check there.
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from './problem.ts';

/** The host names a loopback server answers to. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

export function hostGuard(allowed: readonly string[]): MiddlewareHandler {
  const names = new Set(allowed.map((h) => h.toLowerCase()));
  return async (c, next) => {
    const host = new URL(c.req.url).hostname.toLowerCase();
    if (!names.has(host)) {
      throw new ProblemError(
        'host-not-allowed',
        `this server answers to ${[...names].join(', ')}, not ${JSON.stringify(host)}`,
      );
    }
    await next();
  };
}
