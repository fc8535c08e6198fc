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
  'almgren-chriss-impact': '72ab82836c51ad4f623696895274b906c89060ad69dfeed96b6645abd09dba43',
  'fill-detection-faults': 'f6a31d285d034a6f9ffc09834d230550d902c779f75c39adb0b5d921e53eaa65',
  'reject-window-signals': '4578317683f273ee4b4595f949fc846277962f545d3484ba97607f6f6cdac096',
  'replay-btcusdt': '13126373309f3211a0ea7f7af8f5abdcba479bc515556932a0ec77807dd9ec38',
  'restart-between-submit-and-store': 'ea6368961628c7dc4a1a74916a48620ad2a6397e3cd326bc5c96a040724f01cc',
  'restart-mid-twap': '459a3b28c95fc1d870fb1a9f0397cb1c79c1b884774c89baf30b5f270b84a669',
  'restart-orphan-at-startup': '330433016aa4569188615256dc1e8958812b73a38ccb0f5ea55888cf8428416d',
  'safety-breaker-fat-finger': '6b53a1a5ce07f8e87400135b4aae5762abb00567b02b4bcd60e5ae3fe9020389',
  'safety-duplicate-signals': '14337c3231b33b459959b69899f69f8dc6fd7564fa5084017314be0e73d501a8',
  'safety-kill-switch-limit-twap': '8f4b815132423ef7a5647b474758e2ecf04287ece4818f24f3e8de94d537add1',
  'safety-kill-switch-reducing': '4cc9eb1c69ae47800e8e257f525171637156541a90fee91fb281571864e0da51',
  'spread-blowout': '88d174883b80ca2d622362dabe4d8191c36a3c5ef56477ee3af2e85d9ad54077',
  'static-book-sweep': '27c30c9bea2b2a7532dea357b437c9e67743bebffdc276143a21c9871b841da6',
  'thin-book': 'aa57111d8f097ad1ab304023573313aff7e0666a7999f80c9f85b75e4fdf31c9',
  'twap-calm': '5057cc95b1a274dd33f33619731a26b6d8c2e487a7221edcc935b3c626f17761',
  'twap-kill-switch': '631f670d0eb03afb8cafb7314f025d7d3020cad0648b7593525ea78419b5afdb',
  'twap-limit-partial': 'a9e254b9f8dab1ddc9f32068d6a2e6f2f49f7cd6476d7f6ef30deec359c51b87',
  'twap-outage': 'a37400bc83190e53fcb224de36ea4aadd9e97b7aebf68ae75ce3a72307ef8edd',
  'twap-replay-btcusdt': 'd8fc90afcdabfa1bb2a28c8de549ade587b2914ce1e9d575ddb25d503131186e',
  'twap-runaway-stop': '87bbee393880818a11db4ce68c0d0153170be3027fc91dc80411f0468e6a98de',
  'twap-spread-stop': '105ed74e74a23e9729c0439d92fe5c8a199256779d8e110936256de44f3bb73d',
  'venue-outage': '3935eced86fdb7b4a595ed2a63018122f03237c959e6b568b79d783d24831be0',
  walkthrough: 'e0f2533014212ca1769015853d91176056a800fccf3000edba00b166a2a2c776',
  'webhook-free-reconciliation': '899f2d0cf1f310852ec5d8e7130323172f86b42a825a6e4e7b81992e839a2d68',
  'zero-intelligence-queue': '33a3829c35e7e580804949b57f9a71c3a0987648d951e45a39703af3c8b315b1',
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
