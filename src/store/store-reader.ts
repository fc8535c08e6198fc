// The whole read side of one database, as the server uses it: the read model (runs, their
// records, comparisons) and its deletion of runs (run-admin.ts) with the chart series
// (run-series.ts) and the sweeps (sweep-read.ts) on the same handle. The handle stays inside
// src/store; the server gets the RunReader port and the DeleteRun function.
import type Database from 'better-sqlite3';
import { checkReads } from './checked-reads.ts';
import { openExistingDatabase } from './open-database.ts';
import type { ReadModelOptions } from './read-model.ts';
import { RunAdmin } from './run-admin.ts';
import type {
  DeleteRun,
  HistogramQuery,
  Page,
  PageQuery,
  RunReader,
  RunSeries,
  SeriesQuery,
  SweepDetail,
  SweepHistogram,
  SweepPathRow,
  SweepPathQuery,
  SweepSummary,
} from './read-model-port.ts';
import { localLiveness } from './run-state.ts';
import { runSeries } from './run-series.ts';
import { sweepHistogram } from './sweep-histogram.ts';
import { getSweep, listSweeps, sweepPaths, sweepProgress, type SweepProgress } from './sweep-read.ts';

export class StoreReader extends RunAdmin implements RunReader {
  private constructor(db: Database.Database, options: ReadModelOptions) {
    super(db, options.liveness ?? localLiveness);
  }

  /** The database at `path`, which must exist, opened for reading and deleting runs. Its answers
   *  have a schema, so its reads are checked (checked-reads.ts): a hand-edited column is a
   *  stored-data problem, not a value of another type answered or an internal error. */
  static override open(path: string, options: ReadModelOptions = {}): StoreReader {
    const db = openExistingDatabase(path, 'write');
    // Before the reader prepares anything: every statement it prepares checks what it reads.
    checkReads(db);
    return new StoreReader(db, options);
  }

  series(id: string, q: SeriesQuery): RunSeries | null {
    return runSeries(this.db, id, q);
  }

  listSweeps(q: PageQuery): Page<SweepSummary> {
    return listSweeps(this.db, q);
  }

  getSweep(id: string): SweepDetail | null {
    return getSweep(this.db, id);
  }

  sweepProgress(id: string): SweepProgress | null {
    return sweepProgress(this.db, id);
  }

  sweepPaths(id: string, q: SweepPathQuery): Page<SweepPathRow> | null {
    return sweepPaths(this.db, id, q);
  }

  sweepHistogram(id: string, q: HistogramQuery): SweepHistogram | null {
    return sweepHistogram(this.db, id, q);
  }
}

export interface OpenStore {
  readonly reader: RunReader;
  readonly deleteRun: DeleteRun;
  close(): void;
}

/** The server's view of the database at `path` (which must exist). */
export function openStoreReader(path: string, options: ReadModelOptions = {}): OpenStore {
  const reader = StoreReader.open(path, options);
  return { reader, deleteRun: reader.deleteRunFn, close: () => reader.close() };
}
