// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'almgren-chriss-impact': '15a77f0cc342d5b56640724c11593db30dd919f1afa922d1ded90ead7d1936b2',
  'fill-detection-faults': '6ba3d1ce60b7874828bda5ac0b5d040a9f5c1387e3989df8710603979d578a77',
  'reject-window-signals': 'ad996367428a21d8f538a2d940cecb548153ce68e77b309313d41ed62eed565c',
  'replay-btcusdt': 'b8ce31a14680b1a1f212a02810a5ccbab082fe3f79a3b56252db7630e9379033',
  'safety-breaker-fat-finger': 'bdcc474e0374680da320cc5bfa0eb3621eee7d211db3d5c687569d3218839ee0',
  'safety-duplicate-signals': 'b26cceab86eb68677f78a465ee73d21e49b8a696501e92844d8546ded40f971c',
  'safety-kill-switch-limit-twap': 'a58f92183c81aac90d952eb4d3ec2e4d775b2400096b7199b405ef13fcf64b11',
  'spread-blowout': '273359720d5a355526dbdb7b1a592c2b1de55cce028770e510a124d3f19a9282',
  'static-book-sweep': '4271a37b8d077e21ad3f511b1cacc983e4fdec8d4ae5ba4fcc73a9f9d71f1f2a',
  'thin-book': '8b88c82c9189b5f9a4adecb6221dd524939ef9bfa9171a96deba941f4da2e85f',
  'twap-calm': '9dd27c2b56bdf08205c9b08c8e2dbea591360196cd421ce6df59808c61011259',
  'twap-kill-switch': 'cf208521b57af2563ed979052544f9a3b3a4bba3699ec4904cab50c091f286f4',
  'twap-limit-partial': '8680b3920f538ad53d9a79903ae224cfd1cf65568b2533ef1512a5729f3c2403',
  'twap-outage': 'fed2e7947b44f0215a2a8117e8a0447a9bcf551f525542b3c9d85cb607d39e17',
  'twap-replay-btcusdt': 'b3db8b051959eed5f3d30bb5404dc1bb0f3f32dc283d04b21fdf0d6fe29be280',
  'twap-runaway-stop': '75c1aaa9a136eb6409113fe5928a7ad38881eeffdf2b7f4fe93902d9072d2635',
  'twap-spread-stop': '4462e0b1e1608d97aad4b36eccd26662be0dbf850041477fdb96d6bf53b1731a',
  'venue-outage': '9a95ebff8ffa6e58bf86352d1e999c6730f0bfbd785ae0199f8711f68c09cb52',
  'zero-intelligence-queue': '9643c0b8b6cee2755b25b3fd8ba25dcb2027e60d891db06dea0f72237c0d2635',
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
