// StoredDataError: a value read back from the database that is not what execsim wrote there (not
// JSON, or JSON of another shape), named by run or sweep and event or column. It is a StoreError,
// so the CLI prints it as one message and the server answers it as one problem. What it covers:
// docs/0070-store-service-and-cli-notes.md#srcstorestored-datats.
import type Database from 'better-sqlite3';
import { StoreError } from './open-database.ts';
import { storedText, unreadablePayload } from './stored-values.ts';

export class StoredDataError extends StoreError {
  // Private fields behind getters, and a stack of one line: the error describes the data, not the
  // code (its frames would only say which reader found it, which the problem does), so wherever it
  // is logged whole (the server's log, a stream aborted mid-way) it is one line, not a trace with
  // its fields listed below it.
  readonly #subject: string;
  readonly #problem: string;

  constructor(database: string, subject: string, problem: string) {
    super(`database ${database}: ${subject}: ${problem}`);
    this.name = 'StoredDataError';
    this.stack = `${this.name}: ${this.message}`;
    this.#subject = subject;
    this.#problem = problem;
  }

  /** Whose row it is: `run <id>` or `sweep <id>`. */
  get subject(): string {
    return this.#subject;
  }

  /** The row or column and what is wrong with it: `event seq 12 (FillReport): the payload is not
   *  JSON`, `scenario_json: it is not JSON`. */
  get problem(): string {
    return this.#problem;
  }
}

/** The stored JSON column `column` of `subject`'s row, parsed; not JSON: a StoredDataError. */
export function storedColumn(db: Database.Database, subject: string, column: string, json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new StoredDataError(db.name, subject, `${column}: it is not JSON`);
  }
}

/** A stored column of JSON of another shape than execsim writes: `why` says what it is not. */
export const misshapenColumn = (db: Database.Database, subject: string, column: string, why: string) =>
  new StoredDataError(db.name, subject, `${column}: ${why}`);

/** The payload of run `runId`'s event `seq` (`kind`), parsed; not JSON: a StoredDataError. */
export function storedPayload(db: Database.Database, runId: string, seq: number, kind: unknown, json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new StoredDataError(db.name, `run ${runId}`, unreadablePayload(seq, storedText(kind)));
  }
}

/** A stored event whose payload is JSON but not the `what` its kind is (`a market sample`). */
export const misshapenPayload = (db: Database.Database, runId: string, seq: number, kind: string, what: string) =>
  new StoredDataError(db.name, `run ${runId}`, `event seq ${seq} (${kind}): the payload is not ${what}`);

/** A stored block of market samples (named by the times it spans) that is not what execsim
 *  writes (sample-blocks.ts says what is wrong). */
export const damagedSampleBlock = (
  db: Database.Database,
  runId: string,
  firstTime: number,
  lastTime: number,
  problem: string,
) =>
  new StoredDataError(
    db.name,
    `run ${runId}`,
    `market samples from ${isoOrRaw(firstTime)} to ${isoOrRaw(lastTime)}: ${problem}`,
  );

const isoOrRaw = (t: number): string =>
  Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t);

/** A stored market sample (beside the log, named by the entry it follows and its time) whose
 *  payload is not JSON or not a market sample. */
export const damagedSample = (db: Database.Database, runId: string, seq: number, time: number, what: string) =>
  new StoredDataError(
    db.name,
    `run ${runId}`,
    `market sample at ${new Date(time).toISOString()} (after event seq ${seq}): the payload is not ${what}`,
  );

/** A stored block of the event log (named by the seqs it holds) that is not what execsim writes
 *  (event-blocks.ts says what is wrong). */
export const damagedEventBlock = (
  db: Database.Database,
  runId: string,
  firstSeq: number,
  lastSeq: number,
  problem: string,
) => new StoredDataError(db.name, `run ${runId}`, `events seq ${firstSeq} to ${lastSeq}: ${problem}`);
