// `execsim delete <runId...>` and `execsim prune`: remove stored runs, each with its events and
// its order, fill and orphan rows in one transaction (RunStore.deleteRun). Both need an existing
// database (nothing is created) and refuse to delete a run that is still being written: one in
// state 'running', or whose writer pid is alive on this host whatever its heartbeat says
// (`delete --force` overrides that, for a pid reused by another program).
import { parseDurationMs } from '../scenario/time-fields.ts';
import { openExistingDatabase } from '../store/open-database.ts';
import { localLiveness, runState, writerAliveHere, type Liveness, type RunState } from '../store/run-state.ts';
import { RunStore, type RunRow } from '../store/run-store.ts';
import { DB_FLAG_HELP, dbPath, parseCommand, UsageError, type Io } from './io.ts';
import { STATES_HELP } from './runs-command.ts';

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
  const store = new RunStore(openExistingDatabase(dbPath(values.db, io), 'write'));
  try {
    const rows: RunRow[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const row = store.getRun(id);
      if (row) rows.push(row);
      else unknown.push(id);
    }
    if (unknown.length > 0)
      throw new UsageError(
        `no run with id ${unknown.map((id) => `"${id}"`).join(', ')} (see \`execsim runs\`); nothing was deleted`,
        DELETE_USAGE,
      );
    if (!values.force) {
      const busy = rows.filter((r) => runState(r, live) === 'running' || writerAliveHere(r, live));
      if (busy.length > 0) {
        throw new UsageError(
          `${busy.map((r) => `run ${r.id} is still being written (pid ${r.writer_pid ?? '?'} on ${r.writer_host ?? '?'})`).join('; ')}; ` +
            'stop it first, or use --force if that pid is no longer execsim; nothing was deleted',
        );
      }
    }
    for (const row of rows) io.out(deletedLine('deleted', row, runState(row, live), store.deleteRun(row.id).events));
    return 0;
  } finally {
    store.db.close();
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
  const store = new RunStore(openExistingDatabase(dbPath(values.db, io), 'write'));
  try {
    const cutoff = olderThanMs === null ? null : live.nowMs - olderThanMs;
    let runs = 0;
    let events = 0;
    for (const row of store.allRuns()) {
      const state = runState(row, live);
      if (!states.includes(state)) continue;
      if (cutoff !== null && !(Date.parse(row.started_at) < cutoff)) continue;
      if (writerAliveHere(row, live)) {
        io.err(`execsim: kept run ${row.id} (${state}): its writer, pid ${row.writer_pid}, is alive on this host`);
        continue;
      }
      const n = dry ? row.stored_events : store.deleteRun(row.id).events;
      io.out(deletedLine(dry ? 'would delete' : 'deleted', row, state, n));
      runs++;
      events += n;
    }
    const what = `${runs} run${runs === 1 ? '' : 's'} (${events.toLocaleString('en-US')} events)`;
    io.out(
      runs === 0
        ? `no runs to prune (states ${states.join(', ')}${olderThanMs === null ? '' : `, started more than ${values['older-than']} ago`})`
        : dry
          ? `${what} would be deleted; dry run, nothing deleted`
          : `${what} deleted`,
    );
    return 0;
  } finally {
    store.db.close();
  }
}

function deletedLine(verb: string, row: RunRow, state: RunState, events: number): string {
  return `${verb} ${row.id}  ${row.scenario_name}  ${state}  started ${row.started_at}  ${events.toLocaleString('en-US')} events`;
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
  try {
    return parseDurationMs(text.toUpperCase());
  } catch (err) {
    throw new UsageError(
      `--older-than: ${(err as Error).message}; or write a number with s, m, h, d or w (12h, 7d)`,
      PRUNE_USAGE,
    );
  }
}
