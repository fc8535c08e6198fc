// What a parsed-replay cache file is, shared by its writer and its reader: the format version, the
// head's and trailer's magic and sizes, the byte-order mark, the meta stored after the blocks, and
// ReplayCacheInvalid, what a reader throws for any file it cannot trust. The file's layout and its
// reasons: docs/0080-parsed-replay-cache.md.
import type { RAW_LINES_FORMAT } from '../sim/replay/cache-blocks.ts';

/** The file layout's version: raise it when the bytes of a cache change meaning. */
export const REPLAY_CACHE_FORMAT = 1;

export const HEAD_MAGIC = Buffer.from('XSREPLAY', 'latin1');
export const TAIL_MAGIC = Buffer.from('XSRPLEND', 'latin1');
export const HEAD_BYTES = 16;
export const FRAME_BYTES = 16;
export const TRAIL_BYTES = 16;
/** Written in the machine's byte order: a reader on another order sees another number. */
export const BYTE_ORDER_MARK = 0x01020304;

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
