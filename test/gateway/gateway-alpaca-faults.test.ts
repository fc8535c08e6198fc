// The scenario's faults on the gateway's wire, through the real SDK: 429 with Retry-After and
// Alpaca's rate-limit headers (on orders and, with scope all, on reads), delayed stream events,
// and stream stalls (the sockets stay open and silent, then the held events follow in order, or
// are lost). Fault windows count from the gateway's start. No sleeps: waits are bounded conditions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { streaming as sdkStreaming } from '@alpacahq/alpaca-trade-api';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { FIXTURE, gateway, KEY, onCleanup, refusal, scoped, SECRET, waitFor } from '../support/gateway-harness.ts';

const HEADERS = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' };
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-gateway-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const withFaults = (name: string, ...faults: string[]): string => {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `${readFileSync(FIXTURE, 'utf8')}faults:\n${faults.map((f) => `  - ${f}\n`).join('')}`);
  return file;
};

async function streaming(gw: AlpacaGateway) {
  const c = gatewayClient(gw.url, KEY, SECRET);
  const updates: Array<{ u: sdkStreaming.TradeUpdate; at: number }> = [];
  let listening = 0;
  let reconnects = 0;
  c.updates.onTradeUpdate((u) => updates.push({ u, at: Date.now() }));
  c.updates.on('subscription' as never, () => (listening += 1));
  c.updates.on('reconnecting' as never, () => (reconnects += 1));
  onCleanup(() => c.updates.disconnect());
  c.updates.connect();
  expect((await c.updates.whenAuthenticated()).authenticated).toBe(true);
  await waitFor(() => listening >= 1);
  return { ...c, updates, reconnects: () => reconnects };
}

async function filledOrder(alpaca: ReturnType<typeof gatewayClient>['alpaca'], qty = 30) {
  const o = await alpaca.trading.orders.market({ symbol: 'AAPL', qty, side: 'buy' });
  await waitFor(
    async () => (await alpaca.trading.orders.getOrderByOrderID({ orderId: o.id as string })).status === 'filled',
  );
  return { id: o.id as string };
}

describe.concurrent('faults on the wire', () => {
  it(
    'a rate limit answers 429 with Retry-After until the window ends, on orders and (scope all) on reads',
    scoped(async () => {
      const gw = await gateway(withFaults('rl', '{ kind: rate_limit, from: PT0S, until: PT1H, scope: all }'));
      const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
      const post = await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy' }).catch((e: unknown) => e);
      const e = post as { status: number; code: number; retryAfterMs?: number; rateLimit?: { remaining?: number } };
      expect([e.status, e.code]).toEqual([429, 42910000]);
      // The window ends an hour after the start: Retry-After says so (whole seconds).
      expect(e.retryAfterMs).toBeGreaterThan(3_590_000);
      expect(e.retryAfterMs).toBeLessThanOrEqual(3_600_000);
      expect(e.rateLimit?.remaining).toBe(0);
      expect(await refusal(alpaca.trading.account.getAccount())).toMatchObject({ status: 429, code: 42910000 });
      const raw = await fetch(`${gw.url}/v2/clock`, {
        headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET },
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(Number(raw.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 + 3590);
      expect(gw.orders.orders()).toEqual([]);
    }),
  );

  // The delay is measured from the fill's own time at the venue (the event's timestamp), not from
  // when this test's REST poll saw it: on a loaded machine the poll can see it late.
  it(
    'delayed reports hold the stream events back while REST already shows the fill',
    scoped(async () => {
      const gw = await gateway(
        withFaults('delay', '{ kind: delayed_reports, from: PT0S, until: PT1H, delayMs: 1500 }'),
      );
      const c = await streaming(gw);
      const { id } = await filledOrder(c.alpaca);
      expect(c.updates.filter((x) => x.u.executionId)).toEqual([]);
      await waitFor(() => c.updates.some((x) => x.u.event === 'fill'));
      const fill = c.updates.find((x) => x.u.event === 'fill');
      expect(fill?.u.order.id).toBe(id);
      const filledAt = Date.parse(String(fill?.u.timestamp));
      expect(Number.isFinite(filledAt)).toBe(true);
      expect((fill?.at ?? 0) - filledAt).toBeGreaterThanOrEqual(1_490);
    }),
  );

  it(
    'a queued stream stall: the sockets stay open and silent, then every event follows in order',
    scoped(async () => {
      const gw = await gateway(withFaults('stall', '{ kind: stream_stall, from: PT0S, until: PT0.4S, mode: queue }'));
      const end = gw.venue.startedAt + 400;
      const c = await streaming(gw); // control replies are answered during the stall
      const data = c.alpaca.marketData.stockStream({ feed: 'iex', url: gw.dataStreamUrl, reconnect: false });
      const trades: Array<{ price: number; at: number }> = [];
      data.onTrade((t) => trades.push({ price: t.price, at: Date.now() }));
      onCleanup(() => data.disconnect());
      data.connect();
      expect((await data.whenAuthenticated()).authenticated).toBe(true);
      let acked = false;
      data.on('subscription', (s: { trades: string[] }) => (acked ||= s.trades.includes('AAPL')));
      data.subscribeForTrades(['AAPL']);
      await waitFor(() => acked); // the subscription reply is a control frame: not held
      await filledOrder(c.alpaca);
      if (Date.now() < end - 50) expect(c.updates).toEqual([]); // still inside the window: nothing yet
      await waitFor(() => c.updates.some((x) => x.u.event === 'fill') && trades.length >= 2);
      expect(c.updates.map((x) => x.u.event)).toEqual(['new', 'partial_fill', 'fill']);
      for (const x of c.updates) expect(x.at).toBeGreaterThanOrEqual(end - 5);
      expect(trades.map((t) => t.price)).toEqual([187.5, 187.6]);
      for (const t of trades) expect(t.at).toBeGreaterThanOrEqual(end - 5);
      expect(c.reconnects()).toBe(0);
    }),
  );

  it(
    'a dropping stream stall loses what falls in it; events after the window arrive again',
    scoped(async () => {
      const gw = await gateway(withFaults('drop', '{ kind: stream_stall, from: PT0S, until: PT1S, mode: drop }'));
      const c = await streaming(gw);
      const lost = await filledOrder(c.alpaca, 5);
      expect(Date.now()).toBeLessThan(gw.venue.startedAt + 1000); // it fell in the window
      await waitFor(() => Date.now() >= gw.venue.startedAt + 1000);
      const seen = await filledOrder(c.alpaca, 5);
      await waitFor(() => c.updates.some((x) => x.u.event === 'fill'));
      expect(c.updates.map((x) => x.u.order.id)).not.toContain(lost.id);
      expect(c.updates.map((x) => [x.u.event, x.u.order.id])).toEqual([
        ['new', seen.id],
        ['fill', seen.id],
      ]);
      expect(c.reconnects()).toBe(0);
    }),
  );

  it(
    'an outage logs a request as timed out once its timeout has gone by, not when it arrives',
    scoped(async () => {
      const logged: Array<{ detail: string; at: number }> = [];
      const gw = await gateway(withFaults('out-log', '{ kind: outage, from: PT0S, until: PT1H, timeoutMs: 1000 }'), {
        onEvent: (e) => void (e.kind === 'FaultApplied' && logged.push({ detail: e.detail, at: Date.now() })),
      });
      const sent = Date.now();
      const read = await fetch(`${gw.url}/v2/account`, { headers: HEADERS }).then(
        (r) => r.status,
        () => 'dropped',
      );
      expect(read).toBe('dropped');
      const entry = await waitFor(() => logged.find((l) => l.detail.startsWith('GET /v2/account')));
      expect(entry.detail).toBe('GET /v2/account: timed out after 1000 ms');
      expect(entry.at - sent).toBeGreaterThanOrEqual(1000);
    }),
  );

  it(
    'a request an outage holds when the gateway stops is logged as ended by the stop, not as timed out',
    scoped(async () => {
      const logged: string[] = [];
      const gw = await gateway(
        withFaults('out-stop', '{ kind: outage, from: PT0S, until: PT1H, mode: timeout_after, timeoutMs: 20000 }'),
        { onEvent: (e) => void (e.kind === 'FaultApplied' && logged.push(e.detail)) },
      );
      const body = {
        symbol: 'AAPL',
        qty: '1',
        side: 'buy',
        type: 'market',
        time_in_force: 'day',
        client_order_id: 'held',
      };
      const post = fetch(`${gw.url}/v2/orders`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body) }).then(
        (r) => r.status,
        () => 'dropped',
      );
      // The venue acts on it (timeout_after): the order exists from the POST, whose answer the outage holds.
      const rec = await waitFor(() => gw.orders.byClientOrderId('held'));
      await gw.close();
      expect(await post).toBe('dropped');
      expect(logged.filter((d) => d !== 'outage begins')).toEqual([
        `submit ${rec.id}: unanswered, the gateway is stopping; venue received it: true`,
      ]);
    }),
  );

  it('stream_stall is validated like every fault: a bad mode names the field and the choices', () => {
    const file = withFaults('bad', '{ kind: stream_stall, from: PT0S, until: PT1S, mode: pause }');
    expect(() => loadScenarioFile(file)).toThrow(/faults\.0\.mode|faults\[0\]\.mode|mode/);
    expect(() => loadScenarioFile(file)).toThrow(/queue/);
  });
});

describe('the stall gate', () => {
  it('delivers what it held even when its timer fires before the wall clock reaches the window’s end', async () => {
    const { Rng } = await import('../../src/core/clock/rng.ts');
    const { GatewayClock } = await import('../../src/gateway/gateway-clock.ts');
    const { StallGate, WireFaults } = await import('../../src/gateway/wire-faults.ts');
    const start = Date.UTC(2024, 7, 9, 14);
    let now = start + 10;
    let reads = 0; // how often the clock was read: a timer that fires reads it
    const clock = new GatewayClock(undefined, () => {
      reads += 1;
      return now;
    });
    onCleanup(() => clock.stop());
    const faults = loadScenarioFile(withFaults('gate', '{ kind: stream_stall, from: PT0S, until: PT0.05S }')).scenario
      .faults;
    const gate = new StallGate(new WireFaults(faults, start, new Rng(1), () => now), clock, 'test');
    const got: number[] = [];
    gate.send(() => got.push(1));
    gate.send(() => got.push(2));
    const before = reads;
    now = start + 49; // the timer (armed for 40 ms) fires while the wall clock still says the window is on
    await waitFor(() => reads > before);
    expect(got).toEqual([]);
    now = start + 50;
    await waitFor(() => got.length === 2);
    expect(got).toEqual([1, 2]);
    gate.send(() => got.push(3)); // after the window: straight through
    expect(got).toEqual([1, 2, 3]);
  });
});
