// A strategy module in a realm of its own: what it keeps from import still reads the run's clock
// and seed (same digest every run), what it does to its realm's globals changes nothing outside
// it, it has no process and may not import Node's built-ins, it cannot flood the run with
// outputs, and its bundle is the same whatever tsconfig.json is near it.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { config as rxjsConfig } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { loadAlgorithm } from '../../src/strategy/load-algorithm.ts';
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

describe('the packages a module shares with its host', () => {
  /** A folder with `files` written in it (module name to its code). */
  const folder = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-shared-'));
    for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
    return dir;
  };
  const STRATEGY = "export default defineStrategy({ name: 'n', create: () => ({}) });\n";

  it("refuses a module that configures zod or rxjs for the whole process, and the host's stay as they were", () => {
    const dir = folder({
      'zod-config.ts': `import { z } from 'zod';\nimport { defineStrategy } from 'execsim/strategy';\nz.config({ customError: () => 'mine' });\n${STRATEGY}`,
      'zod-global.ts': `import * as zod from 'zod';\nimport { defineStrategy } from 'execsim/strategy';\n(zod.core.globalConfig as { customError?: unknown }).customError = () => 'mine';\n${STRATEGY}`,
      'rxjs-config.ts': `import { config } from 'rxjs';\nimport { defineStrategy } from 'execsim/strategy';\nconfig.onUnhandledError = () => undefined;\n${STRATEGY}`,
    });
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['zod-config.ts', "zod's config\\(\\)"],
      ['zod-global.ts', "zod's global config"],
      ['rxjs-config.ts', "rxjs's config"],
    ];
    for (const [name, what] of cases)
      expect(refusal(scenario(`  module: ./${name}`), join(dir, 's.yaml'))).toMatch(
        new RegExp(
          `s\\.yaml: strategy\\.module: \\./${name.replace('.', '\\.')} failed while loading: SharedPackageRefused: ${what} ` +
            'would change it for the host and every other run in this process: a module cannot',
        ),
      );
    // The host's zod and rxjs: their own messages and settings.
    expect(z.number().safeParse('x').error?.issues[0]?.message).not.toBe('mine');
    expect(rxjsConfig.onUnhandledError).toBeNull();
  });

  it('keeps nothing a module writes on the API functions for the next instance: each run is the first', () => {
    const dir = folder({
      'counter.ts':
        "import { defineStrategy } from 'execsim/strategy';\n" +
        'const shared = defineStrategy as unknown as { loads?: number };\n' +
        'try { shared.loads = (shared.loads ?? 0) + 1; } catch { /* frozen: refused in strict code */ }\n' +
        'const loads = shared.loads ?? 0;\n' +
        "export default defineStrategy({ name: 'counter', feed: { barMs: 10_000 }, create: () => {\n" +
        '  let sent = false;\n' +
        "  return { onBar() { if (sent) return undefined; sent = true; return { side: 'buy', qty: 0.01 * (loads + 1) }; } };\n" +
        '} });\n',
    });
    const yaml = scenario('  module: ./counter.ts');
    const file = join(dir, 's.yaml');
    const first = run(yaml, file);
    const qty = first.of('SignalReceived').map((e) => e.event.qty);
    expect(qty).toEqual([1000]); // lots of 0.00001: 0.01, as the first instance would send
    const second = run(yaml, file);
    expect(second.of('SignalReceived').map((e) => e.event.qty)).toEqual(qty);
    expect(second.report.digest).toBe(first.report.digest);
  });

  it("prints a module's console output to stderr at every level: stdout is the command's (--json)", () => {
    const dir = folder({
      'chatty.ts':
        "import { defineStrategy } from 'execsim/strategy';\n" +
        "console.log('log line'); console.info('info line'); console.debug('debug line'); console.warn('warn line');\n" +
        STRATEGY,
    });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      parseScenario(scenario('  module: ./chatty.ts'), join(dir, 's.yaml'));
      expect(log).not.toHaveBeenCalled();
      // The file's check evaluates the module once.
      expect(err.mock.calls).toEqual([['log line'], ['info line'], ['debug line'], ['warn line']]);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it("tells an algorithm module what it may import: the strategy API, not a strategy's packages", () => {
    const dir = folder({
      'zod-algo.ts':
        "import { z } from 'zod';\nimport { defineAlgorithm } from 'execsim/strategy';\n" +
        'z.number();\nexport default defineAlgorithm({ decide: () => ({ done: true }) });\n',
    });
    expect(() => loadAlgorithm('./zod-algo.ts', join(dir, 'zod-algo.ts'))).toThrow(
      /^\.\/zod-algo\.ts imports zod: an algorithm may import its own files, the packages it bundles, and execsim\/strategy;/,
    );
  });
});

describe('outputs from one call', () => {
  it('names the call that returned a refused output, and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'execsim-output-'));
    writeFileSync(
      join(dir, 'bad-qty.ts'),
      "import { defineStrategy } from 'execsim/strategy';\n" +
        "export default defineStrategy({ name: 'bad-qty', feed: { barMs: 10_000 }, create: () => ({\n" +
        "  onBar: () => ({ side: 'buy', qty: Number.NaN }),\n" +
        '}) });\n',
    );
    const failed = run(scenario('  module: ./bad-qty.ts'), join(dir, 's.yaml')).of('StrategyFailed');
    expect(failed.map((e) => [e.event.phase, e.event.message])).toEqual([
      ['output', 'an output of bar: signal.qty: must be a positive finite number or a decimal string, not NaN'],
    ]);
  });

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
