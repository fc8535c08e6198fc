// 'execsim/strategy' has types outside this repository: the shipped declarations in types/ are
// what scripts/write-strategy-types.js writes from the sources now, and a project in a folder of
// its own that depends on execsim (a symlink in its node_modules, no network) type-checks a module
// importing 'execsim/strategy' with tsc: a correct one passes, one that misreads the context fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript script without declarations.
import { strategyTypes } from '../../scripts/write-strategy-types.js';

const ROOT = resolve('.');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

const GOOD = `import { defineStrategy, type Bar, type StrategyPnl } from 'execsim/strategy';

export default defineStrategy({
  name: 'typed',
  feed: { bars: [60_000, 300_000] },
  create(_params, ctx) {
    return {
      onBar(bar: Bar) {
        const pnl: StrategyPnl = ctx.pnl();
        const cost: number | null = pnl.averagePrice;
        const working = ctx.openOrders().filter((o) => o.filled < o.qty).length;
        if (bar.ms === 300_000 && cost !== null && working === 0 && ctx.balances().quote > 0)
          return { side: 'sell', qty: ctx.position(), reduceOnly: true };
        return undefined;
      },
    };
  },
});
`;

/** A project of its own: package.json, tsconfig.json, node_modules/execsim -> this repository. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'execsim-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules/execsim'), 'dir');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', type: 'module', dependencies: { execsim: '*' } }),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ['*.ts'],
    }),
  );
  return dir;
}

/** tsc over the project: its output, and whether it passed. */
function typecheck(dir: string): { ok: boolean; out: string } {
  try {
    execFileSync(process.execPath, [TSC, '-p', dir], { stdio: 'pipe' });
    return { ok: true, out: '' };
  } catch (err) {
    return { ok: false, out: String((err as { stdout?: Buffer }).stdout ?? err) };
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("execsim/strategy's types", () => {
  it('are shipped as the sources declare them now (npm run types:write)', () => {
    const written = strategyTypes() as { path: string; text: string }[];
    expect(written.map((f) => f.path)).toContain('strategy/strategy-api.d.ts');
    for (const f of written) expect(readFileSync(join(ROOT, 'types', f.path), 'utf8'), f.path).toBe(f.text);
  }, 60_000);

  it('type-check a module in a project that depends on execsim, and catch a misread context', () => {
    const dir = project();
    dirs.push(dir);
    writeFileSync(join(dir, 'strategy.ts'), GOOD);
    expect(typecheck(dir)).toEqual({ ok: true, out: '' });
    writeFileSync(join(dir, 'strategy.ts'), GOOD.replace('pnl.averagePrice', 'pnl.averageCost'));
    const bad = typecheck(dir);
    expect(bad.ok).toBe(false);
    expect(bad.out).toMatch(
      /strategy\.ts\(\d+,\d+\): error TS\d+: Property 'averageCost' does not exist on type 'StrategyPnl'/,
    );
  }, 60_000);
});
