// The parsed-replay cache replays exactly what the raw files replay (the bundled recording, and
// generated small recordings through the replay model: the same events, trades and displayed
// book), is written once and read after, and is never trusted when it is not whole and its own:
// truncated, a flipped byte, another format or parser version, another recording's cache under
// this name, a writer's leftover temporary file. A cache that cannot be written, or a recording
// that does not parse, leaves the replay reading the raw files as before, errors included.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { firstDifference } from '../../test/support/first-difference.ts';
import { drive } from '../../test/support/replay-drive.ts';
import type { ReplaySource } from '../sim/market/replay-model.ts';
import type { BinanceMessage } from '../sim/replay/binance-messages.ts';
import { REPLAY_PARSER_VERSION } from '../sim/replay/cache-blocks.ts';
import { ReplayCacheInvalid, type ReplayGrid } from './replay-cache-format.ts';
import {
  replayCacheDir,
  replayCacheFiles,
  replayCacheKey,
  replayCacheLeftovers,
  replayCachePath,
} from './replay-cache-location.ts';
import { ReplayCacheWriter } from './replay-cache-writer.ts';
import { openReplayCache } from './replay-cache-reader.ts';
import { identifySources, SOURCE_HASHES_FILE } from './replay-sources.ts';
import { ReplayFileReader } from './replay-file.ts';
import { openReplaySource, rawReplaySource, type ReplaySourceKind } from './build-replay.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA_DIR = path.resolve(here, '../../scenarios/data/binance-spot');
const BUNDLED = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) => path.join(DATA_DIR, f));
const GRID: ReplayGrid = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-replay-cache-test-'));
let dirs = 0;
const freshDir = (): string => path.join(tmpRoot, `d${dirs++}`);
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function all(source: ReplaySource): BinanceMessage[] {
  const out: BinanceMessage[] = [];
  for (let m = source.next(); m !== null; m = source.next()) out.push(m);
  return out;
}

function* iterate(source: ReplaySource): Generator<BinanceMessage> {
  for (let m = source.next(); m !== null; m = source.next()) yield m;
}

function opened(
  files: string[],
  dir: string | null,
  grid = GRID,
): { kind: ReplaySourceKind; messages: BinanceMessage[] } {
  const o = openReplaySource(files, grid, { cacheDir: dir });
  return { kind: o.kind, messages: all(o.source) };
}

describe('the parsed-replay cache of the bundled recording', () => {
  const dir = freshDir();
  const raw = all(rawReplaySource(new ReplayFileReader(BUNDLED), GRID));

  it('is written by the first replay, read by the next, and gives back every message exactly', () => {
    const first = opened(BUNDLED, dir);
    expect(first.kind).toBe('cache-written');
    const second = opened(BUNDLED, dir);
    expect(second.kind).toBe('cache-read');
    expect(raw.length).toBe(99_574);
    expect(firstDifference(first.messages, raw)).toBeNull();
    expect(firstDifference(second.messages, raw)).toBeNull();
    expect(replayCacheFiles(dir)).toHaveLength(1);
    expect(replayCacheLeftovers(dir)).toEqual([]);
  });

  it('states its source, parser and counts', () => {
    const [file] = replayCacheFiles(dir);
    const cache = openReplayCache(file as string);
    const m = cache.meta;
    expect(m.parser).toBe(REPLAY_PARSER_VERSION);
    expect(m.messages).toBe(99_574);
    expect(m.byKind.snapshot + m.byKind.depth + m.byKind.bbo + m.byKind.trade).toBe(99_574);
    expect(m.byKind.snapshot).toBe(raw.filter((x) => x.kind === 'snapshot').length);
    expect(m.source.files.map((f) => f.path)).toEqual(BUNDLED);
    expect(m.source.files.map((f) => f.bytes)).toEqual(BUNDLED.map((f) => fs.statSync(f).size));
    expect(m.firstRecvMs).toBe(raw[0]?.recvMs);
    expect(m.lastRecvMs).toBe(raw.at(-1)?.recvMs);
    expect(m.blocks).toBeGreaterThan(1);
  });

  it('replays to the same events, trades and displayed book as the raw files', () => {
    const a = drive(iterate(rawReplaySource(new ReplayFileReader(BUNDLED), GRID)), { lotsPerDataLot: 1000 });
    const b = drive(iterate(openReplaySource(BUNDLED, GRID, { cacheDir: dir }).source), { lotsPerDataLot: 1000 });
    expect(firstDifference(b.events, a.events)).toBeNull();
    expect(firstDifference(b.sink.trades, a.sink.trades)).toBeNull();
    expect(b.sink.levelUpdates).toBe(a.sink.levelUpdates);
    expect(b.sink.book.depth('bid', 1000)).toEqual(a.sink.book.depth('bid', 1000));
    expect(b.sink.book.depth('ask', 1000)).toEqual(a.sink.book.depth('ask', 1000));
    expect(b.clock.now()).toBe(a.clock.now());
  });

  it('is another cache for another grid or symbol, and for the same files in another order', () => {
    const sources = identifySources(BUNDLED);
    const key = replayCacheKey(sources, GRID);
    expect(replayCacheKey(sources, { ...GRID, tickSize: '0.1' })).not.toBe(key);
    expect(replayCacheKey(sources, { ...GRID, lotSize: '0.00001' })).not.toBe(key);
    expect(replayCacheKey(sources, { ...GRID, symbol: 'ETHUSDT' })).not.toBe(key);
    expect(replayCacheKey([...sources].reverse(), GRID)).not.toBe(key);
    expect(replayCacheKey(sources, { ...GRID, symbol: 'btcusdt' })).toBe(key);
  });
});

// ---- generated recordings, as the raw lines a recorder writes ---------------------------------

const px = (ticks: number): string => (ticks / 100).toFixed(8);
const qty = (lots: number): string => (lots / 1e8).toFixed(8);
const lv = (ls: Array<[number, number]>): string => JSON.stringify(ls.map(([p, q]) => [px(p), qty(q)]));

type Gen =
  | { t: 'snap'; bids: Array<[number, number]>; asks: Array<[number, number]> }
  | { t: 'depth'; ids: number; bids: Array<[number, number]>; asks: Array<[number, number]>; skip: boolean }
  | { t: 'bbo'; bid: number; ask: number; q: number }
  | { t: 'trade'; p: number; q: number; m: boolean };

const lvl = fc.tuple(fc.integer({ min: 6_000_000, max: 6_010_000 }), fc.integer({ min: 0, max: 5e8 }));
const gen: fc.Arbitrary<Gen> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('snap' as const),
      bids: fc.array(lvl, { maxLength: 5 }),
      asks: fc.array(lvl, { maxLength: 5 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('depth' as const),
      ids: fc.integer({ min: 1, max: 3 }),
      bids: fc.array(lvl, { maxLength: 4 }),
      asks: fc.array(lvl, { maxLength: 4 }),
      skip: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('bbo' as const),
      bid: fc.integer({ min: 6_000_000, max: 6_005_000 }),
      ask: fc.integer({ min: 6_004_000, max: 6_010_000 }),
      q: fc.integer({ min: 1, max: 1e8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('trade' as const),
      p: fc.integer({ min: 6_000_000, max: 6_010_000 }),
      q: fc.integer({ min: 1, max: 1e8 }),
      m: fc.boolean(),
    }),
  },
);

/** The lines of a recording: receive times in ns, update ids in sequence (with gaps where asked). */
function recording(items: readonly Gen[], gapAt: number): string {
  let ns = 1_723_161_253_937_085_768n;
  let id = 50_093_239_189;
  let tradeId = 3_735_683_259;
  const lines: string[] = [];
  items.forEach((g, i) => {
    ns += BigInt(1 + ((i * 7919) % 90)) * 1_000_123n;
    const ms = Number(ns / 1_000_000n);
    if (g.t === 'snap') lines.push(`${ns} {"lastUpdateId":${id},"bids":${lv(g.bids)},"asks":${lv(g.asks)}}`);
    else if (g.t === 'depth') {
      const first = id + 1 + (g.skip && i === gapAt ? 5 : 0);
      id = first + g.ids - 1;
      lines.push(
        `${ns} {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":${ms},"s":"BTCUSDT","U":${first},"u":${id},"b":${lv(g.bids)},"a":${lv(g.asks)}}}`,
      );
    } else if (g.t === 'bbo')
      lines.push(
        `${ns} {"stream":"btcusdt@bookTicker","data":{"u":${id},"s":"BTCUSDT","b":"${px(g.bid)}","B":"${qty(g.q)}","a":"${px(g.ask)}","A":"${qty(g.q + 1)}"}}`,
      );
    else
      lines.push(
        `${ns} {"stream":"btcusdt@trade","data":{"e":"trade","E":${ms},"s":"BTCUSDT","t":${tradeId++},"p":"${px(g.p)}","q":"${qty(g.q)}","T":${ms - 1},"m":${g.m},"M":true}}`,
      );
  });
  return lines.join('\n') + '\n';
}

describe('generated recordings', () => {
  it('replay the same from the cache as from the raw files (written, then read)', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(gen, { minLength: 1, maxLength: 40, size: 'max' }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (items, gapAt, parts, gzip) => {
          const dir = freshDir();
          fs.mkdirSync(dir);
          const text = recording(items, gapAt).split('\n');
          const per = Math.ceil(text.length / parts);
          const files: string[] = [];
          for (let k = 0; k < parts; k++) {
            const chunk = text.slice(k * per, (k + 1) * per).join('\n');
            const file = path.join(dir, `part${k}${gzip ? '.gz' : '.txt'}`);
            fs.writeFileSync(file, gzip ? zlib.gzipSync(chunk) : chunk);
            files.push(file);
          }
          const cacheDir = path.join(dir, 'cache');
          const raw = all(rawReplaySource(new ReplayFileReader(files), GRID));
          const written = opened(files, cacheDir);
          const read = opened(files, cacheDir);
          expect(written.kind).toBe('cache-written');
          expect(read.kind).toBe('cache-read');
          expect(written.messages).toEqual(raw);
          expect(read.messages).toEqual(raw);
          const a = drive(raw, { lotsPerDataLot: 1000 });
          const b = drive(iterate(openReplaySource(files, GRID, { cacheDir }).source), { lotsPerDataLot: 1000 });
          expect(b.events).toEqual(a.events);
          expect(b.sink.trades).toEqual(a.sink.trades);
          expect(b.sink.levelUpdates).toBe(a.sink.levelUpdates);
          expect(b.sink.book.depth('bid', 100)).toEqual(a.sink.book.depth('bid', 100));
          expect(b.sink.book.depth('ask', 100)).toEqual(a.sink.book.depth('ask', 100));
          n++;
        },
      ),
      { numRuns: 60 },
    );
    expect(n).toBe(60);
  });
});

// ---- what is never trusted -------------------------------------------------------------------

describe('a cache that is not whole or not its own', () => {
  const dir = freshDir();
  fs.mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, 'rec.txt')];
  const items: Gen[] = [];
  for (let i = 0; i < 40; i++)
    items.push(
      i % 4 === 0
        ? { t: 'snap', bids: [[6_000_000 - i, 1e8]], asks: [[6_010_000 + i, 1e8]] }
        : i % 4 === 1
          ? { t: 'depth', ids: 2, bids: [[6_000_100, i * 1000]], asks: [], skip: false }
          : i % 4 === 2
            ? { t: 'bbo', bid: 6_000_100, ask: 6_009_000, q: 7 }
            : { t: 'trade', p: 6_005_000, q: 99, m: i % 8 === 3 },
    );
  fs.writeFileSync(files[0] as string, recording(items, -1));
  const cacheDir = path.join(dir, 'cache');
  const raw = all(rawReplaySource(new ReplayFileReader(files), GRID));
  const key = replayCacheKey(identifySources(files), GRID);
  const file = replayCachePath(cacheDir, key);

  /** Writes a good cache, damages it, and checks it is refused, then rewritten and read. */
  function refusedThenRewritten(damage: (bytes: Buffer) => Buffer, reason: RegExp): void {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    expect(opened(files, cacheDir).kind).toBe('cache-written');
    fs.writeFileSync(file, damage(fs.readFileSync(file)));
    expect(() => openReplayCache(file, { key })).toThrow(reason);
    const again = opened(files, cacheDir);
    expect(again.kind).toBe('cache-written');
    expect(again.messages).toEqual(raw);
    expect(opened(files, cacheDir).kind).toBe('cache-read');
    expect(replayCacheLeftovers(cacheDir)).toEqual([]);
  }

  it('truncated anywhere: refused and rewritten', () => {
    const size = (() => {
      fs.rmSync(cacheDir, { recursive: true, force: true });
      opened(files, cacheDir);
      return fs.statSync(file).size;
    })();
    for (const cut of [0, 10, 16, 40, Math.floor(size / 2), size - 17, size - 1])
      refusedThenRewritten((b) => b.subarray(0, cut), /truncated|not a replay cache|checksum|frame|meta/);
  });

  it('a flipped byte in a block, the meta or the head: refused and rewritten', () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    opened(files, cacheDir);
    const size = fs.statSync(file).size;
    for (const at of [3, 40, 200, 600, size - 40, size - 12]) {
      refusedThenRewritten((b) => {
        const c = Buffer.from(b);
        c[at] = (c[at] as number) ^ 0x10;
        return c;
      }, /./);
    }
  });

  it('another format version: refused and rewritten', () => {
    refusedThenRewritten((b) => {
      const c = Buffer.from(b);
      c.writeUInt32LE(99, 8);
      return c;
    }, /format 99/);
  });

  it('another parser version or another recording under this name: refused', () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const other: ReplayGrid = { ...GRID, tickSize: '0.001' };
    const otherKey = replayCacheKey(identifySources(files), other);
    expect(opened(files, cacheDir, other).kind).toBe('cache-written');
    fs.copyFileSync(replayCachePath(cacheDir, otherKey), file);
    expect(() => openReplayCache(file, { key })).toThrow(/written for other data/);
    const again = opened(files, cacheDir);
    expect(again.kind).toBe('cache-written');
    expect(again.messages).toEqual(raw);
    // A parser version the meta does not match (meta rewritten with its checksum, so only the
    // version check can refuse it).
    const bytes = fs.readFileSync(file);
    const metaLen = bytes.readUInt32LE(bytes.length - 16);
    const meta = JSON.parse(bytes.subarray(bytes.length - 16 - metaLen, bytes.length - 16).toString()) as object;
    const json = Buffer.from(JSON.stringify({ ...meta, parser: REPLAY_PARSER_VERSION + 1 }));
    const trail = Buffer.alloc(8);
    trail.writeUInt32LE(json.length, 0);
    trail.writeUInt32LE(zlib.crc32(json), 4);
    fs.writeFileSync(
      file,
      Buffer.concat([bytes.subarray(0, bytes.length - 16 - metaLen), json, trail, bytes.subarray(bytes.length - 8)]),
    );
    expect(() => openReplayCache(file, { key })).toThrow(/parser version/);
    expect(opened(files, cacheDir).kind).toBe('cache-written');
  });

  it('a writer that dies before its rename leaves nothing a reader takes for a cache', () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const w = new ReplayCacheWriter(file, key, identifySources(files), GRID);
    for (const m of raw) w.add(m);
    // not finished: the process "dies" here
    expect(fs.existsSync(file)).toBe(false);
    expect(replayCacheFiles(cacheDir)).toEqual([]);
    expect(replayCacheLeftovers(cacheDir)).toHaveLength(1);
    const next = opened(files, cacheDir);
    expect(next.kind).toBe('cache-written');
    expect(next.messages).toEqual(raw);
    w.abort();
    expect(replayCacheLeftovers(cacheDir)).toEqual([]);
    expect(() => openReplayCache(path.join(cacheDir, 'none.xrc'))).toThrow(ReplayCacheInvalid);
  });

  it('a directory that cannot be written: the raw files, the same messages', () => {
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, 'a file where the cache directory would be');
    const o = opened(files, path.join(blocked, 'cache'));
    expect(o.kind).toBe('raw-unwritable');
    expect(o.messages).toEqual(raw);
    expect(opened(files, null).kind).toBe('raw-no-cache');
  });

  it('a recording that does not parse to its end: no cache, the raw error at its line when reached', () => {
    const bad = path.join(dir, 'bad.txt');
    fs.writeFileSync(bad, recording(items.slice(0, 6), -1) + '1723161253937085768 {"stream":"btcusdt@depth@100ms"\n');
    const badCache = path.join(dir, 'bad-cache');
    const o = openReplaySource([bad], GRID, { cacheDir: badCache });
    expect(o.kind).toBe('raw-unparsed');
    expect(replayCacheFiles(badCache)).toEqual([]);
    expect(replayCacheLeftovers(badCache)).toEqual([]);
    for (let i = 0; i < 6; i++) expect(o.source.next()).not.toBeNull();
    expect(() => o.source.next()).toThrow(/bad\.txt: line 7/);
  });
});

describe('where caches live', () => {
  it('EXECSIM_REPLAY_CACHE, else XDG_CACHE_HOME, else ~/.cache; off turns caching off', () => {
    expect(replayCacheDir({}, '/home/u')).toBe('/home/u/.cache/execsim/replay');
    expect(replayCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/execsim/replay');
    expect(replayCacheDir({ EXECSIM_REPLAY_CACHE: '/c', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/c');
    for (const off of ['off', 'OFF', '0', 'false', 'no'])
      expect(replayCacheDir({ EXECSIM_REPLAY_CACHE: off }, '/home/u')).toBeNull();
  });
});

// ---- the memo of source hashes -----------------------------------------------------------------

describe('source hashes memoized by path, size, mtime and inode', () => {
  const dir = freshDir();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'rec.txt');
  const cacheDir = path.join(dir, 'cache');
  const items: Gen[] = [
    { t: 'snap', bids: [[6_000_000, 1e8]], asks: [[6_010_000, 1e8]] },
    { t: 'trade', p: 6_005_000, q: 99, m: true },
    { t: 'depth', ids: 2, bids: [[6_000_100, 5000]], asks: [], skip: false },
  ];
  const other: Gen[] = [...items.slice(0, 1), { t: 'trade', p: 6_005_001, q: 99, m: true }, ...items.slice(2)];
  const hourAgo = (): Date => new Date(Date.now() - 3_600_000);
  const open = () => {
    const o = openReplaySource([file], GRID, { cacheDir });
    return { kind: o.kind, hashed: o.hashed, messages: all(o.source) };
  };

  it('a settled file is hashed once; touched, it is hashed again and still finds its cache', () => {
    fs.writeFileSync(file, recording(items, -1));
    fs.utimesSync(file, hourAgo(), hourAgo());
    const first = open();
    expect(first).toMatchObject({ kind: 'cache-written', hashed: 1 });
    expect(fs.existsSync(path.join(cacheDir, SOURCE_HASHES_FILE))).toBe(true);
    expect(open()).toMatchObject({ kind: 'cache-read', hashed: 0 });

    // Touched: another mtime, the same contents: read and hashed again, the same key.
    const t = new Date(Date.now() - 1_800_000);
    fs.utimesSync(file, t, t);
    const touched = open();
    expect(touched).toMatchObject({ kind: 'cache-read', hashed: 1 });
    expect(touched.messages).toEqual(first.messages);
    expect(open()).toMatchObject({ kind: 'cache-read', hashed: 0 });
    expect(replayCacheFiles(cacheDir)).toHaveLength(1);
  });

  it('a file rewritten with other contents is hashed again and misses', () => {
    const before = open().messages;
    fs.writeFileSync(file, recording(other, -1));
    expect(fs.statSync(file).size).toBe(Buffer.byteLength(recording(items, -1))); // the same size
    fs.utimesSync(file, hourAgo(), hourAgo());
    const rewritten = open();
    expect(rewritten).toMatchObject({ kind: 'cache-written', hashed: 1 });
    expect(rewritten.messages).not.toEqual(before);
    expect(rewritten.messages).toEqual(all(rawReplaySource(new ReplayFileReader([file]), GRID)));
    expect(open()).toMatchObject({ kind: 'cache-read', hashed: 0 });
  });

  it('a file replaced by a copy (another inode, same size and mtime) is hashed again', () => {
    const copy = path.join(dir, 'copy.txt');
    fs.copyFileSync(file, copy);
    const st = fs.statSync(file);
    fs.utimesSync(copy, st.atime, st.mtime);
    fs.renameSync(copy, file);
    expect(open()).toMatchObject({ kind: 'cache-read', hashed: 1 });
  });

  it('a file modified within the last 2 s is not memoized: hashed on every run until it settles', () => {
    fs.writeFileSync(file, recording(items, -1));
    expect(open().hashed).toBe(1);
    expect(open().hashed).toBe(1);
    fs.utimesSync(file, hourAgo(), hourAgo());
    expect(open().hashed).toBe(1);
    expect(open().hashed).toBe(0);
  });

  it('a torn or foreign memo is ignored: every file hashed, the memo written anew', () => {
    fs.writeFileSync(path.join(cacheDir, SOURCE_HASHES_FILE), '{"version":1,"entries":{"');
    expect(open()).toMatchObject({ kind: 'cache-read', hashed: 1 });
    expect(open()).toMatchObject({ kind: 'cache-read', hashed: 0 });
    const memo = JSON.parse(fs.readFileSync(path.join(cacheDir, SOURCE_HASHES_FILE), 'utf8')) as {
      entries: Record<string, { sha256: string }>;
    };
    expect(memo.entries[file]?.sha256).toBe(identifySources([file])[0]?.sha256);
    const forged = { version: 1, entries: { [file]: { ...memo.entries[file], sha256: 'not a hash' } } };
    fs.writeFileSync(path.join(cacheDir, SOURCE_HASHES_FILE), JSON.stringify(forged));
    expect(open()).toMatchObject({ kind: 'cache-read', hashed: 1 });
  });
});
