// The help of `execsim serve`, apart from the command so that listing help does not load the
// server (hono, the pages, the worker pool) into every CLI call.
import { DB_FLAG_HELP } from './io.ts';
import { STATUS_EVERY_HELP } from './progress/progress-flags.ts';

export const DEFAULT_PORT = 7878;
/** The most worker threads --workers takes, and the most the default gives. */
export const MAX_SERVE_WORKERS = 64;
export const DEFAULT_SERVE_WORKERS_CAP = 8;

/** The default --workers on a machine of `cores` cores: one left for the server, at least 1, at
 *  most DEFAULT_SERVE_WORKERS_CAP. */
export const defaultServeWorkers = (cores: number): number =>
  Math.max(1, Math.min(DEFAULT_SERVE_WORKERS_CAP, cores - 1));
export const MIN_TOKEN_LENGTH = 16;

export const SERVE_USAGE =
  'usage: execsim serve [--db PATH] [--create] [--port N] [--host H] [--workers N] [--session FILE [--venue-url URL] [--market-hours H] [--quiet] [--status-every S]]';
export const SERVE_HELP = `${SERVE_USAGE}
Serves the stored runs and sweeps over HTTP: the JSON API under /api/v1 (its OpenAPI document at
/api/v1/openapi.json, a docs page at /api/v1/docs) and pages with execution charts at /. Prints
its URL, then serves until SIGINT or SIGTERM, or, started through npm (npx), until npm is gone
(runs it started are then stopped and stored as interrupted).
${DB_FLAG_HELP}; it must exist
  --create      create the database when it does not exist (a new, empty one; \`execsim run\`
                creates it as it stores runs)
  --port N      the TCP port (default ${DEFAULT_PORT}; 0: any free port, printed)
  --host H      the address to bind (default 127.0.0.1; an address other than loopback exposes the
                server to the network: give it a token and put it behind TLS)
  --workers N   worker threads running the runs started over HTTP, 1 to ${MAX_SERVE_WORKERS} (default: cores - 1, from 1
                to ${DEFAULT_SERVE_WORKERS_CAP})
  --session FILE  host a trading session from a session file (a scenario without timed orders;
                mode: sim trades on its simulated venue in this process, mode: paper on the
                venue's paper account with keys from the environment): TWAP, order, signal and
                operator endpoints under /api/v1 (see /api/v1/docs). The session is a stored run
                that grows as it trades; a paper session stopped (SIGTERM) or killed is resumed
                by the next server started with the same file; the database is created if needed
  --venue-url URL, --market-hours H  a paper session's venue, as for \`execsim run --mode paper\`
  --quiet       no line per session event on stderr (by default each notable one prints: warm-up,
                signals, parents, fills, venue errors, the kill switch, the breaker, readiness)
${STATUS_EVERY_HELP}
  -h, --help    this help
Environment: EXECSIM_TOKEN (at least ${MIN_TOKEN_LENGTH} characters) turns on the operations that change
stored data (POST /runs, POST /sweeps, cancel, DELETE) for requests carrying
"Authorization: Bearer <token>"; without it they answer 403. Read operations need no token.
Exit codes: 0 stopped by a signal, 2 bad input (a bad flag, no database without --create, a port in
use, a short token, a session file with problems, a session another server runs, a venue that
cannot be reached).`;
