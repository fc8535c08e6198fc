// Flags as every command parses them (parseCommand in src/cli/io.ts): a value that starts with a
// dash in its own argument, a negative number above all (`--from -1`), gets the command's own
// one-line message naming the flag and what it takes, exit 2, never node:util's "ambiguous"
// advice, and nothing is run, served or opened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execsimInProcess } from '../support/cli-in-process.ts';

const SCENARIO = 'scenarios/static-book-sweep.yaml';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-flags-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a negative number given to a numeric flag in its own argument', () => {
  // Each command with one numeric flag given -1 (a database that does not exist: flags are
  // checked before it is looked for), and the start of the message its own check gives.
  const cases: Array<[string[], string]> = [
    [['runs', '--limit', '-1'], '--limit: "-1" is not a whole number'],
    [['events', 'some-run', '--from', '-1'], '--from: "-1" is not a whole number'],
    [['events', 'some-run', '--to', '-2.5'], '--to: "-2.5" is not a whole number'],
    [['run', SCENARIO, '--seed', '-3'], '--seed: "-3" is not a non-negative integer'],
    [['sweep', SCENARIO, '--paths', '-1'], '--paths: "-1" is not a positive integer'],
    [['sweep', SCENARIO, '--paths', '2', '--workers', '-4'], '--workers: "-4" is not a positive integer'],
    [['serve', '--port', '-1'], '--port: "-1" is not a whole number'],
    [['serve', '--workers', '-1'], '--workers: "-1" is not a whole number'],
    [['gateway', 'alpaca', '--scenario', SCENARIO, '--port', '-80'], '--port: "-80" is not a whole number'],
  ];
  it.each(cases)('%j: one line naming the flag and what it takes, exit 2', async (args, message) => {
    const db = path.join(dir, 'never-created.db');
    const r = await execsimInProcess(args, { EXECSIM_DB: db });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.err[0]).toMatch(new RegExp(`^execsim: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.err.join('\n')).not.toMatch(/ambiguous|XYZ/);
    // The rest is the command's usage.
    expect(r.err[1]).toMatch(/^usage: execsim /);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('names what the flag accepts: its range', async () => {
    expect((await execsimInProcess(['runs', '--limit', '-1'])).err[0]).toBe(
      'execsim: --limit: "-1" is not a whole number (it takes 0 or more)',
    );
    expect((await execsimInProcess(['serve', '--port', '-1'])).err[0]).toBe(
      'execsim: --port: "-1" is not a whole number (it takes 0 to 65535)',
    );
  });

  it('the same value joined to its flag (--from=-1) gets the same message', async () => {
    const apart = await execsimInProcess(['events', 'some-run', '--from', '-1']);
    const joined = await execsimInProcess(['events', 'some-run', '--from=-1']);
    expect(apart).toEqual(joined);
  });

  it('a flag given another flag where its value belongs says that it needs a value', async () => {
    const r = await execsimInProcess(['runs', '--limit', '--json']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(
      'execsim: --limit needs a value, but "--json" follows it (write --limit=VALUE for a value that starts with a dash)',
    );
  });

  it('after --, a negative number is a positional, not a value', async () => {
    const r = await execsimInProcess(['events', '--from', '2', '--', '-1'], { EXECSIM_DB: path.join(dir, 'no.db') });
    // -1 is the run id: the missing database is what stops it.
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/^execsim: no database at /);
  });
});

describe('a flag that takes one value, given twice', () => {
  // Each command and a flag of its given two values (a database that does not exist: flags are
  // checked before it is looked for): one line naming the flag and both values, the usage, exit 2.
  const cases: Array<[string[], string]> = [
    [['run', SCENARIO, '--seed', '1', '--seed', '2'], '--seed is given twice ("1", then "2"): give it once'],
    [['run', SCENARIO, '--db', 'a.db', '--db=b.db'], '--db is given twice ("a.db", then "b.db"): give it once'],
    [['runs', '--limit', '5', '--limit', '6'], '--limit is given twice ("5", then "6"): give it once'],
    [['sweep', SCENARIO, '--paths', '2', '--paths', '3'], '--paths is given twice ("2", then "3"): give it once'],
    [['serve', '--port', '0', '--port', '1'], '--port is given twice ("0", then "1"): give it once'],
  ];
  it.each(cases)('%j: exit 2, nothing run or stored', async (args, message) => {
    const db = path.join(dir, 'never-created-twice.db');
    const r = await execsimInProcess(args, { EXECSIM_DB: db });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.err[0]).toBe(`execsim: ${message}`);
    expect(r.err[1]).toMatch(/^usage: execsim /);
    expect(fs.existsSync(db)).toBe(false);
    expect(fs.existsSync('a.db') || fs.existsSync('b.db')).toBe(false);
  });

  it('the same value twice, a switch twice, and a flag that takes several are each one meaning: they run', async () => {
    const db = path.join(dir, 'twice.db');
    const same = await execsimInProcess(['run', SCENARIO, '--seed', '7', '--seed=7', '--no-store', '--no-store']);
    expect(same.err).toEqual([]);
    expect(same.code).toBe(0);
    const once = await execsimInProcess(['run', SCENARIO, '--seed', '7', '--no-store']);
    const digest = (out: string) => /digest {2}([0-9a-f]{64})/.exec(out)?.[1];
    expect(digest(same.stdout)).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(same.stdout)).toBe(digest(once.stdout));
    expect(same.stdout).toMatch(/\(seed 7, not stored\)/);
    // --kind takes several: both kinds are listed, neither refused.
    const stored = await execsimInProcess(['run', SCENARIO, '--db', db]);
    expect(stored.code).toBe(0);
    const runId = /stored run (run-\S+) in/.exec(stored.stdout)?.[1] ?? '';
    const kinds = await execsimInProcess(['events', runId, '--kind', 'RunStarted', '--kind', 'FillAudit', '--db', db]);
    expect(kinds.code).toBe(0);
    expect(kinds.stdout).toMatch(/RunStarted/);
    expect(kinds.stdout).toMatch(/FillAudit/);
    expect(kinds.stdout).not.toMatch(/FillReport/);
  });
});
