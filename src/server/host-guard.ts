// Refuses requests addressed to another host name than the server's own. A server on 127.0.0.1 is
// still reachable from a web page through DNS rebinding (evil.example resolving to 127.0.0.1):
// the browser then sends `Host: evil.example`, which this refuses, so such a page cannot read
// stored runs. A server bound to a public interface may be reached by any name: no check there.
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from './problem.ts';

/** The host names a loopback server answers to. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The host names a server bound to `host` answers to when `host` is a loopback address (all of
 * 127.0.0.0/8, ::1 in any spelling, an IPv4-mapped 127.x address, localhost): the usual loopback
 * names and the address itself as a Host header spells it. Null for any other address, which the
 * network reaches by names the server cannot know.
 */
export function loopbackHostNames(host: string): string[] | null {
  const lower = host.toLowerCase();
  if (lower === 'localhost') return [...LOOPBACK_HOSTS];
  if (isIP(lower) === 4) return lower.split('.')[0] === '127' ? [...new Set([...LOOPBACK_HOSTS, lower])] : null;
  if (isIP(lower) !== 6) return null;
  // The URL parser writes an IPv6 address in its one canonical form, as it does a Host header's.
  const canonical = new URL(`http://[${lower}]/`).hostname;
  const mapped = /^\[::ffff:(?:7f[0-9a-f]{2}:[0-9a-f]{1,4}|127\.\d+\.\d+\.\d+)\]$/.test(canonical);
  return canonical === '[::1]' || mapped ? [...new Set([...LOOPBACK_HOSTS, canonical])] : null;
}

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
