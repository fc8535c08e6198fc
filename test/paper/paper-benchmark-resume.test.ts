// The market benchmark of a paper TWAP that spans a restart covers the parent's whole horizon, on
// every venue with a local gateway (Alpaca and Binance: test/support/sigkill-venues.ts's table).
// `execsim run --mode paper` against the venue's gateway (in this process) is killed with SIGKILL
// mid-TWAP and `execsim resume` finishes it; other participants trade on the gateway's tape before
// the kill, while no process runs and after the resume. The resumed process reads the market since
// the parent's creation back from the gateway's minute bars (Alpaca's bars, Binance's 1-minute
// klines), so the MarketBenchmark it records counts the gateway's whole tape over the horizon
// (whole minutes: from the minute the parent was created in) and participation is our fills over
// that, at most 1. Before, the resumed process counted only what it had seen itself: on Alpaca's
// book 123% to 533%, by the kill. When the venue refuses its history the resume still finishes: a
// warning line says so, the benchmark is marked partial and the report gives no participation,
// saying why. And the report's rule as a property: participation is never above 1, and missing
// exactly when the benchmark covered part of the horizon or saw less volume than we filled.
import { storedOfKind } from '../support/stored-log.ts';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import type { LogEntry, MarketBenchmark } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { RunReportFold } from '../../src/core/report/run-report.ts';
import type { TapePrint } from '../../src/gateway/market-feed.ts';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import { BinanceAdapter } from '../../src/live/binance/binance-adapter.ts';
import type { LiveVenue } from '../../src/live/live-venue.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { resumePaper, type PaperOptions } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET, binanceGateway } from '../support/binance-gateway-harness.ts';
import { onCleanup, scoped, waitFor } from '../support/gateway-harness.ts';
import { refusingBars, refusingKlines } from '../support/refusing-history.ts';
import { alpacaPaperGateway, interruptedPaperRun } from '../support/paper-options.ts';
import { ALPACA, BINANCE, type SigkillVenue, type VenueRound } from '../support/sigkill-venues.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const KEY_ID = 'benchresumekey01';
const SECRET = 'benchresumesecret0123456789';
const CHILD_TIMEOUT_MS = 60_000;
const MINUTE = 60_000;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-paper-bench-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  kill(): void;
}

function startChild(venue: SigkillVenue, args: readonly string[]): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, ...venue.env };
  delete env['NODE_OPTIONS'];
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, out, err });
      });
    },
  );
  onCleanup(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { exited, kill: () => proc.kill('SIGKILL') };
}

/** Another participant's trade on the gateway's tape (the account is not touched); resolves
 *  with its print once on the tape. */
function otherTrade(round: VenueRound, [price, qty]: readonly [number, number]): Promise<TapePrint> {
  const before = round.feed.prints.length;
  round.venue.clock.post(() => round.venue.venue.marketTrade(price, qty), 0);
  return waitFor(() => round.feed.prints.slice(before).find((p) => p.price === price && p.qty === qty));
}

/** Resolves at the gateway's n-th fill of the run's orders. */
function fills(): { count: () => number; at(n: number): Promise<void>; onFill: () => void } {
  let n = 0;
  const waiters: Array<[number, () => void]> = [];
  return {
    count: () => n,
    at: (k) => new Promise<void>((resolve) => (n >= k ? resolve() : waiters.push([k, resolve]))),
    onFill: () => {
      n++;
      for (const w of waiters.filter(([k]) => n >= k)) {
        waiters.splice(waiters.indexOf(w), 1);
        w[1]();
      }
    },
  };
}

function storedBenchmark(file: string, runId: string): MarketBenchmark {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = storedOfKind(db, runId, 'MarketBenchmark');
    expect(rows).toHaveLength(1);
    return JSON.parse(rows[0]!.payload) as MarketBenchmark;
  } finally {
    db.close();
  }
}

/** A venue of the kill-and-resume test: its table entry, and three trades by other participants
 *  (ticks, lots) near its book: during the first process, while none runs, after the resume. */
/** How long a trade may take from the gateway's print to the process under a loaded machine. */
const IN_FLIGHT_MS = 2_000;

const KILLED: ReadonlyArray<{
  readonly venue: SigkillVenue;
  readonly others: readonly [readonly [number, number], readonly [number, number], readonly [number, number]];
}> = [
  {
    venue: ALPACA,
    others: [
      [18_745, 7],
      [18_748, 11],
      [18_752, 13],
    ],
  },
  {
    venue: BINANCE,
    others: [
      [6_499_950, 700],
      [6_500_020, 1_100],
      [6_500_080, 1_300],
    ],
  },
];

// The kill-and-resume tests of both venues run at once (concurrent suites): each has its own
// gateway and database, and a test is mostly its child processes' wall-clock TWAP. (The refused-
// history tests below run one at a time: their paper runs share this process's event loop, and
// their three-second TWAP without catch-up misses a slice when that loop is late.)
for (const { venue, others } of KILLED)
  describe.concurrent(
    `a paper TWAP on ${venue.name} killed and resumed: the benchmark covers the parent's whole horizon`,
    () => {
      // Kill points: early (two fills, before the first other trade lands) and past the middle.
      for (const killAt of [2, 9]) {
        it(
          `killed with SIGKILL after fill ${killAt}`,
          { timeout: 90_000 },
          scoped(async () => {
            const seen = fills();
            const round = await venue.start({ onSubmit: () => {}, onFill: seen.onFill });
            onCleanup(() => round.close());
            const file = path.join(dir, `${venue.name}-kill-${killAt}.db`);
            const common = ['--venue-url', round.url, '--market-hours', 'always', '--db', file, '--json'];

            const first = startChild(venue, ['run', venue.twapFile, '--mode', 'paper', ...common]);
            await Promise.race([seen.at(1), first.exited]);
            await otherTrade(round, others[0]); // while the first process runs
            await Promise.race([seen.at(killAt), first.exited]);
            first.kill();
            expect((await first.exited).signal, 'the first process was killed mid-TWAP').toBe('SIGKILL');
            const filledBefore = seen.count();
            expect(filledBefore).toBeLessThan(16);
            await otherTrade(round, others[1]); // while no process runs

            const db = new Database(file, { readonly: true, fileMustExist: true });
            const runId = (db.prepare('SELECT id FROM runs').get() as { id: string }).id;
            db.close();
            const resumed = startChild(venue, ['resume', runId, ...common]);
            // After the resume's first fill, one more trade by someone else (inside the horizon unless
            // the resumed TWAP, catching up, was done by then).
            await Promise.race([seen.at(filledBefore + 1), resumed.exited]);
            const third = await otherTrade(round, others[2]);
            const done = await resumed.exited;
            expect(done.code, done.err).toBe(0);
            expect(done.err).not.toMatch(/market history/);

            const bench = storedBenchmark(file, runId);
            // The gateway's own tape over the horizon, from the minute the parent was created in.
            const tape = round.feed.prints.filter(
              (p) => p.time >= Math.floor(bench.from / MINUTE) * MINUTE && p.time <= bench.to,
            );
            const volume = tape.reduce((s, p) => s + p.qty, 0);
            const after = third.time <= bench.to ? others[2][1] : 0;
            expect(volume, 'the tape holds our fills and the other trades').toBe(
              venue.parentLots + others[0][1] + others[1][1] + after,
            );
            // The process times the market by when it ARRIVES (market-recorder.ts): a trade the
            // gateway printed just before the parent completed may still be on its way then, and is
            // then outside the horizon the process saw. Only that trade, and only within a moment of
            // the completion, may be missing; everything else is the gateway's tape exactly.
            const inFlight = after > 0 && bench.to - third.time < IN_FLIGHT_MS && bench.volume === volume - after;
            const seenTape = inFlight ? tape.filter((p) => p !== third) : tape;
            const seenVolume = seenTape.reduce((s, p) => s + p.qty, 0);
            const seenNotional = seenTape.reduce((s, p) => s + p.price * p.qty, 0);
            expect(bench.volume, 'benchmark volume = the gateway tape over the horizon').toBe(seenVolume);
            // (Alpaca's bars state their VWAP to 6 decimals of a dollar: 0.0001 of a tick)
            expect(bench.vwap).toBeCloseTo(seenNotional / seenVolume, 3);
            expect(bench.twapMid).not.toBeNull();
            expect(bench.coveredFrom).toBeUndefined();

            const report = JSON.parse(done.out) as {
              parents: Array<{ participationRate: number | null; benchmarkNote: string | null }>;
            };
            const parent = report.parents[0]!;
            expect(parent.benchmarkNote).toBeNull();
            expect(parent.participationRate).toBeCloseTo(venue.parentLots / seenVolume, 6);
            expect(parent.participationRate!).toBeLessThanOrEqual(1);
          }),
        );
      }
    },
  );

/** A venue of the refused-history test: its gateway, a paper TWAP of six slices on it, and its
 *  adapter (at the gateway, or with its history behind a refusing proxy). */
interface Refusing {
  readonly name: string;
  readonly twapFile: string;
  readonly filledQty: string;
  readonly secret: string;
  /** The reason the warning gives, as the adapter says it. */
  readonly reason: string;
  start(): Promise<{ url: string; venue: PaperOptions['venue']; refusing: () => Promise<PaperOptions['venue']> }>;
}

const REFUSING: readonly Refusing[] = [
  {
    name: 'alpaca',
    twapFile: 'test/fixtures/paper/twap-aapl.yaml',
    filledQty: '60',
    secret: SECRET,
    reason: 'HTTP 503 .*',
    async start() {
      const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-aapl.yaml', { id: KEY_ID, secret: SECRET });
      const at =
        (baseUrl: string): PaperOptions['venue'] =>
        (instrument, clock, runId): LiveVenue =>
          new AlpacaAdapter({
            clientIdNamespace: runId,
            instrument,
            keyId: KEY_ID,
            secret: SECRET,
            baseUrl,
            tradeStreamUrl: gw.streamUrl,
            dataStreamUrl: gw.dataStreamUrl,
            clock,
            requestTimeoutMs: 3_000,
            reconnectInitialMs: 20,
          });
      return { url: gw.url, venue: at(gw.url), refusing: async () => at((await refusingBars(gw)).url) };
    },
  },
  {
    name: 'binance',
    twapFile: 'test/fixtures/paper/paper-binance-twap.yaml',
    filledQty: '0.06',
    secret: API_SECRET,
    reason: '-1008 Server is currently overloaded.*',
    async start() {
      const gw = await binanceGateway();
      const at =
        (url: string): PaperOptions['venue'] =>
        (instrument, clock, runId): LiveVenue =>
          new BinanceAdapter({
            instrument,
            clock,
            runId,
            url,
            apiKey: API_KEY,
            secret: API_SECRET,
            requestTimeoutMs: 3_000,
            reconnectInitialMs: 20,
          });
      return { url: gw.url, venue: at(gw.url), refusing: async () => at((await refusingKlines(gw)).url) };
    },
  },
];

for (const venue of REFUSING)
  describe(`a resume whose venue (${venue.name}) refuses its market history`, () => {
    it(
      'finishes, warns in one line, and reports the benchmark as partial without a participation',
      { timeout: 60_000 },
      scoped(async () => {
        const gw = await venue.start();
        const store = new RunStore(openDatabase(path.join(dir, `refused-${venue.name}.db`)));
        onCleanup(() => void store.db.close());
        const options = (at: PaperOptions['venue']): PaperOptions => ({
          store,
          venueUrl: gw.url,
          marketHours: 'always',
          preflightTimeoutMs: 5_000,
          venue: at,
        });
        // The first process stops after its second fill (as a signal stops it; resumable).
        let fillsSeen = 0;
        const runId = await interruptedPaperRun(
          loadScenarioFile(venue.twapFile),
          options(gw.venue),
          (e) => e.event.kind === 'FillReport' && ++fillsSeen === 2,
        );

        const warnings: string[] = [];
        const resumedAt = Date.now();
        const report = await resumePaper(runId, {
          ...options(await gw.refusing()),
          warn: (m) => warnings.push(m),
        });
        expect(report.parents[0]).toMatchObject({ status: 'filled', filledQty: venue.filledQty });
        const history = warnings.filter((w) => w.includes('market history'));
        expect(history).toHaveLength(1);
        expect(history[0]).toMatch(
          new RegExp(`^could not read the venue's market history since \\S+Z \\(${venue.reason}\\): .*partial$`),
        );
        expect(history[0]).not.toContain(venue.secret);

        const bench = [...store.entries(runId)].find((e) => e.event.kind === 'MarketBenchmark')
          ?.event as MarketBenchmark;
        expect(bench.coveredFrom).toBeGreaterThanOrEqual(resumedAt);
        const parent = report.parents[0]!;
        expect(parent.participationRate).toBeNull();
        expect(parent.benchmarkNote).toMatch(
          /^partial: market data covered only the last \d+\.\d s of the parent's \d+\.\d s$/,
        );
        expect(formatReport(report)).toContain(`participation n/a (${parent.benchmarkNote})`);
      }),
    );
  });

describe("the report's participation", () => {
  // A finished TWAP's log (a backtest of the same market) with its benchmark replaced.
  const loaded = loadScenarioFile(ALPACA.twapFile);
  const entries: LogEntry[] = [];
  runScenario(
    { ...loaded, scenario: { ...loaded.scenario, mode: 'backtest' as const } },
    { onEntry: (e) => entries.push(e) },
  );
  const instrument = makeInstrument(loaded.scenario.instrument);
  const reportWith = (bench: Partial<MarketBenchmark>) => {
    const fold = new RunReportFold(instrument);
    for (const e of entries)
      fold.add(e.event.kind === 'MarketBenchmark' ? { ...e, event: { ...e.event, ...bench } as MarketBenchmark } : e);
    return fold.summary().parents[0]!;
  };

  it('is never above 1, and missing exactly when the benchmark missed volume or covered part of the horizon', () => {
    const original = entries.find((e) => e.event.kind === 'MarketBenchmark')!.event as MarketBenchmark;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 * ALPACA.parentLots }),
        fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
        (volume, late) => {
          const partial = late !== undefined;
          const p = reportWith({
            volume,
            ...(partial ? { coveredFrom: original.from + late } : {}),
          });
          if (partial || volume < ALPACA.parentLots) {
            expect(p.participationRate).toBeNull();
            expect(p.benchmarkNote).toMatch(
              partial ? /^partial: / : /is below our filled 160: the window missed volume$/,
            );
          } else {
            expect(p.benchmarkNote).toBeNull();
            expect(p.participationRate).toBeCloseTo(ALPACA.parentLots / volume, 6);
            expect(p.participationRate!).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
    expect(reportWith({ volume: 104 })).toMatchObject({
      participationRate: null,
      benchmarkNote: 'market volume seen (104) is below our filled 160: the window missed volume',
    });
  });
});
