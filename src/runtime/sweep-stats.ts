// Summary statistics of one metric over a sweep's paths, with mathjs: mean, sample standard
// deviation (n - 1 in the denominator; mathjs gives 0 for a single value) and the 5th, 50th and
// 95th percentiles (mathjs quantileSeq: linear interpolation between order statistics, as
// numpy's default). A null value is a path where the metric does not exist (nothing filled, so
// no shortfall; the parent never completed, so no duration): it is counted in `missing` and
// left out of the figures, never treated as zero.
//
// mathjs takes about a second to load, so it is required on first use rather than imported:
// `execsim run` and every other command that never computes a statistic does not pay for it.
import { createRequire } from 'node:module';

type MathJs = Pick<typeof import('mathjs'), 'mean' | 'std' | 'quantileSeq'>;

let math: MathJs | undefined;
const mathjs = (): MathJs => (math ??= createRequire(import.meta.url)('mathjs/number') as MathJs);

export interface MetricStats {
  /** Paths with a value. */
  readonly n: number;
  /** Paths without one (null), excluded from the figures below. */
  readonly missing: number;
  /** The figures are null when n is 0. */
  readonly mean: number | null;
  readonly std: number | null;
  readonly p5: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
}

export function metricStats(values: ReadonlyArray<number | null>): MetricStats {
  const present = values.filter((v): v is number => v !== null);
  const missing = values.length - present.length;
  if (present.length === 0) return { n: 0, missing, mean: null, std: null, p5: null, p50: null, p95: null };
  const m = mathjs();
  const [p5, p50, p95] = m.quantileSeq(present, [0.05, 0.5, 0.95]) as number[];
  return {
    n: present.length,
    missing,
    mean: m.mean(present) as number,
    std: m.std(present) as unknown as number,
    p5: p5 ?? null,
    p50: p50 ?? null,
    p95: p95 ?? null,
  };
}
