// Down-sampling of chart series on the server, so that a page never receives more points than
// it can draw: the points kept are chosen by time bucket, and within a bucket by value, so that
// what a chart shows (the range a price moved through, the spikes) survives. Pure functions over
// columns; series-window.ts applies them to a run's chart series.

/**
 * The indices of the points to keep of a series of `t.length` points with the value `columns`
 * (each as long as `t`; `t` in ascending order), at most `maxPoints` (at least 2) of them, in
 * ascending order. With no more points than that, all are kept. Otherwise the span t[0]..t[last]
 * is cut into B equal buckets, B = floor(maxPoints / (2 x columns)), and each bucket keeps, for
 * every column, the point of its lowest value (the first such) and of its highest (the last
 * such, so a series that only grows keeps its last point); nulls are no value. When even one
 * bucket would need more than maxPoints points, the whole series is one bucket and keeps the
 * point of the lowest value of any column and the point of the highest.
 */
export function minMaxIndices(
  t: readonly number[],
  columns: readonly (readonly (number | null)[])[],
  maxPoints: number,
): number[] {
  const n = t.length;
  const limit = Math.max(2, Math.floor(maxPoints));
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  if (columns.length === 0) return evenIndices(n, limit);
  const buckets = Math.floor(limit / (2 * columns.length));
  if (buckets === 0) return envelope(n, columns);
  const t0 = t[0] as number;
  const span = (t[n - 1] as number) - t0;
  const out: number[] = [];
  const lo = new Array<number>(columns.length).fill(-1);
  const hi = new Array<number>(columns.length).fill(-1);
  let bucket = 0;
  const flush = (): void => {
    const kept = new Set<number>();
    for (let c = 0; c < columns.length; c++) {
      if (lo[c] !== -1) kept.add(lo[c] as number);
      if (hi[c] !== -1) kept.add(hi[c] as number);
      lo[c] = -1;
      hi[c] = -1;
    }
    for (const i of [...kept].sort((a, b) => a - b)) out.push(i);
  };
  for (let i = 0; i < n; i++) {
    const b = bucketOf(t[i] as number, t0, span, buckets);
    if (b !== bucket) {
      flush();
      bucket = b;
    }
    for (let c = 0; c < columns.length; c++) {
      const v = (columns[c] as readonly (number | null)[])[i];
      if (v === null || v === undefined) continue;
      const l = lo[c] as number;
      const h = hi[c] as number;
      if (l === -1 || v < ((columns[c] as readonly number[])[l] as number)) lo[c] = i;
      if (h === -1 || v >= ((columns[c] as readonly number[])[h] as number)) hi[c] = i;
    }
  }
  flush();
  return out;
}

/** The bucket (0..buckets-1) a time falls in, over [t0, t0 + span] cut into `buckets` equal parts. */
export function bucketOf(time: number, t0: number, span: number, buckets: number): number {
  if (span <= 0) return 0;
  return Math.min(buckets - 1, Math.floor(((time - t0) / span) * buckets));
}

/** The first lowest and the last highest point over every column. */
function envelope(n: number, columns: readonly (readonly (number | null)[])[]): number[] {
  let lo = -1;
  let hi = -1;
  let loV = Infinity;
  let hiV = -Infinity;
  for (let i = 0; i < n; i++) {
    for (const col of columns) {
      const v = col[i];
      if (v === null || v === undefined) continue;
      if (v < loV) [lo, loV] = [i, v];
      if (v >= hiV) [hi, hiV] = [i, v];
    }
  }
  return [...new Set([lo, hi].filter((i) => i !== -1))].sort((a, b) => a - b);
}

/** `limit` indices spread evenly over 0..n-1, the first and the last included. */
export function evenIndices(n: number, limit: number): number[] {
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  if (limit <= 1) return n > 0 ? [n - 1] : [];
  const out: number[] = [];
  for (let j = 0; j < limit; j++) out.push(Math.round((j * (n - 1)) / (limit - 1)));
  return out;
}

/** `values` picked at `kept`. */
export function pick<T>(values: readonly T[], kept: readonly number[]): T[] {
  return kept.map((i) => values[i] as T);
}

/** `values` summed into the points kept: each point's value goes to the first point kept at or
 *  after it (those after the last one kept, to the last one), so the total is unchanged. */
export function sumInto(values: readonly number[], kept: readonly number[]): number[] {
  const out = new Array<number>(kept.length).fill(0);
  if (kept.length === 0) return out;
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    while (j < kept.length - 1 && (kept[j] as number) < i) j++;
    out[j] = (out[j] as number) + (values[i] as number);
  }
  return out;
}
