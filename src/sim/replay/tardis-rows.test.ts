import { describe, expect, it } from 'vitest';
import { stepGrid } from './decimal-scan.ts';
import { MemoryLines } from './memory-lines.ts';
import { ImportedDataError, TardisRowStream } from './tardis-row-stream.ts';
import { tardisLayout, type TardisLayout } from './tardis-rows.ts';

const BOOK = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
const TRADES = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const QUOTES = 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount';
const SNAP2 =
  'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,' +
  'asks[1].price,asks[1].amount,bids[1].price,bids[1].amount';
const GRID = { tick: stepGrid('0.01'), lot: stepGrid('0.00000001'), symbol: 'BTCUSDT' };

function layout(header: string): TardisLayout {
  const l = tardisLayout(header);
  if (typeof l === 'string') throw new Error(l);
  return l;
}

/** Every row of `files` (one dataset) read by a row stream. */
function rows(files: Array<[string, string]>) {
  const stream = new TardisRowStream(
    new MemoryLines(files),
    layout((files[0] as [string, string])[1].split('\n')[0] as string),
    GRID,
  );
  const out = [];
  for (let r = stream.next(); r !== null; r = stream.next()) out.push(r);
  return out;
}

function refusal(files: Array<[string, string]>): string {
  try {
    rows(files);
  } catch (err) {
    expect(err).toBeInstanceOf(ImportedDataError);
    return (err as Error).message;
  }
  throw new Error('expected the rows to be refused');
}

describe('Tardis CSV headers', () => {
  it('name the dataset, by column names in any order', () => {
    expect(layout(BOOK).dataset).toBe('incremental_book_L2');
    expect(layout(TRADES).dataset).toBe('trades');
    expect(layout(QUOTES).dataset).toBe('quotes');
    expect(layout(SNAP2)).toMatchObject({ dataset: 'book_snapshot', levels: 2 });
    expect(layout('symbol,exchange,local_timestamp,timestamp,id,price,side,amount').dataset).toBe('trades');
  });

  it('refuse a file that is none of them, quoting the header', () => {
    expect(tardisLayout('time,price,qty')).toMatch(/not a Tardis CSV header .*"time,price,qty"/);
  });
});

describe('Tardis CSV rows', () => {
  it('read prices as ticks, amounts as data lots and microsecond timestamps', () => {
    const [snap, upd] = rows([
      [
        'b.csv',
        `${BOOK}\nbinance,BTCUSDT,1723161254000000,1723161254001000,true,bid,61737.63,0.5\nbinance,BTCUSDT,1723161254100000,1723161254101234,false,ask,61737.64,1e-7\n`,
      ],
    ]);
    expect(snap?.row).toEqual({
      kind: 'book',
      recvUs: 1723161254001000,
      eventUs: 1723161254000000,
      snapshot: true,
      side: 'bid',
      price: 6173763,
      qty: 50_000_000,
    });
    expect(upd?.row).toMatchObject({ snapshot: false, side: 'ask', price: 6173764, qty: 10, recvUs: 1723161254101234 });
    expect(upd).toMatchObject({ file: 'b.csv', lineNo: 3 });
  });

  it('read trades (the aggressor side, numeric or other ids) and quotes (an empty side is -1)', () => {
    const t = rows([
      ['t.csv', `${TRADES}\nbinance,BTCUSDT,1,2,7,sell,1.5,2\nbinance,BTCUSDT,3,4,ab-12,unknown,1.5,2\n`],
    ]);
    expect(t.map((r) => r.row)).toEqual([
      { kind: 'trade', recvUs: 2, eventUs: 1, tradeId: 7, side: 'sell', price: 150, qty: 200_000_000 },
      { kind: 'trade', recvUs: 4, eventUs: 3, tradeId: -1, side: 'unknown', price: 150, qty: 200_000_000 },
    ]);
    const q = rows([['q.csv', `${QUOTES}\nbinance,BTCUSDT,,5,1,10.01,,\n`]]);
    expect(q[0]?.row).toEqual({
      kind: 'quote',
      recvUs: 5,
      eventUs: 5,
      bid: -1,
      bidQty: -1,
      ask: 1001,
      askQty: 100_000_000,
    });
  });

  it('read book snapshots best first, a side with fewer levels left empty', () => {
    const s = rows([['s.csv', `${SNAP2}\nbinance,BTCUSDT,1,2,10.02,1,10.01,2,10.03,3,,\n`]]);
    expect(s[0]?.row).toEqual({
      kind: 'book_snapshot',
      recvUs: 2,
      eventUs: 1,
      bids: [1001, 200_000_000],
      asks: [1002, 100_000_000, 1003, 300_000_000],
    });
  });

  it('refuse a malformed row with its file, line and problem', () => {
    const bad = (row: string, header = BOOK) =>
      refusal([['x.csv', `${header}\nbinance,BTCUSDT,1,2,false,bid,1,1\n${row}\n`]]);
    expect(bad('binance,BTCUSDT,1,3,false,bid,1.001,1')).toBe(
      'x.csv: line 3: price "1.001": 1.001 is not a multiple of 0.01',
    );
    expect(bad('binance,BTCUSDT,1,3,false,buy,1,1')).toBe('x.csv: line 3: side "buy" must be bid or ask');
    expect(bad('binance,BTCUSDT,1,3,maybe,bid,1,1')).toBe('x.csv: line 3: is_snapshot "maybe" must be true or false');
    expect(bad('binance,BTCUSDT,1,3,false,bid,1')).toBe('x.csv: line 3: 7 fields where the header has 8');
    expect(bad('binance,ETHUSDT,1,3,false,bid,1,1')).toBe(
      `x.csv: line 3: the data is for symbol ETHUSDT, but the scenario's instrument.symbol is BTCUSDT`,
    );
    expect(bad('binance,BTCUSDT,1,x3,false,bid,1,1')).toBe(
      'x.csv: line 3: local_timestamp "x3" must be a non-negative integer',
    );
    expect(bad('binance,BTCUSDT,1,3,false,bid,-1,1')).toMatch(/^x\.csv: line 3: price "-1"/);
    // A price of zero, or a trade of nothing, is no market: refused, not replayed as fills at 0.
    expect(bad('binance,BTCUSDT,1,3,false,bid,0,1')).toBe('x.csv: line 3: price "0" must be above zero');
    // An incremental level of amount 0 is a level removed: read.
    expect(rows([['x.csv', `${BOOK}\nbinance,BTCUSDT,1,2,false,bid,1,0\n`]])).toHaveLength(1);
    const trade = (row: string) => refusal([['t.csv', `${TRADES}\nbinance,BTCUSDT,1,2,7,buy,1,1\n${row}\n`]]);
    expect(trade('binance,BTCUSDT,1,3,8,sell,0.00,1')).toBe('t.csv: line 3: price "0.00" must be above zero');
    expect(trade('binance,BTCUSDT,1,3,8,sell,1,0')).toBe('t.csv: line 3: amount "0" must be above zero');
    expect(refusal([['q.csv', `${QUOTES}\nbinance,BTCUSDT,1,2,1,0,10,1\n`]])).toBe(
      'q.csv: line 2: ask_price "0" must be above zero',
    );
    expect(refusal([['s.csv', `${SNAP2}\nbinance,BTCUSDT,1,2,10.02,1,0,2,,,,\n`]])).toBe(
      's.csv: line 2: bids[0].price "0" must be above zero',
    );
    expect(refusal([['s.csv', `${SNAP2}\nbinance,BTCUSDT,1,2,10.02,1,10.01,2,10.01,3,,\n`]])).toBe(
      's.csv: line 2: asks[1].price "10.01" is not above the level before it',
    );
  });

  it('refuse local timestamps that go back, within a file and from one file to the next', () => {
    expect(
      refusal([['x.csv', `${BOOK}\nbinance,BTCUSDT,1,5,false,bid,1,1\nbinance,BTCUSDT,1,4,false,bid,1,1\n`]]),
    ).toBe('x.csv: line 3: local_timestamp 4 is before 5 (x.csv: line 2): rows must be in local time order');
    const day = (ts: number) => `${BOOK}\nbinance,BTCUSDT,1,${ts},false,bid,1,1\n`;
    expect(
      refusal([
        ['d2.csv', day(20)],
        ['d1.csv', day(10)],
      ]),
    ).toMatch(/^d1\.csv: line 2: local_timestamp 10 is before 20 \(d2\.csv: line 2\)/);
  });

  it("refuse a file of another dataset among one dataset's files", () => {
    expect(
      refusal([
        ['b.csv', `${BOOK}\nbinance,BTCUSDT,1,2,true,bid,1.5,2\n`],
        ['t.csv', `${TRADES}\nbinance,BTCUSDT,1,2,7,sell,1.5,2\n`],
      ]),
    ).toMatch(/^t\.csv: line 1: header ".*" is not the incremental_book_L2 header of the files before it/);
  });
});
