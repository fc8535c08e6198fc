// Binance's kline archives replayed as a bar market: the trades of the bundled recording rolled up
// into 1-minute bars (the first day zipped with millisecond times, as before 2025; the second
// with microsecond times, as the spot archives are since), replayed by replay-btcusdt with
// `format: binance-archive`. The tape synthesized inside each bar trades the bar's open first,
// its close last, reaches its high and low and no further, and its sizes add up to its volume,
// on the round trip and on generated bars (fast-check); the run is deterministic and a seed
// changes the tape; a bad bar, bars out of order and a mixed market are refused with the file and
// line; bars missing between two are a gap and a rebuild in the replay.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { archiveSource, type ArchiveBarSpec } from '../../src/scenario/archive-source.ts';
import { importRecording } from '../../src/scenario/import-recording.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { ReplayFileError, ReplayFileReader } from '../../src/scenario/replay-file.ts';
import { L2Book } from '../../src/sim/book/l2-book.ts';
import { BinanceLineParser } from '../../src/sim/replay/binance-messages.ts';
import type { BinanceMessage } from '../../src/sim/replay/binance-message-types.ts';
import { DepthSync } from '../../src/sim/replay/depth-sync.ts';
import { stepFormatter } from '../../src/sim/replay/step-format.ts';
import { execsimMain } from '../support/cli-in-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RECORDING = ['btcusdt_20240808.gz', 'btcusdt_20240809.gz'].map((f) =>
  path.join(ROOT, 'scenarios/data/binance-spot', f),
);
const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };
const BOOK = { depth: ['1', '2', '3', '4', '5'], spreadTicks: 1, levelSpacingTicks: 100 };
const px = stepFormatter(GRID.tickSize);
const qty = stepFormatter(GRID.lotSize);

/** A bar in ticks, lots and milliseconds (open time, close time its last ms). */
interface Bar {
  openMs: number;
  closeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  takerBuy: number;
}

/** A kline archive row; times in µs when `micros`. */
function row(b: Bar, micros: boolean): string {
  const t = (ms: number) => (micros ? ms * 1000 + (ms === b.closeMs ? 999 : 0) : ms);
  const quote = ((b.volume / 1e8) * (b.close / 100)).toFixed(8);
  return [
    t(b.openMs),
    px(b.open),
    px(b.high),
    px(b.low),
    px(b.close),
    qty(b.volume),
    t(b.closeMs),
    quote,
    b.trades,
    qty(b.takerBuy),
    '0',
    '0',
  ].join(',');
}

function drain(list: string[], bars?: ArchiveBarSpec): BinanceMessage[] {
  const s = archiveSource(list, GRID, BOOK, bars);
  const out: BinanceMessage[] = [];
  for (let m = s.next(); m !== null; m = s.next()) out.push(m);
  return out;
}

type Trade = Extract<BinanceMessage, { kind: 'trade' }>;

/** Checks each bar's synthesized trades against it: the assertions of the bar model. */
function expectTapeRespects(bars: readonly Bar[], messages: readonly BinanceMessage[], tradesPerBar: number): void {
  const trades = messages.filter((m): m is Trade => m.kind === 'trade');
  let at = 0;
  for (const b of bars) {
    const inBar: Trade[] = [];
    while (at < trades.length && (trades[at] as Trade).recvMs <= b.closeMs + 0.999) inBar.push(trades[at++] as Trade);
    if (b.volume === 0) {
      expect(inBar).toEqual([]);
      continue;
    }
    for (const t of inBar) expect(t.recvMs).toBeGreaterThanOrEqual(b.openMs);
    const prices = inBar.map((t) => t.price);
    expect(inBar.reduce((s, t) => s + t.qty, 0)).toBe(b.volume);
    expect(Math.min(...inBar.map((t) => t.qty))).toBeGreaterThanOrEqual(1);
    expect(prices[prices.length - 1]).toBe(b.close);
    expect(Math.max(...prices)).toBeLessThanOrEqual(b.high);
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(b.low);
    // The path's turning points: open, the extreme nearer the open (either on a tie), the other, close.
    const up = b.high - b.open;
    const down = b.open - b.low;
    const paths = [up <= down ? [b.high, b.low] : null, up >= down ? [b.low, b.high] : null].flatMap((x) =>
      x === null ? [] : [[b.open, ...x, b.close].filter((p, i, a) => i === 0 || p !== a[i - 1]).length],
    );
    if (b.volume >= 4) {
      expect(prices[0]).toBe(b.open);
      expect(Math.max(...prices)).toBe(b.high);
      expect(Math.min(...prices)).toBe(b.low);
      expect(inBar.length).toBeLessThanOrEqual(Math.max(4, tradesPerBar));
      expect(paths.map((anchors) => Math.min(b.volume, Math.max(anchors, Math.min(b.trades, tradesPerBar))))).toContain(
        inBar.length,
      );
    } else expect(inBar.length).toBeLessThanOrEqual(b.volume);
  }
  expect(at).toBe(trades.length);
}

let dir: string;
const dayBars: Bar[][] = [];
const files = () => ['BTCUSDT-1m-2024-08-08.zip', 'BTCUSDT-1m-2024-08-09.zip'].map((f) => path.join(dir, 'data', f));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-klines-'));
  fs.mkdirSync(path.join(dir, 'data'));
  // Bars by exchange time: the recording's files split at a receive time, so a minute's trades
  // may be in both; the bars are split into days at midnight, as the archives are.
  const bars = new Map<number, Bar>();
  for (const file of RECORDING) {
    const reader = new ReplayFileReader([file]);
    const parser = new BinanceLineParser(GRID);
    while (reader.next()) {
      const m = parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo);
      if (m.kind !== 'trade') continue;
      const openMs = Math.floor(m.tradeMs / 60_000) * 60_000;
      const b = bars.get(openMs);
      if (b === undefined)
        bars.set(openMs, {
          openMs,
          closeMs: openMs + 59_999,
          open: m.price,
          high: m.price,
          low: m.price,
          close: m.price,
          volume: m.qty,
          trades: 1,
          takerBuy: m.buyerIsMaker ? 0 : m.qty,
        });
      else {
        b.high = Math.max(b.high, m.price);
        b.low = Math.min(b.low, m.price);
        b.close = m.price;
        b.volume += m.qty;
        b.trades++;
        if (!m.buyerIsMaker) b.takerBuy += m.qty;
      }
    }
  }
  const midnight = Date.parse('2024-08-09T00:00:00Z');
  const all = [...bars.values()].sort((a, b) => a.openMs - b.openMs);
  dayBars.push(
    all.filter((b) => b.openMs < midnight),
    all.filter((b) => b.openMs >= midnight),
  );
  dayBars.forEach((list, day) => {
    const csv = `${list.map((b) => row(b, day === 1)).join('\n')}\n`;
    const name = path.basename((files()[day] as string).replace('.zip', '.csv'));
    fs.writeFileSync(files()[day] as string, zipSync({ [name]: new TextEncoder().encode(csv) }));
  });
  const yaml = fs
    .readFileSync(path.join(ROOT, 'scenarios/replay-btcusdt.yaml'), 'utf8')
    .replace(
      / {2}files:\n( {4}- .*\n)+/,
      '  format: binance-archive\n  files: [data/BTCUSDT-1m-2024-08-08.zip, data/BTCUSDT-1m-2024-08-09.zip]\n' +
        `  book: { depth: ["1", "2", "3", "4", "5"], spreadTicks: 1, levelSpacingTicks: 100 }\n`,
    );
  fs.writeFileSync(path.join(dir, 'klines.yaml'), yaml);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Binance kline archives: a bar market', () => {
  it('the bundled trades rolled into 1-minute bars: each bar traded to its OHLCV exactly, ms and µs alike', () => {
    const bars = dayBars.flat();
    expect(bars.length).toBeGreaterThanOrEqual(10);
    expect(dayBars[1]?.length).toBeGreaterThan(0);
    const messages = drain(files());
    expectTapeRespects(bars, messages, 20);
    const s = archiveSource(files(), GRID, BOOK);
    while (s.next() !== null);
    const trades = messages.filter((m) => m.kind === 'trade').length;
    expect(s.notes()[0]).toBe(
      `archives: klines; ${bars.length} bars (0 without volume, 0 too thin to trade their whole path), ${trades} trades synthesized inside them`,
    );
    expect(s.notes()[2]).toBe('0 gap(s) between bars');
  });

  it('the book is the stated model around every synthesized trade, its ids in sequence', () => {
    const sync = new DepthSync(new L2Book());
    let last: Trade | null = null;
    for (const m of drain(files())) {
      if (m.kind === 'trade') {
        last = m;
        continue;
      }
      if (m.kind === 'snapshot') sync.onSnapshot(m);
      else if (m.kind === 'depth') expect(sync.onDepth(m)).toBe('applied');
      const t = last as Trade;
      const bid = t.buyerIsMaker ? t.price : t.price - 1;
      expect(sync.book.depth('bid', 10)).toEqual(BOOK.depth.map((q, i) => [bid - 100 * i, Number(q) * 1e8]));
      expect(sync.book.depth('ask', 10)).toEqual(BOOK.depth.map((q, i) => [bid + 1 + 100 * i, Number(q) * 1e8]));
    }
  });

  it('replays to the same digest every time; another seed, another tape', () => {
    const file = path.join(dir, 'klines.yaml');
    const a = runScenario(loadScenarioFile(file));
    const b = runScenario(loadScenarioFile(file));
    expect(b.digest).toBe(a.digest);
    expect(a.fills).toBeGreaterThan(0);
    expect(a.replay?.messages).toMatchObject({ snapshot: 1, bookTicker: 0 });
    expect(a.replay?.depth).toMatchObject({ gaps: 0, rebuilds: 1 });
    const yaml = fs.readFileSync(file, 'utf8');
    const seeded = path.join(dir, 'klines-seed.yaml');
    fs.writeFileSync(seeded, yaml.replace(/( {2}book: .*\n)/, '$1  bars: { tradesPerBar: 20, seed: 7 }\n'));
    const c = runScenario(loadScenarioFile(seeded));
    expect(c.digest).not.toBe(a.digest);
    expect(drain(files(), { tradesPerBar: 20, seed: 7 })).not.toEqual(drain(files()));
    expectTapeRespects(dayBars.flat(), drain(files(), { tradesPerBar: 20, seed: 7 }), 20);
  });

  it('generated bars, ms or µs, any path: the tape respects each bar exactly (fast-check)', () => {
    const bar = fc
      .record({
        a: fc.integer({ min: 1, max: 50_000 }),
        b: fc.integer({ min: 1, max: 50_000 }),
        o: fc.nat({ max: 1000 }),
        c: fc.nat({ max: 1000 }),
        volume: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1e12 })),
        trades: fc.nat({ max: 5000 }),
        skip: fc.oneof(
          { weight: 5, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
        ),
      })
      .map((g) => {
        const low = Math.min(g.a, g.b);
        const high = Math.max(g.a, g.b);
        const at = (x: number) => low + Math.round(((high - low) * x) / 1000);
        return { low, high, open: at(g.o), close: at(g.c), volume: g.volume, trades: g.trades, skip: g.skip };
      });
    const gen = fc.record({
      bars: fc.array(bar, { minLength: 1, maxLength: 30, size: 'max' }),
      micros: fc.boolean(),
      tradesPerBar: fc.integer({ min: 1, max: 40 }),
      seed: fc.nat(),
    });
    let n = 0;
    fc.assert(
      fc.property(gen, (g) => {
        let openMs = 1_735_689_600_000; // 2025-01-01
        const bars: Bar[] = g.bars.map((x) => {
          openMs += x.skip * 60_000;
          const b = { ...x, openMs, closeMs: openMs + 59_999, takerBuy: 0 };
          openMs += 60_000;
          return b;
        });
        const file = path.join(dir, `gen-${n++}.csv`);
        fs.writeFileSync(file, `${bars.map((b) => row(b, g.micros)).join('\n')}\n`);
        const spec = { tradesPerBar: g.tradesPerBar, seed: g.seed };
        const messages = drain([file], spec);
        expectTapeRespects(bars, messages, g.tradesPerBar);
        expect(drain([file], spec)).toEqual(messages);
        // Every trade's time inside its bar in time order; gaps as many as bars skipped.
        for (let i = 1; i < messages.length; i++)
          expect((messages[i] as BinanceMessage).recvMs).toBeGreaterThanOrEqual(
            (messages[i - 1] as BinanceMessage).recvMs,
          );
        const s = archiveSource([file], GRID, BOOK, spec);
        while (s.next() !== null);
        fs.rmSync(file);
        const skipped = bars.filter((_, i) => i > 0 && (g.bars[i] as { skip: number }).skip > 0).length;
        expect(s.notes()[2]).toMatch(new RegExp(`^${skipped} gap\\(s\\) between bars`));
      }),
      { numRuns: 150 },
    );
  });

  it('bars missing between two: a gap and a rebuild in the replay, the book drawn anew after it', () => {
    const gapped = path.join(dir, 'gapped.csv');
    const bars = (dayBars[0] as Bar[]).filter((_, i) => i !== 2);
    fs.writeFileSync(gapped, `${bars.map((b) => row(b, false)).join('\n')}\n`);
    const messages = drain([gapped]);
    expectTapeRespects(bars, messages, 20);
    const sync = new DepthSync(new L2Book());
    const outcomes: string[] = [];
    for (const m of messages) {
      if (m.kind === 'snapshot') {
        sync.onSnapshot(m);
        outcomes.push('snapshot');
      } else if (m.kind === 'depth') {
        const r = sync.onDepth(m);
        if (r !== 'applied') outcomes.push(r);
      }
    }
    expect(outcomes).toEqual(['snapshot', 'gap', 'snapshot']);
    const s = archiveSource([gapped], GRID, BOOK);
    while (s.next() !== null);
    expect(s.notes()[2]).toBe('1 gap(s) between bars, the longest 1.0 min (a gap and a rebuild each)');
  });

  it('a bar that cannot be, bars out of order, and trades mixed with klines: refused with file and line', () => {
    const b = (dayBars[0] as Bar[])[1] as Bar;
    const ok = row(b, false);
    const refused = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return expect(() => drain([file]));
    };
    const cells = ok.split(',');
    const edit = (i: number, v: string) => cells.map((c, j) => (j === i ? v : c)).join(',');
    refused('high-low.csv', `${ok}\n${edit(2, px(b.low - 1))}\n`).toThrow(
      new ReplayFileError(`${path.join(dir, 'high-low.csv')}: line 2: high ${px(b.low - 1)} is below low ${px(b.low)}`),
    );
    refused('open.csv', `${edit(1, px(b.high + 1))}\n`).toThrow(
      /open\.csv: line 1: open [\d.]+ is outside the bar's \[low [\d.]+, high [\d.]+\]/,
    );
    refused('close.csv', `${edit(4, px(b.low - 5))}\n`).toThrow(
      /close\.csv: line 1: close [\d.]+ is outside the bar's/,
    );
    refused('volume.csv', `${edit(5, '-1.5')}\n`).toThrow(/volume\.csv: line 1: volume "-1\.5" is negative/);
    refused(
      'zero.csv',
      `${[1, 2, 3, 4].reduce((r, i) => r.map((c, j) => (j === i ? '0' : c)), cells).join(',')}\n`,
    ).toThrow(/zero\.csv: line 1: open "0" must be above zero/);
    refused('order.csv', `${row(b, false)}\n${row((dayBars[0] as Bar[])[0] as Bar, false)}\n`).toThrow(
      /order\.csv: line 2: the bar opens at \d+ µs, before the bar before it closed \(\d+ µs\): give the days in order/,
    );
    refused('same.csv', `${ok}\n${ok}\n`).toThrow(/same\.csv: line 2: the bar opens at/);
    refused('fields.csv', `${ok}\n${ok.split(',').slice(0, 11).join(',')}\n`).toThrow(
      /fields\.csv: line 2: 11 fields where a klines archive has 12/,
    );
    const [day1, day2] = files() as [string, string];
    expect(() => drain([day2, day1])).toThrow(/BTCUSDT-1m-2024-08-08\.zip: line 1: the bar opens at/);
    const trades = path.join(dir, 'trades.csv');
    fs.writeFileSync(trades, '1,61000.00,0.1,0,1723161300000,True,True\n');
    expect(() => drain([day1, trades])).toThrow(
      /trades\.csv: line 1: a trades archive after klines: a market reads trades or klines, not both/,
    );
    expect(() => drain([trades], { tradesPerBar: 5, seed: 1 })).toThrow(
      /trades\.csv: line 1: a trades archive has its own trades: the bar model is for klines/,
    );
  });

  it('a scenario gives the bar model only with binance-archive', () => {
    const yaml = fs.readFileSync(path.join(dir, 'klines.yaml'), 'utf8');
    const tardis = path.join(dir, 'tardis-bars.yaml');
    fs.writeFileSync(
      tardis,
      yaml.replace('format: binance-archive', 'format: tardis').replace(/ {2}book: .*\n/, '  bars: { seed: 2 }\n'),
    );
    expect(() => loadScenarioFile(tardis)).toThrow(/market\.bars.*only a kline archive has trades synthesized/s);
  });

  it('a futures kline archive with its header reads alike', () => {
    const header =
      'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
    const bars = dayBars[0] as Bar[];
    const futures = path.join(dir, 'futures.csv');
    fs.writeFileSync(futures, `${header}\n${bars.map((b) => row(b, false)).join('\n')}\n`);
    const spot = path.join(dir, 'spot.csv');
    fs.writeFileSync(spot, `${bars.map((b) => row(b, false)).join('\n')}\n`);
    expect(drain([futures])).toEqual(drain([spot]));
  });

  it('execsim data import writes the bar market as a raw recording that replays the same messages', () => {
    const out = path.join(dir, 'klines.gz');
    const r = importRecording('binance-archive', files(), GRID, out, BOOK);
    const direct = drain(files());
    expect(r.counts.trade).toBe(direct.filter((m) => m.kind === 'trade').length);
    expect(r.notes[0]).toMatch(/^archives: klines; \d+ bars/);
    const reader = new ReplayFileReader([out]);
    const parser = new BinanceLineParser(GRID);
    const replayed: BinanceMessage[] = [];
    while (reader.next()) replayed.push(parser.parseBytes(reader.bytes, reader.start, reader.end, reader.lineNo));
    expect(replayed.filter((m) => m.kind === 'trade').map((m) => [m.price, m.qty, m.buyerIsMaker])).toEqual(
      direct.filter((m): m is Trade => m.kind === 'trade').map((m) => [m.price, m.qty, m.buyerIsMaker]),
    );
  });

  it('execsim data import takes the bar model as flags, and prints what it read', () => {
    const out = path.join(dir, 'klines-cli.gz');
    const args = ['data', 'import', '--from', 'binance-archive', ...files(), '--out', out, '--symbol', 'BTCUSDT'];
    const r = execsimMain([
      ...args,
      '--tick-size',
      '0.01',
      '--book-depth',
      '1,2,3,4,5',
      '--trades-per-bar',
      '7',
      '--bar-seed',
      '3',
    ]);
    expect(r.code).toBe(0);
    const bars = dayBars.flat().length;
    const trades = drain(files(), { tradesPerBar: 7, seed: 3 }).filter((m) => m.kind === 'trade').length;
    expect(r.out.join('\n')).toContain(`${trades.toLocaleString('en-US')} trades;`);
    expect(r.out.join('\n')).toContain(`  archives: klines; ${bars} bars (0 without volume`);
    expect(r.out.join('\n')).toContain('up to 7 a bar, sizes adding up to its volume (seed 3; no real tape)');
    const bad = execsimMain([...args, '--tick-size', '0.01', '--book-depth', '1', '--trades-per-bar', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err.join('\n')).toContain('--trades-per-bar 0 must be a whole number from 1 to 10000');
  });
});
