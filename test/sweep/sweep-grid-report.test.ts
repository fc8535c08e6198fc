// Which grid point is named best: a point ranks for the shortfall objectives only when at least
// half its paths (and two) have a shortfall, so a setting that rarely fills is not named best on
// the few paths where it did. The fill-ratio and net P&L objectives rank every point. The
// rankings order the points by mean net P&L (highest first) and by mean shortfall (lowest first,
// the unranked after), equal means in point order, and start with the point named best.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridReport, RANK_MIN_SHARE, type UnitFigures } from '../../src/sweep/sweep-grid-report.ts';
import type { GridAxis } from '../../src/sweep/sweep-grid.ts';
import { formatGrid } from '../../src/cli/format-sweep.ts';

const axes: GridAxis[] = [{ key: 'twap.slices', values: ['5', '10', '20'] }];

/** `paths` paths of each point: `filled(point, path)` says whether the path has a shortfall. */
function units(
  paths: number,
  shortfall: (point: number, path: number) => number,
  filled: (point: number, path: number) => boolean,
  pnl: (point: number, path: number) => number | null = () => null,
): UnitFigures[] {
  const out: UnitFigures[] = [];
  for (let point = 0; point < 3; point++)
    for (let path = 0; path < paths; path++) {
      const has = filled(point, path);
      out.push({
        point,
        path,
        shortfallBps: has ? shortfall(point, path) : null,
        fillRatio: has ? 1 : 0,
        netPnl: pnl(point, path),
        passed: has,
      });
    }
  return out;
}

describe('the best grid point', () => {
  it('is not a point that filled on too few paths, however low its shortfall there', () => {
    // Point 2 fills on 4 of 20 paths, at -50 bps; points 0 and 1 on all, at 3 and 1 bps.
    const g = gridReport(
      axes,
      units(
        20,
        (point) => [3, 1, -50][point] as number,
        (point, path) => point !== 2 || path < 4,
      ),
    );
    expect(g.points.map((p) => p.ranked)).toEqual([true, true, false]);
    expect(g.best.meanShortfall).toBe(1);
    expect(g.best.p95Shortfall).toBe(1);
    expect(g.best.fillRatio).toBe(0);
    // Still reported, with its paired difference to the best over the paths both have.
    expect(g.points[2]?.shortfallBps.n).toBe(4);
    expect(g.points[2]?.vsBest).toMatchObject({ n: 4, mean: -51 });
    const table = formatGrid(g).join('\n');
    expect(table).toMatch(/^ *2 +twap\.slices=20 +4\* /m);
    expect(table).toContain('n*: a shortfall on fewer than 50% of the point');
    expect(table).toContain('lowest mean shortfall:       point 1: twap.slices=10');
  });

  it('property: a named best is ranked and has the lowest mean (or p95) among ranked points; no point is ranked with too few values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 90, maxLength: 90 }),
        fc.array(fc.boolean(), { minLength: 90, maxLength: 90 }),
        (paths, values, fills) => {
          const g = gridReport(
            axes,
            units(
              paths,
              (point, path) => values[point * 30 + path] as number,
              (point, path) => fills[point * 30 + path] as boolean,
            ),
          );
          for (const p of g.points)
            expect(p.ranked).toBe(p.shortfallBps.n >= 2 && p.shortfallBps.n >= RANK_MIN_SHARE * p.paths);
          const ranked = g.points.filter((p) => p.ranked);
          for (const [key, best] of [
            ['mean', g.best.meanShortfall],
            ['p95', g.best.p95Shortfall],
          ] as const) {
            if (ranked.length === 0) {
              expect(best).toBeNull();
              continue;
            }
            const winner = g.points[best as number];
            expect(winner?.ranked).toBe(true);
            for (const p of ranked)
              expect(winner?.shortfallBps[key] as number).toBeLessThanOrEqual(p.shortfallBps[key] as number);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the ranking of grid points', () => {
  it('orders by mean net P&L, highest first, and by mean shortfall, lowest first; ties in point order', () => {
    // Net P&L means: point 0 -5, point 1 +2, point 2 +2 (a tie: point 1 first). Shortfall means:
    // 3, 1, 1 (a tie again).
    const g = gridReport(
      axes,
      units(
        4,
        (point) => [3, 1, 1][point] as number,
        () => true,
        (point, path) => [-5, 2, 2][point]! + (path % 2 === 0 ? 1 : -1),
      ),
    );
    expect(g.points.map((p) => p.netPnl.mean)).toEqual([-5, 2, 2]);
    expect(g.ranking.netPnl).toEqual([1, 2, 0]);
    expect(g.best.netPnl).toBe(1);
    expect(g.ranking.shortfall).toEqual([1, 2, 0]);
    const table = formatGrid(g).join('\n');
    expect(table).toContain('highest mean net P&L:        point 1: twap.slices=10');
    expect(table).toContain('by mean net P&L (quote currency, highest first): 1 (2.00), 2 (2.00), 0 (-5.00)');
    expect(table).toContain('by mean shortfall (bps, lowest first): 1 (1.00), 2 (1.00), 0 (3.00)');
  });

  it('puts points without the figure last: no net P&L (results stored before paths had one), not ranked for shortfall', () => {
    const g = gridReport(
      axes,
      units(
        4,
        (point) => [-9, 5, 2][point] as number,
        (point) => point !== 0, // point 0 never fills: not ranked for shortfall
        (point) => (point === 1 ? null : point),
      ),
    );
    expect(g.ranking.netPnl).toEqual([2, 0, 1]);
    expect(g.ranking.shortfall).toEqual([2, 1, 0]);
    expect(g.best.netPnl).toBe(2);
  });

  it('property: each ranking holds every point once, in order of its figure, ties in point order, the best first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 36, maxLength: 36 }),
        fc.array(fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }), { minLength: 36, maxLength: 36 }),
        fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
        (paths, shortfalls, pnls, fills) => {
          const g = gridReport(
            axes,
            units(
              paths,
              (point, path) => shortfalls[point * 12 + path] as number,
              (point, path) => fills[point * 12 + path] as boolean,
              (point, path) => pnls[point * 12 + path] as number | null,
            ),
          );
          for (const [order, key, lowest, best] of [
            [g.ranking.netPnl, (p: (typeof g.points)[number]) => p.netPnl.mean, false, g.best.netPnl],
            [
              g.ranking.shortfall,
              (p: (typeof g.points)[number]) => (p.ranked ? p.shortfallBps.mean : null),
              true,
              g.best.meanShortfall,
            ],
          ] as const) {
            expect([...order].sort()).toEqual([0, 1, 2]);
            const values = order.map((i) => key(g.points[i]!));
            for (let k = 1; k < order.length; k++) {
              const [a, b] = [values[k - 1]!, values[k]!];
              if (a === null) expect(b).toBeNull();
              if (a !== null && b !== null) {
                expect(lowest ? a <= b : a >= b).toBe(true);
                if (a === b) expect(order[k - 1]! < order[k]!).toBe(true);
              }
              if (a === null && b === null) expect(order[k - 1]! < order[k]!).toBe(true);
            }
            if (best !== null) expect(order[0]).toBe(best);
            else expect(values[0] ?? null).toBeNull();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("a grid point's costs", () => {
  it("are the statistics of its paths' cost figures, a path without them missing, and the table shows their means", () => {
    const base = units(
      4,
      () => 1,
      () => true,
    );
    // Point p's path k: spread 2 + k bps, markout p - k; the last path of point 1 has no costs
    // (a unit stored before paths had them).
    const withCosts: UnitFigures[] = base.map((u) =>
      u.point === 1 && u.path === 3
        ? u
        : {
            ...u,
            costs: {
              delayBps: 0,
              timingBps: u.point,
              spreadBps: 2 + u.path,
              opportunityBps: 0,
              feesBps: 10,
              totalCostBps: 12 + u.point + u.path,
              markout5sBps: u.point - u.path,
              markout1sBps: null,
              markout30sBps: 2 * (u.point - u.path),
              markout5mBps: null,
              participationPct: 5 * u.point,
            },
          },
    );
    const g = gridReport(axes, withCosts);
    expect(g.points[0]?.costs?.spreadBps).toMatchObject({ n: 4, mean: 3.5, missing: 0 });
    expect(g.points[1]?.costs?.spreadBps).toMatchObject({ n: 3, mean: 3, missing: 1 });
    expect(g.points[2]?.costs?.markout5sBps.mean).toBe(0.5);
    expect(g.points[2]?.costs?.markout30sBps.mean).toBe(1);
    expect(g.points[2]?.costs?.markout1sBps).toMatchObject({ n: 0, mean: null });
    expect(g.points[2]?.costs?.participationPct.mean).toBe(10);
    expect(g.points[2]?.costs?.totalCostBps.ci95).not.toBeNull();
    const table = formatGrid(g).join('\n');
    expect(table).toContain('cost by point, bps of the decision value');
    // Every figure has a column, the markouts by horizon.
    expect(table).toMatch(
      /^point +delay +timing +spread +opportunity +fees +total +markout 1 s +markout 5 s +markout 30 s +markout 5 min +participation %$/m,
    );
    expect(table).toMatch(/^ *0 +0\.00 +0\.00 +3\.50 +0\.00 +10\.00 +13\.50 +- +-1\.50 +-3\.00 +- +0\.00$/m);
  });
});

describe('the grid ranked by a chosen figure (--rank)', () => {
  const trading = (sharpe: number, drawdown: number) => ({
    sharpe,
    sortino: null,
    winRate: null,
    profitFactor: null,
    expectancy: null,
    maxDrawdown: drawdown,
    trades: 1,
    exposure: 0.5,
  });
  const field = fc.constantFrom('netPnl', 'sharpe', 'drawdown') as fc.Arbitrary<'netPnl' | 'sharpe' | 'drawdown'>;

  it('orders the points by the mean, pairs each with the top over the same paths, and says when the CI covers 0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 3 }), {
          minLength: 2,
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 3, maxLength: 3 }),
        field,
        (noise, shift, by) => {
          // A path's figure: its market noise (shared by every point: common random numbers) plus
          // the point's shift.
          const us: UnitFigures[] = [];
          noise.forEach((row, path) =>
            row.forEach((_, point) => {
              const x = (noise[path]?.[0] ?? 0) + (shift[point] ?? 0) + (row[point] ?? 0) / 100;
              us.push({
                point,
                path,
                shortfallBps: null,
                fillRatio: 1,
                netPnl: x,
                passed: point !== 1,
                trading: trading(x, Math.abs(x)),
              });
            }),
          );
          const g = gridReport(axes, us, by);
          const r = g.rank;
          if (r === undefined) throw new Error('no rank');
          expect(r.by).toBe(by);
          expect(r.points.map((p) => p.point).sort()).toEqual([0, 1, 2]);
          const means = r.points.map((p) => p.mean as number);
          expect(means).toEqual([...means].sort((a, b) => (by === 'drawdown' ? a - b : b - a)));
          expect(r.points[0]?.vsTop).toBeNull();
          for (const p of r.points.slice(1)) {
            expect(p.vsTop?.n).toBe(noise.length);
            const top = r.points[0]?.mean as number;
            expect(p.vsTop?.mean as number).toBeCloseTo((p.mean as number) - top, 9);
            const ci = p.vsTop?.ci95;
            expect(p.significant).toBe(ci == null ? null : !(ci[0] <= 0 && ci[1] >= 0));
            expect(p.passRate).toBe(p.point === 1 ? 0 : 1);
          }
          // Trading figures per point, over its paths.
          expect(g.points.every((p) => p.trading?.sharpe.n === noise.length)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('prints "not significant" beside a point the top one does not beat beyond noise', () => {
    // Points 0 and 2 differ only by path noise that averages out; point 1 is 10 lower every path.
    const us: UnitFigures[] = [];
    for (let path = 0; path < 6; path++)
      for (let point = 0; point < 3; point++) {
        const x = path * 7 + (point === 1 ? -10 : point === 2 ? (path % 2 === 0 ? 1 : -1) : 0);
        us.push({ point, path, shortfallBps: null, fillRatio: 1, netPnl: x, passed: true });
      }
    const g = gridReport(axes, us);
    expect(g.rank?.points.map((p) => [p.point, p.significant])).toEqual([
      [0, null],
      [2, false],
      [1, true],
    ]);
    const text = formatGrid(g).join('\n');
    expect(text).toContain('ranked by mean netPnl (highest first)');
    expect(text).toMatch(/^2 +2 +twap\.slices=20 .*not significant +100\.0%$/m);
    expect(text).not.toMatch(/^3 +1 .*not significant/m);
  });
});
