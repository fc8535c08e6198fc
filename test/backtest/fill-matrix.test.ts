// The fill detection fault matrix of bench/fills.bench.ts as a regression test: 1,200 seeded
// orders on the simulated venue under lost, delayed and failed reports, outages and cancel
// races must meet the success criteria (>= 99% detected, < 1% timeouts, 100% consistent, no false
// positives) against the venue's own records. Behaviour, not
// timing: the figures (and the machine) are reported by `npm run bench:fills`.
import { describe, expect, it } from 'vitest';
import { main } from '../../bench/fills.bench.ts';

describe('fill detection fault matrix', () => {
  it('detects every fill the venue made, with no false positive, and stays consistent', () => {
    const { total, meetsCriteria } = main(false);
    expect(total.orders).toBeGreaterThanOrEqual(1000);
    expect(total.venueFilled).toBeGreaterThan(900);
    expect(total.detected).toBe(total.venueFilled);
    expect(total.falsePositives).toBe(0);
    expect(total.ledgerMismatches + total.positionMismatches + total.inconsistentChecks).toBe(0);
    expect(total.immediateTimeouts / total.immediate).toBeLessThan(0.01);
    // The matrix really exercises the paths it claims to: polling finds lost pushes, the
    // deadline's cancel loses races to fills, status queries fail and are retried.
    expect(total.byPoll).toBeGreaterThan(100);
    expect(total.races).toBeGreaterThan(0);
    expect(total.errors).toBeGreaterThan(0);
    expect(meetsCriteria).toBe(true);
  }, 60_000);
});
