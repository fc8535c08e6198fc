// Hooks of shared support modules run for every test file. Where files share one module graph per
// worker, a module-level `afterEach` in a support module registers with the first file that
// evaluates the module and never with the others, whose gateways, backends and scratch folders
// were then left open. Support modules register through test/support/file-hooks.ts instead; this
// file proves the setup file runs those hooks in every file of a shared graph (and that the probe
// fails without it), and that no support module calls a hook at module level.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PROBE_CONFIG = 'test/fixtures/file-hooks/vitest.probe.config.ts';
const HOOKS = new Set(['afterEach', 'afterAll', 'beforeEach', 'beforeAll']);

/** Runs the three probe files in one worker and one module graph, with `setup` as the setup file. */
function probe(setup: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', PROBE_CONFIG], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PROBE_SETUP: setup, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('hooks of shared support modules', () => {
  it('run after every test and every file of a shared module graph', () => {
    const r = probe('test/support/file-hooks-setup.ts');
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/Test Files\s+3 passed \(3\)/);
    expect(r.out).toMatch(/Tests\s+6 passed \(6\)/);
  });

  it('are missed by the probe files without the setup file', () => {
    // A setup file that registers nothing: the probe must notice the hooks not running.
    const r = probe('test/support/fast-check-setup.ts');
    expect(r.status, r.out).not.toBe(0);
    expect(r.out).toMatch(/Tests\s+5 failed \| 1 passed \(6\)/);
  });
});

/** The setup files vitest.config.ts names: they run once per test file, so their hooks may sit at
 *  module level. */
function setupFiles(): Set<string> {
  const config = readFileSync(path.join(ROOT, 'vitest.config.ts'), 'utf8');
  const list = /setupFiles:\s*\[([^\]]*)\]/.exec(config)?.[1] ?? '';
  return new Set([...list.matchAll(/'([^']+)'/g)].map((m) => m[1] as string));
}

/** Every helper module under test/ (not a test file, not a setup file), relative to the root. */
function supportModules(): string[] {
  const setup = setupFiles();
  return readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .map((f) => path.join('test', f))
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts') && !f.endsWith('.probe.ts') && !setup.has(f));
}

/** The lines of `code` that call a vitest hook when the module is evaluated (outside any function). */
function moduleLevelHooks(code: string, file = 'module.ts'): number[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && HOOKS.has(node.expression.text))
      lines.push(source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

describe('support modules under test/', () => {
  it('finds a hook at module level, also inside a block, and none inside a function', () => {
    expect(moduleLevelHooks("import { afterEach } from 'vitest';\nafterEach(() => {});")).toEqual([2]);
    expect(moduleLevelHooks('if (process.env.X) {\n  afterAll(() => {});\n}')).toEqual([2]);
    expect(moduleLevelHooks('export function f() {\n  afterAll(() => {});\n}')).toEqual([]);
    expect(moduleLevelHooks('export const f = () => beforeEach(() => {});')).toEqual([]);
  });

  it('call no vitest hook at module level (they register through file-hooks.ts)', () => {
    const modules = supportModules();
    expect(modules).toContain(path.join('test', 'support', 'gateway-harness.ts'));
    const offenders = modules.flatMap((f) =>
      moduleLevelHooks(readFileSync(path.join(ROOT, f), 'utf8'), f).map((line) => `${f}:${line}`),
    );
    expect(offenders).toEqual([]);
  });
});
