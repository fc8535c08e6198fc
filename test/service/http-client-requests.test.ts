// Requests a careful client could still get wrong, and what it is told. Bodies refused as 400s
// that name the field and leave the session as it was: a JSON field given twice (JSON.parse would
// keep the last one, so `"side": "buy", ..., "side": "sell"` was a sell order), a single order's
// price or post-only its type has no use for (sent on to the venue, which refused it after the
// parent was made), a field left out said to be required, and a sweep's grid value of another
// type. A signal whose parent is rejected as it is made is answered refused, not 201 with the id
// of a parent that does not exist. The session's order list pages without listing an order twice
// or skipping one while orders come and go between pages. A compressed body is a 415 saying so,
// not a 400 calling it invalid UTF-8. The OpenAPI document declares the request headers the
// routes read (Idempotency-Key, Last-Event-ID) with the pattern the server checks. A request Node's
// parser refuses (a URL past its header limit, malformed HTTP) is a problem document too, on a real
// socket. An empty body sent with a JSON Content-Type (as client libraries that always set one
// send it) is no body where the body is optional. Over a sim session on a virtual clock and a server app whose
// sweep pool counts what it is given.
import path from 'node:path';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve, type ServerType } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_BASE, createApp } from '../../src/server/app.ts';
import { answerClientErrors } from '../../src/server/client-errors.ts';
import { serverAppForContract } from '../support/server-fixture.ts';
import type { SweepJobPool } from '../../src/server/routes/sweep-job-routes.ts';
import type { RunJobs } from '../../src/server/routes/run-job-routes.ts';
import { advance, SANDBOX, sessionApp, type SessionAppFixture } from '../support/session-fixture.ts';

const TOKEN = 'bodies-test-token-0123456789';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let served: SessionAppFixture | undefined;

beforeAll(async () => {
  served = await sessionApp(SANDBOX, TOKEN);
});
afterAll(async () => {
  await served?.close();
});

type Problem = { status: number; errors?: Array<{ path: string; message: string }> };

/** Posts `text` as it is (not re-serialized: duplicate keys survive) and reads the answer. */
async function postText(
  app: SessionAppFixture['app'],
  route: string,
  text: string,
): Promise<{ status: number; body: Problem }> {
  const res = await app.request(`http://127.0.0.1/api/v1${route}`, { method: 'POST', headers, body: text });
  return { status: res.status, body: (await res.json()) as Problem };
}

/** What a refused request must not change: the session's log past the checkpoint and its parents. */
function unchanged(): () => void {
  const { f } = served!;
  const seq = f.session.lastSeq;
  const parents = f.session.ledger.parents.size;
  return () => {
    expect(f.session.entriesAfter(seq).filter((e) => e.event.kind !== 'MarketSampled')).toEqual([]);
    expect(f.session.ledger.parents.size).toBe(parents);
  };
}

describe('a JSON body that gives a field twice', () => {
  it.each([
    [
      '/orders',
      '{"symbol":"BTCUSDT","side":"buy","qty":"0.001","type":"limit","limitPrice":"50000","side":"sell"}',
      'body.side',
    ],
    [
      '/orders',
      '{"symbol":"BTCUSDT","side":"buy","qty":"0.001","type":"limit","limitPrice":"50000","\\u0071ty":"5"}',
      'body.qty',
    ],
    [
      '/orders/slice',
      '{"symbol":"BTCUSDT","side":"buy","qty":"0.002","duration":"PT5S","slices":2,"algo":{"kind":"pov","rate":0.05,"rate":0.5}}',
      'body.algo.rate',
    ],
    [
      '/signals',
      '{"signalId":"dup-1","signalId":"dup-2","symbol":"BTCUSDT","side":"buy","qty":"0.001"}',
      'body.signalId',
    ],
    ['/kill-switch', '{"state":"halted","actor":"ops","reason":"dup","state":"active"}', 'body.state'],
  ])('POST %s is a 400 naming it, and nothing happens', async (route, text, field) => {
    const check = unchanged();
    const res = await postText(served!.app, route, text);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: field, message: 'given more than once; give it once' }]);
    await advance(served!.f.clock, 200);
    check();
  });
});

describe('POST /orders with a price or post-only its type has no use for', () => {
  const order = (over: Record<string, unknown>) =>
    JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qty: '0.001', ...over });
  it.each([
    [{ type: 'market', limitPrice: '50000' }, 'body.limitPrice', 'a market order takes no limitPrice'],
    [{ type: 'market', stopPrice: '50000' }, 'body.stopPrice', 'a market order takes no stopPrice'],
    [{ type: 'limit', limitPrice: '50000', stopPrice: '49000' }, 'body.stopPrice', 'a limit order takes no stopPrice'],
    [{ type: 'stop' }, 'body.stopPrice', 'a stop order needs stopPrice'],
    [{ type: 'stop', stopPrice: '62000', limitPrice: '62100' }, 'body.limitPrice', 'a stop order takes no limitPrice'],
    [{ type: 'stop_limit', stopPrice: '62000' }, 'body.limitPrice', 'a stop_limit order needs limitPrice'],
    [{ type: 'stop_limit', limitPrice: '62100' }, 'body.stopPrice', 'a stop_limit order needs stopPrice'],
    [{ type: 'market', postOnly: true }, 'body.postOnly', 'only a limit order can be post-only, not a market order'],
  ])('%j is a 400 at its field, and no parent is made or sent', async (over, field, message) => {
    const check = unchanged();
    const res = await postText(served!.app, '/orders', order(over));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: field, message }]);
    await advance(served!.f.clock, 200);
    check();
  });

  it('still takes the prices each type needs', async () => {
    const res = await postText(
      served!.app,
      '/orders',
      order({ parentId: 'priced-limit', type: 'limit', limitPrice: '50000', postOnly: true }),
    );
    expect(res.status).toBe(201);
  });
});

describe('a refused field says what is wrong with it', () => {
  it('a field left out is required', async () => {
    const res = await postText(served!.app, '/orders', '{"side":"buy","qty":"0.001"}');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.symbol', message: 'is required (a string)' }]);
  });

  it("a sweep grid's value that is no number, string or true/false", async () => {
    let submitted = 0;
    const sweepJobs: SweepJobPool = {
      submitSweep: () => void submitted++,
      cancel: () => 'unknown',
      followSweep: () => null,
      kindOf: () => null,
      rerunSweepPath: () => ({ kind: 'no-sweep' }),
      load: { queued: 0, running: 0, workers: 0 },
    };
    const jobs: RunJobs = {
      submit: () => void submitted++,
      state: () => null,
      cancel: () => 'unknown',
      follow: () => null,
      forget: () => {},
      load: { queued: 0, running: 0, workers: 0 },
    };
    const { app } = createApp({
      reader: null,
      deleteRun: null,
      jobs,
      sweepJobs,
      scenariosDir: path.resolve('scenarios'),
      version: 'test',
      token: TOKEN,
      checkResponses: true,
    });
    for (const value of ['null', '{}', '[1]', '1e400']) {
      const res = await postText(
        app as SessionAppFixture['app'],
        '/sweeps',
        `{"scenario":"twap-calm","paths":2,"grid":{"twap.slices":[5,${value}]}}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { path: 'body.grid.twap.slices[1]', message: 'must be a finite number, a string or true/false' },
      ]);
    }
    expect(submitted).toBe(0);
  });
});

describe('a signal whose parent is rejected as it is made', () => {
  // The sandbox's routing.defaultTwap has no limitOffsetTicks: a priced signal routed to a TWAP
  // cannot be planned, so its parent is rejected in the unit that accepted the signal.
  const priced = (signalId: string, over: Record<string, unknown> = {}) =>
    JSON.stringify({ signalId, symbol: 'BTCUSDT', side: 'sell', qty: '0.001', price: '70000', route: 'twap', ...over });

  it('is a 422 with the rejection, answered so again, and no parent is made', async () => {
    const { app, f } = served!;
    const res = await postText(app, '/signals', priced('no-plan-1'));
    expect(res.status).toBe(422);
    const detail = (res.body as Problem & { detail: string }).detail;
    expect(detail).toMatch(/its parent sig-[0-9a-f]+ was rejected: limitOffsetTicks: is required for limit children$/);
    const pid = /its parent (sig-[0-9a-f]+)/.exec(detail)![1]!;
    expect(f.session.ledger.parents.has(pid as never)).toBe(false);
    expect((await app.request(`http://127.0.0.1/api/v1/orders/${pid}/slices`)).status).toBe(404);
    const again = await app.request('http://127.0.0.1/api/v1/signals', {
      method: 'POST',
      headers,
      body: priced('no-plan-1'),
    });
    expect([again.status, ((await again.json()) as { detail: string }).detail]).toEqual([422, detail]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('is a 422 too when it waited for the venue as a reduce-only signal', async () => {
    const { app, f } = served!;
    // Past the exposure age (5 s): the venue's position is read again before the signal is decided.
    await advance(f.clock, 6_000);
    const seq = f.session.lastSeq;
    const answer = postText(app, '/signals', priced('no-plan-ro', { reduceOnly: true, price: '70001' }));
    await advance(f.clock, 2_000);
    const res = await answer;
    expect(res.status).toBe(422);
    expect((res.body as Problem & { detail: string }).detail).toMatch(/its parent sig-[0-9a-f]+ was rejected: /);
    const decided = f.session.entriesAfter(seq).filter((e) => e.event.kind === 'RequestDecided');
    expect(decided.map((e) => e.event.kind === 'RequestDecided' && e.event.outcome)).toEqual(['pending']);
  });
});

describe("GET /orders pages while the session's orders change", () => {
  const get = async (route: string) => {
    const res = await served!.app.request(`http://127.0.0.1/api/v1${route}`);
    return {
      status: res.status,
      body: (await res.json()) as { items: Array<{ clientOrderId: string }>; nextCursor: string | null },
    };
  };
  let n = 0;
  /** A limit buy far below the market: it rests until cancelled. Its client order id. */
  const resting = async (): Promise<string> => {
    const res = await served!.app.request('http://127.0.0.1/api/v1/orders', {
      method: 'POST',
      headers,
      body: JSON.stringify({
        parentId: `rest-${++n}`,
        symbol: 'BTCUSDT',
        side: 'buy',
        qty: '0.001',
        type: 'limit',
        limitPrice: '30000',
      }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { orders: Array<{ clientOrderId: string }> }).orders[0]!.clientOrderId;
  };
  const cancel = async (id: string): Promise<void> => {
    const res = await served!.app.request(`http://127.0.0.1/api/v1/orders/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: headers.authorization },
    });
    expect(res.status).toBe(200);
  };
  const openIds = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
      const page = await get(`/orders?status=open&limit=100${cursor === null ? '' : `&cursor=${cursor}`}`);
      ids.push(...page.body.items.map((o) => o.clientOrderId));
      cursor = page.body.nextCursor;
    }
    return ids;
  };

  it('lists every open order that stays open once, whatever is added or cancelled between pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ add: fc.nat({ max: 2 }), cancel: fc.nat({ max: 6 }) }), { maxLength: 4 }),
        async (initial, limit, between) => {
          for (const id of await openIds()) await cancel(id);
          await advance(served!.f.clock, 500);
          const start: string[] = [];
          for (let i = 0; i < initial; i++) start.push(await resting());
          await advance(served!.f.clock, 200);
          const cancelled = new Set<string>();
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let page = 0; ; page++) {
            const res = await get(`/orders?status=open&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
            expect(res.status).toBe(200);
            seen.push(...res.body.items.map((o) => o.clientOrderId));
            cursor = res.body.nextCursor;
            if (cursor === null) break;
            const step = between[page];
            if (step === undefined) continue;
            for (let i = 0; i < step.add; i++) await resting();
            const victim = start[step.cancel % start.length]!;
            if (!cancelled.has(victim)) {
              cancelled.add(victim);
              await cancel(victim);
            }
            await advance(served!.f.clock, 200);
          }
          expect(new Set(seen).size).toBe(seen.length);
          for (const id of start) if (!cancelled.has(id)) expect(seen).toContain(id);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('refuses a cursor it did not give out', async () => {
    for (const cursor of ['2', 'abc', Buffer.from('[1]').toString('base64url')]) {
      const res = await get(`/orders?cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect((res.body as unknown as Problem).errors).toEqual([
        { path: 'query.cursor', message: 'must be the nextCursor of the previous page' },
      ]);
    }
  });
});

describe('a compressed request body', () => {
  it('is a 415 naming the Content-Encoding, whatever the bytes decode to', async () => {
    const { app } = served!;
    for (const [coding, body] of [
      ['gzip', gzipSync('{"yaml":"name: a"}')],
      ['br', Buffer.from('{"yaml":"name: a"}')],
    ] as const) {
      const res = await app.request('http://127.0.0.1/api/v1/scenarios/validate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': coding },
        body,
      });
      expect(res.status).toBe(415);
      expect(res.headers.get('accept-encoding')).toBe('identity');
      expect(((await res.json()) as { detail: string }).detail).toMatch(new RegExp(`^Content-Encoding ${coding}: `));
    }
    const plain = await app.request('http://127.0.0.1/api/v1/scenarios/validate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
      body: '{"yaml":"name: a"}',
    });
    expect(plain.status).toBe(422);
  });
});

describe('the request headers in the OpenAPI document', () => {
  type Param = { name: string; in: string; schema: { pattern: string } };
  type Op = { parameters?: Param[]; security: unknown[]; responses: Record<string, { headers?: object }> };
  const doc = serverAppForContract().document() as unknown as { paths: Record<string, Record<string, Op>> };
  const ops = Object.entries(doc.paths).flatMap(([p, byMethod]) =>
    Object.entries(byMethod).map(([m, op]) => ({ key: `${m.toUpperCase()} ${p}`, op })),
  );
  const header = (op: Op, name: string) => op.parameters?.find((x) => x.in === 'header' && x.name === name);
  const keyedWrites = [
    'POST /api/v1/orders/slice',
    'DELETE /api/v1/orders/{parentId}/slices',
    'POST /api/v1/orders',
    'POST /api/v1/orders/{clientOrderId}/cancel',
    'POST /api/v1/signals',
    'POST /api/v1/kill-switch',
    'POST /api/v1/breaker',
    'POST /api/v1/reconciliation/run',
    'POST /api/v1/reconciliation/force-complete',
    'POST /api/v1/orphans/{clientOrderId}/resolve',
    'POST /api/v1/session/strategy/swap',
    // Not a session's, but writes sent again as safely: a run start and a sweep start.
    'POST /api/v1/runs',
    'POST /api/v1/sweeps',
  ];

  it('declares Idempotency-Key on every session write, a run start and a sweep start, and Idempotent-Replayed on their answers', () => {
    for (const { key, op } of ops) {
      const declared = header(op, 'Idempotency-Key') !== undefined;
      expect([key, declared]).toEqual([key, keyedWrites.includes(key)]);
      if (!declared) continue;
      for (const [status, r] of Object.entries(op.responses))
        if (/^2/.test(status))
          expect([key, status, r.headers]).toEqual([
            key,
            status,
            expect.objectContaining({ 'Idempotent-Replayed': expect.anything() }),
          ]);
    }
  });

  it('declares Last-Event-ID on every event stream', () => {
    const streams = ops.filter(({ op }) => JSON.stringify(op.responses['200'] ?? {}).includes('text/event-stream'));
    expect(streams.map((s) => s.key).sort()).toEqual([
      'GET /api/v1/runs/{id}/progress',
      'GET /api/v1/session/stream',
      'GET /api/v1/sweeps/{id}/progress',
    ]);
    for (const { op } of streams) expect(header(op, 'Last-Event-ID')?.schema.pattern).toBe('^\\d{1,15}$');
  });

  it('an Idempotency-Key is taken exactly when it matches the declared pattern', async () => {
    const pattern = new RegExp(
      header(ops.find((o) => o.key === 'POST /api/v1/kill-switch')!.op, 'Idempotency-Key')!.schema.pattern,
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
          fc.string({ unit: fc.constantFrom('a', '-', '.', ' ', '/', '9'), minLength: 1, maxLength: 70, size: 'max' }),
        ),
        async (raw) => {
          const key = raw.trim();
          if (key === '') return;
          const res = await served!.app.request('http://127.0.0.1/api/v1/kill-switch', {
            method: 'POST',
            headers: { ...headers, 'idempotency-key': `${key}` },
            body: JSON.stringify({ state: 'active', actor: 'probe', reason: `key ${++n}` }),
          });
          // A key seen before with another reason is a 409: taken all the same.
          expect([key, res.status === 400]).toEqual([key, !pattern.test(key)]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('a request the HTTP parser refuses, on a real socket', () => {
  let server: ServerType | undefined;
  let base = '';
  beforeAll(async () => {
    const s = await new Promise<ServerType>((resolve) => {
      const srv = serve({ fetch: served!.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(srv));
    });
    answerClientErrors(s, API_BASE);
    server = s;
    const address = s.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('a URL longer than the header limit is a 431 problem document', async () => {
    const res = await fetch(`${base}/api/v1/runs?scenario=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: '/api/v1/docs#problem-headers-too-large',
      status: 431,
      detail: expect.stringMatching(/shorten the URL/),
    });
  });

  it('malformed HTTP is a 400 problem document, and the connection closes', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write('GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n');
    });
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad request\r\n/);
    expect(head).toMatch(/content-type: application\/problem\+json/);
    expect(JSON.parse(body)).toMatchObject({ status: 400, type: '/api/v1/docs#problem-bad-request' });
  });
});

describe('an empty body with a JSON Content-Type', () => {
  it('is no body where the body is optional: a cancel without a reason', async () => {
    const { app } = served!;
    const placed = await postText(
      app,
      '/orders',
      JSON.stringify({
        parentId: 'empty-body',
        symbol: 'BTCUSDT',
        side: 'buy',
        qty: '0.001',
        type: 'limit',
        limitPrice: '30000',
      }),
    );
    expect(placed.status).toBe(201);
    const id = (placed.body as unknown as { orders: Array<{ clientOrderId: string }> }).orders[0]!.clientOrderId;
    const cancel = await app.request(`http://127.0.0.1/api/v1/orders/${id}/cancel`, {
      method: 'POST',
      headers: { ...headers, 'content-length': '0' },
    });
    expect(cancel.status).toBe(200);
    const slices = await app.request('http://127.0.0.1/api/v1/orders/empty-body/slices', {
      method: 'DELETE',
      headers,
    });
    expect(slices.status).toBe(200);
  });

  it('is still refused where a body is required', async () => {
    const res = await served!.app.request('http://127.0.0.1/api/v1/orders', { method: 'POST', headers });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).errors).toEqual([{ path: 'body', message: 'not valid JSON' }]);
  });
});
