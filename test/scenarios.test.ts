// Every bundled scenario: runs with its seed, meets its expectations, reproduces its digest on a
// second run and matches the pinned digest below; a different seed changes the digest exactly
// when the scenario draws randomness. A pinned digest that changes means run behaviour changed:
// update it only when that change is intended, and say so in the commit.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

const GOLDEN: Record<string, string> = {
  'almgren-chriss-impact': '9d3495a4e1669aac966cd4ceea71fc0b09e9bfd590d76cdae955091c96dd943c',
  'replay-btcusdt': 'e07f405fafbd2718c38129dbcc92d9eb7571b543e879446b21fd4527de428aca',
  'reject-window-signals': '3bc069543c97c74668d00ee10b731c008e9e992c7d623511a213dd2acb257954',
  'spread-blowout': '9a32d9776082da18eafc79c07d391aa32565dc0ad42eb0e6fa024e298b5ed84f',
  'static-book-sweep': '30ad956b05d45dfab54dcbf91cdeb6f98cd68dc63388cac3958d3ad35f9f3a0c',
  'thin-book': 'e9f4b2569b34aa99f0d2473d309cb327f035fd22f5f0111625c17b112b82b956',
  'zero-intelligence-queue': '652b19506f164d04ad2c25146c12d20fe4cae7898997fa35867f2e4c27e430ac',
  'venue-outage': 'a01920434658b13cda143932f7bc74c4f722b5a2ac53793f6fb66796a2e3b1ba',
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
