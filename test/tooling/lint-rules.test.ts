// The repository's own lint rules (eslint-rules/): the layering of src/ and import cycles.
// Layering is checked with the repository's real eslint.config.js on source text linted as if it
// lived at a path in src/ (nothing is written). The cycle rule reads the other files from disk,
// so its cases write a small tree to a temporary folder and lint it with the rule alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import local from '../../eslint-rules/index.js';

const repo = new ESLint({ cwd: process.cwd() });

/** The local/* messages the real configuration gives `code` as the file `file` (under the repo). */
async function localMessages(file: string, code: string): Promise<string[]> {
  const [result] = await repo.lintText(code, { filePath: path.resolve(file) });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('local/')).map((m) => m.message);
}

/** The no-restricted-syntax messages the real configuration gives `code` as the file `file`. */
async function syntaxMessages(file: string, code: string): Promise<string[]> {
  const [result] = await repo.lintText(code, { filePath: path.resolve(file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('what V8 keeps alive past a run, where runs and sweep paths are built', () => {
  const assigned = [
    'class A {\n  f: (() => number) | null = null;\n  constructor(x: number) {\n    this.f = () => x;\n  }\n}\nexport { A };\n',
    'export function wire(o: { g?: () => void }): void {\n  o.g = function () {};\n}\n',
  ];
  it.each([
    'src/core/market/probe.ts',
    'src/sim/venue/probe.ts',
    'src/node/probe.ts',
    'src/host/probe.ts',
    'src/runtime/probe.ts',
  ])('refuses a function literal assigned to a property in %s', async (file) => {
    for (const code of assigned) {
      const messages = await syntaxMessages(file, code);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/^no function literal assigned to a property here/);
    }
  });

  it('lets a function be passed, kept in a variable, or be a method; and refuses get/set literals', async () => {
    const fine =
      'class A {\n  constructor(private readonly f: () => number) {}\n  m(): number {\n    return this.f();\n  }\n}\n' +
      'const g = (): number => 1;\nconst o = { g };\nexport const a = new A(() => 2);\nexport { o, g };\n';
    expect(await syntaxMessages('src/core/market/probe.ts', fine)).toEqual([]);
    const accessor = 'export const o = { get x(): number {\n  return 1;\n} };\n';
    expect(await syntaxMessages('src/sweep/probe.ts', accessor)).toEqual([
      expect.stringMatching(/^no get\/set in an object literal here/),
    ]);
  });

  it('leaves the rule out of the server, where nothing is built per run', async () => {
    expect(await syntaxMessages('src/server/probe.ts', assigned[1] as string)).toEqual([]);
  });
});

describe('counts written without ICU', () => {
  const code = "export const n = (x: number): string => x.toLocaleString('en-US');\n";
  const messages = async (file: string): Promise<string[]> => {
    const [result] = await repo.lintText(code, { filePath: path.resolve(file) });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-properties').map((m) => m.message);
  };
  it.each(['src/cli/probe.ts', 'src/core/report/probe.ts', 'src/sim/probe.ts', 'src/scenario/probe.ts'])(
    'refuses toLocaleString in %s, and keeps the determinism rules there',
    async (file) => {
      expect((await messages(file)).join('\n')).toMatch(/groupedDigits/);
      if (file.startsWith('src/core') || file.startsWith('src/sim')) {
        const [result] = await repo.lintText('export const t = Date.now();\n', { filePath: path.resolve(file) });
        expect(result?.messages.map((m) => m.ruleId)).toContain('no-restricted-properties');
      }
    },
  );
  it("leaves the pages' number format and tests alone", async () => {
    expect(await messages('src/server/pages/format.ts')).toEqual([]);
    expect(await messages('src/cli/probe.test.ts')).toEqual([]);
  });
});

describe('local/layers with the repository configuration', () => {
  it('keeps src/core to itself and its pure packages, whatever the depth of the relative path', async () => {
    expect(
      await localMessages(
        'src/core/fills/probe.ts',
        "import { FaultSchedule } from '../../sim/faults.ts';\nexport const f = FaultSchedule;\n",
      ),
    ).toEqual(['src/core may import only src/core; this import reaches src/sim/faults.ts']);
    expect(
      await localMessages('src/core/probe.ts', "export type { Scenario } from '../scenario/schema.ts';\n"),
    ).toEqual(['src/core may import only src/core; this import reaches src/scenario/schema.ts']);
    expect(
      await localMessages(
        'src/core/algo/probe.ts',
        "export type R = import('../../host/backtest-world.ts').PreparedRun;\n",
      ),
    ).toEqual(['src/core may import only src/core; this import reaches src/host/backtest-world.ts']);
    expect(
      await localMessages(
        'src/core/algo/probe.ts',
        "import Database from 'better-sqlite3';\nexport const d = Database;\n",
      ),
    ).toEqual([
      "src/core may use only these packages: zod, rxjs, @js-joda/core, @js-joda/timezone, node:crypto ('better-sqlite3' is not one of them)",
    ]);
    // '../sim/' from src/core/algo/ is src/core/sim/: inside core, not the simulator.
    expect(
      await localMessages(
        'src/core/algo/probe.ts',
        "import { z } from 'zod';\nimport { x } from '../sim/x.ts';\nexport const y = [z, x];\n",
      ),
    ).toEqual([]);
  });

  it('lets src/sim use src/core and itself only', async () => {
    expect(
      await localMessages(
        'src/sim/market/probe.ts',
        "import { Rng } from '../../core/clock/rng.ts';\nimport { L2Book } from '../book/l2-book.ts';\nexport const a = [Rng, L2Book];\n",
      ),
    ).toEqual([]);
    expect(
      await localMessages(
        'src/sim/market/probe.ts',
        "import { scenarioSchema } from '../../scenario/schema.ts';\nexport const p = scenarioSchema;\n",
      ),
    ).toEqual(['src/sim may import only src/core, src/sim; this import reaches src/scenario/schema.ts']);
  });

  it('keeps src/live and src/gateway apart, src/server off src/sim, src/live, src/host and src/runtime, src/host off the roots, and nothing on src/cli', async () => {
    expect(await localMessages('src/live/probe.ts', "import '../gateway/binance.ts';\n")).toEqual([
      'src/live may import only src/core, src/live, src/boot; this import reaches src/gateway/binance.ts',
    ]);
    expect(await localMessages('src/gateway/probe.ts', "import '../live/wall-clock.ts';\n")).toEqual([
      'src/gateway may import only src/core, src/sim, src/scenario, src/gateway; this import reaches src/live/wall-clock.ts',
    ]);
    const serverMay = 'src/server may import only src/core, src/node, src/store, src/scenario, src/sweep, src/server';
    expect(
      await localMessages(
        'src/server/probe.ts',
        "import '../sim/faults.ts';\nimport '../live/wall-clock.ts';\nimport '../host/live-process.ts';\nimport '../runtime/paper-run.ts';\nimport '../sweep/sweep.ts';\n",
      ),
    ).toEqual([
      `${serverMay}; this import reaches src/sim/faults.ts`,
      `${serverMay}; this import reaches src/live/wall-clock.ts`,
      `${serverMay}; this import reaches src/host/live-process.ts`,
      `${serverMay}; this import reaches src/runtime/paper-run.ts`,
    ]);
    expect(
      await localMessages('src/store/probe.ts', "import '../scenario/schema.ts';\nimport '../cli/main.ts';\n"),
    ).toEqual([
      'src/store may import only src/core, src/store; this import reaches src/scenario/schema.ts',
      'src/store may import only src/core, src/store; this import reaches src/cli/main.ts',
    ]);
    expect(
      await localMessages('src/runtime/probe.ts', "import '../sweep/sweep.ts';\nimport '../gateway/paper-desk.ts';\n"),
    ).toEqual([
      'src/runtime may import only src/core, src/sim, src/node, src/store, src/live, src/strategy, src/scenario, src/host, src/runtime; this import reaches src/sweep/sweep.ts',
      'src/runtime may import only src/core, src/sim, src/node, src/store, src/live, src/strategy, src/scenario, src/host, src/runtime; this import reaches src/gateway/paper-desk.ts',
    ]);
    // The host layer serves the roots and never reaches back up to them.
    expect(
      await localMessages(
        'src/host/probe.ts',
        "import '../runtime/backtest-run.ts';\nimport '../gateway/paper-desk.ts';\n",
      ),
    ).toEqual([
      'src/host may import only src/core, src/sim, src/node, src/store, src/live, src/strategy, src/scenario, src/host; this import reaches src/runtime/backtest-run.ts',
      'src/host may import only src/core, src/sim, src/node, src/store, src/live, src/strategy, src/scenario, src/host; this import reaches src/gateway/paper-desk.ts',
    ]);
  });

  it('lets a test in src/core use vitest, fast-check and test/support, and nothing else outside', async () => {
    const code =
      "import { it } from 'vitest';\nimport fc from 'fast-check';\nimport { Harness } from '../../../test/support/fill-harness.ts';\nexport const a = [it, fc, Harness];\n";
    expect(await localMessages('src/core/fills/probe.test.ts', code)).toEqual([]);
    expect(
      await localMessages(
        'src/core/fills/probe.ts',
        "import { Harness } from '../../../test/support/fill-harness.ts';\nexport const h = Harness;\n",
      ),
    ).toEqual(['src/core may import only src/core; this import reaches test/support/fill-harness.ts, outside src/']);
  });
});

describe('local/no-cycle', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** Writes `files` under a fresh folder and lints them with local/no-cycle alone. */
  async function cycles(
    files: Record<string, string>,
    allow: Array<{ from: string; to: string; reason: string }> = [],
    types?: boolean,
  ) {
    const dir = mkdtempSync(path.join(tmpdir(), 'execsim-no-cycle-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser },
          plugins: { local },
          rules: { 'local/no-cycle': ['error', types === undefined ? { allow } : { allow, types }] },
        },
      ],
    });
    const results = await eslint.lintFiles(Object.keys(files));
    return Object.fromEntries(
      results.map((r) => [
        path.relative(dir, r.filePath).split(path.sep).join('/'),
        r.messages.map((m) => `${m.line}: ${m.message}`),
      ]),
    );
  }

  it('reports the import that closes a cycle in every file on it, with the whole cycle', async () => {
    expect(
      await cycles({
        'src/a/one.ts': "import { two } from '../b/two.ts';\nexport const one = () => two;\n",
        'src/b/two.ts': "import { three } from './three.ts';\nexport const two = () => three;\n",
        'src/b/three.ts': "import { one } from '../a/one.ts';\nexport const three = () => one;\n",
        'src/b/free.ts': "import { one } from '../a/one.ts';\nexport const free = one;\n",
      }),
    ).toEqual({
      'src/a/one.ts': ['1: import cycle: src/a/one.ts -> src/b/two.ts -> src/b/three.ts -> src/a/one.ts'],
      'src/b/two.ts': ['1: import cycle: src/b/two.ts -> src/b/three.ts -> src/a/one.ts -> src/b/two.ts'],
      'src/b/three.ts': ['1: import cycle: src/b/three.ts -> src/a/one.ts -> src/b/two.ts -> src/b/three.ts'],
      'src/b/free.ts': [],
    });
  });

  it('counts `import type` by default: a circle of type imports is a cycle', async () => {
    const files = {
      'src/schema.ts':
        "import { check } from './check.ts';\nexport interface Scenario { n: number }\nexport const schema = check;\n",
      'src/check.ts': "import type { Scenario } from './schema.ts';\nexport const check = (s: Scenario) => s.n;\n",
    };
    expect((await cycles(files))['src/check.ts']).toEqual([
      '1: import cycle: src/check.ts -> src/schema.ts -> src/check.ts',
    ]);
    const reexport = await cycles({
      'src/a.ts': "export type { B } from './b.ts';\nexport interface A { n: number }\n",
      'src/b.ts': "import type { A } from './a.ts';\nexport type B = A;\n",
    });
    expect(reexport['src/b.ts']).toEqual(['1: import cycle: src/b.ts -> src/a.ts -> src/b.ts']);
  });

  it('with types: false, leaves `import type` out (erased) but counts `import { type X }` (still loads the module)', async () => {
    const erased = await cycles(
      {
        'src/schema.ts':
          "import { check } from './check.ts';\nexport interface Scenario { n: number }\nexport const schema = check;\n",
        'src/check.ts': "import type { Scenario } from './schema.ts';\nexport const check = (s: Scenario) => s.n;\n",
      },
      [],
      false,
    );
    expect(Object.values(erased).flat()).toEqual([]);
    const loaded = await cycles(
      {
        'src/schema.ts':
          "import { check } from './check.ts';\nexport interface Scenario { n: number }\nexport const schema = check;\n",
        'src/check.ts': "import { type Scenario } from './schema.ts';\nexport const check = (s: Scenario) => s.n;\n",
      },
      [],
      false,
    );
    expect(loaded['src/check.ts']).toEqual(['1: import cycle: src/check.ts -> src/schema.ts -> src/check.ts']);
  });

  it('leaves an allowed edge out of the graph, and reports the allowance once the edge is gone', async () => {
    const files = {
      'src/main.ts': "import { sweep } from './sweep.ts';\nexport const usage = 'x';\nexport const run = sweep;\n",
      'src/sweep.ts': "import { usage } from './main.ts';\nexport const sweep = () => usage;\n",
    };
    const allow = [{ from: 'src/sweep.ts', to: 'src/main.ts', reason: 'to be removed' }];
    expect(Object.values(await cycles(files, allow)).flat()).toEqual([]);
    expect(await cycles({ ...files, 'src/sweep.ts': 'export const sweep = () => 1;\n' }, allow)).toEqual({
      'src/main.ts': [],
      'src/sweep.ts': [
        '1: the allowed import src/sweep.ts -> src/main.ts no longer exists: remove it from the local/no-cycle allow list',
      ],
    });
  });
});
