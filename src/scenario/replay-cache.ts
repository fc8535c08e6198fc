// The parsed-replay cache on disk: one file per recording (its files' contents, in order) and
// parse (the parser's version, tick and lot grid, symbol), named by a hash of all of that, holding
// the parsed messages as the columnar blocks of src/sim/replay/cache-blocks.ts. A cache is written
// to a temporary name, fsynced and renamed, so a crashed writer never leaves a file a reader could
// take for whole; and a reader trusts nothing it has not checked: the magic, format version, byte
// order, every block's checksum and columns, the sizes adding up, and the key it was opened for.
// Anything else is `ReplayCacheInvalid`, and the caller parses the raw files again.
// Layout, where caches live and why: docs/0080-parsed-replay-cache.md.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  REPLAY_PARSER_VERSION,
  RAW_LINES_FORMAT,
  blockBodyBytes,
  blockProblem,
  blockViews,
  CacheBlockBuilder,
  CachedMessages,
  type CacheBlock,
  type ReplayMessage,
} from '../sim/replay/cache-blocks.ts';

/** The file layout's version: raise it when the bytes of a cache change meaning. */
export const REPLAY_CACHE_FORMAT = 1;
/** A cache file's name ends so; a temporary one has `.tmp-<pid>-<random>` after it. */
export const REPLAY_CACHE_EXT = '.xrc';

const HEAD_MAGIC = Buffer.from('XSREPLAY', 'latin1');
const TAIL_MAGIC = Buffer.from('XSRPLEND', 'latin1');
const HEAD_BYTES = 16;
const FRAME_BYTES = 16;
const TRAIL_BYTES = 16;
/** Written in the machine's byte order: a reader on another order sees another number. */
const BYTE_ORDER_MARK = 0x01020304;
/** A block is flushed at this many messages or level pairs, whichever comes first. */
const BLOCK_MESSAGES = 8192;
const BLOCK_PAIRS = 131_072;

export class ReplayCacheInvalid extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: not a usable replay cache (${reason})`);
    this.name = 'ReplayCacheInvalid';
  }
}

/** How a recording's lines are parsed: part of the key, since the messages depend on it. */
export interface ReplayGrid {
  readonly tickSize: string;
  readonly lotSize: string;
  readonly symbol: string | null;
}

export interface CacheSourceFile {
  /** Absolute path when the cache was written (where `data prune` looks for it). */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What a cache holds, stored as JSON after its blocks. */
export interface ReplayCacheMeta {
  readonly format: number;
  readonly parser: number;
  readonly key: string;
  readonly source: { readonly kind: typeof RAW_LINES_FORMAT; readonly files: readonly CacheSourceFile[] };
  readonly grid: ReplayGrid;
  readonly messages: number;
  readonly levelPairs: number;
  readonly byKind: { readonly snapshot: number; readonly depth: number; readonly bbo: number; readonly trade: number };
  readonly firstRecvMs: number | null;
  readonly lastRecvMs: number | null;
  readonly blocks: number;
}

/** The directory of caches beside a store: `replay-cache/` in the database file's directory. */
export const REPLAY_CACHE_BESIDE_STORE = 'replay-cache';

/** The cache directory beside the store `dbFile`; null for a store with no file (SQLite's
 *  `:memory:`). */
export function replayCacheBesideStore(dbFile: string): string | null {
  if (dbFile === ':memory:' || dbFile.startsWith('file::memory:')) return null;
  return path.join(path.dirname(path.resolve(dbFile)), REPLAY_CACHE_BESIDE_STORE);
}

/**
 * The cache directory: `EXECSIM_REPLAY_CACHE` (a path; `off`, `0` or `false` turns caching off),
 * else beside the run's store when it has one (`store`, the database file: replayCacheBesideStore),
 * else `$XDG_CACHE_HOME/execsim/replay`, else `~/.cache/execsim/replay`.
 */
export function replayCacheDir(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  store: string | null = null,
): string | null {
  const set = env['EXECSIM_REPLAY_CACHE'];
  if (set !== undefined && set !== '') {
    if (['off', '0', 'false', 'no'].includes(set.toLowerCase())) return null;
    return path.resolve(set);
  }
  const beside = store === null ? null : replayCacheBesideStore(store);
  if (beside !== null) return beside;
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : path.join(home, '.cache');
  return path.join(base, 'execsim', 'replay');
}

/**
 * The cache directory of this process's environment, for a run with no store (or none named).
 * The one place below the CLI that reads the environment: a replay is built by the CLI's runs,
 * sweep worker threads and queue workers alike; those with a store are handed its directory
 * (ReplaySourceOptions.cacheDir), the others find the same caches here.
 */
export function defaultReplayCacheDir(): string | null {
  return replayCacheDir(process.env, os.homedir());
}

/** The cache's key: its format, the parser's version, the grid and the files' contents in order. */
export function replayCacheKey(sources: readonly CacheSourceFile[], grid: ReplayGrid): string {
  const what = JSON.stringify({
    format: REPLAY_CACHE_FORMAT,
    parser: REPLAY_PARSER_VERSION,
    grid: [grid.tickSize, grid.lotSize, grid.symbol?.toUpperCase() ?? null],
    files: sources.map((s) => s.sha256),
  });
  return crypto.createHash('sha256').update(what).digest('hex').slice(0, 32);
}

export function replayCachePath(dir: string, key: string): string {
  return path.join(dir, key + REPLAY_CACHE_EXT);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  const v = new Uint32Array(b.buffer, b.byteOffset, values.length);
  v.set(values);
  return b;
}

/**
 * Writes one cache: messages are added in order and flushed block by block (bounded memory);
 * `finish` makes it visible under its final name atomically; `abort` leaves nothing behind.
 */
export class ReplayCacheWriter {
  private readonly tmp: string;
  private fd: number;
  private readonly builder = new CacheBlockBuilder();
  private blocks = 0;
  private messages = 0;
  private levelPairs = 0;
  private firstRecvMs: number | null = null;
  private lastRecvMs: number | null = null;

  constructor(
    readonly file: string,
    private readonly key: string,
    private readonly sources: readonly CacheSourceFile[],
    private readonly grid: ReplayGrid,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
    this.fd = fs.openSync(this.tmp, 'wx');
    try {
      const head = Buffer.concat([HEAD_MAGIC, u32s(REPLAY_CACHE_FORMAT, BYTE_ORDER_MARK)]);
      fs.writeSync(this.fd, head);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  add(m: ReplayMessage): void {
    if (this.firstRecvMs === null) this.firstRecvMs = m.recvMs;
    this.lastRecvMs = m.recvMs;
    this.builder.add(m);
    if (this.builder.count >= BLOCK_MESSAGES || this.builder.pairs >= BLOCK_PAIRS) this.flush();
  }

  /** Writes the rest, the meta and the trailer; fsyncs and renames into place. */
  finish(): ReplayCacheMeta {
    this.flush();
    const meta: ReplayCacheMeta = {
      format: REPLAY_CACHE_FORMAT,
      parser: REPLAY_PARSER_VERSION,
      key: this.key,
      source: { kind: RAW_LINES_FORMAT, files: this.sources },
      grid: this.grid,
      messages: this.messages,
      levelPairs: this.levelPairs,
      byKind: { ...this.builder.byKind },
      firstRecvMs: this.firstRecvMs,
      lastRecvMs: this.lastRecvMs,
      blocks: this.blocks,
    };
    const json = Buffer.from(JSON.stringify(meta), 'utf8');
    try {
      fs.writeSync(this.fd, json);
      fs.writeSync(this.fd, Buffer.concat([u32s(json.length, zlib.crc32(json)), TAIL_MAGIC]));
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = -1;
      fs.renameSync(this.tmp, this.file);
    } catch (e) {
      this.abort();
      throw e;
    }
    syncDir(path.dirname(this.file));
    return meta;
  }

  abort(): void {
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed or gone: the unlink below is what matters
      }
      this.fd = -1;
    }
    fs.rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    const b = this.builder;
    if (b.count === 0) return;
    const body = b.encode();
    try {
      fs.writeSync(this.fd, u32s(b.count, b.pairs, body.length, zlib.crc32(body)));
      fs.writeSync(this.fd, body);
    } catch (e) {
      this.abort();
      throw e;
    }
    this.blocks++;
    this.messages += b.count;
    this.levelPairs += b.pairs;
    b.reset();
  }
}

/** Makes a rename durable (best effort: some file systems refuse to open a directory). */
function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // the rename itself is atomic; only its durability across a power loss is at stake
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

export interface OpenCacheOptions {
  /** The key the caller derived from the sources: a cache under another key is invalid. */
  readonly key?: string;
}

/** A block's place in the file and what its frame says of it. */
interface Frame {
  readonly at: number;
  readonly n: number;
  readonly p: number;
  readonly len: number;
  readonly crc: number;
}

/** A checked cache: its meta, and its messages in order (each call reads them from the start). */
export interface ReplayCache {
  readonly file: string;
  readonly bytes: number;
  readonly meta: ReplayCacheMeta;
  messages(): CachedMessages;
  /** The checked blocks, in order (the views of one are valid until the next is asked for). */
  blocks(): Iterable<CacheBlock>;
}

function readFully(fd: number, into: Uint8Array, position: number): number {
  let at = 0;
  while (at < into.length) {
    const n = fs.readSync(fd, into, at, into.length - at, position + at);
    if (n === 0) break;
    at += n;
  }
  return at;
}

/** A block's body read into `scratch` (grown when too small, 8-byte aligned). */
class BlockReader {
  private scratch = new Uint8Array(0);

  read(fd: number, at: number, len: number): Uint8Array | null {
    if (this.scratch.length < len) this.scratch = new Uint8Array(new ArrayBuffer(len));
    const body = this.scratch.subarray(0, len);
    return readFully(fd, body, at) === len ? body : null;
  }
}

/**
 * Opens a cache file and checks all of it, block by block in bounded memory (head, trailer, meta,
 * every frame, checksum and block's columns, the counts adding up, the key); throws
 * ReplayCacheInvalid for anything off. Its blocks are then read again, one at a time, as views
 * over one reused buffer.
 */
export function openReplayCache(file: string, options: OpenCacheOptions = {}): ReplayCache {
  const bad = (reason: string): never => {
    throw new ReplayCacheInvalid(file, reason);
  };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return bad(`cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < HEAD_BYTES + TRAIL_BYTES) bad('truncated');
    const head = new Uint8Array(HEAD_BYTES);
    readFully(fd, head, 0);
    if (!Buffer.from(head.buffer, 0, 8).equals(HEAD_MAGIC)) bad('not a replay cache');
    const headWords = new Uint32Array(head.buffer, 8, 2);
    if (headWords[0] !== REPLAY_CACHE_FORMAT) bad(`format ${headWords[0]}, this version reads ${REPLAY_CACHE_FORMAT}`);
    if (headWords[1] !== BYTE_ORDER_MARK) bad('written on a machine of another byte order');
    const trail = new Uint8Array(TRAIL_BYTES);
    readFully(fd, trail, size - TRAIL_BYTES);
    if (!Buffer.from(trail.buffer, 8, 8).equals(TAIL_MAGIC)) bad('truncated (no trailer)');
    const [metaBytes, metaCrc] = new Uint32Array(trail.buffer, 0, 2) as unknown as [number, number];
    if (metaBytes > size - HEAD_BYTES - TRAIL_BYTES) bad('truncated (meta)');
    const json = Buffer.alloc(metaBytes);
    readFully(fd, json, size - TRAIL_BYTES - metaBytes);
    if (zlib.crc32(json) !== metaCrc) bad('meta checksum mismatch');
    let meta: ReplayCacheMeta;
    try {
      meta = JSON.parse(json.toString('utf8')) as ReplayCacheMeta;
    } catch {
      return bad('meta is not JSON');
    }
    if (meta.format !== REPLAY_CACHE_FORMAT) bad(`format ${meta.format}`);
    if (meta.parser !== REPLAY_PARSER_VERSION)
      bad(`written by parser version ${meta.parser}, this one is ${REPLAY_PARSER_VERSION}`);
    if (options.key !== undefined && meta.key !== options.key) bad('written for other data');
    const blocksEnd = size - TRAIL_BYTES - metaBytes;
    const frames: Frame[] = [];
    const reader = new BlockReader();
    const frame = new Uint8Array(FRAME_BYTES);
    const words = new Uint32Array(frame.buffer, 0, 4);
    let at = HEAD_BYTES;
    let messages = 0;
    while (at < blocksEnd) {
      if (at + FRAME_BYTES > blocksEnd || readFully(fd, frame, at) !== FRAME_BYTES) bad('truncated (block frame)');
      const [n, p, len, crc] = words as unknown as [number, number, number, number];
      if (n === 0 || len !== blockBodyBytes(n, p) || at + FRAME_BYTES + len > blocksEnd) bad('bad block frame');
      const body = reader.read(fd, at + FRAME_BYTES, len) ?? bad('truncated (block)');
      if (zlib.crc32(body) !== crc) bad(`block ${frames.length} checksum mismatch`);
      const problem = blockProblem(blockViews(body, n, p));
      if (problem !== null) bad(`block ${frames.length}: ${problem}`);
      frames.push({ at: at + FRAME_BYTES, n, p, len, crc });
      messages += n;
      at += FRAME_BYTES + len;
    }
    if (frames.length !== meta.blocks || messages !== meta.messages) bad('the blocks do not add up to the meta');
    return cacheOver(file, size, meta, frames);
  } finally {
    fs.closeSync(fd);
  }
}

function cacheOver(file: string, size: number, meta: ReplayCacheMeta, frames: readonly Frame[]): ReplayCache {
  function* blocks(): Generator<CacheBlock> {
    // Read again block by block, each checked again against the checksum seen when the file was
    // opened: a writer may have renamed another copy into place since (the same blocks, as the
    // key is the same), and what is handed out must be what was checked.
    const fd = fs.openSync(file, 'r');
    try {
      const reader = new BlockReader();
      for (const f of frames) {
        const body = reader.read(fd, f.at, f.len);
        if (body === null || zlib.crc32(body) !== f.crc) throw new ReplayCacheInvalid(file, 'changed while being read');
        yield blockViews(body, f.n, f.p);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return {
    file,
    bytes: size,
    meta,
    blocks,
    messages() {
      const it = blocks();
      return new CachedMessages(() => {
        const r = it.next();
        return r.done === true ? null : r.value;
      });
    },
  };
}

/** The files of `dir` whose names `keep` takes, by name, as paths; none when it does not exist. */
function filesIn(dir: string, keep: (name: string) => boolean): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter(keep)
    .sort()
    .map((n) => path.join(dir, n));
}

/** Every cache file in `dir` (not the temporary ones), by name; none when it does not exist. */
export function replayCacheFiles(dir: string): string[] {
  return filesIn(dir, (n) => n.endsWith(REPLAY_CACHE_EXT));
}

/** Files a writer left behind when its process died before the rename. */
export function replayCacheLeftovers(dir: string): string[] {
  return filesIn(dir, (n) => n.includes(REPLAY_CACHE_EXT + '.tmp-'));
}
