// Order statistics the benches report.

/** The q-quantile of xs (0 <= q <= 1): the value at index floor(q x n) of the sorted values (the
 *  last for q = 1); NaN for no values. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number);
}
