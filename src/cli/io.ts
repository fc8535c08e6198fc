// What every `execsim` command shares: where output goes (Io, so tests can run commands in
// process), usage errors (exit 2, with the command's usage), flag parsing with --help, and the
// database path. The process's own Io is the only reader of process.env and installer of
// signal handlers.
import { statSync, type Stats } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestKey } from '../scenario/issue-text.ts';
import { watchLauncher } from './launcher-watch.ts';
import { DEFAULT_DB_PATH, StoreError } from '../store/open-database.ts';

/** Where a progress line goes: a terminal's stderr, or nowhere (null). */
export interface ProgressSink {
  write(text: string): void;
  readonly columns: number;
  /** Wall ms between redraws (default the run's 200): a test draws at every step with 0. */
  readonly everyMs?: number;
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
  /** Ends the process with `code` shortly after the command returns, if something still keeps
   *  it alive then (a queue client's timers, left running when Redis stopped answering while it
   *  closed). Absent: nothing (tests in process). */
  readonly exitSoon?: (code: number) => void;
  /** Calls `handler` once the npm process that started this one (npx, npm exec, npm run) is gone
   *  (launcher-watch.ts); returns the function that stops watching. Absent: not watched (tests in
   *  process). */
  readonly onLauncherGone?: (handler: () => void) => () => void;
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
  // Unreferenced: a process that ends by itself is not held up; a second is time enough to
  // flush what the command wrote.
  exitSoon: (code) => void setTimeout(() => process.exit(code), 1_000).unref(),
  onLauncherGone: (handler) => watchLauncher(process.env, handler),
};

/** Bad input in what a file holds or where a command is pointed (a row that cannot be read, a
 *  file already at the output path, no such cache), not in how the command was typed: exit 2,
 *  the message alone, since the usage would not help. */
export class InputRefused extends Error {}

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

/** Parses a command's flags (strict: an unknown flag is a UsageError with the command's usage,
 *  naming the flag it most likely meant among its own and `related`: those another form of the
 *  command takes, as a local sweep's --queue); --help / -h is added to every command. */
export function parseCommand<O extends Options>(
  args: readonly string[],
  options: O,
  usage: string,
  related: readonly string[] = [],
) {
  const joined = joinNegativeValues(args, options);
  let parsed;
  try {
    parsed = parseArgs({
      args: joined,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    throw new UsageError(
      valueProblem(err, joined) ?? argsProblem(err) + optionHint(err, [...Object.keys(options), ...related]),
      usage,
    );
  }
  const repeated = repeatedValue(parsed.tokens, options);
  if (repeated !== null) throw new UsageError(repeated, usage);
  const { tokens: _tokens, ...rest } = parsed;
  return rest;
}

/** One token of parseArgs' (an option's name and its value, if it took one; a positional's value). */
interface ArgToken {
  readonly kind: string;
  readonly name?: string | undefined;
  readonly value?: string | undefined;
}

/**
 * A flag that takes one value given twice with different values (`--seed 1 --seed 2`): parseArgs
 * keeps the last, so a run would quietly ignore the first. Said instead, naming both; the same
 * value twice, or a switch twice, means one thing and passes. Flags that take several values
 * (`--grid`, `--kind`) are declared `multiple` and never refused here.
 */
function repeatedValue(tokens: readonly ArgToken[], options: Options): string | null {
  const seen = new Map<string, string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined || t.value === undefined) continue;
    const o = options[t.name];
    if (o === undefined || o.type !== 'string' || o.multiple === true) continue;
    const before = seen.get(t.name);
    if (before !== undefined && before !== t.value)
      return `--${t.name} is given twice ("${before}", then "${t.value}"): give it once`;
    seen.set(t.name, t.value);
  }
  return null;
}

/** ` (did you mean X?)` naming the candidate `word` most likely meant (the scenario loader's
 *  measure: same letters ignoring case, or at most a third of them off), or nothing. `show`
 *  writes the candidate as the message names it (quoted, or as a flag). */
export function didYouMean(word: string, candidates: readonly string[], show = (c: string) => `"${c}"`): string {
  const near = closestKey(word, candidates);
  return near === null ? '' : ` (did you mean ${show(near)}?)`;
}

/** The suggestion for an unknown long option (`--sed`: the command's --seed), or nothing. */
function optionHint(err: unknown, names: readonly string[]): string {
  if ((err as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const flag = /^Unknown option '--([^'=]+)/.exec((err as Error).message)?.[1];
  return flag === undefined ? '' : didYouMean(flag, [...names, 'help'], (n) => `--${n}`);
}

/** A negative number (-1, -2.5, -.5) is never one of our flags. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/** `--from -1` as `--from=-1`. parseArgs refuses an argument that starts with a dash as the value
 *  of the flag before it ("ambiguous": it may be a flag, the value forgotten); a negative number
 *  is never a flag, so it is joined to its flag, and the command's own check of the value then
 *  names the flag and what it takes. Short flags are written long; nothing after `--` changes. */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const byShort = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name]] : [])));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (arg === '--') return out.concat(args.slice(i));
    const name = arg.startsWith('--') ? arg.slice(2) : /^-[^-]$/.test(arg) ? byShort.get(arg.slice(1)) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A flag that takes a value followed by another flag (`--limit --json`): parseArgs calls it
 *  ambiguous; this says what is missing. Null for any other problem. */
function valueProblem(err: unknown, args: readonly string[]): string | null {
  if ((err as { code?: unknown }).code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return null;
  const flag = /^Option '(-[^']*)' argument is ambiguous/.exec((err as Error).message)?.[1];
  if (flag === undefined) return null;
  const at = args.findIndex((a, i) => a === flag && args[i + 1]?.startsWith('-'));
  const next = at < 0 ? undefined : args[at + 1];
  if (next === undefined) return null;
  return `${flag} needs a value, but "${next}" follows it (write ${flag}=VALUE for a value that starts with a dash)`;
}

/** node:util parseArgs' message on one line, without its advice on positionals, in the words of
 *  the CLI's other messages: a missing value as "--db needs a value", anything else starting
 *  lower-case ("unknown option '--x'", not parseArgs' "Unknown option"). */
export function argsProblem(err: unknown): string {
  const message = (err as Error).message.replace(/\. To specify a positional.*$/s, '').replace(/\s*\n\s*/g, ' ');
  const missing = /^Option '(?:-\w, )?(-[^' ]+)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  return message.charAt(0).toLowerCase() + message.slice(1);
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
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: "${text}" is not a whole number (it takes ${range})`, usage);
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

/** What is at `path`, or undefined when nothing is: missing, or under a file (`file.csv/x`, which
 *  statSync's throwIfNoEntry does not cover). Other errors (permissions) are thrown. */
export function statOrNone(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
