// Wires a replay scenario: the recorded files (paths relative to the scenario file), read
// synchronously in bounded memory and parsed straight from bytes, feed the replay market model;
// its gaps, rebuilds, statistics (at the run's end, `runMs` after the start) and end of data
// become log events. A malformed line, one for another symbol than the instrument's, or a file
// that starts before the file before it ended (receive-order.ts), stops the run with the file,
// line number and problem, as does a trade whose id repeats one of the latest trades'.
// The parsed messages come from the recording's cache when one was written (replay-cache-reader.ts),
// else the raw files are parsed once in full into a new cache and read back from it, so the first
// run and every later one (sweep paths, worker threads) replay the same checked blocks. Caching
// changes nothing a run reports: when the cache cannot be written (no directory, a read-only
// disk) or the raw files do not parse to the end, the raw files are read as before, lazily, with
// the same errors at the same lines (docs/0080-parsed-replay-cache.md).
import { refuseRepeat } from './refuse-repeat.ts';
import fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { toSteps } from '../core/model/decimal.ts';
import type { ExecEvent } from '../core/model/events.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { MarketModel, MarketSink } from '../sim/market/market-model.ts';
import { ReplayModel, type ReplaySource } from '../sim/market/replay-model.ts';
import { BinanceLineError, BinanceLineParser } from '../sim/replay/binance-messages.ts';
import { RecentTradeIds } from '../sim/replay/recent-trade-ids.ts';
import { importedReplaySource } from './imported-replay-source.ts';
import type { MarketSpec } from './market-schema.ts';
import { ReplayCacheInvalid, type CacheSourceFile, type ReplayGrid } from './replay-cache-format.ts';
import { defaultReplayCacheDir, replayCacheKey, replayCachePath } from './replay-cache-location.ts';
import { ReplayCacheWriter } from './replay-cache-writer.ts';
import { openReplayCache, type ReplayCache } from './replay-cache-reader.ts';
import { identifySourcesMemo } from './replay-sources.ts';
import { ReplayFileError, ReplayFileReader } from './replay-file.ts';
import { ReceiveOrder } from './receive-order.ts';

export interface ReplaySourceOptions {
  /** The cache directory; null turns caching off; absent: the environment's (defaultReplayCacheDir). */
  readonly cacheDir?: string | null;
  /** What names the grid's symbol, as a line for another symbol is refused with (the scenario's
   *  instrument.symbol when absent; a further instrument's replay names its own field). */
  readonly symbolField?: string;
}

/** How the messages are read: from a cache found, one written now, or the raw files (and why). */
export type ReplaySourceKind = 'cache-read' | 'cache-written' | 'raw-no-cache' | 'raw-unwritable' | 'raw-unparsed';

export interface OpenedReplaySource {
  readonly source: ReplaySource;
  readonly kind: ReplaySourceKind;
  /** The cache file read, when one was. */
  readonly cacheFile: string | null;
  /** Source files read in full to hash them for the key (0 when the memo knew them all). */
  readonly hashed: number;
}

/** The parser of a recording's lines on `grid`; `symbolField` names the grid's symbol. */
const lineParser = (grid: ReplayGrid, symbolField: string | undefined): BinanceLineParser =>
  new BinanceLineParser({
    tickSize: grid.tickSize,
    lotSize: grid.lotSize,
    ...(grid.symbol === null ? {} : { symbol: grid.symbol }),
    ...(symbolField === undefined ? {} : { symbolField }),
  });

/** The raw files parsed line by line as they are read (the replay's source without a cache). */
export function rawReplaySource(reader: ReplayFileReader, grid: ReplayGrid, symbolField?: string): ReplaySource {
  const parser = lineParser(grid, symbolField);
  const order = new ReceiveOrder();
  const tradeIds = new RecentTradeIds();
  return {
    next() {
      if (!reader.next()) {
        reader.close();
        return null;
      }
      let m;
      try {
        m = parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
      } catch (err) {
        if (err instanceof BinanceLineError) throw new ReplayFileError(`${reader.file}: ${err.message}`);
        throw err;
      }
      order.see(m.recvMs, reader.file, reader.lineNo);
      if (m.kind === 'trade') refuseRepeat(tradeIds, m.tradeId, reader);
      return m;
    },
  };
}

/** An error of the files or the disk (fall back to the raw files), not a bug (rethrown). */
function expected(e: unknown): boolean {
  return (
    e instanceof BinanceLineError ||
    e instanceof ReplayFileError ||
    e instanceof ReplayCacheInvalid ||
    (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string')
  );
}

export function openReplaySource(
  files: readonly string[],
  grid: ReplayGrid,
  options: ReplaySourceOptions = {},
): OpenedReplaySource {
  const reader = new ReplayFileReader(files); // refuses missing files and directories, as always
  const raw = (kind: ReplaySourceKind): OpenedReplaySource => ({
    source: rawReplaySource(kind === 'raw-no-cache' ? reader : new ReplayFileReader(files), grid, options.symbolField),
    kind,
    cacheFile: null,
    hashed,
  });
  let hashed = 0;
  const dir = options.cacheDir === undefined ? defaultReplayCacheDir() : options.cacheDir;
  if (dir === null) return raw('raw-no-cache');
  let sources: CacheSourceFile[];
  try {
    ({ sources, hashed } = identifySourcesMemo(files, dir));
  } catch (e) {
    if (!expected(e)) throw e;
    return raw('raw-unwritable'); // a file gone since it was checked: the raw reader says so
  }
  const key = replayCacheKey(sources, grid);
  const file = replayCachePath(dir, key);
  const open = (): ReplayCache => openReplayCache(file, { key });
  if (fs.existsSync(file)) {
    try {
      const cache = open();
      return { source: cache.messages(), kind: 'cache-read', cacheFile: file, hashed };
    } catch (e) {
      if (!(e instanceof ReplayCacheInvalid)) throw e;
      // not trusted: written again below, replacing it
    }
  }
  let writer: ReplayCacheWriter;
  try {
    writer = new ReplayCacheWriter(file, key, sources, grid);
  } catch (e) {
    if (!expected(e)) throw e;
    return raw('raw-unwritable');
  }
  const parser = lineParser(grid, options.symbolField);
  const order = new ReceiveOrder();
  const tradeIds = new RecentTradeIds();
  try {
    while (reader.next()) {
      const m = parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
      order.see(m.recvMs, reader.file, reader.lineNo);
      if (m.kind === 'trade') refuseRepeat(tradeIds, m.tradeId, reader);
      writer.add(m);
    }
  } catch (e) {
    writer.abort();
    reader.close();
    if (!expected(e)) throw e;
    return raw(e instanceof BinanceLineError || e instanceof ReplayFileError ? 'raw-unparsed' : 'raw-unwritable');
  }
  try {
    writer.finish();
    return { source: open().messages(), kind: 'cache-written', cacheFile: file, hashed };
  } catch (e) {
    if (!expected(e)) throw e;
    return raw('raw-unwritable');
  }
}

/** Replay files of a scenario, as absolute paths. */
function replayPaths(files: readonly string[], scenarioFile: string): string[] {
  return files.map((f) => resolve(dirname(scenarioFile), f));
}

export function buildReplayModel(
  m: Extract<MarketSpec, { model: 'replay' }>,
  scenarioFile: string,
  clock: Clock,
  inst: Instrument,
  sink: MarketSink,
  record: (event: ExecEvent) => void,
  runMs?: number,
  cache: ReplaySourceOptions = {},
): MarketModel {
  const grid = { tickSize: inst.tickSize, lotSize: m.dataLotSize, symbol: inst.symbol };
  const paths = replayPaths(m.files, scenarioFile);
  // Tardis or archive files are read by their own sources; recorded lines through the cache.
  const source = importedReplaySource(m, paths, inst, cache.symbolField) ?? openReplaySource(paths, grid, cache).source;
  const lotsPerDataLot = toSteps(inst.lotSize, m.dataLotSize);
  return new ReplayModel(
    clock,
    sink,
    source,
    (e) => {
      if (e.kind === 'gap')
        record({ kind: 'MarketDataGap', expectedId: e.gap.expectedId, gotId: e.gap.gotId, lastId: e.gap.lastId });
      else if (e.kind === 'snapshot') record({ kind: 'MarketDataRebuilt', lastUpdateId: e.lastUpdateId });
      else if (e.kind === 'stats') record({ kind: 'ReplayStats', ...e.stats });
      else record({ kind: 'MarketDataEnded', messages: e.messages });
    },
    { lotsPerDataLot, ...(runMs === undefined ? {} : { runMs }) },
  );
}
