// A replay source over Binance's public archives (daily trades or aggTrades, or klines, as .zip
// or .csv), read in the order given as one tape (a day per file), with a book synthesized around
// it by a stated model (tape-book.ts): the archives recorded no depth. A trade's time is its
// receive time (the archives have no other); times must never go back, within a file or from one
// to the next, and a trade id given twice is refused (recent-trade-ids.ts). Kline bars become
// trades by the bar model of bar-tape.ts; bars must follow each other (a bar opening before the
// one before closed is refused), and bars missing between two (a silence of the exchange, a day
// not given) are a gap the replay reports, with the book rebuilt after it. One market reads one
// kind: trades and klines are not mixed. A row it cannot read stops the run with its file and
// line. The archives name no symbol, so nothing checks that the files are the instrument's.
import { toSteps } from '../core/model/decimal.ts';
import type { ReplaySource } from '../sim/market/replay-model.ts';
import { ArchiveRowParser, archiveLayout, type ArchiveTrade } from '../sim/replay/archive-rows.ts';
import { BarTape } from '../sim/replay/bar-tape.ts';
import type { BinanceMessage } from '../sim/replay/binance-message-types.ts';
import { CsvRowError } from '../sim/replay/csv-fields.ts';
import { stepGrid } from '../sim/replay/decimal-scan.ts';
import { type KlineBar, type KlineLayout, klineLayout, KlineRowParser } from '../sim/replay/kline-rows.ts';
import { usToMs } from '../sim/replay/tardis-assembler.ts';
import type { LineSource } from '../sim/replay/tardis-row-stream.ts';
import { RecentTradeIds } from '../sim/replay/recent-trade-ids.ts';
import { TapeBook, type TapeTrade } from '../sim/replay/tape-book.ts';
import { ReplayFileError, ReplayFileReader } from './replay-file.ts';
import type { ImportGrid } from './tardis-source.ts';
import { ZipLines } from './zip-lines.ts';
import { groupedDigits } from '../core/model/count-text.ts';

/** The synthesized book: quantity per level (decimals), best first, and its spread and spacing. */
export interface ArchiveBookSpec {
  readonly depth: readonly string[];
  readonly spreadTicks: number;
  readonly levelSpacingTicks: number;
}

/** The trades synthesized inside kline bars (bar-tape.ts): at most so many a bar, and the seed. */
export interface ArchiveBarSpec {
  readonly tradesPerBar: number;
  readonly seed: number;
}

export const DEFAULT_BAR_SPEC: ArchiveBarSpec = { tradesPerBar: 20, seed: 1 };

export interface ArchiveSource extends ReplaySource {
  notes(): string[];
}

const decoder = new TextDecoder();

/** Why a file of `lines` that held no row is refused: empty, only its header, or a zip's one
 *  entry empty. */
function noRows(lines: LineSource, header: boolean): string {
  if (header) return 'holds no rows, only its header: there is nothing to replay';
  if (lines instanceof ZipLines)
    return `holds no rows (its one entry, ${lines.entry}, is empty): there is nothing to replay`;
  return 'holds no rows (the file is empty): there is nothing to replay';
}

export function archiveSource(
  files: readonly string[],
  grid: ImportGrid,
  book: ArchiveBookSpec,
  bars?: ArchiveBarSpec,
): ArchiveSource {
  const tick = stepGrid(grid.tickSize);
  const lot = stepGrid(grid.lotSize);
  const barSpec = bars ?? DEFAULT_BAR_SPEC;
  const barTape = new BarTape(barSpec);
  let fileIndex = -1;
  let lines: (LineSource & { close(): void }) | null = null;
  let parser: ArchiveRowParser | KlineRowParser | null = null;
  let lastUs = -1;
  let fileRows = 0;
  // A trade (or aggregate trade) id given twice would trade twice: refused, as Tardis's are.
  const tradeIds = new RecentTradeIds();
  let rows = 0;
  const kinds = new Set<string>();
  // Klines: the trades of the bar read last still to hand out, the bar before, the gaps.
  let pending: TapeTrade[] = [];
  let pendingAt = 0;
  let prevBar: KlineBar | null = null;
  let gapPending = false;
  const gaps = { count: 0, longestUs: 0 };
  const readBar = (bar: KlineBar, at: string): void => {
    if (prevBar !== null) {
      if (bar.openUs <= prevBar.closeUs)
        throw new ReplayFileError(
          `${at}: the bar opens at ${bar.openUs} µs, before the bar before it closed (${prevBar.closeUs} µs): give the days in order`,
        );
      // Consecutive bars are 1 µs (or, in millisecond files, 1 ms) apart: more is bars missing.
      const silentUs = bar.openUs - prevBar.closeUs - 1;
      if (silentUs >= 1000) {
        gaps.count++;
        gaps.longestUs = Math.max(gaps.longestUs, silentUs);
        gapPending = true;
      }
    }
    prevBar = bar;
    const trades = barTape.trades(bar);
    if (trades.length === 0) return;
    if (gapPending) {
      trades[0] = { ...(trades[0] as TapeTrade), gapBefore: true };
      gapPending = false;
    }
    pending = trades;
    pendingAt = 0;
  };
  const trades = {
    next(): TapeTrade | null {
      while (true) {
        if (pendingAt < pending.length) return pending[pendingAt++] as TapeTrade;
        if (lines === null) {
          if (++fileIndex >= files.length) return null;
          const file = files[fileIndex] as string;
          lines = file.endsWith('.zip') ? new ZipLines(file) : new ReplayFileReader([file]);
          parser = null;
          fileRows = 0;
        }
        if (!lines.next()) {
          // A file that holds no row (an empty file, only a header) is no day of data: refused
          // rather than replayed as nothing.
          lines.close();
          if (fileRows === 0) throw new ReplayFileError(`${files[fileIndex]}: ${noRows(lines, parser !== null)}`);
          lines = null;
          continue;
        }
        const at = `${lines.file}: line ${lines.lineNo}`;
        if (parser === null) {
          const first = decoder.decode(lines.bytes.subarray(lines.start, lines.end));
          const barLayout = klineLayout(first);
          const trades = barLayout === null ? archiveLayout(first) : null;
          if (typeof trades === 'string') throw new ReplayFileError(`${at}: ${trades}`);
          const kind = trades === null ? 'klines' : trades.kind;
          if (kinds.size > 0 && kinds.has('klines') !== (kind === 'klines'))
            throw new ReplayFileError(
              `${at}: a ${kind} archive after ${[...kinds].join(' and ')}: a market reads trades or klines, not both`,
            );
          if (bars !== undefined && kind !== 'klines')
            throw new ReplayFileError(`${at}: a ${kind} archive has its own trades: the bar model is for klines`);
          parser =
            trades === null
              ? new KlineRowParser(barLayout as KlineLayout, tick, lot)
              : new ArchiveRowParser(trades, tick, lot);
          kinds.add(kind);
          if (parser.layout.header) continue;
        }
        if (parser instanceof KlineRowParser) {
          let bar: KlineBar;
          try {
            bar = parser.parse(lines.bytes, lines.start, lines.end);
          } catch (err) {
            if (err instanceof CsvRowError) throw new ReplayFileError(`${at}: ${err.problem}`);
            throw err;
          }
          rows++;
          fileRows++;
          readBar(bar, at);
          continue;
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
        const repeat = tradeIds.repeat(t.tradeId, lines.file, lines.lineNo);
        if (repeat !== null) throw new ReplayFileError(repeat);
        rows++;
        fileRows++;
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
  const n = groupedDigits;
  const bookNote = (around: string) =>
    `book synthesized around ${around}: ${book.depth.length} levels a side, ${book.spreadTicks} tick spread, ` +
    `${book.levelSpacingTicks} tick spacing (no recorded depth)`;
  return {
    next: (): BinanceMessage | null => tape.next(),
    notes: () => {
      if (!kinds.has('klines'))
        return [`archives: ${[...kinds].join(', ')}; ${n(rows)} trades`, bookNote('each trade')];
      const c = barTape.counts;
      return [
        `archives: klines; ${n(c.bars)} bars (${n(c.empty)} without volume, ${n(c.thin)} too thin to trade ` +
          `their whole path), ${n(c.trades)} trades synthesized inside them`,
        `trades inside each bar: open, the nearer extreme, the other, close; up to ${barSpec.tradesPerBar} ` +
          `a bar, sizes adding up to its volume (seed ${barSpec.seed}; no real tape)`,
        `${n(gaps.count)} gap(s) between bars` +
          (gaps.count > 0 ? `, the longest ${(gaps.longestUs / 60e6).toFixed(1)} min (a gap and a rebuild each)` : ''),
        bookNote('each synthesized trade'),
      ];
    },
  };
}
