// The generated day-long recording the day-replay bench writes (test/support/binance-day.ts), on a
// few generated minutes: replayed through the parsed-replay cache and the replay model, it has no
// sequence gap, no crossed or locked book at any level update, and every bookTicker the model
// compares agrees with the rebuilt book exactly; its rates are the ones asked for (the bundled
// recording's by default); the same seed writes the same bytes and another seed other bytes; a gap
// asked for is one gap and one rebuild from the snapshot that follows it; a recording across
// midnight is split into the recorder's day files and replays as one stream.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openReplaySource } from '../../src/scenario/build-replay.ts';
import type { ReplayStatsData } from '../../src/sim/market/replay-model.ts';
import type { BinanceMessage } from '../../src/sim/replay/binance-messages.ts';
import { writeDayRecording, type DayRecording, type DayRecordingOptions } from '../support/binance-day.ts';
import { drive, type Driven } from '../support/replay-drive.ts';

const GRID = { tickSize: '0.01', lotSize: '0.00000001', symbol: 'BTCUSDT' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-binance-day-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
async function generate(o: DayRecordingOptions): Promise<DayRecording> {
  return writeDayRecording(path.join(tmp, `rec-${n++}`), o);
}

/** Replays the files through the cache (written on the way) and the replay model. */
function replay(files: readonly string[]): { driven: Driven; stats: ReplayStatsData; kind: string; messages: number } {
  const cacheDir = path.join(tmp, `cache-${n++}`);
  fs.mkdirSync(cacheDir);
  const opened = openReplaySource(files, GRID, { cacheDir });
  const source = opened.source;
  let messages = 0;
  const all: Iterable<BinanceMessage> = {
    *[Symbol.iterator]() {
      for (let m = source.next(); m !== null; m = source.next()) {
        messages++;
        yield m;
      }
    },
  };
  const driven = drive(all);
  const stats = driven.events.find((e) => e.kind === 'stats');
  if (stats?.kind !== 'stats') throw new Error('no stats event');
  return { driven, stats: stats.stats, kind: opened.kind, messages };
}

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('a generated Binance recording', () => {
  it('replays three minutes with no gap, no crossed or locked book, tickers agreeing, at the asked rates', async () => {
    const rec = await generate({ seed: 11, durationMs: 180_000 });
    expect(rec.files.map((f) => path.basename(f))).toEqual(['btcusdt_20240810.gz']);
    const { driven, stats, kind, messages } = replay(rec.files);
    expect(kind).toBe('cache-written');
    expect(messages).toBe(rec.messages);
    expect(stats).toMatchObject({
      snapshots: 1,
      depthUpdates: rec.byKind.depth,
      bookTickers: rec.byKind.bbo,
      trades: rec.byKind.trade,
      depthApplied: rec.byKind.depth,
      depthSkipped: 0,
      gaps: 0,
      rebuilds: 1,
      tickersInvalid: 0,
      tickersUnsynced: 0,
      crossedPrevented: 0,
      lockedPrevented: 0,
    });
    // The last ticker before each diff shows the book after it: every compared one agrees exactly.
    expect(stats.tickersChecked).toBeGreaterThan(0.9 * rec.byKind.depth);
    expect(stats.tickersExact).toBe(stats.tickersChecked);
    expect(stats.maxDeviationTicks).toBe(0);
    expect(driven.sink.crossedAtUpdate).toBe(0);
    expect(driven.sink.lockedAtUpdate).toBe(0);
    expect(driven.sink.trades.length).toBe(rec.byKind.trade);
    // The bundled recording's rates: 10 diffs, 112.5 tickers and 30.6 trades a second, 46 levels a
    // diff (Poisson counts over 180 s: within a few percent).
    const seconds = (rec.lastRecvMs - rec.firstRecvMs) / 1000;
    expect(seconds).toBeGreaterThan(179.9);
    expect(seconds).toBeLessThanOrEqual(180);
    expect(rec.byKind.depth).toBe(1800);
    expect(rec.byKind.bbo / seconds).toBeGreaterThan(112.5 * 0.97);
    expect(rec.byKind.bbo / seconds).toBeLessThan(112.5 * 1.03);
    expect(rec.byKind.trade / seconds).toBeGreaterThan(30.6 * 0.95);
    expect(rec.byKind.trade / seconds).toBeLessThan(30.6 * 1.05);
    expect(rec.diffLevels / rec.byKind.depth).toBeGreaterThan(46 * 0.93);
    expect(rec.diffLevels / rec.byKind.depth).toBeLessThan(46 * 1.07);
    // A replay from the cache now written hands out the same messages to the same book.
    const again = replay(rec.files);
    expect(again.stats).toEqual(stats);
  });

  it('comes out at other rates when asked', async () => {
    const rec = await generate({ seed: 3, durationMs: 60_000, bboPerSec: 40, tradesPerSec: 80, levelsPerDiff: 30 });
    const { stats } = replay(rec.files);
    expect(stats.gaps).toBe(0);
    expect(stats.crossedPrevented).toBe(0);
    expect(rec.byKind.bbo / 60).toBeGreaterThan(40 * 0.94);
    expect(rec.byKind.bbo / 60).toBeLessThan(40 * 1.06);
    expect(rec.byKind.trade / 60).toBeGreaterThan(80 * 0.95);
    expect(rec.byKind.trade / 60).toBeLessThan(80 * 1.05);
    expect(rec.diffLevels / rec.byKind.depth).toBeGreaterThan(30 * 0.9);
    expect(rec.diffLevels / rec.byKind.depth).toBeLessThan(30 * 1.1);
  });

  it('writes the same bytes for the same seed and other bytes for another', async () => {
    const a = await generate({ seed: 5, durationMs: 30_000 });
    const b = await generate({ seed: 5, durationMs: 30_000 });
    const c = await generate({ seed: 6, durationMs: 30_000 });
    expect(sha(a.files[0] as string)).toBe(sha(b.files[0] as string));
    expect(sha(a.files[0] as string)).not.toBe(sha(c.files[0] as string));
    expect(a).toEqual({ ...b, files: a.files });
  });

  it('breaks the update ids where asked: one gap each, the book rebuilt from the snapshot after it', async () => {
    const rec = await generate({ seed: 8, durationMs: 90_000, gapsAtMs: [20_000, 60_000] });
    expect(rec.byKind.snapshot).toBe(3);
    const { driven, stats } = replay(rec.files);
    expect(stats.gaps).toBe(2);
    expect(stats.rebuilds).toBe(3);
    expect(stats.crossedPrevented).toBe(0);
    expect(driven.sink.crossedAtUpdate).toBe(0);
    expect(driven.events.filter((e) => e.kind === 'gap')).toHaveLength(2);
  });

  it('splits at midnight into the day files the recorder writes, replayed as one stream', async () => {
    const rec = await generate({ seed: 9, startMs: Date.UTC(2024, 7, 10, 23, 59), durationMs: 120_000 });
    expect(rec.files.map((f) => path.basename(f))).toEqual(['btcusdt_20240810.gz', 'btcusdt_20240811.gz']);
    const { stats, messages } = replay(rec.files);
    expect(messages).toBe(rec.messages);
    expect(stats.gaps).toBe(0);
    expect(stats.depthApplied).toBe(1200);
    expect(stats.tickersExact).toBe(stats.tickersChecked);
  });
});
