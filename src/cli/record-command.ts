// `execsim record`: the market stream recorder (src/live/binance/stream-recorder.ts) as a
// command: flags checked, the recorder started (a venue it cannot reach at the start is bad
// input), then recording until SIGINT/SIGTERM (until-stopped.ts) or --duration, and a summary.
import { parseDurationMs } from '../core/model/time-fields.ts';
import { StreamRecorder } from '../live/binance/stream-recorder.ts';
import { parseCommand, parseCount, UsageError, type Io } from './io.ts';
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
  if (!/^[A-Z0-9]{2,20}$/.test(values.symbol))
    throw new UsageError(
      `--symbol must be the venue's symbol in capitals (BTCUSDT), got "${values.symbol}"`,
      RECORD_USAGE,
    );
  if (values.out === undefined) throw new UsageError('--out DIR is required', RECORD_USAGE);
  const restUrl = baseUrl('--venue', values.venue ?? 'https://api.binance.com', ['http:', 'https:']);
  const streamUrl = baseUrl('--streams', values.streams ?? 'wss://stream.binance.com:9443', ['ws:', 'wss:']);
  const depthLimit =
    values['depth-limit'] === undefined
      ? 1000
      : parseCount('--depth-limit', values['depth-limit'], 5, 5000, RECORD_USAGE);
  const snapshotEveryMs =
    values['snapshot-every'] === undefined ? 3_600_000 : duration('--snapshot-every', values['snapshot-every'], true);
  const stopAfter = values.duration === undefined ? null : duration('--duration', values.duration, false);
  const recorder = new StreamRecorder({
    restUrl,
    streamUrl,
    symbol: values.symbol,
    outDir: values.out,
    depthLimit,
    snapshotEveryMs,
    log: (line) => io.out(`execsim record: ${line}`),
  });
  try {
    await recorder.start();
  } catch (err) {
    throw new UsageError((err as Error).message, RECORD_USAGE);
  }
  const ended = new AbortController();
  const timer = stopAfter === null ? null : setTimeout(() => ended.abort(), stopAfter);
  await untilStopped(io, 'execsim record', ended.signal);
  if (timer !== null) clearTimeout(timer);
  const s = await recorder.stop();
  io.out(
    `execsim record: stopped: ${s.depth} depth diffs, ${s.bookTicker} bookTicker, ${s.trade} trades, ` +
      `${s.snapshots} snapshots, ${s.gaps} gaps, ${s.reconnects} reconnects; files: ${s.files.join(', ') || 'none'}`,
  );
  return 0;
}
