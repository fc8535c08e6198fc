// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit (`node --import tsx
// scripts/pin-digests.ts --write` rewrites the table below).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'almgren-chriss-impact': '399c7a41a1570f938fc33d45f65bc1d5372a38bde8bfec063bbe8026ba8f26d8',
  'fill-detection-faults': 'cc6b1c3fdd7097bb01899faed54772978289bc8d115fffcb049ead23992ae0a8',
  'quote-fallback-outage': 'd68f3794d2188d0b531b120d01a37fc792b0dc37dce6e78ac0131ad3913988ee',
  'reject-window-signals': '8c28a60a5ed2e128dae9bd5e4a40e5cfc713ba28e63cb686129fc8c03381590c',
  'replay-btcusdt': '9660abbadba16b8a16306af8d03ad6f308933f4693aae60a4f4382293c1f0e4f',
  'restart-between-submit-and-store': '5f57156b76c79fe740f922add1c90b2783dc1ad32c4f8cf73037ea0bcb03b168',
  'restart-mid-twap': 'fe849d5857ca9ffd0ad8a717aefcdbfdd2b58b6c94d2b561ddb8ea4fcb41ff58',
  'restart-orphan-at-startup': '36e9276f05684c6d7fd1845f870d5d4e0ee097512106b9e376ae6a5dc868a8d6',
  'safety-breaker-fat-finger': '0fb7636b3ae8bdce9bc04571eed6c11ea0c0f94be15a2a105ac23fd936db1327',
  'safety-duplicate-signals': '63664c696a7a99cf0e01fdb590db54af2a06b471a03c7830d7aa6ef20f4fca1e',
  'safety-kill-switch-limit-twap': '159777ea1eb91914cbc79fc8f2524c264cea103c250b55a84b02c5d4e0c0aa86',
  'safety-kill-switch-reducing': '30b1ca7caf38d6bddffd4099b2b7cd0855afd6abab4e8753d167f042bf30ca3b',
  'spread-blowout': 'd3e125064e1157e97bf107366f4a2b25f8e9d797327b90159c061ea4e31f1465',
  'static-book-sweep': 'f55481661a1506141508bb6b37f735dd9a3a8f0b09e75dce90582464e23683b9',
  'strategy-breakout': '338308da8795bae59cb1ff9057a381d8f6c77d0f53785ac7b7f5fa436d8a0341',
  'strategy-mean-reversion': 'b1359b6362bfab263c178855650ec49969d114637f746f9d725ab25d04a0e5e7',
  'strategy-quote-pressure': 'a06b5a9f7b676585fa16734c51e710b7a135e9f3a274ef5fdd74338af42f2692',
  'thin-book': '2585b616a8beda010b33a5cb431b5c1a08b9d050dc7d967bc58eba788a52b8fc',
  'twap-calm': 'e44422f96da912daad77070c9b55438b209c8ba1b41640f981bf31aaea012ef9',
  'twap-kill-switch': 'b409b4fa0afec2854feb653482dfd78b20afb4d77ac6ebd9c331a5c52f88b646',
  'twap-limit-partial': '0abafa125e49a05eea8e224e50196537244e255a1f9f1497ca645b7c6a187070',
  'twap-liquidity-cap': '01fcb25829b9b4fc1cee78e13b607cbc627be033f77ef72efc50707a2a283e3f',
  'twap-outage': '575644f108334647bcc5c4068cb128c907d853ad8388beb55473c6e3cb206d35',
  'twap-replay-btcusdt': 'bf82ead7f60e8d4c52a9d5e5049e4bdfd9aae277201c56572d87b2d80daeb803',
  'twap-runaway-stop': 'efce7b5905643403fafc7f9e099d52ba3b36c8ed9cd9719c4a4c51a94667ddc0',
  'twap-spread-stop': 'bb7ad03135031bb46618458953b7bfe5a29eae1d4d89bac57dab9c72a19111fb',
  'two-symbols': '8ab5f60dd864290327b32856998657e6a3298408c03d2166c626897624f7a0a1',
  'venue-outage': '22aabbac9533d0bc8cdec639a5bba17fcf94d59e58ee23ce87a4159ffa538bcd',
  walkthrough: '5147de84d7b3d568a3c3ce46285456f59d7e56f599fdea0e12b1cb9b397cb314',
  'webhook-free-reconciliation': '75f95c4d52b9d37860967226a4b2aecb6a9210f6ec18eebd3835c73bc37949f3',
  'zero-intelligence-queue': 'da6cdc33b2ee6d078835795698a4fd86a521362ca5fae156364aa73871017956',
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
