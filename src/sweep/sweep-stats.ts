// Summary statistics of one metric over a sweep's paths: mean, sample standard deviation and the
// 5th, 50th and 95th percentiles; a null (the metric does not exist on that path) is counted in
// `missing`, never treated as zero. Written out rather than taken from mathjs, to the same bits:
// docs/0070-store-service-and-cli-notes.md#srcsweepsweep-statsts.

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
  let n = 0;
  for (const v of values) if (v !== null) n++;
  const missing = values.length - n;
  if (n === 0) return { n: 0, missing, mean: null, std: null, p5: null, p50: null, p95: null };
  const sorted = new Float64Array(n);
  let k = 0;
  let sum = 0;
  // Summed in path order, as mathjs sums.
  for (const v of values)
    if (v !== null) {
      sorted[k++] = v;
      sum += v;
    }
  const mean = sum / n;
  let squares = 0;
  for (const v of values)
    if (v !== null) {
      const d = v - mean;
      squares += d * d;
    }
  sorted.sort();
  return {
    n,
    missing,
    mean,
    std: n === 1 ? 0 : Math.sqrt(squares / (n - 1)),
    p5: quantile(sorted, 0.05),
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
  };
}

/** The p-quantile of ascending values: at position p x (n - 1), (1 - f) x below + f x above. */
function quantile(sorted: Float64Array, p: number): number {
  const index = p * (sorted.length - 1);
  const whole = Math.floor(index);
  const below = sorted[whole] as number;
  if (index === whole) return below;
  const f = index % 1;
  return below * (1 - f) + (sorted[whole + 1] as number) * f;
}
