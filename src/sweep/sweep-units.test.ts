// The unit layer of sweeps: unit -> (grid point, path index, seed) is a bijection with common
// random numbers across points; a plain sweep's units are exactly runSweep's paths; grid flags
// parse and refuse what they should.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../test/support/hot-expect.ts';
import { loadScenarioFile } from '../scenario/load-scenario.ts';
import { deriveSeed, runSweep } from './sweep.ts';
import { gridCoordinates, gridPointCount, GridError, parseGridFlag, type GridAxis } from './sweep-grid.ts';
import { ScenarioGrid } from './scenario-grid.ts';
import {
  checkSweepGrid,
  SweepUnitRunner,
  unitCount,
  unitLocation,
  unitOf,
  type SweepDefinition,
} from './sweep-units.ts';

const FILE = 'scenarios/twap-calm.yaml';
const YAML = readFileSync(FILE, 'utf8');
const def = (paths: number, grid: GridAxis[] = [], seed = 7): SweepDefinition => ({
  file: FILE,
  yaml: YAML,
  seed,
  paths,
  grid,
});

/** expect(f).toThrow(RangeError), calling expect only when f does not throw one. */
function expectRangeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (e instanceof RangeError) return;
  }
  expect(f).toThrow(RangeError);
}

const axisArb = fc.record({
  key: fc.constantFrom('twap.slices', 'market.volatility', 'venue.latency.ack.ms'),
  values: fc.uniqueArray(fc.integer({ min: 1, max: 99 }).map(String), { minLength: 1, maxLength: 4 }),
});

describe('unit mapping', () => {
  it('is a bijection of units onto (point, path), the path index shared across points', () => {
    fc.assert(
      fc.property(fc.array(axisArb, { maxLength: 3 }), fc.integer({ min: 1, max: 40 }), (grid, paths) => {
        const d = { paths, grid };
        const points = gridPointCount(grid);
        expectIs(unitCount(d), points * paths);
        const seen = new Set<string>();
        // Checked for every unit of every case: expect is called only on a mismatch.
        for (let u = 0; u < unitCount(d); u++) {
          const { point, path } = unitLocation(d, u);
          if (!(point >= 0)) expect(point).toBeGreaterThanOrEqual(0);
          if (!(point < points)) expect(point).toBeLessThan(points);
          if (!(path >= 0)) expect(path).toBeGreaterThanOrEqual(0);
          if (!(path < paths)) expect(path).toBeLessThan(paths);
          expectIs(unitOf(d, point, path), u);
          seen.add(`${point}/${path}`);
        }
        expectIs(seen.size, points * paths);
        expectRangeError(() => unitLocation(d, unitCount(d)));
        expectRangeError(() => unitLocation(d, -1));
      }),
    );
  });

  it('gives each point coordinates in nested-loop order (last axis fastest), all distinct', () => {
    fc.assert(
      fc.property(fc.array(axisArb, { minLength: 1, maxLength: 3 }), (grid) => {
        const all = Array.from({ length: gridPointCount(grid) }, (_, p) => gridCoordinates(grid, p));
        expectIs(new Set(all.map((c) => c.join(','))).size, all.length);
        all.forEach((c, p) => {
          // Mixed radix: the point number is read back from its coordinates.
          expectIs(
            c.reduce((n, v, k) => n * (grid[k] as GridAxis).values.length + v, 0),
            p,
          );
        });
      }),
    );
  });

  it('runs a unit with the seed of its path index at every grid point (common random numbers)', () => {
    const runner = new SweepUnitRunner(def(2, [parseGridFlag('twap.slices=5,10')], 11));
    const results = Array.from({ length: runner.units }, (_, u) => runner.run(u));
    expect(results.map((r) => [r.unit, r.point, r.path.path, r.path.seed])).toEqual([
      [0, 0, 0, deriveSeed(11, 0)],
      [1, 1, 0, deriveSeed(11, 0)],
      [2, 0, 1, deriveSeed(11, 1)],
      [3, 1, 1, deriveSeed(11, 1)],
    ]);
    // The two settings are really different scenarios.
    expect(results[0]?.path.digest).not.toBe(results[1]?.path.digest);
    expect(runner.scenario(0).scenario.orders[0]?.twap?.slices).toBe(5);
    expect(runner.scenario(1).scenario.orders[0]?.twap?.slices).toBe(10);
    expect(runner.scenario(1).scenario.orders[0]?.twap?.interval).toBeUndefined();
  });

  it('runs a plain sweep unit for unit as runSweep runs its paths (same digests and figures)', () => {
    const loaded = loadScenarioFile(FILE);
    const sweep = runSweep(loaded, { paths: 3, seed: 7 });
    const runner = new SweepUnitRunner(def(3));
    const units = [2, 0, 1].map((u) => runner.run(u)).sort((a, b) => a.unit - b.unit);
    expect(units.map((u) => u.path)).toEqual(sweep.perPath);
  });
});

describe('grid flags', () => {
  it('parse KEY=V1,V2 with its values in order, for any key and values', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9.:+-]{1,8}$/), { minLength: 1, maxLength: 6 }),
        (parts, values) => {
          const key = parts.join('.');
          expectEqual(parseGridFlag(`${key}=${values.join(',')}`), { key, values });
        },
      ),
    );
  });

  it('refuse a flag without =, an empty value, a repeated value or a bad key', () => {
    for (const bad of ['twap.slices', 'twap.slices=', 'twap.slices=5,,10', 'twap.slices=5,5', '=5', 'a..b=1'])
      expect(() => parseGridFlag(bad), bad).toThrow(GridError);
  });

  it('refuse keys and values the scenario does not take, naming the flag and the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['twap.slices=0', /^--grid twap\.slices=0: the value 0: orders\[0\]\.twap\.slices: /],
      ['twap.slices=five', /^--grid twap\.slices=five: five is not a number/],
      ['twap.bogus=1', /bogus is not a TWAP field/],
      ['seed=1,2', /seed is not a grid key/],
      ['orders.nobody.qty=1', /no order has the id nobody/],
      ['orders.auto-sell.twap.slices=3', /order auto-sell has no twap/],
      ['market.model=replay', /market model cannot be a grid axis/],
      ['market.sigma=1', /synthetic market of this scenario has no number or text field sigma/],
      ['venue.queue.exponent=2', /no venue\.queue\.exponent/],
      // Two spellings of one number would be two identical grid points.
      ['twap.slices=05,5', /^--grid twap\.slices=05,5: 05 and 5 are the same value/],
      ['market.volatility=0.5,5e-1', /^--grid market\.volatility=0\.5,5e-1: 0\.5 and 5e-1 are the same value/],
    ];
    for (const [flag, message] of cases)
      expect(() => new SweepUnitRunner(def(1, [parseGridFlag(flag)])), flag).toThrow(message);
  });

  it('are checked a slice of points at a time for a server, with the same scenarios and refusals', async () => {
    // 40 points; other work (here a chain of setImmediate callbacks) runs between slices of 8.
    const grid = [parseGridFlag('twap.slices=2,3,4,5,6,7,8,9,10,11'), parseGridFlag('market.volatility=1,2,3,4')];
    const base = loadScenarioFile(FILE);
    let turns = 0;
    let checking = true;
    const other = (): void => {
      turns++;
      if (checking) setImmediate(other);
    };
    setImmediate(other);
    expect(await checkSweepGrid(def(3, grid), base)).toBe(120);
    checking = false;
    expect(turns).toBeGreaterThanOrEqual(4);
    // The points are the synchronous runner's.
    const checked = await ScenarioGrid.checked(YAML, base, grid);
    const runner = new SweepUnitRunner(def(1, grid));
    for (const p of [0, 13, 39]) expect(checked.scenario(p).canonical).toBe(runner.scenario(p).canonical);
    // A combination that fails, after some slices, is the same GridError as the runner's.
    const bad = [parseGridFlag('duration=PT15M,PT25M'), parseGridFlag('twap.duration=PT5M,PT10M,PT18M')];
    await expect(checkSweepGrid(def(1, bad), base)).rejects.toThrow(
      /^--grid twap\.duration=PT5M,PT10M,PT18M: the value PT18M: orders\[0\]\.twap: runs past the end of the run/,
    );
  });

  it('take a value the base scenario refuses when every combination it runs in is valid', () => {
    // An 18-minute TWAP does not fit the scenario's 15-minute run, but fits both runs of the grid.
    const runner = new SweepUnitRunner(
      def(1, [parseGridFlag('duration=PT20M,PT25M'), parseGridFlag('twap.duration=PT14M,PT18M')]),
    );
    expect(runner.grid.points).toBe(4);
    expect(runner.scenario(1).scenario.orders[0]?.twap?.duration).toBe('PT18M');
    // The same value in a grid where one of its combinations is the 15-minute run is refused, named.
    expect(
      () => new SweepUnitRunner(def(1, [parseGridFlag('duration=PT15M,PT25M'), parseGridFlag('twap.duration=PT18M')])),
    ).toThrow(/^--grid twap\.duration=PT18M: the value PT18M: orders\[0\]\.twap: runs past the end of the run/);
  });

  it('sweep the execution algorithm and its parameters: a kind keeps the fields it takes and drops the others', () => {
    const file = 'examples/algorithms/pov.yaml';
    const yaml = readFileSync(file, 'utf8');
    const runner = new SweepUnitRunner({
      file,
      yaml,
      seed: 7,
      paths: 1,
      grid: [parseGridFlag('algo=twap,vwap,pov'), parseGridFlag('algo.rate=0.01,0.03')],
    });
    expect(runner.grid.points).toBe(6);
    const algos = Array.from({ length: 6 }, (_, p) => runner.scenario(p).scenario.orders[0]?.algo);
    expect(algos).toEqual([
      { kind: 'twap' },
      { kind: 'twap' },
      { kind: 'vwap' },
      { kind: 'vwap' },
      { kind: 'pov', rate: 0.01, maxRate: 0.05, minChildQty: '5', end: 'stop' },
      { kind: 'pov', rate: 0.03, maxRate: 0.05, minChildQty: '5', end: 'stop' },
    ]);
    // A kind whose required fields the base block lacks is refused at the field, naming the value.
    expect(() => new SweepUnitRunner({ file, yaml, seed: 7, paths: 1, grid: [parseGridFlag('algo=is')] })).toThrow(
      /^--grid algo=is: the value is: orders\[0\]\.algo\.urgency: /,
    );
    expect(() => new SweepUnitRunner({ file, yaml, seed: 7, paths: 1, grid: [parseGridFlag('algo.alpha=1')] })).toThrow(
      /alpha is not an algo field a grid may set/,
    );
    // twap-calm's order has a twap block but no algo: the kind axis applies, a field axis has nothing to set.
    expect(new SweepUnitRunner(def(1, [parseGridFlag('algo=twap,vwap')])).scenario(1).scenario.orders[0]?.algo).toEqual(
      {
        kind: 'vwap',
      },
    );
    expect(() => new SweepUnitRunner(def(1, [parseGridFlag('algo.rate=0.1')]))).toThrow(
      /no order of the scenario has an algo block/,
    );
  });

  it("sweep a parameter of the user's algorithm module, typed as the file states it", () => {
    const file = 'examples/algorithms/liquidity-seeker.yaml';
    const yaml = readFileSync(file, 'utf8');
    const sweep = (flag: string): SweepUnitRunner =>
      new SweepUnitRunner({ file, yaml, seed: 3, paths: 1, grid: [parseGridFlag(flag)] });
    const runner = sweep('algo.params.takeAt=150,300');
    expect(runner.grid.points).toBe(2);
    const params = [0, 1].map((p) => (runner.scenario(p).scenario.orders[0]?.algo as { params?: unknown }).params);
    // The other parameters stay as the file states them.
    expect(params).toEqual([
      { takeAt: 150, restQty: 40, checkEveryMs: 2000 },
      { takeAt: 300, restQty: 40, checkEveryMs: 2000 },
    ]);
    // The two settings are two runs of the module on the same path, not one run twice.
    const [a, b] = [0, 1].map((u) => runner.run(u));
    expect(a?.path.seed).toBe(b?.path.seed);
    expect(a?.path.digest).not.toBe(b?.path.digest);
    expect(() => sweep('algo.params.takeAt=many')).toThrow(/^--grid algo\.params\.takeAt=many: many is not a number/);
    expect(() => sweep('algo.params.nope=1')).toThrow(
      /the algorithm module of order seek has no number, text or true\/false parameter nope \(its parameters: takeAt, restQty, checkEveryMs\)/,
    );
    expect(() => new SweepUnitRunner(def(1, [parseGridFlag('algo.params.takeAt=1')]))).toThrow(
      /no order of the scenario runs an algorithm module/,
    );
  });

  it('sweep the child placement and its fields: a kind keeps the fields it takes; market is the run without a policy', () => {
    const runner = new SweepUnitRunner(def(1, [parseGridFlag('placement=market,passive-then-cross,chaser')]));
    expect(runner.grid.points).toBe(3);
    const placements = [0, 1, 2].map((p) => runner.scenario(p).scenario.orders[0]?.placement);
    expect(placements).toEqual([
      { kind: 'market' },
      { kind: 'passive-then-cross', offsetTicks: 0 },
      { kind: 'chaser', offsetTicks: 0, thresholdTicks: 2, everyMs: 2_000, maxChases: 10 },
    ]);
    // A field axis sets every placement block; a kind that does not take it drops it.
    const file = 'examples/algorithms/placement.yaml';
    const yaml = readFileSync(file, 'utf8');
    const fields = new SweepUnitRunner({
      file,
      yaml,
      seed: 7,
      paths: 1,
      grid: [parseGridFlag('placement=passive-then-cross,chaser'), parseGridFlag('placement.thresholdTicks=1,5')],
    });
    // The chaser's block as passive-then-cross: its cadence kept (both take everyMs), its
    // threshold and maxChases dropped.
    expect(fields.scenario(0).scenario.orders[1]?.placement).toEqual({
      kind: 'passive-then-cross',
      offsetTicks: 0,
      everyMs: 2_000,
    });
    expect(fields.scenario(3).scenario.orders[1]?.placement).toMatchObject({ kind: 'chaser', thresholdTicks: 5 });
    expect(() => new SweepUnitRunner(def(1, [parseGridFlag('placement.alpha=1')]))).toThrow(
      /alpha is not a placement field/,
    );
    expect(() => new SweepUnitRunner(def(1, [parseGridFlag('placement=sniper')]))).toThrow(
      /^--grid placement=sniper: the value sniper: orders\[0\]\.placement\.kind: must have kind market, passive-then-cross or chaser/,
    );
  });

  it('refuse two axes that set the same field, and a combination the schema refuses', () => {
    expect(
      () =>
        new SweepUnitRunner(def(1, [parseGridFlag('twap.slices=5'), parseGridFlag('orders.twap-buy.twap.slices=6')])),
    ).toThrow(/sets orders\[0\]\.twap\.slices, which --grid twap\.slices sets too/);
    expect(
      () => new SweepUnitRunner(def(1, [parseGridFlag('twap.slices=5'), parseGridFlag('twap.interval=PT1M')])),
    ).toThrow(GridError);
    // Each value alone is valid; a 5-minute interval in a 2-minute TWAP is not.
    expect(
      () =>
        new SweepUnitRunner(
          def(1, [parseGridFlag('twap.interval=PT1M,PT5M'), parseGridFlag('twap.duration=PT10M,PT2M')]),
        ),
    ).toThrow(/^--grid combination twap\.interval=PT5M, twap\.duration=PT2M: orders\[0\]\.twap\.interval: /);
  });
});
