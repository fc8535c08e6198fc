// The words of the CLI's messages, across commands: every message about bad input starts
// lower-case after "execsim: " as the CLI's own do (node:util's parseArgs says "Unknown option"
// and "Option '--db <value>' argument missing"; those are reworded), except where it starts with
// a name spelled in capitals (an environment variable); and a scenario file that does not exist
// is named in one wording by every command that reads one (run, sweep, sweep --queue, gateway):
// "<path>: no such file or directory", exit 2, nothing created.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { editDistance } from '../../src/scenario/issue-text.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';

const SCENARIO = 'scenarios/twap-calm.yaml';
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-messages-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('messages about bad input', () => {
  const bad: string[][] = [
    ['run', '--bogus'],
    ['run', SCENARIO, '--db'],
    ['run', SCENARIO, '--seed'],
    ['run', SCENARIO, '--json=yes'],
    ['runs', '--limit'],
    ['runs', '-z'],
    ['runs', 'extra'],
    ['show'],
    ['events', 'x', '--kind'],
    ['export', 'x'],
    ['sweep'],
    ['sweep', SCENARIO, '--paths', '2', '--grid'],
    ['sweep', SCENARIO, '--paths', '2', '--grid', 'x'],
    ['sweeps', '--limit', 'x'],
    ['delete'],
    ['prune', '--status', 'nope'],
    ['serve', '--port'],
    ['serve', 'x'],
    ['serve', '--bogus'],
    ['worker'],
    ['gateway'],
    ['gateway', 'binance'],
    ['resume'],
    ['resume', 'x', '--bogus'],
    ['help', 'nope'],
    ['--nope'],
  ];
  it.each(bad)('%j: starts lower-case, exit 2', async (...args) => {
    const r = await execsimInProcess(args, { EXECSIM_DB: path.join(dir, 'never.db') });
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/^execsim: (?:[a-z0-9"'`/.-]|--)/);
    expect(fs.existsSync(path.join(dir, 'never.db'))).toBe(false);
  });

  it('a flag without its value says that it needs one; an unknown option is named', async () => {
    expect((await execsimInProcess(['runs', '--db'])).err[0]).toBe('execsim: --db needs a value');
    expect((await execsimInProcess(['events', 'x', '-k'])).err[0]).toBe("execsim: unknown option '-k'");
    expect((await execsimInProcess(['runs', '--bogus'])).err[0]).toBe("execsim: unknown option '--bogus'");
  });
});

describe('an unknown command or option names the one it most likely meant', () => {
  const first = async (args: string[]) => {
    const r = await execsimInProcess(args, { EXECSIM_DB: path.join(dir, 'never.db') });
    expect(r.code).toBe(2);
    return r.err[0];
  };

  it('commands, top-level options, help topics and gateways', async () => {
    expect(await first(['runn'])).toBe('execsim: unknown command "runn" (did you mean "run"?)');
    expect(await first(['evnets', 'x'])).toBe('execsim: unknown command "evnets" (did you mean "events"?)');
    expect(await first(['serv'])).toBe('execsim: unknown command "serv" (did you mean "serve"?)');
    expect(await first(['--verison'])).toBe("execsim: unknown option '--verison' (did you mean --version?)");
    expect(await first(['help', 'sweps'])).toBe('execsim: no command "sweps" (did you mean "sweeps"?)');
    expect(await first(['help', 'constructor'])).toBe('execsim: no command "constructor"');
    expect(await first(['gateway', 'binanse'])).toBe(
      'execsim: unknown gateway "binanse" (did you mean "binance"?) (known: alpaca, binance)',
    );
    // Nothing close: no guess.
    expect(await first(['frobnicate'])).toBe('execsim: unknown command "frobnicate"');
    expect(await first(['runs', '--bogus'])).toBe("execsim: unknown option '--bogus'");
  });

  it("a command's options: --sed is --seed, for run as for sweep", async () => {
    expect(await first(['run', SCENARIO, '--sed', '3'])).toBe("execsim: unknown option '--sed' (did you mean --seed?)");
    expect(await first(['sweep', SCENARIO, '--paths', '2', '--sed', '3'])).toBe(
      "execsim: unknown option '--sed' (did you mean --seed?)",
    );
    expect(await first(['runs', '--jsn'])).toBe("execsim: unknown option '--jsn' (did you mean --json?)");
  });

  // Every command's long options, as its --help lists them: in its usage line, and at the start
  // of its option lines (not those its prose names of other commands, as worker's --version).
  const commands = [
    'run',
    'runs',
    'show',
    'events',
    'export',
    'delete',
    'prune',
    'sweep',
    'sweeps',
    'resume',
    'serve',
    'gateway',
    'worker',
  ];
  const flagsOf = (command: string): string[] => {
    const help: string[] = [];
    main(['help', command], { out: (t) => void help.push(t), err: () => {}, env: {} });
    const lines = help.join('\n').split('\n');
    const terms = lines.flatMap((l) => {
      if (l.startsWith('usage:')) return [l];
      const term = /^ {2,}(-\w, )?--\S.*?(?= {2,}|$)/.exec(l);
      return term ? [term[0]] : [];
    });
    return [
      ...new Set(terms.flatMap((t) => [...t.matchAll(/(?<![\w-])--([a-z][a-z-]+)/g)].map((m) => m[1] as string))),
    ];
  };

  it('any one-letter slip in any long option of a command is answered with an option of that command one letter away', async () => {
    const cases = commands.flatMap((c) => flagsOf(c).map((f) => [c, f] as const));
    expect(cases.length).toBeGreaterThan(30);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        fc.constantFrom('delete', 'swap', 'double', 'replace'),
        fc.nat(),
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
        async ([command, flag], slip, at, letter) => {
          const i = at % flag.length;
          const typo =
            slip === 'delete'
              ? flag.slice(0, i) + flag.slice(i + 1)
              : slip === 'swap'
                ? flag.slice(0, i) + (flag[i + 1] ?? '') + flag[i] + flag.slice(i + 2)
                : slip === 'double'
                  ? flag.slice(0, i) + flag[i] + flag.slice(i)
                  : flag.slice(0, i) + letter + flag.slice(i + 1);
          const flags = flagsOf(command);
          // A slip that makes another real option, or a prefix parseArgs reads as one, is no slip.
          fc.pre(typo.length >= 2 && !flags.includes(typo) && typo !== 'help' && !/^[a-z]$/.test(typo));
          const line = await first([command, `--${typo}`]);
          const said = new RegExp(`^execsim: unknown option '--${typo}' \\(did you mean --([a-z-]+)\\?\\)$`).exec(
            line ?? '',
          );
          expect(said, line).not.toBeNull();
          const meant = said![1] as string;
          expect([...flags, 'help']).toContain(meant);
          expect(editDistance(typo.toLowerCase(), meant)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a scenario file that does not exist', () => {
  it('is named in the same words by run, sweep, sweep --queue and gateway, as the path was given', async () => {
    const env = { EXECSIM_DB: path.join(dir, 'never.db'), APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's' };
    const missingPaths = [
      path.join(dir, 'nope', 'missing.yaml'),
      // Relative (named so, not resolved), and under a file (ENOTDIR rather than ENOENT).
      path.join('test', `no-such-folder-${path.basename(dir)}`, 'missing.yaml'),
      `${SCENARIO}/missing.yaml`,
    ];
    for (const missing of missingPaths) {
      const commands = [
        ['run', missing],
        ['sweep', missing, '--paths', '2'],
        ['sweep', missing, '--paths', '2', '--store'],
        ['sweep', missing, '--paths', '2', '--queue', 'redis://127.0.0.1:1'],
        ['gateway', 'alpaca', '--scenario', missing, '--port', '0'],
      ];
      for (const args of commands) {
        const r = await execsimInProcess(args, env);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.err, args.join(' ')).toEqual([`execsim: ${missing}: no such file or directory`]);
      }
    }
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
  });
});

describe('a --host that names no host', () => {
  it('is one usage message from gateway and serve, exit 2, no stack (the name is resolved by a stub: no DNS)', async () => {
    const dns = await import('node:dns');
    const real = dns.default.lookup;
    const stub = ((host: string, ...rest: unknown[]) => {
      const cb = rest.at(-1) as (err: NodeJS.ErrnoException) => void;
      if (host !== 'no-such-host.test') return (real as (...a: unknown[]) => unknown)(host, ...rest);
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
      Object.assign(err, { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: host });
      process.nextTick(() => cb(err));
    }) as typeof real;
    dns.default.lookup = stub;
    try {
      const env = { EXECSIM_DB: path.join(dir, 'no-host.db'), APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's' };
      for (const [command, args] of [
        ['gateway', ['gateway', 'alpaca', '--scenario', 'scenarios/gateway/aapl.yaml']],
        ['serve', ['serve', '--create']],
      ] as const) {
        const r = await execsimInProcess([...args, '--host', 'no-such-host.test', '--port', '0'], env);
        expect(r.code, r.err.join('\n')).toBe(2);
        expect(r.err[0]).toBe('execsim: cannot listen on no-such-host.test:0: getaddrinfo ENOTFOUND no-such-host.test');
        expect(r.err[1], command).toMatch(new RegExp(`^usage: execsim ${command} `));
      }
    } finally {
      dns.default.lookup = real;
    }
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('no-host'))).toEqual([]);
  });
});
