// The bundled paper runs and where they live. `npm start` runs `execsim run scenarios`: the
// folder's own files, every one a backtest, so it works on a fresh clone with no venue and no
// keys; the paper runs in scenarios/paper/ (and the venue behind them, scenarios/gateway/) sit in
// folders beside them, which a directory run does not read. A paper-only file states no start and
// no market: it runs on paper (and resumes from the store), and anything that would simulate it
// (a backtest, the gateway) refuses it naming both fields. The printed commands that run them
// against the local gateway are the README's and docs/guide/paper-trading.md's (readme.test.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatReport } from '../src/cli/format-report.ts';
import { startGateway } from '../src/cli/gateway-command.ts';
import { main, type Io } from '../src/cli/main.ts';
import { startAlpacaGateway } from '../src/gateway/alpaca/alpaca-gateway.ts';
import { ProblemError } from '../src/server/problem.ts';
import { loadScenarioText } from '../src/server/scenario-request.ts';
import { PaperInterrupted, resumePaper, runPaper } from '../src/runtime/paper-run.ts';
import { loadAnyScenarioFile, loadScenarioFile, ScenarioError } from '../src/scenario/load-scenario.ts';
import { paperWarnings } from '../src/scenario/paper-mode.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';
import { onCleanup } from './support/gateway-harness.ts';
import { paperOptions } from './support/paper-options.ts';

const KEY = 'paper-scenarios-key';
const SECRET = 'paper-scenarios-secret';
const VENUE = 'scenarios/gateway/aapl.yaml';
const PAPER = readdirSync('scenarios/paper')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `scenarios/paper/${f}`);
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-paper-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: Record<string, string> = {}): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { out: (t) => void outs.push(t), err: (t) => void errs.push(t), env, outs, errs };
}

const problemLines = (err: unknown): string[] => {
  expect(err).toBeInstanceOf(ScenarioError);
  return (err as ScenarioError).message.split('\n');
};

describe('the bundled scenarios folder', () => {
  it('execsim run scenarios runs its own files, all backtests, with no venue and no keys', () => {
    const own = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
    for (const f of own) expect(loadAnyScenarioFile(`scenarios/${f}`).scenario.mode, f).toBe('backtest');
    const x = io();
    expect(main(['run', 'scenarios', '--no-store', '--json'], x)).toBe(0);
    const names = x.outs.map((l) => (JSON.parse(l) as { scenario: string }).scenario);
    expect(names.sort()).toEqual(own.map((f) => loadScenarioFile(`scenarios/${f}`).scenario.name).sort());
    expect(x.errs).toEqual([]);
  });

  it('scenarios/paper holds paper runs only: mode paper, an Alpaca venue, no start and no market', () => {
    expect(PAPER.length).toBeGreaterThanOrEqual(2);
    for (const f of PAPER) {
      const s = loadAnyScenarioFile(f).scenario;
      expect(s, f).toMatchObject({ mode: 'paper', venue: { name: 'alpaca-equities' } });
      expect(s.start, f).toBeUndefined();
      expect(s.market, f).toBeUndefined();
      // Nothing in them is ignored on paper, so a paper run of them warns of nothing.
      expect(paperWarnings(s), f).toEqual([]);
    }
  });

  it('run as a directory, scenarios/paper needs a venue: without keys, exit 2 naming them, nothing stored', () => {
    const db = path.join(dir, 'no-keys.db');
    const x = io({ EXECSIM_DB: db });
    expect(main(['run', 'scenarios/paper'], x)).toBe(2);
    expect(x.errs.join('\n')).toMatch(/a paper run needs APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment/);
    expect(existsSync(db)).toBe(false);
  });
});

describe('a paper-only file', () => {
  it('run as a backtest is refused, one line for each field it leaves out, nothing written', () => {
    const db = path.join(dir, 'as-backtest.db');
    const x = io({ EXECSIM_DB: db });
    expect(main(['run', ...PAPER, '--mode', 'backtest'], x)).toBe(2);
    const lines = x.errs.join('\n').split('\n');
    for (const f of PAPER)
      for (const field of ['start', 'market'])
        expect(
          lines.filter((l) => l.startsWith(`execsim: ${f}: ${field}: is required to simulate the venue`)),
          `${f} ${field}`,
        ).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/only a paper run \(mode: paper\) may leave it out/);
    expect(existsSync(db)).toBe(false);
  });

  it('written as a backtest, the same gaps are the same message', () => {
    expect(() => loadScenarioFile(PAPER[0] as string)).toThrow(ScenarioError);
    let thrown: unknown;
    try {
      loadScenarioFile(PAPER[0] as string);
    } catch (err) {
      thrown = err;
    }
    expect(problemLines(thrown).map((l) => l.split(': ')[1])).toEqual(['start', 'market']);
  });

  it('behind the gateway is refused naming both fields', async () => {
    const err = await startGateway(
      ['alpaca', '--scenario', PAPER[0] as string, '--port', '0'],
      io({ APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET }),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(problemLines(err).map((l) => l.split(': ')[1])).toEqual(['start', 'market']);
  });

  it('sent to the server to run is a 422 naming both fields', () => {
    let thrown: unknown;
    try {
      loadScenarioText(readFileSync(PAPER[0] as string, 'utf8'), 'scenarios');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).status).toBe(422);
    expect((thrown as ProblemError).errors?.map((e) => e.path)).toEqual(['start', 'market']);
  });

  it('runs on paper, and a run of it stopped part-way is resumed from the store', async () => {
    const gw = await startAlpacaGateway({ scenarioFile: VENUE, keyId: KEY, secretKey: SECRET, port: 0 });
    onCleanup(() => gw.close());
    const store = new RunStore(openDatabase(path.join(dir, 'resume.db')));
    onCleanup(() => void store.db.close());
    const options = paperOptions(gw.url, store, { id: KEY, secret: SECRET });
    const twap = loadAnyScenarioFile('scenarios/paper/twap-aapl.yaml');
    const stop = new AbortController();
    let submits = 0;
    const err = await runPaper(twap, {
      ...options,
      signal: stop.signal,
      onEntry: (e) => {
        if (e.event.kind === 'SubmitOrder' && ++submits === 2) stop.abort('SIGINT');
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PaperInterrupted);
    const id = (err as PaperInterrupted).runId;
    // The stored scenario has no start and no market either: resume reads it as a paper run.
    expect(JSON.parse(store.scenarioJson(id))).not.toHaveProperty('market');
    const report = await resumePaper(id, options);
    expect(report.passed).toBe(true);
    expect(report.parents[0]).toMatchObject({ id: 'twap-buy', filledQty: '60', status: 'filled' });
    expect(report.duplicateOrders).toEqual([]);
  });

  it('ends once every order is verified: the cancelled limit is not left watched', async () => {
    const gw = await startAlpacaGateway({ scenarioFile: VENUE, keyId: KEY, secretKey: SECRET, port: 0 });
    onCleanup(() => gw.close());
    const store = new RunStore(openDatabase(path.join(dir, 'limit-and-cancel.db')));
    onCleanup(() => void store.db.close());
    const options = paperOptions(gw.url, store, { id: KEY, secret: SECRET });
    const report = await runPaper(loadAnyScenarioFile('scenarios/paper/limit-and-cancel-aapl.yaml'), options);
    expect(report.passed).toBe(true);
    // The cancel is answered before the venue says how much of the order filled: the run goes on
    // until a lookup or the stream has said it (it used to end with "1 still watched").
    expect(report.fillDetection).toMatchObject({ ordersMonitored: 2, ordersStillWatched: 0 });
    expect(report.parents.find((p) => p.id === 'resting-bid')).toMatchObject({ filledQty: '0' });
    // As text: its time is the wall clock's, not simulated, and nothing is still watched.
    const text = formatReport(report, true, 'paper');
    expect(text).toMatch(/events {2}\d+ in \d+ s of trading on paper \(/);
    expect(text).not.toMatch(/simulated|still watched/);
  });
});
