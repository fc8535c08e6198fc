// Adversarial runs (test/support/adversarial-case.ts): a sliced parent running any execution
// algorithm (TWAP, VWAP with its default or a given profile, implementation shortfall at urgency
// 0 or above, percent of volume with its rate, max rate, minimum child and end) with any child
// placement (market, limit at an offset, either under a never-worse price), 4-20 slices, carry or
// drop, and single orders of every kind whose cancels race them, on order entry, ack and fill
// latencies of 0-400 ms with jitter, under order rate limits, lost and delayed reports, outages
// (timeouts shorter than order entry included), 5xx answers, kill switch changes and crashes of
// the harness, with reconciliation every 1-10 s, every 5 minutes or off. After each run, from the
// simulated venue's own records and the final process's ledger and log (adversarial-check.ts): no
// client order id became two orders, no parent is over-filled, our fills per client order id and
// our position are the venue's, no discrepancy was recorded, every fill watch ended, nothing is
// open at the venue that we hold as ended, the kill switch held, no child filled beyond its
// parent's never-worse price, and no percent-of-volume child was sized above its max rate of
// the tape.
// A failure prints the shrunk case as a scenario file (`execsim run` reproduces it) and what broke.
//
// This bounded run is part of `npm test`; far more cases: `npm run sweep:adversarial`
// (bench/adversarial-sweep.ts), or FC_RUNS_SCALE / FC_SEED=random for a randomized long run.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { adversarialCase } from '../support/adversarial-case.ts';
import { describeViolations, runAdversarialCase } from '../support/adversarial-check.ts';
import { runsScale } from '../support/fast-check-env.ts';

// 300 cases take about 25 s on two busy cores while every invariant holds. The time limit bounds
// shrinking a failure (the smallest case found by then is reported) and fails a run too slow to
// finish its cases; it grows with FC_RUNS_SCALE like the number of cases.
const timeLimitMs = 240_000 * Math.max(1, runsScale(process.env));

describe('execution under venue faults, cancel races and crashes', () => {
  it(
    'for every algorithm and placement: agrees with the venue, never duplicates or over-fills, records no discrepancy, ends every fill watch, leaves nothing open behind its back, never fills beyond a never-worse price and keeps a POV within its max rate',
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
