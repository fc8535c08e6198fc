// Crash safety of paper runs for real: `execsim run --mode paper` on a TWAP against the local
// Alpaca gateway (in this process, port 0), killed with SIGKILL at seeded random moments, then
// `execsim resume` (itself killed again in some lives) until the run is finished. The kill moments
// are tied to observed progress so they land in every phase: before the run exists or anything is
// sent, during the startup reconciliation of a resume, at the moment the gateway takes an order
// (before its ack reaches the client: the fixture's latency is 25 ms each way), at a fill the
// client has not seen yet (40 ms), and anywhere in the TWAP (after K more stored events).
// Afterwards the gateway and the store must agree:
// - every client order id is one order at the gateway, and the quantities ordered for the parent
//   never exceed it (no slice sent twice under two ids);
// - the venue filled exactly the parent's quantity (never more);
// - per client order id, the store's filled quantity (orders and fills tables) is the gateway's;
// - nothing is open at the gateway or non-terminal in the store;
// - the run is 'finished' and its expectations held;
// or, when a kill landed before the parent's order reached the engine (it waits behind the
// startup gate), the resume refused the order (due while no process ran) and named it: then
// nothing was ordered at the gateway or stored, and only the parent's expectations failed.
// The plan comes from the suite's seed (FC_SEED: fixed by default, `random` for a fresh one); a
// failure names the seed, the round and every life with its kill.
import { storedCount, storedOfKind, storedRows } from './support/stored-log.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlpacaGateway, type AlpacaGateway } from '../src/gateway/alpaca/alpaca-gateway.ts';
import { isTerminal, type OrderStatus } from '../src/core/model/order-status.ts';
import { canonicalLine } from '../src/core/log/event-log.ts';
import type { LogEntry } from '../src/core/model/events.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { localLiveness, runState } from '../src/store/run-state.ts';
import { RunStore, type RunRow } from '../src/store/run-store.ts';
import { rng } from './support/clone-runs.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const VENUE_FILE = path.join(ROOT, 'test', 'fixtures', 'paper', 'sigkill-venue.yaml');
const TWAP_FILE = path.join(ROOT, 'test', 'fixtures', 'paper', 'sigkill-twap.yaml');
const PARENT = 'twap-buy';
const PARENT_QTY = 160;
const KEY_ID = 'sigkilltestkey01';
const SECRET = 'sigkilltestsecret0123456789';

/** Kills the test aims for across its rounds, and the least it accepts. */
const TARGET_KILLS = 24;
const MIN_KILLS = 20;
/** Kills planned per round (a round is one run, from `execsim run` to finished). */
const KILLS_PER_ROUND = 8;
const MAX_ROUNDS = 8;
/** No new round starts after this much of the test (the budget keeps the test under ~4 min). */
const ROUND_BUDGET_MS = 140_000;
/** A child that has not exited this long after it started is killed and fails the test. */
const CHILD_TIMEOUT_MS = 60_000;
/** How long a planned trigger may wait for its condition before the life runs to its end. */
const POLL_MS = 10;

const SEED = Number(process.env['FC_SEED'] ?? 20_240_809);

/** When a life is killed. */
type Trigger =
  /** ms after the child was spawned: the preflight, the run's creation, the startup pass. */
  | { readonly kind: 'spawn'; readonly ms: number }
  /** after the store holds `n` more events than when the life started, plus ms. */
  | { readonly kind: 'events'; readonly n: number; readonly ms: number }
  /** when the gateway takes the life's n-th order, plus ms: before the ack reaches the client. */
  | { readonly kind: 'submit'; readonly n: number; readonly ms: number }
  /** when the gateway publishes the life's n-th fill, plus ms: before the client has it. */
  | { readonly kind: 'fill'; readonly n: number; readonly ms: number }
  /** a resume: after its ProcessRestarted is stored, plus ms: in the startup reconciliation. */
  | { readonly kind: 'restarted'; readonly ms: number };

function planTrigger(rand: () => number, resume: boolean): Trigger {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const r = rand();
  if (resume && r < 0.25) return { kind: 'restarted', ms: int(0, 60) };
  if (r < 0.4) return { kind: 'spawn', ms: int(100, 2000) };
  if (r < 0.6) return { kind: 'submit', n: int(1, 3), ms: int(0, 30) };
  if (r < 0.75) return { kind: 'fill', n: int(1, 3), ms: int(0, 30) };
  return { kind: 'events', n: int(1, 60), ms: int(0, 80) };
}

interface Life {
  readonly command: 'run' | 'resume';
  readonly trigger: Trigger | null;
  /** What ended it: 'killed' (by the test), or the exit code / signal of a child that ended by itself. */
  outcome: string;
  /** Events stored when it started and when it ended. */
  eventsBefore: number;
  eventsAfter: number;
}

let dir: string;
const children: ChildProcess[] = [];
const gateways: AlpacaGateway[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-paper-kill-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const g of gateways) await g.close();
  if (process.env['PAPER_SIGKILL_KEEP'] === undefined) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
});

/** Waits until `cond` returns a value (not undefined), polling; throws after timeoutMs. */
async function waitFor<T>(what: string, timeoutMs: number, cond: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Reads the database from a read-only connection; undefined while it is not there yet. */
function readDb<T>(file: string, read: (db: Database.Database) => T): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return read(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

const eventCount = (file: string): number => readDb(file, (db) => storedCount(db)) ?? 0;

function runRows(file: string): RunRow[] {
  return readDb(file, (db) => db.prepare('SELECT * FROM runs').all() as RunRow[]) ?? [];
}

/** What the gateway did for this round, counted as it happens. */
class GatewayWatch {
  submits = 0;
  fills = 0;
  private waiters: Array<() => void> = [];

  /** Wraps the gateway's order desk so each order it takes is counted before it reaches the venue. */
  attach(gw: AlpacaGateway): void {
    const orders = gw.orders;
    const submit = orders.submit.bind(orders);
    orders.submit = (body: unknown) => {
      this.submits++;
      this.notify();
      return submit(body);
    };
  }

  onFill(): void {
    this.fills++;
    this.notify();
  }

  /** Resolves when `cond` holds (checked at every counted step) or the child ended. */
  until(cond: () => boolean, child: ChildProcess): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (cond()) {
          resolve(true);
          return true;
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(false);
          return true;
        }
        return false;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      this.waiters.push(waiter);
      child.once('exit', waiter);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

interface Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
  readonly stdout: () => string;
}

function startChild(args: readonly string[]): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET };
  delete env['NODE_OPTIONS'];
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { proc, exited, stderr: () => err, stdout: () => out };
}

/** Waits for the life's trigger; true when it fired while the child was still running. */
async function awaitTrigger(
  trigger: Trigger,
  child: Child,
  watch: GatewayWatch,
  file: string,
  base: { events: number; submits: number; fills: number },
): Promise<boolean> {
  const alive = (): boolean => child.proc.exitCode === null && child.proc.signalCode === null;
  const exitedFirst = child.exited.then(() => false);
  let fired: Promise<boolean>;
  switch (trigger.kind) {
    case 'spawn':
      fired = Promise.resolve(true);
      break;
    case 'events':
      fired = waitFor('events', CHILD_TIMEOUT_MS, () =>
        !alive() ? false : eventCount(file) >= base.events + trigger.n ? true : undefined,
      );
      break;
    case 'restarted':
      fired = waitFor('ProcessRestarted', CHILD_TIMEOUT_MS, () => {
        if (!alive()) return false;
        const n = readDb(
          file,
          (db) => storedRows(db).filter((r) => r.kind === 'ProcessRestarted' && r.seq > base.events).length,
        );
        return (n ?? 0) > 0 ? true : undefined;
      });
      break;
    case 'submit':
      fired = watch.until(() => watch.submits >= base.submits + trigger.n, child.proc);
      break;
    case 'fill':
      fired = watch.until(() => watch.fills >= base.fills + trigger.n, child.proc);
      break;
  }
  if (!(await Promise.race([fired, exitedFirst]))) return false;
  if (trigger.ms > 0) await Promise.race([new Promise((r) => setTimeout(r, trigger.ms)), child.exited]);
  return alive();
}

interface RoundResult {
  readonly lives: Life[];
  readonly kills: number;
  readonly runId: string;
  /** The parent's order was refused by a resume (it was due while no process ran). */
  readonly refused: boolean;
}

/** Whether a resume of the database's run refused the parent's order (ProcessRestarted names it). */
function refusedAtResume(file: string): boolean {
  return (
    readDb(file, (db) =>
      storedRows(db)
        .filter((r) => r.kind === 'ProcessRestarted')
        .some((r) => (JSON.parse(r.payload) as { refusedInputs: string[] }).refusedInputs.includes(`order ${PARENT}`)),
    ) ?? false
  );
}

/** One run from `execsim run` to finished: `kills` lives killed by plan, then lives that run to
 *  their end (a life whose trigger never comes ends by itself). */
async function playRound(
  round: number,
  rand: () => number,
  gw: AlpacaGateway,
  watch: GatewayWatch,
  file: string,
  say: (s: string) => void,
): Promise<RoundResult> {
  const lives: Life[] = [];
  let kills = 0;
  for (let life = 0; life < KILLS_PER_ROUND + 4; life++) {
    const runs = runRows(file);
    expect(runs.length, `round ${round}: one run per database`).toBeLessThanOrEqual(1);
    const run = runs[0];
    if (run !== undefined && run.status !== 'running') {
      return { lives, kills, runId: run.id, refused: refusedAtResume(file) };
    }
    if (run !== undefined)
      expect(runState(run, localLiveness()), `round ${round}: a killed run reads as crashed`).toBe('crashed');
    const command = run === undefined ? 'run' : 'resume';
    const trigger = kills < KILLS_PER_ROUND ? planTrigger(rand, command === 'resume') : null;
    const args =
      command === 'run'
        ? [
            'run',
            TWAP_FILE,
            '--mode',
            'paper',
            '--venue-url',
            gw.url,
            '--market-hours',
            'always',
            '--db',
            file,
            '--json',
          ]
        : ['resume', run!.id, '--venue-url', gw.url, '--market-hours', 'always', '--db', file, '--json'];
    const base = { events: eventCount(file), submits: watch.submits, fills: watch.fills };
    const entry: Life = { command, trigger, outcome: '', eventsBefore: base.events, eventsAfter: 0 };
    lives.push(entry);
    const child = startChild(args);
    const born = Date.now();
    if (trigger !== null && (await awaitTrigger(trigger, child, watch, file, base))) {
      child.proc.kill('SIGKILL');
      const { signal } = await child.exited;
      if (signal === 'SIGKILL') {
        kills++;
        entry.outcome = 'killed';
      } else entry.outcome = `exited ${signal ?? ''} before the kill`;
    } else {
      const { code, signal } = await child.exited;
      entry.outcome = signal !== null ? `signal ${signal}` : `exit ${code}`;
      // A kill before the parent's order reached the engine (it waits behind the startup gate)
      // leaves it due while no process ran: the resume refuses it, names it, and finishes with
      // the parent's expectations failed (exit 1). checkRound checks such a round for what it is.
      if (code === 1 && command === 'resume' && refusedAtResume(file)) entry.outcome += ' (the order was refused)';
      else if (code !== 0)
        throw new Error(
          `round ${round}: ${command} ended with ${entry.outcome} (no kill: a timeout is a SIGKILL after ${CHILD_TIMEOUT_MS} ms)\n${child.stderr()}\n(the end of its report:)\n${child.stdout().slice(-1500)}`,
        );
    }
    entry.eventsAfter = eventCount(file);
    say(
      `  ${command} ${JSON.stringify(trigger)} -> ${entry.outcome} after ${Date.now() - born} ms (events ${entry.eventsBefore} -> ${entry.eventsAfter})`,
    );
  }
  throw new Error(`round ${round}: the run did not finish after ${lives.length} lives`);
}

interface StoreOrder {
  readonly client_order_id: string;
  readonly status: string;
  readonly qty: string;
  readonly filled_qty: string;
  readonly fills: number;
}

/** A round whose order a resume refused: nothing was ever ordered, and the run says why. */
function checkRefusedRound(gw: AlpacaGateway, file: string, runId: string, context: () => string): void {
  const msg = (what: string): string => `${what}\n${context()}`;
  expect(gw.orders.orders(), msg('orders at the gateway')).toEqual([]);
  expect(gw.venue.exchange.position, msg('position at the venue')).toBe(0);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow & { passed: number | null };
    expect(run.status, msg('run status')).toBe('finished');
    expect(run.passed, msg('expectations held')).toBe(0);
    const orders = db.prepare('SELECT client_order_id FROM orders WHERE run_id = ?').all(runId);
    expect(orders, msg('orders in the store')).toEqual([]);
    expect(storedOfKind(db, runId, 'SubmitOrder'), msg('submits in the log')).toEqual([]);
    const report = JSON.parse(run.report_json ?? '{}') as { expectations?: Array<{ pass: boolean; observed: string }> };
    const failed = report.expectations?.filter((e) => !e.pass) ?? [];
    expect(failed.length, msg('failed expectations')).toBeGreaterThan(0);
    expect(
      failed.filter((e) => !e.observed.includes('no such parent')),
      msg('expectations failed for another reason than the refused parent'),
    ).toEqual([]);
  } finally {
    db.close();
  }
}

/** Every invariant of a finished round, at the gateway and in the store. */
function checkRound(gw: AlpacaGateway, file: string, runId: string, context: () => string): void {
  // At the venue a paper run's client ids carry its run id (`<runId>-<id>`); every order must.
  const prefix = `${runId}-`;
  const at = gw.orders.orders().map((rec) => {
    const json = gw.orders.orderJson(rec);
    expect(rec.clientOrderId.startsWith(prefix), `${rec.clientOrderId} is the run's`).toBe(true);
    return {
      clientId: rec.clientOrderId.slice(prefix.length),
      qty: Number(json['qty']),
      filled: Number(json['filled_qty']),
      status: String(json['status']),
    };
  });
  const msg = (what: string): string => `${what}\n${context()}`;

  // One order per client id, and the parent's quantity ordered at most once.
  const ids = new Set(at.map((o) => o.clientId));
  expect(ids.size, msg('distinct client ids at the gateway = orders at the gateway')).toBe(at.length);
  const ordered = at.reduce((s, o) => s + o.qty, 0);
  expect(ordered, msg('quantity ordered at the gateway <= the parent')).toBeLessThanOrEqual(PARENT_QTY);

  // Never overfilled; filled at the end. The exchange's own record of trades and position agree.
  const filledAtVenue = gw.orders.desk.holdings.executions().reduce((s, e) => s + e.trade.qty, 0);
  expect(filledAtVenue, msg('filled at the venue (executions)')).toBe(PARENT_QTY);
  expect(
    at.reduce((s, o) => s + o.filled, 0),
    msg('filled at the venue (orders)'),
  ).toBe(PARENT_QTY);
  expect(gw.venue.exchange.position, msg('position at the venue')).toBe(PARENT_QTY);

  // Nothing open at the gateway.
  const open = at.filter((o) => ['new', 'partially_filled', 'pending_cancel', 'accepted'].includes(o.status));
  expect(open, msg('open orders at the gateway')).toEqual([]);

  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow & { passed: number | null };
    expect(run.status, msg('run status')).toBe('finished');
    expect(run.passed, msg('expectations held')).toBe(1);
    const report = JSON.parse(run.report_json ?? '{}') as { expectations?: Array<{ name: string; pass: boolean }> };
    expect(
      report.expectations?.filter((e) => !e.pass),
      msg('failed expectations'),
    ).toEqual([]);

    const stored = db
      .prepare(
        `SELECT o.client_order_id, o.status, o.qty, o.filled_qty,
                COALESCE((SELECT SUM(CAST(f.qty AS REAL)) FROM fills f
                          WHERE f.run_id = o.run_id AND f.client_order_id = o.client_order_id), 0) AS fills
           FROM orders o WHERE o.run_id = ? AND o.parent_order_id = ?`,
      )
      .all(runId, PARENT) as StoreOrder[];
    const nonTerminal = stored.filter((o) => !isTerminal(o.status as OrderStatus));
    expect(nonTerminal, msg('non-terminal orders in the store')).toEqual([]);

    // Per client order id: the store's fills are the gateway's.
    const byId = new Map(stored.map((o) => [o.client_order_id, o]));
    const unknown = at.filter((o) => !byId.has(o.clientId)).map((o) => o.clientId);
    expect(unknown, msg('orders at the gateway the store does not have')).toEqual([]);
    const venueFilled = new Map(at.map((o) => [o.clientId, o.filled]));
    const mismatches = stored
      .map((o) => ({
        clientId: o.client_order_id,
        status: o.status,
        store: Number(o.filled_qty),
        storeFills: o.fills,
        venue: venueFilled.get(o.client_order_id) ?? 0,
      }))
      .filter((m) => m.store !== m.venue || m.storeFills !== m.venue);
    expect(mismatches, msg('store fills vs gateway filled_qty')).toEqual([]);
    const storedTotal = stored.reduce((s, o) => s + Number(o.filled_qty), 0);
    expect(storedTotal, msg('filled in the store')).toBe(PARENT_QTY);
    // The parent's own row: done, and counting every child's fills, also those stored by the
    // processes before the last resume.
    const parent = db
      .prepare('SELECT status, filled_qty FROM orders WHERE run_id = ? AND client_order_id = ?')
      .get(runId, PARENT) as { status: string; filled_qty: string };
    expect(parent.status, msg('the parent in the store')).toBe('filled');
    expect(Number(parent.filled_qty), msg('the parent row filled_qty')).toBe(PARENT_QTY);
  } finally {
    db.close();
  }
}

/** The stored events of a client id (for a failure's context). */
function eventsAround(file: string, runId: string, clientIds: readonly string[]): string {
  return (
    readDb(file, (db) => {
      const rows = storedRows(db, runId);
      const hits = rows.filter(
        (r) =>
          clientIds.some((c) => r.payload.includes(c)) || ['ProcessRestarted', 'StartupGateChanged'].includes(r.kind),
      );
      return hits.map((r) => `${r.seq} ${r.kind} ${r.payload.slice(0, 240)}`).join('\n');
    }) ?? '(no database)'
  );
}

describe('paper run killed with SIGKILL and resumed', () => {
  it('keeps the gateway and the store in agreement, wherever the kills land', { timeout: 240_000 }, async () => {
    const rand = rng(SEED); // mulberry32: the kill plan is the seed's
    const started = Date.now();
    const log: string[] = [`seed ${SEED} (FC_SEED=${SEED} reproduces the kill plan)`];
    const say = (s: string): void => void log.push(s);
    let kills = 0;
    let round = 0;
    while (kills < TARGET_KILLS && round < MAX_ROUNDS && Date.now() - started < ROUND_BUDGET_MS) {
      round++;
      const watch = new GatewayWatch();
      const gw = await startAlpacaGateway({
        scenarioFile: VENUE_FILE,
        keyId: KEY_ID,
        secretKey: SECRET,
        port: 0,
        onUpdate: (u) => {
          if (u.event === 'fill' || u.event === 'partial_fill') watch.onFill();
        },
      });
      gateways.push(gw);
      watch.attach(gw);
      const file = path.join(dir, `round-${round}.db`);
      say(`round ${round} (${Date.now() - started} ms into the test)`);
      let result: RoundResult;
      try {
        result = await playRound(round, rand, gw, watch, file, say);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${log.join('\n')}`, { cause: err });
      }
      kills += result.kills;
      const context = (): string => {
        const ids = gw.orders.orders().map((r) => r.clientOrderId);
        return `${log.join('\n')}\nevents of the round's orders:\n${eventsAround(file, result.runId, ids)}`;
      };
      if (result.refused) {
        say(`round ${round}: the order was refused at a resume (killed before it reached the engine)`);
        checkRefusedRound(gw, file, result.runId, context);
      } else checkRound(gw, file, result.runId, context);
      gateways.splice(gateways.indexOf(gw), 1);
      await gw.close();
    }
    say(`${kills} kills in ${round} rounds, ${Date.now() - started} ms`);
    console.log(log.join('\n'));
    expect(kills, log.join('\n')).toBeGreaterThanOrEqual(MIN_KILLS);
  });
});

describe('the parent row of a resumed run', () => {
  // RunWriter.rollback rebuilds the parents' totals from the durable log: a writer in a new
  // process (resume) that added to the parent's row only the children it changed itself left the
  // parent's filled_qty short of every fill the earlier processes stored.
  it('counts the children filled before the resume', () => {
    const loaded = loadScenarioFile(TWAP_FILE);
    const backtest = { ...loaded, scenario: { ...loaded.scenario, mode: 'backtest' as const } };
    const entries: LogEntry[] = [];
    runScenario(backtest, { onEntry: (e) => entries.push(e) });
    const fills = entries.flatMap((e, i) => (e.event.kind === 'FillReport' ? [i] : []));
    const cut = (fills[Math.floor(fills.length / 2)] ?? 0) + 1;
    const store = new RunStore(openDatabase(path.join(dir, 'parent-row.db')));
    try {
      store.createRun({
        id: 'resumed',
        scenarioName: loaded.scenario.name,
        scenarioHash: loaded.hash,
        scenarioJson: loaded.canonical,
        seed: loaded.scenario.seed,
        codeVersion: 'test',
        startedAt: new Date(0).toISOString(),
        simStart: 0,
        mode: 'paper',
      });
      const instrument = makeInstrument(loaded.scenario.instrument);
      // The first process commits half the fills, and dies.
      const first = store.writer('resumed', instrument);
      for (const e of entries.slice(0, cut)) first.write(e, canonicalLine(e));
      first.commit();
      // The resume's writer starts from the durable log, as resumePaper does.
      const second = store.writer('resumed', instrument);
      second.rollback(entries.slice(0, cut));
      for (const e of entries.slice(cut)) second.write(e, canonicalLine(e));
      second.commit();
      const children = store.db
        .prepare('SELECT SUM(CAST(filled_qty AS INTEGER)) AS n FROM orders WHERE run_id = ? AND parent_order_id = ?')
        .get('resumed', PARENT) as { n: number };
      const parent = store.db
        .prepare('SELECT filled_qty FROM orders WHERE run_id = ? AND client_order_id = ?')
        .get('resumed', PARENT) as { filled_qty: string };
      expect(children.n).toBe(PARENT_QTY);
      expect(Number(parent.filled_qty)).toBe(PARENT_QTY);
    } finally {
      store.db.close();
    }
  });
});
