// A service session on a clock the test advances: the session file's simulated venue in process
// and the session's node share one VirtualClock, so nothing waits on wall time. `settle` and
// `advance` move the clock in small steps and let the Promise continuations between them run
// (an HTTP handler awaiting its command, the startup awaiting the venue), bounded in virtual time.
// `sessionApp` puts the HTTP app in front of such a session, reading its store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { inProcessVenueOptions } from '../../src/gateway/in-process-venue.ts';
import { openSession, type ServiceSession, type SessionOptions } from '../../src/runtime/session-root.ts';
import { API_BASE, createApp, type ExecsimApp } from '../../src/server/app.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { simulatedScenario } from '../../src/scenario/load-scenario.ts';
import { loadSessionFile, parseSessionFile, type LoadedSession } from '../../src/scenario/session-file.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { openStoreReader } from '../../src/store/store-reader.ts';
import { TestVenueClock } from './test-venue-clock.ts';

export { TestVenueClock };

export const SANDBOX = 'scenarios/session/sandbox-btcusdt.yaml';

/** Lets queued Promise continuations and immediates run. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Advances the clock by `ms` in steps, letting continuations run between them. */
export async function advance(clock: VirtualClock, ms: number, stepMs = 5): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await turn();
    clock.advanceTo(Math.min(end, clock.now() + stepMs));
  }
  await turn();
}

/** Advances the clock until `p` settles (at most `maxMs` of virtual time), and returns it. */
export async function settle<T>(clock: VirtualClock, p: Promise<T>, maxMs = 60_000, stepMs = 5): Promise<T> {
  let done = false;
  const watched = p.finally(() => {
    done = true;
  });
  // Handled here too: a rejection while the clock is still being advanced is the caller's to see.
  watched.catch(() => {});
  const end = clock.now() + maxMs;
  await turn();
  while (!done) {
    if (clock.now() >= end) throw new Error(`not settled within ${maxMs} ms of virtual time`);
    clock.advanceTo(Math.min(end, clock.now() + stepMs));
    await turn();
  }
  return watched;
}

/** Advances the clock until `ok()` holds (at most `maxMs` of virtual time). */
export async function until(clock: VirtualClock, ok: () => boolean, maxMs = 60_000, stepMs = 5): Promise<void> {
  const end = clock.now() + maxMs;
  while (!ok()) {
    if (clock.now() >= end) throw new Error(`condition not met within ${maxMs} ms of virtual time`);
    await turn();
    clock.advanceTo(Math.min(end, clock.now() + stepMs));
  }
}

export interface SessionFixture {
  readonly clock: VirtualClock;
  readonly session: ServiceSession;
  readonly store: RunStore;
  readonly dbPath: string;
  /** Stops the session (advancing the clock while it stores) and removes the database. */
  close(): Promise<void>;
}

/** A sim session of `file` (a path, or session YAML when it contains a newline) on a virtual
 *  clock, started and ready. */
export async function simSession(
  file: string = SANDBOX,
  options: Partial<SessionOptions> & { dir?: string } = {},
): Promise<SessionFixture> {
  const loaded: LoadedSession = file.includes('\n') ? parseSessionFile(file, 'session.yaml') : loadSessionFile(file);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'execsim-session-'));
  const dbPath = join(dir, 'session.db');
  const db = openDatabase(dbPath);
  const store = new RunStore(db);
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
  const venueClock = new TestVenueClock(clock);
  const session = await settle(
    clock,
    openSession(loaded, {
      store,
      clock,
      venue: inProcessVenueOptions(simulatedScenario(loaded.loaded), { clock: venueClock }),
      ...options,
    }),
  ).catch((err: unknown) => {
    db.close();
    throw err;
  });
  await until(clock, () => session.ready);
  return {
    clock,
    session,
    store,
    dbPath,
    close: async () => {
      await settle(clock, session.stop('test over')).catch(() => {});
      db.close();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SessionAppFixture {
  readonly f: SessionFixture;
  /** The server's app: its API, run pages and the session's routes, answers checked. */
  readonly app: ExecsimApp['app'];
  /** Closes the store reader, then the session. */
  close(): Promise<void>;
}

/** A sim session of `file` (as simSession takes it) behind the HTTP app a server builds for it:
 *  the session's routes with `token`, and the API and pages over its store. */
export async function sessionApp(file: string, token: string): Promise<SessionAppFixture> {
  const f = await simSession(file);
  const reader = openStoreReader(f.dbPath);
  const { app } = createApp({
    reader: reader.reader,
    deleteRun: null,
    jobs: null,
    scenariosDir: 'scenarios',
    version: 'test',
    token,
    session: f.session,
    checkResponses: true,
    pages: (rd) => pageRoutes(rd, { apiBase: API_BASE, session: f.session }),
  });
  return {
    f,
    app,
    close: async () => {
      reader.close();
      await f.close();
    },
  };
}
