// The server app (createApp: the JSON API and the pages) over a store file, and a store holding
// runs of bundled scenarios (and the row of a paper run): what the page and browser tests serve.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { codeVersion } from '../../src/store/code-version.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { API_BASE, createApp, type AppOptions } from '../../src/server/app.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { openStoreReader } from '../../src/store/store-reader.ts';
import { afterEveryFile } from './file-hooks.ts';

export { API_BASE };

/** The store readers of the current test file's apps, closed once its tests are done. */
const readers: Array<{ close(): void }> = [];
afterEveryFile(() => {
  for (const r of readers.splice(0)) r.close();
});

/** The app over the database at `file` (read-only routes: no token, no run pool; its reader closed
 *  after the file's tests), with `options` on top (where it logs). */
export function pageApp(file: string, options: Partial<AppOptions> = {}): Hono {
  const store = openStoreReader(file);
  readers.push(store);
  return createApp({
    reader: store.reader,
    deleteRun: store.deleteRun,
    jobs: null,
    scenariosDir: path.resolve('scenarios'),
    version: 'test',
    token: null,
    checkResponses: true,
    pages: (reader) => pageRoutes(reader, { apiBase: API_BASE }),
    ...options,
  }).app as unknown as Hono;
}

/** Scratch folders of the current test file, removed once its tests are done (a process exit
 *  listener never ran: the test runner ends its worker processes without one). */
const scratchDirs: string[] = [];
afterEveryFile(() => {
  for (const d of scratchDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A scratch database file (removed after the test file's tests). */
export function scratchDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-pages-'));
  scratchDirs.push(dir);
  return path.join(dir, 'pages.db');
}

/** A store with one run of each named bundled scenario (and seed). */
export function storeWithRuns(
  runs: ReadonlyArray<{ name: string; seed?: number }>,
  file = scratchDb(),
): { store: RunStore; reports: RunReport[]; file: string } {
  const store = new RunStore(openDatabase(file));
  const reports = runs.map((r) =>
    runScenario(loadScenarioFile(`scenarios/${r.name}.yaml`), {
      store,
      ...(r.seed === undefined ? {} : { seed: r.seed }),
    }),
  );
  return { store, reports, file };
}

/** When the paper run of storePaperRun started, on the wall clock. */
export const PAPER_STARTED = Date.parse('2025-03-04T15:00:00.000Z');

/**
 * The row of a paper run of test/fixtures/paper/twap-aapl.yaml as `execsim run --mode paper`
 * stores it when it starts (mode paper, its first instant the wall-clock start), written by this
 * process: what the pages show of a paper run's mode and clock. (A real paper run needs a venue
 * on the wall clock for its whole duration; the paper-run tests make those.)
 */
export function storePaperRun(store: RunStore, id: string): void {
  const loaded = loadScenarioFile('test/fixtures/paper/twap-aapl.yaml');
  store.createRun({
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed: loaded.scenario.seed,
    codeVersion: codeVersion(),
    startedAt: new Date(PAPER_STARTED).toISOString(),
    simStart: PAPER_STARTED,
    mode: 'paper',
  });
}
