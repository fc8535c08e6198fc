// A replay source over Binance's public trade archives (daily trades or aggTrades, as .zip or
// .csv), read in the order given as one tape (a day per file), with a book synthesized around it
// by a stated model (tape-book.ts): the archives recorded no depth. A trade's time is its receive
// time (the archives have no other); times must never go back, within a file or from one to the
// next. A row it cannot read stops the run with its file and line. The archives name no symbol,
// so nothing checks that the files are the instrument's.
import { toSteps } from '../core/model/decimal.ts';
import type { ReplaySource } from '../sim/market/replay-model.ts';
import { ArchiveRowParser, archiveLayout, type ArchiveTrade } from '../sim/replay/archive-rows.ts';
import type { BinanceMessage } from '../sim/replay/binance-message-types.ts';
import { CsvRowError } from '../sim/replay/csv-fields.ts';
import { stepGrid } from '../sim/replay/decimal-scan.ts';
import { usToMs } from '../sim/replay/tardis-assembler.ts';
import type { LineSource } from '../sim/replay/tardis-row-stream.ts';
import { TapeBook, type TapeTrade } from '../sim/replay/tape-book.ts';
import { ReplayFileError, ReplayFileReader } from './replay-file.ts';
import type { ImportGrid } from './tardis-source.ts';
import { ZipLines } from './zip-lines.ts';

/** The synthesized book: quantity per level (decimals), best first, and its spread and spacing. */
export interface ArchiveBookSpec {
  readonly depth: readonly string[];
  readonly spreadTicks: number;
  readonly levelSpacingTicks: number;
}

export interface ArchiveSource extends ReplaySource {
  notes(): string[];
}

const decoder = new TextDecoder();

export function archiveSource(files: readonly string[], grid: ImportGrid, book: ArchiveBookSpec): ArchiveSource {
  const tick = stepGrid(grid.tickSize);
  const lot = stepGrid(grid.lotSize);
  let fileIndex = -1;
  let lines: (LineSource & { close(): void }) | null = null;
  let parser: ArchiveRowParser | null = null;
  let lastUs = -1;
  let rows = 0;
  const kinds = new Set<string>();
  const trades = {
    next(): TapeTrade | null {
      while (true) {
        if (lines === null) {
          if (++fileIndex >= files.length) return null;
          const file = files[fileIndex] as string;
          lines = file.endsWith('.zip') ? new ZipLines(file) : new ReplayFileReader([file]);
          parser = null;
        }
        if (!lines.next()) {
          lines.close();
          lines = null;
          continue;
        }
        const at = `${lines.file}: line ${lines.lineNo}`;
        if (parser === null) {
          const layout = archiveLayout(decoder.decode(lines.bytes.subarray(lines.start, lines.end)));
          if (typeof layout === 'string') throw new ReplayFileError(`${at}: ${layout}`);
          parser = new ArchiveRowParser(layout, tick, lot);
          kinds.add(layout.kind);
          if (layout.header) continue;
        }
        let t: ArchiveTrade;
        try {
          t = parser.parse(lines.bytes, lines.start, lines.end);
        } catch (err) {
          if (err instanceof CsvRowError) throw new ReplayFileError(`${at}: ${err.problem}`);
          throw err;
        }
        if (t.timeUs < lastUs)
          throw new ReplayFileError(
            `${at}: time ${t.timeUs} µs is before the trade before it (${lastUs} µs): give the days in order`,
          );
        lastUs = t.timeUs;
        rows++;
        return {
          recvMs: usToMs(t.timeUs),
          tradeId: t.tradeId,
          price: t.price,
          qty: t.qty,
          buyerIsMaker: t.buyerIsMaker,
        };
      }
    },
  };
  let depth: number[];
  try {
    depth = book.depth.map((q) => toSteps(q, grid.lotSize));
  } catch (err) {
    throw new ReplayFileError(`book.depth: ${(err as Error).message}`);
  }
  const tape = new TapeBook(trades, {
    depth,
    spreadTicks: book.spreadTicks,
    levelSpacingTicks: book.levelSpacingTicks,
  });
  return {
    next: (): BinanceMessage | null => tape.next(),
    notes: () => [
      `archives: ${[...kinds].join(', ')}; ${rows.toLocaleString('en-US')} trades`,
      `book synthesized around each trade: ${book.depth.length} levels a side, ${book.spreadTicks} tick spread, ` +
        `${book.levelSpacingTicks} tick spacing (no recorded depth)`,
    ],
  };
}
