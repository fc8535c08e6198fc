// The market benchmark of a paper TWAP that spans a restart covers the parent's whole horizon.
// `execsim run --mode paper` against the local Alpaca gateway (in this process) is killed with
// SIGKILL mid-TWAP and `execsim resume` finishes it; other participants trade on the gateway's
// tape before the kill, while no process runs and after the resume. The resumed process reads the
// market since the parent's creation back from the gateway's minute bars, so the MarketBenchmark
// it records counts the gateway's whole tape over the horizon (whole minutes: from the minute the
// parent was created in) and participation is our fills over that, at most 1. Before, the
// resumed process counted only what it had seen itself: on this book 123% to 533%, by the kill.
// When the venue refuses its history the resume still finishes: a warning line says so, the
// benchmark is marked partial and the report gives no participation, saying why. And the report's
// rule as a property: participation is never above 1, and missing exactly when the benchmark
// covered part of the horizon or saw less volume than we filled.
import { storedOfKind } from './support/stored-log.ts';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../src/cli/format-report.ts';
import type { LogEntry, MarketBenchmark } from '../src/core/model/events.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';
import { RunReportFold } from '../src/core/report/run-report.ts';
import { startAlpacaGateway, type AlpacaGateway } from '../src/gateway/alpaca/alpaca-gateway.ts';
import type { TapePrint } from '../src/gateway/market-feed.ts';
import { AlpacaAdapter } from '../src/live/alpaca/alpaca-adapter.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { PaperInterrupted, resumePaper, runPaper, type PaperOptions } from '../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';
import { onCleanup, waitFor } from './support/gateway-harness.ts';
import { refusingBars } from './support/refusing-history.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const VENUE_FILE = path.join(ROOT, 'test', 'fixtures', 'paper', 'sigkill-venue.yaml');
const TWAP_FILE = path.join(ROOT, 'test', 'fixtures', 'paper', 'sigkill-twap.yaml');
const PARENT_QTY = 160;
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

function startChild(args: readonly string[]): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET };
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
function otherTrade(gw: AlpacaGateway, price: number, qty: number): Promise<TapePrint> {
  const before = gw.feed.prints.length;
  gw.venue.clock.post(() => gw.venue.venue.marketTrade(price, qty), 0);
  return waitFor(() => gw.feed.prints.slice(before).find((p) => p.price === price && p.qty === qty), 5_000);
}

/** Resolves at the gateway's n-th fill of the run's orders. */
function fills(): { count: () => number; at(n: number): Promise<void>; onUpdate: (u: { event: string }) => void } {
  let n = 0;
  const waiters: Array<[number, () => void]> = [];
  return {
    count: () => n,
    at: (k) => new Promise<void>((resolve) => (n >= k ? resolve() : waiters.push([k, resolve]))),
    onUpdate: (u) => {
      if (u.event !== 'fill' && u.event !== 'partial_fill') return;
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

describe("a paper TWAP killed and resumed: the benchmark covers the parent's whole horizon", () => {
  // Kill points: early (two fills, before the first other trade lands) and past the middle.
  for (const killAt of [2, 9]) {
    it(`killed with SIGKILL after fill ${killAt}`, { timeout: 90_000 }, async () => {
      const seen = fills();
      const gw = await startAlpacaGateway({
        scenarioFile: VENUE_FILE,
        keyId: KEY_ID,
        secretKey: SECRET,
        port: 0,
        onUpdate: seen.onUpdate,
      });
      onCleanup(() => gw.close());
      const file = path.join(dir, `kill-${killAt}.db`);
      const common = ['--venue-url', gw.url, '--market-hours', 'always', '--db', file, '--json'];

      const first = startChild(['run', TWAP_FILE, '--mode', 'paper', ...common]);
      await Promise.race([seen.at(1), first.exited]);
      await otherTrade(gw, 18_745, 7); // while the first process runs
      await Promise.race([seen.at(killAt), first.exited]);
      first.kill();
      expect((await first.exited).signal, 'the first process was killed mid-TWAP').toBe('SIGKILL');
      const filledBefore = seen.count();
      expect(filledBefore).toBeLessThan(16);
      await otherTrade(gw, 18_748, 11); // while no process runs

      const db = new Database(file, { readonly: true, fileMustExist: true });
      const runId = (db.prepare('SELECT id FROM runs').get() as { id: string }).id;
      db.close();
      const resumed = startChild(['resume', runId, ...common]);
      // After the resume's first fill, one more trade by someone else (inside the horizon unless
      // the resumed TWAP, catching up, was done by then).
      await Promise.race([seen.at(filledBefore + 1), resumed.exited]);
      const third = await otherTrade(gw, 18_752, 13);
      const done = await resumed.exited;
      expect(done.code, done.err).toBe(0);
      expect(done.err).not.toMatch(/market history/);

      const bench = storedBenchmark(file, runId);
      // The gateway's own tape over the horizon, from the minute the parent was created in.
      const tape = gw.feed.prints.filter(
        (p) => p.time >= Math.floor(bench.from / MINUTE) * MINUTE && p.time <= bench.to,
      );
      const volume = tape.reduce((s, p) => s + p.qty, 0);
      const notional = tape.reduce((s, p) => s + p.price * p.qty, 0);
      const after = third.time <= bench.to ? 13 : 0;
      expect(volume, 'the tape holds our fills and the other trades').toBe(PARENT_QTY + 7 + 11 + after);
      expect(bench.volume, 'benchmark volume = the gateway tape over the horizon').toBe(volume);
      // (the bars state their VWAP to 6 decimals of a dollar: 0.0001 of a tick)
      expect(bench.vwap).toBeCloseTo(notional / volume, 3);
      expect(bench.twapMid).not.toBeNull();
      expect(bench.coveredFrom).toBeUndefined();

      const report = JSON.parse(done.out) as {
        parents: Array<{ participationRate: number | null; benchmarkNote: string | null }>;
      };
      const parent = report.parents[0]!;
      expect(parent.benchmarkNote).toBeNull();
      expect(parent.participationRate).toBeCloseTo(PARENT_QTY / volume, 6);
      expect(parent.participationRate!).toBeLessThanOrEqual(1);
    });
  }
});

describe('a resume whose venue refuses its market history', () => {
  it(
    'finishes, warns in one line, and reports the benchmark as partial without a participation',
    { timeout: 60_000 },
    async () => {
      const gw = await startAlpacaGateway({
        scenarioFile: 'test/fixtures/gateway/alpaca-aapl.yaml',
        keyId: KEY_ID,
        secretKey: SECRET,
        port: 0,
      });
      onCleanup(() => gw.close());
      const store = new RunStore(openDatabase(path.join(dir, 'refused.db')));
      onCleanup(() => void store.db.close());
      const options = (baseUrl: string): PaperOptions => ({
        store,
        venueUrl: gw.url,
        marketHours: 'always',
        preflightTimeoutMs: 5_000,
        venue: (instrument, clock, runId) =>
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
          }),
      });
      // The first process stops after its second fill (as a signal stops it; resumable).
      const stop = new AbortController();
      let fillsSeen = 0;
      const err = await runPaper(loadScenarioFile('test/fixtures/paper/twap-aapl.yaml'), {
        ...options(gw.url),
        signal: stop.signal,
        onEntry: (e) => {
          if (e.event.kind === 'FillReport' && ++fillsSeen === 2) stop.abort('SIGINT');
        },
      }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PaperInterrupted);
      const runId = (err as PaperInterrupted).runId;

      const warnings: string[] = [];
      const resumedAt = Date.now();
      const report = await resumePaper(runId, {
        ...options((await refusingBars(gw)).url),
        warn: (m) => warnings.push(m),
      });
      expect(report.parents[0]).toMatchObject({ status: 'filled', filledQty: '60' });
      const history = warnings.filter((w) => w.includes('market history'));
      expect(history).toHaveLength(1);
      expect(history[0]).toMatch(/^could not read the venue's market history since \S+Z \(HTTP 503 .*\): .*partial$/);
      expect(history[0]).not.toContain(SECRET);

      const bench = [...store.entries(runId)].find((e) => e.event.kind === 'MarketBenchmark')?.event as MarketBenchmark;
      expect(bench.coveredFrom).toBeGreaterThanOrEqual(resumedAt);
      const parent = report.parents[0]!;
      expect(parent.participationRate).toBeNull();
      expect(parent.benchmarkNote).toMatch(
        /^partial: market data covered only the last \d+\.\d s of the parent's \d+\.\d s$/,
      );
      expect(formatReport(report)).toContain(`participation n/a (${parent.benchmarkNote})`);
    },
  );
});

describe("the report's participation", () => {
  // A finished TWAP's log (a backtest of the same market) with its benchmark replaced.
  const loaded = loadScenarioFile(TWAP_FILE);
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
        fc.integer({ min: 0, max: 4 * PARENT_QTY }),
        fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
        (volume, late) => {
          const partial = late !== undefined;
          const p = reportWith({
            volume,
            ...(partial ? { coveredFrom: original.from + late } : {}),
          });
          if (partial || volume < PARENT_QTY) {
            expect(p.participationRate).toBeNull();
            expect(p.benchmarkNote).toMatch(
              partial ? /^partial: / : /is below our filled 160: the window missed volume$/,
            );
          } else {
            expect(p.benchmarkNote).toBeNull();
            expect(p.participationRate).toBeCloseTo(PARENT_QTY / volume, 6);
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
