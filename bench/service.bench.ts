// `npm run bench:service`: what the execution service costs, over real processes on 127.0.0.1.
// (a) and (b): `execsim serve --session` on the sandbox sim session (scenarios/session/
//     sandbox-btcusdt.yaml, its rate limit raised so the bench measures the service, not the
//     limiter), busy with 20 TWAPs (60 slices over 60 s each: 20 orders/s); then POST
//     /orders/slice (a TWAP of 2 slices, its first sent at once) and POST /signals (one
//     marketable limit order each), first one request at a time (latency p50/p99), then 8 in
//     flight (throughput); the server's CPU per request from /proc/PID/stat.
// (c): what a paper session adds per order over a paper run, both against one `execsim gateway
//     alpaca` process (a deep static AAPL book, 1 ms of latency each way), orders of one share
//     paced one every PACE_MS: `execsim run --mode paper` of a scenario with N market orders (its
//     CPU per order is the slope between N_SMALL and N_LARGE orders, so the process's start-up
//     drops out), against `execsim serve --session` on a paper session, N_LARGE orders posted
//     to POST /orders at the same pace (the server's CPU from just before the first POST to the
//     last fill). Wall per order: the order's creation to its fill, from each one's store, the
//     same definition on both sides; for the session also the client's POST -> 201.
// Run: node --import tsx bench/service.bench.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { childrenCpuMs, processCpuMs } from './child-cpu.ts';
import { quantile } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'execsim.js');
const TOKEN = 'service-bench-token-0123456789abcdef';
const KEY_ID = 'servicebenchkey01';
const SECRET = 'servicebenchsecret0123456789';
const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  EXECSIM_TOKEN: TOKEN,
  APCA_API_KEY_ID: KEY_ID,
  APCA_API_SECRET_KEY: SECRET,
};
delete ENV['NODE_OPTIONS'];

const BACKGROUND_TWAPS = 20;
const SEQUENTIAL = 300;
const CONCURRENT = 400;
const IN_FLIGHT = 8;
const PACE_MS = 50;
const N_SMALL = 40;
const N_LARGE = 120;
const RAISED_RATE = 'maxOrdersPerWindow: 100000';

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

const started: ChildProcess[] = [];

/** `execsim ARGS` as a process, once it prints the address it listens on. */
async function execsim(args: readonly string[], listening: RegExp): Promise<Child> {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let out = '';
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`execsim ${args[0]} did not listen in 30 s: ${out}`)), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = listening.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`execsim ${args[0]} exited with ${code}: ${out}`)));
  });
  return {
    proc,
    url,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

const serveSession = (file: string, db: string, extra: readonly string[] = []): Promise<Child> =>
  execsim(
    ['serve', '--session', file, '--db', db, '--port', '0', '--workers', '1', ...extra],
    /listening on (http:\/\/127\.0\.0\.1:\d+\/)/,
  );

async function post(base: string, route: string, body: unknown): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}api/v1${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

/** Polls `check` every 20 ms until it holds; throws after `ms`. */
async function until(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ready = (base: string): Promise<void> =>
  until('readyz 200', 30_000, async () => (await fetch(`${base}api/v1/readyz`).catch(() => null))?.status === 200);

interface Phase {
  readonly label: string;
  readonly n: number;
  readonly inFlight: number;
  readonly perSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPerReqMs: number;
  readonly refused: number;
}

/** `n` requests made by `body(i)`, `inFlight` at a time; the server's CPU over them. */
async function phase(
  label: string,
  server: Child,
  route: string,
  n: number,
  inFlight: number,
  body: (i: number) => unknown,
): Promise<Phase> {
  const ms: number[] = [];
  let refused = 0;
  let next = 0;
  const cpu0 = processCpuMs(server.proc.pid!);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const r = await post(server.url, route, body(next++));
        if (r.status !== 201) refused++;
        ms.push(r.ms);
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = processCpuMs(server.proc.pid!) - cpu0;
  return {
    label,
    n,
    inFlight,
    perSec: (n / wall) * 1000,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    cpuPerReqMs: cpu / n,
    refused,
  };
}

/** (a) and (b): the sandbox session, busy with 20 TWAPs. */
async function busySession(
  dir: string,
): Promise<{ phases: Phase[]; acked: number; filled: number; signalsFilled: number }> {
  const file = join(dir, 'sandbox.yaml');
  const sandbox = readFileSync(join(ROOT, 'scenarios/session/sandbox-btcusdt.yaml'), 'utf8');
  writeFileSync(file, sandbox.replace('preTrade: {', `preTrade: { ${RAISED_RATE},`));
  const db = join(dir, 'sandbox.db');
  const server = await serveSession(file, db);
  try {
    await ready(server.url);
    for (let i = 0; i < BACKGROUND_TWAPS; i++) {
      const r = await post(server.url, '/orders/slice', {
        symbol: 'BTCUSDT',
        side: i % 2 === 0 ? 'buy' : 'sell',
        qty: '0.05',
        duration: 'PT60S',
        slices: 60,
      });
      if (r.status !== 201) throw new Error(`background TWAP ${i}: ${r.status}`);
    }
    const slice = (i: number) => ({
      symbol: 'BTCUSDT',
      side: i % 2 === 0 ? 'buy' : 'sell',
      qty: '0.002',
      duration: 'PT60S',
      slices: 2,
    });
    // The deduplicator keys a signal by side and entry price (a 5-minute window), not by its id:
    // each signal gets a price of its own, marketable (a buy above the ask, a sell below the bid).
    let s = 0;
    const signal = () => {
      const i = s++;
      const buy = i % 2 === 0;
      return {
        signalId: `sig-${i}`,
        symbol: 'BTCUSDT',
        side: buy ? 'buy' : 'sell',
        qty: '0.001',
        price: String(buy ? 63_000 + i : 59_000 - i),
      };
    };
    const phases = [
      await phase('POST /orders/slice', server, '/orders/slice', SEQUENTIAL, 1, slice),
      await phase('POST /orders/slice', server, '/orders/slice', CONCURRENT, IN_FLIGHT, slice),
      await phase('POST /signals', server, '/signals', SEQUENTIAL, 1, signal),
      await phase('POST /signals', server, '/signals', CONCURRENT, IN_FLIGHT, signal),
    ];
    await server.stop();
    const store = new Database(db, { readonly: true });
    const count = (where: string): number =>
      (
        store.prepare(`SELECT count(*) AS n FROM orders WHERE parent_order_id IS NOT NULL AND ${where}`).get() as {
          n: number;
        }
      ).n;
    const acked = count('venue_order_id IS NOT NULL');
    const filled = count(`status = 'filled'`);
    const signalsFilled = count(`parent_order_id LIKE 'sig-%' AND status = 'filled'`);
    store.close();
    return { phases, acked, filled, signalsFilled };
  } finally {
    await server.stop();
  }
}

const BOOK = `instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }`;
const VENUE_YAML = `name: service-bench-venue
seed: 17
venue:
  name: alpaca-equities
  fees: { makerBps: 0, takerBps: 0 }
  latency: { orderEntry: 1, ack: 1, fillReport: 1, marketData: 0 }
  account: { quote: "100000000" }
${BOOK}
start: 2024-08-09T14:00:00Z
duration: PT1H
market:
  model: static_book
  bids: [["187.40", "5000"]]
  asks: [["187.50", "100000"], ["187.60", "100000"]]
`;
const SAFETY = `safety:
  preTrade: { ${RAISED_RATE}, largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }`;
const paperRunYaml = (n: number): string => `name: service-bench-paper-${n}
seed: 5
mode: paper
venue: { name: alpaca-equities }
${BOOK}
duration: PT2M
reconciliation: { periodMs: 10000 }
${SAFETY}
orders:
${Array.from({ length: n }, (_, i) => `  - { id: o${i}, at: PT${(i * PACE_MS) / 1000}S, side: buy, qty: "1", type: market, route: single }`).join('\n')}
`;
const PAPER_SESSION_YAML = `name: service-bench-session
seed: 5
mode: paper
venue: { name: alpaca-equities }
${BOOK}
reconciliation: { periodMs: 10000 }
${SAFETY}
`;

/** Order creation -> fill of every filled child in a store (ms). */
function createdToFilled(db: string): number[] {
  const store = new Database(db, { readonly: true });
  try {
    const rows = store
      .prepare("SELECT created_at, updated_at FROM orders WHERE parent_order_id IS NOT NULL AND status = 'filled'")
      .all() as Array<{ created_at: number; updated_at: number }>;
    return rows.map((r) => r.updated_at - r.created_at);
  } finally {
    store.close();
  }
}

interface Cost {
  readonly label: string;
  readonly cpuPerOrderMs: number;
  readonly fill: readonly number[];
  readonly post?: readonly number[];
  readonly detail: string;
}

/** `execsim run --mode paper` of N paced orders: the process's CPU and wall, its fills. */
async function paperRun(
  dir: string,
  url: string,
  n: number,
): Promise<{ cpuMs: number; wallMs: number; fill: number[] }> {
  const file = join(dir, `paper-${n}.yaml`);
  writeFileSync(file, paperRunYaml(n));
  const db = join(dir, `paper-${n}.db`);
  const cpu0 = childrenCpuMs() ?? NaN;
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    [BIN, 'run', file, '--mode', 'paper', '--venue-url', url, '--market-hours', 'always', '--db', db],
    { cwd: ROOT, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.push(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(proc, 'exit')) as [number | null];
  const wallMs = performance.now() - t0;
  const cpuMs = (childrenCpuMs() ?? NaN) - cpu0;
  if (code !== 0) throw new Error(`paper run of ${n} orders exited with ${code}: ${err}`);
  const fill = createdToFilled(db);
  if (fill.length !== n) throw new Error(`paper run of ${n} orders filled ${fill.length}`);
  return { cpuMs, wallMs, fill };
}

/** (c): a paper run against a paper session, per order, on one gateway. */
async function perOrder(dir: string): Promise<Cost[]> {
  const venueFile = join(dir, 'venue.yaml');
  writeFileSync(venueFile, VENUE_YAML);
  const gateway = await execsim(
    ['gateway', 'alpaca', '--scenario', venueFile, '--port', '0'],
    /venue on (http:\/\/127\.0\.0\.1:\d+)/,
  );
  try {
    const small = await paperRun(dir, gateway.url, N_SMALL);
    const large = await paperRun(dir, gateway.url, N_LARGE);
    const paper: Cost = {
      label: 'paper run (execsim run)',
      cpuPerOrderMs: (large.cpuMs - small.cpuMs) / (N_LARGE - N_SMALL),
      fill: large.fill,
      detail:
        `process CPU ${small.cpuMs.toFixed(0)} ms (${N_SMALL} orders) / ${large.cpuMs.toFixed(0)} ms (${N_LARGE}), ` +
        `wall ${small.wallMs.toFixed(0)} / ${large.wallMs.toFixed(0)} ms`,
    };

    const file = join(dir, 'paper-session.yaml');
    writeFileSync(file, PAPER_SESSION_YAML);
    const db = join(dir, 'paper-session.db');
    const server = await serveSession(file, db, ['--venue-url', gateway.url, '--market-hours', 'always']);
    try {
      await ready(server.url);
      const cpu0 = processCpuMs(server.proc.pid!);
      const t0 = performance.now();
      const answers: Array<Promise<{ status: number; ms: number }>> = [];
      for (let i = 0; i < N_LARGE; i++) {
        const due = t0 + i * PACE_MS;
        while (performance.now() < due) await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        answers.push(post(server.url, '/orders', { symbol: 'AAPL', side: 'buy', qty: '1', type: 'market' }));
      }
      const posted = await Promise.all(answers);
      if (posted.some((p) => p.status !== 201))
        throw new Error(`refused: ${posted.filter((p) => p.status !== 201).length}`);
      await until('every order filled', 30_000, () => createdToFilled(db).length >= N_LARGE);
      const wallMs = performance.now() - t0;
      const cpuMs = processCpuMs(server.proc.pid!) - cpu0;
      const session: Cost = {
        label: 'paper session (POST /orders)',
        cpuPerOrderMs: cpuMs / N_LARGE,
        fill: createdToFilled(db),
        post: posted.map((p) => p.ms),
        detail: `server CPU ${cpuMs.toFixed(0)} ms over ${N_LARGE} orders, first POST to last fill ${wallMs.toFixed(0)} ms`,
      };
      return [paper, session];
    } finally {
      await server.stop();
    }
  } finally {
    await gateway.stop();
  }
}

export async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'execsim-service-bench-'));
  const loadBefore = os.loadavg();
  try {
    const busy = await busySession(dir);
    const costs = await perOrder(dir);
    return { ...busy, costs, loadBefore, loadAfter: os.loadavg() };
  } finally {
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await main();
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  const ms = (x: number): string => x.toFixed(1);
  console.log(
    `machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, node ${process.version}; ` +
      `load before ${load(r.loadBefore)}, after ${load(r.loadAfter)}`,
  );
  console.log(
    `(a), (b): sandbox sim session busy with ${BACKGROUND_TWAPS} TWAPs (${r.acked} child orders acknowledged, ${r.filled} filled, of them ${r.signalsFilled} of the signals)`,
  );
  for (const p of r.phases)
    console.log(
      `  ${p.label.padEnd(20)} ${String(p.n).padStart(4)} requests, ${p.inFlight} in flight: ` +
        `${p.perSec.toFixed(0).padStart(5)}/s  p50 ${ms(p.p50)} ms  p99 ${ms(p.p99)} ms  ` +
        `server CPU ${ms(p.cpuPerReqMs)} ms/request  not 201: ${p.refused}`,
    );
  console.log(`(c): one-share market orders every ${PACE_MS} ms against one Alpaca gateway process`);
  for (const c of r.costs) {
    console.log(
      `  ${c.label.padEnd(30)} CPU ${ms(c.cpuPerOrderMs)} ms/order; created -> filled p50 ${ms(quantile(c.fill, 0.5))} ms, ` +
        `p99 ${ms(quantile(c.fill, 0.99))} ms` +
        (c.post ? `; POST -> 201 p50 ${ms(quantile(c.post, 0.5))} ms, p99 ${ms(quantile(c.post, 0.99))} ms` : ''),
    );
    console.log(`    ${c.detail}`);
  }
}
