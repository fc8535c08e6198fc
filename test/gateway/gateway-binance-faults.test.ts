// The scenario's faults on the Binance gateway's wire: a 5xx window answers orders -1007 (HTTP
// 503, "Send status unknown; execution status unknown.") and the outcome is really unknown: some
// of those orders exist and some do not, and only a lookup tells (ccxt sees a RequestTimeout); an
// order the venue received and refused on arrival is then REJECTED on the user data stream. A
// rate-limit window is 429 -1003 with Retry-After on reads and orders, an outage drops a read's
// connection after its timeout, and a stream stall holds the user data stream's events until its
// window ends. Fault windows count from the gateway's start. Waits are bounded conditions; where
// a test must act before, inside and after a window, the gateway runs on a clock the test moves
// on (its windows minutes away), so a loaded machine cannot make a step miss its window.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/core/model/ids.ts';
import {
  BTC_FIXTURE,
  binanceGateway,
  ccxtClient,
  raw,
  rawSocket,
  subscribeParams,
} from '../support/binance-gateway-harness.ts';
import { waitFor } from '../support/gateway-harness.ts';

const SYMBOL = 'BTCUSDT';
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-binance-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MINUTE = 60_000;

/** The wall clock moved on by the test: `now` for the gateway, and `shift` (ms ahead of the
 *  machine's clock) for a client to sign with, as ccxt's timeDifference does for a venue whose
 *  clock differs from the machine's. */
function movedClock() {
  let shift = 0;
  return {
    now: () => Date.now() + shift,
    get shift() {
      return shift;
    },
    /** Moves the clock on to `t` (epoch ms on it); never back. */
    moveTo(t: number): void {
      shift = Math.max(shift, t - Date.now());
    },
  };
}

const withFaults = (name: string, ...faults: string[]): string => {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `${readFileSync(BTC_FIXTURE, 'utf8')}faults:\n${faults.map((f) => `  - ${f}\n`).join('')}`);
  return file;
};

describe('faults on the Binance wire', () => {
  it('a 5xx window answers -1007 and the order may or may not exist: a lookup tells, and agrees with the venue', async () => {
    const clock = movedClock();
    const gw = await binanceGateway(
      withFaults('5xx', '{ kind: http_5xx, from: PT10M, until: PT20M, probability: 1 }'),
      { now: clock.now },
    );
    const ex = await ccxtClient(gw);
    await ex.loadMarkets(); // before the window, which answers reads 503 too
    clock.moveTo(gw.venue.startedAt + 10 * MINUTE + 1000);
    ex.options['timeDifference'] = -clock.shift; // ccxt signs with the venue's clock
    const ids = Array.from({ length: 8 }, (_, i) => `unknown-${i}`);
    const answers = await Promise.all(
      ids.map((cid) =>
        raw(
          gw,
          'POST',
          'order',
          {
            symbol: SYMBOL,
            side: 'BUY',
            type: 'MARKET',
            quantity: '0.001',
            newClientOrderId: cid,
            timestamp: String(clock.now()),
          },
          true,
        ),
      ),
    );
    for (const a of answers)
      expect([a.status, a.body]).toEqual([
        503,
        {
          code: -1007,
          msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
        },
      ]);
    const viaCcxt = await ex
      .createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { newClientOrderId: 'unknown-ccxt' })
      .catch((e: unknown) => e);
    expect((viaCcxt as Error).constructor.name).toBe('RequestTimeout');
    // Every order the venue acted on has filled (a market buy against the static book).
    const all = [...ids, 'unknown-ccxt'];
    const venueStatus = (cid: string) => {
      const rec = gw.orders.desk.byClientOrderId(cid);
      return rec && gw.venue.desk.order(clientOrderId(rec.id))?.status;
    };
    await waitFor(() => all.every((cid) => [undefined, 'filled'].includes(venueStatus(cid))));
    // After the window, a lookup by client id finds the order, or says it does not exist: as the
    // venue (the exchange behind the gateway) has it or not.
    clock.moveTo(gw.venue.startedAt + 20 * MINUTE);
    const found: string[] = [];
    const missing: string[] = [];
    for (const cid of all) {
      const looked = await raw(
        gw,
        'GET',
        'order',
        { symbol: SYMBOL, origClientOrderId: cid, timestamp: String(clock.now()) },
        true,
      );
      const rec = gw.orders.desk.byClientOrderId(cid);
      if (looked.status === 200) {
        found.push(cid);
        expect(looked.body).toMatchObject({ clientOrderId: cid, status: 'FILLED' });
        expect(venueStatus(cid)).toBe('filled');
      } else {
        missing.push(cid);
        expect(looked.body).toEqual({ code: -2013, msg: 'Order does not exist.' });
        expect(rec).toBeUndefined();
      }
    }
    expect(found.length).toBeGreaterThan(0);
    expect(missing.length).toBeGreaterThan(0);
  });

  it('an order the venue received and refused on arrival is REJECTED on the user data stream', async () => {
    const events: Array<Record<string, unknown>> = [];
    const clock = movedClock();
    const gw = await binanceGateway(
      withFaults('5xx-sell', '{ kind: http_5xx, from: PT10M, until: PT20M, probability: 1 }'),
      { onUserEvent: (e) => events.push(e), now: clock.now },
    );
    clock.moveTo(gw.venue.startedAt + 10 * MINUTE);
    // Sells of BTC the account does not hold: refused wherever they arrive.
    const ids = Array.from({ length: 8 }, (_, i) => `sell-${i}`);
    for (const cid of ids) {
      const params = {
        symbol: SYMBOL,
        side: 'SELL',
        type: 'MARKET',
        quantity: '0.01',
        newClientOrderId: cid,
        timestamp: String(clock.now()),
      };
      expect((await raw(gw, 'POST', 'order', params, true)).status).toBe(503);
    }
    const rejected = (cid: string) => events.some((e) => e['c'] === cid && e['x'] === 'REJECTED');
    await waitFor(() =>
      ids.every(
        (cid) => gw.orders.desk.byClientOrderId(cid)?.rejectedAt != null || !gw.orders.desk.byClientOrderId(cid),
      ),
    );
    const announced = ids.filter((cid) => gw.orders.desk.byClientOrderId(cid) !== undefined);
    expect(announced.length).toBeGreaterThan(0);
    await waitFor(() => announced.every(rejected));
    clock.moveTo(gw.venue.startedAt + 20 * MINUTE);
    for (const cid of announced) {
      const params = { symbol: SYMBOL, origClientOrderId: cid, timestamp: String(clock.now()) };
      const looked = await raw(gw, 'GET', 'order', params, true);
      expect(looked.body).toMatchObject({ clientOrderId: cid, status: 'REJECTED' });
    }
    expect(events.filter((e) => e['x'] === 'REJECTED').map((e) => e['c'])).toEqual(announced);
  });

  it('a rate-limit window answers 429 -1003 with Retry-After until it ends, reads and orders', async () => {
    const gw = await binanceGateway(withFaults('rl', '{ kind: rate_limit, from: PT0S, until: PT1H, scope: all }'));
    const read = await raw(gw, 'GET', 'depth', { symbol: SYMBOL });
    expect([read.status, read.body]).toEqual([429, { code: -1003, msg: 'Too many requests queued.' }]);
    const untilEnd = Math.ceil((gw.venue.startedAt + 3_600_000 - Date.now()) / 1000);
    expect(Math.abs(Number(read.headers.get('retry-after')) - untilEnd)).toBeLessThanOrEqual(1);
    const order = await raw(
      gw,
      'POST',
      'order',
      { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.01' },
      true,
    );
    expect(order.status).toBe(429);
    expect(order.body).toMatchObject({ code: -1003 });
    expect(Number(order.headers.get('retry-after'))).toBeGreaterThan(3500);
  });

  it('an outage holds a read for its timeout and drops the connection', async () => {
    const gw = await binanceGateway(
      withFaults('outage', '{ kind: outage, from: PT0S, until: PT1H, mode: timeout_before, timeoutMs: 150 }'),
    );
    const t0 = Date.now();
    const failed = await fetch(`${gw.url}/api/v3/depth?symbol=${SYMBOL}`).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('a stream stall holds the user data stream’s events until the window ends, in order', async () => {
    const gw = await binanceGateway(
      withFaults('stall', '{ kind: stream_stall, from: PT0S, until: PT1S, mode: queue }'),
    );
    const { frames, send } = await rawSocket(gw.wsApiUrl);
    send({ id: 1, method: 'userDataStream.subscribe.signature', params: subscribeParams() });
    await waitFor(() => frames.length > 0); // control answers are never held
    expect(frames[0]?.msg).toEqual({ id: 1, status: 200, result: { subscriptionId: 0 } });
    const bought = await raw(
      gw,
      'POST',
      'order',
      { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: '0.3' },
      true,
    );
    expect(bought.status).toBe(200);
    const reports = () => frames.filter((f) => (f.msg['event'] as { e?: string } | undefined)?.e === 'executionReport');
    await waitFor(() => reports().length === 3);
    expect(reports().map((f) => (f.msg['event'] as { x: string }).x)).toEqual(['NEW', 'TRADE', 'TRADE']);
    expect(reports()[0]?.at).toBeGreaterThanOrEqual(gw.venue.startedAt + 1000);
  });
});
