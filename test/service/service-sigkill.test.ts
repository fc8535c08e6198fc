// Crash safety of a paper service session, end to end over real processes and sockets: the local
// Alpaca gateway (`execsim gateway alpaca`, a process on a loopback port), and `execsim serve
// --session FILE` on a paper session trading there. A client posts a TWAP of 60 shares in 6
// slices over 3 s over HTTP; the server is killed with SIGKILL at one point of the TWAP, started
// again with the same file and database (the session resumes: startup reconciliation, slice
// recovery), and the client polls the parent's slices until the TWAP is done. Each kill point is
// a round of its own (its own session file and database, run side by side on the one gateway):
// - while the POST is in flight (written to the socket, not answered): the client posts the same
//   request again to the restarted server, which answers the parent if the first one committed it
//   (200) or makes it (201), never two,
// - right after the POST's 201 (the parent is durable; its first slice may or may not be out),
// - right after the last slice was sent (its fill may not have reached the session: the venue's
//   latency is 25-40 ms each way),
// - mid-TWAP (some slices sent, not all), and the restarted server killed again before it is
//   ready (in its startup reconciliation), then a third server,
// - mid-TWAP with SIGTERM instead (the session stored as interrupted), for comparison.
// Afterwards the venue, read through the official Alpaca SDK as an operator would, and the store
// must agree: at the venue one order per client order id, all in the run's namespace, nothing
// ordered or filled beyond the parent's 60 and exactly 60 filled (its orders and its executions),
// nothing open; in the store ONE session run (mode session) for the file, resumed once per kill
// or stop (ProcessRestarted), its parent filled 60, each order's fills the venue's, and the last
// server's SIGTERM storing it as interrupted. The TWAPs catch up what was missed while no server
// ran without the default cap (3 times a slice; the rest stays unsent), so each parent fills
// whole. Waits poll with a bounded timeout; nothing sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alpacaEndpoints, makeAlpacaClient } from '../../src/live/alpaca/alpaca-sdk.ts';
import { localLiveness, runState } from '../../src/store/run-state.ts';
import type { RunRow } from '../../src/store/stored-rows.ts';
import { storedRows } from '../support/stored-log.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
/** A deep static AAPL book with 25-40 ms latency each way (shared with test/paper/paper-sigkill.test.ts). */
const VENUE_FILE = 'test/fixtures/paper/sigkill-venue.yaml';
const KEY = 'svcsigkillkey01';
const SECRET = 'svcsigkillsecret0123456789';
const TOKEN = 'svc-sigkill-token-0123456789abcdef';
const PARENT = 'twap-1';
const QTY = 60;
const SLICES = 6;
/** How long a process may take to listen, a session to be ready, a TWAP to finish (ms): bounds
 *  for a loaded machine, where five servers starting at once took 11-19 s to listen at a load
 *  of 8-29 on two cores (one alone took 3-5 s); a wait ends as soon as its
 *  condition holds. */
const START_MS = 90_000;
const DONE_MS = 60_000;
const POLL_MS = 10;

/** Where a round kills its servers: the first at a point of the TWAP, then (optionally) the
 *  restarted one before it is ready. */
interface KillPlan {
  readonly name: string;
  /** When the first server is killed: once the TWAP's sent slices satisfy a condition, right
   *  after the POST's 201 ('answered'), or once the POST is written to the socket, its answer
   *  not awaited ('in-flight': the client posts it again to the restarted server). */
  readonly when: ((sent: number) => boolean) | 'answered' | 'in-flight';
  /** Kill the restarted server too, as soon as it listens (in its startup reconciliation). */
  readonly killRestart: boolean;
  /** How the first server is stopped: SIGKILL (crashed), or SIGTERM (stored as interrupted). */
  readonly signal?: 'SIGTERM';
  /** How the restart catches up the slices missed while no server ran (uncapped, so the parent
   *  fills whole: the default caps a slice at 3 times its size and leaves the rest unsent). */
  readonly catchUp: { catchUp: 'immediate' } | { catchUp: 'spread'; catchUpMaxMultiple: null };
}

const IMMEDIATE = { catchUp: 'immediate' } as const;
const SPREAD = { catchUp: 'spread', catchUpMaxMultiple: null } as const;

const PLANS: readonly KillPlan[] = [
  { name: 'in-flight', when: 'in-flight', killRestart: false, catchUp: IMMEDIATE },
  { name: 'answered', when: 'answered', killRestart: false, catchUp: SPREAD },
  { name: 'last-sent', when: (sent) => sent === SLICES, killRestart: false, catchUp: SPREAD },
  { name: 'mid-twice', when: (sent) => sent >= 2 && sent < SLICES, killRestart: true, catchUp: IMMEDIATE },
  {
    name: 'mid-sigterm',
    when: (sent) => sent >= 2 && sent < SLICES,
    killRestart: false,
    catchUp: SPREAD,
    signal: 'SIGTERM',
  },
];

const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  APCA_API_KEY_ID: KEY,
  APCA_API_SECRET_KEY: SECRET,
  EXECSIM_TOKEN: TOKEN,
};
delete ENV['NODE_OPTIONS'];

interface Proc {
  readonly proc: ChildProcess;
  /** The URL it printed once it listens (rejects if it exits first). */
  readonly url: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
}

let dir: string;
const procs: ChildProcess[] = [];

/** Starts `execsim ARGS` as a process; `url` resolves with the address it says it listens on. */
function execsim(args: readonly string[], listening: RegExp): Proc {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after ${START_MS} ms:\n${out}`)), START_MS);
    const look = (d: Buffer): void => {
      out += d.toString();
      const m = listening.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve(m[1] as string);
    };
    proc.stdout?.on('data', look);
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before it listened:\n${out}`));
    });
  });
  url.catch(() => {}); // read by the caller; an exit after listening is not an error here
  return { proc, url, exited, output: () => out };
}

/** Polls `check` until it returns a value (not undefined); throws after `ms`. */
async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** An HTTP answer, or undefined when the server did not answer (it was killed, or not yet up). */
async function call(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; body: Record<string, unknown>; replayed: string | null } | undefined> {
  try {
    const res = await fetch(`${base}api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      replayed: res.headers.get('idempotent-replayed'),
    };
  } catch {
    return undefined;
  }
}

/** Requests a client sends with a key before a kill and again after the restart: a reduce-only
 *  buy (refused whenever it comes: every round only buys, on one shared account, so the position
 *  is flat or long and a buy cannot reduce it; a sell would be taken once another round has
 *  bought, and trade), the kill switch. */
const KEYED = [
  {
    key: 'ro-buy',
    route: '/orders',
    body: { symbol: 'AAPL', side: 'buy', qty: '1', type: 'market', reduceOnly: true },
  },
  { key: 'ks-active', route: '/kill-switch', body: { state: 'active', actor: 'client', reason: 'drill' } },
] as const;

interface SliceState {
  readonly sliceNum: number;
  readonly clientOrderId: string;
  readonly status: string;
  readonly filledQty: string;
  readonly sentTime: string | null;
  readonly reason: string | null;
}

interface ParentState {
  readonly status: string;
  readonly filledQty: string;
  readonly slices: SliceState[];
}

async function slices(base: string): Promise<ParentState | undefined> {
  const res = await call(base, 'GET', `/orders/${PARENT}/slices`);
  return res?.status === 200 ? (res.body as unknown as ParentState) : undefined;
}

/** A server on the round's session file and database, listening. */
async function serve(round: Round): Promise<{ p: Proc; base: string }> {
  const p = execsim(
    [
      'serve',
      '--session',
      round.file,
      '--db',
      round.db,
      '--port',
      '0',
      '--venue-url',
      gatewayUrl,
      '--market-hours',
      'always',
    ],
    /listening on (http:\/\/127\.0\.0\.1:\d+\/)/,
  );
  return { p, base: await p.url };
}

/** POSTs `body` as a slicing request and resolves once it is written to the socket, its answer
 *  left unread (the server is killed next). */
function written(base: string, body: unknown): Promise<void> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}api/v1/orders/slice`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(data),
      },
    });
    req.on('error', () => {}); // the server dies under it
    req.once('finish', () => resolve());
    req.setTimeout(5_000, () => reject(new Error('the POST was not written within 5 s')));
    req.end(data);
  });
}

async function ready(base: string): Promise<void> {
  await waitFor('readyz 200', START_MS, async () =>
    (await call(base, 'GET', '/readyz'))?.status === 200 ? true : undefined,
  );
}

async function kill(p: Proc, what: string, log: string[]): Promise<void> {
  p.proc.kill('SIGKILL');
  const { signal } = await p.exited;
  expect(signal, `${what}: killed`).toBe('SIGKILL');
  log.push(`killed ${what}`);
}

interface Round {
  readonly plan: KillPlan;
  readonly file: string;
  readonly db: string;
  readonly log: string[];
}

/** One round: post the TWAP, kill by the plan, restart until it is done; returns the run id. */
async function playRound(round: Round): Promise<string> {
  const { plan, log } = round;
  const first = await serve(round);
  await ready(first.base);
  const twap = { parentId: PARENT, symbol: 'AAPL', side: 'buy', qty: String(QTY), duration: 'PT3S', slices: SLICES };
  const body = { ...twap, ...plan.catchUp };
  let plan1: string[] = [];
  if (plan.when === 'in-flight') await written(first.base, body);
  else {
    const posted = await call(first.base, 'POST', '/orders/slice', body);
    expect(posted?.status, `${plan.name}: the TWAP is taken: ${JSON.stringify(posted?.body)}`).toBe(201);
    plan1 = (posted?.body['slices'] as SliceState[]).map((x) => x.clientOrderId);
  }
  // Requests answered before the kill, sent again with their keys after the restart.
  const keyed: Array<{ status: number | undefined; body: Record<string, unknown> | undefined }> = [];
  if (plan.when === 'answered')
    for (const k of KEYED) {
      const a = await call(first.base, 'POST', k.route, k.body, k.key);
      keyed.push({ status: a?.status, body: a?.body });
      expect(a?.status, `${plan.name}: ${k.key}: ${JSON.stringify(a?.body)}`).toBe(k.key === 'ro-buy' ? 422 : 200);
    }
  if (typeof plan.when === 'function') {
    const when = plan.when;
    const at = await waitFor(`${plan.name}: the kill point`, DONE_MS, async () => {
      const s = await slices(first.base);
      const sent = s?.slices.filter((x) => x.sentTime !== null).length ?? 0;
      return s !== undefined && when(sent) ? s : undefined;
    });
    log.push(`at the kill: ${at.slices.map((x) => `${x.sliceNum} ${x.status}`).join(', ')}`);
  }
  if (plan.signal === 'SIGTERM') {
    first.p.proc.kill('SIGTERM');
    const { code } = await first.p.exited;
    expect(code, `${plan.name}: SIGTERM stops the server cleanly\n${first.p.output()}`).toBe(0);
    log.push('stopped the first server (SIGTERM)');
  } else await kill(first.p, 'the first server', log);
  const runs = runRows(round.db);
  expect(runs.length, `${plan.name}: one run`).toBe(1);
  expect(runState(runs[0] as RunRow, localLiveness()), `${plan.name}: the stopped session`).toBe(
    plan.signal === 'SIGTERM' ? 'interrupted' : 'crashed',
  );
  let last = await serve(round);
  if (plan.killRestart) {
    log.push(`restarted: readyz ${(await call(last.base, 'GET', '/readyz'))?.status}`);
    await kill(last.p, 'the restarted server', log);
    last = await serve(round);
  }
  await ready(last.base);
  if (plan.when === 'in-flight' || plan.when === 'answered') {
    // The client posts the same request again (it never heard, or does not trust what it heard).
    // The parent the first server committed is answered as it was (201 with the plan the first
    // answer told, from the session's request journal in the log); one it did not commit is made
    // now (201). Never two.
    const again = await call(last.base, 'POST', '/orders/slice', body);
    log.push(`posted again: ${again?.status} ${again?.replayed ?? ''}`);
    const ids = (again?.body['slices'] as SliceState[] | undefined)?.map((x) => x.clientOrderId);
    if (plan.when === 'answered')
      expect([again?.status, again?.replayed, ids], `${plan.name}: the same POST again`).toEqual([201, 'true', plan1]);
    else expect(again?.status, `${plan.name}: the same POST again: ${JSON.stringify(again?.body)}`).toBe(201);
    // The keyed requests answered before the kill: the same status and ids after the restart.
    for (const [i, k] of KEYED.entries()) {
      if (plan.when !== 'answered') break;
      const before = keyed[i]!;
      const after = await call(last.base, 'POST', k.route, k.body, k.key);
      log.push(`${k.key}: ${before.status}, again ${after?.status} ${after?.replayed ?? ''}`);
      expect([after?.status, after?.replayed], `${plan.name}: ${k.key} again`).toEqual([before.status, 'true']);
      expect(after?.body['parentId'] ?? after?.body['detail'], `${plan.name}: ${k.key} again`).toEqual(
        before.body?.['parentId'] ?? before.body?.['detail'],
      );
    }
  }
  const done = await waitFor(`${plan.name}: the TWAP done`, DONE_MS, async () => {
    const s = await slices(last.base);
    return s !== undefined && s.status !== 'working' ? s : undefined;
  });
  log.push(
    `done: ${done.status} ${done.filledQty}: ` +
      done.slices.map((x) => `${x.sliceNum} ${x.status} ${x.filledQty}${x.reason ? ` (${x.reason})` : ''}`).join(', '),
  );
  expect(done.status, `${plan.name}: the parent\n${log.join('\n')}`).toBe('filled');
  expect(done.filledQty, `${plan.name}: the parent's filled quantity`).toBe(String(QTY));
  last.p.proc.kill('SIGTERM');
  const { code } = await last.p.exited;
  expect(code, `${plan.name}: SIGTERM stops the server cleanly\n${last.p.output()}`).toBe(0);
  return (runRows(round.db)[0] as RunRow).id;
}

function runRows(db: string): RunRow[] {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return d.prepare('SELECT * FROM runs').all() as RunRow[];
  } finally {
    d.close();
  }
}

let gatewayUrl: string;
let gateway: Proc;
const sdk = () =>
  makeAlpacaClient({ keyId: KEY, secret: SECRET, endpoints: alpacaEndpoints(gatewayUrl), requestTimeoutMs: 5_000 });

interface VenueOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly qty: number;
  readonly filled: number;
  readonly status: string;
}

const field = (o: Record<string, unknown>, camel: string, snake: string): unknown => o[camel] ?? o[snake];

/** Every AAPL order at the venue, through the SDK. */
async function venueOrders(): Promise<VenueOrder[]> {
  const all = await sdk().trading.orders.getAllOrders({ status: 'all', direction: 'asc', limit: 500, symbols: 'AAPL' });
  return (all as unknown as Array<Record<string, unknown>>).map((o) => ({
    id: String(o['id']),
    clientOrderId: String(field(o, 'clientOrderId', 'client_order_id')),
    qty: Number(o['qty']),
    filled: Number(field(o, 'filledQty', 'filled_qty')),
    status: String(o['status']),
  }));
}

/** The venue's executions (FILL activities), by its order id: read raw, as the SDK's activity
 *  model keeps no order id. */
async function venueExecutions(): Promise<Map<string, number>> {
  const res = await sdk().trading.accountActivities.getAccountActivitiesByActivityTypeRaw({
    activityType: 'FILL',
    direction: 'asc',
    pageSize: 100,
  });
  const rows = (await res.raw.json()) as Array<{ order_id: string; qty: string }>;
  if (rows.length >= 100) throw new Error('more than one page of fills: read the next pages');
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.order_id, (by.get(r.order_id) ?? 0) + Number(r.qty));
  return by;
}

const OPEN = ['new', 'partially_filled', 'pending_cancel', 'accepted', 'pending_new'];

/** The round's run at the venue and in the store. */
function checkRound(
  round: Round,
  runId: string,
  listed: readonly VenueOrder[],
  executions: ReadonlyMap<string, number>,
): void {
  const msg = (what: string): string => `${round.plan.name}: ${what}\n${round.log.join('\n')}`;
  const prefix = `${runId}-`;
  const ours = listed.filter((o) => o.clientOrderId.startsWith(prefix));
  const ids = ours.map((o) => o.clientOrderId.slice(prefix.length));
  expect(new Set(ids).size, msg('one order per client order id at the venue')).toBe(ours.length);
  expect(ours.length, msg('orders at the venue')).toBeGreaterThan(0);
  expect(
    ours.reduce((s, o) => s + o.qty, 0),
    msg('quantity ordered at the venue <= the parent'),
  ).toBeLessThanOrEqual(QTY);
  expect(
    ours.reduce((s, o) => s + o.filled, 0),
    msg('filled at the venue (its orders)'),
  ).toBe(QTY);
  expect(
    ours.reduce((s, o) => s + (executions.get(o.id) ?? 0), 0),
    msg('filled at the venue (its executions)'),
  ).toBe(QTY);
  expect(
    ours.filter((o) => OPEN.includes(o.status)).map((o) => o.clientOrderId),
    msg('open orders at the venue'),
  ).toEqual([]);

  const db = new Database(round.db, { readonly: true, fileMustExist: true });
  try {
    const runs = db.prepare('SELECT * FROM runs').all() as RunRow[];
    expect(
      runs.map((r) => [r.id, r.mode, r.status]),
      msg('one session run, stopped by SIGTERM'),
    ).toEqual([[runId, 'session', 'interrupted']]);
    const restarts = storedRows(db, runId).filter((r) => r.kind === 'ProcessRestarted').length;
    expect(restarts, msg('ProcessRestarted once per kill or stop')).toBe(round.plan.killRestart ? 2 : 1);
    const stored = db
      .prepare(
        `SELECT o.client_order_id AS id, o.filled_qty AS filled,
                COALESCE((SELECT SUM(CAST(f.qty AS REAL)) FROM fills f
                          WHERE f.run_id = o.run_id AND f.client_order_id = o.client_order_id), 0) AS fills
           FROM orders o WHERE o.run_id = ? AND o.parent_order_id = ?`,
      )
      .all(runId, PARENT) as Array<{ id: string; filled: string; fills: number }>;
    const atVenue = new Map(ours.map((o) => [o.clientOrderId.slice(prefix.length), o.filled]));
    expect(
      stored
        .map((o) => ({ id: o.id, store: Number(o.filled), fills: o.fills, venue: atVenue.get(o.id) ?? 0 }))
        .filter((o) => o.store !== o.venue || o.fills !== o.venue),
      msg('per client order id, the store filled what the venue filled'),
    ).toEqual([]);
    expect(
      ids.filter((id) => !stored.some((o) => o.id === id)),
      msg('orders at the venue the store does not have'),
    ).toEqual([]);
    const parent = db
      .prepare('SELECT status, filled_qty FROM orders WHERE run_id = ? AND client_order_id = ?')
      .get(runId, PARENT) as { status: string; filled_qty: string };
    expect([parent.status, Number(parent.filled_qty)], msg('the parent in the store')).toEqual(['filled', QTY]);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-service-kill-'));
  gateway = execsim(
    ['gateway', 'alpaca', '--scenario', VENUE_FILE, '--port', '0'],
    /Alpaca-compatible venue on (http:\/\/127\.0\.0\.1:\d+)/,
  );
  gatewayUrl = await gateway.url;
});

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  if (process.env['SERVICE_SIGKILL_KEEP'] !== undefined) console.log(`kept ${dir}`);
  else if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

/** The paper session every round trades: no orders (they come over HTTP). */
const sessionFile = (name: string): string => `name: ${name}
description: A paper session for the service SIGKILL test
seed: 5
mode: paper
venue: { name: alpaca-equities }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
reconciliation: { periodMs: 2000 }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
`;

describe('a paper service session killed with SIGKILL and started again', () => {
  it(
    'resumes its TWAP to exactly the parent at the venue, wherever the kill lands',
    { timeout: 2 * (2 * START_MS + 2 * DONE_MS) },
    async () => {
      const rounds: Round[] = PLANS.map((plan) => {
        const file = path.join(dir, `${plan.name}.yaml`);
        fs.writeFileSync(file, sessionFile(`svc-kill-${plan.name}`));
        return { plan, file, db: path.join(dir, `${plan.name}.db`), log: [] };
      });
      const settled = await Promise.allSettled(rounds.map((r) => playRound(r)));
      const failed = settled.flatMap((s, i) =>
        s.status === 'rejected' ? [`${rounds[i]!.plan.name}: ${(s.reason as Error).message}`] : [],
      );
      expect(failed, `rounds that failed:\n${failed.join('\n\n')}\ngateway:\n${gateway.output()}`).toEqual([]);
      const listed = await venueOrders();
      const executions = await venueExecutions();
      rounds.forEach((r, i) => checkRound(r, (settled[i] as PromiseFulfilledResult<string>).value, listed, executions));
      console.log(rounds.map((r) => `${r.plan.name}:\n  ${r.log.join('\n  ')}`).join('\n'));
      // Nothing but the rounds' runs traded, and the account holds what they bought.
      const position = (await sdk().trading.positions.getOpenPosition({ symbolOrAssetId: 'AAPL' })) as unknown as {
        qty: string;
      };
      expect(Number(position.qty)).toBe(QTY * rounds.length);
      expect(listed.reduce((s, o) => s + o.filled, 0)).toBe(QTY * rounds.length);
    },
  );
});
