// Crash safety of paper runs for real, on every venue with a local gateway (Alpaca and Binance,
// the VENUES table) and for the algorithms of the PLANS table (a TWAP at length; a VWAP, a POV,
// which follows the tape of a market where others trade, and a user's algorithm module, in a few
// rounds each): `execsim run
// --mode paper` on the parent against the venue's gateway (in this process, port 0), killed with
// SIGKILL at seeded random moments, then `execsim resume` (itself killed again in some lives)
// until the run is finished. The kill moments are tied to observed
// progress so they land in every phase: before the run exists or anything is sent, during the
// startup reconciliation of a resume, at the moment the gateway takes an order (before its answer
// reaches the client: the fixtures' latency is 25 ms each way), at a fill the client has not seen
// yet (40 ms), and anywhere in the TWAP (after K more stored events).
// Afterwards the venue, read through its own client (the Alpaca SDK, ccxt), the gateway's own
// record and the store must agree:
// - every client order id is one order at the venue (Binance takes an id again once its order is
//   done: a resend of a finished order would be a second order under the same id), every order
//   is in the run's namespace, and the quantities ordered for the parent never exceed it;
// - the venue filled exactly the parent's quantity (never more): its executions, its orders'
//   filled quantities, the account's position, and the simulator's own record;
// - per client order id, the store's filled quantity (orders and fills tables) is the venue's;
// - nothing is open at the venue or non-terminal in the store;
// - the run is 'finished' and its expectations held;
// or, when a kill landed before a parent's order reached the engine (it waits behind the
// startup gate), the resume refused the order (due while no process ran) and named it: then
// nothing was ordered for that parent at the venue or stored, only its expectations failed, and
// in a run of two symbols the other parent is checked as above.
// The plan comes from the suite's seed (FC_SEED: fixed by default, `random` for a fresh one), one
// stream per venue; a failure names the venue, the seed, the round and every life with its kill.
import { storedOfKind, storedRows } from '../support/stored-log.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type OrderStatus } from '../../src/core/model/order-status.ts';
import { canonicalLine } from '../../src/core/log/event-log.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { localLiveness, runState } from '../../src/store/run-state.ts';
import { RunStore, type RunRow } from '../../src/store/run-store.ts';
import { rng } from '../support/clone-runs.ts';
import { ALPACA, BINANCE, type SigkillVenue, type SymbolLeg, type VenueRound } from '../support/sigkill-venues.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
/** The TWAP's parent (the resumed parent row's test reads its fixture). */
const PARENT = 'twap-buy';

/** The venues, each a table entry (test/support/sigkill-venues.ts); the rest is shared. */
const VENUES: readonly SigkillVenue[] = [ALPACA, BINANCE];

/** What a venue's rounds run, and how many kills they take: one test per venue and plan. */
interface Plan {
  readonly algo: 'twap' | 'vwap' | 'pov' | 'module' | 'two-symbols';
  /** The parent's id in the plan's fixture (the first symbol's, in a run of several). */
  readonly parent: string;
  /** The paper scenario the lives run on the venue; null: the venue has none (no test). */
  file(venue: SigkillVenue): string | null;
  /** Each symbol's parent and quantity; absent: the one parent of the venue's quantity. */
  legs?(venue: SigkillVenue): readonly SymbolLeg[];
  /** The gateway's market: the deep static book, one where others trade (a tape to follow), or
   *  two symbols' deep books on one account. */
  readonly market: 'book' | 'tape' | 'two';
  /** Kills the test aims for across the venue's rounds, and the least it accepts. */
  readonly targetKills: number;
  readonly minKills: number;
  /** Kills planned per round (a round is one run, from `execsim run` to finished). */
  readonly killsPerRound: number;
  /** A ceiling on rounds: a round whose order was refused at a resume (killed before it reached
   *  the engine) ends with one or two kills. */
  readonly maxRounds: number;
  /** No new round starts after this much of the test once it has minKills. Short of minKills,
   *  rounds go on (up to maxRounds): on a machine busy with other test files a round can take
   *  twice as long, and the kills are what the test proves. */
  readonly roundBudgetMs: number;
}

const PLANS: readonly Plan[] = [
  // The TWAP at length: with this target the budget holds both venues together to a few minutes
  // on a loaded two-core machine.
  {
    algo: 'twap',
    parent: PARENT,
    file: (v) => v.twapFile,
    market: 'book',
    targetKills: 24,
    minKills: 20,
    killsPerRound: 8,
    maxRounds: 10,
    roundBudgetMs: 90_000,
  },
  // A VWAP and a POV in a round of three kills each (a round whose order was refused at a resume
  // takes another): their plans resume from the store as the TWAP's do (one grid, one recovery
  // path); these rounds prove it for real, at a small cost.
  {
    algo: 'vwap',
    parent: 'vwap-buy',
    file: (v) => v.algoFiles.vwap,
    market: 'book',
    targetKills: 3,
    minKills: 3,
    killsPerRound: 3,
    maxRounds: 3,
    roundBudgetMs: 20_000,
  },
  {
    algo: 'pov',
    parent: 'pov-buy',
    file: (v) => v.algoFiles.pov,
    market: 'tape',
    targetKills: 3,
    minKills: 3,
    killsPerRound: 3,
    maxRounds: 3,
    roundBudgetMs: 20_000,
  },
  // A parent a user's algorithm module decides (declared by name in the file): a resumed process
  // loads the module again and continues its plan from the log's memo, like the built-ins'.
  {
    algo: 'module',
    parent: 'module-buy',
    file: (v) => v.algoFiles.module,
    market: 'book',
    targetKills: 3,
    minKills: 3,
    killsPerRound: 3,
    maxRounds: 3,
    roundBudgetMs: 20_000,
  },
  // Two symbols on one account, a TWAP each, on a venue whose gateway serves both: each kill and
  // resume must leave each symbol's orders once at the venue and its position the venue's.
  {
    algo: 'two-symbols',
    parent: PARENT,
    file: (v) => v.twoSymbols?.file ?? null,
    legs: (v) => v.twoSymbols?.legs ?? [],
    market: 'two',
    targetKills: 6,
    minKills: 4,
    killsPerRound: 3,
    maxRounds: 4,
    roundBudgetMs: 30_000,
  },
];
/** A venue's test: the budget, the rounds still needed for minKills, and the checks. */
const VENUE_TIMEOUT_MS = 270_000;
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
  /** when the gateway takes the life's n-th order, plus ms: before the answer reaches the client. */
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

/** The seed's kill plan for one venue and plan: a stream of its own (the first venue's TWAP is
 *  the seed's), so a venue or plan added to a table moves no other's kill plan. */
const planSeed = (venue: SigkillVenue, plan: Plan): number =>
  SEED + VENUES.indexOf(venue) + 1_000 * PLANS.indexOf(plan);

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
const rounds: VenueRound[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-paper-kill-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const r of rounds) await r.close();
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

/** countStored's statement, per connection. */
const countStatements = new WeakMap<Database.Database, Database.Statement>();
/** How many entries are stored: the rows, and each block's seq range (a block holds one entry per
 *  seq from first_seq to last_seq; storedRows checks that when it decodes one). Read at every
 *  poll, so it counts the blocks without decompressing them all again every 10 ms. */
const countStored = (db: Database.Database): number => {
  // Prepared once per connection: a trigger's polls read through one connection, and preparing
  // the statement cost more than running it.
  let count = countStatements.get(db);
  if (count === undefined) {
    count = db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM events) +
                (SELECT COALESCE(SUM(last_seq - first_seq + 1), 0) FROM event_blocks)`,
      )
      .pluck();
    countStatements.set(db, count);
  }
  return Number(count.get());
};

const eventCount = (file: string): number => readDb(file, countStored) ?? 0;

/** The polls of one life's trigger, through one read-only connection kept open while the trigger
 *  is awaited: opening a connection costs about 1.5 ms of CPU and the count a few microseconds,
 *  and a trigger polls every 10 ms. A read that fails (no file yet, no schema yet) closes it and
 *  the next poll opens a fresh one, as a connection per poll did; once closed, it reads nothing. */
class TriggerPoll {
  private db: Database.Database | null = null;
  private closed = false;

  constructor(private readonly file: string) {}

  /** `read` on the database; undefined while it is not there yet, or after close. */
  read<T>(read: (db: Database.Database) => T): T | undefined {
    if (this.closed) return undefined;
    if (this.db === null) {
      if (!fs.existsSync(this.file)) return undefined;
      try {
        this.db = new Database(this.file, { readonly: true, fileMustExist: true });
      } catch {
        return undefined;
      }
    }
    try {
      return read(this.db);
    } catch {
      this.db.close();
      this.db = null;
      return undefined;
    }
  }

  close(): void {
    this.closed = true;
    this.db?.close();
    this.db = null;
  }
}

function runRows(file: string): RunRow[] {
  return readDb(file, (db) => db.prepare('SELECT * FROM runs').all() as RunRow[]) ?? [];
}

/** What the gateway did for this round, counted as it happens (the venue's hooks call it). */
class GatewayWatch {
  submits = 0;
  fills = 0;
  private waiters: Array<() => void> = [];

  onSubmit(): void {
    this.submits++;
    this.notify();
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

function startChild(venue: SigkillVenue, args: readonly string[]): Child {
  const env: NodeJS.ProcessEnv = { ...process.env, ...venue.env };
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
  const poll = new TriggerPoll(file);
  let fired: Promise<boolean>;
  switch (trigger.kind) {
    case 'spawn':
      fired = Promise.resolve(true);
      break;
    case 'events':
      fired = waitFor('events', CHILD_TIMEOUT_MS, () =>
        !alive() ? false : (poll.read(countStored) ?? 0) >= base.events + trigger.n ? true : undefined,
      );
      break;
    case 'restarted': {
      // The log only grows: while the count of stored entries stays, so do the entries, and the
      // rows are decoded again only once it has moved.
      let decodedAt = -1;
      fired = waitFor('ProcessRestarted', CHILD_TIMEOUT_MS, () => {
        if (!alive()) return false;
        const n = poll.read((db) => {
          const count = countStored(db);
          if (count === decodedAt) return 0;
          const hits = storedRows(db).filter((r) => r.kind === 'ProcessRestarted' && r.seq > base.events).length;
          decodedAt = count;
          return hits;
        });
        return (n ?? 0) > 0 ? true : undefined;
      });
      break;
    }
    case 'submit':
      fired = watch.until(() => watch.submits >= base.submits + trigger.n, child.proc);
      break;
    case 'fill':
      fired = watch.until(() => watch.fills >= base.fills + trigger.n, child.proc);
      break;
  }
  try {
    if (!(await Promise.race([fired, exitedFirst]))) return false;
  } finally {
    poll.close();
  }
  if (trigger.ms > 0) await Promise.race([new Promise((r) => setTimeout(r, trigger.ms)), child.exited]);
  return alive();
}

interface RoundResult {
  readonly lives: Life[];
  readonly kills: number;
  readonly runId: string;
  /** The parents whose orders a resume refused (they were due while no process ran). */
  readonly refused: readonly string[];
}

/** A parent of a round's run with its quantity; a run of one symbol names none. */
type Leg = Omit<SymbolLeg, 'symbol'> & { readonly symbol?: string };

/** Each leg's parent and quantity: the plan's legs, or its one parent of the venue's quantity. */
function legsOf(venue: SigkillVenue, plan: Plan): readonly Leg[] {
  return plan.legs?.(venue) ?? [{ parent: plan.parent, lots: venue.parentLots }];
}

/** The parents among `parents` whose orders a resume of the database's run refused
 *  (ProcessRestarted names them). */
function refusedAtResume(file: string, parents: readonly string[]): string[] {
  const named =
    readDb(file, (db) =>
      storedRows(db)
        .filter((r) => r.kind === 'ProcessRestarted')
        .flatMap((r) => (JSON.parse(r.payload) as { refusedInputs: string[] }).refusedInputs),
    ) ?? [];
  return parents.filter((p) => named.includes(`order ${p}`));
}

/** One run from `execsim run` to finished: `kills` lives killed by plan, then lives that run to
 *  their end (a life whose trigger never comes ends by itself). */
async function playRound(
  venue: SigkillVenue,
  plan: Plan,
  round: number,
  rand: () => number,
  at: VenueRound,
  watch: GatewayWatch,
  file: string,
  say: (s: string) => void,
): Promise<RoundResult> {
  const lives: Life[] = [];
  let kills = 0;
  const parents = legsOf(venue, plan).map((l) => l.parent);
  const where = ['--venue-url', at.url, '--market-hours', 'always', '--db', file, '--json'];
  for (let life = 0; life < plan.killsPerRound + 4; life++) {
    const runs = runRows(file);
    expect(runs.length, `round ${round}: one run per database`).toBeLessThanOrEqual(1);
    const run = runs[0];
    if (run !== undefined && run.status !== 'running') {
      return { lives, kills, runId: run.id, refused: refusedAtResume(file, parents) };
    }
    if (run !== undefined)
      expect(runState(run, localLiveness()), `round ${round}: a killed run reads as crashed`).toBe('crashed');
    const command = run === undefined ? 'run' : 'resume';
    const trigger = kills < plan.killsPerRound ? planTrigger(rand, command === 'resume') : null;
    const args =
      command === 'run'
        ? ['run', plan.file(venue) as string, '--mode', 'paper', ...where]
        : ['resume', run!.id, ...where];
    const base = { events: eventCount(file), submits: watch.submits, fills: watch.fills };
    const entry: Life = { command, trigger, outcome: '', eventsBefore: base.events, eventsAfter: 0 };
    lives.push(entry);
    const child = startChild(venue, args);
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
      // A kill before a parent's order reached the engine (it waits behind the startup gate)
      // leaves it due while no process ran: the resume refuses it, names it, and finishes with
      // that parent's expectations failed (exit 1); in a run of two symbols, the other parent
      // goes on. checkRefusedRound checks such a round for what it is.
      if (code === 1 && command === 'resume' && refusedAtResume(file, parents).length > 0)
        entry.outcome += ' (an order was refused)';
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

/** A round in which a resume refused parents' orders (`refused`, each with its symbol): nothing
 *  was ordered for them at the venue or stored, and the run says why; when every parent of the
 *  run was refused, nothing was ordered at all. */
async function checkRefusedRound(
  at: VenueRound,
  refused: readonly Leg[],
  all: boolean,
  file: string,
  runId: string,
  context: () => string,
): Promise<void> {
  const msg = (what: string): string => `${what}\n${context()}`;
  for (const { symbol } of refused) {
    const of = symbol === undefined ? '' : ` (${symbol})`;
    expect(await at.orders(symbol), msg(`orders at the venue${of}`)).toEqual([]);
    expect(await at.position(symbol), msg(`position at the venue${of}`)).toBe(0);
    expect(at.simulated(symbol).position, msg(`position at the simulated venue${of}`)).toBe(0);
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow & { passed: number | null };
    expect(run.status, msg('run status')).toBe('finished');
    expect(run.passed, msg('expectations held')).toBe(0);
    for (const { parent } of refused) {
      const children = db.prepare('SELECT client_order_id FROM orders WHERE run_id = ? AND parent_order_id = ?');
      expect(children.all(runId, parent), msg(`orders of ${parent} in the store`)).toEqual([]);
    }
    if (all) {
      const orders = db.prepare('SELECT client_order_id FROM orders WHERE run_id = ?').all(runId);
      expect(orders, msg('orders in the store')).toEqual([]);
      expect(storedOfKind(db, runId, 'SubmitOrder'), msg('submits in the log')).toEqual([]);
    }
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

/** Every invariant of a finished round, at the venue (through its client), at the gateway and in
 *  the store; quantities in lots. */
async function checkRound(
  venue: SigkillVenue,
  leg: Leg,
  at: VenueRound,
  file: string,
  runId: string,
  context: () => string,
  /** Another parent of the run was refused at a resume: the run's expectations are checked
   *  with it (checkRefusedRound). */
  othersRefused = false,
): Promise<void> {
  const of = leg.symbol === undefined ? '' : ` (${leg.symbol})`;
  const msg = (what: string): string => `${what}${of}\n${context()}`;
  const { parent: parentId, lots: parentLots, symbol } = leg;
  const lots = (decimal: unknown): number => Math.round(Number(decimal) / (leg.lot ?? venue.lot));
  const listed = await at.orders(symbol);
  // Every order at the venue is in the run's namespace.
  const foreign = listed.filter((o) => venue.localId(runId, o.wireId) === null).map((o) => o.wireId);
  expect(foreign, msg("orders at the venue outside the run's namespace")).toEqual([]);
  const orders = listed.map((o) => ({ ...o, clientId: venue.localId(runId, o.wireId) as string }));

  // One order per client id, and the parent's quantity ordered at most once.
  const ids = new Set(orders.map((o) => o.clientId));
  expect(ids.size, msg('distinct client ids at the venue = orders at the venue')).toBe(orders.length);
  const ordered = orders.reduce((s, o) => s + o.qty, 0);
  expect(ordered, msg('quantity ordered at the venue <= the parent')).toBeLessThanOrEqual(parentLots);

  // Never overfilled; filled at the end: the venue's executions, its orders, its account, and the
  // simulator's own record of trades and position agree.
  expect(await at.executed(symbol), msg('filled at the venue (its executions)')).toBe(parentLots);
  expect(
    orders.reduce((s, o) => s + o.filled, 0),
    msg('filled at the venue (its orders)'),
  ).toBe(parentLots);
  expect(await at.position(symbol), msg('position at the venue (its account)')).toBe(parentLots);
  const simulated = at.simulated(symbol);
  expect(simulated.executed, msg("filled at the simulated venue (the gateway's record)")).toBe(parentLots);
  expect(simulated.position, msg('position at the simulated venue')).toBe(parentLots);

  // Nothing open at the venue.
  expect(
    orders.filter((o) => o.open),
    msg('open orders at the venue'),
  ).toEqual([]);

  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow & { passed: number | null };
    expect(run.status, msg('run status')).toBe('finished');
    if (!othersRefused) {
      expect(run.passed, msg('expectations held')).toBe(1);
      const report = JSON.parse(run.report_json ?? '{}') as { expectations?: Array<{ name: string; pass: boolean }> };
      expect(
        report.expectations?.filter((e) => !e.pass),
        msg('failed expectations'),
      ).toEqual([]);
    }

    const stored = db
      .prepare(
        `SELECT o.client_order_id, o.status, o.qty, o.filled_qty,
                COALESCE((SELECT SUM(CAST(f.qty AS REAL)) FROM fills f
                          WHERE f.run_id = o.run_id AND f.client_order_id = o.client_order_id), 0) AS fills
           FROM orders o WHERE o.run_id = ? AND o.parent_order_id = ?`,
      )
      .all(runId, parentId) as StoreOrder[];
    const nonTerminal = stored.filter((o) => !isTerminal(o.status as OrderStatus));
    expect(nonTerminal, msg('non-terminal orders in the store')).toEqual([]);

    // Per client order id: the store's fills are the venue's.
    const byId = new Map(stored.map((o) => [o.client_order_id, o]));
    const unknown = orders.filter((o) => !byId.has(o.clientId)).map((o) => o.clientId);
    expect(unknown, msg('orders at the venue the store does not have')).toEqual([]);
    const venueFilled = new Map(orders.map((o) => [o.clientId, o.filled]));
    const mismatches = stored
      .map((o) => ({
        clientId: o.client_order_id,
        status: o.status,
        store: lots(o.filled_qty),
        storeFills: lots(o.fills),
        venue: venueFilled.get(o.client_order_id) ?? 0,
      }))
      .filter((m) => m.store !== m.venue || m.storeFills !== m.venue);
    expect(mismatches, msg('store fills vs the venue filled quantity')).toEqual([]);
    const storedTotal = stored.reduce((s, o) => s + lots(o.filled_qty), 0);
    expect(storedTotal, msg('filled in the store')).toBe(parentLots);
    // The parent's own row: done, and counting every child's fills, also those stored by the
    // processes before the last resume.
    const parent = db
      .prepare('SELECT status, filled_qty FROM orders WHERE run_id = ? AND client_order_id = ?')
      .get(runId, parentId) as { status: string; filled_qty: string };
    expect(parent.status, msg('the parent in the store')).toBe('filled');
    expect(lots(parent.filled_qty), msg('the parent row filled_qty')).toBe(parentLots);
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

/** One venue's test of one plan: rounds until its kills are in, each round checked. */
async function killAndResume(venueName: string, algo: string, venue: SigkillVenue, plan: Plan): Promise<void> {
  const name = `${venueName}-${algo}`;
  const seed = planSeed(venue, plan);
  const rand = rng(seed); // mulberry32: the kill plan is the seed's
  const started = Date.now();
  const log: string[] = [`${name}: plan seed ${seed} (FC_SEED=${SEED} reproduces the kill plan)`];
  const say = (s: string): void => void log.push(s);
  let kills = 0;
  let round = 0;
  while (
    kills < plan.targetKills &&
    round < plan.maxRounds &&
    (kills < plan.minKills || Date.now() - started < plan.roundBudgetMs)
  ) {
    round++;
    const watch = new GatewayWatch();
    const at = await venue.start(watch, plan.market);
    rounds.push(at);
    const file = path.join(dir, `${name}-round-${round}.db`);
    say(`round ${round} (${Date.now() - started} ms into the test)`);
    let result: RoundResult;
    try {
      result = await playRound(venue, plan, round, rand, at, watch, file, say);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${log.join('\n')}`, { cause: err });
    }
    kills += result.kills;
    const context = (): string => {
      const ids = at.desk.orders().map((r) => venue.localId(result.runId, r.clientOrderId) ?? r.clientOrderId);
      return `${log.join('\n')}\nevents of the round's orders:\n${eventsAround(file, result.runId, ids)}`;
    };
    const legs = legsOf(venue, plan);
    const refused = legs.filter((l) => result.refused.includes(l.parent));
    if (refused.length > 0) {
      say(
        `round ${round}: the order of ${refused.map((l) => l.parent).join(' and ')} was refused at a resume (killed before it reached the engine)`,
      );
      await checkRefusedRound(at, refused, refused.length === legs.length, file, result.runId, context);
    }
    for (const leg of legs)
      if (!refused.includes(leg)) await checkRound(venue, leg, at, file, result.runId, context, refused.length > 0);
    rounds.splice(rounds.indexOf(at), 1);
    await at.close();
  }
  say(`${name}: ${kills} kills in ${round} rounds, ${Date.now() - started} ms`);
  console.log(log.join('\n'));
  expect(kills, log.join('\n')).toBeGreaterThanOrEqual(plan.minKills);
}

/** The venues of a group of plans, each venue and plan a test of its own. */
const cases = (plans: readonly Plan[]) =>
  VENUES.flatMap((v) =>
    plans.filter((plan) => plan.file(v) !== null).map((plan) => [v.name, plan.algo, v, plan] as const),
  );

describe('paper run killed with SIGKILL and resumed', () => {
  // The venues at once: each has its own gateway, databases and kill plan, and a round mostly
  // waits on its child process and the gateway's latency, so they overlap well on two cores. The
  // TWAP's long tests first, then the shorter plans' together, so the machine holds about as many
  // children at once as with the TWAP alone.
  describe('a TWAP', () => {
    it.concurrent.each(cases(PLANS.filter((p) => p.algo === 'twap')))(
      'on %s, a %s: keeps the venue and the store in agreement, wherever the kills land',
      { timeout: VENUE_TIMEOUT_MS },
      killAndResume,
    );
  });
  describe('the other algorithms', () => {
    it.concurrent.each(cases(PLANS.filter((p) => p.algo !== 'twap')))(
      'on %s, a %s: keeps the venue and the store in agreement, wherever the kills land',
      { timeout: VENUE_TIMEOUT_MS },
      killAndResume,
    );
  });
});

describe('the parent row of a resumed run', () => {
  // RunWriter.rollback rebuilds the parents' totals from the durable log: a writer in a new
  // process (resume) that added to the parent's row only the children it changed itself left the
  // parent's filled_qty short of every fill the earlier processes stored.
  it('counts the children filled before the resume', () => {
    const loaded = loadScenarioFile(ALPACA.twapFile);
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
      expect(children.n).toBe(ALPACA.parentLots);
      expect(Number(parent.filled_qty)).toBe(ALPACA.parentLots);
    } finally {
      store.db.close();
    }
  });
});
