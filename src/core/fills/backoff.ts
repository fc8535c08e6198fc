// The two waits of fill detection, as pure functions of a count and the FillConfig:
// - backoffDelay: before retrying a failed call, exponential (base, 2 x base, 4 x base ... up to
//   the cap: 0.5 s, 1 s, 2 s, 4 s ... by default) minus a seeded random share (jitter, so many
//   orders failing together do not retry together). Jitter only shortens a delay, so every delay
//   stays within [0, cap] and the un-jittered schedule is the upper bound.
// - pollInterval: between status polls, growing by a step or factor per poll up to its cap
//   (adaptive polling): fast checks while a fill is likely, fewer calls later.
// Randomness comes only from the Rng passed in (one draw per call, whatever the jitter).
import type { Rng } from '../clock/rng.ts';
import type { FillConfig } from './fill-config.ts';

export type BackoffConfig = Pick<FillConfig, 'backoffBaseMs' | 'backoffMaxMs' | 'jitterFraction'>;
export type PollConfig = Pick<FillConfig, 'pollInitialMs' | 'pollIncrease' | 'pollMaxMs'>;

function requireCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name} must be a whole number >= ${min}, got ${value}`);
}

/** The un-jittered delay before retry `attempt` (1-based): min(cap, base x 2^(attempt-1)). */
export function backoffCeiling(attempt: number, config: BackoffConfig): number {
  requireCount('attempt', attempt, 1);
  const { backoffBaseMs: base, backoffMaxMs: cap } = config;
  // 2^52 x base already exceeds any cap of one day; this keeps the power finite.
  return attempt - 1 >= 52 ? cap : Math.min(cap, base * 2 ** (attempt - 1));
}

/**
 * Delay in ms before retry `attempt` (1-based; attempts past maxRetries keep the cap: monitoring
 * continues to the deadline). delay = ceiling - floor(ceiling x jitterFraction x u), with u
 * uniform in [0, 1) from `rng`: within [ceiling x (1 - jitterFraction), ceiling], an integer.
 */
export function backoffDelay(attempt: number, config: BackoffConfig, rng: Pick<Rng, 'next'>): number {
  const ceiling = backoffCeiling(attempt, config);
  const u = rng.next();
  return ceiling - Math.floor(ceiling * config.jitterFraction * u);
}

/**
 * Wait in ms before the next poll when `pollCount` polls were made so far (0: before the first):
 * step mode initial + step x pollCount, factor mode initial x factor^pollCount, rounded, capped at
 * pollMaxMs. Non-decreasing in pollCount (step >= 0, factor >= 1), constant once at the cap.
 */
export function pollInterval(pollCount: number, config: PollConfig): number {
  requireCount('pollCount', pollCount, 0);
  const { pollInitialMs: initial, pollIncrease: inc, pollMaxMs: cap } = config;
  const grown = inc.mode === 'step' ? initial + inc.ms * pollCount : initial * inc.factor ** pollCount;
  return Math.min(cap, Math.round(grown));
}
