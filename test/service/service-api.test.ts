// The execution service's routes through app.request(), against a sim session whose venue and
// node run on a clock the test advances: the seeds' cases (103 over 5 slices is 21, 21, 21, 20,
// 20; a halted switch or a tripped breaker lets no slice out; a cancel racing a slice that fires;
// the same request twice makes one parent), single orders, signals, cancels, the operator
// controls, quotes and readiness, and readiness while the market data runs on the quote fallback.
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { sessionMetrics } from '../../src/server/session-metrics.ts';
import {
  advance,
  SANDBOX,
  sessionApp,
  simSession,
  until,
  type SessionAppFixture,
  type SessionFixture,
} from '../support/session-fixture.ts';

const TOKEN = 'session-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let served: SessionAppFixture | undefined;
let f: SessionFixture;
let app: SessionAppFixture['app'];

/** A JSON answer, read loosely (each test checks the fields it reads). */
type Json = ReturnType<typeof JSON.parse>;

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await app.request(`http://127.0.0.1/api/v1${path}`, {
    method,
    headers: { ...auth, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Json) : null,
    replayed: res.headers.get('idempotent-replayed'),
  };
};
const get = (path: string) => call('GET', path);
const post = (path: string, body: unknown, headers?: Record<string, string>) => call('POST', path, body, headers);

const twap = (over: Record<string, unknown> = {}) => ({
  symbol: 'BTCUSDT',
  side: 'buy',
  qty: '0.00103',
  duration: 'PT5S',
  slices: 5,
  ...over,
});

/** Rests a bid of 0.001 BTCUSDT at 50000 under `parentId` (201): its child's client order id. */
const restingBid = async (parentId: string): Promise<string> => {
  const placed = await post('/orders', {
    symbol: 'BTCUSDT',
    side: 'buy',
    qty: '0.001',
    type: 'limit',
    limitPrice: '50000',
    parentId,
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return f.session.ledger.childrenOf(parentId as never)[0]!.request.clientOrderId;
};

/** Orders our node sent (SubmitOrder entries) after `seq`. */
const sentAfter = (seq: number) => f.session.entriesAfter(seq).filter((e) => e.event.kind === 'SubmitOrder').length;

beforeAll(async () => {
  served = await sessionApp(SANDBOX, TOKEN);
  ({ f, app } = served);
});
afterAll(async () => {
  await served?.close();
});

describe('POST /orders/slice', () => {
  it('takes an execution algorithm: an implementation-shortfall plan front-loads the same grid, a bad one is a 400 at its field', async () => {
    const is = await post('/orders/slice', {
      ...twap({ parentId: 'algo-is', qty: '0.01', slices: 5 }),
      algo: { kind: 'is', urgency: 1, volatility: 0.5, impact: 0.001 },
    });
    expect(is.status).toBe(201);
    const sizes = (is.body!['slices'] as Array<Json>).map((x) => Number(x['qty']));
    expect(sizes).toHaveLength(5);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeCloseTo(0.01, 10);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
    expect(sizes[0]).toBeGreaterThan(sizes[4]!);
    const plan = f.session
      .entriesAfter(0)
      .find((e) => e.event.kind === 'TwapPlanned' && e.event.parentId === 'algo-is');
    expect(plan?.event.kind === 'TwapPlanned' && plan.event.trajectory?.kind).toBe('almgren-chriss');

    const pov = await post('/orders/slice', {
      ...twap({ parentId: 'algo-pov', qty: '0.002' }),
      algo: { kind: 'pov', rate: 0.05, end: 'stop' },
    });
    expect(pov.status).toBe(201);
    const stored = f.session
      .entriesAfter(0)
      .find((e) => e.event.kind === 'TwapPlanned' && e.event.parentId === 'algo-pov');
    expect(stored?.event.kind === 'TwapPlanned' && stored.event.trajectory).toEqual({
      kind: 'pov',
      rate: 0.05,
      maxRate: null,
      minChildQty: 0,
      end: 'stop',
    });

    // An iceberg runs over the request's duration: its plan stored, its children decided as it runs.
    const ice = await post('/orders/slice', {
      ...twap({ parentId: 'algo-ice', qty: '0.002' }),
      algo: { kind: 'iceberg', display: '0.0005', peg: 'touch' },
    });
    expect(ice.status).toBe(201);
    const icePlan = f.session
      .entriesAfter(0)
      .find((e) => e.event.kind === 'AlgoPlanned' && e.event.parentId === 'algo-ice');
    expect(icePlan?.event.kind === 'AlgoPlanned' && icePlan.event.algo).toBe('iceberg');
    // A module's code is loaded from the session file, never from a path in a request.
    const module = await post('/orders/slice', {
      ...twap({ parentId: 'algo-module' }),
      algo: { kind: 'module', path: './x.ts' },
    });
    expect(module.status).toBe(400);
    expect(module.body.errors).toEqual([
      { path: 'body.algo.path', message: expect.stringMatching(/^a module algorithm comes from the session file/) },
    ]);

    const bad = await post('/orders/slice', { ...twap({ parentId: 'algo-bad' }), algo: { kind: 'pov', rate: 2 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('algo.rate');
    const unknown = await post('/orders/slice', { ...twap({ parentId: 'algo-bad2' }), algo: { kind: 'sniper' } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('algo.kind');
    expect(f.session.ledger.parents.has('algo-bad' as never)).toBe(false);
    for (const id of ['algo-is', 'algo-pov', 'algo-ice'])
      await until(f.clock, () => f.session.ledger.parents.get(id as never)?.completed != null, 30_000);
  });

  it('takes a placement policy, stored with the plan; a signal with one is sliced; a bad one is a 400 at its field', async () => {
    const chased = await post('/orders/slice', {
      ...twap({ parentId: 'placed-chaser', qty: '0.002' }),
      placement: { kind: 'chaser', thresholdTicks: 1, everyMs: 500 },
    });
    expect(chased.status).toBe(201);
    const plan = f.session
      .entriesAfter(0)
      .find((e) => e.event.kind === 'TwapPlanned' && e.event.parentId === 'placed-chaser');
    expect(plan?.event.kind === 'TwapPlanned' && plan.event.placement).toEqual({
      kind: 'chaser',
      offsetTicks: 0,
      thresholdTicks: 1,
      everyMs: 500,
      maxChases: 10,
    });
    const children = f.session
      .entriesAfter(0)
      .filter((e) => e.event.kind === 'OrderCreated' && e.event.parentId === 'placed-chaser');
    expect(children.every((e) => e.event.kind === 'OrderCreated' && e.event.type === 'limit')).toBe(true);

    const signal = await post('/signals', {
      signalId: 'placed-signal',
      symbol: 'BTCUSDT',
      side: 'buy',
      qty: '0.002',
      // A limit far under the market (and no later test's price: signals dedup by price): its
      // children are held to it, so they rest there until cancelled.
      price: '50001',
      placement: { kind: 'passive-then-cross', crossWhenBehind: 0.1 },
    });
    expect(signal.status, JSON.stringify(signal.body)).toBe(201);
    const planned = () =>
      f.session
        .entriesAfter(0)
        .find((e) => e.event.kind === 'TwapPlanned' && e.event.placement?.kind === 'passive-then-cross');
    await until(f.clock, () => planned() !== undefined, 10_000);
    const signalPlan = planned();
    expect(signalPlan?.event.kind === 'TwapPlanned' && signalPlan.event.placement).toEqual({
      kind: 'passive-then-cross',
      offsetTicks: 0,
      crossWhenBehind: { share: 0.1 },
    });

    const bad = await post('/orders/slice', {
      ...twap({ parentId: 'placed-bad' }),
      placement: { kind: 'chaser', everyMs: 5 },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('placement.everyMs');
    const offGrid = await post('/orders/slice', {
      ...twap({ parentId: 'placed-bad2' }),
      placement: { kind: 'passive-then-cross', crossWhenBehindQty: '0.000001' },
    });
    expect(offGrid.status).toBe(400);
    expect(JSON.stringify(offGrid.body)).toContain('body.placement.crossWhenBehindQty');
    expect(f.session.ledger.parents.has('placed-bad' as never)).toBe(false);
    const accepted = f.session
      .entriesAfter(0)
      .find((e) => e.event.kind === 'SignalAccepted' && e.event.signalId === 'placed-signal');
    const signalParent = accepted?.event.kind === 'SignalAccepted' ? (accepted.event.parentId as string) : '';
    await until(f.clock, () => f.session.ledger.parents.get('placed-chaser' as never)?.completed != null, 60_000);
    await until(f.clock, () => f.session.ledger.childrenOf(signalParent as never).some((c) => c.attempts > 0), 60_000);
    for (const c of f.session.ledger.childrenOf(signalParent as never))
      if (c.attempts > 0) expect(c.request.limitPrice).toBeLessThanOrEqual(5_000_100);
    expect((await call('DELETE', `/orders/${signalParent}/slices`, {})).status).toBe(200);
  });

  it('plans 103 lots over 5 slices as 21, 21, 21, 20, 20, fills them, and answers the same request once', async () => {
    const first = await post('/orders/slice', twap(), { 'idempotency-key': 'seed-103' });
    expect(first.status).toBe(201);
    expect(first.body!['parentId']).toBe('seed-103');
    const slices = first.body!['slices'] as Array<Json>;
    expect(slices.map((s) => s['qty'])).toEqual(['0.00021', '0.00021', '0.00021', '0.0002', '0.0002']);
    expect(slices.map((s) => s['sliceNum'])).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(slices.map((s) => s['clientOrderId'])).size).toBe(5);
    const due = slices.map((s) => Date.parse(s['scheduledTime']));
    expect(due.slice(1).map((t, i) => t - due[i]!)).toEqual([1000, 1000, 1000, 1000]);

    const again = await call('POST', '/orders/slice', twap(), { 'idempotency-key': 'seed-103' });
    expect(again.status).toBe(201);
    expect(again.replayed).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await post('/orders/slice', twap({ qty: '0.002' }), { 'idempotency-key': 'seed-103' });
    expect(other.status).toBe(409);
    expect([...f.session.ledger.parents.keys()].filter((k) => k === 'seed-103')).toHaveLength(1);

    await until(f.clock, () => f.session.ledger.parents.get('seed-103' as never)?.completed != null, 30_000);
    const state = await get('/orders/seed-103/slices');
    expect(state.status).toBe(200);
    expect(state.body!['status']).toBe('filled');
    expect(state.body!['filledQty']).toBe('0.00103');
    for (const s of state.body!['slices'] as Array<Json>) {
      expect(s['status']).toBe('filled');
      expect(s['avgPrice']).toMatch(/^\d+(\.\d+)?$/);
      expect(Date.parse(s['sentTime'])).toBeGreaterThanOrEqual(Date.parse(s['scheduledTime']));
    }
  });

  it('refuses an audit field that is blank or holds a control character, naming it, and changes nothing', async () => {
    const mark = f.session.lastSeq;
    const cases: Array<[string, Json, string, string]> = [
      ['/kill-switch', { state: 'halted', actor: ' ', reason: 'drill' }, 'body.actor', 'must name who acts'],
      ['/kill-switch', { state: 'halted', actor: 'ops', reason: '\u0000' }, 'body.reason', 'must not hold control'],
      ['/breaker', { action: 'trip', actor: 'ops', reason: 'a\nb' }, 'body.reason', 'must not hold control'],
      ['/breaker', { action: 'trip', actor: '', reason: 'x' }, 'body.actor', 'must name who acts'],
    ];
    for (const [route, body, path, says] of cases) {
      const res = await post(route, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const errors = res.body!['errors'] as Array<{ path: string; message: string }>;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path });
      expect(errors[0]!.message).toContain(says);
    }
    expect(f.session.lastSeq).toBe(mark);
  });

  it('refuses a halted kill switch and a tripped breaker with 409, and lets no slice out while either holds', async () => {
    const running = await post('/orders/slice', twap({ parentId: 'halt-mid', duration: 'PT4S', slices: 4 }));
    expect(running.status).toBe(201);
    await until(f.clock, () => sentAfter(0) > 0 && f.session.ledger.childrenOf('halt-mid' as never)[0]!.attempts > 0);
    const halted = await post('/kill-switch', { state: 'halted', actor: 'ops', reason: 'drill' });
    expect(halted.status).toBe(200);
    expect(halted.body!['killSwitch']).toBe('halted');
    const mark = f.session.lastSeq;
    const refused = await post('/orders/slice', twap({ parentId: 'while-halted' }));
    expect(refused.status).toBe(409);
    expect(refused.body!['type']).toMatch(/safety-blocked/);
    expect(f.session.ledger.parents.has('while-halted' as never)).toBe(false);
    await advance(f.clock, 5_000);
    expect(sentAfter(mark)).toBe(0);
    const slices = (await get('/orders/halt-mid/slices')).body!['slices'] as Array<Json>;
    expect(slices.filter((s) => s['status'] === 'pending_new' || s['reason'] !== null).length).toBeGreaterThan(0);
    expect(slices.some((s) => /kill switch/.test(String(s['reason'])))).toBe(true);
    expect((await post('/kill-switch', { state: 'active', actor: 'ops', reason: 'over' })).status).toBe(200);

    expect(
      (await post('/breaker', { action: 'trip', actor: 'ops', reason: 'drill' })).body!['breaker']['tripped'],
    ).toBe(true);
    const mark2 = f.session.lastSeq;
    expect((await post('/orders/slice', twap({ parentId: 'while-tripped' }))).status).toBe(409);
    await advance(f.clock, 2_000);
    expect(sentAfter(mark2)).toBe(0);
    const reset = await post('/breaker', { action: 'reset', actor: 'ops', reason: 'drill over' });
    expect(reset.body!['breaker']['tripped']).toBe(false);
    const audit = f.session
      .entriesAfter(0)
      .filter((e) => e.event.kind === 'KillSwitchChanged' || e.event.kind === 'CircuitBreakerReset');
    expect(audit.map((e) => (e.event as { actor?: string }).actor)).toEqual(['ops', 'ops', 'ops']);
  });

  it('cancels what has not gone out when a DELETE races a slice that fires, and never leaves the parent active', async () => {
    const plan = await post('/orders/slice', twap({ parentId: 'race', duration: 'PT3S', slices: 3 }));
    const due = (plan.body!['slices'] as Array<Json>).map((s) => Date.parse(s['scheduledTime']));
    // At the instant the second slice is due: its timer and the cancel are both waiting.
    await until(f.clock, () => f.clock.now() >= due[1]! - 5);
    f.clock.advanceTo(due[1]!);
    const del = await call('DELETE', '/orders/race/slices', {});
    expect(del.status).toBe(200);
    const all = [...del.body!['cancelled'], ...del.body!['cancelling'], ...del.body!['alreadyDone']];
    expect(all.sort()).toEqual((plan.body!['slices'] as Array<Json>).map((s) => s['clientOrderId']).sort());
    expect(del.body!['cancelled'].length).toBeGreaterThan(0);
    await until(f.clock, () => f.session.ledger.parents.get('race' as never)?.completed != null, 30_000);
    for (const id of del.body!['cancelled'] as string[]) expect(f.session.ledger.order(id as never)!.attempts).toBe(0);
    expect((await get('/orders/race/slices')).body!['status']).not.toBe('working');
  });

  it('cancels with no body at all, the reason from the query or a default; a bad query reason is a 400', async () => {
    const bare = async (method: string, path: string) => {
      const res = await app.request(`http://127.0.0.1/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const reasons = (id: string) =>
      f.session
        .entriesAfter(0)
        .flatMap((e) => (e.event.kind === 'ParentCancelRequested' && e.event.parentId === id ? [e.event.reason] : []));
    for (const [id, path, want] of [
      ['bare-1', '/orders/bare-1/slices', 'cancelled over HTTP'],
      ['bare-2', '/orders/bare-2/slices?reason=enough%20for%20today', 'enough for today'],
    ] as const) {
      expect((await post('/orders/slice', twap({ parentId: id, duration: 'PT30S', slices: 3 }))).status).toBe(201);
      const del = await bare('DELETE', path);
      expect(del.status, JSON.stringify(del.body)).toBe(200);
      expect(reasons(id)).toEqual([want]);
    }
    const child = await restingBid('bare-3');
    expect((await bare('POST', `/orders/${child}/cancel?reason=manual`)).status).toBe(200);
    expect(reasons('bare-3')).toEqual(['manual']);
    // A TWAP's slice exists but is not cancelled alone: a conflict naming the parent, not a 404.
    expect((await post('/orders/slice', twap({ parentId: 'bare-4', duration: 'PT30S', slices: 3 }))).status).toBe(201);
    const slice = f.session.ledger.childrenOf('bare-4' as never)[0]!.request.clientOrderId;
    const refused = await bare('POST', `/orders/${slice}/cancel`);
    expect([refused.status, refused.body['detail']]).toEqual([
      409,
      `order (slice-of-parent): ${slice} is a slice of parent bare-4: cancel the parent (its remaining slices) instead`,
    ]);
    expect(reasons('bare-4')).toEqual([]);
    const empty = await bare('DELETE', '/orders/bare-1/slices?reason=');
    expect([empty.status, empty.body['errors']]).toEqual([400, [{ path: 'query.reason', message: 'must say why' }]]);
  });

  it('refuses a cancel whose reason is in the body and the query and differs, naming both; the same twice is one', async () => {
    const reasons = (id: string) =>
      f.session
        .entriesAfter(0)
        .flatMap((e) => (e.event.kind === 'ParentCancelRequested' && e.event.parentId === id ? [e.event.reason] : []));
    expect((await post('/orders/slice', twap({ parentId: 'two-reasons', duration: 'PT30S', slices: 3 }))).status).toBe(
      201,
    );
    const mark = f.session.lastSeq;
    const both = 'a reason is given in the body and in the query, and they differ: give it once';
    const two = await call('DELETE', '/orders/two-reasons/slices?reason=a', { reason: 'b' });
    expect([two.status, two.body!['errors']]).toEqual([
      400,
      [
        { path: 'body.reason', message: both },
        { path: 'query.reason', message: both },
      ],
    ]);
    expect(f.session.lastSeq).toBe(mark);
    const child = await restingBid('two-reasons-single');
    const mark2 = f.session.lastSeq;
    const order = await post(`/orders/${child}/cancel?reason=a`, { reason: 'b' });
    expect([order.status, order.body!['errors'].map((e: Json) => e['path'])]).toEqual([
      400,
      ['body.reason', 'query.reason'],
    ]);
    expect(f.session.lastSeq).toBe(mark2);
    expect(reasons('two-reasons')).toEqual([]);
    // The same reason in both places says one thing.
    const same = await call('DELETE', '/orders/two-reasons/slices?reason=done', { reason: 'done' });
    expect(same.status).toBe(200);
    expect(reasons('two-reasons')).toEqual(['done']);
  });

  it('names the field of a bad request, refuses another symbol, and answers 404 for an unknown parent', async () => {
    const bad = await post('/orders/slice', { ...twap(), qty: '-1', side: 'hold' });
    expect(bad.status).toBe(400);
    const paths = (bad.body!['errors'] as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['body.qty', 'body.side']);
    const neither = await post('/orders/slice', { ...twap(), slices: undefined });
    expect(neither.body!['errors']).toEqual([
      { path: 'body.interval', message: 'give exactly one of interval and slices' },
    ]);
    const eth = await post('/orders/slice', twap({ symbol: 'ETHUSDT' }));
    expect(eth.status).toBe(400);
    expect(eth.body!['errors']).toEqual([{ path: 'body.symbol', message: 'this session trades BTCUSDT, not ETHUSDT' }]);
    expect((await get('/orders/nope/slices')).status).toBe(404);
    const key = await post('/orders/slice', twap(), { 'idempotency-key': 'has space' });
    expect(key.body!['errors']).toEqual([
      { path: 'header.Idempotency-Key', message: 'must be 1 to 64 letters, digits, _ or -' },
    ]);
  });

  it('refuses a TWAP longer than 366 days with 400 naming body.duration, writing nothing', async () => {
    const mark = f.session.lastSeq;
    const long = await post('/orders/slice', twap({ parentId: 'forever', duration: 'P99999D', slices: 2 }));
    expect(long.status).toBe(400);
    expect(long.body!['errors']).toEqual([
      { path: 'body.duration', message: '"P99999D" is longer than a TWAP may run: at most P366D (366 days)' },
    ]);
    const interval = await post('/orders/slice', twap({ parentId: 'forever', slices: undefined, interval: 'P400D' }));
    expect(interval.status).toBe(400);
    expect((interval.body!['errors'] as Array<{ path: string }>).map((e) => e.path)).toEqual(['body.interval']);
    expect(f.session.ledger.parents.has('forever' as never)).toBe(false);
    expect(sentAfter(mark)).toBe(0);
  });

  it("answers a plan with the planner's changes as warnings, and none for a plan kept as asked", async () => {
    // One slice a second for 366 days is 31,622,400 slices of 103 lots: the minimum notional
    // leaves 11 (the sandbox's price makes a 5 USDT slice 9 or 10 lots).
    const fine = await post(
      '/orders/slice',
      twap({ parentId: 'too-fine', duration: 'P366D', slices: undefined, interval: 'PT1S' }),
    );
    expect(fine.status).toBe(201);
    const warnings = fine.body!['warnings'] as Array<Json>;
    expect(warnings.map((w) => [w['kind'], w['parent'], w['asked']])).toEqual([
      ['twap_slices', 'too-fine', '31622400 slices'],
      ['twap_interval', 'too-fine', 'PT1S'],
    ]);
    expect(warnings[0]['planned']).toBe(`${fine.body!['totalSlices']} slices`);
    expect(warnings[0]['why']).toMatch(/^lowered so that every slice is worth the minimum notional of 5 at the price /);
    const again = await post(
      '/orders/slice',
      twap({ parentId: 'too-fine', duration: 'P366D', slices: undefined, interval: 'PT1S' }),
    );
    expect(again.status).toBe(201);
    expect(again.body!['warnings']).toEqual(warnings);
    await call('DELETE', '/orders/too-fine/slices', {});
    const kept = await post('/orders/slice', twap({ parentId: 'kept' }));
    expect(kept.status).toBe(201);
    expect(kept.body!['warnings']).toEqual([]);
    await call('DELETE', '/orders/kept/slices', {});
  });

  it('refuses an order above the pre-trade maximum with 422 naming the check, writing nothing', async () => {
    const mark = f.session.lastSeq;
    const big = await post('/orders/slice', twap({ parentId: 'too-big', qty: '500' }));
    expect(big.status).toBe(422);
    expect(big.body!['detail']).toMatch(/max-order-notional/);
    expect(f.session.ledger.parents.has('too-big' as never)).toBe(false);
    expect(sentAfter(mark)).toBe(0);
  });
});

describe('single orders, signals and cancels', () => {
  it('rests a limit order, lists it open, shows it with its history, and cancels it', async () => {
    const placed = await post('/orders', {
      parentId: 'bid-1',
      symbol: 'BTCUSDT',
      side: 'buy',
      qty: '0.001',
      type: 'limit',
      limitPrice: '50000',
    });
    expect(placed.status).toBe(201);
    const id = placed.body!['orders'][0]['clientOrderId'] as string;
    await until(f.clock, () => f.session.ledger.order(id as never)?.status === 'accepted');
    const open = await get('/orders?status=open&parentId=bid-1');
    expect(open.body!['items'].map((o: Record<string, string>) => o['clientOrderId'])).toEqual([id]);
    const one = await get(`/orders/${id}`);
    expect(one.body!['status']).toBe('accepted');
    expect(one.body!['limitPrice']).toBe('50000');
    expect(one.body!['history'].map((h: { kind: string }) => h.kind)).toContain('AckReport');
    const cancelled = await post(`/orders/${id}/cancel`, { reason: 'no longer wanted' });
    expect(cancelled.status).toBe(200);
    await until(f.clock, () => f.session.ledger.order(id as never)?.status === 'canceled');
    expect((await get('/orders?status=open&parentId=bid-1')).body!['items']).toEqual([]);
    expect((await post('/orders/nope/cancel', {})).status).toBe(404);
  });

  it('fills a market order, shows its fills, and moves the position', async () => {
    const before = (await get('/positions')).body!['items'][0];
    const placed = await post('/orders', { parentId: 'mkt-1', symbol: 'BTCUSDT', side: 'sell', qty: '0.002' });
    expect(placed.status).toBe(201);
    await until(f.clock, () => f.session.ledger.parents.get('mkt-1' as never)?.completed != null);
    const id = placed.body!['orders'][0]['clientOrderId'] as string;
    const one = await get(`/orders/${id}`);
    expect(one.body!['status']).toBe('filled');
    const fills = one.body!['fills'] as Array<Record<string, string>>;
    expect(fills.reduce((s, x) => s + Number(x['qty']), 0)).toBeCloseTo(0.002, 9);
    const after = (await get('/positions')).body!['items'][0];
    expect(Number(after['position'])).toBeCloseTo(Number(before['position']) - 0.002, 9);
    expect(after['baseline']).toBe('10');
    // The quote our fills moved, named as the flow it is (not the account's balance): a sell
    // received what its fills say, less fees.
    const proceeds = fills.reduce((s, x) => s + Number(x['qty']) * Number(x['price']), 0);
    expect(Number(after['cashFlow']) - Number(before['cashFlow'])).toBeGreaterThan(proceeds * 0.99);
    expect(Number(after['cashFlow']) - Number(before['cashFlow'])).toBeLessThanOrEqual(proceeds);
    expect(after).not.toHaveProperty('cash');
  });

  it('refuses a reduce-only order that would grow the position once the venue has answered, and names it', async () => {
    // The answer waits for the venue's position: the venue answers as the clock moves.
    const pending = post(
      '/orders',
      { symbol: 'BTCUSDT', side: 'buy', qty: '0.001', reduceOnly: true },
      {
        'idempotency-key': 'ro-grow',
      },
    );
    await advance(f.clock, 2_000);
    const r = await pending;
    expect(r.status).toBe(422);
    expect(r.body!['detail']).toMatch(/^reduce_only \(/);
    expect(f.session.ledger.parents.has('ro-grow' as never)).toBe(false);
    // Refused as an order, not as a signal: nothing of it in signal dedup.
    const mine = f.session.entriesAfter(0).filter((e) => JSON.stringify(e.event).includes('ro-grow'));
    // Decided at once on a fresh view of the venue, else pending first: either order.
    expect(mine.map((e) => e.event.kind).sort()).toEqual(['ParentRejected', 'RequestDecided']);
    expect(mine.find((e) => e.event.kind === 'ParentRejected')!.event).toMatchObject({ stage: 'reduce_only' });
    const again = await call(
      'POST',
      '/orders',
      { symbol: 'BTCUSDT', side: 'buy', qty: '0.001', reduceOnly: true },
      {
        'idempotency-key': 'ro-grow',
      },
    );
    expect([again.status, again.body!['detail'], again.replayed]).toEqual([422, r.body!['detail'], 'true']);
  });

  it('accepts a signal once, answers it again as the first time, and deduplicates a copy under another id', async () => {
    const sig = { signalId: 'sig-1', symbol: 'BTCUSDT', side: 'sell', qty: '0.001' };
    const first = await post('/signals', sig);
    expect(first.status).toBe(201);
    expect(first.body!['ids']).toHaveLength(1);
    const again = await call('POST', '/signals', sig);
    expect([again.status, again.body, again.replayed]).toEqual([201, first.body, 'true']);
    const copy = await post('/signals', { ...sig, signalId: 'sig-1-copy' });
    expect(copy.status).toBe(422);
    expect(copy.body!['detail']).toMatch(/duplicate of signal sig-1 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    const other = await post('/signals', { ...sig, qty: '0.002' });
    expect(other.status).toBe(409);
  });

  it('a signal may name the execution algorithm its parent follows; a bad one is a 400 at its field', async () => {
    const sig = { signalId: 'sig-vwap', symbol: 'BTCUSDT', side: 'buy', qty: '0.004', algo: { kind: 'vwap' } };
    const first = await post('/signals', sig);
    expect(first.status).toBe(201);
    const parentId = (first.body!['ids'] as string[])[0];
    const plan = f.session.entriesAfter(0).find((e) => e.event.kind === 'TwapPlanned' && e.event.parentId === parentId);
    expect(plan?.event.kind === 'TwapPlanned' && plan.event.trajectory).toEqual({ kind: 'vwap', profile: 'flat' });
    const bad = await post('/signals', { ...sig, signalId: 'sig-bad', algo: { kind: 'is', urgency: 1 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('algo.volatility');
    // The session's default grid runs for minutes: cancel what is left, so later tests start clean.
    expect((await call('DELETE', `/orders/${parentId}/slices`, {})).status).toBe(200);
    await until(f.clock, () => f.session.ledger.parents.get(parentId as never)?.completed != null, 30_000);
  });
});

describe('operator controls and state', () => {
  it('runs a reconciliation pass on request (409 while one runs) and refuses to force an open gate', async () => {
    const ran = await post('/reconciliation/run', { actor: 'ops', reason: 'check' });
    expect(ran.status).toBe(202);
    expect(ran.body!['running']).toBe(true);
    expect((await post('/reconciliation/run', { actor: 'ops', reason: 'again' })).status).toBe(409);
    await until(f.clock, () => !f.session.reconciling);
    expect((await get('/reconciliation')).body).toEqual({ running: false, gate: 'ready', ready: true });
    const started = f.session.entriesAfter(0).filter((e) => e.event.kind === 'ReconciliationStarted');
    expect(started.at(-1)!.event).toMatchObject({ mode: 'operator', actor: 'ops', reason: 'check' });
    expect((await post('/reconciliation/force-complete', { actor: 'ops', reason: 'x' })).status).toBe(409);
  });

  it('audits every trip and reset of the breaker with its actor and reason, one that changes nothing as such', async () => {
    const mark = f.session.lastSeq;
    const breaker = (action: string, actor: string, reason: string) => post('/breaker', { action, actor, reason });
    expect((await breaker('reset', 'ops', 'closed already')).body!['breaker']['tripped']).toBe(false);
    expect((await breaker('trip', 'ops', 'drill')).body!['breaker']).toMatchObject({ tripped: true, reason: 'drill' });
    // Tripped already: answered with the trip in force, and still logged.
    const again = await breaker('trip', 'desk', 'drill2');
    expect(again.status).toBe(200);
    expect(again.body!['breaker']).toMatchObject({ tripped: true, reason: 'drill', lastTrip: { actor: 'ops' } });
    expect((await breaker('reset', 'ops', 'drill over')).body!['breaker']['tripped']).toBe(false);
    expect((await breaker('reset', 'desk', 'drill over again')).status).toBe(200);
    const audit = f.session
      .entriesAfter(mark)
      .map((e) => e.event)
      .filter((e) => e.kind === 'CircuitBreakerTripped' || e.kind === 'CircuitBreakerReset');
    expect(audit.map((e) => [e.kind, e.actor, e.reason, e.unchanged ?? false])).toEqual([
      ['CircuitBreakerReset', 'ops', 'closed already', true],
      ['CircuitBreakerTripped', 'ops', 'drill', false],
      ['CircuitBreakerTripped', 'desk', 'drill2', true],
      ['CircuitBreakerReset', 'ops', 'drill over', false],
      ['CircuitBreakerReset', 'desk', 'drill over again', true],
    ]);
  });

  it('lists no orphans and answers 404 resolving an unknown one', async () => {
    expect((await get('/orphans')).body).toEqual({ items: [] });
    expect((await post('/orphans/x1/resolve', { resolution: 'cancel', actor: 'ops', reason: 'r' })).status).toBe(404);
  });

  it('answers the latest quote with its age, stale once it is older than the limit', async () => {
    const q = await get('/quotes/BTCUSDT/latest');
    expect(q.status).toBe(200);
    expect(Number(q.body!['ask'])).toBeGreaterThan(Number(q.body!['bid']));
    expect(q.body!['stale']).toBe(false);
    expect((await get('/quotes/ETHUSDT/latest')).status).toBe(404);
    const quote = f.session.latestQuote(f.session.instrument.symbol, f.clock.now() + 60_000)!;
    expect(quote.stale).toBe(true);
  });

  it('shows the session as a stored run that grows as it trades', async () => {
    const run = await get(`/runs/${f.session.id}`);
    expect(run.status).toBe(200);
    expect(run.body!['summary']?.['mode'] ?? run.body!['mode']).toBe('session');
    expect(f.store.getRun(f.session.id)!.event_count).toBeGreaterThan(50);
    // Its page reloads itself while it runs, so it follows the session as it trades.
    const page = await (await app.request(`http://127.0.0.1/runs/${f.session.id}`)).text();
    expect(page).toContain('<meta http-equiv="refresh" content="5"/>');
  });

  it('reports readiness: 503 with the reason while the kill switch is halted or the breaker tripped, 200 after', async () => {
    const up = await get('/readyz');
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    await post('/kill-switch', { state: 'halted', actor: 'ops', reason: 'readiness' });
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body!['detail']).toMatch(/kill switch is halted/);
    const s = await get('/session');
    expect(s.body!['ready']).toBe(false);
    expect(s.body!['reasons']).toContain('the kill switch is halted');
    await post('/kill-switch', { state: 'active', actor: 'ops', reason: 'readiness over' });
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/safety')).body!['killSwitch']).toBe('active');
    // A tripped breaker refuses new orders until it is reset: not ready meanwhile.
    await post('/breaker', { action: 'trip', actor: 'ops', reason: 'readiness drill' });
    const tripped = await get('/readyz');
    expect(tripped.status).toBe(503);
    expect(tripped.body!['detail']).toMatch(/the circuit breaker is tripped/);
    await post('/breaker', { action: 'reset', actor: 'ops', reason: 'readiness drill over' });
    expect((await get('/readyz')).status).toBe(200);
  });

  it('needs the token for every write', async () => {
    const res = await app.request('http://127.0.0.1/api/v1/kill-switch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'halted', actor: 'x', reason: 'y' }),
    });
    expect(res.status).toBe(401);
    expect(f.session.status().killSwitch).toBe('active');
  });
});

describe('a server without a session', () => {
  it('answers 404 on the session routes, saying how to host one', async () => {
    const bare = createApp({
      reader: null,
      deleteRun: null,
      jobs: null,
      scenariosDir: 'scenarios',
      version: 't',
      token: TOKEN,
    }).app;
    const res = await bare.request('http://127.0.0.1/api/v1/orders/slice', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(twap()),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/execsim serve --session/);
  });
});

describe('a session whose market data fails (market_data_outage)', () => {
  it('reports degraded while it reads the quote fallback, in readyz, the session and the metric, and is ready again after', async () => {
    const yaml = readFileSync(SANDBOX, 'utf8').replace(
      'reconciliation: { periodMs: 30000 }',
      'reconciliation: { periodMs: 30000 }\nfaults:\n  - { kind: market_data_outage, from: PT20S, until: PT2M }',
    );
    const s = await simSession(yaml);
    const registry = new Registry();
    const metrics = sessionMetrics(s.session, registry);
    try {
      const own = createApp({
        reader: null,
        deleteRun: null,
        jobs: null,
        scenariosDir: 'scenarios',
        version: 'test',
        token: TOKEN,
        session: s.session,
      }).app;
      // A run store is part of readiness; this app has none, so read the session's reasons.
      const reasons = async () => {
        const res = await own.request('http://127.0.0.1/api/v1/session', { headers: auth });
        return ((await res.json()) as { reasons: string[] }).reasons;
      };
      const degraded = async () =>
        (await registry.getSingleMetric('execsim_session_market_data_degraded')!.get()).values[0]?.value;
      const start = s.clock.now();
      expect(s.session.readiness().ready).toBe(true);
      expect(await degraded()).toBe(0);

      await advance(s.clock, start + 25_000 - s.clock.now(), 100);
      const onFallback = (await reasons()).filter((r) => r.startsWith('market data degraded'));
      expect(onFallback).toHaveLength(1);
      expect(onFallback[0]).toMatch(
        /^market data degraded: BTCUSDT reads fallback quotes \(market data outage \(scenario fault market_data_outage\); the newest is \d+ ms old\)$/,
      );
      expect(await degraded()).toBe(1);
      // Degraded is not halted: an order is taken, priced from the fallback quote, and its reads
      // log the degradation.
      const order = (parentId: string) =>
        own.request('http://127.0.0.1/api/v1/orders', {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ parentId, symbol: 'BTCUSDT', side: 'buy', qty: '0.001' }),
        });
      expect((await order('during-outage')).status).toBe(201);
      const fallbackKinds = () =>
        s.session
          .entriesAfter(0)
          .map((e) => e.event.kind)
          .filter((k) => k.startsWith('MarketData'));
      expect(fallbackKinds()).toEqual(['MarketDataDegraded']);

      // Past the fallback's 60 s limit: no quote at all.
      await advance(s.clock, start + 90_000 - s.clock.now(), 100);
      expect((await reasons()).filter((r) => r.startsWith('market data degraded'))[0]).toMatch(
        /^market data degraded: BTCUSDT has no quote \(market data outage .*; the newest fallback quote is \d+ ms old, past its limit\)$/,
      );
      expect(await degraded()).toBe(1);

      // The path is back at 2:00: ready again once a fresh quote is in; the next order's reads
      // log the restoration.
      await until(s.clock, () => s.session.readiness().ready, 30_000, 100);
      expect(s.clock.now()).toBeGreaterThanOrEqual(start + 120_000);
      expect(await degraded()).toBe(0);
      expect((await order('after-outage')).status).toBe(201);
      expect(fallbackKinds()).toEqual(['MarketDataDegraded', 'MarketDataRestored']);
    } finally {
      metrics.stop();
      await s.close();
    }
  });
});
