// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'reject-window-signals': '311522f64e98e81601a40dee7291af4dc8bcb689aee188579ea42a72750f08a9',
  'static-book-sweep': 'f03d2522f27889cc71cd41b1c3af1d2809f41adc8fe43417ddf319c99c5154b0',
};

const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort();

describe('bundled scenarios', () => {
  it('are all pinned here', () => {
    const names = files.map((f) => loadScenarioFile(`scenarios/${f}`).scenario.name).sort();
    expect(names).toEqual(Object.keys(GOLDEN).sort());
  });

  for (const file of files) {
    const loaded = loadScenarioFile(`scenarios/${file}`);
    const s = loaded.scenario;
    describe(s.name, () => {
      it('meets its expectations and reproduces its pinned digest twice', () => {
        const a = runScenario(loaded);
        const b = runScenario(loaded);
        expect(a.expectations.filter((e) => !e.pass)).toEqual([]);
        expect(a.digest).toBe(b.digest);
        expect(a.events).toBe(b.events);
        expect(a.runId).not.toBe(b.runId);
        expect(a.digest).toBe(GOLDEN[s.name]);
      });

      it('changes its digest with the seed exactly when it uses randomness', () => {
        const usesRandomness = s.venue.latency.jitterMs > 0;
        const other = runScenario(loaded, { seed: s.seed + 1 });
        expect(other.seed).toBe(s.seed + 1);
        if (usesRandomness) expect(other.digest).not.toBe(GOLDEN[s.name]);
        else expect(other.digest).toBe(GOLDEN[s.name]);
      });
    });
  }
});
