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
  'almgren-chriss-impact': 'e488cef6f74813d14c43991c6cc2c3f3c6dd102f058a692a101fe2d24d828319',
  'fill-detection-faults': '4366d0137a193fe80e6675dd0d8ed913e41794dd9719dfa55528e8efecdee2f3',
  'reject-window-signals': 'c4ef45c4cda280cace2c86ab71a6615d04c79a0badb25d63f7cde65d5d9f499e',
  'replay-btcusdt': '584ec311dc3d60a1cfcecf12556bda766e8dda6b2394a7890b7a911c7d5c173f',
  'restart-between-submit-and-store': 'c720773053e800d7f7f0319571ebffef24617d26020320d3f4e615218df2b99c',
  'restart-mid-twap': '7d4a65fc3163d82d9e1a7554358aa28a1181284894d47421719d93adb00a1a01',
  'restart-orphan-at-startup': 'c1c2bf59f9779822bd4c11c64bf5fc064e661708718dd6439eb7b11c5bc912d8',
  'safety-breaker-fat-finger': '1f29bb13ad7c4a55917d79b8773a5b2931521d56298cc22d6ae9b4bf9ce78a0d',
  'safety-duplicate-signals': 'a1a29f1d2093b922f2c67cbb81ea9f3bdfc74c03846ec1f6f026eeb4f0403ce5',
  'safety-kill-switch-limit-twap': '45414bd1dfecebf7e27dbfe7f156c10457d94d546068b74badf56b85fe330422',
  'safety-kill-switch-reducing': '1936a3303134955df91575063da7faacca46890d1667ae903da94421d70b95ca',
  'spread-blowout': '40d352fec71efeb1a4f137402dac1a4392478771edd1962a7a24fd9701a18871',
  'static-book-sweep': 'a88d033084a621486149e1bd3db299dbf5204ce103a690196602d2acd1c91512',
  'thin-book': '08859a858cbd732faf387fe19f543ea4c5ea0e8b1bbaa1240cb37f160257de40',
  'twap-calm': '4201e59c02c32450327adfa4727660c0f03866ff44a97a092783fa382e7c60a0',
  'twap-kill-switch': '9b4f76e79f5d0bda579d952b2a36a1dc4ce63e31ffa0ed80006550ad4bc78b29',
  'twap-limit-partial': '2db283afd5a6db0772df635b4027b93f1f4d80f3b00abda58fba516e0f46a614',
  'twap-outage': '33e1084066529e991ecc86dfeee139f9503258427978444c9f8ff00508dadee3',
  'twap-replay-btcusdt': '58ba1884e2596e1d6ba4ae0471b22c0a394e48fc07096588ec38f19f8c939f93',
  'twap-runaway-stop': '3a2443a7b63df67d4a3bacc4b7185015e7bd5872866fa3883b41b417a44b75a1',
  'twap-spread-stop': '9eae2ec006705bcaef1431e1ee419bb651df8ed9869c4216c1682dea68941f69',
  'venue-outage': '18e7a1109ed9d7d4c72e16e17c78f4df703494798c749076b1b96ad1a0c8189a',
  walkthrough: 'facc7b0d586dab6ff37b71b4ee7b59eaa4efbff7c978de7c65cb3fba1f999d88',
  'webhook-free-reconciliation': 'cf1f2d75ad8433dab06c3d2f1b1489e260adaf72433f0f9b9390664d9bc5756d',
  'zero-intelligence-queue': 'e12653837ffd9e3037107cef994164d3f6adcb648d01d84694e5b018089703aa',
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
