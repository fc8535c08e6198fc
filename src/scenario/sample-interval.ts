// The interval of the market samples a run records (report.sampleMs): a stated one, none, or
// `auto`, chosen from the run's duration so that a long run does not fire a sampler tick every
// second of simulated time.
/** The longest interval between market samples, ms (an hour): a chart needs more than one point a run. */
export const MAX_SAMPLE_MS = 3_600_000;
/** The steps `auto` chooses from, ms: 1 s to an hour. */
const SAMPLE_STEPS_MS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
];
/** `auto` samples at most this many intervals a run: a chart plots 2,000 points, and a quiet
 *  12-day run sampled every second would fire a million sampler ticks. */
export const AUTO_MAX_SAMPLES = 10_000;

/** The interval `report.sampleMs` stands for in a run of `durationMs`: `auto` is the finest step of
 *  1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min or an hour that gives at most AUTO_MAX_SAMPLES
 *  (one second for runs up to 2 h 46 min). */
export function sampleIntervalMs(sampleMs: number | 'off' | 'auto', durationMs: number): number | 'off' {
  if (sampleMs !== 'auto') return sampleMs;
  return SAMPLE_STEPS_MS.find((step) => durationMs / step <= AUTO_MAX_SAMPLES) ?? MAX_SAMPLE_MS;
}
