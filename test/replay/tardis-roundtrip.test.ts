// The bundled Binance recording converted to Tardis.dev CSV (incremental_book_L2 gzipped, trades
// and quotes plain) and replayed through the Tardis source, against the recording itself.
// What must be equal, and is asserted:
// - the trade tape: every trade's id, price, quantity, aggressor and receive time (to the
//   microsecond Tardis keeps of the recording's nanoseconds);
// - the rebuilt book at every trade: its top 25 levels a side at each trade, every level at
//   every 500th trade and at the end;
// - the replay-btcusdt scenario run on it: every parent's fills (quantity, average price, fees,
//   status, children, shortfall, markouts, market VWAP), P&L, expectations, fill detection, with
//   times within a microsecond (Tardis's timestamps are microseconds, the recording's
//   nanoseconds: the digest, which covers event times, differs for that reason alone).
// What may differ: the replay's bookTicker checks (Tardis's quotes have no update ids; the
// source numbers them so each is in force until the next diff, which is not always the diff
// that covered it in the recording) and the diffs the recording had before its snapshot.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { ReplayFileReader } from '../../src/scenario/replay-file.ts';
import { tardisSource } from '../../src/scenario/tardis-source.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import { type BinanceMessage, BinanceLineParser } from '../../src/sim/replay/binance-messages.ts';
import { DepthSync } from '../../src/sim/replay/depth-sync.ts';
import { execsimMain } from '../support/cli-in-process.ts';
import { recordingToTardis } from '../support/recording-to-tardis.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RECORDING = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) =>
  path.join(ROOT, 'scenarios/data/binance-spot', f),
);
const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };

let dir: string;
let tardisFiles: string[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-tardis-'));
  const csv = recordingToTardis(RECORDING, GRID);
  fs.mkdirSync(path.join(dir, 'data'));
  tardisFiles = ['book.csv.gz', 'trades.csv', 'quotes.csv'].map((f) => path.join(dir, 'data', f));
  fs.writeFileSync(tardisFiles[0] as string, gzipSync(csv.book));
  fs.writeFileSync(tardisFiles[1] as string, csv.trades);
  fs.writeFileSync(tardisFiles[2] as string, csv.quotes);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** replay-btcusdt.yaml with its market files replaced by `market` (YAML lines under market:). */
function scenarioOn(name: string, market: string): string {
  const yaml = fs
    .readFileSync(path.join(ROOT, 'scenarios/replay-btcusdt.yaml'), 'utf8')
    .replace(/ {2}files:\n( {4}- .*\n)+/, `  ${market}\n`);
  expect(yaml).toContain(market);
  fs.writeFileSync(path.join(dir, name), yaml);
  return path.join(dir, name);
}

let tardisRun: RunReport | undefined;

function rawSource(): { next(): BinanceMessage | null } {
  const reader = new ReplayFileReader(RECORDING);
  const parser = new BinanceLineParser(GRID);
  return {
    next: () => (reader.next() ? parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo) : null),
  };
}

interface AtTrade {
  readonly trade: string;
  readonly recvUs: number;
  readonly top: string;
  readonly full: string | null;
}

/** Every trade with the book the depth sync has rebuilt when it arrives. */
function booksAtTrades(source: { next(): BinanceMessage | null }): { trades: AtTrade[]; end: string } {
  const sync = new DepthSync(new L2Book());
  const book = sync.book;
  const all = (n: number) => JSON.stringify([book.depth('bid', n), book.depth('ask', n)]);
  const trades: AtTrade[] = [];
  for (let m = source.next(); m !== null; m = source.next()) {
    if (m.kind === 'snapshot') sync.onSnapshot(m);
    else if (m.kind === 'depth') sync.onDepth(m);
    else if (m.kind === 'trade') {
      const synced = sync.state === 'synced';
      trades.push({
        trade: `${m.tradeId} ${m.price} ${m.qty} ${m.buyerIsMaker}`,
        recvUs: Math.floor(m.recvMs * 1000 + 1e-3),
        top: synced ? all(25) : 'unsynced',
        full: synced && trades.length % 500 === 0 ? all(100_000) : null,
      });
    }
  }
  return { trades, end: all(100_000) };
}

describe('the bundled recording as Tardis CSV', () => {
  it('replays the same trades, with the same rebuilt book at every trade', () => {
    const raw = booksAtTrades(rawSource());
    const tardis = booksAtTrades(tardisSource(tardisFiles, GRID));
    expect(tardis.trades.length).toBe(raw.trades.length);
    expect(raw.trades.length).toBeGreaterThan(18_000);
    expect(raw.trades.filter((t) => t.top === 'unsynced').length).toBeLessThan(50); // before the snapshot
    for (let i = 0; i < raw.trades.length; i++) {
      const a = raw.trades[i] as AtTrade;
      const b = tardis.trades[i] as AtTrade;
      if (a.trade !== b.trade || Math.abs(a.recvUs - b.recvUs) > 1 || a.top !== b.top || a.full !== b.full)
        expect({ i, ...b }, `trade ${i}`).toEqual({ i, ...a });
    }
    expect(tardis.end).toBe(raw.end);
  });

  it('runs replay-btcusdt to the same fills, P&L and expectations', () => {
    const yaml = fs
      .readFileSync(path.join(ROOT, 'scenarios/replay-btcusdt.yaml'), 'utf8')
      .replace(
        / {2}files:\n( {4}- .*\n)+/,
        '  format: tardis\n  files: [data/book.csv.gz, data/trades.csv, data/quotes.csv]\n',
      );
    expect(yaml).toContain('format: tardis');
    fs.writeFileSync(path.join(dir, 'tardis.yaml'), yaml);
    const raw = runScenario(loadScenarioFile(path.join(ROOT, 'scenarios/replay-btcusdt.yaml')));
    const tardis = runScenario(loadScenarioFile(path.join(dir, 'tardis.yaml')));
    expect(tardis.passed).toBe(true);
    const timeless = (r: RunReport) => {
      const rest: Partial<RunReport> = { ...r };
      for (const k of ['runId', 'digest', 'clockActions', 'wallMs', 'eventsPerSec', 'parents', 'replay'] as const)
        delete rest[k];
      return rest;
    };
    expect(timeless(tardis)).toEqual(timeless(raw));
    expect(tardis.parents.length).toBe(raw.parents.length);
    raw.parents.forEach((a, i) => {
      const b = tardis.parents[i] as (typeof raw.parents)[number];
      const { durationMs, marketTwap, costs, ...same } = a;
      const { durationMs: bDuration, marketTwap: bTwap, costs: bCosts, ...bSame } = b;
      expect(bSame, a.id).toEqual(same);
      expect(Math.abs((bDuration ?? NaN) - (durationMs ?? NaN)), a.id).toBeLessThan(0.001);
      expect(Math.abs(Number(bTwap) - Number(marketTwap)) / Number(marketTwap), a.id).toBeLessThan(1e-6);
      expect(bCosts?.quote, a.id).toEqual(costs?.quote);
      expect(bCosts?.markouts, a.id).toEqual(costs?.markouts);
    });
    const r = tardis.replay;
    expect(r?.messages).toMatchObject({
      trade: raw.replay?.messages.trade,
      bookTicker: raw.replay?.messages.bookTicker,
    });
    expect(r?.depth).toMatchObject({ gaps: 0, rebuilds: 1, skipped: 0 });
  });
});

describe('execsim data import', () => {
  const importArgs = (from: string, files: string[], out: string) => [
    'data',
    'import',
    '--from',
    from,
    ...files,
    '--out',
    out,
    '--symbol',
    'BTCUSDT',
    '--tick-size',
    '0.01',
  ];

  it('writes the Tardis files as a raw recording that replays to the same digest as the Tardis files', () => {
    const out = path.join(dir, 'data', 'imported.gz');
    const { code, out: writes } = execsimMain(importArgs('tardis', tardisFiles, out));
    const stdout = writes.join('\n');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^imported [\d,]+ messages from 3 file\(s\) into .*imported\.gz \([\d,]+ bytes\): 1 snapshots, 6,492 depth diffs, 73,174 best bid\/offers, 19,904 trades; receive times 2024-08-08T23:54:1\d\.\d+Z to 2024-08-09T00:05:\d\d\.\d+Z$/m,
    );
    expect(stdout).toContain('datasets: incremental_book_L2, trades, quotes');
    const imported = runScenario(loadScenarioFile(scenarioOn('imported.yaml', 'files: [data/imported.gz]')));
    tardisRun ??= runScenario(
      loadScenarioFile(
        scenarioOn('tardis.yaml', 'format: tardis\n  files: [data/book.csv.gz, data/trades.csv, data/quotes.csv]'),
      ),
    );
    expect(imported.passed).toBe(true);
    expect(imported.digest).toBe(tardisRun.digest);
    expect(imported.replay).toEqual(tardisRun.replay);
  });

  it('checks a raw recording line by line and copies it as it is', () => {
    const out = path.join(dir, 'copy.txt');
    const { code, out: writes } = execsimMain(importArgs('binance-raw', [RECORDING[0] as string], out));
    const stdout = writes.join('\n');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^imported 41,249 messages from 1 file\(s\) .*: 1 snapshots, 3,451 depth diffs, 28,040 best bid\/offers, 9,757 trades;/,
    );
    const written = fs.readFileSync(out, 'utf8');
    const reader = new ReplayFileReader([RECORDING[0] as string]);
    const lines: string[] = [];
    while (reader.next()) lines.push(reader.text());
    expect(written).toBe(`${lines.join('\n')}\n`);
  });

  it('removes what an import killed before it finished left beside its output, not a running one', () => {
    const out = path.join(dir, 'killed.txt');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number; // a process that has ended
    const left = path.join(dir, `.killed.txt.${gone}.tmp`);
    const running = path.join(dir, `.killed.txt.${process.ppid}.tmp`); // its writer still runs
    const other = path.join(dir, `.other.txt.${gone}.tmp`); // another output's
    for (const f of [left, running, other]) fs.writeFileSync(f, 'partial');
    expect(execsimMain(importArgs('binance-raw', [RECORDING[0] as string], out)).code).toBe(0);
    expect([left, running, other].map((f) => fs.existsSync(f))).toEqual([false, true, true]);
    for (const f of [running, other]) fs.rmSync(f);
  });

  it('refuses a bad row with its file and line, and leaves no output behind', () => {
    const bad = path.join(dir, 'bad-trades.csv');
    fs.writeFileSync(
      bad,
      `${'exchange,symbol,timestamp,local_timestamp,id,side,price,amount'}\nbinance,BTCUSDT,1,2,1,buy,61000.01,1\nbinance,BTCUSDT,3,4,2,buy,61000.015,1\n`,
    );
    const out = path.join(dir, 'bad.gz');
    const { code, err } = execsimMain(importArgs('tardis', [bad], out));
    expect(code).toBe(2);
    expect(err[0]).toBe(`execsim: ${bad}: line 3: price "61000.015": 61000.015 is not a multiple of 0.01`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('notes crossed quotes with the place of the first (the replay leaves them out), and refuses repeated trades', () => {
    const quotes = path.join(dir, 'crossed-quotes.csv');
    fs.writeFileSync(
      quotes,
      'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n' +
        'binance,BTCUSDT,1,2,1,61000.02,61000.01,1\nbinance,BTCUSDT,3,4,1,61000.01,61000.01,1\n',
    );
    const noted = execsimMain(importArgs('tardis', [quotes], path.join(dir, 'crossed.gz')));
    expect(noted.code, noted.err.join('\n')).toBe(0);
    expect(noted.out.join('\n')).toContain(
      `  1 crossed or locked quotes (bid at or above ask; first at ${quotes}: line 3): kept, and left out by the replay`,
    );
    const trades = path.join(dir, 'repeated-trades.csv');
    fs.writeFileSync(
      trades,
      'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n' +
        'binance,BTCUSDT,1,2,5,buy,61000.01,1\nbinance,BTCUSDT,1,2,5,buy,61000.01,1\n',
    );
    const out = path.join(dir, 'repeated.gz');
    const refused = execsimMain(importArgs('tardis', [trades], out));
    expect(refused.code).toBe(2);
    expect(refused.err).toEqual([
      `execsim: ${trades}: line 3: trade id 5 repeats the trade at ${trades}: line 2: a trade given twice would ` +
        'trade twice in the replay; remove the repeated rows',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
