// A mutating session request sent again with the same key is answered as it was the first time,
// on every route, for the session's life: random sequences of new requests (slicing, single and
// reduce-only orders, signals, cancels, the kill switch, the breaker, reconciliation, orphans),
// retries of earlier ones at random later moments (after the signal dedup window too: 1 s here),
// and other requests under an earlier key, on a sim session on a clock the test advances. A retry
// gets the same status, the same ids and the same refusal, marked Idempotent-Replayed, and runs
// nothing again; another request under a key is a 409 and runs nothing. A restart of the session
// on its database keeps every answer.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { advance, SANDBOX, settle, simSession, type SessionFixture } from '../support/session-fixture.ts';

const TOKEN = 'idem-token-0123456789abcdef';

/** The sandbox with a signal dedup window of one second: retries a few seconds later are past it. */
const SESSION = readFileSync(SANDBOX, 'utf8').replace(
  'safety:\n',
  'safety:\n  dedup: { bucketMs: 1000, ttlMs: 1000 }\n',
);

let f: SessionFixture;
let app: ReturnType<typeof createApp>['app'];

beforeAll(async () => {
  f = await simSession(SESSION);
  app = createApp({
    reader: null,
    deleteRun: null,
    jobs: null,
    scenariosDir: 'scenarios',
    version: 'idem',
    token: TOKEN,
    checkResponses: true,
    session: f.session,
  }).app;
}, 60_000);
afterAll(async () => {
  await f?.close();
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly replayed: string | null;
}

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly key: string;
  readonly body: Record<string, unknown>;
  /** Another body of the same route under the same key: another request. */
  readonly other: Record<string, unknown>;
  readonly first: Answer;
}

async function send(method: string, path: string, key: string, body: Record<string, unknown>): Promise<Answer> {
  const res = await settle(
    f.clock,
    Promise.resolve(
      app.request(`http://127.0.0.1/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      }),
    ),
  );
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    replayed: res.headers.get('idempotent-replayed'),
  };
}

/** What an answer names: the parent, the ids, the order, or the refusal. */
const idsOf = (a: Answer): unknown =>
  a.status >= 400
    ? { type: a.body['type'], detail: a.body['detail'] }
    : { parentId: a.body['parentId'], ids: a.body['ids'], order: a.body['clientOrderId'] };

type Kind =
  | 'slice'
  | 'order'
  | 'reduce'
  | 'signal'
  | 'killSwitch'
  | 'breaker'
  | 'reconcile'
  | 'forceReady'
  | 'cancelParent'
  | 'cancelOrder'
  | 'orphan';

type Op =
  | { readonly op: 'new'; readonly kind: Kind; readonly side: 'buy' | 'sell'; readonly n: number }
  | { readonly op: 'retry'; readonly of: number }
  | { readonly op: 'other'; readonly of: number }
  | { readonly op: 'wait'; readonly ms: number };

const KINDS: readonly Kind[] = [
  'slice',
  'order',
  'reduce',
  'signal',
  'killSwitch',
  'breaker',
  'reconcile',
  'forceReady',
  'cancelParent',
  'cancelOrder',
  'orphan',
];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('new' as const),
      kind: fc.constantFrom(...KINDS),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      n: fc.integer({ min: 1, max: 5 }),
    }),
  },
  // Which earlier request, counted back from the last one sent.
  { weight: 4, arbitrary: fc.record({ op: fc.constant('retry' as const), of: fc.nat({ max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('other' as const), of: fc.nat({ max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 10, max: 2_500 }) }) },
);

let runs = 0;
/** Route and first status of every retry made: the draws must reach successes and refusals. */
const retried = new Set<string>();

/** A new request of `kind`: its route, body and another body under the same key. */
function requestOf(o: Extract<Op, { op: 'new' }>, key: string): Pick<Sent, 'method' | 'path' | 'body' | 'other'> {
  const qty = `0.000${o.n}`;
  // Parents and orders made so far, in this sequence or an earlier one, and one that never was.
  const parents = [...f.session.ledger.parents.keys()].slice(-4) as string[];
  const parent = o.n === 5 ? 'none' : (parents[o.n % Math.max(1, parents.length)] ?? 'none');
  const children = parents.flatMap((p) => f.session.ledger.childrenOf(p as never).map((c) => c.request.clientOrderId));
  const child = o.n === 5 ? 'none' : ((children[o.n % Math.max(1, children.length)] as string | undefined) ?? 'none');
  const audit = { actor: 'prop', reason: `request ${key}` };
  switch (o.kind) {
    case 'slice': {
      const body = { symbol: 'BTCUSDT', side: o.side, qty, duration: 'PT2S', slices: 2 };
      return { method: 'POST', path: '/orders/slice', body, other: { ...body, slices: 1 } };
    }
    case 'order': {
      const body = { symbol: 'BTCUSDT', side: o.side, qty, type: 'market' };
      return { method: 'POST', path: '/orders', body, other: { ...body, qty: `0.000${o.n + 1}` } };
    }
    case 'reduce': {
      const body = { symbol: 'BTCUSDT', side: o.side, qty, type: 'market', reduceOnly: true };
      return { method: 'POST', path: '/orders', body, other: { ...body, reduceOnly: false } };
    }
    case 'signal': {
      const body = { signalId: key, symbol: 'BTCUSDT', side: o.side, qty, reduceOnly: o.n === 5 };
      return { method: 'POST', path: '/signals', body, other: { ...body, qty: `0.000${o.n + 1}` } };
    }
    case 'killSwitch': {
      const state = (['active', 'reducing', 'halted'] as const)[o.n % 3];
      return {
        method: 'POST',
        path: '/kill-switch',
        body: { state, ...audit },
        other: { state: 'active', ...audit, reason: 'x' },
      };
    }
    case 'breaker': {
      const action = o.n % 2 === 0 ? 'trip' : 'reset';
      return { method: 'POST', path: '/breaker', body: { action, ...audit }, other: { action, ...audit, reason: 'x' } };
    }
    case 'reconcile':
      return { method: 'POST', path: '/reconciliation/run', body: audit, other: { ...audit, reason: 'x' } };
    case 'forceReady':
      return { method: 'POST', path: '/reconciliation/force-complete', body: audit, other: { ...audit, reason: 'x' } };
    case 'cancelParent':
      return { method: 'DELETE', path: `/orders/${parent}/slices`, body: { reason: key }, other: { reason: 'x' } };
    case 'cancelOrder':
      return { method: 'POST', path: `/orders/${child}/cancel`, body: { reason: key }, other: { reason: 'x' } };
    case 'orphan': {
      const body = { resolution: 'cancel', ...audit };
      return { method: 'POST', path: '/orphans/nobody-1/resolve', body, other: { ...body, resolution: 'adopt' } };
    }
  }
}

describe('a request sent again under its key', () => {
  it('is answered as the first time on every route, whatever happened between, and runs once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (ops) => {
        const run = ++runs;
        const sent: Sent[] = [];
        const startSeq = f.session.lastSeq;
        for (const o of ops) {
          if (o.op === 'wait') {
            await advance(f.clock, o.ms, 25);
            continue;
          }
          if (o.op === 'new') {
            const key = `r${run}-${sent.length}`;
            const req = requestOf(o, key);
            const first = await send(req.method, req.path, key, req.body);
            expect(first.status, `${req.method} ${req.path} ${JSON.stringify(first.body)}`).toBeLessThan(500);
            expect(first.replayed).toBeNull();
            sent.push({ ...req, key, first });
            continue;
          }
          const earlier = sent[sent.length - 1 - (o.of % Math.max(1, sent.length))];
          if (earlier === undefined) continue;
          // A 503 (not ready) decided nothing: it is not remembered, so it is not a first answer.
          if (earlier.first.status === 503) continue;
          const what = `${earlier.method} ${earlier.path} key ${earlier.key}`;
          if (o.op === 'retry') {
            const again = await send(earlier.method, earlier.path, earlier.key, earlier.body);
            retried.add(
              `${earlier.method} ${earlier.path.replace(/\/orders\/[^/]+\//, '/orders/:id/')} ${earlier.first.status}`,
            );
            expect(again.status, what).toBe(earlier.first.status);
            expect(idsOf(again), what).toEqual(idsOf(earlier.first));
            // Bodies the route refused before the node (400) are not decisions; the rest are replayed.
            if (earlier.first.status !== 400) expect(again.replayed, what).toBe('true');
          } else {
            const before = f.session.lastSeq;
            const other = await send(earlier.method, earlier.path, earlier.key, earlier.other);
            if (earlier.first.status !== 400) {
              expect(other.status, `${what}: another body`).toBe(409);
              expect(f.session.entriesAfter(before), `${what}: another body`).toEqual([]);
            }
          }
        }
        // Nothing ran twice: one parent per order key, one accepted signal per signal id, and each
        // control request's audit entry (its reason names its key) logged once.
        const entries = f.session.entriesAfter(startSeq).map((e) => e.event);
        for (const s of sent) {
          if (s.path === '/signals')
            expect(
              entries.filter((e) => e.kind === 'SignalAccepted' && e.signalId === s.key).length,
            ).toBeLessThanOrEqual(1);
          if (s.path === '/orders' || s.path === '/orders/slice')
            expect(
              entries.filter((e) => e.kind === 'ParentOrderCreated' && e.parentId === s.key).length,
            ).toBeLessThanOrEqual(1);
          if (s.path === '/kill-switch' && s.first.status === 200)
            expect(
              entries.filter((e) => e.kind === 'KillSwitchChanged' && e.reason === `request ${s.key}`),
            ).toHaveLength(1);
          const decided = entries.filter((e) => e.kind === 'RequestDecided' && e.key === s.key);
          expect(decided.length, `${s.path} ${s.key}`).toBe(s.first.status === 400 || s.first.status === 503 ? 0 : 1);
        }
        // Leave the session able to trade for the next sequence.
        await send('POST', '/kill-switch', `r${run}-reset-ks`, { state: 'active', actor: 'prop', reason: 'reset' });
        await send('POST', '/breaker', `r${run}-reset-br`, { action: 'reset', actor: 'prop', reason: 'reset' });
      }),
      { numRuns: 80 },
    );
    for (const must of [
      'POST /orders/slice 201',
      'POST /orders 201',
      'POST /orders 422',
      'POST /orders 409',
      'POST /signals 201',
      'POST /signals 422',
      'POST /kill-switch 200',
      'POST /breaker 200',
      'POST /reconciliation/run 202',
      'POST /reconciliation/force-complete 409',
      'DELETE /orders/:id/slices 200',
      'DELETE /orders/:id/slices 404',
      'POST /orders/:id/cancel 404',
      'POST /orphans/nobody-1/resolve 404',
    ])
      expect([...retried], `${must} (${[...retried].sort().join(', ')})`).toContain(must);
  }, 600_000);
});

describe('a slicing request its plan cannot be made for', () => {
  it('is a 400 at the body field the planner refuses, decides nothing, and leaves its key to the corrected request', async () => {
    const base = { symbol: 'BTCUSDT', side: 'buy', qty: '0.002', duration: 'PT10S' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, interval: 'PT20S' }, 'body.duration'],
      [{ ...base, interval: 'PT0S' }, 'body.interval'],
      [{ ...base, duration: 'PT0S', slices: 2 }, 'body.duration'],
      [{ ...base, slices: 100_000 }, 'body.duration'],
      [{ ...base, slices: 2, minSliceNotional: '99999999999999999999999999' }, 'body.minSliceNotional'],
    ];
    for (const [i, [body, path]] of cases.entries()) {
      const key = `unplannable-${i}`;
      const before = f.session.lastSeq;
      const refused = await send('POST', '/orders/slice', key, body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      const errors = refused.body['errors'] as Array<{ path: string; message: string }>;
      expect(
        errors.map((e) => e.path),
        JSON.stringify(errors),
      ).toEqual([path]);
      expect(
        f.session.entriesAfter(before).filter((e) => e.event.kind === 'RequestDecided'),
        'nothing decided',
      ).toEqual([]);
      const fixed = await send('POST', '/orders/slice', key, { ...base, slices: 2 });
      expect(fixed.status, JSON.stringify(fixed.body)).toBe(201);
    }
  });
});
