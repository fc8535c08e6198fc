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
  'almgren-chriss-impact': '47eddb33763ab075e01360824f66242c6454fd6cdca8570848a530b85eddd73c',
  'fill-detection-faults': '4d0da3d76f8b7d549ed69d45cf0efd41638e0a1f6451ed9ba0f7d893205644e6',
  'reject-window-signals': '8ca8cafeb8c5610077cddc05d9ff902d675da1b1f01f755eb2645f33da33d54a',
  'replay-btcusdt': 'c8de0675d60988adeb431988662069f9fa1b4cf2ca04f1edd531327a9c2ac034',
  'restart-between-submit-and-store': '704bff9a77a9b5a933538f7dd93a8e0a806e123cfb27dfd26d94634f8759d012',
  'restart-mid-twap': '960b66a355286b69bd439f2a97205b1facde46f51b7be1f54c7366389b26e967',
  'restart-orphan-at-startup': 'f8019c369d5d589dfb9f988cba0f3bef494a72fedc34a4ae5b0cae4a6913e8a4',
  'safety-breaker-fat-finger': 'f6837b56eee67fab270aa9eab6cd4c18b121e10086d8a06b7fa2801a86dd4294',
  'safety-duplicate-signals': '0dd2fb04508575eb50ccab50e7cd392d1c6d95df73d8d39e731ab44be4a56225',
  'safety-kill-switch-limit-twap': '1977b8d6bb8de98e04389061e69d2bc7fd950f104563b497ab8b5db4171ce21a',
  'safety-kill-switch-reducing': '0187b13dd4ccc2b1064d90deeeafc5fe4367bdccfa2efb37a1d1a3c6f9488ef3',
  'spread-blowout': '7c0663bcb7168e49cf7aa068f9e3e958fddd5bfdef9a4262c0e8098c280def40',
  'static-book-sweep': '7437a3f0f240d9b373763be50ae60f7ad22c8956cf50a1a11a5a493144720f96',
  'thin-book': '47bea21d3a7ef95cdf06acd19198680be774cba13054a31e186b164814d38c9c',
  'twap-calm': 'd86f782b81fef3dd46eb7331445e13831e763e768778c5f46764e0af80ba2288',
  'twap-kill-switch': '63361849e7ce467626b4eb5b7f94b971be2b245dc142bebf546d59414ae0cce3',
  'twap-limit-partial': 'af022d25b0bf49fa0971701bb6bb8d4871a6c439d68bcf6982d3ba5c0bb70deb',
  'twap-outage': '1536e6f47b08be9ce9a5c3e902fd7ab82c5fd3d1055b3e2427bcb8c12b75d08f',
  'twap-replay-btcusdt': 'e5ed9f67cd12f7a7a65f65b2e999b17e85c5066091a9cf7aa0b7e57eca13abcf',
  'twap-runaway-stop': '0de758e330cba045af3e6643b112ffdce159a58be0044f00696b0003dc1ab43b',
  'twap-spread-stop': 'dc06f3311db800b8427b3d265bbf70738c4121badbc613b1af65a337d8be6659',
  'venue-outage': '1ab3234659054141dea2f72a947776215420ed25db72912d0049ee5be560c996',
  walkthrough: 'f4c5454f6c232801590ed02a9ff723625169657efe69894fe345965ab26ad435',
  'webhook-free-reconciliation': 'b142037712da637cbe3a154328ba545a1dfd4f977c8051728beeb43f8ec68a98',
  'zero-intelligence-queue': 'da450c78e302cd403e53ba7cf7b503002c44d45b1953de0b36dcf7360fbf7ea7',
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
