// Verification of a stored run (src/store/verify-run.ts) and `execsim show`: a stored run's log
// re-hashes to its digest and its projections are the fold of its log; a corrupted event, a gap
// or a projection row that disagrees with the log makes `show` exit 1 (a failed check, as a
// failed expectation is); a run that died mid-way is a consistent prefix.
import { setStoredPayload, storedOfKind, storedRows } from '../support/stored-log.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChildAmended, LogEntry } from '../../src/core/model/events.ts';
import { lotsToQty, makeInstrument, ticksToPrice } from '../../src/core/model/instrument.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore, type RunWriter } from '../../src/store/run-store.ts';
import { verifyRun } from '../../src/store/verify-run.ts';
import { execsimMain } from '../support/cli-in-process.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let file: string;
let store: RunStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-verify-'));
  file = path.join(dir, 'x.db');
  store = new RunStore(openDatabase(file));
});

afterEach(() => {
  if (store.db.open) store.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `execsim show <id> --db <file> [--json]` in process: exit code, stdout lines, stderr lines. */
function show(id: string, json: boolean): { code: number; out: string[]; err: string[] } {
  const { code, out, errWrites } = execsimMain(['show', id, '--db', file, ...(json ? ['--json'] : [])]);
  return { code, out, err: errWrites };
}

interface ShowJson {
  status: string;
  digestVerified: boolean;
  verification: { events: number; gapFree: boolean; consistent: boolean; problems: string[] };
}
const showJson = (id: string): { code: number; json: ShowJson; err: string[] } => {
  const r = show(id, true);
  expect(r.out).toHaveLength(1);
  return { code: r.code, json: JSON.parse(r.out[0] ?? '{}') as ShowJson, err: r.err };
};

const payloadOf = (runId: string, kind: string): { seq: number; payload: string } =>
  storedOfKind(store.db, runId, kind)[0] as { seq: number; payload: string };

describe('a stored run verifies against itself', () => {
  for (const name of [
    'twap-limit-partial',
    'safety-kill-switch-limit-twap',
    'twap-kill-switch',
    'restart-mid-twap',
    'restart-orphan-at-startup',
    'fill-detection-faults',
  ]) {
    it(`${name}: the log reproduces the digest and the orders, fills and orphan tables are its fold`, () => {
      const report = runScenario(loadScenarioFile(`scenarios/${name}.yaml`), { store });
      const v = verifyRun(store, report.runId);
      expect(v.problems).toEqual([]);
      expect(v).toMatchObject({ events: report.events, gapFree: true, digestVerified: true, consistent: true });
    });
  }

  it('stores the quantity and limit price a slice was amended to (carry re-sizing, limit re-pricing)', () => {
    const loaded = loadScenarioFile('scenarios/twap-limit-partial.yaml');
    const amended = new Map<string, ChildAmended>();
    const report = runScenario(loaded, {
      store,
      onEntry: (e: LogEntry) => {
        if (e.event.kind === 'ChildAmended') amended.set(e.event.clientOrderId, e.event);
      },
    });
    expect(amended.size).toBeGreaterThan(0);
    projectRun(store.db, report.runId);
    const i = makeInstrument(loaded.scenario.instrument);
    for (const [id, a] of amended) {
      const row = store.db
        .prepare('SELECT qty, limit_price FROM orders WHERE run_id = ? AND client_order_id = ?')
        .get(report.runId, id);
      expect(row).toEqual({
        qty: lotsToQty(i, a.qty),
        limit_price: a.limitPrice === null ? null : ticksToPrice(i, a.limitPrice),
      });
    }
  });
});

describe('execsim show', () => {
  it('exits 0 for an intact run, with the verification in --json', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    const { code, json, err } = showJson(report.runId);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(json).toMatchObject({
      status: 'finished',
      digestVerified: true,
      verification: { events: report.events, gapFree: true, consistent: true, problems: [] },
    });
    expect(show(report.runId, false).code).toBe(0);
  });

  it('exits 1 when a stored event was changed so the log no longer reproduces the digest', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    // RunStarted feeds no projection: only the digest can notice.
    const started = payloadOf(report.runId, 'RunStarted');
    const changed = started.payload.replace('"static-book-sweep"', '"static-book-swept"');
    expect(changed).not.toBe(started.payload);
    setStoredPayload(store.db, report.runId, started.seq, changed);

    const { code, json, err } = showJson(report.runId);
    expect(code).toBe(1);
    expect(json.digestVerified).toBe(false);
    expect(json.verification).toMatchObject({ gapFree: true, consistent: true });
    expect(json.verification.problems).toHaveLength(1);
    expect(err).toHaveLength(1);
    const text = show(report.runId, false);
    expect(text.code).toBe(1);
    expect(text.err).toHaveLength(1);
  });

  it('exits 1 when a stored fill was changed: the digest and the fills table both disagree with it', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    // The rows as a read built them before the log was changed.
    projectRun(store.db, report.runId);
    const fill = payloadOf(report.runId, 'FillReport');
    const parsed = JSON.parse(fill.payload) as { price: number };
    const changed = fill.payload.replace(`"price":${parsed.price}`, `"price":${parsed.price + 1}`);
    expect(changed).not.toBe(fill.payload);
    setStoredPayload(store.db, report.runId, fill.seq, changed);
    const { code, json } = showJson(report.runId);
    expect(code).toBe(1);
    expect(json).toMatchObject({ digestVerified: false, verification: { consistent: false } });
    expect(json.verification.problems.length).toBeGreaterThanOrEqual(2);
  });

  it('exits 1 when a projection row disagrees with the log, though the digest holds', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    projectRun(store.db, report.runId);
    store.db
      .prepare("UPDATE orders SET filled_qty = '0' WHERE run_id = ? AND client_order_id = 'sweep-buy'")
      .run(report.runId);
    const { code, json } = showJson(report.runId);
    expect(code).toBe(1);
    expect(json).toMatchObject({ digestVerified: true, verification: { consistent: false } });
  });

  it('exits 1, naming the problem, when the stored scenario was changed so it no longer reads', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    for (const scenario of ['{"instrument": ', '{}']) {
      store.db.prepare('UPDATE runs SET scenario_json = ? WHERE id = ?').run(scenario, report.runId);
      const { code, json, err } = showJson(report.runId);
      expect(code, scenario).toBe(1);
      expect(json.verification.consistent, scenario).toBe(false);
      expect(json.verification.problems, scenario).toEqual([
        expect.stringMatching(/^the stored scenario cannot be read, so the tables cannot be checked against the log: /),
      ]);
      expect(err, scenario).toHaveLength(1);
    }
  });

  it('exits 1, naming the problem, when the stored report was changed so it no longer parses', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    store.db.prepare('UPDATE runs SET report_json = ? WHERE id = ?').run('{"digest": ', report.runId);
    const { code, json, err } = showJson(report.runId);
    expect(code).toBe(1);
    expect(json.verification.problems).toEqual(['the stored report is not JSON']);
    expect(err).toEqual([`execsim: run ${report.runId}: the stored report is not JSON`]);
  });

  it('names the fills column that disagrees with the log', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    projectRun(store.db, report.runId);
    const fill = store.db
      .prepare('SELECT trade_id, client_order_id, price FROM fills WHERE run_id = ? LIMIT 1')
      .get(report.runId) as { trade_id: string; client_order_id: string; price: string };
    store.db
      .prepare("UPDATE fills SET price = '1', fee = '0' WHERE run_id = ? AND trade_id = ?")
      .run(report.runId, fill.trade_id);
    const { code, json } = showJson(report.runId);
    expect(code).toBe(1);
    expect(json.verification.problems).toEqual([
      expect.stringContaining(
        `fills does not match the stored log: ${fill.client_order_id}/${fill.trade_id}: price 1, the log gives ${fill.price}; fee 0, the log gives `,
      ),
    ]);
  });

  it('exits 0 for a run that died mid-way (a consistent prefix), 1 once its stored log has a gap', () => {
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    const report = runScenario(loaded, { store });
    // Keep what a process killed after its third commit would have left: a prefix ending at a commit.
    const rows = storedOfKind(store.db, report.runId, 'SubmitOrder').slice(0, 3);
    const cut = rows[2]?.seq ?? 0;
    expect(cut).toBeGreaterThan(0);
    const prefix = new RunStore(openDatabase(path.join(dir, 'prefix.db')));
    try {
      const writer = newRunWriter(prefix, 'died', loaded);
      for (const e of store.entries(report.runId)) {
        if (e.seq > cut) break;
        writer.write(e, `${e.seq} ${e.time} ${e.event.kind} ${payloadLine(store, report.runId, e.seq)}\n`);
        // A transaction per entry: a block per entry, so one can go missing below.
        writer.commit();
      }
    } finally {
      prefix.db.close();
    }
    store.db.close();
    file = path.join(dir, 'prefix.db');
    store = new RunStore(openDatabase(file));
    const alive = showJson('died');
    expect(alive.code).toBe(0);
    expect(alive.json).toMatchObject({
      status: 'running',
      digestVerified: false,
      verification: { events: cut, gapFree: true, consistent: true, problems: [] },
    });

    store.db.prepare("DELETE FROM event_blocks WHERE run_id = 'died' AND first_seq = 2 AND last_seq = 2").run();
    const gap = showJson('died');
    expect(gap.code).toBe(1);
    expect(gap.json.verification).toMatchObject({ gapFree: false, events: cut - 1 });
  });

  it('exits 0 for a run still being written when a commit lands while show reads it', () => {
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    const report = runScenario(loaded, { store });
    // Two commit boundaries of the finished run: the live run has the first when show starts, and
    // its writer commits up to the second after show has read the log, before it reads the tables.
    const submits = storedOfKind(store.db, report.runId, 'SubmitOrder')
      .slice(0, 6)
      .map((r) => r.seq);
    const [first, second] = [submits[2] ?? 0, submits[5] ?? 0];
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    const entries = [...store.entries(report.runId)];
    const lines = new Map(entries.map((e) => [e.seq, payloadLine(store, report.runId, e.seq)]));
    const liveFile = path.join(dir, 'live.db');
    const live = new RunStore(openDatabase(liveFile));
    const writer = newRunWriter(live, 'live', loaded);
    let written = 0;
    const writeUpTo = (last: number): void => {
      for (const e of entries.slice(written, last))
        writer.write(e, `${e.seq} ${e.time} ${e.event.kind} ${lines.get(e.seq)}\n`);
      written = last;
      writer.commit();
    };
    writeUpTo(first);
    store.db.close();
    file = liveFile;
    store = live;

    const readLog = RunStore.prototype.events;
    const spy = vi.spyOn(RunStore.prototype, 'events').mockImplementation(function* (this: RunStore, runId: string) {
      yield* readLog.call(this, runId);
      if (written === first) writeUpTo(second);
    });
    try {
      const { code, json, err } = showJson('live');
      expect(written).toBe(second);
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(json.verification).toMatchObject({ events: first, gapFree: true, consistent: true, problems: [] });
    } finally {
      spy.mockRestore();
    }
  });

  it('exits 1 through the real bin as well (the exit code reaches the shell)', () => {
    const report = runScenario(loadScenarioFile('scenarios/static-book-sweep.yaml'), { store });
    const started = payloadOf(report.runId, 'RunStarted');
    setStoredPayload(store.db, report.runId, started.seq, started.payload.replace('"BTCUSDT"', '"ETHUSDT"'));
    store.db.close();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['NODE_OPTIONS'];
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'execsim.js'), 'show', report.runId, '--db', file], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stderr).not.toBe('');
  });
});

/** The stored payload text of one event (what the digest hashed). */
/** A run row `id` of `loaded` (seed 31) in `target`, and its writer: a run that is being written. */
function newRunWriter(target: RunStore, id: string, loaded: LoadedScenario): RunWriter {
  target.createRun({
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed: 31,
    codeVersion: 'test',
    startedAt: '2024-08-09T00:00:00Z',
    simStart: 0,
  });
  return target.writer(id, makeInstrument(loaded.scenario.instrument));
}

function payloadLine(s: RunStore, runId: string, seq: number): string {
  return (storedRows(s.db, runId).find((r) => r.seq === seq) as { payload: string }).payload;
}
