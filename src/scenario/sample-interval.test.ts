// report.sampleMs: `auto` picks the finest listed step that keeps a run at or under
// AUTO_MAX_SAMPLES intervals (an hour when none does); stated intervals and `off` pass through;
// a loaded scenario states the interval it runs with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load-scenario.ts';
import { AUTO_MAX_SAMPLES, MAX_SAMPLE_MS, sampleIntervalMs } from './sample-interval.ts';
import { readFileSync } from 'node:fs';

const STEPS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
];

describe('sampleIntervalMs', () => {
  it('auto: the finest step with at most AUTO_MAX_SAMPLES intervals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * 86_400_000 }), (durationMs) => {
        const got = sampleIntervalMs('auto', durationMs);
        expect(STEPS).toContain(got);
        const step = got as number;
        if (step < MAX_SAMPLE_MS) expect(durationMs / step).toBeLessThanOrEqual(AUTO_MAX_SAMPLES);
        const finer = STEPS.filter((s) => s < step);
        for (const s of finer) expect(durationMs / s).toBeGreaterThan(AUTO_MAX_SAMPLES);
      }),
    );
    expect(sampleIntervalMs('auto', 3_600_000)).toBe(1_000);
    expect(sampleIntervalMs('auto', 12 * 86_400_000)).toBe(120_000);
  });

  it('passes stated intervals and off through', () => {
    expect(sampleIntervalMs(250, 12 * 86_400_000)).toBe(250);
    expect(sampleIntervalMs('off', 1_000)).toBe('off');
  });

  it('a loaded scenario states the interval it runs with', () => {
    const text = readFileSync('scenarios/twap-calm.yaml', 'utf8');
    expect(parseScenario(text, 'scenarios/twap-calm.yaml').scenario.report.sampleMs).toBe(1_000);
    const long = text.replace(/^duration: .*$/m, 'duration: P12D');
    expect(parseScenario(long, 'scenarios/twap-calm.yaml').scenario.report.sampleMs).toBe(120_000);
    const stated = `${text}\nreport: { sampleMs: auto }\n`;
    expect(parseScenario(stated, 'scenarios/twap-calm.yaml').scenario.report.sampleMs).toBe(1_000);
  });
});
