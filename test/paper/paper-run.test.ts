// Paper runs against the local Alpaca gateway over real loopback sockets: the Alpaca adapter on
// the official SDK, the serial inbox committing each unit, the store. And the switch's bad input:
// missing keys, a venue that cannot be reached or refuses the keys, a venue without a paper
// adapter, flags that only mean something for one mode. Every wait is a bounded condition.
import { storedRows } from '../support/stored-log.ts';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, runCli, type Io } from '../../src/cli/main.ts';
import { type AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { AlpacaAdapter } from '../../src/live/alpaca/alpaca-adapter.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { ALPACA_EQUITIES } from '../../src/core/venues/alpaca-equities.ts';
import { ALWAYS_OPEN } from '../../src/core/venues/index.ts';
import { WallClock } from '../../src/live/wall-clock.ts';
import {
  marketHoursWarning,
  resumePaper,
  runPaper,
  VenueUnavailable,
  type PaperOptions,
} from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { paperWarnings } from '../../src/scenario/paper-mode.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { onCleanup, scoped, waitFor } from '../support/gateway-harness.ts';
import { alpacaPaperGateway, interruptedPaperRun, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-test-key-id';
const SECRET = 'paper-test-secret-value';
const MARKET = 'test/fixtures/gateway/alpaca-aapl.yaml';
const TWAP = 'test/fixtures/paper/twap-aapl.yaml';
/** The same TWAP over 6 s: a run stopped and resumed has the time to catch up (its file says). */
const TWAP_TO_RESUME = 'test/fixtures/paper/twap-aapl-resume.yaml';
const scratch = scratchStores('execsim-paper-');
const dir = scratch.dir;

const gateway = (): Promise<AlpacaGateway> => alpacaPaperGateway(MARKET, { id: KEY, secret: SECRET });

/** A fresh store in the scratch folder, and its file. */
function store(): { store: RunStore; file: string } {
  const s = scratch.store();
  return { store: s, file: s.db.name };
}

function options(gw: { url: string }, s: RunStore, keys = { id: KEY, secret: SECRET }): PaperOptions {
  return paperOptions(gw.url, s, keys);
}

/** Runs a TWAP (`file`, else TWAP) on paper and stops it with SIGINT at the first logged entry
 *  `stopAt` accepts; the run must end RunInterrupted. Returns the run's id. */
function interruptedAt(
  gw: { url: string },
  s: RunStore,
  stopAt: (e: LogEntry) => boolean,
  file = TWAP,
): Promise<string> {
  return interruptedPaperRun(loadScenarioFile(file), options(gw, s), stopAt);
}

function io(env: Record<string, string | undefined> = {}): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { out: (t) => outs.push(t), err: (t) => errs.push(t), env, outs, errs };
}

describe.concurrent('a paper run against the local Alpaca gateway', () => {
  it(
    'trades the TWAP, reconciles before sending, and stores fills equal to the venue',
    scoped(async () => {
      const gw = await gateway();
      const { store: s } = store();
      const report = await runPaper(loadScenarioFile(TWAP), options(gw, s));

      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);

      expect(report.passed).toBe(true);
      expect(report.parents[0]).toMatchObject({ status: 'filled' });
      expect(report.duplicateOrders).toEqual([]);
      const row = s.getRun(report.runId)!;
      expect(row).toMatchObject({ status: 'finished', mode: 'paper' });
      const entries = [...s.entries(report.runId)];
      const kinds = entries.map((e) => e.event.kind);
      // The startup pass read the account (100,000 cash: the baseline) before the first send.
      const firstSubmit = kinds.indexOf('SubmitOrder');
      expect(kinds.indexOf('AccountBaseline')).toBeGreaterThan(-1);
      expect(kinds.indexOf('ReconciliationCompleted')).toBeLessThan(firstSubmit);
      expect(kinds.indexOf('AccountBaseline')).toBeLessThan(firstSubmit);
      // Times come from the wall clock and never go back.
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.time).toBeGreaterThanOrEqual(entries[i - 1]!.time);
      // Every order the gateway holds is one of ours, filled as the store says.
      const atVenue = gw.orders.orders().map((r) => gw.orders.orderJson(r));
      expect(atVenue).toHaveLength(6);
      const stored = s.db
        .prepare(
          'SELECT client_order_id AS id, filled_qty AS filled FROM orders WHERE run_id = ? AND slice_num IS NOT NULL',
        )
        .all(report.runId) as Array<{ id: string; filled: string }>;
      // At the venue our ids carry the run's id: two runs of this scenario today would share them.
      for (const o of atVenue) expect(String(o.client_order_id).startsWith(`${report.runId}-`)).toBe(true);
      const venueFilled = Object.fromEntries(
        atVenue.map((o) => [String(o.client_order_id).slice(report.runId.length + 1), Number(o.filled_qty)]),
      );
      expect(Object.fromEntries(stored.map((o) => [o.id, Number(o.filled)]))).toEqual(venueFilled);
      // Its P&L: the position the TWAP bought, marked at the venue's book as the process ended; the
      // fees are its parent's, and net is what it is made of.
      const [pnl] = report.pnl.symbols;
      expect(pnl).toMatchObject({ symbol: 'AAPL', position: report.parents[0]?.filledQty });
      expect(pnl?.markSource).toBe('end');
      expect(Number(pnl?.avgCost)).toBeCloseTo(Number(report.parents[0]?.avgPrice), 4);
      expect(report.pnl.total.fees).toBe(report.parents[0]?.fees);
      const t = report.pnl.total;
      expect(Number(t.net)).toBeCloseTo(Number(t.realized) + Number(t.unrealized) - Number(t.fees), 9);
      expect(Number(t.turnover)).toBeGreaterThan(0);
      // The same scenario again on the same account: its orders are its own, nothing is refused as
      // a duplicate of the first run's.
      const again = await runPaper(loadScenarioFile(TWAP), options(gw, s));
      expect(again.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(again.passed).toBe(true);
      expect(gw.orders.orders()).toHaveLength(12);
      // The keys reach nothing stored.
      const dump = JSON.stringify(storedRows(s.db)) + JSON.stringify(row);
      expect(dump).not.toContain(KEY);
      expect(dump).not.toContain(SECRET);
    }),
  );

  it(
    'stopped before it took the account baseline, its resume takes it: held shares are no discrepancy',
    scoped(async () => {
      const gw = await gateway();
      const { store: s } = store();
      // Shares held before the run: an earlier run's.
      expect((await runPaper(loadScenarioFile(TWAP), options(gw, s))).passed).toBe(true);
      const id = await interruptedAt(gw, s, (e) => e.event.kind === 'RunStarted');
      const before = [...s.entries(id)].map((e) => e.event.kind);
      expect(before).not.toContain('AccountBaseline');
      expect(before).not.toContain('SubmitOrder');

      const report = await resumePaper(id, options(gw, s));
      // (Its order, due while it was down, is refused by the resume, not sent late.)
      expect(report.expectations.find((e) => e.name === 'noDiscrepancies')).toMatchObject({ pass: true });
      const kinds = [...s.entries(id)].map((e) => e.event.kind);
      expect(kinds.filter((k) => k === 'AccountBaseline')).toHaveLength(1);
      expect(kinds).not.toContain('PositionCorrected');
      expect(kinds).not.toContain('ReconciliationMismatch');
    }),
  );

  it(
    'stopped by a signal, it is stored as interrupted and resume finishes it without a second order per slice',
    scoped(async () => {
      const gw = await gateway();
      const { store: s } = store();
      let submits = 0;
      const id = await interruptedAt(gw, s, (e) => e.event.kind === 'SubmitOrder' && ++submits === 2, TWAP_TO_RESUME);
      expect(s.getRun(id)).toMatchObject({ status: 'interrupted' });

      const report = await resumePaper(id, options(gw, s));
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.passed).toBe(true);
      expect(s.getRun(id)).toMatchObject({ status: 'finished' });
      const kinds = [...s.entries(id)].map((e) => e.event.kind);
      expect(kinds.filter((k) => k === 'ProcessRestarted')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'AccountBaseline')).toHaveLength(1); // the resumed process takes none
      const cids = gw.orders.orders().map((r) => r.clientOrderId);
      expect(new Set(cids).size).toBe(cids.length);
      const filled = gw.orders.orders().reduce((sum, r) => sum + Number(gw.orders.orderJson(r).filled_qty), 0);
      expect(filled).toBe(60);
      // The stored parent row counts the children filled before the stop too (the resumed run's
      // writer starts from the stored log, not from nothing).
      const parentRow = s.db
        .prepare('SELECT filled_qty AS filled FROM orders WHERE run_id = ? AND slice_num IS NULL')
        .get(id) as { filled: string };
      expect(Number(parentRow.filled)).toBe(60);
    }),
  );

  it(
    'stopped before its order reached the engine, resume names that order as refused instead of dropping it',
    scoped(async () => {
      const gw = await gateway();
      const { store: s } = store();
      // Stopped at the first thing it logs: the order waits behind the startup gate then.
      const id = await interruptedAt(gw, s, () => true);
      const before = [...s.entries(id)].map((e) => e.event.kind);
      expect(before).not.toContain('ParentOrderCreated');

      const report = await resumePaper(id, options(gw, s));
      const restarted = [...s.entries(id)].find((e) => e.event.kind === 'ProcessRestarted');
      expect(restarted?.event).toMatchObject({ refusedInputs: [expect.stringMatching(/^order /)] });
      expect(report.reconciliation.refusedInputs).toBe(1);
      expect(gw.orders.orders()).toHaveLength(0);
    }),
  );

  it(
    "a market order due at the start waits for the venue's first top of book instead of being refused without a price",
    scoped(async () => {
      const gw = await gateway();
      const { store: s } = store();
      // A venue whose book arrives a moment after its execution stream is up (Binance's is synced
      // from a depth snapshot and the diff stream): hidden until 400 ms after that report.
      const hideMs = 400;
      let shownAt = Infinity;
      class LateBook extends AlpacaAdapter {
        override setReportHandler(handler: Parameters<AlpacaAdapter['setReportHandler']>[0]): void {
          super.setReportHandler((m) => {
            if (
              m.kind === 'ConnectionReport' &&
              m.stream === 'orders' &&
              m.state === 'connected' &&
              shownAt === Infinity
            )
              shownAt = Date.now() + hideMs;
            handler(m);
          });
        }
        override topOfBook(symbol: Parameters<AlpacaAdapter['topOfBook']>[0]) {
          return Date.now() < shownAt ? { bid: null, bidQty: 0, ask: null, askQty: 0 } : super.topOfBook(symbol);
        }
      }
      const base = options(gw, s);
      const report = await runPaper(loadScenarioFile(TWAP), {
        ...base,
        venue: (instrument, clock, runId) =>
          new LateBook({
            clientIdNamespace: runId,
            instrument,
            keyId: KEY,
            secret: SECRET,
            baseUrl: gw.url,
            clock,
            requestTimeoutMs: 3_000,
            reconnectInitialMs: 20,
            marketData: { stream: false },
          }),
      });
      expect(report.rejectedParents).toEqual([]);
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.passed).toBe(true);
      const first = [...s.entries(report.runId)].find((e) => e.event.kind === 'SubmitOrder');
      expect(first?.time).toBeGreaterThanOrEqual(shownAt);
    }),
  );

  it(
    'a venue that cannot be reached, or that refuses the keys, stores nothing and says which',
    scoped(async () => {
      const gw = await gateway();
      const { store: s } = store();
      const dead = { url: 'http://127.0.0.1:9' }; // discard port: connection refused
      const unreachable = await runPaper(loadScenarioFile(TWAP), options(dead, s)).catch((e: unknown) => e);
      expect(unreachable).toBeInstanceOf(VenueUnavailable);
      expect((unreachable as Error).message).toMatch(/^cannot reach the venue at http:\/\/127\.0\.0\.1:9: /);
      const refused = await runPaper(
        loadScenarioFile(TWAP),
        options(gw, s, { id: 'wrong-key', secret: 'wrong-secret' }),
      ).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(VenueUnavailable);
      expect((refused as Error).message).toContain('APCA_API_KEY_ID and APCA_API_SECRET_KEY');
      expect((refused as Error).message).not.toContain('wrong-secret');
      expect(s.listRuns()).toEqual([]);
      expect(gw.orders.orders()).toEqual([]);
    }),
  );
});

describe("the venue's market clock against the run's trading hours", () => {
  const sunday = Date.UTC(2026, 10, 22, 15, 0); // NYSE closed
  const tuesday = Date.UTC(2026, 10, 24, 16, 0); // 11:00 New York: open
  it('warns when they disagree, either way, and says nothing when they agree', () => {
    const nyse = ALPACA_EQUITIES.hours;
    expect(marketHoursWarning({ isOpen: true, nextOpen: null, nextClose: null }, nyse, sunday)).toMatch(
      /the venue says its market is open, but the run's trading hours say closed.*--market-hours always/,
    );
    expect(marketHoursWarning({ isOpen: false, nextOpen: tuesday, nextClose: null }, ALWAYS_OPEN, sunday)).toBe(
      `the venue says its market is closed until ${new Date(tuesday).toISOString()}, but the run's trading hours say open: orders sent now may be refused or held by the venue`,
    );
    expect(marketHoursWarning({ isOpen: false, nextOpen: null, nextClose: null }, nyse, sunday)).toBeNull();
    expect(marketHoursWarning({ isOpen: true, nextOpen: null, nextClose: null }, nyse, tuesday)).toBeNull();
  });

  it("the adapter reads the gateway's clock: always open", async () => {
    const gw = await gateway();
    const adapter = new AlpacaAdapter({
      instrument: makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' }),
      keyId: KEY,
      secret: SECRET,
      baseUrl: gw.url,
      clock: new WallClock(),
      marketData: { stream: false },
    });
    onCleanup(() => adapter.stop());
    expect(await adapter.marketClock()).toMatchObject({ isOpen: true });
  });
});

describe('claimRun: who may continue a stored run', () => {
  it("refuses a run its writer still writes, a finished one, a backtest and an unknown one; takes over a dead writer's run", async () => {
    const { store: s, file } = store();
    const make = (id: string, mode: 'paper' | 'backtest' = 'paper') =>
      s.createRun({
        id,
        scenarioName: 'x',
        scenarioHash: 'h',
        scenarioJson: '{}',
        seed: 1,
        codeVersion: 'v',
        startedAt: new Date().toISOString(),
        simStart: 0,
        mode,
      });
    // In the words `execsim resume` uses, the database named by its path; nothing changes.
    expect(() => s.claimRun('nope')).toThrow(`no run "nope" in ${file} (execsim runs lists them)`);
    make('bt', 'backtest');
    s.db.prepare('UPDATE runs SET writer_pid = ? WHERE id = ?').run(2 ** 22 + 12345, 'bt');
    expect(() => s.claimRun('bt')).toThrow(/^run bt is a backtest, not a paper run: only paper runs are resumed/);
    expect(s.getRun('bt')).toMatchObject({ status: 'running', writer_pid: 2 ** 22 + 12345 });
    // resumePaper refuses it in the same words before it connects to any venue (none is running).
    await expect(resumePaper('bt', options({ url: 'http://127.0.0.1:9' }, s))).rejects.toThrow(
      /^run bt is a backtest, not a paper run/,
    );
    make('live');
    expect(() => s.claimRun('live')).toThrow(/still being written by process \d+/);
    // The same row with a writer pid that is not alive here: crashed, so it can be taken over.
    make('dead');
    s.db.prepare('UPDATE runs SET writer_pid = ? WHERE id = ?').run(2 ** 22 + 12345, 'dead');
    expect(s.claimRun('dead')).toMatchObject({ status: 'running', writer_pid: process.pid });
    expect(() => s.claimRun('dead')).toThrow(/still being written/); // now ours
    s.db.prepare(`UPDATE runs SET status = 'finished' WHERE id = ?`).run('live');
    expect(() => s.claimRun('live')).toThrow(/is finished: only a run whose process died or was stopped/);
    await expect(resumePaper('live', options({ url: 'http://127.0.0.1:9' }, s))).rejects.toThrow(
      /^run live is finished: only a run whose process died or was stopped/,
    );
  });
});

describe('the switch on the command line', () => {
  const keys = { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET };

  it('missing keys exit 2 naming the variables, and nothing is stored', () => {
    const db = path.join(dir, 'nokeys.db');
    const x = io({ EXECSIM_DB: db });
    expect(main(['run', TWAP], x)).toBe(2);
    expect(x.errs.join('\n')).toContain('APCA_API_KEY_ID and APCA_API_SECRET_KEY');
    const y = io({ EXECSIM_DB: db, APCA_API_KEY_ID: KEY });
    expect(main(['run', TWAP, '--mode', 'paper'], y)).toBe(2);
    expect(y.errs.join('\n')).toMatch(/needs APCA_API_SECRET_KEY in the environment/);
    expect(existsSync(db)).toBe(false);
  });

  it("refuses a paper run without its venue's keys, a bad mode, and flags for the other mode", () => {
    const db = path.join(dir, 'refusals.db');
    const cases: Array<[string[], RegExp]> = [
      [['run', 'scenarios/twap-calm.yaml', '--mode', 'paper'], /needs BINANCE_API_KEY and BINANCE_API_SECRET/],
      [['run', TWAP, '--mode', 'live'], /--mode must be backtest or paper, got "live"/],
      [['run', 'scenarios/twap-calm.yaml', '--venue-url', 'http://127.0.0.1:1'], /--venue-url is for paper runs/],
      [['run', TWAP, '--seed', '3'], /--seed is for backtests/],
      [['run', TWAP, '--venue-url', 'ftp://x'], /--venue-url must be an http\(s\) URL/],
      [['run', TWAP, '--market-hours', 'never'], /--market-hours must be venue or always/],
    ];
    for (const [args, message] of cases) {
      const x = io({ EXECSIM_DB: db, ...keys });
      expect(main(args, x), args.join(' ')).toBe(2);
      expect(x.errs.join('\n'), args.join(' ')).toMatch(message);
    }
    expect(existsSync(db)).toBe(false);
  });

  it('the same file runs as a backtest with --mode backtest', () => {
    const x = io({ EXECSIM_DB: path.join(dir, 'backtest.db') });
    expect(main(['run', TWAP, '--mode', 'backtest'], x)).toBe(0);
    expect(x.outs.join('\n')).toMatch(/PASS {2}paper-twap-aapl/);
  });

  it('a paper run names every section it ignores, once', () => {
    const named = (file: string) => paperWarnings(loadScenarioFile(file).scenario).map((w) => w.split(' ')[0]);
    expect(named('scenarios/restart-orphan-at-startup.yaml')).toEqual([
      'market',
      'start',
      'restarts',
      'externalOrders',
      'venue.latency',
    ]);
    expect(named('scenarios/fill-detection-faults.yaml')).toEqual(['market', 'start', 'faults', 'venue.latency']);
    expect(paperWarnings(loadScenarioFile('scenarios/fill-detection-faults.yaml').scenario).at(-1)).toMatch(
      /^venue\.latency and fees are ignored in a paper run/,
    );
    // The simulated venue's settings at their defaults (the file states none): nothing to hear about.
    expect(named(TWAP)).toEqual(['market', 'start']);
  });

  it('stopped by a signal, it says the resume command with the database, venue and hours it ran with', async () => {
    const gw = await gateway();
    const db = path.join(dir, 'hint dir', 'hint.db');
    const x = io(keys);
    // The signal as the terminal sends it, once the run's first order reached the venue.
    const y: Io = {
      ...x,
      onInterrupt: (handler) => {
        void waitFor(() => gw.orders.orders().length > 0).then(() => handler('SIGINT'));
        return () => {};
      },
    };
    const args = ['run', TWAP, '--venue-url', gw.url, '--market-hours', 'always', '--db', db];
    expect(await runCli(args, y)).toBe(130);
    const line = x.errs.find((l) => / interrupted: /.test(l)) ?? '';
    const id = /paper run (\S+) interrupted/.exec(line)?.[1] as string;
    expect(line).toBe(
      `execsim: paper run ${id} interrupted: SIGINT; continue it with execsim resume ${id} ` +
        `--db '${path.resolve(db)}' --venue-url ${gw.url} --market-hours always`,
    );
    // The run list says the same command: the run stored its venue URL and market hours.
    const listed = io();
    expect(await runCli(['runs', '--db', db], listed)).toBe(0);
    expect(listed.outs.join('\n')).toContain(`run ${id} is interrupted; continue it with ${line.split(' with ')[1]}`);
    // As printed, the command finishes it.
    expect(
      await runCli(
        ['resume', id, '--db', path.resolve(db), '--venue-url', gw.url, '--market-hours', 'always'],
        io(keys),
      ),
    ).toBe(0);
  });

  it('an unreachable venue is one clear message and exit 2; resume refuses what it cannot continue', async () => {
    const db = path.join(dir, 'resume.db');
    const x = io({ EXECSIM_DB: db, ...keys });
    expect(await runCli(['run', TWAP, '--venue-url', 'http://127.0.0.1:9', '--market-hours', 'always'], x)).toBe(2);
    expect(x.errs.at(-1)).toMatch(/^execsim: cannot reach the venue at http:\/\/127\.0\.0\.1:9: /);
    // It stored nothing, so it leaves no database it made, nor the folders it made for it.
    expect(existsSync(db)).toBe(false);
    const nested = path.join(dir, 'made', 'for', 'it.db');
    expect(await runCli(['run', TWAP, '--venue-url', 'http://127.0.0.1:9', '--db', nested], io(keys))).toBe(2);
    expect(existsSync(path.join(dir, 'made'))).toBe(false);
    // A database that was there already stays, with what it held.
    expect(main(['run', TWAP, '--mode', 'backtest'], io({ EXECSIM_DB: db }))).toBe(0);
    expect(await runCli(['run', TWAP, '--venue-url', 'http://127.0.0.1:9', '--market-hours', 'always'], x)).toBe(2);
    // A backtest of a scenario on a venue with a paper adapter: made a paper run below, it can be resumed.
    const runs = new Database(db, { readonly: true }).prepare('SELECT id, mode FROM runs').all() as Array<{
      id: string;
      mode: string;
    }>;
    expect(runs).toEqual([expect.objectContaining({ mode: 'backtest' })]); // the refused paper run left no row
    const gw = await gateway();
    // The run is checked before the keys and before anything is said of resuming it: one message
    // for an unknown id or a backtest, with or without keys.
    const cases: Array<[string, string]> = [
      [
        runs[0]!.id,
        `execsim: run ${runs[0]!.id} is a backtest, not a paper run: only paper runs are resumed (a backtest is reproducible: run its scenario again with execsim run)`,
      ],
      ['run-nope', `execsim: no run "run-nope" in ${db} (execsim runs lists them)`],
    ];
    for (const [id, message] of cases)
      for (const env of [keys, {}]) {
        const y = io({ EXECSIM_DB: db, ...env });
        expect(await runCli(['resume', id, '--venue-url', gw.url], y)).toBe(2);
        expect(y.errs).toEqual([message]);
      }
    // A paper run that can be resumed: only now are the keys asked for, still before "resuming".
    const paper = new Database(db);
    paper.prepare("UPDATE runs SET mode = 'paper', status = 'interrupted' WHERE id = ?").run(runs[0]!.id);
    paper.close();
    const z = io({ EXECSIM_DB: db });
    expect(await runCli(['resume', runs[0]!.id], z)).toBe(2);
    expect(z.errs[0]).toContain('APCA_API_KEY_ID and APCA_API_SECRET_KEY');
    expect(z.errs.join('\n')).not.toContain('resuming');
  });
});
