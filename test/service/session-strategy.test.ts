// A strategy module in a service session: the sandbox session file with a `strategy:` section,
// its simulated venue and the session's node on a clock the test advances. The simulated venue
// has no past to read, so the strategy warms up on live data: until it has, the session takes
// orders but reports itself degraded (/readyz 503 naming what the strategy lacks, the ready and
// strategy_hydrated gauges 0) and the strategy's signals are refused; then /readyz answers 200 and
// the strategy's next signal becomes a parent. A strategy that fails leaves the session degraded.
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { parseSessionFile } from '../../src/scenario/session-file.ts';
import { sessionMetrics } from '../../src/server/session-metrics.ts';
import { SANDBOX, sessionApp, until, type SessionFixture } from '../support/session-fixture.ts';

const TOKEN = 'session-strategy-token-0123456789';

/** The sandbox session with a strategy section (module paths relative to the repository). */
const withStrategy = (section: string): string => `${readFileSync(SANDBOX, 'utf8')}\nstrategy:\n${section}\n`;
const BUYER = withStrategy(
  '  module: test/fixtures/paper/bar-buyer-seconds.ts\n  params: { qty: 0.001, limit: false }\n  warmupTimeout: PT0S',
);

let closing: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closing.reverse()) await c();
  closing = [];
});

async function open(yaml: string): Promise<{ f: SessionFixture; get: (path: string) => Promise<Response> }> {
  const { f, app, close } = await sessionApp(yaml, TOKEN);
  closing.push(close);
  return { f, get: async (path) => app.request(`http://127.0.0.1/api/v1${path}`) };
}

const kinds =
  (entries: readonly LogEntry[]) =>
  <K extends ExecEvent['kind']>(kind: K) =>
    entries.filter((e) => e.event.kind === kind) as Array<LogEntry & { event: Extract<ExecEvent, { kind: K }> }>;

async function gauge(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const got = await registry.getSingleMetric(name)!.get();
  return got.values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value;
}

describe('a strategy module in a service session', () => {
  it('a session file takes a strategy section, loaded and checked like a scenario’s', () => {
    const loaded = parseSessionFile(BUYER, 'session.yaml');
    expect(loaded.loaded.strategy).toMatchObject({ module: 'test/fixtures/paper/bar-buyer-seconds.ts', barMs: 1_000 });
    expect(() => parseSessionFile(withStrategy('  module: test/fixtures/paper/nowhere.ts'), 'session.yaml')).toThrow(
      /^session\.yaml: strategy\.module: test\/fixtures\/paper\/nowhere\.ts: no such file/,
    );
    expect(() =>
      parseSessionFile(
        withStrategy('  module: test/fixtures/paper/bar-buyer-seconds.ts\n  params: { qty: -1 }'),
        'x.yaml',
      ),
    ).toThrow(/^x\.yaml: strategy\.params\.qty: /);
  });

  it('reports degraded on /readyz until the strategy is warm, then ready; its first signal after the warm-up trades', async () => {
    const { f, get } = await open(BUYER);
    const registry = new Registry();
    const metrics = sessionMetrics(f.session, registry);
    closing.push(() => metrics.stop());

    // Open for orders (the startup gate), but degraded: the strategy has not seen its two bars.
    expect(f.session.ready).toBe(true);
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    const detail = ((await down.json()) as { detail: string }).detail;
    expect(detail).toMatch(/^degraded: strategy bar-buyer-seconds not hydrated: BTCUSDT: warm-up [01] of 2 bars$/);
    expect(await gauge(registry, 'execsim_session_strategy_hydrated', { strategy: 'bar-buyer-seconds' })).toBe(0);
    expect(await gauge(registry, 'execsim_session_strategy_running', { strategy: 'bar-buyer-seconds' })).toBe(1);
    expect(await gauge(registry, 'execsim_session_ready', {})).toBe(0);

    await until(f.clock, () => f.session.readiness().ready, 10_000);
    expect((await get('/readyz')).status).toBe(200);
    expect(await gauge(registry, 'execsim_session_strategy_hydrated', { strategy: 'bar-buyer-seconds' })).toBe(1);
    expect(await gauge(registry, 'execsim_session_ready', {})).toBe(1);

    await until(f.clock, () => f.session.entriesAfter(0).some((e) => e.event.kind === 'ParentOrderCreated'), 10_000);
    const of = kinds(f.session.entriesAfter(0));
    const hydration = of('StrategyHydration').map((e) => e.event);
    expect(hydration[0]).toMatchObject({ state: 'hydrating', detail: 'no history source: warming up on live data' });
    const hydrated = of('StrategyHydration').find((e) => e.event.state === 'hydrated')!;
    expect(hydrated.event).toMatchObject({ symbol: 'BTCUSDT', have: 2, need: 2, unit: 'bars', detail: 'live' });
    // The signal on the first bar was refused by the host; the node saw only the one after.
    const refused = of('StrategyOutputRefused');
    expect(refused[0]!.event.reason).toBe('not warm yet: BTCUSDT has 1 of 2 bars');
    expect(refused[0]!.seq).toBeLessThan(hydrated.seq);
    const received = of('SignalReceived');
    expect(received).toHaveLength(1);
    expect(received[0]!.seq).toBeGreaterThan(hydrated.seq);
    const accepted = of('SignalAccepted')[0]!.event;
    expect(of('ParentOrderCreated')[0]!.event).toMatchObject({
      parentId: accepted.parentId,
      side: 'buy',
      qty: 100,
      type: 'market',
    });
  });

  it('a strategy that fails leaves the session degraded, saying so', async () => {
    const { f, get } = await open(
      withStrategy(
        '  module: test/fixtures/paper/bar-buyer-seconds.ts\n  params: { qty: 0.000001 }\n  onFailure: { killSwitch: active }',
      ),
    );
    // A quantity below one lot is malformed output: the strategy stops, the session goes on.
    await until(f.clock, () => f.session.entriesAfter(0).some((e) => e.event.kind === 'StrategyFailed'), 10_000);
    expect(f.session.strategyStatus()).toMatchObject({
      live: { name: 'bar-buyer-seconds', running: false, stopped: true, notHydrated: [] },
      shadow: null,
    });
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(((await down.json()) as { detail: string }).detail).toBe('degraded: strategy bar-buyer-seconds has stopped');
    expect(f.session.status().killSwitch).toBe('active');
  });
});
