// Writes one parsed-replay cache file: the head, the parsed messages as columnar blocks flushed as
// they fill (bounded memory), then the meta and the trailer, to a temporary name that is fsynced
// and renamed into place, so a crashed writer never leaves a file a reader could take for whole.
// The layout: replay-cache-format.ts and docs/0080-parsed-replay-cache.md.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  REPLAY_PARSER_VERSION,
  RAW_LINES_FORMAT,
  CacheBlockBuilder,
  type ReplayMessage,
} from '../sim/replay/cache-blocks.ts';
import {
  BYTE_ORDER_MARK,
  HEAD_MAGIC,
  REPLAY_CACHE_FORMAT,
  TAIL_MAGIC,
  type CacheSourceFile,
  type ReplayCacheMeta,
  type ReplayGrid,
} from './replay-cache-format.ts';

/** A block is flushed at this many messages or level pairs, whichever comes first. */
const BLOCK_MESSAGES = 8192;
const BLOCK_PAIRS = 131_072;

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
