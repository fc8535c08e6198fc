// Adversarial TWAP runs (test/support/adversarial-case.ts): market or limit children, 4-20
// slices, carry or drop, under order rate limits, lost and delayed reports, outages, 5xx answers
// and crashes of the harness, with reconciliation every 1-10 s. After each run, from the
// simulated venue's own records and the final process's ledger and log (adversarial-check.ts):
// no client order id became two orders, the parent is never over-filled, our fills per client
// order id and our position are the venue's, no discrepancy was recorded, every fill watch ended.
// A failure prints the shrunk case as a scenario file (`execsim run` reproduces it) and what broke.
//
// This bounded run is part of `npm test`; far more cases: `npm run sweep:adversarial`
// (bench/adversarial-sweep.ts), or FC_RUNS_SCALE / FC_SEED=random for a randomized long run.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { adversarialCase } from './support/adversarial-case.ts';
import { describeViolations, runAdversarialCase } from './support/adversarial-check.ts';
import { runsScale } from './support/fast-check-env.ts';

// 300 cases take about 25 s on two busy cores while every invariant holds. The time limit bounds
// shrinking a failure (the smallest case found by then is reported) and fails a run too slow to
// finish its cases; it grows with FC_RUNS_SCALE like the number of cases.
const timeLimitMs = 240_000 * Math.max(1, runsScale(process.env));

describe('TWAP execution under venue faults and crashes', () => {
  it(
    'agrees with the venue, never duplicates or over-fills, records no discrepancy and ends every fill watch',
    () => {
      fc.assert(
        fc.property(adversarialCase, (c) => {
          const result = runAdversarialCase(c);
          if (result.violations.length > 0)
            throw new Error(`invariants broken by the case below:\n${describeViolations(result)}`);
        }),
        { numRuns: 300, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: true },
      );
    },
    timeLimitMs + 60_000,
  );
});
