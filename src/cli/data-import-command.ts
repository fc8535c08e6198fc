// `execsim data import`: converts market data files into a raw recording (gzip of
// `<receive time ns> <raw JSON>` lines, the bundled recording's format), checking every row as
// the replay would, so what any importer reads replays, and is shared, like a recording. A
// raw recording given as input is checked line by line and copied as it is. Streams in bounded
// memory: a chunk of input per file, a chunk of compressed output.
import fs from 'node:fs';
import path from 'node:path';
import { parseDecimal, toSteps } from '../core/model/decimal.ts';
import {
  IMPORT_FORMATS,
  type ImportFormat,
  importRecording,
  type ImportSummary,
  temporaryOutputs,
} from '../scenario/import-recording.ts';
import { pidAlive } from '../store/run-state.ts';
import { type ArchiveBarSpec, type ArchiveBookSpec, DEFAULT_BAR_SPEC } from '../scenario/archive-source.ts';
import { ReplayFileError } from '../scenario/replay-file.ts';
import { parseCommand, InputRefused, statOrNone, UsageError, type Io } from './io.ts';
import { groupedDigits } from '../core/model/count-text.ts';

export const DATA_IMPORT_USAGE =
  'usage: execsim data import --from tardis|binance-archive|binance-raw FILE... --out FILE.gz --symbol S --tick-size T';
export const DATA_IMPORT_HELP = `${DATA_IMPORT_USAGE} [--lot-size L] [--force]
Converts market data files into a raw recording (gzip of "<receive time ns> <raw JSON>" lines,
the format of scenarios/data/binance-spot/), which a scenario replays with market.model replay.
  --from tardis           Tardis.dev CSV datasets (incremental_book_L2 or book_snapshot_N,
                          trades, quotes; gzipped or plain), any mix, merged by local time
  --from binance-archive  Binance's public archives: daily trades, aggTrades or klines (.zip or
                          .csv); the book is synthesized around the tape, and a kline archive's
                          tape inside its bars (docs/0081-imported-market-data.md, docs/0083-kline-bars-market.md)
  --from binance-raw      a raw recording: every line checked, copied as it is; its depth
                          sequence followed as a replay would, its receive times' order checked
                          (a file starting before the one before it ended is refused)
  --out FILE              the recording to write (gzip when it ends in .gz, else plain text);
                          a file already there is refused without --force
  --force                 replace the file at --out (once the import is finished)
  --symbol S              the instrument's symbol; every row must be for it
  --tick-size T           price tick (0.01): every price must be on it
  --lot-size L            quantity precision of the data (default 0.00000001, Binance's)
  --book-depth Q,Q,...    binance-archive: quantity per level of the synthesized book, best first
  --spread-ticks N        binance-archive: its spread in ticks (default 1)
  --level-spacing N       binance-archive: ticks between its levels (default 1)
  --trades-per-bar N      klines: most trades synthesized inside a bar (default 20)
  --bar-seed N            klines: the seed of the bar model's draws (default 1)
  -h, --help              this help
Prints what was read and what the checks found. Exit codes: 0, 2 bad input (a bad flag, with
the usage; a row that cannot be read, named by file and line, without it).`;

const OPTIONS = {
  from: { type: 'string' },
  out: { type: 'string' },
  symbol: { type: 'string' },
  'tick-size': { type: 'string' },
  'lot-size': { type: 'string', default: '0.00000001' },
  'book-depth': { type: 'string' },
  'spread-ticks': { type: 'string', default: '1' },
  'level-spacing': { type: 'string', default: '1' },
  'trades-per-bar': { type: 'string' },
  'bar-seed': { type: 'string' },
  force: { type: 'boolean', default: false },
} as const;

/** `execsim data import ...` (args after `import`). */
export function dataImportCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parseCommand(args, OPTIONS, DATA_IMPORT_USAGE);
  if (values.help) {
    io.out(DATA_IMPORT_HELP);
    return 0;
  }
  const from = values.from as ImportFormat | undefined;
  if (from === undefined || !IMPORT_FORMATS.includes(from))
    throw new UsageError(`--from must be one of ${IMPORT_FORMATS.join(', ')}`, DATA_IMPORT_USAGE);
  for (const flag of ['out', 'symbol', 'tick-size'] as const)
    if (values[flag] === undefined) throw new UsageError(`--${flag} is required`, DATA_IMPORT_USAGE);
  if (positionals.length === 0) throw new UsageError('no input files given', DATA_IMPORT_USAGE);
  if (values.symbol === '')
    throw new UsageError("--symbol: empty; name the data's symbol (BTCUSDT)", DATA_IMPORT_USAGE);
  checkOutPath(values.out as string, positionals);
  const grid = {
    tickSize: values['tick-size'] as string,
    lotSize: values['lot-size'],
    symbol: (values.symbol as string).toUpperCase(),
    symbolField: '--symbol',
  };
  for (const [flag, step] of [
    ['--tick-size', grid.tickSize],
    ['--lot-size', grid.lotSize],
  ] as const) {
    let steps = 0;
    try {
      steps = toSteps(step, step);
    } catch {
      // not a decimal: refused below
    }
    if (steps !== 1 || step.startsWith('-') || Number(step) === 0)
      throw new UsageError(`${flag} ${step} must be a positive decimal`, DATA_IMPORT_USAGE);
  }
  const out = values.out as string;
  const book = archiveBook(from, values);
  const bars = archiveBars(from, values);
  // Once the command line is known good: a file already at --out is replaced only with --force.
  if (statOrNone(out) !== undefined && !values.force)
    throw new InputRefused(`--out ${out}: the file exists; give --force to replace it (nothing was written)`);
  // What imports to the same output killed before they finished left beside it.
  for (const t of temporaryOutputs(out)) if (!pidAlive(t.pid)) fs.rmSync(t.file, { force: true });
  let r: ImportSummary;
  try {
    r = importRecording(from, positionals, grid, out, book, bars);
  } catch (err) {
    // A row that cannot be read (a ReplayFileError) is said as it is, without the usage: the
    // command line was right, the data is not.
    const e = err as NodeJS.ErrnoException;
    // Checked above; what is left is the folder refusing the write (permissions, a full disk).
    if (!(err instanceof ReplayFileError) && typeof e.code === 'string' && typeof e.syscall === 'string')
      throw new InputRefused(`--out ${out}: cannot write it (${e.code})`);
    throw err;
  }
  const { counts, first, last, bytes } = r;
  const total = counts.snapshot + counts.depth + counts.bbo + counts.trade;
  const span = total === 0 ? 'no data' : `${new Date(first).toISOString()} to ${new Date(last).toISOString()}`;
  const n = groupedDigits;
  io.out(
    `imported ${n(total)} messages from ${positionals.length} file(s) into ${out} ` +
      `(${n(bytes)} bytes): ${n(counts.snapshot)} snapshots, ${n(counts.depth)} depth diffs, ` +
      `${n(counts.bbo)} best bid/offers, ${n(counts.trade)} trades; receive times ${span}`,
  );
  for (const note of r.notes) io.out(`  ${note}`);
  return 0;
}

/** --out must name a file in a folder that exists (none is created), and not one of the inputs
 *  (it is replaced only once the import is finished, but the input would be gone then); a file
 *  already there is replaced only with --force (an earlier import, or data, lost otherwise). */
function checkOutPath(out: string, inputs: readonly string[]): void {
  const bad = (problem: string): never => {
    throw new UsageError(`--out ${out}: ${problem}`, DATA_IMPORT_USAGE);
  };
  if (out === '') throw new UsageError('--out: an empty path; name the file to write', DATA_IMPORT_USAGE);
  const target = statOrNone(out);
  if (target?.isDirectory() || /[\\/]$/.test(out)) bad('is a folder; name the file to write');
  const folder = statOrNone(path.dirname(out));
  if (folder === undefined) bad(`the folder ${path.dirname(out)} does not exist`);
  if (!folder?.isDirectory()) bad(`${path.dirname(out)} is not a folder`);
  if (target === undefined) return;
  for (const input of inputs) {
    const st = statOrNone(input);
    if (st !== undefined && st.dev === target.dev && st.ino === target.ino)
      bad('is one of the input files; name another file to write');
  }
}

const MAX_BOOK_LEVELS = 200;
const MAX_BOOK_TICKS = 1_000_000;

/** The synthesized book's flags for binance-archive (required there, refused elsewhere). */
function archiveBook(
  from: ImportFormat,
  values: { 'book-depth'?: string; 'spread-ticks': string; 'level-spacing': string },
): ArchiveBookSpec | null {
  if (from !== 'binance-archive') {
    if (values['book-depth'] !== undefined)
      throw new UsageError('--book-depth is for --from binance-archive only', DATA_IMPORT_USAGE);
    return null;
  }
  if (values['book-depth'] === undefined)
    throw new UsageError('--book-depth is required: a trade archive recorded no book', DATA_IMPORT_USAGE);
  const ticks = (flag: 'spread-ticks' | 'level-spacing') => {
    const v = Number(values[flag]);
    if (!/^\d+$/.test(values[flag]) || v < 1 || v > MAX_BOOK_TICKS)
      throw new UsageError(
        `--${flag} ${values[flag]} must be a whole number of ticks, from 1 to ${groupedDigits(MAX_BOOK_TICKS)}`,
        DATA_IMPORT_USAGE,
      );
    return v;
  };
  // The limits a scenario's market.book has (market-schema.ts): a level's quantity above zero.
  const depth = values['book-depth'].split(',');
  if (depth.length > MAX_BOOK_LEVELS)
    throw new UsageError(`--book-depth: ${depth.length} levels, at most ${MAX_BOOK_LEVELS}`, DATA_IMPORT_USAGE);
  for (const q of depth)
    if (!aboveZero(q))
      throw new UsageError(
        `--book-depth: "${q}" is not a quantity above zero (Q,Q,... best first, like 0.5,1,2)`,
        DATA_IMPORT_USAGE,
      );
  return {
    depth,
    spreadTicks: ticks('spread-ticks'),
    levelSpacingTicks: ticks('level-spacing'),
  };
}

/** The bar model's flags (kline archives; absent: the model's defaults). */
function archiveBars(
  from: ImportFormat,
  values: { 'trades-per-bar'?: string; 'bar-seed'?: string },
): ArchiveBarSpec | undefined {
  const per = values['trades-per-bar'];
  const seed = values['bar-seed'];
  if (per === undefined && seed === undefined) return undefined;
  if (from !== 'binance-archive')
    throw new UsageError('--trades-per-bar and --bar-seed are for --from binance-archive klines', DATA_IMPORT_USAGE);
  const whole = (flag: string, text: string | undefined, min: number, max: number, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
      throw new UsageError(`--${flag} ${text} must be a whole number from ${min} to ${max}`, DATA_IMPORT_USAGE);
    return Number(text);
  };
  return {
    tradesPerBar: whole('trades-per-bar', per, 1, 10_000, DEFAULT_BAR_SPEC.tradesPerBar),
    seed: whole('bar-seed', seed, 0, 0xffff_ffff, DEFAULT_BAR_SPEC.seed),
  };
}

/** Whether `text` is a decimal number above zero (no exponent). */
function aboveZero(text: string): boolean {
  try {
    return text.trim() === text && parseDecimal(text).mantissa > 0n;
  } catch {
    return false;
  }
}
