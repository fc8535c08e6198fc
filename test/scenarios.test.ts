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
  'almgren-chriss-impact': '16e3e211c5de712c0960328d12ade39e8f997210fcc235ab14ddcff97407ef86',
  'fill-detection-faults': 'a06442cd8d09a640624c3e270390cf3584022097db6f6a39b966c30bd1de1ab9',
  'reject-window-signals': '4f34de30e5a7b5a33036e021a7b36056c603c0fac916773656bad1cb4d2d1dcd',
  'replay-btcusdt': 'c801da9624b05656ff1ae48c220bfb763719317adeefdc804cf60af7932e31e8',
  'restart-between-submit-and-store': '1bee12bc20d4578fbd54fca003624962803988106b5c06595f5abf804e3c9e33',
  'restart-mid-twap': '28d8b344b45e401fda6e9ac4a86f60cd4d2959397867b5b0a8e84197488d07b5',
  'restart-orphan-at-startup': '967f38676483adfa7f8e965066b4acadc392e83f7dee07d67021c5f05872035c',
  'safety-breaker-fat-finger': '3c0c75783c63a8f02b1badd9a76005e12515d7dda3d5dbd9c449fb1b13f629de',
  'safety-duplicate-signals': 'ccb1e4c65677c628c9ab5fbbdaf877bd42e5e9e0b527cf4738a88eb52df80764',
  'safety-kill-switch-limit-twap': '23750d22101749cd01b752b043cd9bcc9f72ecbd4b8c8eefc10ce1b0379cb361',
  'safety-kill-switch-reducing': 'abbd3ab24f0f986ff16b51c9e15a79721504a8c62f884c332d0a17d83bf8621b',
  'spread-blowout': 'c1ef25860f2475ca01e7013e6f1fd6a0744670d2f50996adfee6fee74cba4ef4',
  'static-book-sweep': '90f4be7166c647110125aa8d6b35d2ac2f85f7667ff69a7d7e0c2c5d36bee34a',
  'thin-book': '3c2f40252b5ddc06e607081c5763cc8d26397c3057b09e94aa257472e53b7c2d',
  'twap-calm': '606a5f9c0f0b51f04e6053204e9c24edff38187a411403bc5d4762fd3b6b28b7',
  'twap-kill-switch': 'ab17ac3223d23276fe6f44953fd98a048aa796c1554a876e4b943b13df03bffd',
  'twap-limit-partial': 'df0b124c59f8cdb07e9d6a420a8f83cccc8f0c7ddb0120aed3a7b4d6789abd1a',
  'twap-outage': '7052ff3c706b6eef1b57e15d654dc49b216d59e042ba635abdaf7c4a5c7c3ceb',
  'twap-replay-btcusdt': '4f78d100c8e553a1c0858358a7e3f639203e0c7a53a4db5f556aaa7b9c256cef',
  'twap-runaway-stop': '129d2ee10794b62ee8e4873bf355eaab876254f7100166855b9ccecc90fb6bf7',
  'twap-spread-stop': 'caf656f706b7ab2bdda899d8a08d4460dd723d6f62f1a3d161130c620123a1d5',
  'venue-outage': '6fee5a4b855dd5e52612713a5543790aa77b04c1a32b2d80f172c8e3100c5a82',
  walkthrough: 'af95b847ae5cb71d8a8170930a24e08ee6f7f2dc0dbe733e19e38d1b3c722e22',
  'webhook-free-reconciliation': '3556c389ef224c48c1e7a21ac28bec2dd50e0d93d72de63829ba6add1c45065b',
  'zero-intelligence-queue': '00aebf98a9e52a8d6f66febeb8bd4e0a3bbe83d1ba22335299c52b60a67dd3d0',
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
