// The run page's series (GET /runs/{id}/series) for a one-hour run stored in SQLite: response
// bytes and latency (p50 and p95 over CALLS requests, after a warm-up) at maxPoints 1000, 5000
// and unlimited, through the app (route, validation, response check, JSON) and runSeries alone.
// The one-hour run is the TWAP of twap.bench.ts (synthetic market, 100 ms steps, 5 trades/s),
// sampled every 1000 ms (the default) and every 100 ms; beside it the bundled Binance recording
// (replay-btcusdt: the recording covers nine minutes, so no bundled replay runs an hour) sampled
// every 100 ms. Run: npm run bench:series
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { runSeries } from '../src/store/run-series.ts';
import { RunStore } from '../src/store/run-store.ts';
import { pageApp } from '../test/support/page-app.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

const CALLS = 25;
const POINTS: ReadonlyArray<number | null> = [1000, 5000, null];

const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-series-bench-'));
const store = new RunStore(openDatabase(path.join(dir, 'bench.db')));
const app = pageApp(path.join(dir, 'bench.db'));

const cases = [
  { label: 'one-hour TWAP, sampleMs 1000', yaml: TWAP_ONE_HOUR, file: 'twap-one-hour.yaml' },
  {
    label: 'one-hour TWAP, sampleMs 100',
    yaml: `${TWAP_ONE_HOUR}report: { sampleMs: 100 }\n`,
    file: 'twap-one-hour.yaml',
  },
  {
    label: 'replay-btcusdt (9 min recording), sampleMs 100',
    yaml: `${readFileSync('scenarios/replay-btcusdt.yaml', 'utf8')}\nreport: { sampleMs: 100 }\n`,
    file: 'scenarios/replay-btcusdt.yaml',
  },
];

console.log(`node ${process.version} | ${os.cpus()[0]?.model ?? 'cpu'} | nproc ${os.cpus().length}`);
console.log(`load average before: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
try {
  for (const c of cases) {
    const t0 = performance.now();
    const report = runScenario(parseScenario(c.yaml, c.file), { store });
    const runMs = performance.now() - t0;
    const samples = (
      store.db
        .prepare(`SELECT COALESCE(SUM(samples), 0) AS n FROM market_sample_blocks WHERE run_id = ?`)
        .get(report.runId) as { n: number }
    ).n;
    console.log(
      `${c.label}: ${report.events.toLocaleString('en-US')} events (${samples.toLocaleString('en-US')} market samples, ` +
        `${report.fills} fills), run and stored in ${runMs.toFixed(0)} ms`,
    );
    for (const maxPoints of POINTS) {
      const url = `/api/v1/runs/${report.runId}/series${maxPoints === null ? '' : `?maxPoints=${maxPoints}`}`;
      const times: number[] = [];
      let bytes = 0;
      let points = 0;
      for (let i = 0; i < CALLS + 3; i++) {
        const s0 = performance.now();
        const res = await app.request(url);
        const body = await res.arrayBuffer();
        const ms = performance.now() - s0;
        if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
        if (i >= 3) times.push(ms);
        bytes = body.byteLength;
        if (i === 0) {
          const s = JSON.parse(new TextDecoder().decode(body)) as { book: { t: number[] } };
          points = s.book.t.length;
        }
      }
      const direct: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const s0 = performance.now();
        runSeries(store.db, report.runId, maxPoints === null ? {} : { maxPoints });
        direct.push(performance.now() - s0);
      }
      console.log(
        `  maxPoints ${String(maxPoints ?? 'unlimited').padEnd(9)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB, ` +
          `book ${String(points).padStart(6)} points; GET p50 ${percentile(times, 0.5).toFixed(1)} ms, ` +
          `p95 ${percentile(times, 0.95).toFixed(1)} ms; runSeries p50 ${percentile(direct, 0.5).toFixed(1)} ms ` +
          `(${CALLS} calls each)`,
      );
    }
  }
} finally {
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`load average after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
