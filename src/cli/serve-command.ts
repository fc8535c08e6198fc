// `execsim serve`: the HTTP API and pages over one database, on 127.0.0.1 unless told otherwise.
// Runs started over HTTP execute on a pool of worker threads writing into the same database, so
// the server keeps answering while they run. The database must exist (a mistyped --db would
// otherwise serve a new, empty one without a word) unless --create asks for a new one; `execsim
// run` creates it as it stores runs. The token that enables the routes that change stored
// data comes from the environment only (EXECSIM_TOKEN), never from a flag (flags show up in
// process lists and shell history). SIGINT/SIGTERM stop taking requests, stop the running runs
// (stored as interrupted) and exit 0.
import { serve, type ServerType } from '@hono/node-server';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RunPool } from '../sweep/run-pool.ts';
import { API_BASE, createApp } from '../server/app.ts';
import { loopbackHostNames } from '../server/host-guard.ts';
import { pageRoutes } from '../server/pages/page-routes.tsx';
import { openDatabase, openExistingDatabase } from '../store/open-database.ts';
import { openStoreReader } from '../store/store-reader.ts';
import { dbPath, parseCommand, parseCount, UsageError, type Io } from './io.ts';
import { DEFAULT_PORT, MIN_TOKEN_LENGTH, SERVE_HELP, SERVE_USAGE } from './serve-help.ts';

const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios', import.meta.url));

export interface RunningServer {
  readonly url: string;
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
    },
    SERVE_USAGE,
  );
  if (values.help) {
    io.out(SERVE_HELP);
    return null;
  }
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got "${positionals[0]}"`, SERVE_USAGE);
  const port = values.port === undefined ? DEFAULT_PORT : parseCount('--port', values.port, 0, 65_535, SERVE_USAGE);
  const host = values.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host))
    throw new UsageError(`--host must be an address or host name, got "${host}"`, SERVE_USAGE);
  const workers =
    values.workers === undefined
      ? Math.max(1, Math.min(8, availableParallelism() - 1))
      : parseCount('--workers', values.workers, 1, 64, SERVE_USAGE);
  const token = io.env['EXECSIM_TOKEN'] ?? null;
  if (token !== null && token.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(
      `EXECSIM_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters (e.g. $(openssl rand -hex 32)), got ${token.length}`,
      SERVE_USAGE,
    );
  }
  const path = dbPath(values.db, io);
  // A database that is not there is created only when asked for (--create); one created is
  // removed again when the server cannot listen (nothing is left of a failed start).
  const created = !existsSync(path);
  if (values.create) openDatabase(path).close();
  else openExistingDatabase(path, 'write', 'serve --create starts on a new, empty one').close();
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
    pages: (reader) => pageRoutes(reader, { apiBase: API_BASE }),
  });
  let server: ServerType;
  try {
    server = await listen(app.app.fetch, host, port);
  } catch (err) {
    await pool.close();
    store.close();
    if (created) for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
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
  if (loopback === null) io.err(`execsim serve: warning: bound to ${host}, reachable from the network`);
  return {
    url,
    close: async () => {
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
    server.once('error', reject);
  });
}

/** `execsim serve` as a process: serves until SIGINT or SIGTERM. */
export async function serveCommand(args: readonly string[], io: Io, version: string): Promise<number> {
  const running = await startServer(args, io, version);
  if (running === null) return 0;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.out('execsim serve: stopping');
  await running.close();
  return 0;
}
