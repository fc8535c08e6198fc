// The `execsim` command: run scenarios, list stored runs, show one run. Exit codes: 0 all runs
// finished and their expectations held, 1 an expectation failed or `show` found the stored run
// inconsistent (its log does not reproduce its digest, has a gap, or disagrees with its
// projections), 2 bad input (unknown command or flag, a bad scenario file, an unknown run id).
// Every scenario is validated before any run starts, so bad input writes nothing to the store.
// The only reader of process.env here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runScenario, type RunReport } from '../runtime/backtest-run.ts';
import { ReplayFileError } from '../runtime/replay-file.ts';
import { loadScenarioFile, ScenarioError, type LoadedScenario } from '../scenario/load-scenario.ts';
import { DEFAULT_DB_PATH, openDatabase } from '../store/open-database.ts';
import { RunStore } from '../store/run-store.ts';
import { verifyRun } from '../store/verify-run.ts';
import { formatReport, formatRunList } from './format-report.ts';
import { sweepCommand } from './sweep-command.ts';

export class UsageError extends Error {}

const USAGE = `usage:
  execsim run <file|dir...> [--seed N] [--db PATH] [--json]   run scenarios and print their reports
  execsim runs [--db PATH] [--json]                            list stored runs
  execsim show <runId> [--db PATH] [--json]                    print one stored run and verify it (log, digest, tables)
  execsim sweep <file> --paths N [--seed S] [--json]           Monte Carlo over N derived seeds; not stored (sweep --help)
The database is --db, else $EXECSIM_DB, else ${DEFAULT_DB_PATH}.`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t + '\n'),
  err: (t) => process.stderr.write(t + '\n'),
  env: process.env,
};

export function main(argv: readonly string[], io: Io = processIo): number {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'run':
        return runCommand(rest, io);
      case 'runs':
        return runsCommand(rest, io);
      case 'show':
        return showCommand(rest, io);
      case 'sweep':
        return sweepCommand(rest, io);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`execsim: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof ScenarioError || err instanceof ReplayFileError) {
      // One problem per line, each with the command's name.
      io.err(err.message.split('\n').map((line) => `execsim: ${line}`).join('\n'));
      return 2;
    }
    throw err;
  }
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(argsProblem(err));
  }
}

/** node:util parseArgs' message on one line, without its advice on positionals. */
export function argsProblem(err: unknown): string {
  return (err as Error).message.replace(/\. To specify a positional.*$/s, '').replace(/\s*\n\s*/g, ' ');
}

/** A --seed value: a whole number from 0 to 2^53 - 1 (the seeded Rng takes any safe integer). */
export function parseSeed(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--seed: "${text}" is not a non-negative integer`);
  if (BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(`--seed: ${text} is above the maximum seed ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`);
  }
  return Number(text);
}

const dbPath = (flag: string | undefined, io: Io): string => flag ?? io.env['EXECSIM_DB'] ?? DEFAULT_DB_PATH;

/** Every scenario of the paths validated, or one ScenarioError listing every bad path and file. */
function loadAll(paths: readonly string[]): LoadedScenario[] {
  const loaded: LoadedScenario[] = [];
  const problems: string[] = [];
  let bad = 0;
  const load = (file: string): void => {
    try {
      loaded.push(loadScenarioFile(file));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      problems.push(err.message);
      bad++;
    }
  };
  let files = 0; // files and unusable paths
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      problems.push(`${p}: no such file or directory`);
      bad++;
      files++;
      continue;
    }
    if (!isDir) {
      files++;
      load(p);
      continue;
    }
    const found = readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f));
    if (found.length === 0) {
      problems.push(`${p}: no .yaml scenario files in this directory`);
      bad++;
      files++;
    }
    files += found.length;
    found.forEach(load);
  }
  if (bad === 0) return loaded;
  if (files > 1) problems.push(`${bad} of ${files} scenario files are bad; nothing was run`);
  throw new ScenarioError(problems.join('\n'));
}

function runCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parse(args, {
    seed: { type: 'string' },
    db: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length === 0) throw new UsageError('run needs at least one scenario file or directory');
  const seed = values.seed === undefined ? undefined : parseSeed(String(values.seed));
  // Validate everything first: a bad file must not leave half the runs written, and every bad
  // file is reported, not just the first.
  const loaded = loadAll(positionals);
  const store = new RunStore(openDatabase(dbPath(values.db as string | undefined, io)));
  try {
    let allPassed = true;
    for (const scenario of loaded) {
      const report: RunReport = runScenario(scenario, { store, ...(seed === undefined ? {} : { seed }) });
      allPassed &&= report.passed;
      io.out(values.json ? JSON.stringify(report) : formatReport(report) + '\n');
    }
    if (!values.json) io.out(`${loaded.length} scenario${loaded.length === 1 ? '' : 's'} run, ${allPassed ? 'all expectations held' : 'some expectations FAILED'}`);
    return allPassed ? 0 : 1;
  } finally {
    store.db.close();
  }
}

function runsCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parse(args, { db: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (positionals.length > 0) throw new UsageError(`runs takes no arguments, got "${positionals[0]}"`);
  const store = new RunStore(openDatabase(dbPath(values.db as string | undefined, io)));
  try {
    const rows = store.listRuns();
    if (values.json) for (const r of rows) io.out(JSON.stringify(runSummary(r)));
    else io.out(formatRunList(rows));
    return 0;
  } finally {
    store.db.close();
  }
}

function runSummary(r: ReturnType<RunStore['listRuns']>[number]) {
  return {
    runId: r.id, scenario: r.scenario_name, seed: r.seed, status: r.status, digest: r.digest,
    events: r.event_count, orders: r.order_count, fills: r.fill_count, codeVersion: r.code_version,
    startedAt: r.started_at, finishedAt: r.finished_at, error: r.error,
  };
}

function showCommand(args: readonly string[], io: Io): number {
  const { values, positionals } = parse(args, { db: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new UsageError('show needs exactly one run id');
  const id = positionals[0] as string;
  const store = new RunStore(openDatabase(dbPath(values.db as string | undefined, io)));
  try {
    const row = store.getRun(id);
    if (!row) throw new UsageError(`no run with id "${id}" (see \`execsim runs\`)`);
    // A failed check is exit 1, as a failed expectation is: the stored run cannot be trusted.
    const v = verifyRun(store, id);
    if (values.json) {
      const report = row.report_json ? (JSON.parse(row.report_json) as object) : null;
      const { events, gapFree, recomputedDigest, consistent, problems } = v;
      io.out(JSON.stringify({
        ...runSummary(row), digestVerified: v.digestVerified === true,
        verification: { events, gapFree, recomputedDigest, consistent, problems }, report,
      }));
    } else {
      io.out(formatRunList([row]));
      if (row.report_json) io.out('\n' + formatReport(JSON.parse(row.report_json) as RunReport));
      if (v.digestVerified === null) {
        io.out(`\nrun is ${row.status}: no digest; the stored log of ${v.events} events ${v.problems.length === 0 ? 'is a consistent prefix' : 'is NOT consistent'}`);
      } else {
        io.out(`\nstored log ${v.digestVerified ? 'reproduces' : 'DOES NOT reproduce'} the digest`);
      }
    }
    for (const problem of v.problems) io.err(`execsim: run ${id}: ${problem}`);
    return v.problems.length === 0 ? 0 : 1;
  } finally {
    store.db.close();
  }
}
