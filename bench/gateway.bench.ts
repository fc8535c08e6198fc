// `npm run bench:gateway`: the Alpaca gateway on loopback, in this process, against the official
// SDK (v4) and execsim's AlpacaAdapter. The gateway serves bench/fixtures/gateway-zero-latency.yaml:
// no simulated latency on any path and a static book a billion shares deep, so every 1-share
// market buy fills at once in one execution and a buy limit at 50.00 rests. Measured:
// 1. orders/s: N market orders, and separately N resting limit orders, posted through the SDK
//    (`trading.orders.postOrder`) with 1 and with 8 requests in flight; the figure is acknowledged
//    orders (HTTP 200) per second of wall time, first POST to last answer;
// 2. latency of one market order at a time: POST sent -> HTTP answer (ack) and POST sent -> the
//    `fill` trade_update received on the websocket, through the raw SDK; the same through the
//    AlpacaAdapter (submit -> AckReport, submit -> the FillReport that completes the order); and,
//    to split the time, the same POST through plain fetch (no SDK), a GET /v2/account round trip
//    (the HTTP stack alone, no venue), the gateway's own time inside the POST (the order desk
//    waiting for the simulated venue's answer), and the stream hop (the gateway publishing the
//    fill -> the SDK's callback).
// Every repetition runs on a fresh gateway (the desk keeps every order, so later orders would
// otherwise meet a fuller desk); each configuration runs one discarded warm-up repetition first,
// then REPS measured ones, and the table shows medians over the repetitions (latency quantiles
// are taken per repetition, then the median of each across repetitions).
// Run: node --import tsx bench/gateway.bench.ts [ordersPerRep] [reps]
// (bench/binance-gateway.bench.ts measures the Binance gateway beside this one with these pieces.)
import os from 'node:os';
import { constants as perfConstants, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Alpaca } from '@alpacahq/alpaca-trade-api';
import { startAlpacaGateway, type AlpacaGateway } from '../src/gateway/alpaca/alpaca-gateway.ts';
import { AlpacaAdapter } from '../src/live/alpaca/alpaca-adapter.ts';
import { WallClock } from '../src/live/wall-clock.ts';
import { clientOrderId, parentOrderId, symbol } from '../src/core/model/ids.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';
import type { OrderRequest } from '../src/core/model/order.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/gateway-zero-latency.yaml', import.meta.url));
export const KEY = 'gateway-bench-key-id';
export const SECRET = 'gateway-bench-secret';
export const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
export const MARKET = { symbol: 'AAPL', side: 'buy', type: 'market', timeInForce: 'day', qty: '1' } as const;
export const LIMIT = {
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  timeInForce: 'gtc',
  qty: '1',
  limitPrice: '50',
} as const;

export interface Quantiles {
  p50: number;
  p99: number;
  max: number;
}

export interface ThroughputRow {
  kind: 'market' | 'limit';
  concurrency: number;
  orders: number;
  medianOrdersPerSec: number;
  runsOrdersPerSec: number[];
}

export interface LatencyRow {
  label: string;
  samples: number;
  median: Quantiles;
  runs: Quantiles[];
}

export interface GatewayBenchResult {
  cpu: string;
  cores: number;
  node: string;
  loadBefore: number[];
  loadAfter: number[];
  reps: number;
  ordersPerRep: number;
  throughput: ThroughputRow[];
  latency: LatencyRow[];
  /** Garbage-collection pauses seen during the measured latency repetitions. */
  gc: { count: number; major: number; totalMs: number; maxMs: number; wallMs: number };
  /** Measured latency samples over SLOW_MS, and how many of those overlapped a GC pause. */
  slow: { count: number; duringGc: number };
  /** SDK orders whose fill reached the stream callback before their POST's answer. */
  fillBeforeAck: number;
  sdkOrders: number;
  wallSeconds: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export const quantiles = (xs: number[]): Quantiles => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1] ?? NaN };
};

/** Waits for `check` to hold, yielding to the event loop, for at most `ms` (then throws). */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`gateway bench: ${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Arrival times by client order id, with waiters: `when(id)` resolves once `id` has arrived (no
 * polling timers, which would share the event loop with the venue's own timers).
 */
export class Arrivals {
  readonly at = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();
  set(id: string, t: number): void {
    this.at.set(id, t);
    const w = this.waiting.get(id);
    if (w) {
      this.waiting.delete(id);
      w();
    }
  }
  has(id: string): boolean {
    return this.at.has(id);
  }
  get size(): number {
    return this.at.size;
  }
  get(id: string): number {
    const t = this.at.get(id);
    if (t === undefined) throw new Error(`gateway bench: no arrival for ${id}`);
    return t;
  }
  when(id: string, what: string, ms = 10_000): Promise<void> {
    if (this.at.has(id)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`gateway bench: ${what} not within ${ms} ms`));
      }, ms);
      this.waiting.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** A fresh gateway; `published` is when it published each order's fill, `desk` each POST's time inside it. */
export async function gateway(): Promise<{
  gw: AlpacaGateway;
  published: Arrivals;
  desk: Map<string, [number, number]>;
}> {
  const published = new Arrivals();
  const gw = await startAlpacaGateway({
    scenarioFile: FIXTURE,
    keyId: KEY,
    secretKey: SECRET,
    onUpdate: (u) => {
      if (u.event === 'fill') published.set(String(u.order['client_order_id']), performance.now());
    },
  });
  // The desk's own time per POST, by client order id: from the parsed request to the simulated
  // venue's answer (the REST layer calls orders.submit on this object, so an own property wraps it).
  const desk = new Map<string, [number, number]>();
  const submit = gw.orders.submit.bind(gw.orders);
  gw.orders.submit = async (body: unknown) => {
    const t0 = performance.now();
    const answer = await submit(body);
    desk.set(String((body as Record<string, unknown>)['client_order_id']), [t0, performance.now()]);
    return answer;
  };
  return { gw, published, desk };
}

/** The raw SDK pointed at the gateway (v4 has no base-URL option: a middleware rewrites the host). */
export async function sdkClient(gw: AlpacaGateway) {
  const alpaca = new Alpaca({
    keyId: KEY,
    secret: SECRET,
    middleware: [
      {
        pre: async ({ url, init }: { url: string; init: RequestInit }) => ({
          url: url.replace(/^https:\/\/[^/]+/, gw.url),
          init,
        }),
      },
    ],
    retry: false,
    rateLimit: false,
  });
  const fills = new Arrivals();
  let listening = false;
  const stream = alpaca.trading.stream({ url: gw.streamUrl });
  stream.onConnect(() => stream.subscribeTradeUpdates());
  stream.on('subscription' as never, (s: unknown) => {
    if (Array.isArray(s) && s.includes('trade_updates')) listening = true;
  });
  stream.onTradeUpdate((u) => {
    if (u.event === 'fill') fills.set(String(u.order.clientOrderId), performance.now());
  });
  stream.connect();
  await until(() => listening, 'trade_updates subscription');
  let closed = false;
  const close = () => {
    if (!closed) stream.disconnect();
    closed = true;
  };
  return { alpaca, fills, close };
}

type Sdk = Awaited<ReturnType<typeof sdkClient>>;

let ids = 0;
const nextId = (prefix: string): string => `${prefix}-${++ids}`;

// ---- 1. orders/s ---------------------------------------------------------------------------

async function throughputRun(kind: 'market' | 'limit', concurrency: number, n: number): Promise<number> {
  const { gw } = await gateway();
  const c = await sdkClient(gw);
  try {
    const body = kind === 'market' ? MARKET : LIMIT;
    let sent = 0;
    let acked = 0;
    const worker = async () => {
      while (sent < n) {
        sent++;
        const o = await c.alpaca.trading.orders.postOrder({
          postOrderRequest: { ...body, clientOrderId: nextId('t') },
        });
        if (o.status !== 'rejected') acked++;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const wall = performance.now() - t0;
    if (acked !== n) throw new Error(`gateway bench: ${n - acked} of ${n} ${kind} orders not acknowledged`);
    // Market orders: let their fills drain before the gateway closes.
    if (kind === 'market') await until(() => c.fills.size >= n, 'every fill on the stream');
    return (acked / wall) * 1000;
  } finally {
    c.close();
    await gw.close();
  }
}

// ---- 2. latency, one market order at a time -----------------------------------------------

/** One repetition's latency samples by row key, with each sample's wall interval (for the GC check). */
class Samples {
  readonly values: Record<string, number[]> = {};
  readonly spans: Array<{ key: string; t0: number; t1: number }> = [];
  fillBeforeAck = 0;
  add(key: string, t0: number, t1: number): void {
    (this.values[key] ??= []).push(t1 - t0);
    this.spans.push({ key, t0, t1 });
  }
}

async function httpFloor(gw: AlpacaGateway, c: Sdk, n: number, out: Samples): Promise<void> {
  const headers = { 'apca-api-key-id': KEY, 'apca-api-secret-key': SECRET };
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    await c.alpaca.trading.account.getAccount();
    out.add('sdkAccount', t0, performance.now());
    t0 = performance.now();
    const res = await fetch(`${gw.url}/v2/account`, { headers });
    await res.arrayBuffer();
    out.add('fetchAccount', t0, performance.now());
    // The simulated venue's two hops of a submit (order entry, then the answer) with zero latency
    // are two Node timers of 0 ms, which Node runs after at least 1 ms each.
    t0 = performance.now();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    out.add('timers', t0, performance.now());
  }
}

async function fetchRun(gw: AlpacaGateway, c: Sdk, n: number, out: Samples): Promise<void> {
  const headers = { 'apca-api-key-id': KEY, 'apca-api-secret-key': SECRET, 'content-type': 'application/json' };
  for (let i = 0; i < n; i++) {
    const cid = nextId('f');
    const body = JSON.stringify({
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
      qty: '1',
      client_order_id: cid,
    });
    const t0 = performance.now();
    const res = await fetch(`${gw.url}/v2/orders`, { method: 'POST', headers, body });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`gateway bench: fetch POST answered ${res.status}`);
    out.add('fetchAck', t0, performance.now());
    await c.fills.when(cid, 'the fill of a fetch order');
  }
}

type Desk = Map<string, [number, number]>;

async function sdkRun(c: Sdk, published: Arrivals, desk: Desk, n: number, out: Samples): Promise<void> {
  for (let i = 0; i < n; i++) {
    const cid = nextId('s');
    const t0 = performance.now();
    await c.alpaca.trading.orders.postOrder({ postOrderRequest: { ...MARKET, clientOrderId: cid } });
    const tAck = performance.now();
    await c.fills.when(cid, 'the fill of an SDK order');
    const tFill = c.fills.get(cid);
    const tPub = published.get(cid);
    const [tIn, tOut] = desk.get(cid) as [number, number];
    out.add('sdkAck', t0, tAck);
    out.add('sdkToDesk', t0, tIn);
    out.add('desk', tIn, tOut);
    out.add('deskToSdk', tOut, tAck);
    out.add('sdkFill', t0, tFill);
    out.add('sdkPublish', t0, tPub);
    out.add('streamHop', tPub, tFill);
    if (tFill < tAck) out.fillBeforeAck++;
  }
}

function marketOrder(cid: string): OrderRequest {
  return {
    clientOrderId: clientOrderId(cid),
    parentId: parentOrderId('bench'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('AAPL'),
    side: 'buy',
    type: 'market',
    tif: 'DAY',
    qty: 1,
  };
}

async function adapterRun(gw: AlpacaGateway, desk: Desk, n: number, out: Samples): Promise<void> {
  const adapter = new AlpacaAdapter({
    instrument: AAPL,
    keyId: KEY,
    secret: SECRET,
    baseUrl: gw.url,
    clock: new WallClock(),
    requestTimeoutMs: 10_000,
    marketData: { stream: false },
  });
  const acks = new Arrivals();
  const filled = new Arrivals();
  let connected = false;
  adapter.setReportHandler((r) => {
    const t = performance.now();
    if (r.kind === 'ConnectionReport' && r.stream === 'orders' && r.state === 'connected') connected = true;
    else if (r.kind === 'AckReport') acks.set(r.clientOrderId, t);
    // Every order is 1 share: its one FillReport completes it.
    else if (r.kind === 'FillReport') filled.set(r.clientOrderId, t);
    else if (r.kind === 'RejectReport' || r.kind === 'OutcomeUnknownReport' || r.kind === 'RetryableRejectReport')
      throw new Error(`gateway bench: adapter order answered ${r.kind}: ${r.reason}`);
  });
  adapter.start();
  try {
    await until(() => connected, 'the adapter stream');
    for (let i = 0; i < n; i++) {
      const cid = nextId('a');
      const t0 = performance.now();
      adapter.submit(marketOrder(cid));
      await acks.when(cid, 'the adapter ack');
      await filled.when(cid, 'the adapter fill');
      const [tIn, tOut] = desk.get(cid) as [number, number];
      out.add('adapterToDesk', t0, tIn);
      out.add('adapterDesk', tIn, tOut);
      out.add('deskToAdapter', tOut, acks.get(cid));
      out.add('adapterAck', t0, acks.get(cid));
      out.add('adapterFill', t0, filled.get(cid));
    }
  } finally {
    await adapter.stop();
  }
}

async function latencyRep(n: number): Promise<Samples> {
  const out = new Samples();
  const { gw, published, desk } = await gateway();
  const c = await sdkClient(gw);
  try {
    await httpFloor(gw, c, n, out);
    await fetchRun(gw, c, n, out);
    await sdkRun(c, published, desk, n, out);
    // The adapter runs alone: the raw client's stream would otherwise take every update too.
    c.close();
    await until(() => gw.stream.size === 0, 'the raw client leaving the stream');
    await adapterRun(gw, desk, n, out);
  } finally {
    c.close();
    await gw.close();
  }
  return out;
}

const SLOW_MS = 8;

const LATENCY_ROWS: Array<[string, string]> = [
  ['fetchAccount', 'GET /v2/account, plain fetch (HTTP only)'],
  ['sdkAccount', 'GET /v2/account, SDK'],
  ['timers', 'two chained setTimeout(0) (no I/O)'],
  ['fetchAck', 'market POST -> HTTP answer, plain fetch'],
  ['sdkAck', 'market POST -> HTTP answer, SDK postOrder'],
  ['sdkToDesk', '  SDK call -> request at the gateway desk'],
  ['desk', '  desk -> simulated venue -> answer'],
  ['deskToSdk', '  desk answer -> SDK promise resolved'],
  ['sdkPublish', 'market POST -> gateway publishes the fill'],
  ['streamHop', '  fill published -> SDK onTradeUpdate'],
  ['sdkFill', 'market POST -> fill on the stream, SDK'],
  ['adapterAck', 'AlpacaAdapter submit -> AckReport'],
  ['adapterToDesk', '  submit -> request at the gateway desk'],
  ['adapterDesk', '  desk -> simulated venue -> answer'],
  ['deskToAdapter', '  desk answer -> AckReport'],
  ['adapterFill', 'AlpacaAdapter submit -> FillReport (order done)'],
];

export async function main(ordersPerRep = 250, reps = 3): Promise<GatewayBenchResult> {
  const started = performance.now();
  const loadBefore = os.loadavg();

  const throughput: ThroughputRow[] = [];
  for (const kind of ['market', 'limit'] as const) {
    for (const concurrency of [1, 8]) {
      await throughputRun(kind, concurrency, ordersPerRep); // warm-up, discarded
      const runs: number[] = [];
      for (let r = 0; r < reps; r++) runs.push(await throughputRun(kind, concurrency, ordersPerRep));
      throughput.push({
        kind,
        concurrency,
        orders: ordersPerRep,
        medianOrdersPerSec: median(runs),
        runsOrdersPerSec: runs,
      });
    }
  }

  await latencyRep(Math.max(20, ordersPerRep >> 2)); // warm-up, discarded
  const gcPauses: Array<[number, number]> = [];
  let majorGcs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcPauses.push([e.startTime, e.startTime + e.duration]);
      if ((e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
    }
  });
  const latencyStarted = performance.now();
  observer.observe({ entryTypes: ['gc'] });
  const repSamples: Samples[] = [];
  for (let r = 0; r < reps; r++) repSamples.push(await latencyRep(ordersPerRep));
  const latencyWallMs = performance.now() - latencyStarted;
  await new Promise((r) => setTimeout(r, 10)); // let the observer deliver the last entries
  observer.disconnect();

  const latency: LatencyRow[] = LATENCY_ROWS.map(([key, label]) => {
    const runs = repSamples.map((s) => quantiles(s.values[key] ?? []));
    return {
      label,
      samples: repSamples.reduce((a, s) => a + (s.values[key]?.length ?? 0), 0),
      median: {
        p50: median(runs.map((q) => q.p50)),
        p99: median(runs.map((q) => q.p99)),
        max: median(runs.map((q) => q.max)),
      },
      runs,
    };
  });
  const pauses = gcPauses.map(([a, b]) => b - a);
  // Slow samples: over SLOW_MS, and whether a GC pause fell inside them.
  const slowSpans = repSamples.flatMap((s) => s.spans.filter((x) => x.t1 - x.t0 > SLOW_MS));
  const duringGc = slowSpans.filter((x) => gcPauses.some(([a, b]) => a < x.t1 && b > x.t0)).length;
  return {
    cpu: os.cpus()[0]?.model ?? '?',
    cores: os.cpus().length,
    node: process.version,
    loadBefore,
    loadAfter: os.loadavg(),
    reps,
    ordersPerRep,
    throughput,
    latency,
    gc: {
      count: pauses.length,
      major: majorGcs,
      totalMs: pauses.reduce((a, b) => a + b, 0),
      maxMs: Math.max(0, ...pauses),
      wallMs: latencyWallMs,
    },
    slow: { count: slowSpans.length, duringGc },
    fillBeforeAck: repSamples.reduce((a, s) => a + s.fillBeforeAck, 0),
    sdkOrders: repSamples.reduce((a, s) => a + (s.values['sdkAck']?.length ?? 0), 0),
    wallSeconds: (performance.now() - started) / 1000,
  };
}

export function print(r: GatewayBenchResult): void {
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `machine: ${r.cpu}, ${r.cores} cores, node ${r.node}, load ${load(r.loadBefore)} (before) ${load(r.loadAfter)} (after)`,
  );
  console.log(
    `Alpaca gateway on loopback (zero venue latency, static book; ${r.ordersPerRep} orders per repetition, medians of ${r.reps}):`,
  );
  console.log('orders/s through SDK postOrder -> gateway -> simulator (acknowledged orders per wall second):');
  for (const t of r.throughput)
    console.log(
      `  ${t.kind.padEnd(7)} concurrency ${String(t.concurrency).padStart(2)}  ${Math.round(t.medianOrdersPerSec).toLocaleString('en-US').padStart(6)} orders/s  (runs: ${t.runsOrdersPerSec.map((x) => Math.round(x)).join(', ')})`,
    );
  console.log('latency, one market order at a time, ms (p50 / p99 / max):');
  for (const l of r.latency) {
    const m = l.median;
    console.log(
      `  ${l.label.padEnd(50)} ${m.p50.toFixed(2).padStart(6)} ${m.p99.toFixed(2).padStart(7)} ${m.max.toFixed(2).padStart(7)}   (n=${l.samples}; p99 per rep: ${l.runs.map((q) => q.p99.toFixed(1)).join(', ')})`,
    );
  }
  console.log(
    `GC during the measured latency repetitions (${(r.gc.wallMs / 1000).toFixed(1)} s): ${r.gc.count} pauses (${r.gc.major} major), ` +
      `${r.gc.totalMs.toFixed(0)} ms in all (${((100 * r.gc.totalMs) / r.gc.wallMs).toFixed(0)}% of the wall time), longest ${r.gc.maxMs.toFixed(1)} ms`,
  );
  console.log(
    `latency samples over ${SLOW_MS} ms: ${r.slow.count}, of which ${r.slow.duringGc} overlapped a GC pause; ` +
      `SDK orders whose fill reached the stream before their HTTP answer: ${r.fillBeforeAck} of ${r.sdkOrders}`,
  );
  console.log(`wall time ${r.wallSeconds.toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const reps = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  print(await main(n, reps));
}
