// `execsim record`: the market stream recorder (src/live/binance/stream-recorder.ts) as a
// command: flags checked, one recorder per symbol started (a venue it cannot reach at the start,
// or a symbol it does not trade, is bad input, and what the others started to record is removed),
// then recording until SIGINT/SIGTERM (until-stopped.ts) or --duration, and a summary per symbol.
import { rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { StreamRecorder } from '../live/binance/stream-recorder.ts';
import { pidAlive } from '../store/run-state.ts';
import { parseCommand, parseCount, InputRefused, statOrNone, UsageError, type Io } from './io.ts';
import { RECORD_HELP, RECORD_USAGE } from './record-help.ts';
import { untilStopped } from './until-stopped.ts';

function duration(flag: string, text: string, zeroOk: boolean): number {
  let ms: number;
  try {
    ms = parseDurationMs(text);
  } catch {
    throw new UsageError(`${flag} must be an ISO 8601 duration such as PT1H, got "${text}"`, RECORD_USAGE);
  }
  if (ms < 0 || (!zeroOk && ms === 0))
    throw new UsageError(`${flag} must be longer than zero, got "${text}"`, RECORD_USAGE);
  return ms;
}

function baseUrl(flag: string, text: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be a URL, got "${text}"`, RECORD_USAGE);
  }
  if (!schemes.includes(url.protocol))
    throw new UsageError(`${flag} must be a ${schemes.join(' or ')} URL, got "${text}"`, RECORD_USAGE);
  return text.replace(/\/+$/, '');
}

export async function recordCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      symbol: { type: 'string' },
      out: { type: 'string' },
      venue: { type: 'string' },
      streams: { type: 'string' },
      duration: { type: 'string' },
      'depth-limit': { type: 'string' },
      'snapshot-every': { type: 'string' },
    },
    RECORD_USAGE,
  );
  if (values.help) {
    io.out(RECORD_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`record takes no arguments, got "${positionals[0]}"`, RECORD_USAGE);
  if (values.symbol === undefined) throw new UsageError('--symbol S is required', RECORD_USAGE);
  const symbols = symbolList(values.symbol);
  if (values.out === undefined) throw new UsageError('--out DIR is required', RECORD_USAGE);
  const outDir = values.out;
  if (outDir === '') throw new UsageError('--out: an empty path; name the folder to record into', RECORD_USAGE);
  const missing = missingFolders(outDir);
  // The deepest part of the path that exists must be a folder (the rest is created).
  const under = missing.length === 0 ? resolve(outDir) : dirname(missing[missing.length - 1] as string);
  if (statOrNone(under)?.isDirectory() === false)
    throw new UsageError(
      `--out ${outDir}: ${missing.length === 0 ? 'not a folder' : `${under} is not a folder`}; name the folder to record into`,
      RECORD_USAGE,
    );
  const restUrl = baseUrl('--venue', values.venue ?? 'https://api.binance.com', ['http:', 'https:']);
  const streamUrl = baseUrl('--streams', values.streams ?? 'wss://stream.binance.com:9443', ['ws:', 'wss:']);
  const depthLimit =
    values['depth-limit'] === undefined
      ? 1000
      : parseCount('--depth-limit', values['depth-limit'], 5, 5000, RECORD_USAGE);
  const snapshotEveryMs =
    values['snapshot-every'] === undefined ? 3_600_000 : duration('--snapshot-every', values['snapshot-every'], true);
  const stopAfter = values.duration === undefined ? null : duration('--duration', values.duration, false);
  // With several symbols, each line and message names the symbol it is about.
  const named = (symbol: string): string => (symbols.length > 1 ? `${symbol}: ` : '');
  const recorders: StreamRecorder[] = [];
  for (const symbol of symbols) {
    const recorder = new StreamRecorder({
      restUrl,
      streamUrl,
      symbol,
      outDir,
      depthLimit,
      snapshotEveryMs,
      processAlive: pidAlive,
      log: (line) => io.out(`execsim record: ${named(symbol)}${line}`),
    });
    try {
      await recorder.start();
    } catch (err) {
      // The recorders already started keep nothing of this attempt (start() did the same for its own).
      for (const started of recorders) await started.abort();
      removeEmpty(missing);
      const e = err as NodeJS.ErrnoException;
      // The folder or a file in it cannot be made (permissions, a full disk): named as --out.
      // Both are refusals of what the flags name (a folder, a venue, a symbol), said without the usage.
      if (typeof e.code === 'string' && FILE_CALLS.has(e.syscall ?? ''))
        throw new InputRefused(`--out ${outDir}: cannot record into it (${e.code})`);
      const message = (err as Error).message;
      throw new InputRefused(`${symbols.length > 1 ? '--symbol ' : ''}${named(symbol)}${message}`);
    }
    recorders.push(recorder);
  }
  const ended = new AbortController();
  const timer = stopAfter === null ? null : setTimeout(() => ended.abort(), stopAfter);
  await untilStopped(io, 'execsim record', ended.signal);
  if (timer !== null) clearTimeout(timer);
  const stats = await Promise.all(recorders.map((r) => r.stop()));
  for (const [i, s] of stats.entries())
    io.out(
      `execsim record: ${named(symbols[i] as string)}stopped: ${s.depth} depth diffs, ` +
        `${s.bookTicker} bookTicker, ${s.trade} trades, ${s.snapshots} snapshots, ${s.gaps} gaps, ` +
        `${s.reconnects} reconnects; files: ${s.files.join(', ') || 'none'}`,
    );
  return 0;
}

/** `--symbol`: one symbol or several, comma-separated, each as the venue names it. */
function symbolList(text: string): string[] {
  const symbols = text.split(',');
  const seen = new Set<string>();
  for (const symbol of symbols) {
    if (!/^[A-Z0-9]{2,20}$/.test(symbol))
      throw new UsageError(
        symbols.length > 1
          ? `--symbol must list the venue's symbols in capitals, separated by commas (BTCUSDT,ETHUSDT), got "${symbol}" in "${text}"`
          : `--symbol must be the venue's symbol in capitals (BTCUSDT), got "${text}"`,
        RECORD_USAGE,
      );
    if (seen.has(symbol)) throw new UsageError(`--symbol names ${symbol} twice in "${text}"`, RECORD_USAGE);
    seen.add(symbol);
  }
  return symbols;
}

/** The file system calls a recorder's start makes in --out. */
const FILE_CALLS = new Set(['mkdir', 'open', 'write', 'rename', 'unlink', 'stat']);

/** The folders of `dir` that do not exist yet, itself first: those a recorder's start creates. */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); statOrNone(d) === undefined; d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  return missing;
}

/** Removes the folders a failed start created, deepest first, while they are empty: a refused
 *  start keeps nothing of its attempt (rmdir leaves a folder that is not empty, and stops here). */
function removeEmpty(folders: readonly string[]): void {
  for (const folder of folders) {
    try {
      rmdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
    }
  }
}
