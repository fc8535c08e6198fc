// The normal and exponential draws come from ziggurats (src/core/clock/rng.ts), which replaced
// Box-Muller and -log(u). Both are exact methods, so the draws must have the same distribution,
// and the markets built on them (the synthetic model's walk, spread regimes, trade times and
// sizes) the same behaviour. Checked here with fixed seeds, so each check either always passes
// or always fails:
// - each ziggurat's layers close (the top layer has the same area as every other);
// - the draws against the exact distribution function (Kolmogorov-Smirnov) and in 200 bins of
//   equal probability (chi-square), and the share of draws from the tail beyond the base layer;
// - the synthetic market driven by the ziggurats and by the previous samplers (a test Rng with
//   Box-Muller and -log(u)): one-second price moves, spread-regime spells, times between trades,
//   trade sizes and the depth at the top, compared two-sample (Kolmogorov-Smirnov).
// Thresholds are the 0.001 critical values.
import { describe, expect, it } from 'vitest';
import { EXPONENTIAL_R, EXPONENTIAL_V, NORMAL_R, NORMAL_V, Rng, zigguratEdges } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import type { Side } from '../../src/core/model/order.ts';
import { GridBook } from '../../src/sim/book/grid-book.ts';
import { FaultSchedule } from '../../src/sim/faults.ts';
import type { GridMarketSink } from '../../src/sim/market/market-model.ts';
import { SyntheticModel, type SyntheticSpec } from '../../src/sim/market/synthetic-model.ts';

/** The samplers the ziggurats replaced: Box-Muller (one of the pair) and the inverse of the CDF. */
class PreviousSamplersRng extends Rng {
  override stream(name: string): Rng {
    return new PreviousSamplersRng(this.seed, this.name ? `${this.name}/${name}` : name);
  }

  override normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  override exponential(mean: number): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return -Math.log(u) * mean;
  }
}

/** The standard normal CDF from a cumulative Simpson integral of the density on a 1/1000 grid
 *  over [-9, 9], interpolated linearly (error below 1e-7, far under the tests' resolution). */
const PHI = (() => {
  const h = 1e-3;
  const n = 18_000;
  const density = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  const table = new Float64Array(n + 1);
  let area = 0;
  for (let i = 0; i < n; i++) {
    const a = -9 + i * h;
    area += (h / 6) * (density(a) + 4 * density(a + h / 2) + density(a + h));
    table[i + 1] = area;
  }
  return (x: number): number => {
    if (x <= -9) return 0;
    if (x >= 9) return 1;
    const t = (x + 9) / h;
    const i = Math.min(n - 1, Math.floor(t));
    return (table[i] as number) + (t - i) * ((table[i + 1] as number) - (table[i] as number));
  };
})();

const exponentialCdf = (x: number) => (x <= 0 ? 0 : 1 - Math.exp(-x));

/** One-sample Kolmogorov-Smirnov distance of `xs` from `cdf`. */
function ksOne(xs: number[], cdf: (x: number) => number): number {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i] as number);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  return d;
}

/** Two-sample Kolmogorov-Smirnov distance and its 0.001 critical value. */
function ksTwo(a: number[], b: number[]): { d: number; critical: number } {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return { d, critical: 1.949 * Math.sqrt((x.length + y.length) / (x.length * y.length)) };
}

/** Chi-square of `xs` over `bins` bins of equal probability under `cdf`. */
function chiSquare(xs: number[], cdf: (x: number) => number, bins: number): number {
  const counts = new Float64Array(bins);
  for (const x of xs) {
    const bin = Math.min(bins - 1, Math.floor(cdf(x) * bins));
    counts[bin] = (counts[bin] as number) + 1;
  }
  const expected = xs.length / bins;
  let chi = 0;
  for (const c of counts) chi += (c - expected) ** 2 / expected;
  return chi;
}

const N = 1_000_000;
/** KS critical value at 0.001 for N draws; chi-square with 199 degrees of freedom at 0.001. */
const KS_CRITICAL = 1.949 / Math.sqrt(N);
const CHI_199 = 267;

/** The checks standard normal draws fail (none for a right sampler): the exact CDF, 200 equal
 *  bins, the share beyond the base layer's r, the mean, variance and sign. */
function normalFailures(xs: number[]): string[] {
  const failed: string[] = [];
  const n = xs.length;
  if (ksOne(xs, PHI) >= KS_CRITICAL) failed.push('ks');
  if (chiSquare(xs, PHI, 200) >= CHI_199) failed.push('chi-square');
  // P(|z| > r) = 2 (1 - PHI(r)), about 2.6e-4; within 4 sd.
  const p = 2 * (1 - PHI(NORMAL_R));
  const tail = xs.filter((x) => Math.abs(x) > NORMAL_R).length;
  if (Math.abs(tail - n * p) >= 4 * Math.sqrt(n * p)) failed.push('tail');
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  if (Math.abs(mean) >= 4 / Math.sqrt(n)) failed.push('mean');
  if (Math.abs(variance - 1) >= 4 * Math.sqrt(2 / n)) failed.push('variance');
  const negative = xs.filter((x) => x < 0).length;
  if (Math.abs(negative - n / 2) >= 4 * Math.sqrt(n / 4)) failed.push('sign');
  return failed;
}

/** The checks unit exponential draws fail: the exact CDF, 200 equal bins, the share beyond r,
 *  the mean, no negative draw. */
function exponentialFailures(xs: number[]): string[] {
  const failed: string[] = [];
  const n = xs.length;
  if (!xs.every((x) => x >= 0)) failed.push('negative');
  if (ksOne(xs, exponentialCdf) >= KS_CRITICAL) failed.push('ks');
  if (chiSquare(xs, exponentialCdf, 200) >= CHI_199) failed.push('chi-square');
  const p = Math.exp(-EXPONENTIAL_R);
  const tail = xs.filter((x) => x > EXPONENTIAL_R).length;
  if (Math.abs(tail - n * p) >= 4 * Math.sqrt(n * p)) failed.push('tail');
  if (Math.abs(xs.reduce((s, x) => s + x, 0) / n - 1) >= 4 / Math.sqrt(n)) failed.push('mean');
  return failed;
}

/** A ziggurat that accepts every point of a layer's rectangle (no wedge test): x = u x[i] for a
 *  uniform u; the base layer's part past r still goes to the tail. */
const EDGES = { normal: zigguratEdges('normal'), exponential: zigguratEdges('exponential') };
function withoutWedges(rng: Rng, which: 'normal' | 'exponential'): number {
  const x = EDGES[which];
  const r = x[1] as number;
  const i = rng.int(256);
  const v = rng.next() * (x[i] as number);
  if (which === 'exponential') return i === 0 && v >= r ? r - Math.log(1 - rng.next()) : v;
  const magnitude = i === 0 && v >= r ? Math.abs(new Rng(rng.int(2 ** 30)).normal()) + r : v;
  return rng.next() < 0.5 ? -magnitude : magnitude;
}

describe('ziggurat samplers', () => {
  it('close their layers: the top layer has the area of every other', () => {
    for (const [which, f, v] of [
      ['normal', (x: number) => Math.exp(-0.5 * x * x), NORMAL_V],
      ['exponential', (x: number) => Math.exp(-x), EXPONENTIAL_V],
    ] as const) {
      const x = zigguratEdges(which);
      expect(x.length).toBe(256);
      expect(x[1]).toBe(which === 'normal' ? NORMAL_R : EXPONENTIAL_R);
      for (let i = 1; i < 256; i++) expect(x[i] as number).toBeLessThan(x[i - 1] as number);
      const top = x[255] as number;
      expect(Math.abs(top * (1 - f(top)) - v) / v).toBeLessThan(1e-9);
    }
  });

  it('draw standard normals that pass every check', () => {
    const rng = new Rng(20261124, 'normal-check');
    expect(normalFailures(Array.from({ length: N }, () => rng.normal()))).toEqual([]);
  });

  it('draw exponentials that pass every check, at any mean', () => {
    const rng = new Rng(20261124, 'exponential-check');
    expect(exponentialFailures(Array.from({ length: N }, () => rng.exponential(3.5) / 3.5))).toEqual([]);
  });

  it('draw tails of the right shape past the base layer, where the checks above see too few draws', () => {
    // Past r are about 2.6e-4 of normals and 4.5e-4 of exponentials: 40 million draws of each give
    // about 10,000 and 18,000. Given |z| > r, |z| has CDF (PHI(t) - PHI(r)) / (1 - PHI(r)); given
    // x > r, x - r is a unit exponential.
    const rng = new Rng(20261124, 'tails');
    const draws = 40_000_000;
    const normalTail: number[] = [];
    const exponentialTail: number[] = [];
    for (let i = 0; i < draws; i++) {
      const z = rng.normal();
      if (z > NORMAL_R || z < -NORMAL_R) normalTail.push(Math.abs(z));
      const x = rng.exponential(1);
      if (x > EXPONENTIAL_R) exponentialTail.push(x - EXPONENTIAL_R);
    }
    const beyond = 1 - PHI(NORMAL_R);
    const tailCdf = (t: number) => (PHI(t) - PHI(NORMAL_R)) / beyond;
    const critical = (n: number) => 1.949 / Math.sqrt(n);
    expect(normalTail.length).toBeGreaterThan(9_000);
    expect(ksOne(normalTail, tailCdf)).toBeLessThan(critical(normalTail.length));
    expect(ksOne(exponentialTail, exponentialCdf)).toBeLessThan(critical(exponentialTail.length));
    // A tail without the normal's rejection step (r plus an exponential of rate r) fails it.
    const unrejected = normalTail.map(() => NORMAL_R - Math.log(1 - rng.next()) / NORMAL_R);
    expect(ksOne(unrejected, tailCdf)).toBeGreaterThan(critical(unrejected.length));
  });

  it('as the previous samplers do', () => {
    const rng = new PreviousSamplersRng(20261124, 'previous');
    expect(normalFailures(Array.from({ length: N }, () => rng.normal()))).toEqual([]);
    expect(exponentialFailures(Array.from({ length: N }, () => rng.exponential(1)))).toEqual([]);
  });

  it('while samplers a little off fail them: 2% too wide, 1% too long, a ziggurat without wedge tests', () => {
    const rng = new Rng(5, 'wrong');
    expect(normalFailures(Array.from({ length: N }, () => 1.02 * rng.normal()))).not.toEqual([]);
    expect(exponentialFailures(Array.from({ length: N }, () => 1.01 * rng.exponential(1)))).not.toEqual([]);
    expect(normalFailures(Array.from({ length: N }, () => withoutWedges(rng, 'normal')))).not.toEqual([]);
    expect(exponentialFailures(Array.from({ length: N }, () => withoutWedges(rng, 'exponential')))).not.toEqual([]);
  });
});

describe('the synthetic market on the ziggurats and on the previous samplers', () => {
  const spec: SyntheticSpec = {
    initialMid: 6_100_000,
    walk: 'arithmetic',
    sigma: 100,
    stepMs: 100,
    regimes: [
      { spreadTicks: 2, meanDurationMs: 20_000 },
      { spreadTicks: 9, meanDurationMs: 5_000 },
    ],
    depth: [40, 60, 80, 100, 150],
    levelSpacingTicks: 5,
    trades: { ratePerSec: 5, meanQty: 20 },
  };

  interface Observed {
    /** Mid moves over each second, ticks. */
    moves: number[];
    /** Lengths of the spread regimes' spells, ms (the first and last of a run left out). */
    spells: number[];
    /** Times between other participants' trades, ms. */
    gaps: number[];
    /** Sizes of other participants' market orders, lots (the sum of the levels they took). */
    sizes: number[];
    /** Lots at the best bid, once a second. */
    topQty: number[];
  }

  /** Runs the model for `ms` over a plain grid book (no venue, no orders of ours). */
  function observe(rng: Rng, ms: number, into: Observed): void {
    const clock = new VirtualClock(0);
    const book = new GridBook();
    let lastTradeAt: number | null = null;
    let order: { at: number; qty: number } | null = null;
    let spread: number | null = null;
    let spellFrom: number | null = null;
    let firstSpell = true;
    let redrawn = false;
    const endOrder = () => {
      if (order !== null) into.sizes.push(order.qty);
      order = null;
    };
    const sink: GridMarketSink = {
      setLevel: (side, price, qty) => book.set(side, price, qty),
      setGrid: (side, best, gap, qtys, count) => {
        book.setGrid(side, best, gap, qtys, count);
        redrawn = true;
      },
      marketTrade: (_price: number, qty: number, _aggressor: Side) => {
        const now = clock.now();
        // One market order walks several levels at one instant: one trade, its lots summed.
        if (order !== null && order.at === now) {
          order.qty += qty;
          return;
        }
        endOrder();
        order = { at: now, qty };
        if (lastTradeAt !== null) into.gaps.push(now - lastTradeAt);
        lastTradeAt = now;
      },
      refreshTop: () => {
        // A redraw shows the regime's spread (after a trade the best level may be gone).
        if (!redrawn) return;
        redrawn = false;
        const regime = (book.bestAsk() as number) - (book.bestBid() as number);
        if (regime === spread) return;
        if (spellFrom !== null && !firstSpell) into.spells.push(clock.now() - spellFrom);
        if (spellFrom !== null) firstSpell = false;
        spread = regime;
        spellFrom = clock.now();
      },
      levelQty: (side, price) => book.qty(side, price),
      best: (side) => (side === 'bid' ? book.bestBid() : book.bestAsk()),
      available: (side, price) => book.qty(side, price),
    };
    const model = new SyntheticModel(
      clock,
      rng.stream('market'),
      sink,
      new FaultSchedule([], rng.stream('faults')),
      spec,
    );
    model.start();
    let lastMid = model.midTicks();
    const second = (): void => {
      const mid = model.midTicks();
      into.moves.push(mid - lastMid);
      lastMid = mid;
      into.topQty.push(book.qty('bid', book.bestBid() as number));
      clock.post(second, 1000);
    };
    clock.post(second, 1000);
    clock.advanceTo(ms);
    endOrder();
  }

  function observeMany(make: (seed: number) => Rng): Observed {
    const o: Observed = { moves: [], spells: [], gaps: [], sizes: [], topQty: [] };
    for (let seed = 1; seed <= 24; seed++) observe(make(seed), 30 * 60_000, o);
    return o;
  }

  it('has the same distribution of price moves, spreads, trade times and sizes, and top depth', () => {
    const now = observeMany((seed) => new Rng(seed));
    const before = observeMany((seed) => new PreviousSamplersRng(seed));
    for (const key of ['moves', 'spells', 'gaps', 'sizes', 'topQty'] as const) {
      // Enough of each to mean something: 24 half-hour runs.
      expect(now[key].length).toBeGreaterThan(key === 'spells' ? 2_000 : 20_000);
      const { d, critical } = ksTwo(now[key], before[key]);
      expect(d, key).toBeLessThan(critical);
    }
    // The walk's scale, which a two-sample KS sees only roughly: sigma ticks per sqrt(second)
    // either way (the log of a standard deviation from n draws has a standard error of
    // 1 / sqrt(2n)), within 4 standard errors.
    const logSd = (xs: number[]) => 0.5 * Math.log(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    const n1 = now.moves.length;
    const n2 = before.moves.length;
    expect(Math.abs(logSd(now.moves) - Math.log(spec.sigma))).toBeLessThan(4 / Math.sqrt(2 * n1));
    expect(Math.abs(logSd(now.moves) - logSd(before.moves))).toBeLessThan(4 * Math.sqrt(1 / (2 * n1) + 1 / (2 * n2)));
  });
});
