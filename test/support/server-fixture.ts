// Apps and stores for the server tests. The contract test needs every route the server can offer,
// so its app has a run pool that is never asked to run anything (the document does not depend on
// it); the other tests use a scratch store with real runs and a real sweep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { newSweep, newSweepId, SweepRecorder } from '../../src/sweep/sweep-recorder.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { createApp, type ExecsimApp } from '../../src/server/app.ts';
import type { RunJobs } from '../../src/server/routes/run-job-routes.ts';
import type { SweepJobPool } from '../../src/server/routes/sweep-job-routes.ts';
import { openDatabase, openExistingDatabase } from '../../src/store/open-database.ts';
import type { DeleteRun, RunReader } from '../../src/store/read-model-port.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { openStoreReader } from '../../src/store/store-reader.ts';
import { SweepStore } from '../../src/store/sweep-store.ts';

const idlePool: RunJobs = {
  submit: () => {
    throw new Error('the contract app runs nothing');
  },
  state: () => null,
  cancel: () => 'unknown',
  follow: () => null,
  forget: () => {},
  load: { queued: 0, running: 0, workers: 0 },
};

const idleSweeps: SweepJobPool = {
  submitSweep: () => {
    throw new Error('the contract app runs nothing');
  },
  cancel: () => 'unknown',
  followSweep: () => null,
  kindOf: () => null,
  rerunSweepPath: () => ({ kind: 'no-sweep' }),
  load: { queued: 0, running: 0, workers: 0 },
};

/** The pool's run operations, counting what is submitted (a refused request must submit nothing). */
export function countingJobs(pool: RunJobs): RunJobs & { readonly submitted: number } {
  let submitted = 0;
  return {
    submit: (job) => {
      submitted++;
      pool.submit(job);
    },
    state: (id) => pool.state(id),
    cancel: (id) => pool.cancel(id),
    follow: (id, after, l) => pool.follow(id, after, l),
    forget: (id) => pool.forget(id),
    get load() {
      return pool.load;
    },
    get submitted() {
      return submitted;
    },
  };
}

export function serverAppForContract(): ExecsimApp {
  return createApp({
    reader: null,
    deleteRun: null,
    jobs: idlePool,
    sweepJobs: idleSweeps,
    scenariosDir: path.resolve('scenarios'),
    version: 'snapshot',
    token: null,
    checkResponses: true,
  });
}

/** A scratch database with stored runs of bundled scenarios and one stored sweep, read by the
 *  server's real reader. */
export interface StoreFixture {
  readonly dir: string;
  readonly dbPath: string;
  readonly scenariosDir: string;
  readonly reader: RunReader;
  readonly deleteRun: DeleteRun;
  readonly runIds: readonly string[];
  readonly sweepIds: readonly string[];
  /** Row counts of every table that requests could change, as one comparable string. */
  counts(): string;
  close(): void;
}

const FIXTURE_SCENARIOS = ['twap-calm.yaml', 'twap-outage.yaml', 'thin-book.yaml'];
const FIXTURE_SWEEP = 'almgren-chriss-impact.yaml';

export function storeFixture(): StoreFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-server-store-'));
  const dbPath = path.join(dir, 'store.db');
  const scenariosDir = path.resolve('scenarios');
  const db = openDatabase(dbPath);
  const writer = new RunStore(db);
  const runIds = FIXTURE_SCENARIOS.map(
    (f) => runScenario(loadScenarioFile(path.join(scenariosDir, f)), { store: writer }).runId as string,
  );
  const sweeps = new SweepStore(db);
  const file = path.join(scenariosDir, FIXTURE_SWEEP);
  const loaded = loadScenarioFile(file);
  const sweepId = newSweepId();
  sweeps.create(newSweep(sweepId, { loaded, text: fs.readFileSync(file, 'utf8') }, 3, 6));
  const recorder = new SweepRecorder(sweeps, sweepId);
  recorder.finish(runSweep(loaded, { paths: 6, seed: 3, onPath: (p, parents) => recorder.add(p, parents) }));
  db.close();
  const store = openStoreReader(dbPath);
  const counter = openExistingDatabase(dbPath, 'read');
  // Every table but SQLite's planner statistics (sqlite_stat1, sqlite_stat4), which any writer
  // may refresh when it opens the database (PRAGMA optimize in openDatabase): a request that
  // opens one, refused or not, can change them without writing anything of ours.
  const tables = (
    counter
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name")
      .all() as { name: string }[]
  ).map((t) => t.name);
  // Prepared once: the fuzz tests count every table before and after each of thousands of requests.
  const tableCounts = tables.map((t) => [t, counter.prepare(`SELECT count(*) AS n FROM "${t}"`)] as const);
  return {
    dir,
    dbPath,
    scenariosDir,
    reader: store.reader,
    deleteRun: store.deleteRun,
    runIds,
    sweepIds: [sweepId],
    counts: () => tableCounts.map(([t, count]) => `${t}=${(count.get() as { n: number }).n}`).join(' '),
    close: () => {
      counter.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
