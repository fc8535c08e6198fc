import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { currentDistFiles } from './src/boot/code-loader.js';
import { resolveFcSeed, runsScale } from './test/support/fast-check-env.ts';
import { LongFirstSequencer } from './test/support/long-first-sequencer.ts';

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

const replayCache = process.env.EXECSIM_REPLAY_CACHE ?? path.join(tmpdir(), 'execsim-test-replay-cache');

// Node reads and parses the file NODE_EXTRA_CA_CERTS names when each process starts: a machine's
// whole CA bundle (200 KB on a Debian VM whose environment sets it) costs every node process about
// 50 ms of CPU, paid by each of the hundreds of processes the suite starts (its fork workers, the
// `execsim` runs, resumes, servers and workers). Tests talk only to this machine, over plain HTTP
// and websockets, so no test process needs extra trust roots; the forks and everything they start
// inherit this process's environment.
delete process.env.NODE_EXTRA_CA_CERTS;

/** The files of the in-process project (below): every file of test/backtest, and the files of
 *  other areas that start nothing either. A file that starts a process, a server, a thread or a
 *  store file belongs to the integration project. */
const IN_PROCESS = [
  'test/backtest/**/*.test.ts',
  'test/docs/market-model-docs.test.ts',
  'test/docs/reference-docs.test.ts',
  'test/docs/strategy-payload-docs.test.ts',
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
  'test/strategy/strategy-indicators-example.test.ts',
  'test/strategy/strategy-params.test.ts',
  'test/sweep/sweep-grid-report.test.ts',
  'test/tooling/first-difference.test.ts',
  'test/tooling/long-first-sequencer.test.ts',
];

/** The files of the shared-io project (below): files that start servers, sockets, child processes,
 *  worker threads or store files and close them in their hooks, and leave no module-level state
 *  behind (no mocks, no changes to process.env or signal handlers, no venue registered for good).
 *  Files that run strategies share the thread's pool of strategy realms, as the runs of one
 *  `execsim serve` do. The store's writer thread is process-wide by design (one per process,
 *  whatever the runs), so files sharing it share what a long-lived `execsim serve` shares. The
 *  SIGKILL tests, the files that test the writer thread or the strategy realms themselves, and
 *  those that watch the process for sockets and timers left behind (another file's would count)
 *  stay in the integration project, as do live-market-history.test.ts, whose 300 ms history
 *  deadline was missed on a loaded machine after other files had run in its worker, and
 *  cli-tampered.test.ts, whose stored run could not be set up once after other files had run in
 *  its worker (the cause is not found yet), and strategy-session-budget.test.ts, whose 1 s bound on
 *  a session's answers was missed once in a shared worker on a loaded machine, and
 *  paper-vwap-history.test.ts, whose paper run planned on a flat profile when its read of the
 *  venue's history missed its deadline on a loaded machine (isolated too), and
 *  sweep-costs-browser.test.ts, whose page check ran past its 60 s in a shuffled shared worker at
 *  load 34 (it passed there in order; not yet checked again). */
const SHARED_IO = [
  'test/cli/cli-commands.test.ts',
  'test/cli/cli-data.test.ts',
  'test/cli/cli-database.test.ts',
  'test/cli/cli-flags.test.ts',
  'test/cli/cli-interrupt.test.ts',
  'test/cli/cli-messages.test.ts',
  'test/cli/cli-no-store.test.ts',
  'test/cli/cli-paper-venue.test.ts',
  'test/cli/cli-refusals.test.ts',
  'test/cli/cli-runs-symbols.test.ts',
  'test/cli/cli-sweep.test.ts',
  'test/cli/cli-store-commands-load.test.ts',
  'test/cli/cli-sweeps.test.ts',
  'test/cli/cli.test.ts',
  'test/contract/alpaca/alpaca-equities.test.ts',
  'test/contract/binance/binance-spot.test.ts',
  'test/contract/contract-suite.test.ts',
  'test/contract/scripted-venue.test.ts',
  'test/contract/venue-folders.test.ts',
  'test/docs/readme.test.ts',
  'test/gateway/gateway-alpaca-faults.test.ts',
  'test/gateway/gateway-alpaca-fills.test.ts',
  'test/gateway/gateway-alpaca-fuzz.test.ts',
  'test/gateway/gateway-alpaca-history.test.ts',
  'test/gateway/gateway-alpaca-lost-answers.test.ts',
  'test/gateway/gateway-alpaca-market-data.test.ts',
  'test/gateway/gateway-alpaca-multi-property.test.ts',
  'test/gateway/gateway-alpaca-multi.test.ts',
  'test/gateway/gateway-alpaca-replace-race.test.ts',
  'test/gateway/gateway-alpaca-replace.test.ts',
  'test/gateway/gateway-alpaca-rest-wire.test.ts',
  'test/gateway/gateway-alpaca-stop-buying-power.test.ts',
  'test/gateway/gateway-alpaca-stream-bars.test.ts',
  'test/gateway/gateway-alpaca-stream-wire.test.ts',
  'test/gateway/gateway-alpaca.test.ts',
  'test/gateway/gateway-binance-cancel-replace.test.ts',
  'test/gateway/gateway-binance-ccxt-answers.test.ts',
  'test/gateway/gateway-binance-ccxt-tickers.test.ts',
  'test/gateway/gateway-binance-ccxt.test.ts',
  'test/gateway/gateway-binance-commissions.test.ts',
  'test/gateway/gateway-binance-faults.test.ts',
  'test/gateway/gateway-binance-fuzz.test.ts',
  'test/gateway/gateway-binance-klines.test.ts',
  'test/gateway/gateway-binance-multi-balances.test.ts',
  'test/gateway/gateway-binance-multi.test.ts',
  'test/gateway/gateway-binance-rest-wire.test.ts',
  'test/gateway/gateway-binance-stream-wire.test.ts',
  'test/gateway/gateway-binance-ticker-streams.test.ts',
  'test/gateway/gateway-daily-history.test.ts',
  'test/gateway/gateway-orders.test.ts',
  'test/gateway/gateway-registry.test.ts',
  'test/live/live-alpaca-adapter.test.ts',
  'test/live/live-alpaca-venue-answers.test.ts',
  'test/live/live-binance-adapter.test.ts',
  'test/live/live-binance-transport-failures.test.ts',
  'test/live/stream-recorder-symbols.test.ts',
  'test/live/stream-recorder.test.ts',
  'test/live/venue-answer-shapes.test.ts',
  'test/paper/paper-algo-module.test.ts',
  'test/paper/paper-binance-commissions.test.ts',
  'test/paper/paper-cancel-race.test.ts',
  'test/paper/paper-desk-report-order.test.ts',
  'test/paper/paper-desk-streams.test.ts',
  'test/paper/paper-liquidity.test.ts',
  'test/paper/paper-output-closed.test.ts',
  'test/paper/paper-progress.test.ts',
  'test/paper/paper-quote-fallback.test.ts',
  'test/paper/paper-run-binance.test.ts',
  'test/paper/paper-run.test.ts',
  'test/paper/paper-scenarios.test.ts',
  'test/paper/paper-strategy-context.test.ts',
  'test/paper/paper-strategy-swap.test.ts',
  'test/paper/paper-strategy.test.ts',
  'test/paper/paper-two-symbols-alpaca.test.ts',
  'test/paper/paper-two-symbols-binance.test.ts',
  'test/paper/paper-venue-starting.test.ts',
  'test/paper/paper-wrong-venue.test.ts',
  'test/replay/archive-replay.test.ts',
  'test/replay/kline-replay.test.ts',
  'test/replay/replay-data-ended.test.ts',
  'test/replay/replay-report.test.ts',
  'test/replay/replay-symbol.test.ts',
  'test/replay/tardis-roundtrip.test.ts',
  'test/replay/zip-lines.test.ts',
  'test/service/browser.test.ts',
  'test/service/decimal-string-messages.test.ts',
  'test/service/http-client-requests.test.ts',
  'test/service/pages.test.ts',
  'test/service/quote-fallback.test.ts',
  'test/service/read-model-routes.test.ts',
  'test/service/read-model.test.ts',
  'test/service/readable-events.test.ts',
  'test/service/serve-process.test.ts',
  'test/service/serve-session-progress.test.ts',
  'test/service/serve-start.test.ts',
  'test/service/server-app.test.ts',
  'test/service/server-contract.test.ts',
  'test/service/server-fuzz.test.ts',
  'test/service/server-runs.test.ts',
  'test/service/server-run-keys.test.ts',
  'test/service/server-tampered.test.ts',
  'test/service/service-api.test.ts',
  'test/service/service-fuzz.test.ts',
  'test/service/service-idempotency.test.ts',
  'test/service/service-session-file.test.ts',
  'test/service/service-strategy-swap.test.ts',
  'test/service/session-algo-module.test.ts',
  'test/service/session-browser.test.ts',
  'test/service/session-liquidity-refresh.test.ts',
  'test/service/session-metrics.test.ts',
  'test/service/session-page.test.ts',
  'test/service/session-paper-two-symbols.test.ts',
  'test/service/session-strategy.test.ts',
  'test/service/session-stream.test.ts',
  'test/service/session-two-symbols.test.ts',
  'test/service/sweep-job-routes.test.ts',
  'test/store/deferred-projection.test.ts',
  'test/store/event-blocks.test.ts',
  'test/store/restart.test.ts',
  'test/store/run-progress.test.ts',
  'test/store/run-series.test.ts',
  'test/store/run-venue-url.test.ts',
  'test/store/store-concurrent-open.test.ts',
  'test/store/twap-persistence.test.ts',
  'test/strategy/strategy-context.test.ts',
  'test/strategy/strategy-failure-report.test.ts',
  'test/strategy/strategy-modules.test.ts',
  'test/strategy/strategy-swap.test.ts',
  'test/sweep/run-pool.test.ts',
  'test/sweep/sweep-grid-store.test.ts',
  'test/sweep/sweep-pool.test.ts',
  'test/sweep/sweep-store.test.ts',
  'test/tooling/export-names.test.ts',
  'test/tooling/file-hooks.test.ts',
  'test/tooling/lint-rules.test.ts',
  'test/tooling/strategy-types.test.ts',
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
    // One file more than there are cores (vitest's default is one fewer): many files spend part
    // of their time waiting on real processes, sockets, Redis and wall-clock TWAPs, so a third
    // file on two cores computes while two wait. The whole suite took 1,180 s one file at a time
    // on a two-core VM against 883 s two at a time; two at a time, it kept 1.57 of the two cores
    // busy (820 s of CPU in 523 s).
    maxWorkers: availableParallelism() + 1,
    // The files that take longest in wall time start first (test/support/long-first-sequencer.ts).
    sequence: { sequencer: LongFirstSequencer },
    testTimeout: 60_000,
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
      // The rest of test/, each file in a fresh module graph: files that set module-level state
      // (mocks, process.env, signal handlers, strategy realms, the writer thread under test, a venue
      // registered for good), files that watch the process for what is left behind, the SIGKILL
      // tests, and files not yet checked in a shared graph.
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...IN_PROCESS, ...SHARED_IO] },
      },
    ],
  },
});
