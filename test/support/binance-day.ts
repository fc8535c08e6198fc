// A generated recording of Binance spot BTCUSDT in the replay's raw format (gzipped lines
// `<receive time, ns> <message as received>`), as long as asked (a whole day is about 13 million
// messages), for the day-replay bench and its test. The rates are the bundled recording's
// (scenarios/data/binance-spot, 11 minutes of 2024-08-08/09): a depth diff every 100 ms carrying
// about 46 levels (about half of them removals) and 70 update ids, 112.5 bookTickers and 30.6
// trades a second, a 1,000-level REST snapshot per side at the start and every hour (as
// `execsim record` takes them), files named and split by UTC day as the recorder rotates them.
//
// What the stream models: a mid on a seeded random walk (30 ticks' standard deviation per
// 100 ms, about 0.45% a day at 62,000), a spread of 1 tick most of the time, a bounded book of at
// most 1,000 levels a side kept consistent with every diff (the levels the new touch crosses go,
// the touch and a few levels behind it are refilled, others change or go at distances biased
// towards the touch, the farthest go when a side grows past its bound), bookTickers with update
// ids inside the next diff's range (the last before a diff shows exactly the book after it, as
// Binance's stream does), and trades at the touch. Update ids run without a break unless
// `gapsAtMs` asks for breaks; each is followed by a new snapshot, as the recorder takes one after
// a gap. Everything is drawn from one seeded generator: the same options give the same bytes.
// Memory is bounded: the book and one 100 ms interval's lines, compressed as they are written.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { rng } from './clone-runs.ts';

export interface DayRecordingOptions {
  readonly seed: number;
  /** Epoch ms of the first message's receive time (default 2024-08-10T00:00:00Z). */
  readonly startMs?: number;
  /** How long the recording runs, ms (default a day). */
  readonly durationMs?: number;
  /** bookTickers and trades a second (defaults: the bundled recording's 112.5 and 30.6). */
  readonly bboPerSec?: number;
  readonly tradesPerSec?: number;
  /** Mean levels in a depth diff (default 46) and update ids a diff covers (default 70). */
  readonly levelsPerDiff?: number;
  readonly idsPerDiff?: number;
  /** A snapshot this often after the first (default an hour, the recorder's; 0: none). */
  readonly snapshotEveryMs?: number;
  /** Offsets from the start (ms) at which the update ids break: a gap, then a new snapshot. */
  readonly gapsAtMs?: readonly number[];
  /** gzip level (default 6, zlib's and the recorder's). */
  readonly gzipLevel?: number;
  /** The symbol in the messages and the file names (default BTCUSDT). */
  readonly symbol?: string;
}

export interface DayRecording {
  /** The files written, in replay order. */
  readonly files: readonly string[];
  readonly messages: number;
  readonly byKind: { readonly snapshot: number; readonly depth: number; readonly bbo: number; readonly trade: number };
  /** Levels in all depth diffs. */
  readonly diffLevels: number;
  readonly firstRecvMs: number;
  readonly lastRecvMs: number;
  /** Bytes written (compressed) and of the text before compression. */
  readonly bytes: number;
  readonly textBytes: number;
}

const DAY_MS = 86_400_000;
const DIFF_MS = 100;
/** Levels a side, as in a 1,000-level snapshot. */
const BOOK_LEVELS = 1000;
const STEP_SD_TICKS = 30;
const START_MID_TICKS = 6_183_763;

/** The recorder's day file stem for a receive time: `<symbol lower>_<YYYYMMDD>`. */
function dayStem(symbol: string, ms: number): string {
  const d = new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString();
  return `${symbol.toLowerCase()}_${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}`;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** A price in ticks of 0.01 as Binance writes it ("61837.63000000"). */
const price = (ticks: number): string => `${Math.floor(ticks / 100)}.${pad(ticks % 100, 2)}000000`;
/** A quantity in units of 1e-8 ("1.54698000"). */
const qty = (lots: number): string => `${Math.floor(lots / 1e8)}.${pad(lots % 1e8, 8)}`;

/** One side of the book: sorted prices (ascending) and their quantities. */
class Side {
  readonly prices: number[] = [];
  readonly qty = new Map<number, number>();
  constructor(readonly bid: boolean) {}
  get size(): number {
    return this.prices.length;
  }
  /** The index of the first price >= p. */
  private find(p: number): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.prices[mid] as number) < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  set(p: number, q: number): void {
    if (q === 0) {
      if (!this.qty.has(p)) return;
      this.qty.delete(p);
      this.prices.splice(this.find(p), 1);
    } else {
      if (!this.qty.has(p)) this.prices.splice(this.find(p), 0, p);
      this.qty.set(p, q);
    }
  }
  /** The best price (highest bid, lowest ask), or null. */
  best(): number | null {
    const n = this.prices.length;
    if (n === 0) return null;
    return (this.bid ? this.prices[n - 1] : this.prices[0]) as number;
  }
  /** The price `i` levels away from the touch (0: the touch). */
  at(i: number): number {
    return (this.bid ? this.prices[this.prices.length - 1 - i] : this.prices[i]) as number;
  }
}

/** Writes the recording into `dir` (created when missing): one gzipped file per UTC day. */
export async function writeDayRecording(dir: string, o: DayRecordingOptions): Promise<DayRecording> {
  const startMs = o.startMs ?? Date.UTC(2024, 7, 10);
  const durationMs = o.durationMs ?? DAY_MS;
  const bboPerInterval = ((o.bboPerSec ?? 112.5) * DIFF_MS) / 1000;
  const tradesPerInterval = ((o.tradesPerSec ?? 30.6) * DIFF_MS) / 1000;
  const levelsPerDiff = o.levelsPerDiff ?? 46;
  const idsPerDiff = o.idsPerDiff ?? 70;
  const snapshotEveryMs = o.snapshotEveryMs ?? 3_600_000;
  const gapsAt = [...(o.gapsAtMs ?? [])].sort((a, b) => a - b);
  const symbol = o.symbol ?? 'BTCUSDT';
  const lower = symbol.toLowerCase();
  const rnd = rng(o.seed);
  fs.mkdirSync(dir, { recursive: true });

  const uniform = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const normal = (): number => {
    const u = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const poisson = (mean: number): number => {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = rnd(); p > limit; p *= rnd()) k++;
    return k;
  };
  /** A quantity in 1e-8 units, log-uniform between lo and hi. */
  const logUniform = (lo: number, hi: number): number => Math.max(1, Math.round(lo * Math.pow(hi / lo, rnd())));
  /** A resting level's size: 0.0001 to 5 BTC. */
  const levelQty = (): number => logUniform(10_000, 500_000_000);
  /** A trade's size: mostly small, a tenth 0.1-1 BTC (the bundled tape's median is 0.00067). */
  const tradeQty = (): number => {
    const u = rnd();
    return u < 0.5 ? logUniform(1_000, 100_000) : u < 0.9 ? logUniform(100_000, 10_000_000) : logUniform(1e7, 1e8);
  };

  // The book at the start: 1,000 levels a side, gaps widening with depth.
  const bids = new Side(true);
  const asks = new Side(false);
  let mid = START_MID_TICKS;
  {
    let b = mid;
    let a = mid + 1;
    for (let i = 0; i < BOOK_LEVELS; i++) {
      bids.set(b, levelQty());
      asks.set(a, levelQty());
      const gap = (): number => 1 + Math.floor(rnd() * rnd() * (2 + (i * i) / 2000));
      b -= gap();
      a += gap();
    }
  }

  let updateId = 50_093_239_000;
  let tradeId = 3_735_683_000;
  const byKind = { snapshot: 0, depth: 0, bbo: 0, trade: 0 };
  let diffLevels = 0;
  let bytes = 0;
  let textBytes = 0;
  const files: string[] = [];

  // The output: one gzip stream per UTC day, written with backpressure.
  let stem = '';
  let gz: zlib.Gzip | null = null;
  let out: fs.WriteStream | null = null;
  let closed: Promise<void> = Promise.resolve();
  const open = (ms: number): void => {
    stem = dayStem(lower, ms);
    const file = path.join(dir, `${stem}.gz`);
    files.push(file);
    gz = zlib.createGzip({ level: o.gzipLevel ?? 6 });
    out = fs.createWriteStream(file);
    const stream = out;
    gz.pipe(stream);
    closed = new Promise<void>((resolve, reject) => {
      stream.on('close', resolve);
      stream.on('error', reject);
    });
  };
  const close = async (): Promise<void> => {
    if (gz === null || out === null) return;
    const stream = out;
    gz.end();
    await closed;
    bytes += stream.bytesWritten;
    gz = null;
    out = null;
  };
  let pending: string[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0 || gz === null) return;
    const text = pending.join('');
    pending = [];
    textBytes += Buffer.byteLength(text);
    if (!gz.write(text)) await new Promise<void>((resolve) => gz?.once('drain', resolve));
  };
  /** Receive times are µs; a line's ns adds three seeded digits. */
  const line = async (recvUs: number, message: string): Promise<void> => {
    const ms = Math.floor(recvUs / 1000);
    if (dayStem(lower, ms) !== stem) {
      await flush();
      await close();
      open(ms);
    }
    pending.push(`${recvUs}${pad(uniform(0, 999), 3)} ${message}\n`);
    lastUs = recvUs;
  };

  const snapshot = async (recvUs: number): Promise<void> => {
    const side = (s: Side): string => {
      const parts: string[] = [];
      for (let i = 0; i < s.size; i++) {
        const p = s.at(i);
        parts.push(`["${price(p)}","${qty(s.qty.get(p) as number)}"]`);
      }
      return parts.join(',');
    };
    byKind.snapshot++;
    await line(recvUs, `{"lastUpdateId":${updateId},"bids":[${side(bids)}],"asks":[${side(asks)}]}`);
  };

  const startUs = startMs * 1000;
  let lastUs = startUs;
  await snapshot(startUs);
  let nextSnapshotMs = snapshotEveryMs > 0 ? snapshotEveryMs : Infinity;
  let gapIndex = 0;
  const intervals = Math.floor(durationMs / DIFF_MS);
  for (let k = 0; k < intervals; k++) {
    const t0Us = startUs + k * DIFF_MS * 1000;
    const oldBid = bids.best() as number;
    const oldAsk = asks.best() as number;

    // The diff: the new touch, the levels it crosses gone, refills behind it, then changes
    // elsewhere until about `levelsPerDiff` levels are in it.
    const changes = { bid: new Map<number, number>(), ask: new Map<number, number>() };
    const change = (side: Side, p: number, q: number): void => {
      side.set(p, q);
      (side.bid ? changes.bid : changes.ask).set(p, q);
    };
    mid += Math.round(normal() * STEP_SD_TICKS);
    const u = rnd();
    const spread = u < 0.8 ? 1 : u < 0.95 ? 2 : uniform(3, 5);
    const newBid = mid - (spread >> 1);
    const newAsk = newBid + spread;
    while ((bids.best() as number) > newBid) change(bids, bids.best() as number, 0);
    while ((asks.best() as number) < newAsk) change(asks, asks.best() as number, 0);
    if (newBid !== oldBid || rnd() < 0.3) change(bids, newBid, levelQty());
    if (newAsk !== oldAsk || rnd() < 0.3) change(asks, newAsk, levelQty());
    for (const [side, sign, touch] of [
      [bids, -1, newBid],
      [asks, 1, newAsk],
    ] as const) {
      const moved = side === bids ? newBid > oldBid : newAsk < oldAsk;
      if (moved) for (let r = uniform(1, 4); r > 0; r--) change(side, touch + sign * uniform(1, 40), levelQty());
    }
    const target = uniform(levelsPerDiff - 26, levelsPerDiff + 26);
    for (let tries = 0; changes.bid.size + changes.ask.size < target && tries < 4 * target; tries++) {
      const side = rnd() < 0.46 ? bids : asks;
      const sign = side === bids ? -1 : 1;
      const touch = side.best() as number;
      const v = rnd();
      if (v < 0.45) {
        // a resting level changes size, or (never the touch) goes
        const i = Math.floor(side.size * rnd() * rnd() * rnd());
        const p = side.at(i);
        change(side, p, i > 0 && rnd() < 0.55 ? 0 : levelQty());
      } else if (v < 0.9) {
        // a level appears (or grows) behind the touch, most of them near it
        change(side, touch + sign * (1 + Math.floor(3000 * rnd() * rnd() * rnd())), levelQty());
      } else {
        // a level gone somewhere in the book (a removal of one not there is sent too, as Binance does)
        const d = 1 + Math.floor(6000 * rnd() * rnd());
        change(side, touch + sign * d, 0);
      }
    }
    for (const side of [bids, asks]) while (side.size > BOOK_LEVELS) change(side, side.at(side.size - 1), 0);

    // Update ids: the diff covers [U, u]; a gap asked for skips ids before it.
    let gap = false;
    if (gapIndex < gapsAt.length && k * DIFF_MS >= (gapsAt[gapIndex] as number)) {
      gapIndex++;
      gap = true;
      updateId += uniform(5, 50);
    }
    const nIds = uniform(Math.ceil(idsPerDiff / 2), idsPerDiff * 2 - Math.ceil(idsPerDiff / 2));
    const firstId = updateId + 1;
    const lastId = updateId + nIds;
    updateId = lastId;

    // The interval's bookTickers and trades, at seeded times before the diff arrives.
    type Ev = { us: number; bbo: boolean; text: string };
    const events: Ev[] = [];
    const nT = Math.min(nIds, poisson(bboPerInterval));
    const splitAt = rnd();
    let prevId = firstId - 1;
    const topQty = (side: Side, p: number): number => side.qty.get(p) as number;
    for (let j = 0; j < nT; j++) {
      // distinct ids in order, the j-th in the j-th share of [U, u]
      const id = Math.min(
        lastId - (nT - 1 - j),
        Math.max(prevId + 1, firstId + Math.floor((j * nIds) / nT) + Math.floor((rnd() * nIds) / nT)),
      );
      prevId = id;
      const last = j === nT - 1;
      const early = !last && j / nT < splitAt;
      const b = early ? oldBid : newBid;
      const a = early ? oldAsk : newAsk;
      const bq = last ? topQty(bids, newBid) : levelQty();
      const aq = last ? topQty(asks, newAsk) : levelQty();
      events.push({
        us: 0,
        bbo: true,
        text: `{"stream":"${lower}@bookTicker","data":{"u":${id},"s":"${symbol}","b":"${price(b)}","B":"${qty(bq)}","a":"${price(a)}","A":"${qty(aq)}"}}`,
      });
    }
    // Times (µs into the interval): tickers spread over it in id order, trades at their own
    // times, all between 1 ms in (after the previous diff and any snapshot) and 95 ms.
    const times = Array.from({ length: nT }, () => uniform(1000, DIFF_MS * 1000 - 5000)).sort((x, y) => x - y);
    events.forEach((e, j) => (e.us = t0Us + (times[j] as number)));
    const nTr = poisson(tradesPerInterval);
    for (let j = 0; j < nTr; j++) {
      const us = t0Us + uniform(1000, DIFF_MS * 1000 - 5000);
      const early = (us - t0Us) / (DIFF_MS * 1000) < splitAt;
      const buy = rnd() < 0.5;
      const p = buy ? (early ? oldAsk : newAsk) : early ? oldBid : newBid;
      const ms = Math.floor(us / 1000) + 1270;
      events.push({
        us,
        bbo: false,
        text: `{"stream":"${lower}@trade","data":{"e":"trade","E":${ms + 1},"s":"${symbol}","t":${++tradeId},"p":"${price(p)}","q":"${qty(tradeQty())}","T":${ms},"m":${!buy},"M":true}}`,
      });
    }
    events.sort((x, y) => x.us - y.us);
    for (const e of events) {
      await line(e.us, e.text);
      if (e.bbo) byKind.bbo++;
      else byKind.trade++;
    }

    const diffUs = t0Us + DIFF_MS * 1000 - uniform(0, 4000);
    const levels = (m: Map<number, number>, desc: boolean): string =>
      [...m.entries()]
        .sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]))
        .map(([p, q]) => `["${price(p)}","${qty(q)}"]`)
        .join(',');
    const eventMs = Math.floor(diffUs / 1000) + 1271;
    await line(
      diffUs,
      `{"stream":"${lower}@depth@100ms","data":{"e":"depthUpdate","E":${eventMs},"s":"${symbol}","U":${firstId},"u":${lastId},"b":[${levels(changes.bid, true)}],"a":[${levels(changes.ask, false)}]}}`,
    );
    byKind.depth++;
    diffLevels += changes.bid.size + changes.ask.size;

    // A snapshot after a gap (the recorder asks for one), and one every `snapshotEveryMs`.
    const endMs = (k + 1) * DIFF_MS;
    if (gap) await snapshot(diffUs + 200);
    else if (endMs >= nextSnapshotMs) {
      nextSnapshotMs += snapshotEveryMs;
      await snapshot(diffUs + 300);
    }
    if (pending.length >= 2048) await flush();
  }
  await flush();
  await close();
  return {
    files,
    messages: byKind.snapshot + byKind.depth + byKind.bbo + byKind.trade,
    byKind,
    diffLevels,
    firstRecvMs: startMs,
    lastRecvMs: Math.floor(lastUs / 1000),
    bytes,
    textBytes,
  };
}
