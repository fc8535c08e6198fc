// `execsim serve`: the HTTP API and pages over one database, on 127.0.0.1 unless told otherwise.
// Runs started over HTTP execute on a pool of worker threads writing into the same database, so
// the server keeps answering while they run. The database must exist (a mistyped --db would
// otherwise serve a new, empty one without a word) unless --create asks for a new one; `execsim
// run` creates it as it stores runs. The token that enables the routes that change stored
// data comes from the environment only (EXECSIM_TOKEN), never from a flag (flags show up in
// process lists and shell history). SIGINT/SIGTERM (or, started through npm, npm gone:
// until-stopped.ts) stop taking requests, stop the running runs (stored as interrupted) and exit 0.
import { serve, type ServerType } from '@hono/node-server';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RunPool } from '../sweep/run-pool.ts';
import { API_BASE, createApp } from '../server/app.ts';
import { answerClientErrors } from '../server/client-errors.ts';
import { loopbackHostNames } from '../server/host-guard.ts';
import { pageRoutes } from '../server/pages/page-routes.tsx';
import { openDatabase, openExistingDatabase } from '../store/open-database.ts';
import { openStoreReader } from '../store/store-reader.ts';
import { dbPath, parseCommand, parseCount, UsageError, type Io } from './io.ts';
import { inProcessVenueOptions } from '../gateway/in-process-venue.ts';
import { openSession, type ServiceSession } from '../runtime/session-root.ts';
import { simulatedScenario } from '../scenario/load-scenario.ts';
import { loadSessionFile } from '../scenario/session-file.ts';
import { RunStore } from '../store/run-store.ts';
import { paperVenue } from './paper-venue.ts';
import {
  DEFAULT_PORT,
  defaultServeWorkers,
  MAX_SERVE_WORKERS,
  MIN_TOKEN_LENGTH,
  SERVE_HELP,
  SERVE_USAGE,
} from './serve-help.ts';
import { untilStopped } from './until-stopped.ts';
import { runProgress } from './progress/run-progress.ts';
import { parseStatusEvery } from './progress/progress-flags.ts';
import type { LogEntry } from '../core/model/events.ts';

const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios', import.meta.url));

export interface RunningServer {
  readonly url: string;
  /** The service session it hosts (serve --session), if any. */
  readonly session: ServiceSession | null;
  /** Stops the server and the pool; resolves when both are down. */
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens (rejects with a UsageError when it cannot). */
export async function startServer(args: readonly string[], io: Io, version: string): Promise<RunningServer | null> {
  const { values, positionals } = parseCommand(
    args,
    {
      db: { type: 'string' },
      create: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      session: { type: 'string' },
      'venue-url': { type: 'string' },
      'market-hours': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'status-every': { type: 'string' },
    },
    SERVE_USAGE,
  );
  if (values.help) {
    io.out(SERVE_HELP);
    return null;
  }
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got "${positionals[0]}"`, SERVE_USAGE);
  const statusEveryMs = parseStatusEvery(values['status-every'], SERVE_USAGE);
  if (statusEveryMs !== undefined && values.session === undefined)
    throw new UsageError("--status-every needs --session (the status line is a session's)", SERVE_USAGE);
  const port = values.port === undefined ? DEFAULT_PORT : parseCount('--port', values.port, 0, 65_535, SERVE_USAGE);
  const host = values.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host))
    throw new UsageError(`--host must be an address or host name, got "${host}"`, SERVE_USAGE);
  const workers =
    values.workers === undefined
      ? defaultServeWorkers(availableParallelism())
      : parseCount('--workers', values.workers, 1, MAX_SERVE_WORKERS, SERVE_USAGE);
  const token = io.env['EXECSIM_TOKEN'] ?? null;
  if (token !== null && token.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(
      `EXECSIM_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters (e.g. $(openssl rand -hex 32)), got ${token.length}`,
      SERVE_USAGE,
    );
  }
  // A session file is read, and its venue's flags and keys checked, before anything is opened.
  const sessionFile = values.session === undefined ? null : loadSessionFile(values.session);
  if (sessionFile === null && (values['venue-url'] !== undefined || values['market-hours'] !== undefined))
    throw new UsageError('--venue-url and --market-hours go with --session FILE (a paper session)', SERVE_USAGE);
  const paper =
    sessionFile?.mode === 'paper'
      ? paperVenue(
          { name: sessionFile.loaded.scenario.venue.name, endpoint: sessionFile.loaded.scenario.venue.endpoint },
          values['venue-url'],
          values['market-hours'],
          io,
          SERVE_USAGE,
        )
      : null;
  // A sim session keeps the hours of its simulated venue: both flags are refused, not ignored.
  for (const flag of ['venue-url', 'market-hours'] as const)
    if (sessionFile?.mode === 'sim' && values[flag] !== undefined)
      throw new UsageError(`--${flag} is for a paper session: a sim session trades in this process`, SERVE_USAGE);
  const path = dbPath(values.db, io);
  // A database that is not there is created only when asked for (--create, or a session that
  // stores its run); one created is removed again when the server cannot start (nothing is left
  // of a failed start).
  const created = !existsSync(path);
  if (values.create || sessionFile !== null) openDatabase(path).close();
  else openExistingDatabase(path, 'write', 'serve --create starts on a new, empty one').close();
  const removeCreated = (): void => {
    if (created) for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  };
  let session: ServiceSession | null = null;
  let sessionDb: ReturnType<typeof openDatabase> | null = null;
  if (sessionFile !== null) {
    sessionDb = openDatabase(path);
    const venue =
      paper === null
        ? inProcessVenueOptions(simulatedScenario(sessionFile.loaded), { warn: (m) => io.err(`execsim serve: ${m}`) })
        : {
            venue: await paper.factory(),
            venueUrl: paper.url,
            venueUrlFrom: paper.urlFrom,
            marketHours: paper.marketHours,
          };
    try {
      session = await openSession(sessionFile, {
        store: new RunStore(sessionDb),
        venue,
        warn: (m) => io.err(`execsim serve: ${m}`),
        ...(values.quiet ? {} : { note: (m: string) => io.err(`execsim serve: ${m}`) }),
      });
    } catch (err) {
      sessionDb.close();
      if (created) removeCreated();
      throw err;
    }
  }
  const store = openStoreReader(path);
  let app: ReturnType<typeof createApp> | null = null;
  const pool = new RunPool({
    dbPath: path,
    size: workers,
    onUpdate: (u) =>
      'runId' in u ? app?.metrics.observeJob('run', u, u.runId) : app?.metrics.observeJob('sweep', u, u.sweepId),
  });
  const loopback = loopbackHostNames(host);
  app = createApp({
    reader: store.reader,
    deleteRun: store.deleteRun,
    jobs: pool,
    sweepJobs: pool,
    scenariosDir: SCENARIOS_DIR,
    version,
    token,
    allowedHosts: loopback,
    pages: (reader, runState) => pageRoutes(reader, { apiBase: API_BASE, session, runState }),
    session,
  });
  let server: ServerType;
  try {
    server = await listen(app.app.fetch, host, port);
  } catch (err) {
    // A session this start made is removed again (nothing is left of a failed start); a resumed
    // one is stored as it was found (interrupted), for the next start.
    await session?.stop('the server could not listen');
    if (session !== null && !session.resumed) new RunStore(sessionDb!).deleteRun(session.id);
    sessionDb?.close();
    await pool.close();
    store.close();
    if (created && session === null) removeCreated();
    throw new UsageError(`cannot listen on ${host}:${port}: ${(err as Error).message}`, SERVE_USAGE);
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${actualPort}/`;
  io.out(`execsim serve: listening on ${url}`);
  io.out(
    `  database ${path}; ${workers} worker${workers === 1 ? '' : 's'}; ` +
      (token === null ? 'changes off (set EXECSIM_TOKEN to start runs over HTTP)' : 'changes need the bearer token'),
  );
  if (session !== null)
    io.out(
      `  session ${session.name} (${session.mode}, run ${session.id}${session.resumed ? ', resumed' : ''}): ` +
        `orders at ${url}api/v1/orders/slice, state at ${url}api/v1/session`,
    );
  if (loopback === null) io.err(`execsim serve: warning: bound to ${host}, reachable from the network`);
  // The session's notable events, a line each on stderr as its units commit (not with --quiet).
  // And its status line (position, working orders, fills, net P&L) on the wall clock.
  let unfollow: (() => void) | null = null;
  if (session !== null && sessionFile !== null && !values.quiet) {
    const lines = runProgress(sessionFile.loaded.scenario, io, {
      secrets: paper?.secrets() ?? [],
      statusEveryMs,
      prior: session.proc.prior ?? [],
    });
    lines.start();
    // What this process committed before the server listened, then each entry as it commits.
    let seen = session.proc.prior?.at(-1)?.seq ?? 0;
    const show = (e: LogEntry): void => {
      if (e.seq <= seen) return;
      seen = e.seq;
      lines.entry(e);
    };
    const stopFollowing = session.follow(show);
    unfollow = () => {
      stopFollowing();
      lines.stop();
    };
    for (const e of session.entriesAfter(seen)) show(e);
  }
  session?.done.catch((err: unknown) =>
    io.err(`execsim serve: the session stopped: ${err instanceof Error ? err.message : String(err)}`),
  );
  return {
    url,
    session,
    close: async () => {
      // The session first: it is stored (interrupted or finished) before the server stops answering.
      await session?.stop('the server stopped').catch(() => {});
      unfollow?.();
      app?.sessionMetrics?.stop();
      sessionDb?.close();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
      store.close();
    },
  };
}

function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    // A request Node refuses before the app sees it (headers too large, malformed HTTP) gets a
    // problem document too.
    answerClientErrors(server, API_BASE);
    server.once('error', reject);
  });
}

/** `execsim serve` as a process: serves until SIGINT or SIGTERM, or the npm process that started
 *  it is gone (until-stopped.ts). */
export async function serveCommand(args: readonly string[], io: Io, version: string): Promise<number> {
  const running = await startServer(args, io, version);
  if (running === null) return 0;
  return serveUntilStopped(running, io);
}

/** Serves until a signal, or until the session fails (said on stderr as it fails): a server
 *  whose session died would answer health checks while refusing every command, so it stops
 *  too, exit 1. */
export async function serveUntilStopped(
  running: Pick<RunningServer, 'session' | 'close'>,
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  const failed = new AbortController();
  let sessionFailed = false;
  running.session?.done.catch(() => {
    sessionFailed = true;
    failed.abort();
  });
  const stop = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
  await untilStopped(io, 'execsim serve', stop);
  io.out(sessionFailed ? 'execsim serve: stopping: the session failed' : 'execsim serve: stopping');
  await running.close();
  return sessionFailed ? 1 : 0;
}
