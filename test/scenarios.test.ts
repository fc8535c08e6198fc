// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit (`node --import tsx
// scripts/pin-digests.ts --write` rewrites the table below).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'almgren-chriss-impact': 'f18af93db73def964b3c972e96f39a0a460c6b421376d249af362912cb41e45a',
  'fill-detection-faults': '7d06d6c4c8271edd5fc04cd048dd6416185a56f19078ebb4ae250ba5e1c444c6',
  'reject-window-signals': 'a80c0311aebf3ba13828d9d2aa7962869681a8392df16340d558d78a2ed60cb2',
  'replay-btcusdt': '31201fbc4122d23bfd00edf950dffc41cc66c638b3a101e5afb0c871070db73a',
  'restart-between-submit-and-store': 'e210be3f3e934cfd0926857483adf14b116ab292109692be29f25f0fe8f8e1c3',
  'restart-mid-twap': '7048cce37673a85dd1baf2b3564aa5c7985feb5bb1670f7ce87b2c5a9c22199a',
  'restart-orphan-at-startup': '12d6dfa44a8503c80698d740c1cd7a37b0cedad42d5889228e7ee5f385eee29b',
  'safety-breaker-fat-finger': '5f84727ba02ea629585d2e3e89b17aa0e2806568254626909c1c6b91438dd657',
  'safety-duplicate-signals': 'b02aaee9a8e9acc14b1ba82c7a7796dd9a2d1072718980a26d6001b774c02e8e',
  'safety-kill-switch-limit-twap': 'ca387d0dab257bfb527c4cd406fed4f047e44cedfaf36683ae1b526ef10e99fe',
  'safety-kill-switch-reducing': 'cc1991368ba8182ab6d46748e789fc3f232357aac68ec8cedd1ab4db8b1a02e1',
  'spread-blowout': '3cbd36db56a8064c652d4d4c2ae29929b274cf700ae3e21e1f70e7176fca306b',
  'static-book-sweep': 'b164583c3dc19ef0960589e3cb81a65eecd95b448c98b58b16b1f6d5f3f86975',
  'thin-book': 'b0736a8d2cb6531dd97b8529db977c6807ec7b42ba613cb8652980b3b4705883',
  'twap-calm': '6a8d3bb6c25f5dab81bc28ad34bd3ef756f5a6585252dde9886f51167e9d961c',
  'twap-kill-switch': '50a7328166040fcd07d18c185d72300a8ea6a7c6d875df7e62abf9f6f41bcd2d',
  'twap-limit-partial': '047fe99abf7bdf6a4f794db7e3d86bec202200a8c3e36956829c7d838a6fa1c2',
  'twap-outage': '53c4ab74f7841a3be4aaed6c0c95f796c0ff6d67ee2da4669ed1a7bdacc79d65',
  'twap-replay-btcusdt': '8a93cde354e2f7536e23fc889db82f2598cddb585ca78f86ef95132713b38077',
  'twap-runaway-stop': 'f78036efe4e44c579af25a4696d7e39457cb6e6ff21c772f937da5bbbe230eee',
  'twap-spread-stop': 'a5e6ae4265a1734f350ad63d536682cf4f94e143d335f8729e37b5a6cb7d4b49',
  'venue-outage': '5660d2a745f01b417dbb2fc8c584142ddab3f98214e4ebb55b662ba958cfc8ef',
  walkthrough: 'b8ac3b891e9701b6344fc47484ca4f71548c6dc08bf1cb1a483fe1e960546e26',
  'webhook-free-reconciliation': 'd666974b82af65a528fffd5a389b7fc5072eb8cf4e0e9d866dce3076883e36cf',
  'zero-intelligence-queue': '33f2559816bd34b9aa201e548ae63e0d62e1f2ce3a4dad5891504ea03386926b',
};

const files = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .sort();

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
          s.faults.some(
            (f) =>
              (f.kind === 'outage' && f.mode === 'mixed') ||
              f.kind === 'http_5xx' ||
              ('probability' in f && f.probability < 1),
          ) ||
          s.restarts.some((r) => 'between' in r);
        const other = runScenario(loaded, { seed: s.seed + 1 });
        expect(other.seed).toBe(s.seed + 1);
        if (usesRandomness) expect(other.digest).not.toBe(GOLDEN[s.name]);
        else expect(other.digest).toBe(GOLDEN[s.name]);
      });
    });
  }
});

describe('a clone stands on its own', () => {
  // Nothing the bundled scenarios, tests or benchmarks read may live outside the repository: a
  // clone with nothing beside it must run `npm start` and `npm test`.
  it('no scenario, test, benchmark or source file points outside the repository', () => {
    const outside = /\.\.\/(\.\.\/)*shared\//;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(p);
        else if (/\.(ts|yaml|json)$/.test(entry.name) && outside.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    for (const dir of ['scenarios', 'src', 'test', 'bench']) walk(dir);
    expect(offenders).toEqual([]);
  });

  it('every replay scenario reads recordings shipped inside the repository', () => {
    for (const f of files) {
      const { scenario } = loadScenarioFile(`scenarios/${f}`);
      if (scenario.market.model !== 'replay') continue;
      for (const rel of scenario.market.files) {
        const abs = path.resolve('scenarios', rel);
        expect(abs.startsWith(path.resolve('.') + path.sep), `${f}: ${rel}`).toBe(true);
        expect(existsSync(abs), `${f}: ${rel}`).toBe(true);
      }
    }
  });
});
