// `execsim runs` and `execsim show <runId>`: read-only views of the stored runs. Both open the
// database read-only and never create it (a missing database is exit 2). A run is shown in its
// state (run-state.ts): a 'running' run whose writer is gone is 'crashed'.
import { resolve } from 'node:path';
import type { RunReport } from '../runtime/backtest-run.ts';
import { parseUtcInstant } from '../core/model/time-fields.ts';
import {
  RUN_SORT_KEYS,
  type RunQuery,
  type RunSortKey,
  type RunSummary,
  type SortOrder,
} from '../store/read-model-port.ts';
import { described } from '../store/open-database.ts';
import { ReadModel } from '../store/read-model.ts';
import { storedText } from '../store/stored-values.ts';
import { localLiveness, RUN_STATES, STALE_HEARTBEAT_MS, type Liveness, type RunState } from '../store/run-state.ts';
import { formatReport, formatRunList, isResumable } from './format-report.ts';
import { blobsAsText, listStored, type ListOrder } from './stored-list.ts';
import { DB_FLAG_HELP, dbPath, parseCommand, UsageError, type Io } from './io.ts';
import { resumeCommandLine } from './resume-line.ts';

export const STATES_HELP = `States: running; finished; failed (the run stopped on an error, kept for diagnosis);
interrupted (stopped by SIGINT, SIGTERM or SIGHUP); crashed (stored as running, but its writer is
gone: its pid is not alive on this host, or its heartbeat, refreshed every second while it runs,
is more than ${STALE_HEARTBEAT_MS / 1000} s old).`;

export const RUNS_USAGE =
  'usage: execsim runs [--db PATH] [--json] [--limit N] [--sort FIELD] [--order asc|desc]\n' +
  '  [--scenario NAME] [--status STATE] [--passed yes|no] [--mode MODE] [--venue NAME] [--symbol S]\n' +
  '  [--seed N] [--from INSTANT] [--to INSTANT]';
export const RUNS_HELP = `${RUNS_USAGE}
Lists the stored runs, newest first: id, scenario, symbols (its first instrument first; of more
than two, the first two and a count of the others: BTCUSDT,ETHUSDT(+2)), seed, state, whether its
expectations held (passed: yes, NO, or - until it finished), events stored, net P&L (quote
currency), closed trades, win rate, profit factor (PF), Sharpe (annualized), max drawdown (maxDD),
start time (UTC) and digest. A run stored by an execsim before these figures shows - for them.
Below the table, each resumable paper run's resume command, with the venue URL and market hours
it stored.
${DB_FLAG_HELP}; never created
  --json        one JSON array of runs: runId, scenario, seed, state, mode, venue, symbols, resumable, status (as stored), passed,
                digest, events, orders, fills, netPnl, trades, winRate, profitFactor, sharpe, maxDrawdown,
                codeVersion, startedAt, finishedAt, heartbeatAt, writer ({ pid, host }), error
  --limit N     at most N runs (default 100; 0: all)
  --sort FIELD  ${RUN_SORT_KEYS.join(', ')} (default started; runs without the figure come last)
  --order O     desc (the default: highest first) or asc
Filters (each as the HTTP API's GET /api/v1/runs takes it; several: runs that match them all):
  --scenario NAME   the scenario's name
  --status STATE    ${RUN_STATES.join(', ')}
  --passed yes|no   whether its expectations held (finished runs only)
  --mode MODE       backtest, paper or session
  --venue NAME      the venue's name, as scenarios give it (venue.name)
  --symbol S        a symbol it traded (its first, or a further one of a run of several)
  --seed N          the seed it ran with
  --from INSTANT    started at or after this UTC instant (2026-11-25T10:00:00Z)
  --to INSTANT      started before this UTC instant
  -h, --help    this help
${STATES_HELP}
Exit codes: 0, 2 bad input (no database at the path, a bad flag or filter).`;

export const SHOW_USAGE = 'usage: execsim show <runId> [--db PATH] [--json]';
export const SHOW_HELP = `${SHOW_USAGE}
Prints one stored run (its state and report) and verifies it: sequence numbers without a gap,
the digest (finished runs), every parent with all its children, and the orders, fills and
orphan tables equal to the fold of the stored log. A run that stopped part-way (interrupted,
crashed, failed) must be a consistent prefix.
${DB_FLAG_HELP}; never created
  --json        one JSON object: the run as \`runs --json\` lists it, digestVerified,
                verification { events, gapFree, recomputedDigest, consistent, problems }, report
  -h, --help    this help
${STATES_HELP}
Exit codes: 0 the stored run verifies, 1 it does not, 2 bad input (an unknown run id, no database).`;

export function runsCommand(args: readonly string[], io: Io, live: Liveness = localLiveness()): number {
  return listStored(args, io, live, {
    name: 'runs',
    usage: RUNS_USAGE,
    help: RUNS_HELP,
    items: (model, o, filter) =>
      model.allRuns({ sort: o.sort as RunSortKey | undefined, order: o.order as SortOrder | undefined, ...filter }),
    sorted: checkRunOrder,
    filters: { flags: RUN_FILTERS, parse: runFilter },
    json: runSummary,
    table: runTable,
    noMatch: 'no stored run matches the filters',
  });
}

/** The filter flags of `execsim runs`: those of the HTTP list (but its codeVersion). */
const RUN_FILTERS = ['scenario', 'status', 'passed', 'mode', 'venue', 'symbol', 'seed', 'from', 'to'] as const;

/** The filter flags given, as the read model's query; a bad one is a UsageError naming it. */
function runFilter(f: Readonly<Record<string, string>>): Omit<RunQuery, 'cursor' | 'limit' | 'sort' | 'order'> {
  const bad = (flag: string, problem: string): never => {
    throw new UsageError(`--${flag}: "${f[flag]}" ${problem}`, RUNS_USAGE);
  };
  const q: { -readonly [K in keyof RunQuery]?: RunQuery[K] } = {};
  for (const flag of ['scenario', 'mode', 'venue', 'symbol'] as const) {
    const v = f[flag];
    if (v === undefined) continue;
    if (v === '') bad(flag, 'is empty');
    q[flag] = v;
  }
  if (f.status !== undefined) {
    if (!(RUN_STATES as readonly string[]).includes(f.status))
      bad('status', `is not a state: use one of ${RUN_STATES.join(', ')}`);
    q.status = f.status as RunState;
  }
  if (f.passed !== undefined) {
    if (f.passed !== 'yes' && f.passed !== 'no') bad('passed', 'must be yes or no');
    q.passed = f.passed === 'yes';
  }
  if (f.seed !== undefined) {
    if (!/^\d{1,16}$/.test(f.seed) || !Number.isSafeInteger(Number(f.seed))) bad('seed', 'is not a whole number');
    q.seed = Number(f.seed);
  }
  for (const flag of ['from', 'to'] as const) {
    const v = f[flag];
    if (v === undefined) continue;
    try {
      parseUtcInstant(v);
    } catch (err) {
      // parseUtcInstant's message quotes the value and shows the form.
      throw new UsageError(`--${flag}: ${(err as Error).message}`, RUNS_USAGE);
    }
    q[flag] = v;
  }
  if (q.from !== undefined && q.to !== undefined && parseUtcInstant(q.from) >= parseUtcInstant(q.to))
    throw new UsageError(`--from: ${q.from} is not before --to ${q.to}: no run could match`, RUNS_USAGE);
  return q;
}

/** --sort and --order of `execsim runs`: one of the sort keys the HTTP list takes, asc or desc. */
function checkRunOrder(o: ListOrder): void {
  if (o.sort !== undefined && !(RUN_SORT_KEYS as readonly string[]).includes(o.sort))
    throw new UsageError(
      `--sort: "${o.sort}" is not a field runs sort by; use one of ${RUN_SORT_KEYS.join(', ')}`,
      RUNS_USAGE,
    );
  if (o.order !== undefined && o.order !== 'asc' && o.order !== 'desc')
    throw new UsageError(`--order: "${o.order}" must be asc or desc`, RUNS_USAGE);
}

/** A run as `runs --json` lists it. */
export function runSummary(r: RunSummary) {
  return {
    runId: r.id,
    scenario: r.scenario,
    seed: r.seed,
    state: r.state,
    mode: r.mode,
    venue: r.venue,
    symbols: r.symbols,
    resumable: isResumable(r),
    status: r.status,
    passed: r.passed,
    digest: r.digest,
    events: r.events,
    orders: r.orders,
    fills: r.fills,
    netPnl: r.netPnl,
    trades: r.trades,
    winRate: r.winRate,
    profitFactor: r.profitFactor,
    sharpe: r.sharpe,
    maxDrawdown: r.maxDrawdown,
    codeVersion: r.codeVersion,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    heartbeatAt: r.heartbeatAt,
    writer: r.writer,
    error: r.error,
  };
}

/** The command that continues a resumable run of the database at `db`, with the venue URL and
 *  market hours the run stored (as the interrupt line prints it), after "; continue it with". */
const resumeHint = (r: RunSummary, db: string): string =>
  isResumable(r)
    ? `; continue it with ${resumeCommandLine(storedText(r.id), {
        // storedText: what the row holds, a blob too (a database edited by hand).
        venueUrl: r.venueUrl === null ? null : storedText(r.venueUrl),
        marketHours: r.marketHours,
        db: resolve(db),
      })}`
    : '';

/** The run list as a table, and below it the resume command of each resumable run in it. */
function runTable(runs: readonly RunSummary[], db: string): string {
  const resumable = runs.filter(isResumable);
  const hints = resumable.map((r) => `run ${storedText(r.id)} is ${r.state}${resumeHint(r, db)}`);
  return [formatRunList(runs), ...(hints.length > 0 ? ['', ...hints] : [])].join('\n');
}

/** Why a run that did not finish is where it is, in one sentence. */
export function stateDetail(r: RunSummary, db: string): string | null {
  const writer =
    r.writer === null ? 'an unrecorded writer' : `pid ${r.writer.pid} on ${r.writer.host ?? 'an unknown host'}`;
  switch (r.state) {
    case 'running':
      return `running: written by ${writer}, last heartbeat ${r.heartbeatAt ?? 'never'}`;
    case 'crashed':
      return `crashed: stored as running, but its writer (${writer}) is gone; last heartbeat ${r.heartbeatAt ?? 'never'}${resumeHint(r, db)}`;
    case 'interrupted':
      return `interrupted at ${r.finishedAt ?? '?'}${r.error ? ` by ${r.error}` : ''}${resumeHint(r, db)}`;
    case 'failed':
      return `failed at ${r.finishedAt ?? '?'}: ${r.error ?? 'no error recorded'}`;
    case 'finished':
      return null;
  }
}

export function showCommand(args: readonly string[], io: Io, live: Liveness = localLiveness()): number {
  const { values, positionals } = parseCommand(
    args,
    { db: { type: 'string' }, json: { type: 'boolean', default: false } },
    SHOW_USAGE,
  );
  if (values.help) {
    io.out(SHOW_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('show needs exactly one run id', SHOW_USAGE);
  const id = positionals[0] as string;
  const path = dbPath(values.db, io);
  const model = ReadModel.open(path, { liveness: () => live });
  try {
    // A stored report that is not JSON reads as none: the run is still shown and verify names it.
    const run = model.getRun(id, 'null');
    if (!run) throw new UsageError(`no run with id "${id}" (see \`execsim runs\`)`, SHOW_USAGE);
    const state = run.state;
    const report = run.report;
    const reportText = storedReportText(report, run.mode);
    // A failed check is exit 1, as a failed expectation is: the stored run cannot be trusted.
    const v = model.verify(id);
    const problems = [...v.problems, ...(report !== null && reportText === null ? [NOT_A_REPORT] : [])];
    if (values.json) {
      const { events, gapFree, recomputedDigest, consistent } = v;
      io.out(
        JSON.stringify(
          {
            ...runSummary(run),
            digestVerified: v.digestVerified === true,
            verification: { events, gapFree, recomputedDigest, consistent, problems },
            report,
          },
          blobsAsText,
        ),
      );
    } else {
      io.out(formatRunList([run]));
      const detail = stateDetail(run, path);
      if (detail) io.out(`\n${detail}`);
      if (reportText !== null) io.out('\n' + reportText);
      if (v.digestVerified === null) {
        io.out(
          `\nrun is ${state}: no digest; the stored log of ${v.events} events ${v.problems.length === 0 ? 'is a consistent prefix' : 'is NOT consistent'}`,
        );
      } else if (run.digest === null) {
        // A run that did not finish has no run digest; its writer recorded one of the log it stored.
        io.out(
          `\nrun is ${state}: no run digest; the stored log of ${v.events} events ${v.digestVerified ? 'reproduces' : 'DOES NOT reproduce'} the digest its writer recorded for it`,
        );
      } else {
        io.out(`\nstored log ${v.digestVerified ? 'reproduces' : 'DOES NOT reproduce'} the digest`);
      }
    }
    for (const problem of problems) io.err(`execsim: run ${id}: ${problem}`);
    return problems.length === 0 ? 0 : 1;
  } catch (err) {
    throw described(err, path);
  } finally {
    model.close();
  }
}

const NOT_A_REPORT = 'the stored report is not a run report (show --json prints it as stored)';

/** A stored report as text, or null when there is none or it is not a run report. The report is
 *  JSON read back from the database, which may have been edited by hand into JSON of another
 *  shape; formatting one reads fields that are then missing or of another type, a TypeError. */
function storedReportText(report: unknown, mode: string): string | null {
  if (typeof report !== 'object' || report === null || Array.isArray(report)) return null;
  try {
    return formatReport(report as RunReport, true, mode);
  } catch (err) {
    if (err instanceof TypeError) return null;
    throw err;
  }
}
