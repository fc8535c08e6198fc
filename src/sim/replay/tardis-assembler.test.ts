import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Book } from '../book/l2-book.ts';
import type { BinanceMessage } from './binance-message-types.ts';
import { stepGrid } from './decimal-scan.ts';
import { DepthSync } from './depth-sync.ts';
import { MemoryLines } from './memory-lines.ts';
import { MergeByTime } from './merge-by-time.ts';
import { TRADE_ID_WINDOW } from './recent-trade-ids.ts';
import { TardisAssembler } from './tardis-assembler.ts';
import { type LocatedRow, TardisRowStream } from './tardis-row-stream.ts';
import { tardisLayout, type TardisLayout } from './tardis-rows.ts';

const BOOK = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
const TRADES = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const QUOTES = 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount';
const SNAP2 =
  'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,' +
  'asks[1].price,asks[1].amount,bids[1].price,bids[1].amount';
const GRID = { tick: stepGrid('1'), lot: stepGrid('1'), symbol: 'X' };

/** One stream per dataset, each [header, [file, rows text]...], merged and assembled. */
function assemble(...datasets: Array<[string, ...Array<[string, string]>]>): {
  messages: BinanceMessage[];
  a: TardisAssembler;
} {
  const streams = datasets.map(([header, ...files], i) => {
    const l = tardisLayout(header) as TardisLayout;
    return new TardisRowStream(
      new MemoryLines(files.map(([f, rows]) => [f, `${header}\n${rows}`] as const)),
      l,
      GRID,
      i,
    );
  });
  const a = new TardisAssembler(new MergeByTime<LocatedRow>(streams, (r) => r.row.recvUs));
  const messages: BinanceMessage[] = [];
  for (let m = a.next(); m !== null; m = a.next()) messages.push(m);
  return { messages, a };
}

/** Runs messages through the replay's depth sync: the book as [bids, asks] after each, and gaps. */
function replayBook(messages: BinanceMessage[]) {
  const sync = new DepthSync(new L2Book());
  const books: string[] = [];
  for (const m of messages) {
    if (m.kind === 'snapshot') sync.onSnapshot(m);
    else if (m.kind === 'depth') sync.onDepth(m);
    else continue;
    books.push(`${JSON.stringify(sync.book.depth('bid', 10))} ${JSON.stringify(sync.book.depth('ask', 10))}`);
  }
  return { books, sync };
}

describe('TardisAssembler: incremental_book_L2', () => {
  it('groups rows of one local time into one message; ids chain so the depth sync applies every diff', () => {
    const { messages } = assemble([
      BOOK,
      [
        'd1',
        'x,X,1,10,true,bid,99,5\nx,X,1,10,true,ask,101,5\nx,X,1,10,true,ask,102,0\nx,X,2,20,false,bid,99,0\nx,X,3,20,false,bid,98,7\nx,X,4,30,false,ask,100,1\n',
      ],
    ]);
    expect(messages).toEqual([
      { kind: 'snapshot', recvMs: 0.01, lastUpdateId: 0, bids: [99, 5], asks: [101, 5] },
      { kind: 'depth', recvMs: 0.02, eventMs: 0.003, firstId: 1, lastId: 1, bids: [99, 0, 98, 7], asks: [] },
      { kind: 'depth', recvMs: 0.03, eventMs: 0.004, firstId: 2, lastId: 2, bids: [], asks: [100, 1] },
    ]);
    const { books, sync } = replayBook(messages);
    expect(sync.counts).toMatchObject({ applied: 2, gaps: 0, snapshots: 1 });
    expect(books.at(-1)).toBe('[[98,7]] [[100,1],[101,5]]');
  });

  it('a snapshot in the middle of a file is a reconnect: the replay sees a gap and rebuilds from it', () => {
    const { messages, a } = assemble([
      BOOK,
      [
        'd1',
        'x,X,1,10,true,bid,99,5\nx,X,1,10,true,ask,101,5\nx,X,2,20,false,bid,99,6\nx,X,3,30,true,bid,90,1\nx,X,3,30,true,ask,95,1\nx,X,4,40,false,ask,96,2\n',
      ],
    ]);
    expect(a.checks.reconnects).toBe(1);
    const { books, sync } = replayBook(messages);
    expect(sync.counts).toMatchObject({ gaps: 1, snapshots: 2, applied: 2 });
    expect(sync.gapEvents[0]).toMatchObject({ expectedId: 2, gotId: 3 });
    expect(books.at(-1)).toBe('[[90,1]] [[95,1],[96,2]]');
  });

  it("a snapshot opening the next day's file continues the book (no gap), as a recording's does", () => {
    const { messages, a } = assemble([
      BOOK,
      ['d1', 'x,X,1,10,true,bid,99,5\nx,X,1,10,true,ask,101,5\nx,X,2,20,false,bid,99,6\n'],
      ['d2', 'x,X,3,30,true,bid,99,6\nx,X,3,30,true,ask,101,5\nx,X,4,40,false,ask,101,0\n'],
    ]);
    expect(a.checks.reconnects).toBe(0);
    const { books, sync } = replayBook(messages);
    expect(sync.counts).toMatchObject({ gaps: 0, snapshots: 1, snapshotsIgnored: 1, applied: 2 });
    expect(books.at(-1)).toBe('[[99,6]] []');
  });
});

describe('TardisAssembler: the other datasets', () => {
  it('book_snapshot_N: the first row a snapshot, each later one the diff to it; the book is the top N', () => {
    const { messages } = assemble([
      SNAP2,
      ['s', 'x,X,1,10,101,1,99,1,102,2,98,2\nx,X,2,20,101,3,99,1,103,2,98,2\nx,X,3,30,100,1,99,1,101,3,,\n'],
    ]);
    expect(messages.map((m) => m.kind)).toEqual(['snapshot', 'depth', 'depth']);
    const { books, sync } = replayBook(messages);
    expect(sync.counts.gaps).toBe(0);
    expect(books).toEqual([
      '[[99,1],[98,2]] [[101,1],[102,2]]',
      '[[99,1],[98,2]] [[101,3],[103,2]]',
      '[[99,1]] [[100,1],[101,3]]',
    ]);
  });

  it('trades: the aggressor side says who made; an unknown side by the tick rule', () => {
    const { messages, a } = assemble([
      TRADES,
      [
        't',
        'x,X,1,10,1,buy,100,1\nx,X,2,20,2,sell,100,1\nx,X,3,30,3,unknown,101,1\nx,X,4,40,4,unknown,101,1\nx,X,5,50,5,unknown,99,1\n',
      ],
    ]);
    expect(messages.map((m) => (m.kind === 'trade' ? m.buyerIsMaker : null))).toEqual([
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(messages[0]).toEqual({
      kind: 'trade',
      recvMs: 0.01,
      eventMs: 0.001,
      tradeMs: 0.001,
      tradeId: 1,
      price: 100,
      qty: 1,
      buyerIsMaker: false,
    });
    expect(a.checks.inferredSides).toBe(3);
  });

  it('quotes: each takes the next id, which the next diff covers; one-sided quotes are left out', () => {
    const { messages, a } = assemble(
      [BOOK, ['b', 'x,X,1,10,true,bid,99,5\nx,X,1,10,true,ask,101,5\nx,X,3,30,false,bid,99,6\n']],
      [QUOTES, ['q', 'x,X,2,20,5,101,99,5\nx,X,2,21,5,101,,\nx,X,2,25,5,101,99,4\n']],
    );
    expect(a.checks.oneSidedQuotes).toBe(1);
    expect(
      messages.map((m) => [
        m.kind,
        m.kind === 'bbo' ? m.updateId : m.kind === 'depth' ? `${m.firstId}-${m.lastId}` : '',
      ]),
    ).toEqual([
      ['snapshot', ''],
      ['bbo', 1],
      ['bbo', 2],
      ['depth', '1-3'],
    ]);
  });

  it('merges datasets by local time, equal times in the order the datasets were given', () => {
    const { messages } = assemble(
      [BOOK, ['b', 'x,X,1,10,true,bid,99,5\nx,X,1,10,true,ask,101,5\nx,X,3,30,false,bid,99,6\n']],
      [TRADES, ['t', 'x,X,1,5,1,buy,100,1\nx,X,1,30,2,sell,100,1\n']],
    );
    expect(messages.map((m) => `${m.kind}@${m.recvMs}`)).toEqual([
      'trade@0.005',
      'snapshot@0.01',
      'depth@0.03',
      'trade@0.03',
    ]);
  });

  it('counts crossed snapshots with the place of the first', () => {
    const { a } = assemble([BOOK, ['b', 'x,X,1,10,true,bid,101,5\nx,X,1,10,true,ask,101,5\n']]);
    expect(a.checks).toMatchObject({ crossedSnapshots: 1, firstCrossed: 'b: line 2' });
  });
});

describe('TardisAssembler: what it refuses and what it notes', () => {
  it('a book whose first message is an update, not a snapshot: refused at that line', () => {
    expect(() => assemble([BOOK, ['b', 'x,X,1,10,false,bid,99,5\nx,X,2,20,true,bid,99,5\n']])).toThrow(
      'b: line 2: an update (is_snapshot false) before any snapshot',
    );
    // A later file may open with updates: the book goes on from the file before.
    const { messages } = assemble([
      BOOK,
      ['d1', 'x,X,1,10,true,bid,99,5\nx,X,1,10,true,ask,101,5\n'],
      ['d2', 'x,X,2,20,false,bid,99,6\n'],
    ]);
    expect(messages.map((m) => m.kind)).toEqual(['snapshot', 'depth']);
  });

  it('a trade id repeated among the latest trades: refused, naming both lines; ids further apart are kept', () => {
    expect(() =>
      assemble([TRADES, ['t', 'x,X,1,10,7,buy,100,1\nx,X,2,20,8,buy,100,1\nx,X,3,30,7,buy,100,1\n']]),
    ).toThrow('t: line 4: trade id 7 repeats the trade at t: line 2');
    // Across files too, as a reconnect at midnight would repeat them.
    expect(() => assemble([TRADES, ['t1', 'x,X,1,10,7,buy,100,1\n'], ['t2', 'x,X,2,20,7,sell,100,1\n']])).toThrow(
      't2: line 2: trade id 7 repeats the trade at t1: line 2',
    );
    // Ids that are no integers (-1) are not compared; an id past the window is no repeat.
    const far = Array.from({ length: TRADE_ID_WINDOW + 1 }, (_, i) => `x,X,${i},${i},${i + 1},buy,100,1`);
    const { messages } = assemble([
      TRADES,
      ['t', `x,X,0,0,a,buy,100,1\nx,X,0,0,b,buy,100,1\n${far.join('\n')}\nx,X,1,${TRADE_ID_WINDOW + 1},1,buy,100,1\n`],
    ]);
    expect(messages).toHaveLength(TRADE_ID_WINDOW + 4);
  });

  it('property: a trade is refused exactly when its id is among the ids before it, rising or not', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 40, size: 'max' }), (ids) => {
        const rows = ids.map((id, i) => `x,X,${i},${i * 10},${id},buy,100,1`).join('\n');
        const repeat = ids.findIndex((id, i) => ids.indexOf(id) < i);
        if (repeat < 0) expect(assemble([TRADES, ['t', `${rows}\n`]]).messages).toHaveLength(ids.length);
        else
          expect(() => assemble([TRADES, ['t', `${rows}\n`]])).toThrow(
            `t: line ${repeat + 2}: trade id ${ids[repeat]} repeats the trade at t: line ${ids.indexOf(ids[repeat] as number) + 2}`,
          );
      }),
    );
  });

  it('crossed or locked quotes are kept and counted with the first place; zero amounts are refused', () => {
    const { messages, a } = assemble([QUOTES, ['q', 'x,X,1,10,5,101,99,5\nx,X,2,20,5,99,99,5\nx,X,3,30,5,98,99,5\n']]);
    expect(messages.map((m) => m.kind)).toEqual(['bbo', 'bbo', 'bbo']);
    expect(a.checks).toMatchObject({ crossedQuotes: 2, firstCrossedQuote: 'q: line 3' });
    expect(() => assemble([QUOTES, ['q', 'x,X,1,10,0,101,99,5\n']])).toThrow(
      'q: line 2: ask_amount "0" must be above zero',
    );
    expect(() => assemble([QUOTES, ['q', 'x,X,1,10,5,101,99,0.0\n']])).toThrow(
      'q: line 2: bid_amount "0.0" must be above zero',
    );
  });
});
