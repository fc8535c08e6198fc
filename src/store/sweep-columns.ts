// A stored sweep's JSON columns read back (sweep-read.ts): grid_json, a grid sweep's axes, and
// summary_json, a finished sweep's expectation tallies and grid report (sweep-recorder.ts writes
// both). One that is not JSON, or not of the shape written (the database edited by hand or
// damaged), is a StoredDataError naming the sweep and the column, not a TypeError further on.
import type Database from 'better-sqlite3';
import { misshapenColumn, storedColumn } from './stored-data.ts';

/** A grid sweep's axes: each key with its values, as given. */
export type GridAxes = ReadonlyArray<{ readonly key: string; readonly values: readonly string[] }>;

/** How many of a sweep's paths an expectation held on. */
export interface ExpectationTally {
  readonly name: string;
  readonly expected: string;
  /** Paths on which it held, of `paths`. */
  readonly passed: number;
  readonly paths: number;
}

/** What a finished sweep's summary_json gives the reader. */
export interface StoredSweepResult {
  readonly expectations: ExpectationTally[] | null;
  readonly gridReport: unknown;
}

const isFields = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isAxis = (v: unknown): boolean =>
  isFields(v) &&
  typeof v['key'] === 'string' &&
  Array.isArray(v['values']) &&
  v['values'].every((x) => typeof x === 'string');

/** Sweep `id`'s axes (null: a plain sweep). */
export function storedGrid(db: Database.Database, id: string, json: string | null): GridAxes | null {
  if (json === null) return null;
  const grid = storedColumn(db, `sweep ${id}`, 'grid_json', json);
  if (!Array.isArray(grid) || !grid.every(isAxis))
    throw misshapenColumn(db, `sweep ${id}`, 'grid_json', 'it is not a list of axes ({key, values})');
  return grid as GridAxes;
}

/** Sweep `id`'s stored result (nothing until it finished). */
export function storedResult(db: Database.Database, id: string, json: string | null): StoredSweepResult {
  if (json === null) return { expectations: null, gridReport: null };
  const parsed = storedColumn(db, `sweep ${id}`, 'summary_json', json);
  if (!isFields(parsed))
    throw misshapenColumn(db, `sweep ${id}`, 'summary_json', 'it is not a sweep summary (an object)');
  const expectations = parsed['expectations'] ?? null;
  if (expectations !== null && !Array.isArray(expectations))
    throw misshapenColumn(db, `sweep ${id}`, 'summary_json', 'its expectations are not a list');
  return { expectations: expectations as ExpectationTally[] | null, gridReport: parsed['grid'] ?? null };
}
