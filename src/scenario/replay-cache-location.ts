// Where parsed-replay caches live and what they are called: the directory (the environment's
// choice, else beside the run's store, else the user's cache directory), each cache's key (a hash
// of the format, the parser's version, the grid and the source files' contents) and path, and the
// cache files and writers' leftovers a directory holds. Where and why: docs/0080-parsed-replay-cache.md.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPLAY_PARSER_VERSION } from '../sim/replay/cache-blocks.ts';
import { REPLAY_CACHE_FORMAT, type CacheSourceFile, type ReplayGrid } from './replay-cache-format.ts';

/** A cache file's name ends so; a temporary one has `.tmp-<pid>-<random>` after it. */
export const REPLAY_CACHE_EXT = '.xrc';

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
