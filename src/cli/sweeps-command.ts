// `execsim sweeps`: the stored sweeps (`execsim sweep --store`, queued sweeps, sweeps started over
// HTTP), newest first, read through the same list the HTTP API pages (sweep-read.ts). Like
// `execsim runs` it opens the database read-only and never creates it (a missing database is exit
// 2). A sweep is shown in its state: a running or queued sweep whose writer is gone is 'crashed',
// as a run is.
import { gridPointCount } from '../sweep/sweep-grid.ts';
import type { SweepSummary } from '../store/read-model-port.ts';
import { storedText } from '../store/stored-values.ts';
import { localLiveness, STALE_HEARTBEAT_MS, type Liveness } from '../store/run-state.ts';
import { textTable } from './text-table.ts';
import { DB_FLAG_HELP, type Io } from './io.ts';
import { listStored } from './stored-list.ts';

export const SWEEPS_USAGE = 'usage: execsim sweeps [--db PATH] [--json] [--limit N]';
export const SWEEPS_HELP = `${SWEEPS_USAGE}
Lists the stored sweeps, newest first: id, scenario, state, paths stored of all its paths (a grid
sweep's paths at every grid point), grid points (- for a sweep without a grid), paths on which
every expectation held, and creation time (UTC).
${DB_FLAG_HELP}; never created
  --json        one JSON array of sweeps: sweepId, scenario, state, pathsDone, pathsRequested,
                gridPoints (null without a grid), pathsPassed, createdAt
  --limit N     at most N sweeps (default 100; 0: all)
  -h, --help    this help
States: queued (stored, no path started: a sweep started over HTTP); running; finished; failed
(stopped on an error); interrupted (stopped by a signal or cancelled; a queued sweep can be
resumed); crashed (stored as running or queued, but its writer is gone: its pid is not alive on
this host, or a running sweep's heartbeat is more than ${STALE_HEARTBEAT_MS / 1000} s old).
Exit codes: 0, 2 bad input (no database at the path, a bad flag).`;

export function sweepsCommand(args: readonly string[], io: Io, live: Liveness = localLiveness()): number {
  return listStored(args, io, live, {
    name: 'sweeps',
    usage: SWEEPS_USAGE,
    help: SWEEPS_HELP,
    items: (model) => model.allSweeps(),
    json: sweepListed,
    table: formatSweepList,
  });
}

/** A sweep as `sweeps --json` lists it. */
export function sweepListed(s: SweepSummary) {
  return {
    sweepId: s.id,
    scenario: s.scenario,
    state: s.state,
    pathsDone: s.pathsDone,
    pathsRequested: s.pathsRequested,
    gridPoints: s.grid === null ? null : gridPointCount(s.grid),
    pathsPassed: s.pathsPassed,
    createdAt: s.createdAt,
  };
}

/** The sweeps as a table, one line each. */
export function formatSweepList(sweeps: readonly SweepSummary[]): string {
  if (sweeps.length === 0) return 'no sweeps stored yet: try `execsim sweep <file> --paths N --store`';
  const header = ['sweep', 'scenario', 'state', 'paths', 'grid', 'passed', 'created'];
  // storedText: a cell holds what the row holds, a blob too (a database edited by hand).
  const body = sweeps.map((s) => {
    const listed = sweepListed(s);
    return [
      storedText(listed.sweepId),
      storedText(listed.scenario),
      storedText(listed.state),
      `${storedText(listed.pathsDone)}/${storedText(listed.pathsRequested)}`,
      listed.gridPoints === null ? '-' : String(listed.gridPoints),
      storedText(listed.pathsPassed),
      storedText(listed.createdAt),
    ];
  });
  return textTable(header, body).join('\n');
}
