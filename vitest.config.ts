import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { distProblem } from './src/boot/code-loader.js';
import { resolveFcSeed, runsScale } from './test/support/fast-check-env.ts';

// One fast-check seed for the whole invocation (FC_SEED: a number, `random`, or unset for the
// fixed default), handed to every worker, so a random run prints one seed that reproduces it.
const fcSeed = resolveFcSeed(process.env.FC_SEED);
if (process.env.FC_SEED?.trim() === 'random')
  console.log(`fast-check: FC_SEED=random chose seed ${fcSeed}; rerun with FC_SEED=${fcSeed}`);
runsScale(process.env); // a bad FC_RUNS_SCALE fails here, once, not in every property

// The worker threads the tests start (a sweep's workers, a run pool's, the store's writer thread)
// run the bundle in dist/ while it is current, as those of a built `execsim` do, instead of
// loading the sources through tsx in every thread (about a second of CPU each). A worker thread
// follows EXECSIM_CODE (src/boot/code-loader.js); the tests' own thread runs the sources either
// way, and so do the threads while dist/ is stale or missing. src/sweep/sweep-threads.test.ts
// keeps a sweep whose workers run the sources.
const workerCode = distProblem() === null ? { EXECSIM_CODE: 'dist' } : {};

/** The files of the in-process project (below): every file of test/backtest, and the files of
 *  other areas that start nothing either. A file that starts a process, a server, a thread or a
 *  store file belongs to the integration project. */
const IN_PROCESS = [
  'test/backtest/**/*.test.ts',
  'test/docs/market-model-docs.test.ts',
  'test/docs/reference-docs.test.ts',
  'test/gateway/gateway-clock-order.test.ts',
  'test/gateway/gateway-profile.test.ts',
  'test/gateway/gateway-venue.test.ts',
  'test/live/core-reads-no-venue-text.test.ts',
  'test/live/live-alpaca-mapping.test.ts',
  'test/replay/replay-display.test.ts',
  'test/replay/replay-model.test.ts',
  'test/replay/replay.test.ts',
  'test/service/server-sse-resume.test.ts',
  'test/service/session-stream-resume.test.ts',
  'test/store/run-state.test.ts',
  'test/strategy/strategy-budget.test.ts',
  'test/strategy/strategy-example.test.ts',
  'test/strategy/strategy-params.test.ts',
  'test/sweep/sweep-grid-report.test.ts',
];

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
    env: { FC_SEED: String(fcSeed), ...workerCode },
    projects: [
      // The unit tests beside the sources share one module graph per worker: they hold no state
      // between files (no mocks, no servers), and importing the sources again for each of 114
      // files was most of their time (99 s isolated against 44 s shared, on two cores).
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'], isolate: false } },
      // The tests in test/ that start nothing (no child process, server, socket, worker thread,
      // store file, Redis or Chromium, and no module-level state): backtests in memory, properties
      // and documents. They share the module graph as the unit tests do.
      { extends: true, test: { name: 'in-process', include: IN_PROCESS, isolate: false } },
      // The other tests in test/ start processes, servers and threads and set module-level state
      // (the store's writer thread, sweep workers): each file in a fresh module graph.
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: IN_PROCESS } },
    ],
  },
});
