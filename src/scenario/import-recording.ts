// Converts market data files into a raw recording (gzip of `<receive time ns> <raw JSON>` lines,
// the bundled recording's format): Tardis CSV datasets and Binance's archives (trades or klines)
// through their replay sources and the raw line writer, a raw recording line by line (checked,
// copied as it is, its depth sequence followed as a replay would, its receive times' order checked
// by receive-order.ts, a trade id given twice refused as the replay refuses it). Streams in
// bounded memory: a chunk of input per file, about 1 MiB of output at a time. A row that cannot be
// read is a ReplayFileError naming its file and line, and the output path is left as it was.
// `execsim data import` is its command.
import fs from 'node:fs';
import nodePath from 'node:path';
import { Gzip } from 'fflate';
import type { BinanceMessage } from '../sim/replay/binance-message-types.ts';
import { BinanceLineError, BinanceLineParser } from '../sim/replay/binance-messages.ts';
import { CrossedDiffs } from '../sim/replay/crossed-diffs.ts';
import { ReceiveOrder } from './receive-order.ts';
import { RecentTradeIds } from '../sim/replay/recent-trade-ids.ts';
import { refuseRepeat } from './refuse-repeat.ts';
import { groupedDigits as n } from '../core/model/count-text.ts';
import { RawLineWriter } from '../sim/replay/raw-line-writer.ts';
import { type ArchiveBarSpec, type ArchiveBookSpec, archiveSource } from './archive-source.ts';
import { ReplayFileError, ReplayFileReader } from './replay-file.ts';
import { type ImportGrid, tardisSource } from './tardis-source.ts';

export const IMPORT_FORMATS = ['tardis', 'binance-archive', 'binance-raw'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportSummary {
  readonly counts: { snapshot: number; depth: number; bbo: number; trade: number };
  /** First and last receive time written, ms (Infinity and -Infinity when nothing was). */
  readonly first: number;
  readonly last: number;
  /** Bytes written. */
  readonly bytes: number;
  /** What the source read and its checks found, a line each. */
  readonly notes: readonly string[];
}

export function importRecording(
  from: ImportFormat,
  positionals: readonly string[],
  grid: ImportGrid,
  out: string,
  book: ArchiveBookSpec | null = null,
  bars?: ArchiveBarSpec,
): ImportSummary {
  const counts = { snapshot: 0, depth: 0, bbo: 0, trade: 0 };
  const sink = outputFile(out);
  let first = Infinity;
  let last = -Infinity;
  let notes: readonly string[];
  try {
    if (from === 'binance-raw') {
      const reader = new ReplayFileReader(positionals);
      const parser = new BinanceLineParser(grid);
      const crossedDiffs = new CrossedDiffs(() => `${reader.file}: line ${reader.lineNo}`);
      const sync = crossedDiffs.sync;
      const order = new ReceiveOrder();
      const tradeIds = new RecentTradeIds();
      const read = new Set<string>();
      let crossed = 0;
      let firstCrossed = '';
      let firstGap = '';
      while (reader.next()) {
        let m: BinanceMessage;
        try {
          m = parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
        } catch (err) {
          if (err instanceof BinanceLineError) throw new ReplayFileError(`${reader.file}: ${err.message}`);
          throw err;
        }
        order.see(m.recvMs, reader.file, reader.lineNo);
        if (m.kind === 'trade') refuseRepeat(tradeIds, m.tradeId, reader);
        if (m.kind === 'snapshot') crossedDiffs.see(m);
        else if (m.kind === 'depth') {
          const gaps = sync.counts.gaps;
          crossedDiffs.see(m);
          if (gaps === 0 && sync.counts.gaps > 0) firstGap = `${reader.file}: line ${reader.lineNo}`;
        } else if (m.kind === 'bbo' && m.bid >= m.ask && crossed++ === 0)
          firstCrossed = `${reader.file}: line ${reader.lineNo}`;
        counts[m.kind]++;
        first = Math.min(first, m.recvMs);
        last = Math.max(last, m.recvMs);
        sink.write(reader.text());
        read.add(reader.file);
      }
      // A file with no line is no recording: refused rather than imported as nothing.
      const empty = positionals.find((f) => !read.has(f));
      if (empty !== undefined)
        throw new ReplayFileError(`${empty}: holds no rows (no line in it): there is nothing to import`);
      const c = sync.counts;
      notes = [
        `depth: ${n(c.applied)} diffs applied after ${n(c.snapshots)} snapshot(s), as a replay would; ` +
          `${n(c.gaps)} sequence gap(s)${c.gaps > 0 ? ` (first at ${firstGap}; each a rebuild at the next snapshot)` : ''}` +
          (c.skippedBeforeSnapshot > 0 ? `; ${n(c.skippedBeforeSnapshot)} diffs before the first snapshot` : ''),
        ...(crossed > 0
          ? [
              `${n(crossed)} crossed or locked bookTickers (first at ${firstCrossed}): left out by the replay (tickersInvalid)`,
            ]
          : []),
        ...crossedDiffs.note(),
        ...order.note(),
      ];
    } else {
      const source =
        from === 'tardis'
          ? tardisSource(positionals, grid, { bookChecks: true })
          : archiveSource(positionals, grid, archiveBook(book), bars);
      const writer = new RawLineWriter(grid);
      for (let m = source.next(); m !== null; m = source.next()) {
        counts[m.kind]++;
        if (m.recvMs < first) first = m.recvMs;
        if (m.recvMs > last) last = m.recvMs;
        sink.write(writer.line(m));
      }
      notes = source.notes();
    }
  } catch (err) {
    sink.abandon();
    throw err;
  }
  return { counts, first, last, bytes: sink.close(), notes };
}

interface OutputFile {
  write(line: string): void;
  /** Finishes the file; its size in bytes. */
  close(): number;
  /** Removes what was written (the input was refused). */
  abandon(): void;
}

/** Lines to `path`, gzip-compressed when it ends in .gz, written in chunks of about 1 MiB to a
 *  temporary file beside it, renamed over `path` when finished: a refused import leaves what was
 *  at `path` as it was (an earlier recording, or an input file given as the output by mistake). */
function outputFile(path: string): OutputFile {
  const tmp = temporaryOutput(path, process.pid);
  const fd = fs.openSync(tmp, 'w');
  let bytes = 0;
  const writeOut = (chunk: Uint8Array) => {
    bytes += chunk.length;
    fs.writeSync(fd, chunk);
  };
  // No time in the gzip header (mtime 0, as fflate leaves it then): the same input imports to the
  // same bytes, so the replay cache, keyed by the file's SHA-256, is not rebuilt for a re-import.
  const gzip = path.endsWith('.gz') ? new Gzip({ level: 6, mtime: 0 }, (chunk) => writeOut(chunk)) : null;
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = (final: boolean) => {
    const data = encoder.encode(pending.join(''));
    pending = [];
    pendingChars = 0;
    if (gzip !== null) gzip.push(data, final);
    else if (data.length > 0) writeOut(data);
  };
  return {
    write(line) {
      pending.push(line, '\n');
      pendingChars += line.length + 1;
      if (pendingChars >= 1 << 20) flush(false);
    },
    close() {
      try {
        flush(true);
        fs.closeSync(fd);
        fs.renameSync(tmp, path);
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw err;
      }
      return bytes;
    },
    abandon() {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
      fs.rmSync(tmp, { force: true });
    },
  };
}

/** The temporary file process `pid` writes an import to `out` through, beside it. */
const temporaryOutput = (out: string, pid: number): string =>
  nodePath.join(nodePath.dirname(out), `.${nodePath.basename(out)}.${pid}.tmp`);

/** The temporary files of imports to `out` beside it, with the processes that write them: one
 *  whose process is gone was left by an import killed by a signal (its synchronous work ends
 *  before any cleanup could run). */
export function temporaryOutputs(out: string): Array<{ readonly file: string; readonly pid: number }> {
  const prefix = `.${nodePath.basename(out)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(nodePath.dirname(out));
  } catch {
    return []; // the folder's own problem is named when the output is opened
  }
  return names.flatMap((name) => {
    const m = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    return m === null ? [] : [{ file: temporaryOutput(out, Number(m[1])), pid: Number(m[1]) }];
  });
}

function archiveBook(book: ArchiveBookSpec | null): ArchiveBookSpec {
  if (book === null) throw new ReplayFileError('a trade archive has no book: give the synthesized book (its depth)');
  return book;
}
