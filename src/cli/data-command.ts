// `execsim data list|inspect|prune`: the parsed-replay caches (src/scenario/replay-cache-*.ts) in the
// cache directory: list them with their source and size, inspect one (messages by kind, time
// range, the gaps a replay would report), prune those whose source files are gone or changed (or
// all). Every cache is opened and checked in full before anything is said of it; one that fails
// its checks is listed as invalid and pruned. Where caches live, as a run would find them: --dir,
// else $EXECSIM_REPLAY_CACHE, else replay-cache/ beside the store (--db, else $EXECSIM_DB, else
// the default), or with --no-store $XDG_CACHE_HOME/execsim/replay, else ~/.cache/execsim/replay.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReplayCacheInvalid } from '../scenario/replay-cache-format.ts';
import {
  REPLAY_CACHE_EXT,
  replayCacheDir,
  replayCacheFiles,
  replayCacheLeftovers,
} from '../scenario/replay-cache-location.ts';
import { openReplayCache, type ReplayCache } from '../scenario/replay-cache-reader.ts';
import { identifySourcesMemo, memoizedPathsOf } from '../scenario/replay-sources.ts';
import { inspectReplayCache } from '../scenario/replay-cache-inspect.ts';
import { dataImportCommand } from './data-import-command.ts';
import { DEFAULT_DB_PATH } from '../store/open-database.ts';
import { dbPath, parseCommand, InputRefused, statOrNone, UsageError, type Io } from './io.ts';
import { textTable } from './text-table.ts';
import { groupedDigits } from '../core/model/count-text.ts';

export const DATA_USAGE = `usage: execsim data list [--db PATH | --no-store | --dir DIR] [--json]
       execsim data inspect <key|file> [--db PATH | --no-store | --dir DIR] [--json]
       execsim data prune [--all] [--dry-run] [--db PATH | --no-store | --dir DIR]
       execsim data import --from FORMAT FILES... --out FILE.gz ... (execsim data import --help)`;
export const DATA_HELP = `${DATA_USAGE}
The parsed-replay caches: the first replay of a recording parses its files once into a columnar
cache file, keyed by the files' contents, the parser's version and the instrument's grid; later
replays (and sweep paths, worker threads) read that instead of parsing the text again.
  list          every cache: key, size, messages, first message (UTC), source files
  inspect K     one cache (its key, a unique start of it, or its file): source files and whether
                they are still there, grid, messages by kind, time range, the depth sequence gaps
                a replay would report, receive times that go backwards, the longest silences
  prune         remove caches whose source files are gone or changed (and not moved: a source
                a run has found at another path since keeps its cache), caches that fail their
                checks, and temporary files of writers that died; --all removes every cache
  import        Tardis.dev CSV datasets or an exchange's trade archives into the replay's line
                format (execsim data import --help)
  --db PATH     the caches of runs on this store: replay-cache/ beside it (the default: beside
                $EXECSIM_DB, else beside ${DEFAULT_DB_PATH}; $EXECSIM_REPLAY_CACHE overrides)
  --no-store    the caches of --no-store runs: $EXECSIM_REPLAY_CACHE, else
                $XDG_CACHE_HOME/execsim/replay, else ~/.cache/execsim/replay
  --dir DIR     this cache directory
  --dry-run     prune: say what would be removed, remove nothing
  --json        list, inspect: JSON
  -h, --help    this help
EXECSIM_REPLAY_CACHE=off turns the cache off for replays (they parse the raw files every time).
Exit codes: 0, 2 bad input (an unknown subcommand or flag, with the usage; no such cache, or
one that fails its checks, without it).`;

const MB = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const n = groupedDigits;
const utc = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

/** Where a run would put its caches: --dir, else as replayCacheDir finds them for the store. */
function cacheDirOf(values: { dir?: string; db?: string; 'no-store': boolean }, io: Io): string {
  const given = [
    values.dir !== undefined && '--dir',
    values.db !== undefined && '--db',
    values['no-store'] && '--no-store',
  ];
  const flags = given.filter((f) => f !== false);
  if (flags.length > 1) throw new UsageError(`${flags.join(' and ')}: give one place to look`, DATA_USAGE);
  if (values.dir !== undefined) {
    if (values.dir === '') throw new UsageError('--dir: an empty path; name the folder of the caches', DATA_USAGE);
    if (statOrNone(values.dir)?.isDirectory() === false)
      throw new UsageError(`--dir ${values.dir}: not a folder`, DATA_USAGE);
    return path.resolve(values.dir);
  }
  const dir = replayCacheDir(io.env, os.homedir(), values['no-store'] ? null : dbPath(values.db, io));
  if (dir === null)
    throw new UsageError('the replay cache is off (EXECSIM_REPLAY_CACHE=off): name a directory with --dir', DATA_USAGE);
  return dir;
}

type Opened = { readonly file: string; readonly bytes: number } & (
  { readonly cache: ReplayCache; readonly problem: null } | { readonly cache: null; readonly problem: string }
);

function openEach(dir: string): Opened[] {
  return replayCacheFiles(dir).map((file): Opened => {
    const bytes = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    try {
      return { file, bytes, cache: openReplayCache(file), problem: null };
    } catch (e) {
      if (!(e instanceof ReplayCacheInvalid)) throw e;
      return { file, bytes, cache: null, problem: e.reason };
    }
  });
}

const keyOf = (file: string): string => path.basename(file, REPLAY_CACHE_EXT);

export function dataCommand(args: readonly string[], io: Io): number {
  // Import has flags of its own (data-import-command.ts).
  if (args[0] === 'import') return dataImportCommand(args.slice(1), io);
  const { values, positionals } = parseCommand(
    args,
    {
      dir: { type: 'string' },
      db: { type: 'string' },
      'no-store': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
    DATA_USAGE,
  );
  if (values.help) {
    io.out(DATA_HELP);
    return 0;
  }
  const [sub, ...rest] = positionals;
  const only = (flags: Array<keyof typeof values>, what: string): void => {
    const wrong = (['json', 'all', 'dry-run'] as const).filter((f) => values[f] === true && !flags.includes(f));
    if (wrong.length > 0) throw new UsageError(`--${wrong[0]} does not go with data ${what}`, DATA_USAGE);
  };
  switch (sub) {
    case 'list':
      only(['json'], 'list');
      if (rest.length > 0) throw new UsageError(`data list takes no arguments, got "${rest[0]}"`, DATA_USAGE);
      return list(cacheDirOf(values, io), values.json, io);
    case 'inspect':
      only(['json'], 'inspect');
      if (rest.length !== 1) throw new UsageError('data inspect takes one cache: its key or file', DATA_USAGE);
      return inspect(cacheDirOf(values, io), rest[0] as string, values.json, io);
    case 'prune':
      only(['all', 'dry-run'], 'prune');
      if (rest.length > 0) throw new UsageError(`data prune takes no arguments, got "${rest[0]}"`, DATA_USAGE);
      return prune(cacheDirOf(values, io), values.all, values['dry-run'], io);
    case undefined:
      throw new UsageError('data needs a subcommand: list, inspect, prune or import', DATA_USAGE);
    default:
      throw new UsageError(`unknown data subcommand "${sub}" (list, inspect, prune or import)`, DATA_USAGE);
  }
}

function list(dir: string, json: boolean, io: Io): number {
  const all = openEach(dir);
  if (json) {
    io.out(
      JSON.stringify(
        all.map((o) =>
          o.cache === null
            ? { key: keyOf(o.file), file: o.file, bytes: o.bytes, invalid: o.problem }
            : {
                key: o.cache.meta.key,
                file: o.file,
                bytes: o.bytes,
                messages: o.cache.meta.messages,
                firstRecvMs: o.cache.meta.firstRecvMs,
                lastRecvMs: o.cache.meta.lastRecvMs,
                sources: o.cache.meta.source.files.map((f) => f.path),
              },
        ),
      ),
    );
    return 0;
  }
  if (all.length === 0) {
    io.out(`no replay caches in ${dir}`);
    return 0;
  }
  const rows = all.map((o) =>
    o.cache === null
      ? [keyOf(o.file), MB(o.bytes), '-', '-', `invalid: ${o.problem}`]
      : [
          o.cache.meta.key,
          MB(o.bytes),
          n(o.cache.meta.messages),
          utc(o.cache.meta.firstRecvMs),
          o.cache.meta.source.files.map((f) => f.path).join(', '),
        ],
  );
  io.out(`replay caches in ${dir}:`);
  io.out(textTable(['key', 'size', 'messages', 'first message', 'source'], rows).join('\n'));
  const total = all.reduce((s, o) => s + o.bytes, 0);
  const leftovers = replayCacheLeftovers(dir).length;
  io.out(
    `${all.length} cache${all.length === 1 ? '' : 's'}, ${MB(total)}` +
      (leftovers > 0 ? `; ${leftovers} temporary file(s) of unfinished writes (execsim data prune)` : ''),
  );
  return 0;
}

/** The cache a key, a unique start of one, or a file names. */
function findCache(dir: string, which: string): string {
  // An empty start of a key would name any cache there is.
  if (which === '') throw new UsageError('data inspect: an empty key; give a cache key or file', DATA_USAGE);
  if (which.endsWith(REPLAY_CACHE_EXT) || which.includes('/')) {
    const st = statOrNone(which);
    if (st === undefined) throw new InputRefused(`no replay cache file ${which}`);
    if (st.isDirectory()) throw new UsageError(`${which}: a folder, not a replay cache file`, DATA_USAGE);
    return which;
  }
  const matches = replayCacheFiles(dir).filter((f) => keyOf(f).startsWith(which));
  if (matches.length === 0) throw new InputRefused(`no replay cache "${which}" in ${dir}`);
  if (matches.length > 1)
    throw new InputRefused(`"${which}" starts ${matches.length} cache keys in ${dir}: give more of it`);
  return matches[0] as string;
}

type SourceState = 'present' | 'moved' | 'gone' | 'changed';

/** Whether a source file is still what the cache was made of (its hash memoized in `dir`, as a
 *  replay memoizes it). The cache is found by content, not by path: a source gone from its path,
 *  or changed there, whose content a run has found at another path since (the memo says where, and
 *  the file there is as it was hashed) was moved, and its cache is still in use. */
function sourceState(
  dir: string,
  file: { path: string; bytes: number; sha256: string },
): { state: SourceState; movedTo?: string } {
  const stat = fs.statSync(file.path, { throwIfNoEntry: false });
  let state: SourceState = 'present';
  if (stat === undefined || !stat.isFile()) state = 'gone';
  else if (stat.size !== file.bytes) state = 'changed';
  else if (identifySourcesMemo([file.path], dir).sources[0]?.sha256 !== file.sha256) state = 'changed';
  if (state === 'present') return { state };
  const elsewhere = memoizedPathsOf(dir, file.sha256).filter((p) => p !== file.path);
  return elsewhere.length > 0 ? { state: 'moved', movedTo: elsewhere[0] as string } : { state };
}

function inspect(dir: string, which: string, json: boolean, io: Io): number {
  const file = findCache(dir, which);
  let cache: ReplayCache;
  try {
    cache = openReplayCache(file);
  } catch (e) {
    if (e instanceof ReplayCacheInvalid) throw new InputRefused(e.message);
    throw e;
  }
  const meta = cache.meta;
  const seen = inspectReplayCache(cache);
  const sources = meta.source.files.map((f) => ({ ...f, ...sourceState(dir, f) }));
  if (json) {
    io.out(
      JSON.stringify({
        file,
        bytes: cache.bytes,
        meta: { ...meta, source: { ...meta.source, files: sources } },
        ...seen,
      }),
    );
    return 0;
  }
  const span = seen.firstRecvMs === null || seen.lastRecvMs === null ? 0 : seen.lastRecvMs - seen.firstRecvMs;
  const lines = [
    `cache     ${file}`,
    `          ${MB(cache.bytes)}, ${n(meta.messages)} messages and ${n(meta.levelPairs)} levels in ${meta.blocks} blocks; format ${meta.format}, parser ${meta.parser}`,
    ...sources.map(
      (f, i) =>
        `${i === 0 ? 'source' : '      '}    ${f.path} (${MB(f.bytes)}, sha256 ${f.sha256.slice(0, 16)}…): ${f.state}` +
        (f.movedTo === undefined ? '' : ` (the same content is at ${f.movedTo}, where a run found it)`),
    ),
    `grid      tick ${meta.grid.tickSize}, lot ${meta.grid.lotSize}, symbol ${meta.grid.symbol ?? '-'}`,
    `time      ${utc(seen.firstRecvMs)} to ${utc(seen.lastRecvMs)} (${(span / 1000).toFixed(1)} s)`,
    `messages  snapshot ${n(seen.byKind.snapshot)} · depth ${n(seen.byKind.depth)} · bookTicker ${n(seen.byKind.bbo)} · trade ${n(seen.byKind.trade)}`,
    `depth     ${n(seen.depthApplied)} diffs applied after ${seen.snapshots} snapshot(s); ${seen.depthGaps} sequence gap(s)` +
      seen.firstGaps
        .map((g) => `\n          gap at ${utc(g.recvMs)}: expected update ${g.expectedId}, got ${g.gotId}..${g.lastId}`)
        .join(''),
    `times     ${seen.backwardsTimes} receive time(s) before the one before; longest silences: ` +
      (seen.longestSilences.length === 0
        ? '-'
        : seen.longestSilences.map((s) => `${(s.ms / 1000).toFixed(3)} s after ${utc(s.fromMs)}`).join(', ')),
  ];
  io.out(lines.join('\n'));
  return 0;
}

/** A writer's temporary file, `<key>.xrc.tmp-<pid>-<random>`: its process is gone. */
function writerGone(file: string): boolean {
  const pid = Number(/\.tmp-(\d+)-/.exec(path.basename(file))?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function prune(dir: string, all: boolean, dryRun: boolean, io: Io): number {
  const removed: Array<{ file: string; bytes: number; why: string }> = [];
  let keptBytes = 0;
  let kept = 0;
  for (const o of openEach(dir)) {
    let why: string | null = all ? 'all' : null;
    if (why === null && o.cache === null) why = `invalid (${o.problem})`;
    if (why === null && o.cache !== null) {
      const states = o.cache.meta.source.files.map((f) => sourceState(dir, f).state);
      if (states.includes('gone')) why = 'source gone';
      else if (states.includes('changed')) why = 'source changed';
    }
    if (why === null) {
      kept++;
      keptBytes += o.bytes;
    } else removed.push({ file: o.file, bytes: o.bytes, why });
  }
  const leftovers = replayCacheLeftovers(dir).filter(writerGone);
  for (const f of leftovers)
    removed.push({ file: f, bytes: fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0, why: 'unfinished write' });
  if (!dryRun) for (const r of removed) fs.rmSync(r.file, { force: true });
  for (const r of removed) io.out(`${dryRun ? 'would remove' : 'removed'} ${r.file} (${MB(r.bytes)}): ${r.why}`);
  const freed = removed.reduce((s, r) => s + r.bytes, 0);
  io.out(
    `${dryRun ? 'would remove' : 'removed'} ${removed.length} file(s), ${MB(freed)}; kept ${kept} cache(s), ${MB(keptBytes)} (in ${dir})`,
  );
  return 0;
}
