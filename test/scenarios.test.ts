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
  'almgren-chriss-impact': '8a666ba64de4e404fa826241e70bfddbd08e5c67b092081420444cd2e35dfcf2',
  'fill-detection-faults': 'a6b92c8e6df3fb681b811e9900d369f932249e0ae78040397b736dae34c085be',
  'reject-window-signals': '8ca8cafeb8c5610077cddc05d9ff902d675da1b1f01f755eb2645f33da33d54a',
  'replay-btcusdt': 'c8de0675d60988adeb431988662069f9fa1b4cf2ca04f1edd531327a9c2ac034',
  'restart-between-submit-and-store': 'c8b77cd51ac2648dfbd6425d58038a5bb4b67b1dc68da6e6b6b62845bf45f908',
  'restart-mid-twap': '3c6a7d2751051b4657a6c8d293ed8cb86a4210c0b6880353d555b64f654062ec',
  'restart-orphan-at-startup': 'd84681c5541efd565b9dca4d2474ad32f425aa40fd3dbd22b05eb2f139980ca8',
  'safety-breaker-fat-finger': 'b15f346cb7a31504f73f68b2c1f48200e367e462afcc0dd7075bf3a01d9dec1a',
  'safety-duplicate-signals': 'a55a831ef5ccd4492b58cab0ae9bda9a07d41d73bfdafc286bc006ea80e146b3',
  'safety-kill-switch-limit-twap': '217db403fd2c52a884e1c1de1f0b5d74f7acd7c5bea92f382e640be4445ead32',
  'safety-kill-switch-reducing': '0187b13dd4ccc2b1064d90deeeafc5fe4367bdccfa2efb37a1d1a3c6f9488ef3',
  'spread-blowout': 'a084f50adbfee12c022c5bedc1823ffccd4a57efbca708c10cd9beacbdb34218',
  'static-book-sweep': '7437a3f0f240d9b373763be50ae60f7ad22c8956cf50a1a11a5a493144720f96',
  'thin-book': '2f340903c5b2e4114523678f4c4f1c9d52157095a8058f6f74b020a17b9c2895',
  'twap-calm': '263a3897b612105536712a39caf5e86194bec2a949925493cdaedcb81fadf686',
  'twap-kill-switch': '3166a701f6c26bbfea523cdbe504d6abdd14def08a1d021741186e7279643537',
  'twap-limit-partial': 'ea0474b848e02b5d1d2b1511f8e317ab9b5db42433de221c51fa3a3092cf08a3',
  'twap-outage': 'cf2ba8a53ef15b0ec3068e9aa436ac8c55f2161b9d5ffa380335a5e50c9b648e',
  'twap-replay-btcusdt': 'e5ed9f67cd12f7a7a65f65b2e999b17e85c5066091a9cf7aa0b7e57eca13abcf',
  'twap-runaway-stop': '89a644d5d4a0dfa1c471a7c45f6d52d061cb29646a805f2a025a9d6881127c45',
  'twap-spread-stop': '89151b95255d285a22154fc440d93b1b3466bf9c485145e6e2228932317b3a96',
  'venue-outage': 'fd1814910a16d2fbbef7542dcf19fc6fa81cfa78f0385889ef40d6f2ea196d05',
  walkthrough: 'f4c5454f6c232801590ed02a9ff723625169657efe69894fe345965ab26ad435',
  'webhook-free-reconciliation': 'cc119038eed4e3dd6e0918086f56d7d885ee3f9d3e814fbc88ae3d46934a7311',
  'zero-intelligence-queue': 'c1ba1ac9f5980c3c5a0b5a0171c092c718afd096fa14dd3b4f22a49f06dfcd53',
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
