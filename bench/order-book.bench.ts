// Order-book benchmark: L3Book (src/sim/book) vs the npm package nodejs-order-book, side by side in
// one process on the same seeded stream of 1,000,000 operations.
// Run: node --import tsx bench/order-book.bench.ts
//
// The stream is generated once per book shape, before any timing, with an inline mulberry32:
//   70% passive GTC limit orders, side 50/50, 1-10 lots, price uniform 1-50 ticks from a fixed mid
//       on the order's own side (bids below mid, asks above; they never cross);
//   20% cancels of a resting order picked uniformly (the generator knows which orders rest: it
//       replays the stream on a scratch L3Book as it goes);
//   10% marketable orders: half market orders, half IOC limits priced 50 ticks through the mid.
//       Their size is proportional to (resting orders / prefill), about 5 orders' worth at the
//       prefill size, so the book stays near its starting size instead of growing or draining.
// Shapes: "shallow" starts with 1 order on each of 50 levels (25 a side); "deep" with 1,000 orders
// on each of 100 levels (50 a side), 100,000 orders.
// Each timed run builds a fresh book, prefills it (untimed), then runs all 1M operations; the
// figure is 1M / elapsed. Per shape, L3Book's runs go first, then nodejs-order-book's, in one
// process; they are not interleaved run by run, because then L3Book's clock pays for collecting
// nodejs-order-book's garbage (measured: L3Book runs fell from 4.4M to 2.2-4.0M ops/s, shallow).
// After every run the book's final depth is checked against the generator's, so both did the
// same matching work.
// The trade listener given to L3Book counts trades and lots (the work a venue would at least do).
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type LimitOrderOptions, OrderBook, Side as NobSide } from 'nodejs-order-book';
import { L3Book } from '../src/sim/book/l3-book.ts';

const OPS = 1_000_000;
const MID = 100_000;
const BAND = 50;
const L3_RUNS = 5;
const NOB_RUNS = 3;

/** nodejs-order-book's TimeInForce enum is not exported; its IOC value is the string 'IOC'. */
const NOB_IOC = 'IOC' as NonNullable<LimitOrderOptions['timeInForce']>;

/**
 * A full GC between the two books' phases (untimed), so L3Book's runs do not pay for collecting
 * the garbage nodejs-order-book left behind (it allocates several objects per operation). Not
 * before every run: a forced full GC frees objects that optimised code depends on and sends the
 * engine back through the JIT on the clock (measured: L3Book 4.4M -> 1.7-4.0M ops/s, shallow).
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const LIMIT = 0;
const CANCEL = 1;
const MARKET = 2;
const IOC = 3;

interface Workload {
  name: string;
  prefillOrders: number;
  /** Ops, prefill first (`prefill` entries, all LIMIT), then the OPS timed ones. */
  kind: Uint8Array;
  buy: Uint8Array;
  price: Int32Array;
  qty: Int32Array;
  id: Int32Array;
  prefill: number;
  /** String ids for nodejs-order-book, by numeric id. */
  idText: string[];
  finalBids: Array<[number, number]>;
  finalAsks: Array<[number, number]>;
  finalOrders: number;
  mix: { limits: number; cancels: number; markets: number; iocs: number; trades: number };
}

export interface BookFigures {
  name: string;
  prefillOrders: number;
  restingAtEnd: number;
  levelsAtEnd: number;
  trades: number;
  l3: { runs: number; medianOpsPerSec: number; runsOpsPerSec: number[] };
  nodejsOrderBook: { runs: number; medianOpsPerSec: number; runsOpsPerSec: number[] };
  ratio: number;
}

export interface OrderBookBenchResult {
  node: string;
  cpu: string;
  cores: number;
  ops: number;
  books: BookFigures[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(name: string, levelsPerSide: number, perLevel: number, seed: number): Workload {
  const rand = mulberry32(seed);
  const prefill = 2 * levelsPerSide * perLevel;
  const n = prefill + OPS;
  const w: Workload = {
    name,
    prefillOrders: prefill,
    prefill,
    kind: new Uint8Array(n),
    buy: new Uint8Array(n),
    price: new Int32Array(n),
    qty: new Int32Array(n),
    id: new Int32Array(n),
    idText: [''],
    finalBids: [],
    finalAsks: [],
    finalOrders: 0,
    mix: { limits: 0, cancels: 0, markets: 0, iocs: 0, trades: 0 },
  };
  // Resting set, for picking cancels: ids in an array, position by id (ids are 1..n).
  const resting = new Int32Array(n + 1);
  const where = new Int32Array(n + 2).fill(-1);
  let restingCount = 0;
  const drop = (id: number): void => {
    const i = where[id] as number;
    const last = resting[--restingCount] as number;
    resting[i] = last;
    where[last] = i;
    where[id] = -1;
  };
  const scratch = new L3Book((makerId, _t, _p, _q, _mo, _to, _s, remaining) => {
    w.mix.trades++;
    if (remaining === 0) drop(makerId);
  });
  let nextId = 1;
  const put = (i: number, kind: number, buy: boolean, price: number, qty: number, id: number): void => {
    w.kind[i] = kind;
    w.buy[i] = buy ? 1 : 0;
    w.price[i] = price;
    w.qty[i] = qty;
    w.id[i] = id;
  };
  const limit = (i: number, buy: boolean, price: number, qty: number): void => {
    const id = nextId++;
    put(i, LIMIT, buy, price, qty, id);
    scratch.limit(id, buy ? 'buy' : 'sell', price, qty, 0, 'GTC', false);
    resting[restingCount] = id;
    where[id] = restingCount++;
  };
  let i = 0;
  for (let level = 1; level <= levelsPerSide; level++) {
    for (let k = 0; k < perLevel; k++) {
      limit(i++, true, MID - level, 1 + Math.floor(rand() * 10));
      limit(i++, false, MID + level, 1 + Math.floor(rand() * 10));
    }
  }
  for (; i < n; i++) {
    const r = rand();
    const buy = rand() < 0.5;
    if (r < 0.7 || (r < 0.9 && restingCount === 0)) {
      w.mix.limits++;
      const offset = 1 + Math.floor(rand() * BAND);
      limit(i, buy, buy ? MID - offset : MID + offset, 1 + Math.floor(rand() * 10));
    } else if (r < 0.9) {
      w.mix.cancels++;
      const id = resting[Math.floor(rand() * restingCount)] as number;
      put(i, CANCEL, false, 0, 0, id);
      drop(id);
      scratch.cancel(id);
    } else {
      const orders = (5 * restingCount * (0.5 + rand())) / prefill;
      const qty = Math.max(1, Math.round(orders * 5.5));
      const id = nextId++;
      if (rand() < 0.5) {
        w.mix.markets++;
        put(i, MARKET, buy, 0, qty, id);
        scratch.market(id, buy ? 'buy' : 'sell', qty, 0);
      } else {
        w.mix.iocs++;
        const price = buy ? MID + BAND : MID - BAND;
        put(i, IOC, buy, price, qty, id);
        scratch.limit(id, buy ? 'buy' : 'sell', price, qty, 0, 'IOC', false);
      }
    }
  }
  if (restingCount !== scratch.size) throw new Error('generator lost track of resting orders');
  for (let id = 1; id < nextId; id++) w.idText.push(`o${id}`);
  w.finalBids = scratch.depth('buy', Infinity);
  w.finalAsks = scratch.depth('sell', Infinity);
  w.finalOrders = scratch.size;
  return w;
}

let tradeCount = 0;
let tradeQty = 0;
function onTrade(_m: number, _t: number, _p: number, qty: number): void {
  tradeCount++;
  tradeQty += qty;
}

/** One run on a fresh L3Book; the book is returned for checking outside the timed function. */
function runL3(w: Workload, ops: number): { opsPerSec: number; book: L3Book } {
  const book = new L3Book(onTrade); // default pool sizes: it grows during the prefill like the other book
  const { kind, buy, price, qty, id } = w;
  for (let i = 0; i < w.prefill; i++) book.limit(id[i]!, buy[i] ? 'buy' : 'sell', price[i]!, qty[i]!, 0, 'GTC', false);
  const end = w.prefill + ops;
  const t0 = performance.now();
  for (let i = w.prefill; i < end; i++) {
    switch (kind[i]) {
      case LIMIT:
        book.limit(id[i]!, buy[i] ? 'buy' : 'sell', price[i]!, qty[i]!, 0, 'GTC', false);
        break;
      case CANCEL:
        if (!book.cancel(id[i]!)) throw new Error(`L3Book: cancel of ${id[i]} missed`);
        break;
      case MARKET:
        book.market(id[i]!, buy[i] ? 'buy' : 'sell', qty[i]!, 0);
        break;
      default:
        book.limit(id[i]!, buy[i] ? 'buy' : 'sell', price[i]!, qty[i]!, 0, 'IOC', false);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { opsPerSec: ops / seconds, book };
}

function checkL3(w: Workload, book: L3Book): void {
  checkDepth('L3Book', w, book.depth('buy', Infinity), book.depth('sell', Infinity), book.size);
}

function runNob(w: Workload, ops: number): { opsPerSec: number; book: OrderBook } {
  const book = new OrderBook();
  const { kind, buy, price, qty, id, idText } = w;
  for (let i = 0; i < w.prefill; i++) {
    book.limit({ id: idText[id[i]!]!, side: buy[i] ? NobSide.BUY : NobSide.SELL, size: qty[i]!, price: price[i]! });
  }
  const end = w.prefill + ops;
  const t0 = performance.now();
  for (let i = w.prefill; i < end; i++) {
    switch (kind[i]) {
      case LIMIT:
        book.limit({ id: idText[id[i]!]!, side: buy[i] ? NobSide.BUY : NobSide.SELL, size: qty[i]!, price: price[i]! });
        break;
      case CANCEL:
        if (book.cancel(idText[id[i]!]!) === undefined) throw new Error(`nodejs-order-book: cancel of ${id[i]} missed`);
        break;
      case MARKET:
        book.market({ side: buy[i] ? NobSide.BUY : NobSide.SELL, size: qty[i]! });
        break;
      default:
        book.limit({
          id: idText[id[i]!]!,
          side: buy[i] ? NobSide.BUY : NobSide.SELL,
          size: qty[i]!,
          price: price[i]!,
          timeInForce: NOB_IOC,
        });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { opsPerSec: ops / seconds, book };
}

function checkNob(w: Workload, book: OrderBook): void {
  const [asks, bids] = book.depth();
  const byBest = (sign: number) => (a: [number, number], b: [number, number]) => sign * (a[0] - b[0]);
  checkDepth('nodejs-order-book', w, [...bids].sort(byBest(-1)), [...asks].sort(byBest(1)), undefined);
}

function checkDepth(
  who: string,
  w: Workload,
  bids: Array<[number, number]>,
  asks: Array<[number, number]>,
  size: number | undefined,
): void {
  const same = JSON.stringify([bids, asks]) === JSON.stringify([w.finalBids, w.finalAsks]);
  if (!same || (size !== undefined && size !== w.finalOrders))
    throw new Error(`${who}: final book differs from the generator's (${w.name})`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export async function main(): Promise<OrderBookBenchResult> {
  const cpus = os.cpus();
  const books: BookFigures[] = [];
  for (const [name, levelsPerSide, perLevel, seed] of [
    ['shallow', 25, 1, 11],
    ['deep', 50, 1000, 12],
  ] as const) {
    const w = generate(name, levelsPerSide, perLevel, seed);
    // One phase per book: a full GC, an untimed warm-up (JIT), then the timed runs.
    collectGarbage();
    runL3(w, 100_000);
    const l3: number[] = [];
    for (let run = 0; run < L3_RUNS; run++) {
      const { opsPerSec, book } = runL3(w, OPS);
      checkL3(w, book);
      l3.push(opsPerSec);
    }
    collectGarbage();
    runNob(w, name === 'deep' ? 10_000 : 100_000);
    const nob: number[] = [];
    for (let run = 0; run < NOB_RUNS; run++) {
      const { opsPerSec, book } = runNob(w, OPS);
      checkNob(w, book);
      nob.push(opsPerSec);
    }
    books.push({
      name,
      prefillOrders: w.prefillOrders,
      restingAtEnd: w.finalOrders,
      levelsAtEnd: w.finalBids.length + w.finalAsks.length,
      trades: w.mix.trades,
      l3: { runs: L3_RUNS, medianOpsPerSec: median(l3), runsOpsPerSec: l3 },
      nodejsOrderBook: { runs: NOB_RUNS, medianOpsPerSec: median(nob), runsOpsPerSec: nob },
      ratio: median(l3) / median(nob),
    });
  }
  if (tradeQty < 0) console.log(tradeCount); // keeps the listener's work observable
  return { node: process.version, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, ops: OPS, books };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const r = await main();
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores | ${fmt(r.ops)} ops per run`);
  for (const b of r.books) {
    console.log(
      `${b.name}: prefill ${fmt(b.prefillOrders)} orders; at end ${fmt(b.restingAtEnd)} orders on ${b.levelsAtEnd} levels; ${fmt(b.trades)} trades`,
    );
    console.log(
      `  L3Book             ${fmt(b.l3.medianOpsPerSec)} ops/s (median of ${b.l3.runs}; runs: ${b.l3.runsOpsPerSec.map(fmt).join(', ')})`,
    );
    console.log(
      `  nodejs-order-book  ${fmt(b.nodejsOrderBook.medianOpsPerSec)} ops/s (median of ${b.nodejsOrderBook.runs}; runs: ${b.nodejsOrderBook.runsOpsPerSec.map(fmt).join(', ')})`,
    );
    console.log(`  ratio              ${b.ratio.toFixed(1)}x`);
  }
}
