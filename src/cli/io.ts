// What every `execsim` command shares: where output goes (Io, so tests can run commands in
// process), usage errors (exit 2, with the command's usage), flag parsing with --help, and the
// database path. The process's own Io is the only reader of process.env and installer of
// signal handlers.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_DB_PATH, StoreError } from '../store/open-database.ts';

/** Where a progress line goes: a terminal's stderr, or nowhere (null). */
export interface ProgressSink {
  write(text: string): void;
  readonly columns: number;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Progress display for long runs; absent or null: none (stderr is not a terminal, tests). */
  readonly progress?: ProgressSink | null;
  /** Calls `handler` with the signal's name on SIGINT, SIGTERM or SIGHUP; returns the function
   *  that removes the handlers. Absent: signals are not handled (tests in process). */
  readonly onInterrupt?: (handler: (signal: InterruptSignalName) => void) => () => void;
}

export type InterruptSignalName = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** The conventional exit code of a process stopped by a signal: 128 + its number. */
export const SIGNAL_EXIT: Record<InterruptSignalName, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export const processIo: Io = {
  out: (t) => process.stdout.write(t + '\n'),
  err: (t) => process.stderr.write(t + '\n'),
  env: process.env,
  progress: process.stderr.isTTY
    ? { write: (t) => void process.stderr.write(t), columns: process.stderr.columns || 80 }
    : null,
  onInterrupt: (handler) => {
    // Once each: a second Ctrl-C while the first is handled ends the process the default way.
    const names: InterruptSignalName[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const listeners = names.map((name) => {
      const listener = (): void => handler(name);
      process.once(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) process.removeListener(name, listener);
    };
  },
};

/** Bad input: exit 2, the message and the usage (the command's, when it has one). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags (strict: an unknown flag is a UsageError with the command's usage);
 *  --help / -h is added to every command. */
export function parseCommand<O extends Options>(args: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(argsProblem(err), usage);
  }
}

/** node:util parseArgs' message on one line, without its advice on positionals. */
export function argsProblem(err: unknown): string {
  return (err as Error).message.replace(/\. To specify a positional.*$/s, '').replace(/\s*\n\s*/g, ' ');
}

/** A --seed value: a whole number from 0 to 2^53 - 1 (the seeded Rng takes any safe integer);
 *  a bad one is a UsageError with `usage` (the command's). */
export function parseSeed(text: string, usage?: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--seed: "${text}" is not a non-negative integer`, usage);
  if (BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(`--seed: ${text} is above the maximum seed ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`, usage);
  }
  return Number(text);
}

/** A flag that takes a whole number from `min` to `max`. */
export function parseCount(flag: string, text: string, min: number, max: number, usage: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: "${text}" is not a whole number`, usage);
  if (BigInt(text) < BigInt(min) || BigInt(text) > BigInt(max))
    throw new UsageError(`${flag}: ${text} is not from ${min} to ${max}`, usage);
  return Number(text);
}

/** The database: --db, else $EXECSIM_DB, else the default. An empty path is refused: SQLite
 *  opens it as a private temporary database, so a run stored there is gone at exit. */
export function dbPath(flag: string | undefined, io: Io): string {
  if (flag === '') throw new StoreError('--db: an empty path; name the database file');
  const env = io.env['EXECSIM_DB'];
  if (flag === undefined && env === '')
    throw new StoreError('EXECSIM_DB is set but empty; name the database file, or unset it for the default');
  return flag ?? env ?? DEFAULT_DB_PATH;
}

export const DB_FLAG_HELP = `  --db PATH     the database (else $EXECSIM_DB, else ${DEFAULT_DB_PATH})`;
