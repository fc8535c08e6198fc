// What the algorithms guide says a sweep can vary of a user's module is what `execsim sweep`
// takes: every `--grid algo.params.<name>=...` it names resolves against the guide's own
// example module scenario, and the guide names at least one (its params are axes).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { resolveGrid } from '../../src/sweep/grid-keys.ts';
import { parseGridFlag } from '../../src/sweep/sweep-grid.ts';

const GUIDE = 'docs/guide/execution-algorithms.md';
const EXAMPLE = 'examples/algorithms/liquidity-seeker.yaml';

describe('the algorithms guide on sweeping a module', () => {
  it("names the module's params as grid axes, each one the sweep resolves", () => {
    const text = readFileSync(GUIDE, 'utf8').replace(/\s+/g, ' ');
    const flags = [...text.matchAll(/--grid (algo\.params\.[A-Za-z_$][\w$]*=[^`\s)]+)/g)].map((m) => m[1] as string);
    expect(flags.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/algo\.params[^.]*is not an axis/);
    const loaded = loadScenarioFile(EXAMPLE);
    for (const flag of flags) {
      const [axis] = resolveGrid(loaded, [parseGridFlag(flag)]);
      expect(axis?.targets.length, flag).toBeGreaterThan(0);
    }
  });
});
