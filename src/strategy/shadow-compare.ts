// The shadow validation's statistics: two series of a model's outputs over the same inputs (the
// live strategy's and a candidate's) compared by correlation and relative mean difference; the
// candidate passes when it moves with the live one and on its scale. Pure: a swap
// (strategy-slot.ts) and its tests call it alike.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategyshadow-comparets

export interface Thresholds {
  readonly minCorrelation: number;
  readonly maxMeanDifference: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { minCorrelation: 0.5, maxMeanDifference: 0.5 };

export interface ShadowComparison {
  readonly samples: number;
  /** Null when either series is constant (or there are fewer than two samples). */
  readonly correlation: number | null;
  /** mean |candidate - live| / mean |live|; null when the live outputs are all 0 and the
   *  candidate's are not. */
  readonly meanDifference: number | null;
  /** Samples where one is above 0 and the other below. */
  readonly signChanges: number;
  readonly liveRange: readonly [number, number] | null;
  readonly candidateRange: readonly [number, number] | null;
  readonly passed: boolean;
  readonly reason: string;
}

export function compareOutputs(live: readonly number[], candidate: readonly number[], t: Thresholds): ShadowComparison {
  if (live.length !== candidate.length)
    throw new Error(`compareOutputs: ${live.length} live samples against ${candidate.length}`);
  const n = live.length;
  const liveRange = range(live);
  const candidateRange = range(candidate);
  let absDiff = 0;
  let absLive = 0;
  let signChanges = 0;
  let equal = true;
  for (let i = 0; i < n; i++) {
    const l = live[i] as number;
    const c = candidate[i] as number;
    if (l !== c) equal = false;
    absDiff += Math.abs(c - l);
    absLive += Math.abs(l);
    if ((l > 0 && c < 0) || (l < 0 && c > 0)) signChanges++;
  }
  const liveConstant = liveRange === null || liveRange[0] === liveRange[1];
  const candidateConstant = candidateRange === null || candidateRange[0] === candidateRange[1];
  const correlation = n < 2 || liveConstant || candidateConstant ? null : pearson(live, candidate);
  const ratio = absLive > 0 ? absDiff / absLive : absDiff === 0 ? 0 : null;
  const meanDifference = ratio !== null && Number.isFinite(ratio) ? ratio : null;
  const figures = { samples: n, correlation, meanDifference, signChanges, liveRange, candidateRange };
  const verdict = (passed: boolean, reason: string): ShadowComparison => ({ ...figures, passed, reason });

  if (n === 0) return verdict(false, 'no samples to compare');
  if (equal) return verdict(true, `the candidate's outputs equal the live strategy's on all ${n} samples`);
  if (correlation === null) {
    const which = liveConstant && candidateConstant ? 'both' : liveConstant ? "the live strategy's" : "the candidate's";
    return verdict(
      false,
      n < 2
        ? 'one sample cannot show a correlation'
        : liveConstant || candidateConstant
          ? `correlation is not defined: ${which} outputs are constant over ${n} samples, and they differ`
          : `correlation is not computable: the outputs are out of floating-point range`,
    );
  }
  if (correlation < t.minCorrelation)
    return verdict(false, `correlation ${decimal(correlation)} is below ${decimal(t.minCorrelation)}`);
  if (meanDifference === null)
    return verdict(
      false,
      absLive === 0
        ? "the live strategy's outputs are all 0 and the candidate's are not"
        : 'the mean difference is not computable: the outputs are out of floating-point range',
    );
  if (meanDifference > t.maxMeanDifference)
    return verdict(false, `mean difference ${decimal(meanDifference)} is above ${decimal(t.maxMeanDifference)}`);
  return verdict(
    true,
    `correlation ${decimal(correlation)} >= ${decimal(t.minCorrelation)} and mean difference ` +
      `${decimal(meanDifference)} <= ${decimal(t.maxMeanDifference)} over ${n} samples`,
  );
}

/** A figure for an event or a message: four decimals, no "-0". */
export function decimal(x: number): string {
  const s = x.toFixed(4);
  return s === '-0.0000' ? '0.0000' : s;
}

function range(xs: readonly number[]): readonly [number, number] | null {
  if (xs.length === 0) return null;
  let lo = xs[0] as number;
  let hi = lo;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** Pearson's r, two-pass (deviations from the means), clamped to [-1, 1] against rounding; null
 *  when the sums leave floating-point range. */
function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  return Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : null;
}
