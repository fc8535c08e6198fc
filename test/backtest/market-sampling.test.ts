// Market samples (MarketSampled, report.sampleMs) in real runs: interval samples fall on the grid
// from the run's start and only when something changed; every fill of ours is sampled at the
// instant it is learned; a restarted process keeps the grid and samples nothing while no process
// runs; `off` records none. The charts of a stored run are rebuilt from these samples alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LogEntry, MarketSampled } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';

function entriesOf(file: string, yamlEdit?: (text: string) => string): { entries: LogEntry[]; start: number } {
  const loaded = yamlEdit ? parseScenario(yamlEdit(readFileSync(file, 'utf8')), file) : loadScenarioFile(file);
  const entries: LogEntry[] = [];
  runScenario(loaded, { onEntry: (e) => entries.push(e) });
  return { entries, start: parseUtcInstant(loaded.scenario.start) };
}

const samples = (entries: readonly LogEntry[]): Array<LogEntry<MarketSampled>> =>
  entries.filter((e): e is LogEntry<MarketSampled> => e.event.kind === 'MarketSampled');

describe('market samples in a run', () => {
  it('fall on the sampleMs grid, each one changed from the one before, and follow every fill at its instant', () => {
    const { entries, start } = entriesOf('scenarios/twap-calm.yaml');
    const all = samples(entries);
    const interval = all.filter((e) => e.event.trigger === 'interval');
    expect(interval.length).toBeGreaterThan(100);
    for (const e of interval) expect((e.time - start) % 1000, `sample at ${e.time}`).toBe(0);
    // An interval sample that repeats the previous one (same top of book, no trade) is not kept.
    for (let i = 1; i < all.length; i++) {
      const [p, q] = [all[i - 1]?.event as MarketSampled, all[i]?.event as MarketSampled];
      if (q.trigger !== 'interval') continue;
      const same = p.bid === q.bid && p.ask === q.ask && p.bidQty === q.bidQty && p.askQty === q.askQty;
      expect(same && q.trades === 0, `interval sample ${i} repeats the one before`).toBe(false);
    }
    // Every fill report is followed, at the same instant, by a fill sample before the next report.
    const fills = entries.filter((e) => e.event.kind === 'FillReport');
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) {
      // In the order the sinks were given them (a sample carries the seq of the entry before it).
      const next = entries
        .slice(entries.indexOf(f) + 1)
        .find((e) => e.event.kind === 'MarketSampled' || e.event.kind.endsWith('Report'));
      expect(next?.event.kind, `after fill at seq ${f.seq}`).toBe('MarketSampled');
      expect(next?.time).toBe(f.time);
      expect((next?.event as MarketSampled).trigger).toBe('fill');
    }
    // The tape counts every trade once: samples' trades add up to at least our own fills.
    const tapeVolume = all.reduce((s, e) => s + e.event.volume, 0);
    const ours = fills.reduce((s, e) => s + (e.event.kind === 'FillReport' ? e.event.qty : 0), 0);
    expect(tapeVolume).toBeGreaterThanOrEqual(ours);
    for (const e of all) if (e.event.volume > 0) expect(e.event.vwap).not.toBeNull();
  });

  it('on a book that never moves: one interval sample, then only our fills', () => {
    const { entries } = entriesOf('scenarios/walkthrough.yaml');
    const all = samples(entries);
    expect(all.filter((e) => e.event.trigger === 'interval')).toHaveLength(1);
    expect(all.filter((e) => e.event.trigger === 'fill').length).toBe(
      entries.filter((e) => e.event.kind === 'FillReport').length,
    );
  });

  it('keep the grid across a restart and stop while no process runs', () => {
    const { entries, start } = entriesOf('scenarios/restart-mid-twap.yaml');
    const crash = entries.find((e) => e.event.kind === 'ProcessRestarted');
    expect(crash).toBeDefined();
    const restarted = crash as LogEntry<Extract<LogEntry['event'], { kind: 'ProcessRestarted' }>>;
    const interval = samples(entries).filter((e) => e.event.trigger === 'interval');
    for (const e of interval) expect((e.time - start) % 1000).toBe(0);
    const down = interval.filter((e) => e.time > restarted.event.crashedAt && e.time < restarted.time);
    expect(down, 'samples while no process ran').toEqual([]);
    expect(interval.some((e) => e.time > restarted.time)).toBe(true);
  });

  it('are not recorded with report.sampleMs off', () => {
    const { entries } = entriesOf('scenarios/twap-calm.yaml', (t) => `${t}\nreport: { sampleMs: off }\n`);
    expect(samples(entries)).toEqual([]);
    expect(entries.some((e) => e.event.kind === 'FillReport')).toBe(true);
  });

  it('follow a coarser grid when sampleMs is larger', () => {
    const { entries, start } = entriesOf('scenarios/twap-calm.yaml', (t) => `${t}\nreport: { sampleMs: 60000 }\n`);
    const interval = samples(entries).filter((e) => e.event.trigger === 'interval');
    expect(interval.length).toBeGreaterThan(0);
    expect(interval.length).toBeLessThanOrEqual(parseDurationMs('PT15M') / 60_000);
    for (const e of interval) expect((e.time - start) % 60_000).toBe(0);
  });
});
