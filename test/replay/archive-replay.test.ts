// Binance's public trade archives replayed with the book synthesized around the tape: the trades
// of the bundled recording written as a daily `trades` archive (the first day zipped with
// millisecond times, as before 2025; the second plain CSV with microsecond times, as the spot
// archives are since), replayed by replay-btcusdt with `format: binance-archive`. The run is
// deterministic (the same digest twice), every trade is read, the book is the stated model's at
// every trade, and a bad row is refused with its file and line. (Kline archives: kline-replay.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { archiveSource } from '../../src/scenario/archive-source.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { ReplayFileError, ReplayFileReader } from '../../src/scenario/replay-file.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import { BinanceLineParser } from '../../src/sim/replay/binance-messages.ts';
import { DepthSync } from '../../src/sim/replay/depth-sync.ts';
import { stepFormatter } from '../../src/sim/replay/step-format.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RECORDING = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) =>
  path.join(ROOT, 'scenarios/data/binance-spot', f),
);
const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };
const BOOK = { depth: ['1', '2', '3', '4', '5'], spreadTicks: 1, levelSpacingTicks: 100 };

let dir: string;
let tradeCount = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-archive-'));
  fs.mkdirSync(path.join(dir, 'data'));
  const px = stepFormatter(GRID.tickSize);
  const qty = stepFormatter(GRID.lotSize);
  RECORDING.forEach((file, day) => {
    const reader = new ReplayFileReader([file]);
    const parser = new BinanceLineParser(GRID);
    const rows: string[] = [];
    while (reader.next()) {
      const m = parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
      if (m.kind !== 'trade') continue;
      const time = day === 0 ? m.tradeMs : m.tradeMs * 1000;
      rows.push(`${m.tradeId},${px(m.price)},${qty(m.qty)},0,${time},${m.buyerIsMaker ? 'True' : 'False'},True`);
    }
    tradeCount += rows.length;
    const csv = `${rows.join('\n')}\n`;
    if (day === 0)
      fs.writeFileSync(
        path.join(dir, 'data', 'BTCUSDT-trades-2024-08-08.zip'),
        zipSync({ 'BTCUSDT-trades-2024-08-08.csv': new TextEncoder().encode(csv) }),
      );
    else fs.writeFileSync(path.join(dir, 'data', 'BTCUSDT-trades-2024-08-09.csv'), csv);
  });
  const yaml = fs
    .readFileSync(path.join(ROOT, 'scenarios/replay-btcusdt.yaml'), 'utf8')
    .replace(
      / {2}files:\n( {4}- .*\n)+/,
      '  format: binance-archive\n  files: [data/BTCUSDT-trades-2024-08-08.zip, data/BTCUSDT-trades-2024-08-09.csv]\n' +
        `  book: { depth: ["1", "2", "3", "4", "5"], spreadTicks: 1, levelSpacingTicks: 100 }\n`,
    );
  fs.writeFileSync(path.join(dir, 'archive.yaml'), yaml);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const files = () =>
  ['BTCUSDT-trades-2024-08-08.zip', 'BTCUSDT-trades-2024-08-09.csv'].map((f) => path.join(dir, 'data', f));

describe('Binance trade archives', () => {
  it('read every trade, ms and µs times alike, with the stated book around the last trade', () => {
    const source = archiveSource(files(), GRID, BOOK);
    const sync = new DepthSync(new L2Book());
    let trades = 0;
    let last: { price: number; buyerIsMaker: boolean } | null = null;
    let prevMs = -Infinity;
    for (let m = source.next(); m !== null; m = source.next()) {
      expect(m.recvMs).toBeGreaterThanOrEqual(prevMs);
      prevMs = m.recvMs;
      if (m.kind === 'trade') {
        trades++;
        last = m;
        continue;
      }
      if (m.kind === 'snapshot') sync.onSnapshot(m);
      else if (m.kind === 'depth') expect(sync.onDepth(m)).toBe('applied');
      const t = last as { price: number; buyerIsMaker: boolean };
      const bid = t.buyerIsMaker ? t.price : t.price - 1;
      expect(sync.book.depth('bid', 10)).toEqual(BOOK.depth.map((q, i) => [bid - 100 * i, Number(q) * 1e8]));
      expect(sync.book.depth('ask', 10)).toEqual(BOOK.depth.map((q, i) => [bid + 1 + 100 * i, Number(q) * 1e8]));
    }
    expect(trades).toBe(tradeCount);
    expect(trades).toBeGreaterThan(18_000);
    expect(prevMs).toBeLessThan(Date.parse('2024-08-09T00:06:00Z')); // µs read as µs, not as ms
    expect(source.notes()[0]).toBe(`archives: trades; ${tradeCount.toLocaleString('en-US')} trades`);
  });

  it('replay with the synthesized book, to the same digest every time', () => {
    const a = runScenario(loadScenarioFile(path.join(dir, 'archive.yaml')));
    const b = runScenario(loadScenarioFile(path.join(dir, 'archive.yaml')));
    expect(b.digest).toBe(a.digest);
    expect(a.fills).toBeGreaterThan(0);
    expect(a.parents.find((p) => p.id === 'sweep-buy')?.filledQty).toBe('12');
    expect(a.replay?.messages).toMatchObject({ snapshot: 1, bookTicker: 0 });
    expect(a.replay?.depth).toMatchObject({ gaps: 0, rebuilds: 1 });
  });

  it('refuse a bad row with its file and line, another kind of file with why, and days out of order', () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, '1,61000.00,0.1,0,1723161300000,True,True\n2,61000.001,0.1,0,1723161300001,True,True\n');
    const read = (list: string[]) => () => {
      const s = archiveSource(list, GRID, BOOK);
      while (s.next() !== null);
    };
    expect(read([bad])).toThrow(
      new ReplayFileError(`${bad}: line 2: price "61000.001": 61000.001 is not a multiple of 0.01`),
    );
    // A trade at no price, or of nothing, is refused: the book built around it would quote 0.
    const zero = path.join(dir, 'zero.csv');
    fs.writeFileSync(zero, '1,61000.00,0.1,0,1723161300000,True,True\n2,0.00,0.1,0,1723161300001,True,True\n');
    expect(read([zero])).toThrow(new ReplayFileError(`${zero}: line 2: price "0.00" must be above zero`));
    fs.writeFileSync(zero, '1,61000.00,0,0,1723161300000,True,True\n');
    expect(read([zero])).toThrow(new ReplayFileError(`${zero}: line 1: qty "0" must be above zero`));
    const other = path.join(dir, 'other.csv');
    fs.writeFileSync(other, '1723161300000,1,2,0.5,1.5,10,1723161359999,15,3\n');
    expect(read([other])).toThrow(
      /other\.csv: line 1: 9 columns: not a trades \(7\), aggTrades \(8\) or klines \(12\) archive/,
    );
    const [day1, day2] = files() as [string, string];
    expect(read([day2, day1])).toThrow(
      /BTCUSDT-trades-2024-08-08\.zip: line 1: time \d+ µs is before the trade before it/,
    );
  });

  it('a scenario must give the book for an archive, and no other format takes one', () => {
    const yaml = fs.readFileSync(path.join(dir, 'archive.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'no-book.yaml'), yaml.replace(/ {2}book: .*\n/, ''));
    expect(() => loadScenarioFile(path.join(dir, 'no-book.yaml'))).toThrow(
      /market\.book.*a trade archive recorded no book/s,
    );
    fs.writeFileSync(path.join(dir, 'tardis-book.yaml'), yaml.replace('format: binance-archive', 'format: tardis'));
    expect(() => loadScenarioFile(path.join(dir, 'tardis-book.yaml'))).toThrow(
      /market\.book.*only a trade archive has its book synthesized/s,
    );
  });
});
