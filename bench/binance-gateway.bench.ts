// `npm run bench:binance`: the Binance gateway on loopback beside the Alpaca gateway, in this
// process and in the same run, measured the same way (bench/gateway.bench.ts's pieces drive the
// Alpaca side). Each gateway serves a zero-latency static book a long way deep
// (bench/fixtures/binance-zero-latency.yaml, BTCUSDT, and gateway-zero-latency.yaml, AAPL): every
// market buy fills at once in one execution, a buy limit far below rests. Clients: ccxt 4.5
// (ccxt.pro.binance, configured as execsim's adapter configures it: FULL answers, its rate limiter
// off) and the official Alpaca SDK v4; then execsim's BinanceAdapter and AlpacaAdapter. Measured:
// 1. orders/s: N market orders, and separately N resting limit orders, posted by the raw client
//    (ccxt createOrder, SDK postOrder) with 1 and with 8 in flight: acknowledged orders per second
//    of wall time, first request to last answer;
// 2. latency, one market order at a time: request -> HTTP answer (ack) and request -> the fill on
//    the client's stream (ccxt watchMyTrades, SDK onTradeUpdate), split at the gateway's desk;
//    the same order as a hand-built fetch (the HTTP floor), and with the two abort signals the
//    Binance adapter's fetch carries (ccxt's deadline, the adapter's stop); the adapters' submit
//    -> AckReport and submit -> FillReport; and the CPU of the whole loop per order (client,
//    gateway and simulator share this process);
// 3. the clients' own cost per call, apart from any network: createOrder and postOrder with the
//    network answered at once (a fetch that returns the gateway's own recorded answer), and of
//    ccxt's share, its sign() and its parseOrder() of a FULL answer alone.
// Every repetition runs on fresh gateways; the venues take turns within each repetition so the
// machine's load falls on both alike; each configuration has one discarded warm-up repetition,
// then REPS measured ones, and the table shows medians over the repetitions (latency quantiles
// per repetition, then the median of each). The Binance gateway's request limits are lifted for
// the bench (the bench measures orders, not Binance's 100 orders per 10 s).
// Run: node --import tsx bench/binance-gateway.bench.ts [ordersPerRep] [reps]
import { createHmac } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Alpaca } from '@alpacahq/alpaca-trade-api';
import { clientOrderId, parentOrderId, symbol } from '../src/core/model/ids.ts';
import { makeInstrument, type Instrument } from '../src/core/model/instrument.ts';
import type { OrderRequest } from '../src/core/model/order.ts';
import { startBinanceGateway, type BinanceGateway } from '../src/gateway/binance/binance-gateway.ts';
import type { RequestFields } from '../src/gateway/binance/request-fields.ts';
import { AlpacaAdapter } from '../src/live/alpaca/alpaca-adapter.ts';
import { BinanceAdapter } from '../src/live/binance/binance-adapter.ts';
import { binanceEndpoints, makeBinanceExchange, type BinanceExchange } from '../src/live/binance/binance-ccxt.ts';
import { HashedClientIdNamespace } from '../src/live/hashed-client-id-namespace.ts';
import type { LiveVenue } from '../src/live/live-venue.ts';
import { WallClock } from '../src/live/wall-clock.ts';
import {
  AAPL,
  Arrivals,
  gateway as alpacaGateway,
  KEY as ALPACA_KEY,
  LIMIT as ALPACA_LIMIT,
  MARKET as ALPACA_MARKET,
  median,
  quantiles,
  SECRET as ALPACA_SECRET,
  sdkClient,
  until,
  type Quantiles,
} from './gateway.bench.ts';

const BINANCE_FIXTURE = fileURLToPath(new URL('./fixtures/binance-zero-latency.yaml', import.meta.url));
const BINANCE_KEY = 'binance-bench-key';
const BINANCE_SECRET = 'binance-bench-secret';
const BTCUSDT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const UNLIMITED = { weightPerMinute: 1e9, ordersPer10s: 1e9, ordersPerDay: 1e9 };
const BTC_QTY = 0.001;
const BTC_LIMIT = 30_000;
const RUN_ID = 'binance-bench-run';

type VenueName = 'alpaca' | 'binance';
const VENUES: readonly VenueName[] = ['alpaca', 'binance'];

/** A venue's raw client (no execsim code): posts an order and resolves at its HTTP answer. */
interface RawClient {
  post(kind: 'market' | 'limit', cid: string): Promise<void>;
  /** When each order's fill reached the client's stream, by client order id. */
  readonly fills: Arrivals;
  close(): Promise<void>;
}

/** A fresh gateway of one venue, with what the bench hooks into it. */
interface Served {
  /** When the gateway published each order's fill, by client order id on the wire. */
  readonly published: Arrivals;
  /** Each order's time inside the gateway's desk (request parsed -> venue's answer), by wire id. */
  readonly desk: Map<string, [number, number]>;
  client(): Promise<RawClient>;
  /** The same market order as a hand-built fetch (with `signal` when given), resolving at the answer. */
  fetchMarket(cid: string, signal?: AbortSignal): Promise<void>;
  adapter(): { venue: LiveVenue; wire: (cid: string) => string; instrument: Instrument };
  streamClients(): number;
  close(): Promise<void>;
}

// ---- Alpaca: the SDK over bench/gateway.bench.ts's gateway ---------------------------------

async function alpacaServed(): Promise<Served> {
  const { gw, published, desk } = await alpacaGateway();
  return {
    published,
    desk,
    client: async () => {
      const c = await sdkClient(gw);
      return {
        fills: c.fills,
        post: async (kind, cid) => {
          const body = kind === 'market' ? ALPACA_MARKET : ALPACA_LIMIT;
          const o = await c.alpaca.trading.orders.postOrder({ postOrderRequest: { ...body, clientOrderId: cid } });
          if (o.status === 'rejected') throw new Error(`alpaca bench: ${cid} rejected`);
        },
        close: async () => c.close(),
      };
    },
    fetchMarket: async (cid, signal) => {
      const res = await fetch(`${gw.url}/v2/orders`, {
        ...(signal ? { signal } : {}),
        method: 'POST',
        headers: {
          'apca-api-key-id': ALPACA_KEY,
          'apca-api-secret-key': ALPACA_SECRET,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          symbol: 'AAPL',
          side: 'buy',
          type: 'market',
          time_in_force: 'day',
          qty: '1',
          client_order_id: cid,
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`alpaca bench: fetch POST answered ${res.status}`);
    },
    adapter: () => ({
      venue: new AlpacaAdapter({
        instrument: AAPL,
        keyId: ALPACA_KEY,
        secret: ALPACA_SECRET,
        baseUrl: gw.url,
        clock: new WallClock(),
        requestTimeoutMs: 10_000,
        marketData: { stream: false },
      }),
      wire: (cid) => cid,
      instrument: AAPL,
    }),
    streamClients: () => gw.stream.size,
    close: () => gw.close(),
  };
}

// ---- Binance: ccxt over the Binance gateway ------------------------------------------------

/** ccxt as the adapter configures it (FULL answers, no rate limiter, the gateway's URLs). */
function ccxtFor(gw: BinanceGateway, abort: AbortController): BinanceExchange {
  return makeBinanceExchange({
    apiKey: BINANCE_KEY,
    secret: BINANCE_SECRET,
    endpoints: binanceEndpoints(gw.url),
    requestTimeoutMs: 10_000,
    signal: abort.signal,
  });
}

async function binanceGateway(): Promise<{
  gw: BinanceGateway;
  published: Arrivals;
  desk: Map<string, [number, number]>;
}> {
  const published = new Arrivals();
  const gw = await startBinanceGateway({
    scenarioFile: BINANCE_FIXTURE,
    apiKey: BINANCE_KEY,
    secretKey: BINANCE_SECRET,
    limits: UNLIMITED,
    onUserEvent: (e) => {
      if (e['e'] === 'executionReport' && e['x'] === 'TRADE') published.set(String(e['c']), performance.now());
    },
  });
  // The desk's own time per POST (the REST layer calls orders.submit on this object).
  const desk = new Map<string, [number, number]>();
  const submit = gw.orders.submit.bind(gw.orders);
  gw.orders.submit = async (f: RequestFields) => {
    const t0 = performance.now();
    const answer = await submit(f);
    desk.set(String(f.params.get('newClientOrderId')), [t0, performance.now()]);
    return answer;
  };
  return { gw, published, desk };
}

async function binanceServed(): Promise<Served> {
  const { gw, published, desk } = await binanceGateway();
  return {
    published,
    desk,
    client: async () => {
      const abort = new AbortController();
      const ex = ccxtFor(gw, abort);
      await ex.loadMarkets();
      const fills = new Arrivals();
      let stopped = false;
      // The user data stream (ccxt subscribes on the WebSocket API) before the first order.
      await ex.authenticate({ type: 'spot' });
      void (async () => {
        while (!stopped) {
          const trades = await ex.watchMyTrades('BTC/USDT');
          const t = performance.now();
          for (const tr of trades) fills.set(String((tr.info as { c?: unknown }).c), t);
        }
      })().catch(() => undefined);
      return {
        fills,
        post: async (kind, cid) => {
          await ex.createOrder('BTC/USDT', kind, 'buy', BTC_QTY, kind === 'limit' ? BTC_LIMIT : undefined, {
            newClientOrderId: cid,
          });
        },
        close: async () => {
          stopped = true;
          abort.abort();
          await ex.close();
        },
      };
    },
    fetchMarket: async (cid, signal) => {
      const query = new URLSearchParams({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: String(BTC_QTY),
        newClientOrderId: cid,
        newOrderRespType: 'FULL',
        timestamp: String(Date.now()),
      }).toString();
      const signature = createHmac('sha256', BINANCE_SECRET).update(query).digest('hex');
      const res = await fetch(`${gw.url}/api/v3/order`, {
        ...(signal ? { signal } : {}),
        method: 'POST',
        headers: { 'X-MBX-APIKEY': BINANCE_KEY, 'content-type': 'application/x-www-form-urlencoded' },
        body: `${query}&signature=${signature}`,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`binance bench: fetch POST answered ${res.status}`);
    },
    adapter: () => {
      const ids = new HashedClientIdNamespace(RUN_ID, 36);
      return {
        venue: new BinanceAdapter({
          instrument: BTCUSDT,
          runId: RUN_ID,
          apiKey: BINANCE_KEY,
          secret: BINANCE_SECRET,
          url: gw.url,
          clock: new WallClock(),
          requestTimeoutMs: 10_000,
          marketData: { stream: false },
        }),
        wire: (cid) => ids.wire(clientOrderId(cid)),
        instrument: BTCUSDT,
      };
    },
    streamClients: () => gw.wsApi.size,
    close: () => gw.close(),
  };
}

const serve = (v: VenueName): Promise<Served> => (v === 'alpaca' ? alpacaServed() : binanceServed());

let ids = 0;
/** Client order ids that fit both venues (Binance: 36 of [A-Za-z0-9_-]; the adapter's: 25). */
const nextId = (prefix: string): string => `${prefix}${String(++ids).padStart(8, '0')}`;

// ---- 1. orders/s ---------------------------------------------------------------------------

async function throughputRun(v: VenueName, kind: 'market' | 'limit', concurrency: number, n: number) {
  const served = await serve(v);
  const c = await served.client();
  try {
    let sent = 0;
    let acked = 0;
    const worker = async () => {
      while (sent < n) {
        sent++;
        await c.post(kind, nextId('t'));
        acked++;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const wall = performance.now() - t0;
    // Market orders: let their fills drain before the gateway closes.
    if (kind === 'market') await until(() => c.fills.size >= n, `every ${v} fill on the stream`, 30_000);
    return (acked / wall) * 1000;
  } finally {
    await c.close();
    await served.close();
  }
}

// ---- 2. latency, one market order at a time -----------------------------------------------

class Samples {
  readonly values: Record<string, number[]> = {};
  cpuPerOrder: Record<string, number> = {};
  add(key: string, t0: number, t1: number): void {
    (this.values[key] ??= []).push(t1 - t0);
  }
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function rawRun(served: Served, n: number, out: Samples): Promise<void> {
  const c = await served.client();
  try {
    const stop = new AbortController();
    for (let i = 0; i < n; i++) {
      let cid = nextId('h');
      let t0 = performance.now();
      await served.fetchMarket(cid);
      out.add('fetchAck', t0, performance.now());
      // As the Binance adapter's fetch sends it: ccxt's request deadline and the adapter's stop
      // signal, combined (binance-ccxt.ts).
      cid = nextId('g');
      t0 = performance.now();
      await served.fetchMarket(cid, AbortSignal.any([AbortSignal.timeout(10_000), stop.signal]));
      out.add('fetchSignals', t0, performance.now());
    }
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const cid = nextId('s');
      const t0 = performance.now();
      await c.post('market', cid);
      const tAck = performance.now();
      await c.fills.when(cid, 'the fill of a raw client order');
      const [tIn, tOut] = served.desk.get(cid) as [number, number];
      out.add('rawAck', t0, tAck);
      out.add('rawToDesk', t0, tIn);
      out.add('desk', tIn, tOut);
      out.add('deskToRaw', tOut, tAck);
      out.add('rawFill', t0, c.fills.get(cid));
      out.add('streamHop', served.published.get(cid), c.fills.get(cid));
    }
    out.cpuPerOrder['raw'] = cpuMs(cpu0) / n;
  } finally {
    await c.close();
  }
}

function marketOrder(cid: string, inst: Instrument, lots: number): OrderRequest {
  return {
    clientOrderId: clientOrderId(cid),
    parentId: parentOrderId('bench'),
    sliceNum: 1,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol(inst.symbol),
    side: 'buy',
    type: 'market',
    tif: inst.symbol === 'AAPL' ? 'DAY' : 'GTC',
    qty: lots,
  };
}

async function adapterRun(served: Served, n: number, out: Samples): Promise<void> {
  const { venue, wire, instrument } = served.adapter();
  const lots = instrument.symbol === 'AAPL' ? 1 : Math.round(BTC_QTY * 100_000);
  const acks = new Arrivals();
  const filled = new Arrivals();
  let connected = false;
  venue.setReportHandler((r) => {
    const t = performance.now();
    if (r.kind === 'ConnectionReport' && r.stream === 'orders' && r.state === 'connected') connected = true;
    else if (r.kind === 'AckReport') acks.set(r.clientOrderId, t);
    // Every order fills in one execution: its one FillReport completes it.
    else if (r.kind === 'FillReport') filled.set(r.clientOrderId, t);
    else if (r.kind === 'RejectReport' || r.kind === 'OutcomeUnknownReport' || r.kind === 'RetryableRejectReport')
      throw new Error(`bench: adapter order answered ${r.kind}: ${r.reason}`);
  });
  venue.start?.();
  try {
    await until(() => connected, 'the adapter stream');
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const cid = nextId('a');
      const t0 = performance.now();
      venue.submit(marketOrder(cid, instrument, lots));
      await acks.when(cid, 'the adapter ack');
      await filled.when(cid, 'the adapter fill');
      const [tIn, tOut] = served.desk.get(wire(cid)) as [number, number];
      out.add('adapterAck', t0, acks.get(cid));
      out.add('adapterToDesk', t0, tIn);
      out.add('adapterDesk', tIn, tOut);
      out.add('deskToAdapter', tOut, acks.get(cid));
      out.add('adapterFill', t0, filled.get(cid));
    }
    out.cpuPerOrder['adapter'] = cpuMs(cpu0) / n;
  } finally {
    await venue.stop?.();
  }
}

async function latencyRep(v: VenueName, n: number): Promise<Samples> {
  const out = new Samples();
  const served = await serve(v);
  try {
    await rawRun(served, n, out);
    // The adapter runs alone: the raw client's stream would otherwise take every update too.
    await until(() => served.streamClients() === 0, 'the raw client leaving the stream');
    await adapterRun(served, n, out);
  } finally {
    await served.close();
  }
  return out;
}

// ---- 3. the clients' own cost, the network answered at once --------------------------------

/** A fetch that answers every call at once with `body` (status 200, JSON). */
const instant =
  (body: () => string): typeof fetch =>
  async () =>
    new Response(body(), { status: 200, headers: { 'content-type': 'application/json' } });

interface ClientCost {
  /** Wall per call (p50/p99/max) and CPU per call (ms), a call at a time. */
  readonly call: Quantiles;
  readonly cpuPerCall: number;
}

async function timeCalls(n: number, call: () => Promise<unknown> | unknown): Promise<ClientCost> {
  for (let i = 0; i < Math.min(200, n); i++) await call(); // warm-up
  const walls: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    walls.push(performance.now() - t0);
  }
  return { call: quantiles(walls), cpuPerCall: cpuMs(cpu0) / n };
}

/** ccxt's createOrder, sign() and parseOrder(), with the gateway's recorded FULL answer. */
async function ccxtCost(n: number): Promise<Record<string, ClientCost>> {
  const { gw } = await binanceGateway();
  const abort = new AbortController();
  try {
    const real = ccxtFor(gw, abort);
    await real.loadMarkets();
    let recorded = '';
    real.fetchImplementation = async (input: string, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (init?.method === 'POST') recorded = await res.clone().text();
      return res;
    };
    await real.createOrder('BTC/USDT', 'market', 'buy', BTC_QTY, undefined, { newClientOrderId: nextId('r') });
    await real.close();
    const ex = ccxtFor(gw, abort);
    ex.setMarkets(real.markets);
    ex.fetchImplementation = instant(() => recorded);
    const market = ex.market('BTC/USDT');
    const answer = JSON.parse(recorded) as Record<string, unknown>;
    const params = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.001',
      newClientOrderId: 'cost-probe',
      newOrderRespType: 'FULL',
    };
    const out = {
      createOrder: await timeCalls(n, () =>
        ex.createOrder('BTC/USDT', 'market', 'buy', BTC_QTY, undefined, { newClientOrderId: nextId('c') }),
      ),
      sign: await timeCalls(n, () => ex.sign('order', 'private', 'POST', { ...params })),
      parseOrder: await timeCalls(n, () => ex.parseOrder(answer, market)),
    };
    await ex.close();
    return out;
  } finally {
    abort.abort();
    await gw.close();
  }
}

/** The SDK's postOrder with the gateway's recorded answer. */
async function sdkCost(n: number): Promise<ClientCost> {
  const { gw } = await alpacaGateway();
  try {
    let recorded = '';
    const rewrite = {
      pre: async ({ url, init }: { url: string; init: RequestInit }) => ({
        url: url.replace(/^https:\/\/[^/]+/, gw.url),
        init,
      }),
    };
    const real = new Alpaca({
      keyId: ALPACA_KEY,
      secret: ALPACA_SECRET,
      middleware: [rewrite],
      retry: false,
      rateLimit: false,
      fetchApi: async (input: string | URL | Request, init?: RequestInit) => {
        const res = await fetch(input, init);
        if (init?.method === 'POST') recorded = await res.clone().text();
        return res;
      },
    });
    await real.trading.orders.postOrder({ postOrderRequest: { ...ALPACA_MARKET, clientOrderId: nextId('r') } });
    const sdk = new Alpaca({
      keyId: ALPACA_KEY,
      secret: ALPACA_SECRET,
      middleware: [rewrite],
      retry: false,
      rateLimit: false,
      fetchApi: instant(() => recorded),
    });
    return await timeCalls(n, () =>
      sdk.trading.orders.postOrder({ postOrderRequest: { ...ALPACA_MARKET, clientOrderId: nextId('c') } }),
    );
  } finally {
    await gw.close();
  }
}

// ---- the run -------------------------------------------------------------------------------

export interface ThroughputRow {
  venue: VenueName;
  kind: 'market' | 'limit';
  concurrency: number;
  median: number;
  runs: number[];
}

export interface LatencyRow {
  venue: VenueName;
  key: string;
  median: Quantiles;
  samples: number;
}

export interface BinanceBenchResult {
  cpu: string;
  cores: number;
  node: string;
  ccxt: string;
  loadBefore: number[];
  loadAfter: number[];
  reps: number;
  ordersPerRep: number;
  throughput: ThroughputRow[];
  latency: LatencyRow[];
  cpuPerOrder: Array<{ venue: VenueName; what: string; ms: number }>;
  clientCost: Record<string, ClientCost>;
  wallSeconds: number;
}

const LATENCY_KEYS = [
  'fetchAck',
  'fetchSignals',
  'rawAck',
  'rawToDesk',
  'desk',
  'deskToRaw',
  'streamHop',
  'rawFill',
  'adapterAck',
  'adapterToDesk',
  'adapterDesk',
  'deskToAdapter',
  'adapterFill',
] as const;

export async function main(ordersPerRep = 250, reps = 3): Promise<BinanceBenchResult> {
  const started = performance.now();
  const loadBefore = os.loadavg();
  const throughput: ThroughputRow[] = [];
  for (const kind of ['market', 'limit'] as const)
    for (const concurrency of [1, 8]) {
      for (const v of VENUES) await throughputRun(v, kind, concurrency, ordersPerRep); // warm-up
      const runs: Record<VenueName, number[]> = { alpaca: [], binance: [] };
      for (let r = 0; r < reps; r++)
        for (const v of r % 2 === 0 ? VENUES : [...VENUES].reverse())
          runs[v].push(await throughputRun(v, kind, concurrency, ordersPerRep));
      for (const v of VENUES) throughput.push({ venue: v, kind, concurrency, median: median(runs[v]), runs: runs[v] });
    }

  for (const v of VENUES) await latencyRep(v, Math.max(20, ordersPerRep >> 2)); // warm-up
  const reped: Record<VenueName, Samples[]> = { alpaca: [], binance: [] };
  for (let r = 0; r < reps; r++)
    for (const v of r % 2 === 0 ? VENUES : [...VENUES].reverse()) reped[v].push(await latencyRep(v, ordersPerRep));
  const latency: LatencyRow[] = VENUES.flatMap((v) =>
    LATENCY_KEYS.map((key) => {
      const runs = reped[v].map((s) => quantiles(s.values[key] ?? []));
      return {
        venue: v,
        key,
        samples: reped[v].reduce((a, s) => a + (s.values[key]?.length ?? 0), 0),
        median: {
          p50: median(runs.map((q) => q.p50)),
          p99: median(runs.map((q) => q.p99)),
          max: median(runs.map((q) => q.max)),
        },
      };
    }),
  );
  const cpuPerOrder = VENUES.flatMap((v) =>
    ['raw', 'adapter'].map((what) => ({ venue: v, what, ms: median(reped[v].map((s) => s.cpuPerOrder[what] ?? NaN)) })),
  );

  const calls = ordersPerRep * 8;
  const ccxt = await ccxtCost(calls);
  const clientCost: Record<string, ClientCost> = {
    'ccxt createOrder': ccxt['createOrder'] as ClientCost,
    'ccxt sign()': ccxt['sign'] as ClientCost,
    'ccxt parseOrder() of a FULL answer': ccxt['parseOrder'] as ClientCost,
    'Alpaca SDK postOrder': await sdkCost(calls),
  };
  const ccxtVersion = ((await import('ccxt')).default as unknown as { version: string }).version;
  return {
    cpu: os.cpus()[0]?.model ?? '?',
    cores: os.cpus().length,
    node: process.version,
    ccxt: ccxtVersion,
    loadBefore,
    loadAfter: os.loadavg(),
    reps,
    ordersPerRep,
    throughput,
    latency,
    cpuPerOrder,
    clientCost,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

const LABELS: Record<(typeof LATENCY_KEYS)[number], string> = {
  fetchAck: 'market POST -> HTTP answer, plain fetch',
  fetchSignals: '  the same with a timeout and a stop signal',
  rawAck: 'market POST -> HTTP answer, client (ccxt / SDK)',
  rawToDesk: '  client call -> request at the gateway desk',
  desk: '  desk -> simulated venue -> answer',
  deskToRaw: '  desk answer -> client promise resolved',
  streamHop: '  fill published -> client stream callback',
  rawFill: 'market POST -> fill on the stream, client',
  adapterAck: 'adapter submit -> AckReport',
  adapterToDesk: '  submit -> request at the gateway desk',
  adapterDesk: '  desk -> simulated venue -> answer',
  deskToAdapter: '  desk answer -> AckReport',
  adapterFill: 'adapter submit -> FillReport (order done)',
};

export function print(r: BinanceBenchResult): void {
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  const ratio = (b: number, a: number) => `${(b / a).toFixed(2)}x`;
  console.log(
    `machine: ${r.cpu}, ${r.cores} cores, node ${r.node}, ccxt ${r.ccxt}, load ${load(r.loadBefore)} (before) ${load(r.loadAfter)} (after)`,
  );
  console.log(
    `Binance (ccxt) and Alpaca (SDK) gateways on loopback, zero venue latency, static books; ${r.ordersPerRep} orders per repetition, medians of ${r.reps}`,
  );
  console.log(
    'orders/s, raw client -> gateway -> simulator (acked per wall second): alpaca | binance | binance/alpaca',
  );
  for (const kind of ['market', 'limit'] as const)
    for (const concurrency of [1, 8]) {
      const row = (v: VenueName) =>
        r.throughput.find((t) => t.venue === v && t.kind === kind && t.concurrency === concurrency) as ThroughputRow;
      const a = row('alpaca');
      const b = row('binance');
      console.log(
        `  ${kind.padEnd(7)} concurrency ${String(concurrency).padStart(2)}  ${Math.round(a.median).toString().padStart(5)} (${a.runs.map(Math.round).join(', ')}) | ${Math.round(b.median).toString().padStart(5)} (${b.runs.map(Math.round).join(', ')}) | ${ratio(b.median, a.median)}`,
      );
    }
  console.log('latency, one market order at a time, ms p50 / p99 (max): alpaca | binance | binance/alpaca at p50');
  for (const key of LATENCY_KEYS) {
    const row = (v: VenueName) => r.latency.find((l) => l.venue === v && l.key === key) as LatencyRow;
    const a = row('alpaca').median;
    const b = row('binance').median;
    const cell = (q: Quantiles) => `${q.p50.toFixed(2)} / ${q.p99.toFixed(2)} (${q.max.toFixed(1)})`;
    console.log(
      `  ${LABELS[key].padEnd(48)} ${cell(a).padStart(22)} | ${cell(b).padStart(22)} | ${ratio(b.p50, a.p50)}`,
    );
  }
  console.log('CPU per order of the one-at-a-time loop (client + gateway + simulator, this process), ms:');
  for (const what of ['raw', 'adapter']) {
    const ms = (v: VenueName) => r.cpuPerOrder.find((c) => c.venue === v && c.what === what)?.ms ?? NaN;
    console.log(
      `  ${(what === 'raw' ? 'raw client' : 'adapter').padEnd(12)} alpaca ${ms('alpaca').toFixed(2)} | binance ${ms('binance').toFixed(2)} | ${ratio(ms('binance'), ms('alpaca'))}`,
    );
  }
  console.log('the clients alone, network answered at once (per call: wall p50 / p99 (max), CPU):');
  for (const [what, c] of Object.entries(r.clientCost))
    console.log(
      `  ${what.padEnd(36)} ${c.call.p50.toFixed(3)} / ${c.call.p99.toFixed(3)} (${c.call.max.toFixed(1)}) ms, CPU ${c.cpuPerCall.toFixed(3)} ms`,
    );
  console.log(`wall time ${r.wallSeconds.toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const reps = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  print(await main(n, reps));
}
