// The columnar form of parsed replay messages: blocks of up to a few thousand messages, each a
// handful of typed arrays in one buffer (per message its kind, receive time, three numeric fields
// and where its levels end; every level as a [price, qty] pair of one shared Float64Array), so a
// replay reads the parsed data back as views over the bytes it read, never parsing text again.
// Pure encoding and decoding; the file around the blocks (header, checksums, the atomic write,
// where caches live) is src/scenario/replay-cache-*.ts, the layout and its reasons
// docs/0080-parsed-replay-cache.md. Numbers are stored as float64: every parsed value (ticks,
// lots, ids, ms with a fraction) is a double already, so the round trip is exact.
import type {
  BinanceBbo,
  BinanceDepth,
  BinanceLevels,
  BinanceMessage,
  BinanceSnapshot,
  BinanceTrade,
} from './binance-message-types.ts';

/**
 * The version of what a cache holds for its raw lines: what BinanceLineParser produces for a
 * line, and the checks run while a cache is written (receive order across files). Caches are keyed
 * by it: raise it whenever the parser or those checks would read any line differently, and every
 * older cache is ignored. 2: files that start before the file before them ended are refused;
 * a cache of version 1 may hold such a recording. 3: a trade whose id repeats one of the latest
 * trades' is refused; a cache of version 2 may hold one.
 */
export const REPLAY_PARSER_VERSION = 3;

/** The input a cache was parsed from, as its meta names it: today's recorded raw lines. */
export const RAW_LINES_FORMAT = 'binance-spot-lines';

/** A message as a cache holds it (the parser's message, whatever the source format). */
export type ReplayMessage = BinanceMessage;

/** Message kinds as stored (a trade's side is part of its kind, so it needs no column). */
export const KIND_SNAPSHOT = 0;
export const KIND_DEPTH = 1;
export const KIND_BBO = 2;
export const KIND_TRADE = 3;
export const KIND_TRADE_BUYER_MAKER = 4;

/** Bytes of a block's body for n messages with p level pairs (8-byte aligned). */
export function blockBodyBytes(n: number, p: number): number {
  return align8(n * 41 + p * 16);
}

function align8(x: number): number {
  return (x + 7) & ~7;
}

/**
 * One block's columns. Message i's bids are the level pairs [askEnd[i-1], bidEnd[i]) and its asks
 * [bidEnd[i], askEnd[i]) (askEnd[-1] = 0). The numeric fields a, b, c are, by kind:
 * snapshot (lastUpdateId, -, -); depth (E, U, u); bbo (u, -, -), its bid one pair and its ask one;
 * trade (E, T, trade id), its price and quantity one bid pair.
 */
export interface CacheBlock {
  readonly count: number;
  readonly pairs: number;
  readonly kind: Uint8Array;
  readonly recvMs: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly bidEnd: Uint32Array;
  readonly askEnd: Uint32Array;
  /** [price0, qty0, price1, qty1, ...] in ticks and lots. */
  readonly levels: Float64Array;
}

/** Views over a block's body (`body` must start 8-byte aligned in its buffer). */
export function blockViews(body: Uint8Array, n: number, p: number): CacheBlock {
  const buf = body.buffer;
  const o = body.byteOffset;
  return {
    count: n,
    pairs: p,
    recvMs: new Float64Array(buf, o, n),
    a: new Float64Array(buf, o + 8 * n, n),
    b: new Float64Array(buf, o + 16 * n, n),
    c: new Float64Array(buf, o + 24 * n, n),
    levels: new Float64Array(buf, o + 32 * n, 2 * p),
    bidEnd: new Uint32Array(buf, o + 32 * n + 16 * p, n),
    askEnd: new Uint32Array(buf, o + 36 * n + 16 * p, n),
    kind: new Uint8Array(buf, o + 40 * n + 16 * p, n),
  };
}

/**
 * Why a block's columns cannot be messages (a kind out of range, level ends out of order or past
 * the block, a bbo or trade without exactly its pairs), or null when they can. A checksum guards
 * the bytes; this guards against a writer's mistakes, so a cache is never trusted blindly.
 */
export function blockProblem(blk: CacheBlock): string | null {
  let prev = 0;
  for (let i = 0; i < blk.count; i++) {
    const k = blk.kind[i] as number;
    const be = blk.bidEnd[i] as number;
    const ae = blk.askEnd[i] as number;
    if (k > KIND_TRADE_BUYER_MAKER) return `message ${i} has unknown kind ${k}`;
    if (!(prev <= be && be <= ae && ae <= blk.pairs)) return `message ${i} has levels out of order`;
    if (k === KIND_BBO && (be - prev !== 1 || ae - be !== 1)) return `bbo ${i} lacks its bid and ask`;
    if (k >= KIND_TRADE && (be - prev !== 1 || ae !== be)) return `trade ${i} lacks its price and qty`;
    prev = ae;
  }
  return prev === blk.pairs ? null : 'the last message does not end at the last level';
}

/** Collects messages into one block's columns; `encode` writes them out, `reset` starts again. */
export class CacheBlockBuilder {
  private n = 0;
  private p = 0;
  private kind = new Uint8Array(1024);
  private recv = new Float64Array(1024);
  private fa = new Float64Array(1024);
  private fb = new Float64Array(1024);
  private fc = new Float64Array(1024);
  private bidEnd = new Uint32Array(1024);
  private askEnd = new Uint32Array(1024);
  private lv = new Float64Array(8192);
  readonly byKind = { snapshot: 0, depth: 0, bbo: 0, trade: 0 };

  get count(): number {
    return this.n;
  }

  get pairs(): number {
    return this.p;
  }

  add(m: BinanceMessage): void {
    if (this.n === this.kind.length) this.growMessages();
    const i = this.n++;
    this.recv[i] = m.recvMs;
    switch (m.kind) {
      case 'snapshot':
        this.byKind.snapshot++;
        this.kind[i] = KIND_SNAPSHOT;
        this.fa[i] = m.lastUpdateId;
        this.fb[i] = 0;
        this.fc[i] = 0;
        this.bidEnd[i] = this.pushLevels(m.bids);
        this.askEnd[i] = this.pushLevels(m.asks);
        return;
      case 'depth':
        this.byKind.depth++;
        this.kind[i] = KIND_DEPTH;
        this.fa[i] = m.eventMs;
        this.fb[i] = m.firstId;
        this.fc[i] = m.lastId;
        this.bidEnd[i] = this.pushLevels(m.bids);
        this.askEnd[i] = this.pushLevels(m.asks);
        return;
      case 'bbo':
        this.byKind.bbo++;
        this.kind[i] = KIND_BBO;
        this.fa[i] = m.updateId;
        this.fb[i] = 0;
        this.fc[i] = 0;
        this.bidEnd[i] = this.pushPair(m.bid, m.bidQty);
        this.askEnd[i] = this.pushPair(m.ask, m.askQty);
        return;
      case 'trade':
        this.byKind.trade++;
        this.kind[i] = m.buyerIsMaker ? KIND_TRADE_BUYER_MAKER : KIND_TRADE;
        this.fa[i] = m.eventMs;
        this.fb[i] = m.tradeMs;
        this.fc[i] = m.tradeId;
        this.bidEnd[i] = this.pushPair(m.price, m.qty);
        this.askEnd[i] = this.p;
        return;
    }
  }

  /** The block's body: the columns in blockViews' order, in a fresh 8-byte aligned buffer. */
  encode(): Uint8Array {
    const n = this.n;
    const p = this.p;
    const body = new Uint8Array(blockBodyBytes(n, p));
    const v = blockViews(body, n, p);
    v.recvMs.set(this.recv.subarray(0, n));
    v.a.set(this.fa.subarray(0, n));
    v.b.set(this.fb.subarray(0, n));
    v.c.set(this.fc.subarray(0, n));
    v.levels.set(this.lv.subarray(0, 2 * p));
    v.bidEnd.set(this.bidEnd.subarray(0, n));
    v.askEnd.set(this.askEnd.subarray(0, n));
    v.kind.set(this.kind.subarray(0, n));
    return body;
  }

  reset(): void {
    this.n = 0;
    this.p = 0;
  }

  private pushLevels(levels: BinanceLevels): number {
    const len = levels.length;
    while (2 * this.p + len > this.lv.length) this.growLevels();
    const lv = this.lv;
    let at = 2 * this.p;
    for (let j = 0; j < len; j++) lv[at++] = levels[j] as number;
    this.p += len >> 1;
    return this.p;
  }

  private pushPair(price: number, qty: number): number {
    if (2 * this.p + 2 > this.lv.length) this.growLevels();
    this.lv[2 * this.p] = price;
    this.lv[2 * this.p + 1] = qty;
    return ++this.p;
  }

  private growMessages(): void {
    const size = this.kind.length * 2;
    const grow = <T extends Uint8Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.kind = grow(this.kind, (s) => new Uint8Array(s));
    this.recv = grow(this.recv, (s) => new Float64Array(s));
    this.fa = grow(this.fa, (s) => new Float64Array(s));
    this.fb = grow(this.fb, (s) => new Float64Array(s));
    this.fc = grow(this.fc, (s) => new Float64Array(s));
    this.bidEnd = grow(this.bidEnd, (s) => new Uint32Array(s));
    this.askEnd = grow(this.askEnd, (s) => new Uint32Array(s));
  }

  private growLevels(): void {
    const next = new Float64Array(this.lv.length * 2);
    next.set(this.lv);
    this.lv = next;
  }
}

/** Level pairs [from, to) of a block as the flat array the parser hands out. */
function levelsOf(lv: Float64Array, from: number, to: number): BinanceLevels {
  const out: number[] = [];
  for (let j = 2 * from, end = 2 * to; j < end; j++) out.push(lv[j] as number);
  return out;
}

/** Message i of a block, as the parser would have produced it. */
export function blockMessage(blk: CacheBlock, i: number): BinanceMessage {
  const from = i === 0 ? 0 : (blk.askEnd[i - 1] as number);
  const be = blk.bidEnd[i] as number;
  const recvMs = blk.recvMs[i] as number;
  const lv = blk.levels;
  switch (blk.kind[i]) {
    case KIND_DEPTH: {
      const ae = blk.askEnd[i] as number;
      const depth: BinanceDepth = {
        kind: 'depth',
        recvMs,
        eventMs: blk.a[i] as number,
        firstId: blk.b[i] as number,
        lastId: blk.c[i] as number,
        bids: levelsOf(lv, from, be),
        asks: levelsOf(lv, be, ae),
      };
      return depth;
    }
    case KIND_BBO: {
      const bbo: BinanceBbo = {
        kind: 'bbo',
        recvMs,
        updateId: blk.a[i] as number,
        bid: lv[2 * from] as number,
        bidQty: lv[2 * from + 1] as number,
        ask: lv[2 * be] as number,
        askQty: lv[2 * be + 1] as number,
      };
      return bbo;
    }
    case KIND_SNAPSHOT: {
      const snap: BinanceSnapshot = {
        kind: 'snapshot',
        recvMs,
        lastUpdateId: blk.a[i] as number,
        bids: levelsOf(lv, from, be),
        asks: levelsOf(lv, be, blk.askEnd[i] as number),
      };
      return snap;
    }
    default: {
      const trade: BinanceTrade = {
        kind: 'trade',
        recvMs,
        eventMs: blk.a[i] as number,
        tradeMs: blk.b[i] as number,
        tradeId: blk.c[i] as number,
        price: lv[2 * from] as number,
        qty: lv[2 * from + 1] as number,
        buyerIsMaker: blk.kind[i] === KIND_TRADE_BUYER_MAKER,
      };
      return trade;
    }
  }
}

/**
 * Parsed messages read back from blocks in order: the replay's source over a cache. `nextBlock`
 * hands out the next (checked) block, or null at the end of the data.
 */
export class CachedMessages {
  private blk: CacheBlock | null = null;
  private i = 0;

  constructor(private readonly nextBlock: () => CacheBlock | null) {}

  next(): BinanceMessage | null {
    let blk = this.blk;
    while (blk === null || this.i >= blk.count) {
      blk = this.nextBlock();
      this.blk = blk;
      this.i = 0;
      if (blk === null) return null;
    }
    return blockMessage(blk, this.i++);
  }
}
