// `npm run bench:store-read`: listing runs from a store of 10,000 stored runs. Four bundled
// scenarios are run into a fresh database, then their rows (runs and parent_metrics, report
// blobs included) are copied 9,996 times in one transaction with varied ids, seeds, start times,
// states and headline figures (test/support/clone-runs.ts). Timed, each over CALLS calls: the
// read model's first page and a deep page (after ~9,000 rows, through its cursor) for each sort
// key, and filtered first pages; then the same list the naive way (every report_json parsed, the
// headline figure computed from its parents, filtered and sorted in JS) as a side-by-side ratio.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import type { RunQuery } from '../src/store/read-model-port.ts';
import { ReadModel } from '../src/store/read-model.ts';
import { RunStore } from '../src/store/run-store.ts';
import { cloneRuns } from '../test/support/clone-runs.ts';

const RUNS = 10_000;
const CALLS = 300;
const NAIVE_CALLS = 20;
const PAGE = 50;

const scenario = (name: string) => fileURLToPath(new URL(`../scenarios/${name}.yaml`, import.meta.url));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function time(calls: number, fn: () => unknown): { p50: number; p99: number } {
  for (let i = 0; i < 5; i++) fn(); // warm the statement cache and the page cache
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

const fmt = (x: number) => x.toFixed(3).padStart(8);

const dir = mkdtempSync(join(tmpdir(), 'execsim-store-read-'));
try {
  const file = join(dir, 'runs.db');
  const t0 = performance.now();
  const db = openDatabase(file);
  const store = new RunStore(db);
  const sources = [
    runScenario(loadScenarioFile(scenario('twap-calm')), { store, seed: 1 }).runId,
    runScenario(loadScenarioFile(scenario('twap-calm')), { store, seed: 2 }).runId,
    runScenario(loadScenarioFile(scenario('almgren-chriss-impact')), { store }).runId,
    runScenario(loadScenarioFile(scenario('static-book-sweep')), { store }).runId,
  ];
  cloneRuns(db, sources, { count: RUNS - sources.length, seed: 42, writerPids: [1], host: 'elsewhere' });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  // The next writer's open gathers planner statistics (open-database.ts), as the next
  // `execsim run` on this store would.
  openDatabase(file).close();
  const built = performance.now() - t0;

  const model = ReadModel.open(file);
  const total = [...model.allRuns()].length;

  /** The cursor after `depth` rows of `q`'s order (read through pages of 500). */
  const cursorAt = (q: RunQuery, depth: number): string => {
    let cursor: string | undefined;
    for (let seen = 0; seen < depth;) {
      const page = model.listRuns({ ...q, cursor, limit: Math.min(500, depth - seen) });
      seen += page.items.length;
      if (page.nextCursor === null) throw new Error('list shorter than the depth');
      cursor = page.nextCursor;
    }
    return cursor as string;
  };

  const rows: Array<{ label: string; p50: number; p99: number }> = [];
  for (const sort of ['started', 'shortfall', 'fillRatio'] as const) {
    const q: RunQuery = { sort, order: 'desc', limit: PAGE };
    rows.push({ label: `sort ${sort} desc, first page`, ...time(CALLS, () => model.listRuns(q)) });
    const deep = cursorAt({ sort, order: 'desc' }, 9_000);
    rows.push({
      label: `sort ${sort} desc, page after 9,000`,
      ...time(CALLS, () => model.listRuns({ ...q, cursor: deep })),
    });
  }
  const filters: Array<[string, RunQuery]> = [
    ['scenario=twap-calm, sort started', { scenario: 'twap-calm', limit: PAGE }],
    ['status=crashed, sort started', { status: 'crashed', limit: PAGE }],
    [
      'venue=alpaca-equities & passed, sort shortfall',
      { venue: 'alpaca-equities', passed: true, sort: 'shortfall', limit: PAGE },
    ],
    [
      'codeVersion=v2 & seed=3, sort fillRatio asc',
      { codeVersion: 'v2', seed: 3, sort: 'fillRatio', order: 'asc', limit: PAGE },
    ],
  ];
  for (const [label, q] of filters)
    rows.push({ label: `${label}, first page`, ...time(CALLS, () => model.listRuns(q)) });
  model.close();

  // The naive way: every run's report parsed to sort by shortfall (what lists did before the
  // summary columns): read report_json, compute the filled-weighted shortfall, sort, slice.
  const naiveDb = openDatabase(file);
  const selectAll = naiveDb.prepare('SELECT id, scenario_name, started_at, report_json FROM runs');
  const naive = (scenarioFilter?: string) => {
    const all = selectAll.all() as Array<{
      id: string;
      scenario_name: string;
      started_at: string;
      report_json: string | null;
    }>;
    const listed = [];
    for (const r of all) {
      if (scenarioFilter !== undefined && r.scenario_name !== scenarioFilter) continue;
      const report =
        r.report_json === null
          ? null
          : (JSON.parse(r.report_json) as { parents: Array<{ filledQty: string; shortfallBps: number | null }> });
      let w = 0;
      let s = 0;
      for (const p of report?.parents ?? []) {
        const q = Number(p.filledQty);
        if (p.shortfallBps !== null && q > 0) {
          w += q;
          s += p.shortfallBps * q;
        }
      }
      listed.push({ id: r.id, shortfall: w > 0 ? s / w : null });
    }
    listed.sort((a, b) => (b.shortfall ?? -Infinity) - (a.shortfall ?? -Infinity) || (a.id < b.id ? 1 : -1));
    return listed.slice(0, PAGE);
  };
  const naiveSort = time(NAIVE_CALLS, () => naive());
  const naiveFilter = time(NAIVE_CALLS, () => naive('twap-calm'));
  naiveDb.close();

  const load = readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
  console.log(
    `store-read bench: ${total.toLocaleString('en-US')} runs (built in ${(built / 1000).toFixed(1)} s, ` +
      `${(statSync(file).size / 1e6).toFixed(1)} MB); ${cpus().length} CPUs, ${process.arch}, load ${load}`,
  );
  console.log(`page ${PAGE}; ${CALLS} calls each (naive: ${NAIVE_CALLS})`);
  console.log(`${'list'.padEnd(58)}  p50 ms   p99 ms`);
  for (const r of rows) console.log(`${r.label.padEnd(58)}${fmt(r.p50)} ${fmt(r.p99)}`);
  const shortfallFirst = rows.find((r) => r.label === 'sort shortfall desc, first page') as {
    p50: number;
    p99: number;
  };
  const scenarioFirst = rows.find((r) => r.label.startsWith('scenario=')) as { p50: number; p99: number };
  console.log(
    `${'naive: parse every report_json, sort shortfall'.padEnd(58)}${fmt(naiveSort.p50)} ${fmt(naiveSort.p99)}`,
  );
  console.log(
    `${'naive: parse every report_json, scenario=twap-calm'.padEnd(58)}${fmt(naiveFilter.p50)} ${fmt(naiveFilter.p99)}`,
  );
  console.log(
    `naive / read model (p50): sort shortfall ${(naiveSort.p50 / shortfallFirst.p50).toFixed(0)}x, ` +
      `scenario filter ${(naiveFilter.p50 / scenarioFirst.p50).toFixed(0)}x`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
