// Fuzzing the service session's routes (fast-check, seeded like every property test here) against
// a sim session on a virtual clock: bodies built from the fields the routes take with good, nearly
// good and hostile values, hostile path parameters and Idempotency-Key headers. Whatever is sent,
// the server answers below 500 with a problem document on every error, and a refused request
// (4xx) changes nothing: no parent or order is made, nothing is sent, no control moves; the log
// gains at most the refusal's own audit entry (a pre-trade or signal refusal is recorded).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { advance, settle, simSession, type SessionFixture } from '../support/session-fixture.ts';

const TOKEN = 'fuzz-token-0123456789abcdef';
let f: SessionFixture;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  f = await simSession();
  app = createApp({
    reader: null,
    deleteRun: null,
    jobs: null,
    scenariosDir: 'scenarios',
    version: 'fuzz',
    token: TOKEN,
    maxBodyBytes: 64_000,
    checkResponses: true,
    session: f.session,
  });
}, 60_000);

afterAll(async () => {
  await f?.close();
});

/** What a refusal itself records. */
const AUDIT = new Set([
  'ParentRejected',
  'SignalReceived',
  'SignalRejected',
  'OrphanResolutionRefused',
  // A request with an idempotency key: the node's decision, a refusal included, so that the
  // same request again is answered the same way.
  'RequestDecided',
]);

const hostile = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', '0', '-1', '1e9', '9'.repeat(40), 'null', '%00', '../..', 'NaN', ' ', '0.00001', '61000.00'),
  fc.integer().map(String),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

/** Quantities and prices the sandbox's instrument (lot 0.00001, tick 0.01) cannot take: off
 *  the grid, below one step, beyond 2^53 - 1 steps. */
const OFF_GRID_QTY = ['0.000015', '0.000000000000000000001', '9007199254740993', '1'.repeat(30)];
const OFF_GRID_PRICE = ['60000.001', '900719925474099300', '0.001'];

/** A value for a field: usually plausible, sometimes hostile. */
const value = (...good: unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, hostile);

const fields: Record<string, fc.Arbitrary<unknown>> = {
  parentId: value('fz-1', 'fz-2', 'a'.repeat(65)),
  symbol: value('BTCUSDT', 'ETHUSDT', 'btcusdt'),
  side: value('buy', 'sell', 'hold'),
  qty: value('0.001', '0.00103', '0.000001', '-1', '1e3', '100000', ...OFF_GRID_QTY),
  type: value('market', 'limit', 'stop', 'stop_limit', 'iceberg'),
  tif: value('IOC', 'GTC', 'DAY', 'FOK', 'GTX'),
  limitPrice: value('50000', '61000.005', '0', ...OFF_GRID_PRICE),
  stopPrice: value('70000'),
  duration: value('PT1S', 'PT5S', 'P1D', 'PT0S', '5s'),
  interval: value('PT1S', 'PT0.5S'),
  slices: value(1, 5, 0, 100_001, 2.5),
  maxSliceQty: value('0.0005', ...OFF_GRID_QTY),
  randomize: value({ sizePct: 10, timeJitterPct: 10 }, { sizePct: 90 }),
  unfilled: value('carry', 'drop', 'keep'),
  maxSpread: value(0.01, 2, -1),
  reduceOnly: value(true, false, 'yes'),
  postOnly: value(true, false),
  confirm: value([], ['large_order'], ['nope']),
  signalId: value('sig-a', 'sig-b', ''),
  price: value('60000', ...OFF_GRID_PRICE),
  route: value('auto', 'single', 'twap', 'vwap'),
  state: value('active', 'reducing', 'halted', 'off'),
  action: value('trip', 'reset', 'explode'),
  actor: value('ops', ''),
  reason: value('fuzz', ''),
  resolution: value('adopt', 'cancel', 'ignore'),
  extra: hostile,
};

/** A valid body of each write, which the draws mutate. */
const BASE: Record<string, Record<string, unknown>> = {
  '/orders/slice': { symbol: 'BTCUSDT', side: 'buy', qty: '0.001', duration: 'PT2S', slices: 2 },
  '/orders': { symbol: 'BTCUSDT', side: 'sell', qty: '0.001', type: 'market' },
  '/signals': { signalId: 'sig-a', symbol: 'BTCUSDT', side: 'buy', qty: '0.001' },
  '/kill-switch': { state: 'active', actor: 'ops', reason: 'fuzz' },
  '/breaker': { action: 'reset', actor: 'ops', reason: 'fuzz' },
  '/reconciliation/run': { actor: 'ops', reason: 'fuzz' },
  '/reconciliation/force-complete': { actor: 'ops', reason: 'fuzz' },
  '/orphans/:id/resolve': { resolution: 'cancel', actor: 'ops', reason: 'fuzz' },
  '/orders/:id/cancel': { reason: 'fuzz' },
  '/orders/:id/slices': { reason: 'fuzz' },
};

/** A route's valid body with each field kept (mostly), dropped, or replaced by another field's
 *  value or a hostile one, and sometimes a field added. */
const bodyFor = (path: string): fc.Arbitrary<Record<string, unknown>> => {
  const base = BASE[path] ?? {};
  const keys = Object.keys(base);
  const keep = keys.map((k) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<[string, unknown] | null>([k, base[k]]) },
      { weight: 1, arbitrary: fc.constant<[string, unknown] | null>(null) },
      { weight: 2, arbitrary: (fields[k] ?? hostile).map((v): [string, unknown] => [k, v]) },
    ),
  );
  const added = fc.option(
    fc.constantFrom(...Object.keys(fields)).chain((k) => fields[k]!.map((v): [string, unknown] => [k, v])),
    { freq: 3 },
  );
  // A signal's id is its idempotency key: most draws send a new signal, some the same id again.
  const signalId = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^sig-[a-z0-9]{6}$/) }, fc.constant('sig-a'));
  const mutated = fc.tuple(fc.tuple(...keep), added, signalId).map(([kept, extra, id]) => {
    const out: Record<string, unknown> = {};
    for (const kv of kept) if (kv) out[kv[0]] = kv[1] === 'sig-a' ? id : kv[1];
    if (extra) out[extra[0]] = extra[1];
    return out;
  });
  // Now and then a well-formed order far above the pre-trade limits: refused by the node's checks.
  const huge = path === '/orders' || path === '/orders/slice' || path === '/signals';
  if (!huge) return mutated;
  return fc.oneof(
    { weight: 9, arbitrary: mutated },
    {
      weight: 1,
      arbitrary: signalId.map((id) => ({ ...base, qty: '100000', ...(path === '/signals' ? { signalId: id } : {}) })),
    },
  );
};

const route = fc.constantFrom(
  ['POST', '/orders/slice'],
  ['POST', '/orders'],
  ['POST', '/signals'],
  ['POST', '/kill-switch'],
  ['POST', '/breaker'],
  ['POST', '/reconciliation/run'],
  ['POST', '/reconciliation/force-complete'],
  ['POST', '/orphans/:id/resolve'],
  ['POST', '/orders/:id/cancel'],
  ['DELETE', '/orders/:id/slices'],
  ['GET', '/orders/:id/slices'],
  ['GET', '/orders/:id'],
  ['GET', '/quotes/:id/latest'],
  ['GET', '/orders'],
);

const param = fc.oneof(
  fc.constantFrom('fz-1', 'BTCUSDT', 'x'.repeat(200), '%2e%2e', 'a b', '__proto__'),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/),
);

describe('the service routes under fuzzing', () => {
  it('answer below 500, and a refused request writes nothing', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        route.chain((r) => fc.tuple(fc.constant(r), bodyFor(r[1]))),
        param,
        fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 80 }))),
        fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        async ([[method, path], b], p, key, asText) => {
          const before = { seq: f.session.lastSeq, parents: f.session.ledger.parents.size };
          const headers: Record<string, string> = {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
          };
          if (key !== null && /^[\x20-\x7e]*$/.test(key)) headers['idempotency-key'] = key;
          const url = `http://127.0.0.1/api/v1${path.replace(':id', encodeURIComponent(p))}`;
          // Advanced while it is answered: a reduce-only order's answer waits for the venue.
          const res = await settle(
            f.clock,
            Promise.resolve(
              app.app.request(url, {
                method,
                headers,
                ...(method === 'GET' ? {} : { body: asText ? JSON.stringify(b).slice(0, -1) : JSON.stringify(b) }),
              }),
            ),
          );
          expect(res.status, `${method} ${url} ${JSON.stringify(b)}`).toBeLessThan(500);
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toMatch(/problem\+json/);
            const added = f.session.entriesAfter(before.seq).map((e) => e.event.kind);
            expect(
              added.filter((k) => !AUDIT.has(k)),
              `${method} ${url} ${JSON.stringify(b)}`,
            ).toEqual([]);
            expect(f.session.ledger.parents.size).toBe(before.parents);
          }
          // Keep the kill switch and breaker usable for the next draw, and let what was sent run.
          if (f.session.status().killSwitch !== 'active')
            await f.session.submit({ kind: 'SetKillSwitch', state: 'active', actor: 'fuzz', reason: 'reset' });
          if (f.session.status().breaker.tripped)
            await f.session.submit({ kind: 'ResetBreaker', actor: 'fuzz', reason: 'reset' });
          await advance(f.clock, 50, 25);
        },
      ),
      { numRuns: 300 },
    );
    // The draws reached the handlers, not only the body checks: orders were made, refused by
    // the checks and by the state, and unknown ids were looked up.
    for (const status of [200, 201, 400, 404, 422])
      expect(seen.get(status) ?? 0, `status ${status} (seen: ${JSON.stringify([...seen])})`).toBeGreaterThan(0);
  }, 120_000);

  it('answers a quantity or price off the grid, below one step or beyond 2^53 steps with a 400 naming the field and the step', async () => {
    const lot = fc.oneof(
      // Off the lot grid: a whole number of lots plus a part of one.
      fc.tuple(fc.nat(10_000), fc.integer({ min: 1, max: 9 })).map(([n, d]) => `${(n / 1e5).toFixed(5)}${d}`),
      // Below one lot.
      fc.integer({ min: 6, max: 30 }).map((z) => `0.${'0'.repeat(z)}1`),
      // More lots than 2^53 - 1.
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }).map((n) => (n * 10n ** 0n).toString()),
    );
    const tick = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 9 })).map(([n, d]) => `${n}.00${d}`),
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }).map(String),
    );
    const cases = fc.oneof(
      fc.tuple(fc.constant('/orders/slice'), fc.constantFrom('qty', 'maxSliceQty', 'minLiquidity'), lot),
      fc.tuple(fc.constant('/orders/slice'), fc.constant('limitPrice'), tick),
      fc.tuple(fc.constant('/orders'), fc.constant('qty'), lot),
      fc.tuple(fc.constant('/orders'), fc.constantFrom('limitPrice', 'stopPrice'), tick),
      fc.tuple(fc.constant('/signals'), fc.constant('qty'), lot),
      fc.tuple(fc.constant('/signals'), fc.constant('price'), tick),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([path, field, v]) => {
        const before = f.session.lastSeq;
        const body: Record<string, unknown> = { ...BASE[path], [field]: v };
        if (field === 'limitPrice') body['type'] = path === '/orders/slice' ? 'limit' : 'limit';
        if (field === 'stopPrice') body['type'] = 'stop';
        const res = await settle(
          f.clock,
          Promise.resolve(
            app.app.request(`http://127.0.0.1/api/v1${path}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            }),
          ),
        );
        const problem = (await res.json()) as { errors?: Array<{ path: string; message: string }> };
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
        // The instrument's step, as a file's message gives it: "(0.00001)", or "(2^53 - 1 lots of 0.00001)".
        const step = /price/i.test(field) ? /(ticks of |\()0\.01\)$/ : /(lots of |\()0\.00001\)$/;
        expect(problem.errors).toEqual([
          { path: `body.${field}`, message: expect.stringMatching(step) as unknown as string },
        ]);
        expect(f.session.entriesAfter(before)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
