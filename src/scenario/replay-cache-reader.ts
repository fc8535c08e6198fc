// Opens a parsed-replay cache file and trusts nothing it has not checked: the magic, format
// version, byte order, every block's checksum and columns, the sizes adding up, and the key it was
// opened for; anything else is ReplayCacheInvalid, and the caller parses the raw files again. The
// checked blocks are then read again one at a time, each against its checksum, as views over one
// reused buffer. The layout: replay-cache-format.ts and docs/0080-parsed-replay-cache.md.
import fs from 'node:fs';
import zlib from 'node:zlib';
import {
  REPLAY_PARSER_VERSION,
  blockBodyBytes,
  blockProblem,
  blockViews,
  CachedMessages,
  type CacheBlock,
} from '../sim/replay/cache-blocks.ts';
import {
  BYTE_ORDER_MARK,
  FRAME_BYTES,
  HEAD_BYTES,
  HEAD_MAGIC,
  REPLAY_CACHE_FORMAT,
  ReplayCacheInvalid,
  TAIL_MAGIC,
  TRAIL_BYTES,
  type ReplayCacheMeta,
} from './replay-cache-format.ts';

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
