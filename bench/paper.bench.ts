// `npm run bench:paper`: what the live boundary of a paper run costs per order, against the same
// TWAP as a backtest. One scenario (a 20-slice market TWAP over 10 s on a static AAPL book with
// a millisecond of simulated latency each way), run:
//   (a) as a backtest (runScenario, mode backtest, stored on a temp SQLite file): virtual time;
//   (b) as a paper run (runPaper, store on a temp file, AlpacaAdapter to the local Alpaca gateway
//       serving the same book, marketHours 'always'), with the gateway in this process;
//   (c) the same paper run with the gateway in a child process (`execsim gateway alpaca`), so
//       this process's CPU is the paper client's alone;
//   (d) the gateway in this process, idle, for as long as a paper run (its timers' cost).
// Reported: CPU (process.cpuUsage, user + system) and wall time of each, events, CPU per event and
// per order, and, from the paper run's own event log, submit-to-ack and submit-to-fill per slice
// (SubmitOrder -> the first OrderStatusReport 'new' from the stream, -> AckReport, the HTTP
// answer, -> FillReport). The TWAP's schedule dominates the paper run's wall time; the figures
// that matter are the CPU and the per-order latencies.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { LogEntry } from '../src/core/model/events.ts';
import { startAlpacaGateway } from '../src/gateway/alpaca/alpaca-gateway.ts';
import { AlpacaAdapter } from '../src/live/alpaca/alpaca-adapter.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { runPaper } from '../src/runtime/paper-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';
import { quantile } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY_ID = 'benchkeyid0001';
const SECRET = 'benchsecret0123456789';
const SLICES = 20;
const QTY = 200;

const BOOK = `
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-09T14:00:00Z
market:
  model: static_book
  bids: [["187.40", "500"], ["187.30", "500"]]
  asks: [["187.50", "2000"], ["187.60", "5000"], ["187.70", "5000"]]
`;

/** What the gateway serves. */
const VENUE_YAML = `
name: paper-bench-venue
seed: 17
venue:
  name: alpaca-equities
  fees: { makerBps: 0, takerBps: 0 }
  latency: { orderEntry: 1, ack: 1, fillReport: 1, marketData: 0 }
  account: { quote: "10000000" }
duration: PT1H
${BOOK}`;

/** The TWAP, run as a paper run and (mode overridden) as a backtest of the same book. */
const TWAP_YAML = `
name: paper-bench-twap
seed: 23
mode: paper
venue:
  name: alpaca-equities
  fees: { makerBps: 0, takerBps: 0 }
  latency: { orderEntry: 1, ack: 1, fillReport: 1, marketData: 0 }
  account: { quote: "10000000" }
duration: PT2M
${BOOK}
reconciliation: { periodMs: 2000 }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
orders:
  - { id: twap-buy, side: buy, qty: "${QTY}", type: market, route: twap, twap: { duration: PT10S, slices: ${SLICES} } }
expect:
  - filledQty: { parent: twap-buy, equals: "${QTY}" }
`;

interface Measured {
  readonly label: string;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly events: number;
  readonly passed: boolean;
  readonly entries: readonly LogEntry[];
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

function backtest(dir: string, i: number): Measured {
  const parsed = parseScenario(TWAP_YAML, 'paper-bench.yaml');
  const loaded = { ...parsed, scenario: { ...parsed.scenario, mode: 'backtest' as const } };
  const store = new RunStore(openDatabase(join(dir, `backtest-${i}.db`)));
  const entries: LogEntry[] = [];
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const report = runScenario(loaded, { store, onEntry: (e) => entries.push(e) });
  const wallMs = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu);
  store.db.close();
  return { label: 'backtest', cpuMs, wallMs, events: report.events, passed: report.passed, entries };
}

async function paper(dir: string, i: number, url: string, label: string): Promise<Measured> {
  const loaded = parseScenario(TWAP_YAML, 'paper-bench.yaml');
  const store = new RunStore(openDatabase(join(dir, `paper-${label}-${i}.db`)));
  const entries: LogEntry[] = [];
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const report = await runPaper(loaded, {
    store,
    venue: (instrument, clock) => new AlpacaAdapter({ instrument, keyId: KEY_ID, secret: SECRET, baseUrl: url, clock }),
    venueUrl: url,
    marketHours: 'always',
    onEntry: (e) => entries.push(e),
  });
  const wallMs = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu);
  store.db.close();
  return { label, cpuMs, wallMs, events: report.events, passed: report.passed, entries };
}

/** The gateway alone, idle for `ms` of wall time: what its timers cost. */
async function idleGateway(venueFile: string, ms: number): Promise<number> {
  const gw = await startAlpacaGateway({ scenarioFile: venueFile, keyId: KEY_ID, secretKey: SECRET, port: 0 });
  const cpu = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const cpuMs = cpuMsSince(cpu);
  await gw.close();
  return cpuMs;
}

/** `execsim gateway alpaca` in a child process; its URL and a stop function. */
async function childGateway(venueFile: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET };
  delete env['NODE_OPTIONS'];
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'execsim.js'), 'gateway', 'alpaca', '--scenario', venueFile, '--port', '0'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start in 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /venue on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface SliceLatency {
  readonly toStreamNew: number[];
  readonly toAck: number[];
  readonly toFill: number[];
}

/** Per client order id: SubmitOrder -> first stream 'new', -> AckReport, -> first FillReport (ms). */
function sliceLatencies(entries: readonly LogEntry[]): SliceLatency {
  const submitted = new Map<string, number>();
  const out: SliceLatency = { toStreamNew: [], toAck: [], toFill: [] };
  const seen = new Set<string>();
  for (const { event, time } of entries) {
    if (event.kind === 'SubmitOrder') submitted.set(event.clientOrderId, time);
    if (!('clientOrderId' in event) || typeof event.clientOrderId !== 'string') continue;
    const at = submitted.get(event.clientOrderId);
    if (at === undefined) continue;
    const once1 = (what: string, list: number[]): void => {
      const key = `${what}:${event.clientOrderId}`;
      if (seen.has(key)) return;
      seen.add(key);
      list.push(time - at);
    };
    if (event.kind === 'OrderStatusReport' && event.source === 'stream' && event.status === 'new')
      once1('new', out.toStreamNew);
    if (event.kind === 'AckReport') once1('ack', out.toAck);
    if (event.kind === 'FillReport') once1('fill', out.toFill);
  }
  return out;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function main(paperRuns = Number(process.env['PAPER_BENCH_RUNS'] ?? 3)) {
  const dir = mkdtempSync(join(os.tmpdir(), 'execsim-paper-bench-'));
  const venueFile = join(dir, 'venue.yaml');
  writeFileSync(venueFile, VENUE_YAML);
  const loadBefore = os.loadavg();
  try {
    backtest(dir, -1); // warm-up: module loading and JIT
    const backtests = Array.from({ length: 5 }, (_, i) => backtest(dir, i));

    const inProcess: Measured[] = [];
    for (let i = 0; i < paperRuns; i++) {
      // A fresh gateway each run: the same book and an empty order list.
      const gw = await startAlpacaGateway({ scenarioFile: venueFile, keyId: KEY_ID, secretKey: SECRET, port: 0 });
      try {
        inProcess.push(await paper(dir, i, gw.url, 'paper, gateway in-process'));
      } finally {
        await gw.close();
      }
    }
    const childRuns: Measured[] = [];
    for (let i = 0; i < paperRuns; i++) {
      const gw = await childGateway(venueFile);
      try {
        childRuns.push(await paper(dir, i, gw.url, 'paper, gateway in a child'));
      } finally {
        await gw.stop();
      }
    }
    const idleCpuMs = await idleGateway(venueFile, median(inProcess.map((m) => m.wallMs)));
    return { backtests, inProcess, childRuns, idleCpuMs, loadBefore, loadAfter: os.loadavg() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await main();
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, node ${process.version}; ` +
      `load before ${load(r.loadBefore)}, after ${load(r.loadAfter)}`,
  );
  console.log(`TWAP: ${QTY} shares in ${SLICES} market slices over 10 s; medians (runs in brackets)`);
  const row = (label: string, ms: readonly Measured[]): void => {
    const cpu = median(ms.map((m) => m.cpuMs));
    const events = median(ms.map((m) => m.events));
    const orders = SLICES;
    console.log(
      `  ${label.padEnd(28)} CPU ${cpu.toFixed(1).padStart(7)} ms  wall ${median(ms.map((m) => m.wallMs))
        .toFixed(0)
        .padStart(
          6,
        )} ms  events ${String(events).padStart(4)}  CPU/event ${((cpu / events) * 1000).toFixed(0).padStart(5)} us` +
        `  CPU/order ${(cpu / orders).toFixed(2).padStart(6)} ms  passed ${ms.every((m) => m.passed)}` +
        `  [cpu ${ms.map((m) => m.cpuMs.toFixed(0)).join(', ')}]`,
    );
  };
  row('backtest (stored)', r.backtests);
  row('paper, gateway in-process', r.inProcess);
  row('paper, gateway in a child', r.childRuns);
  console.log(`  gateway alone, idle as long as a paper run: CPU ${r.idleCpuMs.toFixed(1)} ms`);
  const lat = (label: string, ms: readonly Measured[]): void => {
    const all = ms.map((m) => sliceLatencies(m.entries));
    const pick = (k: keyof SliceLatency): number[] => all.flatMap((a) => a[k]);
    const show = (k: keyof SliceLatency): string => {
      const xs = pick(k);
      return `p50 ${median(xs).toFixed(0)} / p90 ${quantile(xs, 0.9).toFixed(0)} / max ${Math.max(...xs).toFixed(0)} ms (n ${xs.length})`;
    };
    console.log(`  ${label}:`);
    console.log(`    submit -> stream 'new'   ${show('toStreamNew')}`);
    console.log(`    submit -> AckReport      ${show('toAck')}`);
    console.log(`    submit -> FillReport     ${show('toFill')}`);
  };
  lat('paper, gateway in-process', r.inProcess);
  lat('paper, gateway in a child', r.childRuns);
  const bt = sliceLatencies(r.backtests[0]?.entries ?? []);
  console.log(
    `  backtest (virtual time, simulated latency 1 ms each way): submit -> AckReport p50 ${median(bt.toAck)} ms, -> FillReport p50 ${median(bt.toFill)} ms`,
  );
}
