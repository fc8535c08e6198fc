// Bad input a user gives the commands (paths that are folders, empty or missing, data of another
// symbol, an empty database path, a flag that does not apply): one message naming the flag or
// file and the problem, exit 2, never a stack trace, and nothing written, replaced or removed by
// the refused command. Each case once failed so: a crash, a file of the user's removed, a sweep
// stored where it was lost at exit, a value accepted and ignored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execsimInProcess } from '../support/cli-in-process.ts';

const SCENARIO = 'scenarios/static-book-sweep.yaml';
const HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const row = (symbol: string, id: number): string =>
  `binance,${symbol},17231612539${String(id).padStart(2, '0')}000,17231612539${String(id).padStart(2, '0')}000,${id},buy,61000.10,0.5`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-refusals-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A Tardis trades file of `symbol` (rows `from`..`to`). */
function trades(name: string, symbol: string, rows = 2): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, [HEADER, ...Array.from({ length: rows }, (_, i) => row(symbol, i + 1))].join('\n') + '\n');
  return file;
}

const importArgs = (files: string[], out: string, symbol = 'BTCUSDT'): string[] => [
  'data',
  'import',
  '--from',
  'tardis',
  ...files,
  '--out',
  out,
  '--symbol',
  symbol,
  '--tick-size',
  '0.01',
];

/** Exit 2, a first line `execsim: <message>` and nothing on stdout. */
function refused(r: { code: number; stdout: string; err: string[] }, message: RegExp): void {
  expect(r.code, r.err.join('\n')).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.err[0]).toMatch(message);
  expect(r.err.join('\n')).not.toMatch(/\n\s+at |Error:|Maximum call stack/);
}

describe('execsim data import: where it writes', () => {
  it('--out a folder, a file in a missing folder, or an empty path: one message naming --out', async () => {
    const input = trades('ok.csv', 'BTCUSDT');
    const folder = path.join(dir, 'out-folder');
    fs.mkdirSync(folder);
    refused(await execsimInProcess(importArgs([input], folder)), /^execsim: --out .*out-folder: is a folder/);
    refused(
      await execsimInProcess(importArgs([input], path.join(dir, 'no', 'such', 'x.gz'))),
      /^execsim: --out .*x\.gz: the folder .*such does not exist/,
    );
    refused(await execsimInProcess(importArgs([input], '')), /^execsim: --out: an empty path/);
    // Under a file: its folder is not one.
    refused(
      await execsimInProcess(importArgs([input], path.join(input, 'x.gz'))),
      /^execsim: --out .*ok\.csv is not a folder/,
    );
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('--out naming one of its input files is refused, and the input is left whole', async () => {
    const input = trades('same.csv', 'BTCUSDT');
    const before = fs.readFileSync(input, 'utf8');
    refused(
      await execsimInProcess(importArgs([input], input)),
      /^execsim: --out .*same\.csv: is one of the input files/,
    );
    expect(fs.readFileSync(input, 'utf8')).toBe(before);
  });

  it('a refused import leaves a file already at --out as it was, and no temporary file beside it', async () => {
    const folder = path.join(dir, 'keep');
    fs.mkdirSync(folder);
    const out = path.join(folder, 'recording.gz');
    const ok = await execsimInProcess(importArgs([trades('keep.csv', 'BTCUSDT')], out));
    expect(ok.code, ok.err.join('\n')).toBe(0);
    const before = fs.readFileSync(out);
    // Rows of another symbol than --symbol: refused on the first row, even with --force.
    const bad = await execsimInProcess([...importArgs([trades('eth.csv', 'ETHUSDT')], out), '--force']);
    refused(bad, /^execsim: .*eth\.csv: line 2: the data is for symbol ETHUSDT, but --symbol is BTCUSDT$/);
    // Bad data, not a bad command line: the one message, no usage after it.
    expect(bad.err).toHaveLength(1);
    expect(fs.readFileSync(out)).toEqual(before);
    expect(fs.readdirSync(folder)).toEqual(['recording.gz']);
  });

  it('a file already at --out is refused, named with the flag that replaces it, unless --force', async () => {
    const folder = path.join(dir, 'exists');
    fs.mkdirSync(folder);
    const out = path.join(folder, 'recording.gz');
    fs.writeFileSync(out, 'an earlier recording');
    const r = await execsimInProcess(importArgs([trades('exists.csv', 'BTCUSDT')], out));
    refused(r, /^execsim: --out .*exists[\\/]recording\.gz: the file exists; give --force to replace it/);
    expect(r.err).toHaveLength(1);
    expect(fs.readFileSync(out, 'utf8')).toBe('an earlier recording');
    expect(fs.readdirSync(folder)).toEqual(['recording.gz']);
    const forced = await execsimInProcess([...importArgs([trades('exists.csv', 'BTCUSDT')], out), '--force']);
    expect(forced.code, forced.err.join('\n')).toBe(0);
    expect(zlib.gunzipSync(fs.readFileSync(out)).toString('utf8')).toContain('"t":1,');
    expect(fs.readdirSync(folder)).toEqual(['recording.gz']);
  });

  it('a UTF-8 byte order mark, or blank lines, before the first line: read past, as a spreadsheet writes them', async () => {
    // A headerless Binance trades archive: its first cell was read as "\uFEFF1", not an integer.
    const archive = path.join(dir, 'bom-archive.csv');
    fs.writeFileSync(
      archive,
      '\uFEFF1,61000.10,0.5,30500,1723161253937,true,true\n2,61000.20,0.5,30500,1723161253938,true,true\n',
    );
    const fromArchive = await execsimInProcess([
      ...importArgs([archive], path.join(dir, 'bom-archive.gz')).map((a) => (a === 'tardis' ? 'binance-archive' : a)),
      '--book-depth',
      '1',
    ]);
    expect(fromArchive.code, fromArchive.err.join('\n')).toBe(0);
    expect(fromArchive.stdout).toContain('archives: trades; 2 trades');
    // Tardis CSVs: a blank line before the header was read as a row ('symbol "symbol" is not ...').
    const blank = path.join(dir, 'blank-first.csv');
    fs.writeFileSync(blank, `\n\r\n${HEADER}\n${row('BTCUSDT', 1)}\n`);
    const bom = path.join(dir, 'bom-first.csv');
    fs.writeFileSync(bom, `\uFEFF${HEADER}\n${row('BTCUSDT', 2)}\n`);
    for (const [file, out] of [
      [blank, 'blank-first.gz'],
      [bom, 'bom-first.gz'],
    ] as const) {
      const r = await execsimInProcess(importArgs([file], path.join(dir, out)));
      expect(r.code, r.err.join('\n')).toBe(0);
      expect(r.stdout).toContain('rows: trades 1');
    }
  });

  it('a later row that cannot be read is refused the same way', async () => {
    const file = path.join(dir, 'late.csv');
    fs.writeFileSync(file, [HEADER, row('BTCUSDT', 1), row('ETHUSDT', 2)].join('\n') + '\n');
    const out = path.join(dir, 'late.gz');
    refused(
      await execsimInProcess(importArgs([file], out)),
      /^execsim: .*late\.csv: line 3: the data is for symbol ETHUSDT, but --symbol is BTCUSDT$/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a bad flag has the import's usage after its message; bad data has none", async () => {
    const out = path.join(dir, 'usage.gz');
    const flag = await execsimInProcess([...importArgs([trades('u.csv', 'BTCUSDT')], out), '--lot-size', 'x']);
    refused(flag, /^execsim: --lot-size x must be a positive decimal/);
    expect(flag.err[1]).toMatch(/^usage: execsim data import /);
    const data = await execsimInProcess(importArgs([trades('u-eth.csv', 'ETHUSDT')], out));
    refused(data, /^execsim: .*u-eth\.csv: line 2: the data is for symbol ETHUSDT, but --symbol is BTCUSDT$/);
    expect(data.err).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('an empty --symbol is named as such', async () => {
    const out = path.join(dir, 'nosymbol.gz');
    refused(await execsimInProcess(importArgs([trades('s.csv', 'BTCUSDT')], out, '')), /^execsim: --symbol: empty/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('execsim data list|inspect|prune: where it looks', () => {
  it('inspect of a cache that is not there, or fails its checks: one message, no usage', async () => {
    const none = await execsimInProcess(['data', 'inspect', 'feedbeef', '--dir', dir]);
    refused(none, /^execsim: no replay cache "feedbeef" in /);
    expect(none.err).toHaveLength(1);
    const bad = path.join(dir, 'bad.xrc');
    fs.writeFileSync(bad, 'not a cache');
    const invalid = await execsimInProcess(['data', 'inspect', bad]);
    refused(invalid, /^execsim: .*bad\.xrc/);
    expect(invalid.err).toHaveLength(1);
    fs.rmSync(bad);
  });

  it('inspect of a folder, or of an empty key: one message', async () => {
    refused(await execsimInProcess(['data', 'inspect', dir + '/']), /^execsim: .*: a folder, not a replay cache file/);
    refused(await execsimInProcess(['data', 'inspect', '', '--dir', dir]), /^execsim: data inspect: an empty key/);
  });

  it('--dir empty, or a file: one message naming --dir', async () => {
    const file = trades('not-a-folder.csv', 'BTCUSDT');
    for (const sub of ['list', 'prune']) {
      refused(await execsimInProcess(['data', sub, '--dir', '']), /^execsim: --dir: an empty path/);
      refused(
        await execsimInProcess(['data', sub, '--dir', file]),
        /^execsim: --dir .*not-a-folder\.csv: not a folder/,
      );
    }
    // A path under a file is a path where nothing is.
    const under = await execsimInProcess(['data', 'list', '--dir', path.join(file, 'x')]);
    expect(under.code).toBe(0);
    expect(under.stdout).toMatch(/^no replay caches in /);
    refused(await execsimInProcess(['data', 'inspect', path.join(file, 'x.xrc')]), /^execsim: no replay cache file /);
    expect(fs.existsSync(file)).toBe(true);
  });
});

describe('execsim run: scenario files and flags', () => {
  /** A BTCUSDT scenario replaying the Tardis file `file` (in `dir`), with `more` lines after its
   *  market (other instruments); its path. */
  const tardisScenario = (name: string, file: string, more: readonly string[] = []): string => {
    const scenario = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(
      scenario,
      [
        `name: ${name}`,
        'seed: 1',
        'venue: { name: binance-spot }',
        'instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }',
        'start: 2024-08-09T00:00:00Z',
        'duration: PT1M',
        `market: { model: replay, format: tardis, files: [${file}] }`,
        ...more,
        'orders: []',
      ].join('\n'),
    );
    return scenario;
  };

  it('a replay of Tardis files whose first row is of another symbol: bad input, not a crash', async () => {
    trades('eth-market.csv', 'ETHUSDT');
    refused(
      await execsimInProcess(['run', tardisScenario('tardis-eth', 'eth-market.csv'), '--no-store']),
      /^execsim: .*eth-market\.csv: line 2: the data is for symbol ETHUSDT, but the scenario's instrument\.symbol is BTCUSDT$/,
    );
  });

  it("another instrument's Tardis files of the wrong symbol are named with that instrument's field", async () => {
    trades('btc-market.csv', 'BTCUSDT');
    const scenario = tardisScenario('tardis-other', 'btc-market.csv', [
      'otherInstruments:',
      '  - symbol: ETHUSDT',
      '    tickSize: "0.01"',
      '    lotSize: "0.0001"',
      '    minNotional: "5"',
      '    market: { model: replay, format: tardis, dataLotSize: "0.00001", files: [btc-market.csv] }',
    ]);
    refused(
      await execsimInProcess(['run', scenario, '--no-store']),
      /^execsim: .*btc-market\.csv: line 2: the data is for symbol BTCUSDT, but the scenario's otherInstruments\[0\]\.symbol is ETHUSDT$/,
    );
  });

  it('an empty path is named as one', async () => {
    refused(await execsimInProcess(['run', '', '--no-store']), /^execsim: "": an empty path; name the scenario file/);
  });

  it('YAML nested too deeply: one message saying so, not the parser running out of stack', async () => {
    const file = path.join(dir, 'deep.yaml');
    fs.writeFileSync(file, `name: deep\nfoo: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    refused(await execsimInProcess(['run', file, '--no-store']), /^execsim: .*deep\.yaml: .*nested too deeply/);
  });

  it('--market-hours is for paper runs: a backtest refuses it (any value) rather than ignoring it', async () => {
    const db = path.join(dir, 'market-hours.db');
    for (const hours of ['bogus', 'always']) {
      refused(
        await execsimInProcess(['run', SCENARIO, '--db', db, '--market-hours', hours]),
        /^execsim: --market-hours is for paper runs/,
      );
    }
    expect(fs.existsSync(db)).toBe(false);
  });
});

describe('execsim runs: a filter that matches nothing', () => {
  it('says no run matches, not that nothing is stored', async () => {
    const db = path.join(dir, 'filters.db');
    expect((await execsimInProcess(['run', SCENARIO, '--db', db, '--quiet'])).code).toBe(0);
    const none = await execsimInProcess(['runs', '--db', db, '--scenario', 'no-such-scenario']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no stored run matches the filters\n');
    const empty = path.join(dir, 'empty.db');
    fs.copyFileSync(db, empty);
    expect((await execsimInProcess(['delete', '--db', empty, ...(await runIds(empty))])).code).toBe(0);
    expect((await execsimInProcess(['runs', '--db', empty])).stdout).toBe(
      'no runs stored yet: try `execsim run scenarios`\n',
    );
    expect((await execsimInProcess(['runs', '--db', empty, '--from', '2020-01-01T00:00:00Z'])).stdout).toBe(
      'no stored run matches the filters\n',
    );
  });
});

async function runIds(db: string): Promise<string[]> {
  const r = await execsimInProcess(['runs', '--db', db, '--json', '--limit', '0']);
  return (JSON.parse(r.stdout) as Array<{ runId: string }>).map((x) => x.runId);
}

describe('execsim sweep --store: an empty database path', () => {
  it('--db "" and EXECSIM_DB="" are refused before anything runs (SQLite would store it in a temporary file)', async () => {
    const args = ['sweep', SCENARIO, '--paths', '1', '--workers', '1', '--store', '--quiet'];
    refused(await execsimInProcess([...args, '--db', '']), /^execsim: --db: an empty path/);
    refused(await execsimInProcess(args, { EXECSIM_DB: '' }), /^execsim: EXECSIM_DB is set but empty/);
    // A queued sweep: named before Redis is tried (nothing listens on port 1).
    refused(
      await execsimInProcess(['sweep', SCENARIO, '--paths', '1', '--queue', 'redis://127.0.0.1:1', '--db', '']),
      /^execsim: --db: an empty path/,
    );
  });

  it('without --store no database is used, so an empty EXECSIM_DB does not matter', async () => {
    const r = await execsimInProcess(['sweep', SCENARIO, '--paths', '1', '--workers', '1', '--quiet'], {
      EXECSIM_DB: '',
    });
    expect(r.code, r.err.join('\n')).toBe(0);
  });
});

describe('execsim record --out', () => {
  it('empty, or a file: one message naming --out, before any connection', async () => {
    const file = trades('record-file.csv', 'BTCUSDT');
    const args = ['record', '--symbol', 'BTCUSDT', '--venue', 'http://127.0.0.1:1', '--streams', 'ws://127.0.0.1:1'];
    refused(await execsimInProcess([...args, '--out', '']), /^execsim: --out: an empty path; name the folder/);
    refused(await execsimInProcess([...args, '--out', file]), /^execsim: --out .*record-file\.csv: not a folder/);
    refused(
      await execsimInProcess([...args, '--out', path.join(file, 'sub')]),
      /^execsim: --out .*sub: .*record-file\.csv is not a folder/,
    );
  });

  it('a folder it created for a start that failed is removed again', async () => {
    const out = path.join(dir, 'rec', 'day');
    const r = await execsimInProcess([
      'record',
      '--symbol',
      'BTCUSDT',
      '--out',
      out,
      '--venue',
      'http://127.0.0.1:1',
      '--streams',
      'ws://127.0.0.1:1',
    ]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/cannot open the market streams/);
    // A venue it cannot reach is no misuse of the command: no usage after the message.
    expect(r.err.join('\n')).not.toMatch(/usage:/);
    expect(fs.existsSync(path.join(dir, 'rec'))).toBe(false);
  });
});

describe('execsim prune --older-than', () => {
  it('quotes the value as it was typed', async () => {
    refused(
      await execsimInProcess(['prune', '--older-than', '1.5d', '--db', path.join(dir, 'none.db')]),
      /^execsim: --older-than: "1\.5d" /,
    );
    refused(
      await execsimInProcess(['prune', '--older-than=-1d', '--db', path.join(dir, 'none.db')]),
      /^execsim: --older-than: .*"-1d"/,
    );
  });
});

describe('execsim serve --session of a sim session', () => {
  it('refuses --market-hours (a paper session flag) rather than ignoring it, before the database is made', async () => {
    const db = path.join(dir, 'session.db');
    for (const hours of ['bogus', 'always'])
      refused(
        await execsimInProcess([
          'serve',
          '--session',
          'scenarios/session/sandbox-btcusdt.yaml',
          '--db',
          db,
          '--port',
          '0',
          '--market-hours',
          hours,
        ]),
        /^execsim: --market-hours is for a paper session/,
      );
    expect(fs.existsSync(db)).toBe(false);
  });
});

describe('execsim data import --from binance-archive: the synthesized book', () => {
  it('--book-depth takes quantities above zero, as a scenario market.book does; a bad one names the flag', async () => {
    const archive = path.join(dir, 'archive.csv');
    fs.writeFileSync(archive, '1,61000.10,0.5,30500,1723161253937,true,true\n');
    const out = path.join(dir, 'archive.gz');
    const args = (depth: string, ...more: string[]) => [
      ...importArgs([archive], out).map((a) => (a === 'tardis' ? 'binance-archive' : a)),
      '--book-depth',
      depth,
      ...more,
    ];
    for (const depth of ['-1', '0', '1,0.0', 'x', '1,,2'])
      refused(await execsimInProcess(args(depth)), /^execsim: --book-depth: ".*" is not a quantity above zero/);
    refused(await execsimInProcess(args('1', '--spread-ticks', '1.5')), /^execsim: --spread-ticks 1\.5 must be/);
    expect(fs.existsSync(out)).toBe(false);
    const ok = await execsimInProcess(args('0.5,1'));
    expect(ok.code, ok.err.join('\n')).toBe(0);
    expect(ok.stdout).toContain('2 levels a side');
  });
});

describe('execsim sweep: a replay file whose content is bad', () => {
  it('is one message naming the path, the file and the line, exit 2; a stored sweep or run says it was stored as failed', async () => {
    // The bundled recording's first day, cut after 40 lines and a line of garbage.
    const data = path.join(dir, 'bad-replay', 'data', 'binance-spot');
    fs.mkdirSync(data, { recursive: true });
    const day = zlib.gunzipSync(fs.readFileSync('scenarios/data/binance-spot/btcusdt_20240808.gz')).toString('utf8');
    const lines = day.split('\n').slice(0, 40);
    fs.writeFileSync(path.join(data, 'btcusdt_20240808.gz'), zlib.gzipSync(`${lines.join('\n')}\nnot a line\n`));
    fs.copyFileSync('scenarios/data/binance-spot/btcusdt_20240809.gz', path.join(data, 'btcusdt_20240809.gz'));
    const file = path.join(dir, 'bad-replay', 'replay.yaml');
    fs.copyFileSync('scenarios/replay-btcusdt.yaml', file);
    const says = /^execsim: path 0 \(seed \d+\): .*btcusdt_20240808\.gz: line 41: /;
    refused(await execsimInProcess(['sweep', file, '--paths', '2', '--workers', '1', '--quiet']), says);
    const db = path.join(dir, 'bad-replay.db');
    const stored = await execsimInProcess(['sweep', file, '--paths', '2', '--workers', '1', '--store', '--db', db]);
    refused(stored, says);
    expect(stored.err[1]).toMatch(/^execsim: stored as failed sweep sweep-\S+$/);
    const sweeps = await execsimInProcess(['sweeps', '--db', db, '--json']);
    expect((JSON.parse(sweeps.stdout) as Array<{ state: string }>).map((s) => s.state)).toEqual(['failed']);
    // A run meets the line as it reads it: the run was stored as failed by then, and says so.
    const run = await execsimInProcess(['run', file, '--db', db, '--quiet']);
    refused(run, /^execsim: .*btcusdt_20240808\.gz: line 41: /);
    const id = /^execsim: stored as failed run (run-\S+)$/.exec(run.err[1] ?? '')?.[1];
    const runs = await execsimInProcess(['runs', '--db', db, '--json']);
    expect((JSON.parse(runs.stdout) as Array<{ runId: string; state: string }>).map((r) => [r.runId, r.state])).toEqual(
      [[id, 'failed']],
    );
    // Its show says which digest its log reproduces: the writer's of the log, not a run digest.
    const shown = await execsimInProcess(['show', id as string, '--db', db]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /run is failed: no run digest; the stored log of \d+ events reproduces the digest its writer recorded for it/,
    );
    expect(shown.stdout).not.toContain('stored log reproduces the digest');
  });
});

describe('execsim run: replay files that are missing', () => {
  it('are each named, all at once, as every field is', async () => {
    const file = path.join(dir, 'no-data', 'replay.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync('scenarios/replay-btcusdt.yaml', file);
    const r = await execsimInProcess(['run', file, '--no-store']);
    refused(r, /^execsim: .*replay\.yaml: market\.files\[0\]: no such file .*btcusdt_20240808\.gz/);
    expect(r.err[1]).toMatch(/^execsim: .*replay\.yaml: market\.files\[1\]: no such file .*btcusdt_20240809\.gz/);
    expect(r.err).toHaveLength(2);
  });
});

describe('execsim run: a file that is no scenario text', () => {
  it('binary, not UTF-8 or past a megabyte: one message saying which, not thousands of YAML problems', async () => {
    const binary = path.join(dir, 'binary.yaml');
    fs.writeFileSync(binary, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0x00, 0xff, 0x10]));
    refused(
      await execsimInProcess(['run', binary, '--no-store']),
      /^execsim: .*binary\.yaml: not a text file \(a NUL byte at offset 6\); a scenario is YAML text$/,
    );
    const latin1 = path.join(dir, 'latin1.yaml');
    fs.writeFileSync(latin1, Buffer.from('name: caf\xe9\n', 'latin1'));
    refused(
      await execsimInProcess(['run', latin1, '--no-store']),
      /^execsim: .*latin1\.yaml: not UTF-8 text; a scenario is YAML text in UTF-8$/,
    );
    const huge = path.join(dir, 'huge.yaml');
    fs.writeFileSync(huge, `name: x\nv: [${'1,'.repeat(600_000)}1]\n`);
    const r = await execsimInProcess(['run', huge, '--no-store']);
    refused(
      r,
      /^execsim: .*huge\.yaml: 1200015 bytes; a scenario file is at most 1048576 \(market data goes in replay files\)$/,
    );
    expect(r.err).toHaveLength(1);
  });
});
