// Deleting stored runs: the read model on a database opened for writing (RunAdmin), and when a run
// is still being written and so must not be deleted (runIsBusy, summaryIsBusy; the CLI asks the
// latter before it deletes). The database is never created here either (openExistingDatabase
// 'write'); the handle stays a protected member, as in the read model.
import type Database from 'better-sqlite3';
import { openExistingDatabase } from './open-database.ts';
import type { DeleteRun, DeleteRunOutcome, RunSummary } from './read-model-port.ts';
import { ReadModel, type ReadModelOptions } from './read-model.ts';
import { localLiveness, runState, writerAliveHere, type Liveness } from './run-state.ts';
import { RunStore } from './run-store.ts';

/** The read model on a database opened for writing, which can also delete runs. */
export class RunAdmin extends ReadModel {
  protected constructor(
    db: Database.Database,
    private readonly live0: () => Liveness,
  ) {
    super(db, { liveness: live0 });
  }

  /** The database at `path` opened for writing; it must exist (StoreError otherwise). */
  static override open(path: string, options: ReadModelOptions = {}): RunAdmin {
    return new RunAdmin(openExistingDatabase(path, 'write'), options.liveness ?? localLiveness);
  }

  /** Deletes a run with its events, orders, fills, orphan and parent rows, in one transaction
   *  that re-reads the run first: a run still being written (running, or its writer's pid alive
   *  on this host) is refused as busy and nothing is deleted, unless `force`. */
  deleteRun(id: string, options: { readonly force?: boolean } = {}): DeleteRunOutcome {
    const live = this.live0();
    const store = new RunStore(this.db);
    return this.db
      .transaction((): DeleteRunOutcome => {
        const row = store.getRun(id);
        if (row === undefined) return { kind: 'not_found' };
        if (options.force !== true && runIsBusy(row, live)) {
          return {
            kind: 'busy',
            detail: `run ${id} is still being written (pid ${row.writer_pid ?? '?'} on ${row.writer_host ?? '?'}); stop it first`,
          };
        }
        return { kind: 'deleted', events: store.deleteRun(id).events };
      })
      .immediate();
  }

  /** deleteRun as the port's function (never forced), for the HTTP route. */
  readonly deleteRunFn: DeleteRun = (id) => this.deleteRun(id);
}

type BusyFields = Parameters<typeof writerAliveHere>[0];

/** Still being written: running with a live heartbeat, or its writer's pid alive on this host. */
export function runIsBusy(row: BusyFields, live: Liveness): boolean {
  return runState(row, live) === 'running' || writerAliveHere(row, live);
}

/** runIsBusy for a summary row. */
export function summaryIsBusy(s: RunSummary, live: Liveness): boolean {
  return runIsBusy(
    {
      status: s.status,
      writer_pid: s.writer?.pid ?? null,
      writer_host: s.writer?.host ?? null,
      heartbeat_at: s.heartbeatAt,
    },
    live,
  );
}
