// The session's strategy routes through app.request(): GET /session/strategy and
// POST /session/strategy/swap, against the sim session of the other service tests, and against
// the same session given a strategy slot (sessionSwaps over a StrategySlot on a clock of the
// test's, the loader reading test/fixtures/strategies): a swap in shadow is 202 and decided later
// in the log, a second one meanwhile is 409, an override is 200 at once, a bad module, parameters
// or body is 400 naming the field with nothing recorded, no token is 401, and a session without a
// strategy answers 409 on both.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/core/clock/virtual-clock.ts';
import type { ExecEvent } from '../src/core/model/events.ts';
import { OrderLedger } from '../src/core/order/order-ledger.ts';
import type { MarketDataPort } from '../src/core/ports/broker.ts';
import { sessionSwaps } from '../src/runtime/session-swap.ts';
import { API_BASE, createApp } from '../src/server/app.ts';
import type { SessionPort } from '../src/server/session-port.ts';
import { loadStrategy } from '../src/strategy/load-strategy.ts';
import { StrategySlot } from '../src/strategy/strategy-slot.ts';
import { openStoreReader } from '../src/store/store-reader.ts';
import { simSession, type SessionFixture } from './support/session-fixture.ts';

const TOKEN = 'session-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'strategies');

type Json = ReturnType<typeof JSON.parse>;

let f: SessionFixture;
let reader: ReturnType<typeof openStoreReader>;

const appFor = (session: SessionPort) =>
  createApp({
    reader: reader.reader,
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

/** The sim session with a strategy: a slot on a still market of the test's own clock. */
function withStrategy(session: SessionPort) {
  const clock = new VirtualClock(1_700_000_000_000);
  const events: ExecEvent[] = [];
  const market: MarketDataPort = {
    topOfBook: () => ({ bid: 6_000_000, bidQty: 1000, ask: 6_000_002, askQty: 1000 }),
    window: () => ({}) as never,
    lastUpdateAt: () => clock.now(),
  };
  const base = loadStrategy({
    module: 'quote-score.ts',
    path: join(DIR, 'quote-score.ts'),
    params: {},
    warmupTimeoutMs: 0,
    onFailure: { killSwitch: 'halted', cancelParents: true },
  });
  const slot = new StrategySlot({
    strategy: base,
    prior: [],
    candidate: () => null,
    clock,
    marketData: market,
    instruments: [session.instrument],
    ledger: new OrderLedger(),
    record: (e) => events.push(e),
    command: () => {},
    history: null,
  });
  slot.start();
  const swaps = sessionSwaps({ slot, dir: DIR, base, unit: (work) => Promise.resolve(work()) });
  const port = new Proxy(session, {
    get(target, key) {
      if (key === 'strategyStatus') return swaps.strategyStatus;
      if (key === 'swapStrategy') return swaps.swapStrategy;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { port, clock, events, kinds: () => events.map((e) => e.kind).filter((k) => k.startsWith('StrategySwap')) };
}

beforeAll(async () => {
  f = await simSession();
  reader = openStoreReader(f.dbPath);
});
afterAll(async () => {
  reader?.close();
  await f?.close();
});

const ask = (over: Record<string, unknown> = {}) => ({
  module: 'quote-score.ts',
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

  it('run a swap in shadow (202, decided later), refuse a second meanwhile (409), and swap at once on an override (200)', async () => {
    const w = withStrategy(f.session);
    const call = caller(appFor(w.port));
    const before = await call('GET', '/session/strategy');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      live: { name: 'quote-score', module: 'quote-score.ts', running: true },
      shadow: null,
    });
    expect(before.body!['live']['params']).toBe('{"invert":false,"scale":1}');

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

    w.clock.advanceTo(w.clock.now() + 12_000);
    const after = await call('GET', '/session/strategy');
    expect(after.body).toMatchObject({ shadow: null, live: { params: '{"invert":false,"scale":1.1}' } });
    expect(w.events.filter((e) => e.kind === 'StrategySwapDecided').map((e) => [e.swap, e.decision])).toEqual([
      [2, 'refused'],
      [1, 'accepted'],
    ]);

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
    expect(w.events.find((e) => e.kind === 'StrategySwapRequested' && e.swap === 3)).toMatchObject({
      actor: 'ops',
      override: true,
      reason: 'hotfix',
      samples: 10,
      timeoutMs: 3_600_000,
    });
  });

  it('answer 400 naming the field for a bad module, parameters or body, 401 without the token, and record nothing', async () => {
    const w = withStrategy(f.session);
    const call = caller(appFor(w.port));
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [ask({ module: '../../x.ts' }), 'body.module', /must be inside the session file's folder/],
      [ask({ module: 'nope.ts' }), 'body.module', /no such file/],
      [ask({ module: 'zscore.ts', params: {} }), 'body.module', /a swap keeps the feed/],
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
    }
    expect(
      (await call('POST', '/session/strategy/swap', ask(), { 'content-type': 'application/json' } as never)).status,
    ).toBe(401);
    expect(w.kinds()).toEqual([]);
  });
});
