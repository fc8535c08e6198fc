// `execsim data list|inspect|prune` over a cache directory the test fills: what each prints, the
// JSON forms, pruning by source state (gone, changed), invalid caches and dead writers' temporary
// files, --all and --dry-run, and bad input (one message, exit 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayCacheFiles, replayCacheLeftovers } from '../../src/scenario/replay-cache-location.ts';
import { openReplaySource } from '../../src/scenario/build-replay.ts';
import { execsimMain } from '../support/cli-in-process.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-cli-data-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };

/** A small recording: a snapshot, diffs (one skipping ids when `gap`), a ticker and a trade (its id `base`). */
function recording(file: string, gap: boolean, base = 100): void {
  const ns = (i: number): string => `17231612${String(base + i).padStart(3, '0')}00000000`; // 0.1 s apart
  const depth = (i: number, first: number, last: number): string =>
    `${ns(i)} {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":${first},"u":${last},"b":[["61000.00000000","1.00000000"]],"a":[]}}`;
  const lines = [
    `${ns(0)} {"lastUpdateId":10,"bids":[["61000.00000000","2.00000000"]],"asks":[["61001.00000000","1.00000000"]]}`,
    depth(1, 9, 11),
    depth(2, gap ? 20 : 12, gap ? 21 : 13),
    `${ns(3)} {"stream":"btcusdt@bookTicker","data":{"u":13,"s":"BTCUSDT","b":"61000.00000000","B":"1.00000000","a":"61001.00000000","A":"1.00000000"}}`,
    `${ns(4)} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":${base},"p":"61000.00000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}`,
  ];
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

function setup(name: string): { dir: string; cache: string; a: string; b: string; keyA: string; keyB: string } {
  const dir = path.join(root, name);
  const cache = path.join(dir, 'cache');
  fs.mkdirSync(dir, { recursive: true });
  const a = path.join(dir, 'a.txt');
  const b = path.join(dir, 'b.txt');
  recording(a, false);
  recording(b, true, 300);
  const key = (file: string): string => {
    const o = openReplaySource([file], GRID, { cacheDir: cache });
    expect(o.kind).toBe('cache-written');
    return path.basename(o.cacheFile as string, '.xrc');
  };
  return { dir, cache, a, b, keyA: key(a), keyB: key(b) };
}

describe('execsim data', () => {
  it('list: each cache with its size, messages, first message and source; --json the same', () => {
    const s = setup('list');
    const r = execsimMain(['data', 'list', '--dir', s.cache]);
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toContain(s.keyA);
    expect(text).toContain(s.keyB);
    expect(text).toContain(s.a);
    expect(text).toMatch(/2 caches, \d+\.\d MB/);
    const json = JSON.parse(execsimMain(['data', 'list', '--json', '--dir', s.cache]).out.join('')) as Array<{
      key: string;
      messages: number;
      sources: string[];
    }>;
    expect(json.map((c) => c.key).sort()).toEqual([s.keyA, s.keyB].sort());
    expect(json.every((c) => c.messages === 5)).toBe(true);
    // the directory from the environment when there is no --dir
    expect(execsimMain(['data', 'list'], { EXECSIM_REPLAY_CACHE: s.cache }).out.join('\n')).toContain(s.keyA);
    expect(execsimMain(['data', 'list', '--dir', path.join(s.dir, 'none')]).out).toEqual([
      `no replay caches in ${path.join(s.dir, 'none')}`,
    ]);
  });

  it('inspect: counts by kind, time range and the sequence gaps a replay would report', () => {
    const s = setup('inspect');
    const clean = execsimMain(['data', 'inspect', s.keyA.slice(0, 8), '--dir', s.cache]);
    expect(clean.code).toBe(0);
    const text = clean.out.join('\n');
    expect(text).toContain('messages  snapshot 1 · depth 2 · bookTicker 1 · trade 1');
    expect(text).toContain('0 sequence gap(s)');
    expect(text).toContain(`${s.a} (`);
    expect(text).toContain('): present');
    expect(text).toMatch(/time {6}2024-08-08T23:53:30\.000Z to 2024-08-08T23:53:30\.400Z \(0\.4 s\)/);
    const gap = execsimMain(['data', 'inspect', path.join(s.cache, `${s.keyB}.xrc`)]).out.join('\n');
    expect(gap).toContain('1 sequence gap(s)');
    expect(gap).toContain('expected update 12, got 20..21');
    const json = JSON.parse(execsimMain(['data', 'inspect', s.keyB, '--json', '--dir', s.cache]).out.join('')) as {
      byKind: object;
      depthGaps: number;
    };
    expect(json.byKind).toEqual({ snapshot: 1, depth: 2, bbo: 1, trade: 1 });
    expect(json.depthGaps).toBe(1);
    fs.appendFileSync(s.a, '\n');
    expect(execsimMain(['data', 'inspect', s.keyA, '--dir', s.cache]).out.join('\n')).toContain('): changed');
  });

  it("prune: caches whose source is gone or changed, invalid ones, dead writers' files; --dry-run, --all", () => {
    const s = setup('prune');
    const c = setup('prune-changed');
    fs.rmSync(s.a);
    fs.writeFileSync(path.join(s.cache, 'ffff0000.xrc'), 'not a cache');
    const leftover = path.join(s.cache, `${s.keyB}.xrc.tmp-999999999-abcdef`);
    fs.writeFileSync(leftover, 'half');
    const live = path.join(s.cache, `${s.keyB}.xrc.tmp-${process.pid}-abcdef`);
    fs.writeFileSync(live, 'being written');
    const dry = execsimMain(['data', 'prune', '--dry-run', '--dir', s.cache]);
    expect(dry.code).toBe(0);
    expect(dry.out.join('\n')).toContain('would remove 3 file(s)');
    expect(replayCacheFiles(s.cache)).toHaveLength(3);
    const r = execsimMain(['data', 'prune', '--dir', s.cache]);
    const text = r.out.join('\n');
    expect(text).toContain(`removed ${path.join(s.cache, s.keyA)}.xrc`);
    expect(text).toContain('source gone');
    expect(text).toContain('invalid (');
    expect(text).toContain('unfinished write');
    expect(text).toMatch(/removed 3 file\(s\), \d+\.\d MB; kept 1 cache\(s\)/);
    expect(replayCacheFiles(s.cache).map((f) => path.basename(f))).toEqual([`${s.keyB}.xrc`]);
    expect(replayCacheLeftovers(s.cache)).toEqual([live]);
    // a source that changed (same size, other bytes) is as good as gone
    fs.writeFileSync(c.a, fs.readFileSync(c.a, 'utf8').replace('"q":"0.02', '"q":"0.03'));
    const changed = execsimMain(['data', 'prune', '--dir', c.cache]).out.join('\n');
    expect(changed).toContain('source changed');
    expect(replayCacheFiles(c.cache).map((f) => path.basename(f))).toEqual([`${c.keyB}.xrc`]);
    const all = execsimMain(['data', 'prune', '--all', '--dir', c.cache]).out.join('\n');
    expect(all).toContain('removed 1 file(s)');
    expect(replayCacheFiles(c.cache)).toEqual([]);
  });

  it('prune keeps a cache whose source was moved and is read under its new path; inspect says where', () => {
    const s = setup('moved');
    // Settled, as a day's files are (the memo trusts a file by its stat only 2 s after its last write).
    const past = new Date('2024-08-09T00:00:00Z');
    fs.utimesSync(s.a, past, past);
    const moved = path.join(s.dir, 'renamed.txt');
    fs.renameSync(s.a, moved);
    // A run under the new path finds the cache by content, and reads it.
    const run = openReplaySource([moved], GRID, { cacheDir: s.cache });
    expect(run.kind).toBe('cache-read');
    expect(path.basename(run.cacheFile as string, '.xrc')).toBe(s.keyA);
    const text = execsimMain(['data', 'inspect', s.keyA, '--dir', s.cache]).out.join('\n');
    expect(text).toContain(`): moved (the same content is at ${moved}, where a run found it)`);
    const r = execsimMain(['data', 'prune', '--dir', s.cache]);
    expect(r.out.join('\n')).toMatch(/removed 0 file\(s\), 0\.0 MB; kept 2 cache\(s\)/);
    expect(replayCacheFiles(s.cache)).toHaveLength(2);
    // Gone from the new path too: nothing uses the cache any more.
    fs.rmSync(moved);
    expect(execsimMain(['data', 'prune', '--dir', s.cache]).out.join('\n')).toContain('source gone');
    expect(replayCacheFiles(s.cache).map((f) => path.basename(f))).toEqual([`${s.keyB}.xrc`]);
  });

  it('bad input: one message and exit 2', () => {
    const dir = path.join(root, 'bad');
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['data'], {}, /needs a subcommand/],
      [['data', 'frob'], {}, /unknown data subcommand "frob"/],
      [['data', 'list', 'x', '--dir', dir], {}, /takes no arguments/],
      [['data', 'list', '--all', '--dir', dir], {}, /--all does not go with data list/],
      [['data', 'prune', '--json', '--dir', dir], {}, /--json does not go with data prune/],
      [['data', 'inspect', '--dir', dir], {}, /takes one cache/],
      [['data', 'inspect', 'abc', '--dir', dir], {}, /no replay cache "abc"/],
      [['data', 'inspect', '/no/such.xrc'], {}, /no replay cache file/],
      [['data', 'list'], { EXECSIM_REPLAY_CACHE: 'off' }, /the replay cache is off/],
      [['data', 'list', '--dri', dir], {}, /--dir/],
    ];
    for (const [args, env, message] of cases) {
      const r = execsimMain(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err[0], args.join(' ')).toMatch(message);
      expect(r.out).toEqual([]);
    }
    const s = setup('ambiguous');
    fs.copyFileSync(path.join(s.cache, `${s.keyA}.xrc`), path.join(s.cache, `${s.keyA}0.xrc`));
    const amb = execsimMain(['data', 'inspect', s.keyA, '--dir', s.cache]);
    expect(amb.code).toBe(2);
    expect(amb.err[0]).toMatch(/starts 2 cache keys/);
  });

  it('is in the help', () => {
    const r = execsimMain(['help', 'data']);
    expect(r.out.join('\n')).toContain('execsim data prune [--all] [--dry-run] [--db PATH | --no-store | --dir DIR]');
    expect(execsimMain(['--help']).out.join('\n')).toContain('execsim data list|inspect <key>|prune');
    expect(execsimMain(['--help']).out.join('\n')).toContain(
      'execsim data import --from tardis|binance-archive|binance-raw FILE... --out F --symbol S --tick-size T',
    );
  });
});

describe('execsim data import --from binance-raw: its check lines, and receive times that go back', () => {
  const importRaw = (files: string[], out: string) =>
    execsimMain([
      'data',
      'import',
      '--from',
      'binance-raw',
      ...files,
      '--out',
      out,
      '--symbol',
      'BTCUSDT',
      '--tick-size',
      '0.01',
    ]);

  it('says what a replay would find: diffs applied, gaps, crossed bookTickers, times a little back', () => {
    const dir = path.join(root, 'raw-checks');
    fs.mkdirSync(dir, { recursive: true });
    const clean = path.join(dir, 'clean.txt');
    recording(clean, false);
    const ok = importRaw([clean], path.join(dir, 'clean.gz'));
    expect(ok.code, ok.err.join('\n')).toBe(0);
    expect(ok.out.slice(1)).toEqual([
      '  depth: 2 diffs applied after 1 snapshot(s), as a replay would; 0 sequence gap(s)',
    ]);
    // A gap, a locked bookTicker (bid = ask) and a ticker received 0.1 s before the diff before it.
    const odd = path.join(dir, 'odd.txt');
    recording(odd, true);
    const lines = fs.readFileSync(odd, 'utf8').trimEnd().split('\n');
    lines[3] = (lines[3] as string)
      .replace(/^\d+/, (lines[1] as string).split(' ')[0] as string)
      .replace('"b":"61000.00000000"', '"b":"61001.00000000"');
    fs.writeFileSync(odd, `${lines.join('\n')}\n`);
    const noted = importRaw([odd], path.join(dir, 'odd.gz'));
    expect(noted.code, noted.err.join('\n')).toBe(0);
    expect(noted.out.slice(1)).toEqual([
      `  depth: 1 diffs applied after 1 snapshot(s), as a replay would; 1 sequence gap(s) (first at ${odd}: line 3; each a rebuild at the next snapshot)`,
      `  1 crossed or locked bookTickers (first at ${odd}: line 4): left out by the replay (tickersInvalid)`,
      `  1 receive time(s) before the latest one before them (first at ${odd}: line 4, the longest step back 100.000 ms): the replay applies each as soon as it is reached`,
    ]);
  });

  it('a recording of another symbol than --symbol is refused naming --symbol (there is no scenario)', () => {
    const dir = path.join(root, 'raw-symbol');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'btc.txt');
    recording(file, false);
    const out = path.join(dir, 'out.gz');
    const r = execsimMain([
      'data',
      'import',
      '--from',
      'binance-raw',
      file,
      '--out',
      out,
      '--symbol',
      'ethusdt',
      '--tick-size',
      '0.01',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`execsim: ${file}: line 2: the recording is for symbol BTCUSDT, but --symbol is ETHUSDT`]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a recording with no line is refused with exit 2 and one message naming it, nothing written', () => {
    const dir = path.join(root, 'raw-empty');
    fs.mkdirSync(dir, { recursive: true });
    const empty = path.join(dir, 'empty.txt');
    fs.writeFileSync(empty, '');
    const out = path.join(dir, 'out.gz');
    const r = importRaw([empty], out);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`execsim: ${empty}: holds no rows (no line in it): there is nothing to import`]);
    expect(r.out).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['empty.txt']);
  });

  it('a file that starts before the file before it ended is refused, by the import and by a replay', () => {
    const dir = path.join(root, 'raw-order');
    fs.mkdirSync(dir, { recursive: true });
    const early = path.join(dir, 'early.txt');
    const late = path.join(dir, 'late.txt');
    recording(early, false, 100);
    recording(late, false, 300);
    const out = path.join(dir, 'out.gz');
    const refused = importRaw([early, late, early], out);
    expect(refused.code).toBe(2);
    expect(refused.err).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
    const given = importRaw([late, early], out);
    expect(given.code).toBe(2);
    expect(given.err[0]).toMatch(
      `${early}: line 1: received at 2024-08-08T23:53:30.000Z, before the file before it ended (${late}, 2024-08-08T23:53:50.400Z)`,
    );
    // In order, the same files import.
    expect(importRaw([early, late], out).code).toBe(0);
    // A replay refuses them at the same line, reading the raw files or writing their cache.
    for (const cacheDir of [null, path.join(dir, 'cache')]) {
      const { source } = openReplaySource([late, early], GRID, { cacheDir });
      expect(() => {
        while (source.next() !== null);
      }, String(cacheDir)).toThrow(
        `${early}: line 1: received at 2024-08-08T23:53:30.000Z, before the file before it ended`,
      );
    }
  });
});
