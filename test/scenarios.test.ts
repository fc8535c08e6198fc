// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'almgren-chriss-impact': 'b0684056567b7abb53b1c527d3ecb8c34892fa9cc07f827034a0490974c74d30',
  'fill-detection-faults': '6fa012c4e543e326b7b1b49557b693b2e441ebb8ae9eb5d3ba4d3d31f46aefc9',
  'reject-window-signals': 'bf3db6916db3a59414ed2430cca242277efce150d64fcf6d69305516ed598666',
  'replay-btcusdt': '551a7db2371c3669269b29f8f6a1ffd5e1e10bd942c2fd222b3da3383a5e04fa',
  'restart-between-submit-and-store': 'bbdd8f5adf1e719da03a03c53ef66ea9af1357382c9f46e81165e02d9f2862eb',
  'restart-mid-twap': 'd0ba3228a7211882bce7b09576173e446037a5d85f7469989a2838e9f5ca4a5d',
  'restart-orphan-at-startup': 'e771241f9d3c7dcbdbf2839e694a98c82ffabf278938a08af0f04c78d382ee06',
  'safety-breaker-fat-finger': '221ddff9a8c35812b161da43cb1179dafff362228cf4e561d7a68224063349f4',
  'safety-duplicate-signals': 'c06f69b6b74f08bb4d09cf0208e16895169cd339525df44f3e23f48b536bedbb',
  'safety-kill-switch-limit-twap': '8a2a20f45f1d22e68005bce9ff99c179f42ae5567a4cfe350ec755b7907162b1',
  'spread-blowout': '725553582e56b0a7b559bd796c841df2a8bc63f2100d479aefc64d8ac7a01eb1',
  'static-book-sweep': '7914cbac82fab3a5780b5ef1d120c745b89fe9f0800838ec22a1388881c77eb5',
  'thin-book': 'e1d6f6948603073adbfbc67fbd595ef6887871652ff1aa46d09bb3d06424447a',
  'twap-calm': 'bb5c351fe0d35a8a28a081d96314cd6da8677d9683b566f114afd93323cbe147',
  'twap-kill-switch': 'c68ca392ceec80864af56e6de9379dba0e32d3c365e711e971329399a5b66034',
  'twap-limit-partial': '7357810bb1533fd20144d2e264d7df935c5d27042bf269aeb7400525a1f213d2',
  'twap-outage': 'd332d34832ebcfe3ac67d229e6b90235ee5e2ad8a533c3a4e12b6eb974f61302',
  'twap-replay-btcusdt': '7f26d9dd200d81ba0f883bd6b08924ba763c5f62c1895d69374e2a1522009ba5',
  'twap-runaway-stop': 'e529adc3870d95f64dea6dc2802e773c7ed70cf7a4438f9b8bad2edd3202db7f',
  'twap-spread-stop': 'b4ac0e2d1fc59cb579620135f5e721b59ec0fb7a1fcd57d4b99ff219168dcce5',
  'venue-outage': '374811327b1c1bb52a150547c161504e7615845347024109515320e951f68177',
  'webhook-free-reconciliation': '1914bc5b7dcda8d5a038d72fa0187b4c5c65fedb0bc2b48b7f4cfd090e08d89f',
  'zero-intelligence-queue': 'e10b9bcb0381c63d8a05f3f847736c114d2571c8e302f9918085c810ccee1785',
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
          s.faults.some((f) => (f.kind === 'outage' && f.mode === 'mixed') || f.kind === 'http_5xx' || ('probability' in f && f.probability < 1)) ||
          s.restarts.some((r) => 'between' in r);
        const other = runScenario(loaded, { seed: s.seed + 1 });
        expect(other.seed).toBe(s.seed + 1);
        if (usesRandomness) expect(other.digest).not.toBe(GOLDEN[s.name]);
        else expect(other.digest).toBe(GOLDEN[s.name]);
      });
    });
  }
});
