import { describe, expect, it } from 'vitest';
import { LiquidityBook } from '../core/engine/liquidity-book.ts';
import type { DailyVolumes, LiveVenue } from '../live/live-venue.ts';
import type { LiquidityConfig } from '../node/node-config.ts';
import { readDailyVolumes, volumesDue } from './daily-volume-reads.ts';
import { dailyBarsWindow, startOfNewYorkDay } from '../live/alpaca/alpaca-daily-volume.ts';

const DAY = 86_400_000;
const config: LiquidityConfig = {
  policy: { pctOfAdv: 1, minIntervalMs: 1000 },
  advDays: 3,
  source: 'venue',
  stated: new Map(),
  symbols: ['AAPL', 'MSFT'],
  refreshMs: DAY,
};

/** A venue whose daily bars answer from `answers` by symbol (no method at all when null). */
function venue(answers: Record<string, DailyVolumes> | null): LiveVenue {
  const v = {} as LiveVenue;
  if (answers !== null) v.dailyVolumes = async (symbol: string) => answers[symbol]!;
  return v;
}

describe('readDailyVolumes', () => {
  it("each symbol's average over the configured days, or why there is none", async () => {
    const events = await readDailyVolumes(
      venue({
        AAPL: { kind: 'read', dailyLots: [5, 100, 200, 300], source: 'bars' },
        MSFT: { kind: 'read', dailyLots: [], source: 'bars' },
      }),
      config,
      ['AAPL', 'MSFT'],
    );
    expect(events).toEqual([
      { kind: 'DailyVolumeRead', symbol: 'AAPL', advLots: 200, days: 3, source: 'bars' },
      { kind: 'LiquidityCapOff', symbol: 'MSFT', reason: 'bars: no complete daily bar' },
    ]);
  });

  it('a failed read and an adapter without daily bars are the cap off, with why', async () => {
    expect(
      await readDailyVolumes(venue({ AAPL: { kind: 'failed', reason: 'no answer TIMEOUTERROR' } }), config, ['AAPL']),
    ).toEqual([
      {
        kind: 'LiquidityCapOff',
        symbol: 'AAPL',
        reason: "the venue's daily bars could not be read: no answer TIMEOUTERROR",
      },
    ]);
    expect(await readDailyVolumes(venue(null), config, ['AAPL'])).toEqual([
      { kind: 'LiquidityCapOff', symbol: 'AAPL', reason: "the venue's adapter reads no daily bars" },
    ]);
  });
});

describe('volumesDue', () => {
  it('what the log lacks or has had for a day: a resumed process reads nothing younger', () => {
    const book = new LiquidityBook(config.policy);
    expect(volumesDue(config, book, 10 * DAY)).toEqual(['AAPL', 'MSFT']);
    book.apply({
      seq: 1,
      time: 10 * DAY,
      event: { kind: 'DailyVolumeRead', symbol: 'AAPL', advLots: 9, days: 3, source: 'bars' },
    });
    book.apply({ seq: 2, time: 10 * DAY, event: { kind: 'LiquidityCapOff', symbol: 'MSFT', reason: 'x' } });
    // MSFT's cap is off: read again (a resumed process tries again; its warning is not repeated).
    expect(volumesDue(config, book, 10 * DAY + 1)).toEqual(['MSFT']);
    expect(volumesDue(config, book, 11 * DAY - 1)).toEqual(['MSFT']);
    expect(volumesDue(config, book, 11 * DAY)).toEqual(['AAPL', 'MSFT']);
  });
});

describe("Alpaca's day bars window", () => {
  it('ends before today in New York, at least 16 minutes ago, and opens far enough back', () => {
    const noon = Date.parse('2024-08-09T16:00:00Z'); // 12:00 in New York
    const today = Date.parse('2024-08-09T04:00:00Z'); // midnight in New York (EDT)
    expect(startOfNewYorkDay(noon)).toBe(today);
    expect(dailyBarsWindow(noon, 20)).toEqual({ start: today - 54 * DAY, end: today - 1 });
    // Just after midnight the SIP delay holds the end back, still inside yesterday.
    const justAfter = today + 5 * 60_000;
    expect(dailyBarsWindow(justAfter, 20).end).toBe(justAfter - 16 * 60_000);
  });
});
