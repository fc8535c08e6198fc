// What `execsim data import` refuses and what it writes, at the library's door (importRecording),
// and the same refusals where a replay reads those formats without an import:
// - a trade id given twice in a Binance trade archive or a raw recording is refused naming the
//   file, the line and the id, as a Tardis trade file's is (it would trade twice in the replay).
// - the same input imports to the same bytes (no time in the gzip header), so a re-import keeps
//   its replay cache.
// - a file that holds no rows (empty, only a header, a zip of an empty entry) is refused naming
//   it, as an empty Tardis file always was; a zip of several entries is refused naming them.
// - a depth diff that crosses or locks the book (Tardis, raw) is counted among the checks printed,
//   as crossed snapshots and quotes are.
import fc from 'fast-check';
import { zipSync } from 'fflate';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { archiveSource } from './archive-source.ts';
import { openReplaySource } from './build-replay.ts';
import { importRecording, type ImportFormat } from './import-recording.ts';
import { tardisSource } from './tardis-source.ts';

const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };
const BOOK = { depth: ['1', '2'], spreadTicks: 1, levelSpacingTicks: 1 };

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-import-test-'));
let files = 0;
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** A fresh file holding `text`. */
function written(name: string, text: string | Uint8Array): string {
  const dir = path.join(tmpRoot, `f${files++}`);
  fs.mkdirSync(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A daily trades archive's rows (id, price, qty, quoteQty, time ms, isBuyerMaker, isBestMatch). */
const archiveTrades = (ids: readonly number[]): string =>
  ids.map((id, i) => `${id},60000.00,0.01000,600.00000000,${1723161600000 + i * 100},${i % 2 === 0},True`).join('\n') +
  '\n';

/** A raw recording: a snapshot, then a trade for each id. */
function rawTrades(ids: readonly number[]): string {
  const ns = (i: number): string => `${1723161600000 + i * 100}000000`;
  const snapshot =
    `${ns(0)} {"lastUpdateId":10,"bids":[["59999.00000000","2.00000000"]],` +
    '"asks":[["60001.00000000","1.00000000"]]}';
  const trade = (id: number, i: number): string =>
    `${ns(i + 1)} {"stream":"btcusdt@trade","data":{"e":"trade","E":${1723161600000 + i},"s":"BTCUSDT","t":${id},` +
    `"p":"60000.00000000","q":"0.01000000","T":${1723161600000 + i},"m":true,"M":true}}`;
  return [snapshot, ...ids.map(trade)].join('\n') + '\n';
}

/** importRecording's refusal of `inputs` as `from`, checking that nothing was written. */
function refused(from: ImportFormat, inputs: readonly string[]): string {
  const out = path.join(path.dirname(inputs[0] as string), 'out.gz');
  let message = '';
  try {
    importRecording(from, inputs, GRID, out, from === 'binance-archive' ? BOOK : null);
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message, `${from} ${inputs.join(' ')} was imported`).not.toBe('');
  expect(fs.readdirSync(path.dirname(out)).filter((f) => f.includes('out.gz'))).toEqual([]);
  return message;
}

const repeatOf = (file: string, line: number, id: number, firstLine: number): string =>
  `${file}: line ${line}: trade id ${id} repeats the trade at ${file}: line ${firstLine}: ` +
  'a trade given twice would trade twice in the replay; remove the repeated rows';

describe('a trade id given twice', () => {
  it('in a trade archive: refused by the import and by a replay of the archive, naming file, line and id', () => {
    const file = written('BTCUSDT-trades-2024-08-09.csv', archiveTrades([100, 101, 102, 101, 103]));
    expect(refused('binance-archive', [file])).toBe(repeatOf(file, 4, 101, 2));
    const source = archiveSource([file], GRID, BOOK);
    expect(() => {
      while (source.next() !== null);
    }).toThrow(repeatOf(file, 4, 101, 2));
  });

  it('in a raw recording: refused by the import and by a replay, reading the file or writing its cache', () => {
    const file = written('rec.txt', rawTrades([7, 8, 9, 8]));
    expect(refused('binance-raw', [file])).toBe(repeatOf(file, 5, 8, 3));
    for (const cacheDir of [null, path.join(path.dirname(file), 'cache')]) {
      const { source } = openReplaySource([file], GRID, { cacheDir });
      expect(() => {
        while (source.next() !== null);
      }, String(cacheDir)).toThrow(repeatOf(file, 5, 8, 3));
    }
  });

  it('across files too, as a recorder reconnecting at midnight would give them', () => {
    const a = written('a.txt', rawTrades([7, 8]));
    const b = written(
      'b.txt',
      rawTrades([8, 9]).replace(/^(\d+)/gm, (ns) => String(BigInt(ns) + 10_000_000_000n)),
    );
    expect(refused('binance-raw', [a, b])).toBe(
      `${b}: line 2: trade id 8 repeats the trade at ${a}: line 3: ` +
        'a trade given twice would trade twice in the replay; remove the repeated rows',
    );
  });

  it('property: an archive is refused exactly when an id repeats one before it, rising or not', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 30, size: 'max' }), (ids) => {
        const file = written('t.csv', archiveTrades(ids));
        const repeat = ids.findIndex((id, i) => ids.indexOf(id) < i);
        const source = archiveSource([file], GRID, BOOK);
        const read = (): void => {
          while (source.next() !== null);
        };
        if (repeat < 0) expect(read).not.toThrow();
        else
          expect(read).toThrow(
            repeatOf(file, repeat + 1, ids[repeat] as number, ids.indexOf(ids[repeat] as number) + 1),
          );
      }),
      { numRuns: 50 },
    );
  });
});

describe('the same input imported twice', () => {
  it('is the same bytes, whenever it is imported: the gzip header holds no time', () => {
    const file = written('BTCUSDT-trades-2024-08-09.csv', archiveTrades([100, 101, 102]));
    const out = (n: number): string => path.join(path.dirname(file), `out${n}.gz`);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.UTC(2024, 0, 1));
      importRecording('binance-archive', [file], GRID, out(1), BOOK);
      vi.setSystemTime(Date.UTC(2025, 5, 1, 12, 30));
      importRecording('binance-archive', [file], GRID, out(2), BOOK);
    } finally {
      vi.useRealTimers();
    }
    const [a, b] = [fs.readFileSync(out(1)), fs.readFileSync(out(2))];
    expect(a.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(a.readUInt32LE(4)).toBe(0); // MTIME: none
    expect(b.equals(a)).toBe(true);
  });
});

describe('a file that holds no rows', () => {
  const TARDIS_TRADES = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
  const TARDIS_BOOK = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
  const tardisTrade = `binance,BTCUSDT,1723161601500800,1723161601501100,1001,buy,60000.05,0.0197`;
  const zip = (entries: Record<string, string>): Uint8Array =>
    zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, new TextEncoder().encode(v)])));
  const nothing = 'there is nothing to replay';

  it('a trade archive: empty, only a header, a zip of an empty entry or of none: refused naming the file', () => {
    const cases: Array<[string, string | Uint8Array, string]> = [
      ['day.csv', '', `holds no rows (the file is empty): ${nothing}`],
      ['day.csv', '\n\n', `holds no rows (the file is empty): ${nothing}`],
      ['futures.csv', 'id,price,qty,quote_qty,time,is_buyer_maker\n', `holds no rows, only its header: ${nothing}`],
      ['day.zip', zip({ 'x.csv': '' }), `holds no rows (its one entry, x.csv, is empty): ${nothing}`],
      ['day.zip', zip({}), `holds no rows (the archive has no entries): ${nothing}`],
    ];
    for (const [name, text, says] of cases) {
      const file = written(name, text);
      expect(refused('binance-archive', [file])).toBe(`${file}: ${says}`);
    }
    // Among days that hold trades, too, and where a replay reads the archive itself.
    const day = written('BTCUSDT-trades-2024-08-09.csv', archiveTrades([100, 101]));
    const empty = written('BTCUSDT-trades-2024-08-10.csv', '');
    expect(refused('binance-archive', [day, empty])).toBe(`${empty}: holds no rows (the file is empty): ${nothing}`);
    const source = archiveSource([day, empty], GRID, BOOK);
    expect(() => {
      while (source.next() !== null);
    }).toThrow(`${empty}: holds no rows`);
  });

  it('a zip of two entries: refused naming them, not read in part', () => {
    const file = written('two.zip', zip({ 'a.csv': archiveTrades([1]), 'b.csv': archiveTrades([2]) }));
    expect(refused('binance-archive', [file])).toBe(
      `${file}: holds 2 entries (a.csv, b.csv); a trade or kline archive holds one CSV: unzip it and give each ` +
        'CSV as its own file',
    );
    // One entry reads as before.
    const one = written('one.zip', zip({ 'a.csv': archiveTrades([1, 2]) }));
    const out = path.join(path.dirname(one), 'out.gz');
    expect(importRecording('binance-archive', [one], GRID, out, BOOK).counts.trade).toBe(2);
  });

  it('a raw recording with no line: refused naming it', () => {
    const rec = written('rec.txt', rawTrades([1, 2]));
    for (const text of ['', '\n\n', gzipSync('')]) {
      const empty = written('empty.gz', text);
      expect(refused('binance-raw', [rec, empty])).toBe(
        `${empty}: holds no rows (no line in it): there is nothing to import`,
      );
    }
  });

  it('a Tardis file of only its header (trades, book): refused naming it, by the import and a replay', () => {
    for (const header of [TARDIS_TRADES, TARDIS_BOOK]) {
      const file = written('day.csv', `${header}\n`);
      const dataset = header === TARDIS_TRADES ? 'trades' : 'incremental_book_L2';
      const says = `${file}: holds no rows, only the ${dataset} header: ${nothing}`;
      expect(refused('tardis', [file])).toBe(says);
      expect(() => {
        const source = tardisSource([file], GRID);
        while (source.next() !== null);
      }).toThrow(says);
    }
    // The first of two days, or the second.
    const day = written('day1.csv', `${TARDIS_TRADES}\n${tardisTrade}\n`);
    const empty = written('day2.csv', `${TARDIS_TRADES}\n\n`);
    for (const files of [
      [day, empty],
      [empty, day],
    ])
      expect(refused('tardis', files)).toBe(`${empty}: holds no rows, only the trades header: ${nothing}`);
  });
});

describe("a depth diff that crosses the book is among the import's checks", () => {
  const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
  const row = (us: number, snap: boolean, side: string, price: string, amount: string): string =>
    `binance,BTCUSDT,${us},${us},${snap},${side},${price},${amount}`;
  const out = (file: string): string => path.join(path.dirname(file), 'out.gz');

  it('in a Tardis incremental book: counted with the line of the first, and how long the book stayed so', () => {
    const file = written(
      'book.csv',
      [
        BOOK_HEADER,
        row(1000, true, 'bid', '59999.00', '1'),
        row(1000, true, 'ask', '60001.00', '1'),
        row(2000, false, 'bid', '60000.00', '1'),
        row(3000, false, 'bid', '60001.00', '2'), // locks the book
        row(4000, false, 'ask', '60002.00', '1'), // still locked
        row(5000, false, 'bid', '60001.00', '0'), // uncrossed
      ].join('\n') + '\n',
    );
    const r = importRecording('tardis', [file], GRID, out(file));
    expect(r.notes).toContain(
      `1 depth diffs crossed or locked the book (best bid at or above best ask; first at ${file}: line 5); ` +
        'it was so after 2 diffs in all',
    );
  });

  it('in a raw recording: counted the same way', () => {
    const ns = (i: number): string => `${1723161600000 + i * 100}000000`;
    const depth = (i: number, bids: string): string =>
      `${ns(i)} {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161600000,"s":"BTCUSDT",` +
      `"U":${10 + i},"u":${10 + i},"b":[${bids}],"a":[]}}`;
    const file = written(
      'rec.txt',
      [
        `${ns(0)} {"lastUpdateId":10,"bids":[["59999.00000000","2.00000000"]],` +
          '"asks":[["60001.00000000","1.00000000"]]}',
        depth(1, '["60000.00000000","1.00000000"]'),
        depth(2, '["60002.00000000","1.00000000"]'),
      ].join('\n') + '\n',
    );
    const r = importRecording('binance-raw', [file], GRID, out(file));
    expect(r.notes).toContain(
      `1 depth diffs crossed or locked the book (best bid at or above best ask; first at ${file}: line 3); ` +
        'it was so after 1 diffs in all',
    );
  });

  it('not for a book that never crosses, nor twice for a crossed book_snapshot row (a snapshot of its own)', () => {
    const book = written(
      'book.csv',
      [BOOK_HEADER, row(1000, true, 'bid', '59999.00', '1'), row(1000, true, 'ask', '60001.00', '1')].join('\n') + '\n',
    );
    expect(importRecording('tardis', [book], GRID, out(book)).notes.join('\n')).not.toContain('depth diffs');
    const snap = written(
      'snap.csv',
      'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount\n' +
        'binance,BTCUSDT,1000,1000,60001.00,1,59999.00,1\nbinance,BTCUSDT,2000,2000,60001.00,1,60001.00,1\n',
    );
    const notes = importRecording('tardis', [snap], GRID, out(snap)).notes;
    expect(notes).toContain(`1 crossed snapshots (first at ${snap}: line 3)`);
    expect(notes.join('\n')).not.toContain('depth diffs');
  });
});
