// Market samples are kept beside the execution log, not in it: they take no seq and are not in
// the digest. So a run's digest, and every seq its entries hold or refer to, is the same at any
// sampleMs or none, which is what lets a sweep path skip sampling and still reproduce the digest
// of the charted run of its seed. Checked here on every bundled scenario and, as a property, on
// random seeds and intervals.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { canonicalLine, EventLog } from '../../src/core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { MarketSample } from '../../src/core/report/market-sampler.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { runPath } from '../../src/sweep/sweep.ts';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load-scenario.ts';

const FILES = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `scenarios/${f}`);

function withSampleMs(loaded: LoadedScenario, sampleMs: number | 'off'): LoadedScenario {
  const s = loaded.scenario;
  return { ...loaded, scenario: { ...s, report: { ...s.report, sampleMs } } };
}

interface Logged {
  readonly digest: string;
  readonly lines: string[];
  readonly samples: number;
}

function logged(loaded: LoadedScenario, seed: number): Logged {
  const lines: string[] = [];
  let samples = 0;
  const report = runScenario(loaded, {
    seed,
    onEntry: (e: LogEntry) => {
      if (e.event.kind === 'MarketSampled') samples++;
      else lines.push(canonicalLine(e));
    },
  });
  return { digest: report.digest, lines, samples };
}

describe('EventLog.sample', () => {
  const sample = (): MarketSample => new MarketSample('interval', 100, 102, 5, 7, 1, 3, 101.5, 101);

  it('gives the sinks the sample with the seq before it and its line, and leaves the digest and count alone', () => {
    const clock = new VirtualClock(1_000);
    const log = new EventLog(clock);
    const bare = new EventLog(new VirtualClock(1_000));
    const seen: string[] = [];
    log.addSink({ write: (e, line) => seen.push(`${e.seq}|${line.text()}`) });
    log.append({ kind: 'RunStarted', scenario: 's', symbol: 'BTCUSDT', startTime: 1_000 } as ExecEvent);
    bare.append({ kind: 'RunStarted', scenario: 's', symbol: 'BTCUSDT', startTime: 1_000 } as ExecEvent);
    clock.advanceTo(1_500);
    const e = log.sample(sample());
    expect(e.seq).toBe(1);
    expect(e.time).toBe(1_500);
    expect(log.count).toBe(1);
    expect(seen).toHaveLength(2);
    expect(log.digest()).toBe(bare.digest());
    expect(seen[1]).toBe(`1|${canonicalLine(e)}`);
    expect(seen[1]).toContain(' MarketSampled {"ask":102,');
  });

  it('refuses a sample through append, and a sample earlier than the last entry', () => {
    const clock = { t: 2_000, now: () => clock.t };
    const log = new EventLog(clock as unknown as VirtualClock);
    expect(() => log.append(sample())).toThrow(/not an entry of the log/);
    expect(log.count).toBe(0);
    log.append({ kind: 'RunStarted', scenario: 's', symbol: 'BTCUSDT', startTime: 1_000 } as ExecEvent);
    clock.t = 1_999;
    expect(() => log.sample(sample())).toThrow(/time went backwards/);
    // The refused sample left the log as it was: the next one follows the entry.
    clock.t = 2_000;
    expect(log.sample(sample())).toMatchObject({ seq: 1, time: 2_000 });
  });
});

describe('the digest leaves market samples out', () => {
  it.each(FILES)('%s: the same entries, seqs and digest sampled every second, every 100 ms and not at all', (file) => {
    const loaded = loadScenarioFile(file);
    const off = logged(withSampleMs(loaded, 'off'), 7);
    expect(off.samples).toBe(0);
    for (const ms of [1_000, 100]) {
      const on = logged(withSampleMs(loaded, ms), 7);
      // Byte for byte: seqs (and every seq a payload refers to) are not shifted by samples.
      expect(on.lines).toEqual(off.lines);
      expect(on.digest).toBe(off.digest);
    }
    // The digest is over the entries alone, in order, so sampling never reached it.
    expect(off.lines.length).toBeGreaterThan(0);
  });

  it('a sampled run did take samples, which reach the sinks between entries with the seq of the one before', () => {
    const entries: LogEntry[] = [];
    runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { onEntry: (e) => entries.push(e) });
    const samples = entries.filter((e) => e.event.kind === 'MarketSampled');
    expect(samples.length).toBeGreaterThan(500);
    let lastSeq = 0;
    for (const e of entries) {
      if (e.event.kind === 'MarketSampled') expect(e.seq).toBe(lastSeq);
      else {
        expect(e.seq).toBe(lastSeq + 1);
        lastSeq = e.seq;
      }
    }
  });

  it('property: any seed and interval gives the unsampled digest, and a sweep path (which samples nothing) has it', () => {
    const scenarios = ['scenarios/twap-calm.yaml', 'scenarios/restart-mid-twap.yaml', 'scenarios/twap-outage.yaml'].map(
      (f) => loadScenarioFile(f),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...scenarios),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 50, max: 120_000 }),
        (loaded, seed, sampleMs) => {
          const on = logged(withSampleMs(loaded, sampleMs), seed);
          const path = runPath(loaded, 0, seed);
          expect(path.path.digest).toBe(on.digest);
          expect(logged(withSampleMs(loaded, 'off'), seed).lines).toEqual(on.lines);
        },
      ),
      { numRuns: 12 },
    );
  });
});
