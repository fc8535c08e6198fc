// A strategy module in a paper run against the local Alpaca gateway (and Binance's), over real
// loopback sockets with the official SDK (ccxt): the same module a backtest runs, on the wall
// clock through the process's serial inbox. Before it may signal it warms up on the venue's
// history: the gateway's minute bars, built from a tape that other participants traded on in the
// minutes before the run. Its signals before the warm-up are refused; the one after is executed
// at the venue, at the last history bar's close. Stopped (a signal, or SIGKILL of `execsim run` as
// its order reaches the venue) and resumed, the run starts a fresh instance that warms up again.
// Every wait is a bounded condition.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { resumePaper, runPaper } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile } from '../../src/scenario/load-scenario.ts';
import { onCleanup, scoped } from '../support/gateway-harness.ts';
import {
  alpacaPaperGateway,
  binancePaperOptions,
  interruptedPaperRun,
  paperOptions,
  scratchStores,
} from '../support/paper-options.ts';
import { ALPACA } from '../support/sigkill-venues.ts';
import { API_KEY, API_SECRET, binanceGateway } from '../support/binance-gateway-harness.ts';

const KEY = 'paper-strategy-key-id';
const SECRET = 'paper-strategy-secret-value';
const MARKET = 'test/fixtures/gateway/alpaca-aapl.yaml';
const FILE = 'test/fixtures/paper/strategy-aapl.yaml';
const MINUTE = 60_000;
const { dir, store } = scratchStores('execsim-paper-strategy-', 'strategy');

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');

/** Two trades by others on the gateway's tape before now (ticks, lots): two minutes back and in
 *  the minute before this one (the bars the run's history reads); by default at 187.50 and 187.60. */
function tradedBefore(
  tape: { prints: AlpacaGateway['feed']['prints'] },
  [a, b]: readonly [readonly [number, number], readonly [number, number]] = [
    [18_750, 5],
    [18_760, 7],
  ],
): void {
  const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
  tape.prints.unshift(
    { id: -2, time: minute - 2 * MINUTE + 1_000, price: a[0], qty: a[1] },
    { id: -1, time: minute - MINUTE + 1_000, price: b[0], qty: b[1] },
  );
}

async function gateway(): Promise<AlpacaGateway> {
  const gw = await alpacaPaperGateway(MARKET, { id: KEY, secret: SECRET });
  tradedBefore(gw.feed);
  return gw;
}

/** `execsim ARGS` in a child process (killed at 60 s at the latest). */
function child(args: readonly string[], env: Readonly<Record<string, string>>) {
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete full['NODE_OPTIONS'];
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, err });
    });
  });
  onCleanup(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { exited, kill: () => proc.kill('SIGKILL') };
}

type Of = <K extends ExecEvent['kind']>(kind: K) => Array<LogEntry & { event: Extract<ExecEvent, { kind: K }> }>;
const ofKind =
  (entries: readonly LogEntry[]): Of =>
  (kind) =>
    entries.filter((e) => e.event.kind === kind) as never;

// The SIGKILL test (a child process, a 14 s horizon) runs beside the three in-process tests, which
// run one after another: their runs share this process's event loop and a 4 s horizon.
describe.concurrent('a strategy module in a paper run against the local Alpaca gateway', () => {
  describe.concurrent('in this process, one after another', () => {
    it.sequential(
      'warms up on the venue’s minute bars, refuses its signal before, and trades after',
      { timeout: 30_000 },
      scoped(async () => {
        const gw = await gateway();
        const s = store();
        const report = await runPaper(loadAnyScenarioFile(FILE), paperOptions(gw.url, s, { id: KEY, secret: SECRET }));
        expect(s.getRun(report.runId)).toMatchObject({ status: 'finished', mode: 'paper' });
        const entries = [...s.entries(report.runId)];
        const of = ofKind(entries);

        expect(of('StrategyStarted').map((e) => e.event)).toEqual([
          expect.objectContaining({ name: 'bar-buyer-minutes', module: 'bar-buyer-minutes.ts', role: 'live' }),
        ]);
        // The warm-up: read from the venue's minute bars, and done with them (two bars of two).
        const hydration = of('StrategyHydration');
        expect(hydration[0]!.event).toMatchObject({
          symbol: 'AAPL',
          state: 'hydrating',
          have: 0,
          need: 2,
          detail: 'reading history: alpaca-equities 1-minute bars',
        });
        const hydrated = hydration.find((e) => e.event.state === 'hydrated')!;
        expect(hydrated.event).toMatchObject({ have: 2, need: 2, unit: 'bars', detail: 'history' });
        // The signal on the first history bar was refused (not warm yet); none reached the node before
        // the warm-up was done.
        const refused = of('StrategyOutputRefused');
        expect(refused[0]!.event).toMatchObject({ output: 'signal', reason: 'not warm yet: AAPL has 1 of 2 bars' });
        expect(refused[0]!.seq).toBeLessThan(hydrated.seq);
        const received = of('SignalReceived');
        expect(received).toHaveLength(1);
        for (const r of received) expect(r.seq).toBeGreaterThan(hydrated.seq);
        // ...and after it, sent only once the account's baseline was read (the startup gate).
        const baseline = of('AccountBaseline')[0]!;
        expect(received[0]!.seq).toBeGreaterThan(baseline.seq);
        // The signal: a limit at the last history bar's close (187.60), filled at the venue.
        expect(of('SignalAccepted')).toHaveLength(1);
        const parent = of('ParentOrderCreated')[0]!.event;
        expect(parent).toMatchObject({ symbol: 'AAPL', side: 'buy', qty: 1, type: 'limit', limitPrice: 18_760 });
        expect(report.parents[0]).toMatchObject({ status: 'filled' });
        const atVenue = gw.orders.orders().map((r) => gw.orders.orderJson(r));
        expect(atVenue).toHaveLength(1);
        expect(atVenue[0]).toMatchObject({ side: 'buy', limit_price: '187.6', filled_qty: '1' });
        // The strategy traded until the horizon (PT4S), then the run ended.
        const row = s.getRun(report.runId)!;
        expect(row.sim_end! - row.sim_start).toBeGreaterThanOrEqual(4_000);
      }),
    );

    it.sequential(
      'on Binance, warms up on the gateway’s 1m klines the same way',
      { timeout: 30_000 },
      scoped(async () => {
        const gw = await binanceGateway();
        tradedBefore(gw.feed, [
          [6_500_000, 100],
          [6_500_100, 200],
        ]);
        const s = store();
        const report = await runPaper(
          loadAnyScenarioFile('test/fixtures/paper/strategy-btcusdt.yaml'),
          binancePaperOptions(gw.url, s, { apiKey: API_KEY, secret: API_SECRET }),
        );
        const of = ofKind([...s.entries(report.runId)]);
        expect(of('StrategyHydration')[0]!.event.detail).toBe('reading history: binance-spot 1-minute bars');
        const hydrated = of('StrategyHydration').find((e) => e.event.state === 'hydrated')!;
        expect(hydrated.event).toMatchObject({ symbol: 'BTCUSDT', have: 2, need: 2, detail: 'history' });
        for (const r of of('SignalReceived')) expect(r.seq).toBeGreaterThan(hydrated.seq);
        // A limit at the last kline's close (65,001.00), filled at the ask.
        expect(of('ParentOrderCreated')[0]!.event).toMatchObject({ qty: 100, limitPrice: 6_500_100 });
        expect(report.parents[0]).toMatchObject({ status: 'filled', filledQty: '0.001' });
      }),
    );

    it.sequential(
      'resumed after a stop, it starts a fresh instance that warms up again',
      { timeout: 30_000 },
      scoped(async () => {
        const gw = await gateway();
        const s = store();
        const options = paperOptions(gw.url, s, { id: KEY, secret: SECRET });
        const id = await interruptedPaperRun(
          loadAnyScenarioFile(FILE),
          options,
          (e) => e.event.kind === 'StrategyHydration' && e.event.state === 'hydrated',
        );
        // The stored scenario names the module where it is: a resume has no file to resolve it from.
        const stored = JSON.parse(s.scenarioJson(id)) as { strategy: { module: string } };
        expect(stored.strategy.module).toBe(path.resolve('test/fixtures/paper/bar-buyer-minutes.ts'));

        const report = await resumePaper(id, options);
        expect(s.getRun(id)).toMatchObject({ status: 'finished' });
        const entries = [...s.entries(id)];
        const of = ofKind(entries);
        const restarted = of('ProcessRestarted')[0]!;
        const life = (seq: number): number => (seq > restarted.seq ? 2 : 1);
        expect(of('StrategyStarted')).toHaveLength(2);
        expect(of('StrategyStarted')[1]!.seq).toBeGreaterThan(restarted.seq);
        const hydrated = of('StrategyHydration').filter((e) => e.event.state === 'hydrated');
        expect(hydrated).toHaveLength(2);
        expect(hydrated[1]!.seq).toBeGreaterThan(restarted.seq);
        // The fresh instance signals again once warm (the startup gate may refuse it, as any input's);
        // every signal the node saw came after a warm-up in its own process.
        expect(of('SignalReceived').filter((r) => r.seq > restarted.seq).length).toBeGreaterThan(0);
        for (const r of of('SignalReceived'))
          expect(hydrated.some((h) => h.seq < r.seq && life(h.seq) === life(r.seq))).toBe(true);
        expect(report.parents.length).toBeGreaterThanOrEqual(1);
      }),
    );
  });
  it(
    'killed with SIGKILL as its order reaches the venue, `execsim resume` finishes with a fresh, warmed-up instance',
    {
      timeout: 90_000,
    },
    scoped(async () => {
      let reached: () => void = () => {};
      const submitted = new Promise<void>((resolve) => (reached = resolve));
      const round = await ALPACA.start({ onSubmit: () => reached(), onFill: () => {} });
      onCleanup(() => round.close());
      tradedBefore(round.feed);
      const db = path.join(dir, 'sigkill.db');
      const common = ['--venue-url', round.url, '--market-hours', 'always', '--db', db, '--json'];
      // Fourteen seconds to trade: the resumed process (a new node process, started a second or
      // two in on an idle machine) starts well before the horizon, where its strategy would be
      // stopped at once.
      const file = path.join(dir, 'strategy-aapl-14s.yaml');
      const module = path.resolve('test/fixtures/paper/bar-buyer-minutes.ts');
      writeFileSync(
        file,
        readFileSync(FILE, 'utf8')
          .replace('duration: PT4S', 'duration: PT14S')
          .replace('module: bar-buyer-minutes.ts', `module: ${module}`),
      );

      const first = child(['run', file, ...common], ALPACA.env);
      await Promise.race([submitted, first.exited]);
      first.kill();
      expect((await first.exited).signal, 'killed as its order reached the venue').toBe('SIGKILL');
      const read = new Database(db, { readonly: true, fileMustExist: true });
      const id = (read.prepare('SELECT id FROM runs').get() as { id: string }).id;
      read.close();

      const resumed = child(['resume', id, ...common], ALPACA.env);
      const done = await resumed.exited;
      expect(done.code, done.err).toBe(0);
      const s = store(db);
      expect(s.getRun(id)).toMatchObject({ status: 'finished' });
      const of = ofKind([...s.entries(id)]);
      const restarted = of('ProcessRestarted')[0]!;
      const life = (seq: number): number => (seq > restarted.seq ? 2 : 1);
      const runStart = of('RunStarted')[0]!.time;
      expect(restarted.time - runStart, 'the resume started before the horizon').toBeLessThan(12_000);
      const starts = of('StrategyStarted');
      expect(starts).toHaveLength(2);
      expect(starts[1]!.seq).toBeGreaterThan(restarted.seq);
      expect(starts[1]!.event.codeHash).toBe(starts[0]!.event.codeHash);
      const hydrated = of('StrategyHydration').filter((e) => e.event.state === 'hydrated');
      expect(hydrated.map((h) => [h.seq > restarted.seq, h.event.detail])).toEqual([
        [false, 'history'],
        [true, 'history'],
      ]);
      for (const r of of('SignalReceived'))
        expect(hydrated.some((h) => h.seq < r.seq && life(h.seq) === life(r.seq))).toBe(true);
      // The order the kill interrupted was looked up (filled), not sent again; every order at the
      // venue is one of the run's parents, and none is left open (the horizon cancels what rests).
      const atVenue = await round.orders();
      expect(atVenue.length).toBe(of('ParentOrderCreated').length);
      const first0 = of('OrderCreated')[0]!.event.clientOrderId;
      expect(of('SubmitOrder').filter((e) => e.event.clientOrderId === first0)).toHaveLength(1);
      expect(atVenue[0]).toMatchObject({ wireId: `${id}-${first0}`, status: 'filled', filled: 1 });
      for (const o of atVenue) expect(o.open).toBe(false);
    }),
  );
});
