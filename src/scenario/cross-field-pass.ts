// The checks across fields (scenario-checks.ts) need a scenario whose every field parsed, so a
// file with one unknown field would hide every other problem of that kind: a limit order without
// its limitPrice, an id named twice. This pass runs them anyway on what can be read without
// guessing (what is left out, and when it stops: crossFieldIssues), so a file's problems come in
// one pass, one line each. Only the checks' own findings are added; the first pass reported the
// fields (and, when its only problems were unknown keys, the checks too: a finding of both passes
// is listed once).
import { z } from 'zod';
import { meantFields } from './issue-text.ts';
import { valueAt, type Schema } from './schema-walk.ts';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** The top-level lists whose entries can be left out one by one. */
const LISTS = new Set(['orders', 'signals', 'faults', 'actions', 'restarts', 'externalOrders', 'expect']);

/** Paths of the checks that name another entry: skipped once an entry was left out. */
const namesAnother = (p: Path): boolean =>
  (p[0] === 'actions' && (p[2] === 'parent' || p[2] === 'clientOrderId' || p[2] === 'at')) ||
  (p[0] === 'expect' && (p.at(-1) === 'parent' || (p[2] === 'signal' && p[3] === 'id')));

const startsWith = (p: Path, prefix: Path): boolean => prefix.every((k, i) => p[i] === k);

/** Every problem of `raw`: the issues of its first parse, and what the checks across fields find
 *  beyond them; none at a field an unknown key probably meant. */
export function allIssues(schema: Schema, raw: unknown, issues: readonly Issue[]): Issue[] {
  const theirs = issues.flatMap((i) => meantFields(i, schema, raw).map((field): Path => [...i.path, field]));
  const own = (i: Issue): boolean => !theirs.some((t) => startsWith(i.path, t));
  return [...issues, ...crossFieldIssues(schema, raw, issues)].filter(own);
}

/**
 * The cross-field issues of `raw` beyond the field issues `issues` of its first parse, found on
 * what can be read without guessing:
 * - an unknown key is left out (the schema reads the object as if it were not there); a problem at
 *   the field it probably meant ("side: is required" beside "sied") is the unknown key's own, so it
 *   is not listed a second time, in either pass (allIssues);
 * - an entry of a top-level list (an order, a signal, a fault, ...) with any other problem is left
 *   out, and the paths of the entries after it keep their own indices; the checks that name other
 *   entries (a cancel's parent, an expectation's order) are skipped then, since the entry they name
 *   may be the one left out;
 * - anything else (a bad instrument, start or duration, which most checks read) stops the pass:
 *   what the checks would say about the rest could be wrong.
 */
function crossFieldIssues(schema: Schema, raw: unknown, issues: readonly Issue[]): Issue[] {
  if (raw === null || typeof raw !== 'object') return [];
  const copy = structuredClone(raw) as Record<string, unknown>;
  const dropped = new Map<string, Set<number>>();
  for (const issue of issues) {
    const p = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const at = valueAt(copy, p);
      if (at === null || typeof at !== 'object') return [];
      for (const k of issue.keys) delete (at as Record<string, unknown>)[k];
      continue;
    }
    const list = p[0];
    if (typeof list === 'string' && LISTS.has(list) && typeof p[1] === 'number') {
      dropped.set(list, (dropped.get(list) ?? new Set()).add(p[1]));
      continue;
    }
    return [];
  }
  // Entries left out, and for each list the original index of every entry kept.
  const kept = new Map<string, number[]>();
  for (const [list, gone] of dropped) {
    const entries = copy[list];
    if (!Array.isArray(entries)) return [];
    const indices = entries.map((_, i) => i).filter((i) => !gone.has(i));
    copy[list] = indices.map((i) => entries[i] as unknown);
    kept.set(list, indices);
  }
  const again = z.safeParse(schema, copy);
  if (again.success) return [];
  const out: Issue[] = [];
  for (const issue of again.error.issues) {
    if (issue.code !== 'custom') continue;
    const indices = kept.get(issue.path[0] as string);
    const path =
      indices && typeof issue.path[1] === 'number'
        ? [issue.path[0] as PropertyKey, indices[issue.path[1]] as number, ...issue.path.slice(2)]
        : issue.path;
    if (dropped.size > 0 && namesAnother(path)) continue;
    // A finding that names entries of a list by index (scenario-checks.ts's Issue) when that list
    // lost entries: its indices are the shortened list's.
    const names: unknown = issue.params?.['names'];
    if (typeof names === 'string' && dropped.has(names)) continue;
    out.push({ ...issue, path });
  }
  return out;
}
