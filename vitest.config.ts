import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { resolveFcSeed, runsScale } from './test/support/fast-check-env.ts';

// One fast-check seed for the whole invocation (FC_SEED: a number, `random`, or unset for the
// fixed default), handed to every worker, so a random run prints one seed that reproduces it.
const fcSeed = resolveFcSeed(process.env.FC_SEED);
if (process.env.FC_SEED?.trim() === 'random')
  console.log(`fast-check: FC_SEED=random chose seed ${fcSeed}; rerun with FC_SEED=${fcSeed}`);
runsScale(process.env); // a bad FC_RUNS_SCALE fails here, once, not in every property

export default defineConfig({
  resolve: {
    // fast-check with every property's number of runs scaled by FC_RUNS_SCALE.
    alias: [
      {
        find: /^fast-check$/,
        replacement: fileURLToPath(new URL('./test/support/fast-check-scaled.ts', import.meta.url)),
      },
    ],
  },
  test: {
    pool: 'forks',
    // Two files at a time even on two cores (vitest's default there is one): many files spend
    // their time waiting on real processes, sockets and Redis, not computing, and the whole suite
    // took 1,180 s one file at a time on a two-core VM against 883 s two at a time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    // Hooks that start real processes (the CLI suites) take seconds on a loaded two-core machine.
    hookTimeout: 60_000,
    setupFiles: ['test/support/fast-check-setup.ts'],
    env: { FC_SEED: String(fcSeed) },
    projects: [
      // The unit tests beside the sources share one module graph per worker: they hold no state
      // between files (no mocks, no servers), and importing the sources again for each of 114
      // files was most of their time (99 s isolated against 44 s shared, on two cores).
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'], isolate: false } },
      // The integration tests start processes, servers and threads and set module-level state
      // (the store's writer thread, sweep workers): each file in a fresh module graph.
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'] } },
    ],
  },
});
