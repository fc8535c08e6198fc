import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import type { LiquidityEvent } from '../model/liquidity-events.ts';
import { LiquidityBook } from './liquidity-book.ts';

const POLICY = { pctOfAdv: 1, minIntervalMs: 1000 };
let seq = 0;
const entry = (event: ExecEvent, time = 1_000): LogEntry => ({ seq: ++seq, time, event });
const read = (symbol: string, advLots: number): ExecEvent => ({
  kind: 'DailyVolumeRead',
  symbol,
  advLots,
  days: 20,
  source: 'alpaca 1Day bars (sip)',
});

describe('LiquidityBook', () => {
  it("caps a symbol at its latest reading's share, read when its entry was logged", () => {
    const book = new LiquidityBook(POLICY);
    book.apply(entry(read('AAPL', 1_000_000), 5_000));
    const warned: LiquidityEvent[] = [];
    expect(book.capFor('AAPL', (e) => warned.push(e))).toEqual({
      symbol: 'AAPL',
      advLots: 1_000_000,
      days: 20,
      source: 'alpaca 1Day bars (sip)',
      readAt: 5_000,
      pctOfAdv: 1,
      maxSliceQty: 10_000,
    });
    expect(book.readAt('AAPL')).toBe(5_000);
    book.apply(entry(read('AAPL', 500), 9_000));
    expect(book.capFor('AAPL', (e) => warned.push(e))?.maxSliceQty).toBe(5);
    expect(warned).toEqual([]);
  });

  it('a symbol the log says nothing of is capped off with one warning, told to the caller to log', () => {
    const book = new LiquidityBook(POLICY);
    const warned: LiquidityEvent[] = [];
    // The caller logs the warning and folds it back (ExecutionEngine.recordLiquidity).
    const warn = (e: LiquidityEvent) => {
      warned.push(e);
      book.apply(entry(e));
    };
    expect(book.capFor('MSFT', warn)).toBeNull();
    expect(book.capFor('MSFT', warn)).toBeNull();
    expect(warned).toEqual([
      { kind: 'LiquidityCapOff', symbol: 'MSFT', reason: 'no average daily volume was read for MSFT' },
    ]);
    expect(book.isOff('MSFT')).toBe(true);
  });

  it('off after a reading (a failed refresh) and on again after the next', () => {
    const book = new LiquidityBook(POLICY);
    book.apply(entry(read('AAPL', 1_000)));
    book.apply(entry({ kind: 'LiquidityCapOff', symbol: 'AAPL', reason: 'HTTP 503' }));
    expect(book.capFor('AAPL', () => expect.unreachable())).toBeNull();
    expect(book.readAt('AAPL')).toBeNull();
    book.apply(entry(read('AAPL', 2_000)));
    expect(book.isOff('AAPL')).toBe(false);
    expect(book.capFor('AAPL', () => expect.unreachable())?.maxSliceQty).toBe(20);
  });

  it('a restarted process folds the durable log: the stored reading, not a fresh one', () => {
    const log = [
      entry({ kind: 'RunStarted', scenario: 's', symbol: 'AAPL', startTime: 0 }),
      entry(read('AAPL', 3_000), 2_000),
      entry({ kind: 'LiquidityCapOff', symbol: 'MSFT', reason: 'no complete daily bar' }),
    ];
    const book = new LiquidityBook(POLICY);
    book.restore(log);
    expect(book.capFor('AAPL', () => expect.unreachable())).toMatchObject({ advLots: 3_000, readAt: 2_000 });
    expect(book.capFor('MSFT', () => expect.unreachable())).toBeNull();
  });
});
