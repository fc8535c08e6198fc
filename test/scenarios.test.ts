// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'almgren-chriss-impact': '181ab5104a8329af3ae93ecbb0527a80581f1e02f2bef3d256afc70bc6d7d4a1',
  'fill-detection-faults': 'e1f34a21ed0f6c661c721507bd5fe698d6518b8799e7b56b9705caf22d95ded2',
  'reject-window-signals': 'f5ac4778c102cd2789a8a1027685ece26aadf4dc974108c4ba53c6c580499172',
  'replay-btcusdt': '963863ae2bc249ba9e1a705f4d370af862db9692ac91f0315fe779b16cb85a84',
  'restart-between-submit-and-store': '7dad18cfe9a4be6531ddaa7e67f3ab256798af4273359a2eff86b76a3fa06ecf',
  'restart-mid-twap': '70b17cd33046492422297587642555017dd4710ce1191bd47fef9700b7091bc6',
  'restart-orphan-at-startup': '4304fb381153c7166122b04b7dd4da6f4fd4562665e8ae664eae47968848bc53',
  'webhook-free-reconciliation': '56d12cb2c87654c8729eeb4a5d14883f29e37df5039f21ab04c01eeb3dfabe8f',
  'safety-breaker-fat-finger': '2bce47f1e48fd50dd1ac805dcbdfccdd2f894204d7d5e9913bb3605c91e1ad38',
  'safety-duplicate-signals': 'b3910272ad90ee44749c823131fb6cfbb050728d53eb18af59b3449a5c35c7a2',
  'safety-kill-switch-limit-twap': '2e4f5f9203c4471fc3384035cb54c4e6121dfe047d7c63087d8df705403d163d',
  'spread-blowout': '9bdfc42f92aaab63328b21d91e38eb9c58432ae5c453c000193b55094af12975',
  'static-book-sweep': '175ad0c0e3fb8b57840be557e5e1bcce16d75574f00306861e1dcb97ad8a9198',
  'thin-book': 'b42ed0d44a8a71fc83a1bf4618d2c2a3602e47f572c3ca8498a44852678b5cfb',
  'twap-calm': '95c5b236fc5b05a579685e3ebd77bba9232497aaa8801f5fb8e9259c020445b2',
  'twap-kill-switch': '698867600647a2092193bc6da7d6057bb1a256825d8d88c16af1efe406d51a10',
  'twap-limit-partial': '3e05d8141f0f4a6ccac636e94bf70797a370a78fe41f3bb3a649cffff2efef76',
  'twap-outage': 'd949b4f5a44c277eecef23544aa8453f7f60cc6ec50702330fa722e82c075333',
  'twap-replay-btcusdt': '39822dedd29816a7765ee196dd1361fbb2e41b5fd47ae66d47d57384a7bac1f3',
  'twap-runaway-stop': '74a34f33229758f5068c313daff13d3249131f760e85b566a479c3a93603797a',
  'twap-spread-stop': '43e2aeb6d8c9effbdff9aadf027b45b40821358e3fb16caa1e05930f3fe1528a',
  'venue-outage': '6bd316636b7d33c8cf43dc39ce40a3a83cf324c9f6293b9a7b479d79f1036499',
  'zero-intelligence-queue': '43c216ed6b8c68cbb5c9e66d80fad36b317342223225781c3de473dd5a9040ca',
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
