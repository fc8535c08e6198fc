// A replay source over Tardis.dev CSV files (gzipped or plain): each file's header says its
// dataset; the files of one dataset are read in the order given as one stream (a day per file),
// the datasets' streams are merged in local time order (merge-by-time.ts) and the assembler turns
// the rows into the replay's messages (tardis-assembler.ts). Memory is a chunk per file being
// read and one row per dataset. A row it cannot read stops the run with its file and line.
import { type BinanceMessage, stepGrid } from '../sim/replay/binance-messages.ts';
import { CrossedDiffs } from '../sim/replay/crossed-diffs.ts';
import { MergeByTime } from '../sim/replay/merge-by-time.ts';
import { TardisAssembler, type TardisChecks } from '../sim/replay/tardis-assembler.ts';
import { ImportedDataError, type LocatedRow, TardisRowStream } from '../sim/replay/tardis-row-stream.ts';
import { type TardisDataset, type TardisLayout, tardisLayout } from '../sim/replay/tardis-rows.ts';
import type { ReplaySource } from '../sim/market/replay-model.ts';
import { ReplayFileError, ReplayFileReader } from './replay-file.ts';

export interface ImportGrid {
  readonly tickSize: string;
  /** The data's quantity precision (the replay's dataLotSize). */
  readonly lotSize: string;
  readonly symbol: string;
  /** What names the symbol where it was given (`--symbol`), as a raw recording's line for another
   *  symbol is refused with (the scenario's instrument.symbol when absent). */
  readonly symbolField?: string;
}

export interface TardisSource extends ReplaySource {
  readonly checks: TardisChecks;
  /** The datasets read, in the order of their first file. */
  readonly datasets: readonly TardisDataset[];
  /** What was read and what the checks found, a line each (for the import command). */
  notes(): string[];
}

/** The header of a CSV file: its first non-empty line, and that line's number. */
export function csvHeader(file: string): { readonly text: string; readonly lineNo: number } {
  const reader = new ReplayFileReader([file], { wholeFileMaxBytes: 0 });
  try {
    if (!reader.next()) throw new ReplayFileError(`${file}: empty file, expected a CSV header`);
    return { text: reader.text(), lineNo: reader.lineNo };
  } finally {
    reader.close();
  }
}

/** What a source checks besides what every read checks. */
export interface TardisSourceOptions {
  /** Rebuild the incremental_book_L2 book as a replay does and count the depth diffs that leave
   *  it crossed or locked (crossed-diffs.ts): an import's check, which a replay, rebuilding the
   *  book itself, does without. */
  readonly bookChecks?: boolean;
}

export function tardisSource(
  files: readonly string[],
  grid: ImportGrid,
  options: TardisSourceOptions = {},
): TardisSource {
  const groups = new Map<TardisDataset, { layout: TardisLayout; files: string[] }>();
  for (const file of files) {
    const header = csvHeader(file);
    const layout = tardisLayout(header.text);
    if (typeof layout === 'string') throw new ReplayFileError(`${file}: line ${header.lineNo}: ${layout}`);
    const group = groups.get(layout.dataset);
    if (group === undefined) groups.set(layout.dataset, { layout, files: [file] });
    else group.files.push(file);
  }
  if (groups.has('incremental_book_L2') && groups.has('book_snapshot'))
    throw new ReplayFileError(
      `${groups.get('book_snapshot')?.files[0]}: a book_snapshot file with incremental_book_L2 files: ` +
        'the book comes from one of them, give either',
    );
  const g = {
    tick: stepGrid(grid.tickSize),
    lot: stepGrid(grid.lotSize),
    symbol: grid.symbol,
    ...(grid.symbolField === undefined ? {} : { symbolField: grid.symbolField }),
  };
  const streams = [...groups.values()].map(
    ({ layout, files: list }, i) => new TardisRowStream(new ReplayFileReader(list), layout, g, i),
  );
  // The merge reads each stream's first row as it is built: a first row that cannot be read is
  // bad input too, as any later one is (next, below).
  const assembler = imported(() => new TardisAssembler(new MergeByTime<LocatedRow>(streams, (r) => r.row.recvUs)));
  // book_snapshot_N's rows are each a whole top of book, each checked as a snapshot already.
  const crossedDiffs =
    options.bookChecks === true && groups.has('incremental_book_L2') ? new CrossedDiffs(() => assembler.where()) : null;
  return {
    checks: assembler.checks,
    datasets: [...groups.keys()],
    notes() {
      const c = assembler.checks;
      return [
        `datasets: ${[...groups.keys()].join(', ')}; rows: ${streams.map((s) => `${s.layout.dataset} ${s.rows}`).join(', ')}`,
        ...(c.reconnects > 0
          ? [`${c.reconnects} reconnects of the recorder (snapshots mid-file): each a gap and a rebuild`]
          : []),
        ...(c.crossedSnapshots > 0 ? [`${c.crossedSnapshots} crossed snapshots (first at ${c.firstCrossed})`] : []),
        ...(crossedDiffs?.note() ?? []),
        ...(c.oneSidedQuotes > 0 ? [`${c.oneSidedQuotes} quotes with an empty side left out`] : []),
        ...(c.crossedQuotes > 0
          ? [
              `${c.crossedQuotes} crossed or locked quotes (bid at or above ask; first at ${c.firstCrossedQuote}): ` +
                'kept, and left out by the replay (tickersInvalid)',
            ]
          : []),
        ...(c.inferredSides > 0 ? [`${c.inferredSides} trades of unknown side, decided by the tick rule`] : []),
      ];
    },
    next: (): BinanceMessage | null => {
      const m = imported(() => assembler.next());
      if (m !== null && crossedDiffs !== null) crossedDiffs.see(m);
      return m;
    },
  };
}

/** What `read` returns; a row it cannot read is a ReplayFileError (bad input, named by file and line). */
function imported<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ImportedDataError) throw new ReplayFileError(err.message);
    throw err;
  }
}
