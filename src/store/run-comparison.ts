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
    delta: {
      shortfallBps: minus(s.shortfallBps, base?.summary.shortfallBps),
      fillRatio: minus(s.fillRatio, base?.summary.fillRatio),
    },
  }));
  const parentIds: string[] = [];
  for (const k of known)
    for (const p of k.parents) if (!parentIds.includes(p.parentOrderId)) parentIds.push(p.parentOrderId);
  const parents = parentIds.map((pid): ComparedParent => {
    const first = base?.parents.find((p) => p.parentOrderId === pid);
    return {
      parentOrderId: pid,
      runs: known.map((k) => {
        const m = k.parents.find((p) => p.parentOrderId === pid) ?? null;
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
        return { runId: k.summary.id, metrics: m, delta };
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
