// The histogram of a stored sweep's shortfall in bps: each stored path's shortfall over all its
// parents, or one parent's. Every stored path is counted once, in a bin or as missing (no value:
// nothing filled, or the parent absent); the bins split the range of the values evenly
// (binEdges). A parent that no stored path has is refused (UnknownParentError). Reading writes
// nothing.
import type Database from 'better-sqlite3';

export interface SweepHistogramQuery {
  /** 1 to 200; default 30. */
  readonly bins?: number | undefined;
  /** One parent's shortfall; default: each path's shortfall over all its parents. */
  readonly parent?: string | undefined;
}

export interface SweepHistogram {
  readonly sweepId: string;
  readonly metric: 'shortfallBps';
  readonly parent: string | null;
  /** Stored paths: every one is counted once, in a bin or in `missing`. */
  readonly paths: number;
  /** bins + 1 ascending edges; bin i holds edges[i] <= x < edges[i+1], the last one also x = its
   *  upper edge. Empty (with counts) when no path has a value. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** Paths without a value: nothing filled, or (for one parent) the parent absent. */
  readonly missing: number;
  /** A grid sweep's histogram per grid point, on the same edges (so the points compare bin for
   *  bin); null for a plain sweep. */
  readonly points: readonly PointHistogram[] | null;
}

/** One grid point's paths in the sweep's bins. */
export interface PointHistogram {
  readonly point: number;
  readonly paths: number;
  readonly counts: readonly number[];
  readonly missing: number;
}

/** A parent no stored path of the sweep has: a misspelt id would otherwise count every path as
 *  missing, which reads like a parent that never filled. */
export class UnknownParentError extends Error {}

/** How many of the parents the sweep's paths do have an UnknownParentError names. */
const NAMED_PARENTS = 20;

export const DEFAULT_BINS = 30;
export const MAX_BINS = 200;

/** `bins` + 1 ascending edges from `min` to `max` (interpolated, so no overflow at the extremes);
 *  a single value gets a bin of width 1 around it. */
export function binEdges(min: number, max: number, bins: number): number[] {
  const lo = min === max ? min - 0.5 : min;
  const hi = min === max ? max + 0.5 : max;
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const t = i / bins;
    const e = i === 0 ? lo : i === bins ? hi : lo * (1 - t) + hi * t;
    edges.push(Math.min(hi, Math.max(edges.at(-1) ?? lo, e)));
  }
  return edges;
}

/** The histogram of shortfall bps over the stored paths, or null when there is no such sweep. */
export function sweepHistogram(db: Database.Database, id: string, q: SweepHistogramQuery): SweepHistogram | null {
  const sweep = db.prepare('SELECT paths_done, grid_json FROM sweeps WHERE id = ?').get(id) as
    { paths_done: number; grid_json: string | null } | undefined;
  if (!sweep) return null;
  const bins = q.bins ?? DEFAULT_BINS;
  if (!Number.isSafeInteger(bins) || bins < 1 || bins > MAX_BINS) throw new RangeError(`bins must be 1 to ${MAX_BINS}`);
  const parent = q.parent ?? null;
  // The paths stored, counted from the path rows (the sweep row's paths_done advances with them),
  // per grid point (a plain sweep's are all point 0).
  const perPoint = db
    .prepare('SELECT grid_point AS point, COUNT(*) AS paths FROM sweep_paths WHERE sweep_id = ? GROUP BY grid_point')
    .all(id) as { point: number; paths: number }[];
  const paths = perPoint.reduce((n, r) => n + r.paths, 0);
  const rows = (
    parent === null
      ? db
          .prepare(
            `SELECT shortfall_bps AS x, grid_point AS point FROM sweep_paths
             WHERE sweep_id = ? AND shortfall_bps IS NOT NULL ORDER BY shortfall_bps`,
          )
          .all(id)
      : db
          .prepare(
            `SELECT pp.shortfall_bps AS x, p.grid_point AS point FROM sweep_path_parents pp
             JOIN sweep_paths p ON p.sweep_id = pp.sweep_id AND p.path = pp.path
             WHERE pp.sweep_id = ? AND pp.parent_id = ? AND pp.shortfall_bps IS NOT NULL ORDER BY pp.shortfall_bps`,
          )
          .all(id, parent)
  ) as { x: number; point: number }[];
  if (parent !== null && rows.length === 0 && paths > 0) refuseUnknownParent(db, id, parent);
  const grid = sweep.grid_json !== null;
  const base = { sweepId: id, metric: 'shortfallBps' as const, parent, paths, missing: paths - rows.length };
  const first = rows[0];
  const last = rows.at(-1);
  if (first === undefined || last === undefined)
    return {
      ...base,
      edges: [],
      counts: [],
      points: grid ? perPoint.map((r) => ({ point: r.point, paths: r.paths, counts: [], missing: r.paths })) : null,
    };
  const edges = binEdges(first.x, last.x, bins);
  const counts = new Array<number>(bins).fill(0);
  const byPoint = new Map(perPoint.map((r) => [r.point, { ...r, counts: new Array<number>(bins).fill(0), valued: 0 }]));
  let b = 0;
  for (const { x, point } of rows) {
    while (b < bins - 1 && x >= (edges[b + 1] as number)) b++;
    counts[b] = (counts[b] as number) + 1;
    const p = byPoint.get(point);
    if (p !== undefined) {
      p.counts[b] = (p.counts[b] as number) + 1;
      p.valued++;
    }
  }
  const points = grid
    ? [...byPoint.values()]
        .sort((a, c) => a.point - c.point)
        .map((p) => ({ point: p.point, paths: p.paths, counts: p.counts, missing: p.paths - p.valued }))
    : null;
  return { ...base, edges, counts, points };
}

/** Throws UnknownParentError, naming the parents the paths have, when no stored path of the
 *  sweep has `parent` (with or without a value). */
function refuseUnknownParent(db: Database.Database, id: string, parent: string): void {
  if (db.prepare('SELECT 1 FROM sweep_path_parents WHERE sweep_id = ? AND parent_id = ? LIMIT 1').get(id, parent))
    return;
  const known = (
    db
      .prepare('SELECT DISTINCT parent_id AS p FROM sweep_path_parents WHERE sweep_id = ? ORDER BY parent_id LIMIT ?')
      .all(id, NAMED_PARENTS + 1) as { p: string }[]
  ).map((r) => r.p);
  const list =
    known.length === 0
      ? 'its paths have no parent orders'
      : `its paths have ${known.slice(0, NAMED_PARENTS).join(', ')}${known.length > NAMED_PARENTS ? ', ...' : ''}`;
  throw new UnknownParentError(`no stored path of this sweep has a parent "${parent}" (${list})`);
}
