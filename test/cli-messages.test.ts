// The words of the CLI's messages, across commands: every message about bad input starts
// lower-case after "execsim: " as the CLI's own do (node:util's parseArgs says "Unknown option"
// and "Option '--db <value>' argument missing"; those are reworded), except where it starts with
// a name spelled in capitals (an environment variable); and a scenario file that does not exist
// is named in one wording by every command that reads one (run, sweep, sweep --queue, gateway):
// "<path>: no such file or directory", exit 2, nothing created.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execsimInProcess } from './support/cli-in-process.ts';

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
