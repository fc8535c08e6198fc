// Stored runs side by side (GET /compare, the compare page): headline and per-parent figures with
// their deltas against the first known run, the scenario fields in which the runs differ (JSON
// paths), and whether their digests are equal. Pure: the read model reads the rows and parses the
// stored scenarios (one that does not parse is its StoredDataError, naming the run).
import type { Comparison, ComparedParent, ParentDeltas, ParentMetrics, RunSummary } from './read-model-port.ts';

/** A run to compare: its summary, its scenario as stored (canonical JSON, parsed) and its parents. */
export interface ComparedInput {
  readonly summary: RunSummary;
  readonly scenario: unknown;
  readonly parents: readonly ParentMetrics[];
}

/** `known` in the order asked (the first is the baseline); `unknown` the ids no run has. */
export function compareRuns(known: readonly ComparedInput[], unknown: readonly string[]): Comparison {
  const base = known[0];
  const minus = (a: number | null, b: number | null | undefined): number | null =>
    a === null || b === null || b === undefined ? null : round6(a - b);
  const runs = known.map(({ summary: s }) => ({
    id: s.id,
    scenario: s.scenario,
    scenarioHash: s.scenarioHash,
    seed: s.seed,
    state: s.state,
    digest: s.digest,
    passed: s.passed,
    shortfallBps: s.shortfallBps,
    fillRatio: s.fillRatio,
    netPnl: s.netPnl,
    trades: s.trades,
    winRate: s.winRate,
    profitFactor: s.profitFactor,
    sharpe: s.sharpe,
    maxDrawdown: s.maxDrawdown,
    delta: {
      shortfallBps: minus(s.shortfallBps, base?.summary.shortfallBps),
      fillRatio: minus(s.fillRatio, base?.summary.fillRatio),
      netPnl: minus(s.netPnl, base?.summary.netPnl),
      sharpe: minus(s.sharpe, base?.summary.sharpe),
    },
  }));
  const matched = known.map((k) => matchParents(base?.parents ?? [], k.parents));
  // Rows: the baseline's parents in its order, then those of the other runs left unmatched.
  const rows: string[] = (base?.parents ?? []).map((p) => p.parentOrderId);
  known.forEach((k, i) => {
    for (const p of k.parents) {
      const key = matched[i]?.get(p.parentOrderId)?.key ?? p.parentOrderId;
      if (!rows.includes(key)) rows.push(key);
    }
  });
  const parents = rows.map((key): ComparedParent => {
    const first = base?.parents.find((p) => p.parentOrderId === key);
    return {
      parentOrderId: key,
      runs: known.map((k, i) => {
        let m: ParentMetrics | null = null;
        let by: 'id' | 'position' = 'id';
        for (const p of k.parents) {
          const match = matched[i]?.get(p.parentOrderId);
          if ((match?.key ?? p.parentOrderId) !== key) continue;
          m = p;
          by = match?.by ?? 'id';
          break;
        }
        const delta: ParentDeltas | null =
          m === null || first === undefined
            ? null
            : {
                shortfallBps: minus(m.shortfallBps, first.shortfallBps),
                fillRatio: minus(m.fillRatio, first.fillRatio),
                vwapSlippageBps: minus(m.vwapSlippageBps, first.vwapSlippageBps),
                twapSlippageBps: minus(m.twapSlippageBps, first.twapSlippageBps),
                durationMs: minus(m.durationMs, first.durationMs),
              };
        return {
          runId: k.summary.id,
          metrics: m,
          delta,
          ...(m !== null && by === 'position' ? { matchedBy: by } : {}),
        };
      }),
    };
  });
  const diff = new Set<string>();
  if (base !== undefined) for (const k of known.slice(1)) jsonDiff(base.scenario, k.scenario, '', diff);
  const digests = known.map((k) => k.summary.digest);
  return {
    baseline: base?.summary.id ?? null,
    runs,
    unknown,
    digestsEqual: digests.length > 0 && digests.every((d) => d !== null && d === digests[0]),
    scenarioDiff: [...diff].sort(),
    parents,
  };
}

/**
 * How a run's parents line up with the baseline's: by id first; then the parents left on each
 * side (ids the other has not), in creation order, by position: this run's n-th left with the
 * baseline's n-th left, when their sides agree (two runs of strategies name their parents after
 * their signals, which differ run to run). Keyed by this run's parent id: the baseline's id it
 * stands beside, and how it was matched. A parent left over has no entry (a row of its own).
 */
export function matchParents(
  baseline: readonly ParentMetrics[],
  parents: readonly ParentMetrics[],
): Map<string, { readonly key: string; readonly by: 'id' | 'position' }> {
  const out = new Map<string, { key: string; by: 'id' | 'position' }>();
  const baseIds = new Set(baseline.map((p) => p.parentOrderId));
  const taken = new Set<string>();
  for (const p of parents)
    if (baseIds.has(p.parentOrderId)) {
      out.set(p.parentOrderId, { key: p.parentOrderId, by: 'id' });
      taken.add(p.parentOrderId);
    }
  const free = baseline.filter(
    (b) => !taken.has(b.parentOrderId) && !parents.some((p) => p.parentOrderId === b.parentOrderId),
  );
  parents
    .filter((p) => !out.has(p.parentOrderId))
    .forEach((p, j) => {
      const b = free[j];
      if (b !== undefined && b.side === p.side) out.set(p.parentOrderId, { key: b.parentOrderId, by: 'position' });
    });
  return out;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6 + 0;

/** Adds to `out` every path where `a` and `b` differ: object keys present in either, array
 *  items by index, leaves by value. */
function jsonDiff(a: unknown, b: unknown, path: string, out: Set<string>): void {
  if (Object.is(a, b)) return;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) jsonDiff(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (isObj(a) && isObj(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      jsonDiff(a[key], b[key], path === '' ? key : `${path}.${key}`, out);
    return;
  }
  out.add(path === '' ? '(whole scenario)' : path);
}
