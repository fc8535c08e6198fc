// The bundled paper runs and where they live. `npm start` runs `execsim run scenarios`: the
// folder's own files, every one a backtest, so it works on a fresh clone with no venue and no
// keys; the paper runs in scenarios/paper/ (and the venue behind them, scenarios/gateway/) sit in
// folders beside them, which a directory run does not read. A paper-only file states no start and
// no market: it runs on paper (and resumes from the store), the server validates it as `execsim
// run` reads it, and anything that would simulate it (a backtest, a sweep, the gateway, a run
// started by the server) refuses it naming both fields and saying the file is for paper runs
// only. The printed commands that run them against the local gateways are
// docs/guide/paper-trading.md's (readme.test.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import { startGateway } from '../../src/cli/gateway-command.ts';
import { main, type Io } from '../../src/cli/main.ts';
import { createApp } from '../../src/server/app.ts';
import { ProblemError } from '../../src/server/problem.ts';
import type { RunJobs } from '../../src/server/routes/run-job-routes.ts';
import { resolveScenarioRequest } from '../../src/server/scenario-request.ts';
import { resumePaper, runPaper } from '../../src/runtime/paper-run.ts';
import { loadAnyScenarioFile, loadScenarioFile, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { LIVE_VENUES } from '../../src/live/venue-registry.ts';
import { paperWarnings } from '../../src/scenario/paper-mode.ts';
import { alpacaPaperGateway, interruptedPaperRun, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-scenarios-key';
const SECRET = 'paper-scenarios-secret';
const VENUE = 'scenarios/gateway/aapl.yaml';
const PAPER = readdirSync('scenarios/paper')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `scenarios/paper/${f}`);
const { dir, store: openStore } = scratchStores('execsim-paper-scenarios-');

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

  it('scenarios/paper holds paper runs only: mode paper, a venue with a paper adapter, no start and no market', () => {
    expect(PAPER.length).toBeGreaterThanOrEqual(3);
    const venues = new Set<string>();
    for (const f of PAPER) {
      const s = loadAnyScenarioFile(f).scenario;
      expect(s, f).toMatchObject({ mode: 'paper' });
      expect(LIVE_VENUES.get(s.venue.name), f).toBeDefined();
      venues.add(s.venue.name);
      expect(s.start, f).toBeUndefined();
      expect(s.market, f).toBeUndefined();
      // Nothing in them is ignored on paper, so a paper run of them warns of nothing.
      expect(paperWarnings(s), f).toEqual([]);
    }
    // Every venue with a paper adapter has a bundled paper run.
    expect([...venues].sort()).toEqual(LIVE_VENUES.names().sort());
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
    // The file is mode: paper: the refusal says it is for paper runs only, not that only paper
    // runs may leave the fields out (which it does not contradict).
    expect(lines.join('\n')).toMatch(/this file is for paper runs only \(mode: paper\): give it start and market/);
    expect(lines.join('\n')).not.toMatch(/only a paper run \(mode: paper\) may leave it out/);
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

  it('sent to the server to sweep is a 422 naming both fields', () => {
    let thrown: unknown;
    try {
      resolveScenarioRequest({ yaml: readFileSync(PAPER[0] as string, 'utf8') }, 'scenarios');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).status).toBe(422);
    expect((thrown as ProblemError).errors?.map((e) => e.path)).toEqual(['start', 'market']);
    expect((thrown as ProblemError).errors?.[0]?.message).toMatch(/this file is for paper runs only/);
  });

  describe('sent to the server', () => {
    const TOKEN = 'paper-scenarios-token-0123456789';
    let submitted = 0;
    const jobs: RunJobs = {
      submit: () => void submitted++,
      state: () => null,
      cancel: () => 'unknown',
      follow: () => null,
      forget: () => {},
      load: { queued: 0, running: 0, workers: 1 },
    };
    const app = createApp({
      reader: null,
      deleteRun: null,
      jobs,
      scenariosDir: path.resolve('scenarios'),
      version: 't',
      token: TOKEN,
      checkResponses: true,
    }).app;
    const post = (url: string, body: unknown) =>
      app.request(`http://127.0.0.1/api/v1${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
    const yaml = readFileSync(PAPER[0] as string, 'utf8');

    it('is valid as `execsim run` reads it: a paper run, with no start and no market', async () => {
      const res = await post('/scenarios/validate', { yaml });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { valid: boolean; scenario: Record<string, unknown> };
      expect(body.valid).toBe(true);
      expect(body.scenario).toMatchObject({
        mode: 'paper',
        name: loadAnyScenarioFile(PAPER[0] as string).scenario.name,
      });
      expect(body.scenario).not.toHaveProperty('start');
      expect(body.scenario).not.toHaveProperty('marketModel');
    });

    it('to run is a 422 saying paper runs start elsewhere and naming both fields it lacks, nothing submitted', async () => {
      for (const mode of [undefined, 'backtest']) {
        const res = await post('/runs', mode === undefined ? { yaml } : { yaml, mode });
        expect(res.status, String(mode)).toBe(422);
        const { errors } = (await res.json()) as { errors: { path: string; message: string }[] };
        // Asked as a paper run: refused as one; "mode": "backtest" is not offered, since the
        // file cannot run as a backtest either. Asked as a backtest: what it lacks.
        expect(errors.map((e) => e.path)).toEqual(
          mode === undefined ? ['mode', 'start', 'market'] : ['start', 'market'],
        );
        if (mode === undefined) {
          expect(errors[0]?.message).toMatch(/^paper runs are started with `execsim run` against a venue/);
          expect(errors[0]?.message).not.toMatch(/"mode": "backtest"/);
        }
        for (const e of errors.slice(mode === undefined ? 1 : 0))
          expect(e.message).toMatch(/this file is for paper runs only \(mode: paper\)/);
      }
      expect(submitted).toBe(0);
    });
  });

  it('runs on paper, and a run of it stopped part-way is resumed from the store', async () => {
    const gw = await alpacaPaperGateway(VENUE, { id: KEY, secret: SECRET });
    const store = openStore(path.join(dir, 'resume.db'));
    const options = paperOptions(gw.url, store, { id: KEY, secret: SECRET });
    const twap = loadAnyScenarioFile('scenarios/paper/twap-aapl.yaml');
    let submits = 0;
    const id = await interruptedPaperRun(twap, options, (e) => e.event.kind === 'SubmitOrder' && ++submits === 2);
    // The stored scenario has no start and no market either: resume reads it as a paper run.
    expect(JSON.parse(store.scenarioJson(id))).not.toHaveProperty('market');
    const report = await resumePaper(id, options);
    // On a failure, what failed: the expectations and the discrepancies.
    expect(report.passed, JSON.stringify([report.expectations, report.discrepancyNotes])).toBe(true);
    expect(report.parents[0]).toMatchObject({ id: 'twap-buy', filledQty: '60', status: 'filled' });
    expect(report.duplicateOrders).toEqual([]);
  });

  it('ends once every order is verified: the cancelled limit is not left watched', async () => {
    const gw = await alpacaPaperGateway(VENUE, { id: KEY, secret: SECRET });
    const store = openStore(path.join(dir, 'limit-and-cancel.db'));
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
