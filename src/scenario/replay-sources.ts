// Which recording a replay reads, by content: each source file's size and SHA-256 (the cache's
// key is made of them), remembered beside the caches by each file's stat so that a day's files are
// not read again on every run only to find their cache. The memo's rule and its accepted risk:
// docs/0080-parsed-replay-cache.md.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CacheSourceFile } from './replay-cache-format.ts';

/** Size and SHA-256 of each file, read in 1 MiB chunks. */
export function identifySources(files: readonly string[]): CacheSourceFile[] {
  const buf = Buffer.allocUnsafe(1 << 20);
  return files.map((file) => hashFile(file, buf));
}

function hashFile(file: string, buf: Buffer): CacheSourceFile {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  let bytes = 0;
  try {
    for (let n = fs.readSync(fd, buf, 0, buf.length, null); n > 0; n = fs.readSync(fd, buf, 0, buf.length, null)) {
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { path: path.resolve(file), bytes, sha256: hash.digest('hex') };
}

/** The memo of source hashes, beside the caches it keys. */
export const SOURCE_HASHES_FILE = 'source-hashes.json';
const SOURCE_HASHES_VERSION = 1;
/** Entries kept (the most recently hashed): a memo, not a catalogue. */
const SOURCE_HASHES_MAX = 4096;
/** A file modified this recently may change again within its mtime's resolution unseen: not
 *  memoized (git's "racily clean" rule), so only a settled file is trusted by its stat. */
const SETTLED_NS = 2_000_000_000n;

/** What the memo trusts a file's hash by: it is re-hashed when any of these differs. */
interface StatKey {
  readonly bytes: number;
  readonly mtimeNs: string;
  readonly ino: string;
  readonly dev: string;
}

interface MemoEntry extends StatKey {
  readonly sha256: string;
}

export interface IdentifiedSources {
  readonly sources: CacheSourceFile[];
  /** Files read and hashed in full (the others' hashes came from the memo). */
  readonly hashed: number;
}

function statKey(file: string): { key: StatKey; mtimeNs: bigint } {
  const st = fs.statSync(file, { bigint: true });
  return {
    key: { bytes: Number(st.size), mtimeNs: String(st.mtimeNs), ino: String(st.ino), dev: String(st.dev) },
    mtimeNs: st.mtimeNs,
  };
}

const sameStat = (a: StatKey, b: StatKey): boolean =>
  a.bytes === b.bytes && a.mtimeNs === b.mtimeNs && a.ino === b.ino && a.dev === b.dev;

function readMemo(file: string): Map<string, MemoEntry> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      version?: unknown;
      entries?: Record<string, MemoEntry>;
    };
    if (parsed.version !== SOURCE_HASHES_VERSION || typeof parsed.entries !== 'object' || parsed.entries === null)
      return new Map();
    const entries = new Map<string, MemoEntry>();
    for (const [p, e] of Object.entries(parsed.entries)) {
      const ok =
        typeof e.bytes === 'number' &&
        typeof e.mtimeNs === 'string' &&
        typeof e.ino === 'string' &&
        typeof e.dev === 'string' &&
        typeof e.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(e.sha256);
      if (ok) entries.set(p, { bytes: e.bytes, mtimeNs: e.mtimeNs, ino: e.ino, dev: e.dev, sha256: e.sha256 });
    }
    return entries;
  } catch {
    return new Map(); // none yet, unreadable or torn: every file is hashed, as without a memo
  }
}

/** Written to a temporary name and renamed; best effort (a read-only directory keeps no memo). */
function writeMemo(file: string, entries: Map<string, MemoEntry>): void {
  const kept = [...entries].slice(-SOURCE_HASHES_MAX);
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify({ version: SOURCE_HASHES_VERSION, entries: Object.fromEntries(kept) }), {
      flag: 'wx',
    });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * identifySources, with the hashes memoized in `memoDir` (SOURCE_HASHES_FILE) by each file's
 * absolute path, size, modification time (ns), inode and device: a file is read and hashed only
 * when one of them changed since it was hashed. A file rewritten in place to other contents of the
 * same size within the same mtime is taken for the old one: the risk every stat-keyed build or
 * sync tool takes, narrowed by not memoizing a file modified within 2 s of its hashing.
 */
export function identifySourcesMemo(files: readonly string[], memoDir: string): IdentifiedSources {
  const memoFile = path.join(memoDir, SOURCE_HASHES_FILE);
  const memo = readMemo(memoFile);
  const buf = Buffer.allocUnsafe(1 << 20);
  let hashed = 0;
  let changed = false;
  const sources = files.map((file): CacheSourceFile => {
    const abs = path.resolve(file);
    const before = statKey(abs);
    const known = memo.get(abs);
    if (known !== undefined && sameStat(known, before.key))
      return { path: abs, bytes: known.bytes, sha256: known.sha256 };
    const wallNs = BigInt(Date.now()) * 1_000_000n;
    const source = hashFile(abs, buf);
    hashed++;
    const after = statKey(abs);
    // Memoized only when the file held still while it was read and has settled since its last
    // write; otherwise the hash is used for this run and the next run hashes it again.
    if (sameStat(before.key, after.key) && source.bytes === before.key.bytes && wallNs - before.mtimeNs > SETTLED_NS) {
      memo.delete(abs);
      memo.set(abs, { ...before.key, sha256: source.sha256 });
      changed = true;
    } else if (memo.delete(abs)) changed = true;
    return source;
  });
  if (changed) writeMemo(memoFile, memo);
  return { sources, hashed };
}

/**
 * The paths the memo in `memoDir` holds a file of this content at (`sha256`) that is still as it
 * was when hashed (size, modification time, inode, device): where a recording a cache was made of
 * is now, when it was moved or renamed and a run has found its cache by content there since.
 */
export function memoizedPathsOf(memoDir: string, sha256: string): string[] {
  const found: string[] = [];
  for (const [file, entry] of readMemo(path.join(memoDir, SOURCE_HASHES_FILE))) {
    if (entry.sha256 !== sha256) continue;
    let now: StatKey;
    try {
      now = statKey(file).key;
    } catch {
      continue; // gone from there too
    }
    if (sameStat(entry, now)) found.push(file);
  }
  return found;
}
