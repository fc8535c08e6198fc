// `npm test`'s runner (scripts/run-tests.js): without arguments the waiting-io project runs in its
// own vitest beside every other project, which runs at a lower CPU priority; with arguments it is
// one plain `vitest run`. The invocations are run here on a stand-in for vitest that reports what
// it was given (its arguments, environment and priority): a held invocation's output comes after
// all have ended, the exit code is the first failure's, and a machine without `nice` still runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REST_NICENESS,
  WAITING_CACHE_DIR,
  WAITING_PROJECT,
  WAITING_WORKERS,
  exitCode,
  invocations,
  restNiceness,
  runInvocations,
} from '../../scripts/run-tests.js';
import { WAITING } from '../support/test-projects.ts';

type Invocation = ReturnType<typeof invocations>[number];

/** A stand-in for vitest.mjs: prints its arguments, one variable and its priority as one JSON
 *  line, a line on stderr, and exits 3 when asked to run `fail`. */
function fakeVitest(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-run-tests-'));
  const file = path.join(dir, 'fake-vitest.mjs');
  fs.writeFileSync(
    file,
    [
      "import os from 'node:os';",
      'const args = process.argv.slice(2);',
      'const seen = { args, cacheDir: process.env.EXECSIM_VITEST_CACHE_DIR ?? null, priority: os.getPriority() };',
      'console.log(JSON.stringify(seen));',
      "console.error('said on stderr');",
      "process.exitCode = args.includes('fail') ? 3 : 0;",
    ].join('\n'),
  );
  return file;
}

/** The JSON lines the stand-ins printed, in the order they appear in `text`. */
const reports = (text: string): { args: string[]; cacheDir: string | null; priority: number }[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { args: string[]; cacheDir: string | null; priority: number });

async function run(list: Invocation[]): Promise<{ code: number; text: string }> {
  const out: string[] = [];
  const code = await runInvocations(list, fakeVitest(), (t: string | Buffer) => out.push(String(t)));
  return { code, text: out.join('') };
}

describe('npm test without arguments', () => {
  it('runs the waiting files in their own vitest, held and at the normal priority, beside the rest at a lower one', () => {
    const [waiting, rest, ...more] = invocations([]);
    expect(more).toEqual([]);
    expect(waiting).toEqual({
      name: WAITING_PROJECT,
      args: ['run', '--project', WAITING_PROJECT],
      niceness: 0,
      held: true,
      env: { EXECSIM_VITEST_CACHE_DIR: WAITING_CACHE_DIR, EXECSIM_WAITING_WORKERS: String(WAITING_WORKERS) },
    });
    expect(rest).toMatchObject({
      args: ['run', '--project', `!${WAITING_PROJECT}`],
      niceness: REST_NICENESS,
      held: false,
    });
    expect(REST_NICENESS).toBeGreaterThan(0);
    // The project it names is the one the WAITING files make (vitest.config.ts).
    const config = fs.readFileSync('vitest.config.ts', 'utf8');
    expect(config).toMatch(new RegExp(`name: '${WAITING_PROJECT}',\\s+include: WAITING,`));
    expect(config).toContain('process.env.EXECSIM_WAITING_WORKERS');
    expect(WAITING.length).toBeGreaterThan(0);
  });

  it('lowers the other projects by EXECSIM_TEST_NICENESS when set (0: not at all), and refuses a bad one by name', () => {
    expect(restNiceness({})).toBe(REST_NICENESS);
    expect(restNiceness({ EXECSIM_TEST_NICENESS: '' })).toBe(REST_NICENESS);
    expect(restNiceness({ EXECSIM_TEST_NICENESS: '0' })).toBe(0);
    expect(restNiceness({ EXECSIM_TEST_NICENESS: '19' })).toBe(19);
    for (const bad of ['20', '-1', '2.5', 'low'])
      expect(() => restNiceness({ EXECSIM_TEST_NICENESS: bad })).toThrow(
        `EXECSIM_TEST_NICENESS: "${bad}" is not a whole number from 0 to 19`,
      );
    expect(invocations([], 3)[1]?.niceness).toBe(3);
    expect(invocations([], 0)[0]?.niceness).toBe(0);
  });

  it('with arguments is one plain vitest run of them', () => {
    expect(invocations(['test/tooling', '--project', 'in-process'])).toEqual([
      { name: 'vitest', args: ['run', 'test/tooling', '--project', 'in-process'], niceness: 0, held: false, env: {} },
    ]);
  });
});

describe('the exit code', () => {
  it('is the first failure in the order of the invocations; a signal or no code is a failure', () => {
    const ok = { code: 0, signal: null };
    expect(exitCode([ok, ok])).toBe(0);
    expect(exitCode([ok, { code: 4, signal: null }])).toBe(4);
    expect(
      exitCode([
        { code: 2, signal: null },
        { code: 4, signal: null },
      ]),
    ).toBe(2);
    expect(exitCode([{ code: null, signal: 'SIGKILL' }, ok])).toBe(1);
    expect(exitCode([{ code: null, signal: null }])).toBe(1);
  });
});

describe('running the invocations', () => {
  it('prints a held one after all have ended, stdout and stderr, and names each outcome', async () => {
    const { code, text } = await run([
      { name: 'waiting', args: ['run', 'fail'], niceness: 0, held: true, env: { EXECSIM_VITEST_CACHE_DIR: 'x' } },
      { name: 'rest', args: ['run', 'pass'], niceness: REST_NICENESS, held: true, env: {} },
    ]);
    expect(code).toBe(3);
    expect(text.indexOf('── waiting, run beside the other projects ──')).toBeLessThan(text.indexOf('── rest,'));
    expect(text).toContain('said on stderr');
    expect(text.trimEnd().split('\n').at(-1)).toBe('npm test: waiting FAILED, rest passed');
    // Relative to this process's own priority (npm test runs this file lowered already); nice
    // stops at 19. Windows has priority classes, not nice: the runner does not lower it there.
    const own = os.getPriority();
    const [waiting, rest] = reports(text);
    expect(waiting).toMatchObject({ args: ['run', 'fail'], cacheDir: 'x', priority: own });
    expect(rest).toMatchObject({ args: ['run', 'pass'], cacheDir: null });
    if (process.platform !== 'win32') expect(rest?.priority).toBe(Math.min(19, own + REST_NICENESS));
  });

  it('runs at the normal priority where there is no `nice` to run', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-no-nice-'));
    const { code, text } = await run([
      { name: 'rest', args: ['run', 'pass'], niceness: REST_NICENESS, held: true, env: { PATH: empty } },
    ]);
    expect(code).toBe(0);
    expect(reports(text)).toEqual([{ args: ['run', 'pass'], cacheDir: null, priority: os.getPriority() }]);
    // One invocation: no summary line.
    expect(text).not.toContain('npm test:');
  });
});
