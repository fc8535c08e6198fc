import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { currentDistFiles } from './src/boot/code-loader.js';
import { resolveFcSeed, runsScale } from './test/support/fast-check-env.ts';
import { LongFirstSequencer } from './test/support/long-first-sequencer.ts';
import { IN_PROCESS, SHARED_IO, WAITING } from './test/support/test-projects.ts';

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
// way, and so do the threads while dist/ is stale or missing. test/sweep/sweep-threads.test.ts
// keeps a sweep whose workers run the sources.
const distFiles = currentDistFiles();
const workerCode = distFiles === null ? {} : { EXECSIM_CODE: 'dist', EXECSIM_DIST_FILES: JSON.stringify(distFiles) };

// The waiting files' workers: eight when they run last on their own (`npx vitest run`); npm test,
// which runs them beside the other projects, asks for four (EXECSIM_WAITING_WORKERS): there every
// core-second counts, and four workers import the sources half as often (34 core-seconds for the
// group against 40, in 42 s instead of 28, all of it beside the rest).
const waitingWorkers = Number(process.env.EXECSIM_WAITING_WORKERS ?? 8);
if (!Number.isSafeInteger(waitingWorkers) || waitingWorkers < 1)
  throw new Error(`EXECSIM_WAITING_WORKERS: "${process.env.EXECSIM_WAITING_WORKERS}" is not a positive whole number`);

const replayCache = process.env.EXECSIM_REPLAY_CACHE ?? path.join(tmpdir(), 'execsim-test-replay-cache');

// Node reads and parses the file NODE_EXTRA_CA_CERTS names when each process starts: a machine's
// whole CA bundle (200 KB on a Debian VM whose environment sets it) costs every node process about
// 50 ms of CPU, paid by each of the hundreds of processes the suite starts (its fork workers, the
// `execsim` runs, resumes, servers and workers). Tests talk only to this machine, over plain HTTP
// and websockets, so no test process needs extra trust roots; the forks and everything they start
// inherit this process's environment.
delete process.env.NODE_EXTRA_CA_CERTS;

export default defineConfig({
  // npm test runs the waiting-io project in a vitest of its own beside the others
  // (scripts/run-tests.js), which keeps its results (the durations the long-first order reads) in
  // a folder of its own: each invocation writes its whole results file when it ends.
  ...(process.env.EXECSIM_VITEST_CACHE_DIR === undefined ? {} : { cacheDir: process.env.EXECSIM_VITEST_CACHE_DIR }),
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
    // One file more than there are cores (vitest's default is one fewer): many files spend part
    // of their time waiting on real processes, sockets, Redis and wall-clock TWAPs, so a third
    // file on two cores computes while two wait. The whole suite took 1,180 s one file at a time
    // on a two-core VM against 883 s two at a time; two at a time, it kept 1.57 of the two cores
    // busy (820 s of CPU in 523 s).
    maxWorkers: availableParallelism() + 1,
    // The files that take longest in wall time start first (test/support/long-first-sequencer.ts).
    sequence: { sequencer: LongFirstSequencer },
    testTimeout: 60_000,
    // Transformed modules cached on disk (node_modules/.experimental-vitest-cache), keyed by the
    // file's content, the config and the lockfile: a module shared by several projects is
    // transformed once, and a run after the first transforms only what changed. vitest's own CPU
    // in a whole run: 27 s without, 21 s in a fresh clone, 11 s in one that ran before.
    experimental: { fsModuleCache: true },
    // Hooks that start real processes (the CLI suites) take seconds on a loaded two-core machine.
    hookTimeout: 60_000,
    // One scratch folder for the invocation's temporary files, removed at its end (scratch-root.ts).
    globalSetup: ['test/support/scratch-root.ts'],
    // file-hooks-setup.ts runs the after-test and after-file hooks of shared support modules in
    // every file (file-hooks.ts says why a module-level hook does not).
    setupFiles: [
      'test/support/fast-check-setup.ts',
      'test/support/cpu-per-file.ts',
      'test/support/file-hooks-setup.ts',
    ],
    // Parsed-replay caches go to one folder of the tests' (reused run to run, as a user's is), not
    // the user's ~/.cache (a test of the default folder passes its own environment), unless the
    // caller named one.
    env: { FC_SEED: String(fcSeed), EXECSIM_REPLAY_CACHE: replayCache, ...workerCode },
    projects: [
      // The unit tests beside the sources share one module graph per worker: they hold no state
      // between files (no mocks, no servers), and importing the sources again for each of 114
      // files was most of their time (99 s isolated against 44 s shared, on two cores).
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'], isolate: false } },
      // The tests in test/ that start nothing (no child process, server, socket, worker thread,
      // store file, Redis or Chromium, and no module-level state): backtests in memory, properties
      // and documents. They share the module graph as the unit tests do.
      { extends: true, test: { name: 'in-process', include: IN_PROCESS, isolate: false } },
      // The tests in test/ that start servers, sockets, processes, threads or store files and
      // close them again in their hooks, leaving no module-level state (SHARED_IO): one module
      // graph per worker too.
      { extends: true, test: { name: 'shared-io', include: SHARED_IO, isolate: false } },
      // Files like those of SHARED_IO that mostly wait on the wall clock (WAITING): in one invocation
      // after every other project has finished (vitest runs a higher groupOrder later), eight at a
      // time, so they no longer pair up to leave a core idle; npm test runs them in an invocation of
      // their own beside the others (scripts/run-tests.js).
      {
        extends: true,
        test: {
          name: 'waiting-io',
          include: WAITING,
          isolate: false,
          maxWorkers: waitingWorkers,
          sequence: { groupOrder: 1 },
        },
      },
      // The rest of test/, each file in a fresh module graph: files that set module-level state
      // (mocks, process.env, signal handlers, strategy realms, the writer thread under test, a venue
      // registered for good), files that watch the process for what is left behind, the SIGKILL
      // tests, and files not yet checked in a shared graph.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...IN_PROCESS, ...SHARED_IO, ...WAITING],
        },
      },
    ],
  },
});
