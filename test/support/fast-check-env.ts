// How the test suite seeds and sizes fast-check, read from the environment. Shared by
// vitest.config.ts, which settles the seed once per `vitest` invocation, by the setup file that
// configures fast-check in every test worker, and by the wrapper that scales every property's
// number of runs.
//
//   FC_SEED        unset: DEFAULT_FC_SEED, so `npm test` generates the same cases every time;
//                  an integer: that seed (reproduce a failure with the seed it printed);
//                  `random`: a fresh seed for this invocation, printed at the start.
//   FC_PATH        replay one counterexample: the `path` fast-check printed with its seed. Every
//                  property that runs gets it, so select the one test (file and -t).
//   FC_RUNS_SCALE  multiplies every property's number of runs (its own numRuns, else fast-check's
//                  100); e.g. 10 for a nightly-style run. Fractions shrink it (at least 1 run).
//   FC_VERBOSE     1 or 2: fast-check lists the failing values (2: every value) in its report.
import { randomInt } from 'node:crypto';

/** The seed of every property when FC_SEED is unset. Any fixed value does; changing it changes
 *  which cases `npm test` generates, so the whole suite must pass with the new one. */
export const DEFAULT_FC_SEED = 20_240_809;

/** fast-check's default number of runs of a property that does not state one. */
const FAST_CHECK_DEFAULT_RUNS = 100;

type Env = Readonly<Record<string, string | undefined>>;

/** The seed FC_SEED asks for; `random` draws one (so call this once per invocation). */
export function resolveFcSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_FC_SEED;
  if (raw.trim() === 'random') return randomInt(0, 2 ** 31);
  const s = raw.trim();
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new Error(`FC_SEED: "${raw}" is not an integer or "random"`);
  }
  return Number(s);
}

/** FC_RUNS_SCALE as a positive factor (1 when unset). */
export function runsScale(env: Env): number {
  const raw = env.FC_RUNS_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const x = Number(raw);
  if (!Number.isFinite(x) || x <= 0) throw new Error(`FC_RUNS_SCALE: "${raw}" is not a positive number`);
  return x;
}

/** A property's number of runs after scaling: its own numRuns (else the global or fast-check's
 *  default) times FC_RUNS_SCALE, at least 1. */
export function scaledRuns(own: number | undefined, global: number | undefined, env: Env): number {
  return Math.max(1, Math.round((own ?? global ?? FAST_CHECK_DEFAULT_RUNS) * runsScale(env)));
}

/** The global fast-check parameters the environment asks for (seed always; path and verbosity
 *  when set). */
export function fastCheckGlobals(env: Env): { seed: number; path?: string; verbose?: 0 | 1 | 2 } {
  const out: { seed: number; path?: string; verbose?: 0 | 1 | 2 } = { seed: resolveFcSeed(env.FC_SEED) };
  const path = env.FC_PATH?.trim();
  if (path) {
    if (!/^\d+(:\d+)*$/.test(path)) throw new Error(`FC_PATH: "${env.FC_PATH}" is not a fast-check path like "12:0:3"`);
    out.path = path;
  }
  const verbose = env.FC_VERBOSE?.trim();
  if (verbose) {
    if (verbose !== '0' && verbose !== '1' && verbose !== '2')
      throw new Error(`FC_VERBOSE: "${env.FC_VERBOSE}" is not 0, 1 or 2`);
    out.verbose = Number(verbose) as 0 | 1 | 2;
  }
  return out;
}
