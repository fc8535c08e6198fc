// A bound's parts: each field that adds to an estimate the validation bounds (the run's events,
// its highest price, its quantities), with its path in the file, what it is and its value, so a
// refusal names the field that adds the most (largest) and writes its counts for people (fmt).
// The bounds are event-limit.ts's and magnitude-limits.ts's.

import { groupedDigits } from '../core/model/count-text.ts';

export type Path = (string | number)[];
/** A problem at `path`; `names`: the top-level list ('restarts') whose other entries the message
 *  names by index, so the pass that leaves out unreadable entries (cross-field-pass.ts) drops it
 *  once that list lost one: the indices it names would be off. */
export type Issue = (path: Path, message: string, names?: string) => void;

export interface Part {
  readonly path: Path;
  readonly what: string;
  readonly value: number;
}

/** A count for messages: exact with separators up to 2^53 - 1, else 3 significant digits. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'unbounded';
  if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) return groupedDigits(Math.round(n));
  return n.toExponential(2).replace('e+', 'e');
}

export const largest = (parts: readonly Part[]): Part | undefined =>
  parts.reduce<Part | undefined>((a, p) => (a === undefined || p.value > a.value ? p : a), undefined);
