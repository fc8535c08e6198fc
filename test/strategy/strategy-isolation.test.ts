// A strategy module in a realm of its own: what it keeps from import still reads the run's clock
// and seed (same digest every run), what it does to its realm's globals changes nothing outside
// it, it has no process and may not import Node's built-ins, it cannot flood the run with
// outputs, and its bundle is the same whatever tsconfig.json is near it.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { runLogged } from '../support/logged-run.ts';
import { STRATEGY_DIR, strategyScenario } from '../support/strategy-scenario.ts';

const DIR = STRATEGY_DIR;

const SHAPE = { name: 'strategy-isolation', seed: 5, duration: 'PT2M' };

/** A short synthetic run with a strategy section. */
function scenario(strategy: string, extra = ''): string {
  return strategyScenario(SHAPE, strategy, extra);
}

const run = (yaml: string, file = `${DIR}/scenario.yaml`) => runLogged(parseScenario(yaml, file));

function refusal(yaml: string, file: string): string {
  try {
    parseScenario(yaml, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('the scenario loaded');
}

describe("a strategy's realm", () => {
  it("keeps Date.now and Math.random taken at import on the run's clock and seed: the same run every time", () => {
    const yaml = scenario('  module: ./own-realm.ts');
    const a = run(yaml);
    const ids = a.of('SignalReceived').map((e) => e.event.signalId);
    // Read on the bar that closed at the sample 10 s after it: the run's clock, not the wall's.
    expect(ids.map((id) => id.replace(/-r\d+-/, '-r-'))).toEqual([
      't10000-10000-10000-pundefined-r-4',
      't10000-10000-10000-pundefined-r-6',
    ]);
    expect(run(yaml).report.digest).toBe(a.report.digest);
    // The draws are the run seed's: another seed, other draws (and so other ids).
    const other = run(yaml.replace('seed: 5', 'seed: 6'))
      .of('SignalReceived')
      .map((e) => e.event.signalId);
    expect(other).not.toEqual(ids);
  });

  it('contains what a module does to its globals: replacing Math.round or polluting Object.prototype changes nothing outside it', () => {
    const clean = run(scenario('  module: ./own-realm.ts\n  params: { pollute: false }'));
    const polluted = run(scenario('  module: ./own-realm.ts\n  params: { pollute: true }'));
    expect(polluted.report.simulatedMs).toBe(120_000);
    expect(polluted.of('StrategyFailed')).toEqual([]);
    // The signals are what the strategy wrote on them (a buy of 0.01, not reduce-only), and the
    // run is the clean one's but for the parameters in its StrategyStarted.
    const signals = polluted.of('SignalReceived').map((e) => [e.event.side, e.event.qty, e.event.reduceOnly]);
    expect(signals).toEqual(clean.of('SignalReceived').map((e) => [e.event.side, e.event.qty, e.event.reduceOnly]));
    expect(polluted.log.length).toBe(clean.log.length);
    expect(Math.round(1.4)).toBe(1);
    expect(({} as Record<string, unknown>).qty).toBeUndefined();
  });

  it("refuses a module that imports Node's built-ins, naming the import", () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-realm-'));
    const modules: ReadonlyArray<readonly [string, string]> = [
      ['fs.ts', "import * as fs from 'node:fs';\nexport const x = fs;"],
      ['cp.ts', "import { execSync } from 'child_process';\nexport const x = execSync;"],
    ];
    for (const [name, line] of modules) {
      writeFileSync(join(dir, name), `${line}\nexport default { name: 'n', create: () => ({}) };\n`);
      expect(refusal(scenario(`  module: ./${name}`), join(dir, 's.yaml'))).toMatch(
        new RegExp(
          `strategy\\.module: \\./${name.replace('.', '\\.')} imports (node:fs|child_process): a strategy may import`,
        ),
      );
    }
  });

  it("refuses module code that starts a timer on the host's rxjs default scheduler", () => {
    expect(refusal(scenario('  module: ./timer-at-import.ts'), `${DIR}/s.yaml`)).toMatch(
      /strategy\.module: \.\/timer-at-import\.ts failed while loading: WallClockRefused: set(Timeout|Interval) reads or waits for the wall clock/,
    );
  });
});

describe('outputs from one call', () => {
  it('stops a strategy that returns more than 1,000 outputs from one call, and the run goes on', () => {
    const ok = run(scenario('  module: ./many-outputs.ts\n  params: { count: 1000 }'));
    expect(ok.of('StrategyFailed')).toEqual([]);
    expect(ok.of('SignalReceived')).toHaveLength(1000);
    const many = run(scenario('  module: ./many-outputs.ts\n  params: { count: 1001 }'));
    expect(many.of('StrategyFailed').map((e) => [e.event.phase, e.event.message])).toEqual([
      ['bar', "a call returned 1001 outputs, more than 1000: a strategy's logic gone wrong"],
    ]);
    expect(many.of('SignalReceived')).toEqual([]);
    expect(many.report.simulatedMs).toBe(120_000);
  });

  it('stops a reactive strategy that emits more than 1,000 in one call', () => {
    expect(run(scenario('  module: ./many-emitted.ts\n  params: { count: 1000 }')).of('SignalReceived')).toHaveLength(
      1000,
    );
    const many = run(scenario('  module: ./many-emitted.ts\n  params: { count: 5000 }'));
    expect(many.of('StrategyFailed').map((e) => e.event.message)).toEqual([
      "more than 1000 outputs in one call: a strategy's logic gone wrong",
    ]);
    expect(many.of('SignalReceived')).toEqual([]);
  });
});

describe("a strategy's bundle", () => {
  // Settings that change what esbuild makes of a TypeScript file, each in a tsconfig.json of its own.
  const TSCONFIGS = [
    { compilerOptions: { useDefineForClassFields: false } },
    { compilerOptions: { target: 'ES2017', experimentalDecorators: true } },
    { compilerOptions: { alwaysStrict: false, verbatimModuleSyntax: true } },
    { compilerOptions: { jsx: 'react', strict: true, useDefineForClassFields: true } },
  ];

  it('is the same wherever the module is saved, whatever tsconfig.json is beside it', () => {
    const yaml = scenario('  module: ./class-fields.ts');
    const here = parseScenario(yaml, `${DIR}/scenario.yaml`);
    const digest = runLogged(here).report.digest;
    for (const tsconfig of [null, ...TSCONFIGS]) {
      const dir = mkdtempSync(join(tmpdir(), 'execsim-tsconfig-'));
      cpSync(resolve(DIR, 'class-fields.ts'), join(dir, 'class-fields.ts'));
      if (tsconfig) writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
      const there = parseScenario(yaml, join(dir, 'scenario.yaml'));
      expect(there.strategy?.codeHash, JSON.stringify(tsconfig)).toBe(here.strategy?.codeHash);
      expect(there.hash).toBe(here.hash);
      expect(runLogged(there).report.digest).toBe(digest);
    }
  });
});
