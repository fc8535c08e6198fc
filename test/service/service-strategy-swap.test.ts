// The session's strategy routes through app.request(): GET /session/strategy and
// POST /session/strategy/swap, against the sandbox sim session of the other service tests, with
// and without a strategy (test/fixtures/strategies/quote-score.ts), on a clock the test advances:
// a swap in shadow is 202 and decided later in the session's log, a second one meanwhile is 409,
// an override is 200 at once, a bad module, parameters or body is 400 naming the field with
// nothing recorded, no token is 401, and a session without a strategy answers 409 on both.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../src/core/model/events.ts';
import { API_BASE, createApp } from '../../src/server/app.ts';
import type { SessionPort } from '../../src/server/session-port.ts';
import { openStoreReader } from '../../src/store/store-reader.ts';
import { advance, SANDBOX, simSession, type SessionFixture } from '../support/session-fixture.ts';

const TOKEN = 'session-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const FIXTURES = 'test/fixtures/strategies';

type Json = ReturnType<typeof JSON.parse>;

let f: SessionFixture;
let reader: ReturnType<typeof openStoreReader>;
let g: SessionFixture;
let readerG: ReturnType<typeof openStoreReader>;

const appFor = (session: SessionPort, r = reader) =>
  createApp({
    reader: r.reader,
    deleteRun: null,
    jobs: null,
    scenariosDir: 'scenarios',
    version: 'test',
    token: TOKEN,
    session,
    checkResponses: true,
  }).app;

const caller =
  (app: ReturnType<typeof appFor>) =>
  async (method: string, path: string, body?: unknown, headers = auth) => {
    const res = await app.request(`http://127.0.0.1${API_BASE}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : null };
  };

/** The sandbox session with the quote-score strategy (module paths relative to the repository). */
const WITH_STRATEGY = `${readFileSync(SANDBOX, 'utf8')}\nstrategy:\n  module: ${FIXTURES}/quote-score.ts\n  warmupTimeout: PT0S\n`;

const swapEvents = (session: SessionPort) =>
  session
    .entriesAfter(0)
    .filter((e) => e.event.kind === 'StrategySwapRequested' || e.event.kind === 'StrategySwapDecided')
    .map((e) => e.event as Extract<ExecEvent, { kind: 'StrategySwapRequested' | 'StrategySwapDecided' }>);

beforeAll(async () => {
  f = await simSession();
  reader = openStoreReader(f.dbPath);
  g = await simSession(WITH_STRATEGY);
  readerG = openStoreReader(g.dbPath);
});
afterAll(async () => {
  reader?.close();
  readerG?.close();
  await f?.close();
  await g?.close();
});

const ask = (over: Record<string, unknown> = {}) => ({
  module: `${FIXTURES}/quote-score.ts`,
  params: { scale: 1.1 },
  samples: 10,
  actor: 'ops',
  reason: 'new model',
  ...over,
});

describe('the session strategy routes', () => {
  it('answer 409 on a session that runs no strategy, recording nothing', async () => {
    const call = caller(appFor(f.session));
    const mark = f.session.lastSeq;
    const status = await call('GET', '/session/strategy');
    expect(status.status).toBe(409);
    expect(status.body!['detail']).toBe('this session runs no strategy (name one in the session file: strategy:)');
    expect((await call('POST', '/session/strategy/swap', ask())).status).toBe(409);
    expect(f.session.entriesAfter(mark).filter((e) => e.event.kind.startsWith('Strategy'))).toEqual([]);
  });

  it('run a swap in shadow (202, decided later in the log), refuse a second meanwhile (409), and swap at once on an override (200)', async () => {
    const call = caller(appFor(g.session, readerG));
    const before = await call('GET', '/session/strategy');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      live: {
        name: 'quote-score',
        module: `${FIXTURES}/quote-score.ts`,
        params: '{"invert":false,"scale":1}',
        running: true,
      },
      shadow: null,
    });
    // The answer is the documented shape: what readiness reads of the strategy is /readyz's.
    expect(Object.keys(before.body!['live'] as object).sort()).toEqual([
      'codeHash',
      'module',
      'name',
      'params',
      'running',
    ]);

    const first = await call('POST', '/session/strategy/swap', ask());
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      swap: 1,
      outcome: 'shadow',
      reason: null,
      strategy: { shadow: { swap: 1, candidate: 'quote-score', samples: 0, of: 10 } },
    });
    const second = await call('POST', '/session/strategy/swap', ask({ override: true }));
    expect(second.status).toBe(409);
    expect(second.body!['detail']).toMatch(
      /^swap 2: swap 1 \(candidate quote-score\) is in shadow since .* with 0 of 10 samples: one swap at a time/,
    );

    // Ten one-second quote samples later the candidate (the same scores, 1.1 times) is decided.
    await advance(g.clock, 12_000, 50);
    const after = await call('GET', '/session/strategy');
    expect(after.body).toMatchObject({ shadow: null, live: { params: '{"invert":false,"scale":1.1}', running: true } });
    const decided = swapEvents(g.session).filter((e) => e.kind === 'StrategySwapDecided');
    expect(decided.map((e) => [e.swap, e.decision, e.kind === 'StrategySwapDecided' && e.basis])).toEqual([
      [2, 'refused', null],
      [1, 'accepted', 'scores'],
    ]);
    expect(decided[1]).toMatchObject({ samples: 10, correlation: '1.0000', meanDifference: '0.1000' });

    const now = await call(
      'POST',
      '/session/strategy/swap',
      ask({ params: { invert: true }, override: true, reason: 'hotfix' }),
    );
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({
      swap: 3,
      outcome: 'accepted',
      strategy: { live: { params: '{"invert":true,"scale":1}' } },
    });
    expect(swapEvents(g.session).find((e) => e.kind === 'StrategySwapRequested' && e.swap === 3)).toMatchObject({
      actor: 'ops',
      override: true,
      reason: 'hotfix',
      samples: 10,
      timeoutMs: 3_600_000,
    });
  });

  it('answer 400 naming the field for a bad module, parameters or body, 401 without the token, and record nothing', async () => {
    const call = caller(appFor(g.session, readerG));
    const mark = swapEvents(g.session).length;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [ask({ module: '../x.ts' }), 'body.module', /must be inside the session file's folder/],
      [ask({ module: `${FIXTURES}/nope.ts` }), 'body.module', /no such file/],
      [ask({ module: `${FIXTURES}/zscore.ts`, params: {} }), 'body.module', /a swap keeps the feed/],
      [ask({ params: { scale: 'x' } }), 'body.params.scale', /quote-score\.ts: /],
      [ask({ params: { nope: 1 } }), 'body.params', /Unrecognized key/],
      [ask({ samples: 1 }), 'body.samples', /./],
      [ask({ timeout: 'an hour' }), 'body.timeout', /./],
      [ask({ actor: undefined }), 'body.actor', /./],
      [ask({ module: 'quote-score.py' }), 'body.module', /must name a \.ts or \.js file/],
    ];
    for (const [body, path, message] of cases) {
      const res = await call('POST', '/session/strategy/swap', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const errors = res.body!['errors'] as Array<{ path: string; message: string }>;
      expect(errors[0]?.path, JSON.stringify(res.body)).toBe(path);
      expect(errors[0]?.message).toMatch(message);
      // Files as the request names them, relative to the session's folder: not where they are.
      expect(JSON.stringify(res.body)).not.toContain(process.cwd());
    }
    expect(
      (await call('POST', '/session/strategy/swap', ask(), { 'content-type': 'application/json' } as never)).status,
    ).toBe(401);
    expect(swapEvents(g.session)).toHaveLength(mark);
  });

  it('answer a swap sent again under its key as the first time (same swap, same outcome), and another under it 409', async () => {
    const call = caller(appFor(g.session, readerG));
    const keyed = { ...auth, 'idempotency-key': 'swap-once' };
    const requested = () => swapEvents(g.session).filter((e) => e.kind === 'StrategySwapRequested').length;
    const before = requested();
    const first = await call('POST', '/session/strategy/swap', ask({ params: { scale: 1.2 } }), keyed);
    expect(first.status).toBe(202);
    const again = await call('POST', '/session/strategy/swap', ask({ params: { scale: 1.2 } }), keyed);
    expect([again.status, again.body!['swap'], again.body!['outcome']]).toEqual([202, first.body!['swap'], 'shadow']);
    expect(requested()).toBe(before + 1);
    const other = await call('POST', '/session/strategy/swap', ask({ params: { scale: 1.3 } }), keyed);
    expect(other.status).toBe(409);
    expect(requested()).toBe(before + 1);
    // A refused swap (one is in shadow) is answered the same way again too.
    const refusedKey = { ...auth, 'idempotency-key': 'swap-refused' };
    const refused = await call('POST', '/session/strategy/swap', ask({ override: true }), refusedKey);
    expect(refused.status).toBe(409);
    const refusedAgain = await call('POST', '/session/strategy/swap', ask({ override: true }), refusedKey);
    expect([refusedAgain.status, refusedAgain.body!['detail']]).toEqual([409, refused.body!['detail']]);
    await advance(g.clock, 12_000, 50);
  });
});
