// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'almgren-chriss-impact': 'add5966d37219cf8306f48dd6488bf0b5937503df96754e9c7ee76a4906f910f',
  'reject-window-signals': 'e05b3227b001585700373188c2ea46648a780595e31039f6368aa2b0c09a6e64',
  'replay-btcusdt': '2b9ca665d8cb1a79d68be0ee5294ed5e20fe6f3466a423afedbc5f20ef179fe7',
  'spread-blowout': '2c8bdf75cc73b5c994cfb480350ed1261ab9b4e98a38db20d7fa5a1236c686f8',
  'static-book-sweep': 'dea2440e1c3dae52fb89429ea795abe9b51c6c4a398bd42d49f95a9f48ea9cdd',
  'thin-book': '099492d4f74a9a24bd721b18a43b3e20eb8973daac28b01dcc3333ff712be7f6',
  'twap-calm': '34c5758949485e55680f75c6ed5a63c9f78b0b6e258ed532fa103eb9b71704ae',
  'twap-kill-switch': 'befe294d2aa688f42a0a047148d56c9cb8faa68c157fcba1c62150c1c9e198c1',
  'twap-limit-partial': '2ff5cde7adcdc5c16292bae74d91b7f34fc4949f79b814b60540e6ffbc8eefd0',
  'twap-outage': '5cfee787bec7decf3ea221160981151e3288ec2f3ceccc971c89e49e9f7d7197',
  'twap-replay-btcusdt': '63053eae2e7e6e29be55148a95971680c686ae88ea48e43c8da22e88a2b5ada4',
  'twap-runaway-stop': '6706044234ebc9bb279a331760a26e200520f0f3375940581220d7f600552f8f',
  'twap-spread-stop': '88a2380ae551f382e4e2db6627e2b18bd9b17bc3402b4fdc5298c11a79f9da7a',
  'venue-outage': 'aad3c44361eac978390d9479a3b50c468c3eb2923c0bb7028e2b66491c650bc8',
  'zero-intelligence-queue': 'bba553e2e9f7077507bca09750f36d912658c15aba9a6ed986dca3f03b205f10',
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
        const usesRandomness =
          Object.values(s.venue.latency).some((p) => p.jitterMs > 0) ||
          s.market.model === 'synthetic' ||
          s.market.model === 'almgren_chriss' ||
          s.market.model === 'zero_intelligence' ||
          s.faults.some((f) => (f.kind === 'outage' && f.mode === 'mixed') || f.kind === 'http_5xx' || ('probability' in f && f.probability < 1));
        const other = runScenario(loaded, { seed: s.seed + 1 });
        expect(other.seed).toBe(s.seed + 1);
        if (usesRandomness) expect(other.digest).not.toBe(GOLDEN[s.name]);
        else expect(other.digest).toBe(GOLDEN[s.name]);
      });
    });
  }
});
