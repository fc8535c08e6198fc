// `execsim delete <runId...>` and `execsim prune`: remove stored runs, each with its events and
// its order, fill, orphan and parent rows in one transaction (RunAdmin.deleteRun, which checks
// again inside it that the run is not being written). Both need an existing
// database (nothing is created) and refuse to delete a run that is still being written: one in
// state 'running', or whose writer pid is alive on this host whatever its heartbeat says
// (`delete --force` overrides that, for a pid reused by another program).
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { DeleteRunOutcome, RunSummary } from '../store/read-model-port.ts';
import { described } from '../store/open-database.ts';
import { RunAdmin, summaryIsBusy } from '../store/run-admin.ts';
import { storedText } from '../store/stored-values.ts';
import { localLiveness, type Liveness, type RunState } from '../store/run-state.ts';
import { DB_FLAG_HELP, dbPath, parseCommand, UsageError, type Io } from './io.ts';
import { STATES_HELP } from './runs-command.ts';
import { groupedDigits } from '../core/model/count-text.ts';

export const DELETE_USAGE = 'usage: execsim delete <runId...> [--db PATH] [--force]';
export const DELETE_HELP = `${DELETE_USAGE}
Deletes the given stored runs, each with its events, orders, fills and orphan rows in one
transaction. Every id is checked first: an unknown id deletes nothing.
${DB_FLAG_HELP}; never created
  --force       also delete a run whose writer looks alive (its pid is alive on this host):
                for a pid that another program now has
  -h, --help    this help
A run still being written (state running) is refused without --force.
Exit codes: 0, 2 bad input (an unknown run id, a run still being written, no database).`;

const PRUNABLE: readonly RunState[] = ['crashed', 'interrupted', 'failed', 'finished'];
const DEFAULT_PRUNE: readonly RunState[] = ['crashed', 'interrupted', 'failed'];

export const PRUNE_USAGE = 'usage: execsim prune [--status S[,S...]] [--older-than DURATION] [--dry-run] [--db PATH]';
export const PRUNE_HELP = `${PRUNE_USAGE}
Deletes every stored run in the given states (each with its events, orders, fills and orphan
rows, in one transaction per run), and lists them.
  --status S    crashed, interrupted, failed, finished, or all (all four); comma-separated
                (default: ${DEFAULT_PRUNE.join(',')}). Runs still being written are never pruned
  --older-than DURATION
                only runs started more than DURATION ago: ISO-8601 (PT12H, P7D, P2W) or
                a number with s, m, h, d or w (12h, 7d)
  --dry-run     list what would be deleted; delete nothing
${DB_FLAG_HELP}; never created
  -h, --help    this help
${STATES_HELP}
Exit codes: 0, 2 bad input (a bad flag, no database).`;

export function deleteCommand(args: readonly string[], io: Io, live: Liveness = localLiveness()): number {
  const { values, positionals } = parseCommand(
    args,
    { db: { type: 'string' }, force: { type: 'boolean', default: false } },
    DELETE_USAGE,
  );
  if (values.help) {
    io.out(DELETE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('delete needs at least one run id', DELETE_USAGE);
  const ids = [...new Set(positionals)];
  const path = dbPath(values.db, io);
  const admin = RunAdmin.open(path, { liveness: () => live });
  try {
    const rows: RunSummary[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const row = admin.summary(id);
      if (row) rows.push(row);
      else unknown.push(id);
    }
    if (unknown.length > 0)
      throw new UsageError(
        `no run with id ${unknown.map((id) => `"${id}"`).join(', ')} (see \`execsim runs\`); nothing was deleted`,
        DELETE_USAGE,
      );
    if (!values.force) {
      const busy = rows.filter((r) => summaryIsBusy(r, live));
      if (busy.length > 0) {
        throw new UsageError(
          `${busy.map((r) => `run ${r.id} is still being written (pid ${r.writer?.pid ?? '?'} on ${r.writer?.host ?? '?'})`).join('; ')}; ` +
            'stop it first, or use --force if that pid is no longer execsim; nothing was deleted',
          DELETE_USAGE,
        );
      }
    }
    for (const row of rows)
      io.out(deletedLine('deleted', row, row.state, deletedEvents(admin.deleteRun(row.id, { force: values.force }))));
    return 0;
  } catch (err) {
    throw described(err, path);
  } finally {
    admin.close();
  }
}

export function pruneCommand(args: readonly string[], io: Io, live: Liveness = localLiveness()): number {
  const { values, positionals } = parseCommand(
    args,
    {
      status: { type: 'string' },
      'older-than': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      db: { type: 'string' },
    },
    PRUNE_USAGE,
  );
  if (values.help) {
    io.out(PRUNE_HELP);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`prune takes no run ids, got "${positionals[0]}" (use \`execsim delete\`)`, PRUNE_USAGE);
  const states = values.status === undefined ? DEFAULT_PRUNE : parseStates(values.status);
  const olderThanMs = values['older-than'] === undefined ? null : parseAge(values['older-than']);
  const dry = values['dry-run'];
  const path = dbPath(values.db, io);
  const admin = RunAdmin.open(path, { liveness: () => live });
  try {
    const cutoff = olderThanMs === null ? null : live.nowMs - olderThanMs;
    let runs = 0;
    let events = 0;
    // Runs whose stored event count is not a number (the database edited by hand): listed with
    // what is stored, left out of the total.
    let uncounted = 0;
    // Listed whole first: deleting while reading the list's pages would move them.
    for (const row of [...admin.allRuns()]) {
      const state = row.state;
      if (!states.includes(state)) continue;
      if (cutoff !== null && !(Date.parse(row.startedAt) < cutoff)) continue;
      if (summaryIsBusy(row, live)) {
        io.err(`execsim: kept run ${row.id} (${state}): its writer, pid ${row.writer?.pid}, is alive on this host`);
        continue;
      }
      const n: unknown = dry ? row.events : deletedEvents(admin.deleteRun(row.id));
      io.out(deletedLine(dry ? 'would delete' : 'deleted', row, state, n));
      runs++;
      if (typeof n === 'number') events += n;
      else uncounted++;
    }
    const notCounted =
      uncounted === 0
        ? ''
        : `, and ${uncounted} run${uncounted === 1 ? '' : 's'} whose stored event count cannot be read`;
    const what = `${runs} run${runs === 1 ? '' : 's'} (${groupedDigits(events)} events${notCounted})`;
    io.out(
      runs === 0
        ? `no runs to prune (states ${states.join(', ')}${olderThanMs === null ? '' : `, started more than ${values['older-than']} ago`})`
        : dry
          ? `${what} would be deleted; dry run, nothing deleted`
          : `${what} deleted`,
    );
    return 0;
  } catch (err) {
    throw described(err, path);
  } finally {
    admin.close();
  }
}

/** The events a deletion removed; a run that went away or came alive since it was listed is an
 *  error (another process changed the store between the check and the delete). */
function deletedEvents(outcome: DeleteRunOutcome): number {
  if (outcome.kind === 'deleted') return outcome.events;
  throw new UsageError(
    outcome.kind === 'busy' ? outcome.detail : 'a run was deleted by another process meanwhile',
    DELETE_USAGE,
  );
}

function deletedLine(verb: string, row: RunSummary, state: RunState, events: unknown): string {
  const count = typeof events === 'number' ? groupedDigits(events) : storedText(events);
  return `${verb} ${storedText(row.id)}  ${storedText(row.scenario)}  ${state}  started ${storedText(row.startedAt)}  ${count} events`;
}

function parseStates(text: string): readonly RunState[] {
  const out = new Set<RunState>();
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === 'all') PRUNABLE.forEach((s) => out.add(s));
    else if ((PRUNABLE as readonly string[]).includes(part)) out.add(part as RunState);
    else if (part === 'running')
      throw new UsageError('--status: running runs are never pruned (a crashed one is shown as crashed)', PRUNE_USAGE);
    else throw new UsageError(`--status: "${part}" is not one of ${PRUNABLE.join(', ')}, all`, PRUNE_USAGE);
  }
  return [...out];
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** --older-than: an ISO-8601 duration of exact length, or a whole number with a unit. */
export function parseAge(text: string): number {
  const short = /^(\d+)([smhdw])$/.exec(text);
  if (short) return Number(short[1]) * (UNIT_MS[short[2] as string] as number);
  const upper = text.toUpperCase();
  try {
    return parseDurationMs(upper);
  } catch (err) {
    // The parser quotes what it was given: the value as typed is quoted instead (1.5d, not 1.5D).
    const why = (err as Error).message.split(`"${upper}"`).join(`"${text}"`);
    throw new UsageError(`--older-than: ${why}; or write a number with s, m, h, d or w (12h, 7d)`, PRUNE_USAGE);
  }
}
