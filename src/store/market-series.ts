// A stored run's market as its charts show it: the top of book at each market sample in the
// window, and the public trades between samples (their VWAP and volume), in the run's steps;
// each sample also goes to the equity series, which marks the position with it. Samples are kept
// beside the log in blocks, in the order taken (the time index's order: no sort). Runs stored
// before hold them in rows of their own (schema version 10) or in the log itself, as entries. A
// run resumed by a newer execsim has its earlier samples in an older place and its later ones in
// a newer: read oldest first, the reads one after the other are in time order.
import type Database from 'better-sqlite3';
import type { EquitySeries } from './equity-series.ts';
import { sampleBlocks } from './sample-blocks.ts';
import { isSample, SAMPLE, type PayloadRow, type Sample, type SeriesPayloads } from './series-payloads.ts';
import type { Steps } from './series-steps.ts';
import type { SeriesWindow } from './series-window.ts';
import { damagedSampleBlock } from './stored-data.ts';

/** The book and trades columns, undecimated. */
export interface MarketColumns {
  /** Book: sample times, bid and ask prices (null: that side was empty). */
  readonly bt: number[];
  readonly bid: (number | null)[];
  readonly ask: (number | null)[];
  /** Trades: the times of samples with trades since the last, their VWAP and volume. */
  readonly tt: number[];
  readonly vwap: number[];
  readonly volume: number[];
}

export function marketSeries(
  db: Database.Database,
  runId: string,
  window: SeriesWindow,
  payloads: SeriesPayloads,
  steps: Steps,
  equity: EquitySeries,
): MarketColumns {
  const { price, size } = steps;
  const m: MarketColumns = { bt: [], bid: [], ask: [], tt: [], vwap: [], volume: [] };
  const add = (time: number, seq: number, s: Sample): void => {
    equity.sample(time, seq, s.bid === null ? null : price(s.bid), s.ask === null ? null : price(s.ask));
    m.bt.push(time);
    m.bid.push(s.bid === null ? null : price(s.bid));
    m.ask.push(s.ask === null ? null : price(s.ask));
    if (s.volume > 0 && s.vwap !== null) {
      m.tt.push(time);
      m.vwap.push(price(s.vwap));
      m.volume.push(size(s.volume));
    }
  };
  const { from, to } = window;
  const logged = db
    .prepare(
      `SELECT seq, time, payload FROM events WHERE run_id = ? AND kind = 'MarketSampled' AND time >= ? AND time <= ?
       ORDER BY seq`,
    )
    .iterate(runId, from, to) as IterableIterator<PayloadRow>;
  for (const row of logged) add(row.time, row.seq, payloads.of(row, 'MarketSampled', isSample, SAMPLE));
  const beside = db
    .prepare(
      'SELECT seq, time, payload FROM market_samples WHERE run_id = ? AND time >= ? AND time <= ? ORDER BY time, rowid',
    )
    .iterate(runId, from, to) as IterableIterator<PayloadRow>;
  for (const row of beside) add(row.time, row.seq, payloads.sample(row));
  for (const { firstTime, lastTime, samples } of sampleBlocks(db, runId, from, to)) {
    if (typeof samples === 'string') throw damagedSampleBlock(db, runId, firstTime, lastTime, samples);
    for (const sample of samples) if (window.has(sample.time)) add(sample.time, sample.seq, sample);
  }
  return m;
}
