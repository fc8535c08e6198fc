// `npm run bench:restart`: what crash safety costs and how fast a restart is ready.
// One simulated hour: 600 single market orders (one every 6 s) and a 120-slice limit TWAP, on a
// synthetic market. Four variants, each the median of 3 runs: without and with three crashes
// (at 15, 30 and 45 minutes, 60 s down each), without a store and on the SQLite store. A run that
// can crash commits after every handled timer, report and input (decision 0010); one that cannot
// commits at order boundaries only, so the store columns show what that durability costs.
// Reported per restart: virtual time from start to ready (startup reconciliation and recovery,
// network latency included), lookups asked, slices recovered; and the invariants checked.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LogEntry } from '../src/core/model/events.ts';
import { runScenario, type RunReport } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';

const ORDERS = 600;

function scenario(crashes: boolean): string {
  const orders = Array.from({ length: ORDERS }, (_, i) => {
    const at = 30 + i * 6;
    return `  - { id: m${i}, at: PT${at}S, side: ${i % 2 === 0 ? 'buy' : 'sell'}, qty: "0.01", type: market, route: single }`;
  });
  return `
name: restart-bench
seed: 17
venue: { name: binance-spot, latency: { orderEntry: { ms: 15, jitterMs: 10 }, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1H5M
market: { model: synthetic, initialPrice: "61000.00", volatility: 0.3, stepMs: 100, spreadTicks: 2, depth: ["0.4", "0.6", "0.8", "1.0"], trades: { ratePerSec: 5, meanQty: "0.02" } }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000", maxOrdersPerWindow: 1000 } }
restarts: [${crashes ? '{ at: PT15M, downtime: PT1M }, { at: PT30M, downtime: PT1M }, { at: PT45M, downtime: PT1M }' : ''}]
orders:
  - { id: twap, at: PT20S, side: buy, qty: "3", type: limit, twap: { duration: PT1H, slices: 120, limitOffsetTicks: 0, maxSpread: 0.05, maxPriceDeviation: 0.5 } }
${orders.join('\n')}
`;
}

interface Variant {
  readonly label: string;
  readonly medianWallMs: number;
  readonly events: number;
  readonly report: RunReport;
  readonly readyMs: number[];
  readonly lookups: number[];
}

function runVariant(crashes: boolean, store: boolean): Variant {
  const loaded = parseScenario(scenario(crashes), 'restart-bench.yaml');
  const walls: number[] = [];
  let report: RunReport | null = null;
  let entries: LogEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const dir = store ? mkdtempSync(join(tmpdir(), 'execsim-bench-')) : null;
    const st = dir ? new RunStore(openDatabase(join(dir, 'b.db'))) : null;
    const log: LogEntry[] = [];
    const t0 = performance.now();
    const r = runScenario(loaded, { ...(st ? { store: st } : {}), onEntry: (e) => log.push(e) });
    const ms = performance.now() - t0;
    st?.db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (i === 0) continue; // warm-up
    walls.push(ms);
    report = r;
    entries = log;
  }
  const r = report as RunReport;
  if (!r.passed || r.duplicateOrders.length > 0 || r.discrepancies > 0)
    throw new Error('restart bench: the run is broken');
  const readyMs: number[] = [];
  const lookups: number[] = [];
  let restartAt: number | null = null;
  let asked = 0;
  for (const e of entries) {
    if (e.event.kind === 'ProcessRestarted') {
      restartAt = e.time;
      asked = 0;
    } else if (restartAt !== null && e.event.kind === 'OrderStatusReport') asked++;
    else if (restartAt !== null && e.event.kind === 'StartupGateChanged' && e.event.state === 'ready') {
      readyMs.push(e.time - restartAt);
      lookups.push(asked);
      restartAt = null;
    }
  }
  walls.sort((a, b) => a - b);
  return {
    label: `${crashes ? '3 crashes' : 'no crash'}, ${store ? 'SQLite' : 'no store'}`,
    medianWallMs: walls[1] as number,
    events: r.events,
    report: r,
    readyMs,
    lookups,
  };
}

export function main() {
  const cpu = cpus()[0]?.model ?? 'unknown';
  const variants = [runVariant(false, false), runVariant(true, false), runVariant(false, true), runVariant(true, true)];
  const [plain, crashed, stored, storedCrashed] = variants as [Variant, Variant, Variant, Variant];
  if (process.argv[1]?.endsWith('restart.bench.ts')) {
    console.log(`machine: ${cpu}, ${cpus().length} cores, node ${process.version}`);
    console.log(
      `restart (one simulated hour: ${ORDERS} market orders + a 120-slice limit TWAP; median of 3 runs after a warm-up):`,
    );
    for (const v of variants) {
      const rc = v.report.reconciliation;
      console.log(
        `  ${v.label.padEnd(22)} ${v.medianWallMs.toFixed(0).padStart(6)} ms  ${v.events} events  restarts ${rc.restarts}  ` +
          `startup→ready ${v.readyMs.length ? v.readyMs.map((x) => x.toFixed(0)).join('/') + ' ms virtual' : '-'}  lookups ${v.lookups.join('/') || '-'}  ` +
          `recovered ${rc.slicesRecovered} skipped ${rc.slicesSkipped} missed fills ${rc.missedFills}  TWAP filled ${v.report.parents.find((p) => p.id === 'twap')?.filledQty}`,
      );
    }
    console.log(
      `  ratios: crashes/no crash ${(crashed.medianWallMs / plain.medianWallMs).toFixed(2)}x without a store, ${(storedCrashed.medianWallMs / stored.medianWallMs).toFixed(2)}x on SQLite; SQLite/no store ${(stored.medianWallMs / plain.medianWallMs).toFixed(2)}x (no crash), ${(storedCrashed.medianWallMs / crashed.medianWallMs).toFixed(2)}x (crashes)`,
    );
    console.log('  every variant: expectations none broken, 0 duplicate orders, 0 discrepancies');
  }
  return { variants };
}

if (import.meta.url === `file://${process.argv[1]}`) main();
