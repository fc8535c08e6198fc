// PATCH without qty against a busy book, over loopback: resting limit orders at the touch of a
// synthetic market that trades many times a second, replaced with a price one tick away while
// trades keep landing on them. Whatever the latencies and the moment of the replace, the old
// order and its replacement never fill more than the order's quantity, and the replacement is
// exactly what the old order had left when its cancel took effect. Both fill profiles. Bounded:
// a few chains per gateway, a few gateways, every wait a condition with a deadline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { startAlpacaGateway, type AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { KEY, SECRET, waitFor } from '../support/gateway-harness.ts';

const HEADERS = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' };
const QTY = 40;
const DONE = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

const dir = mkdtempSync(path.join(tmpdir(), 'execsim-gateway-replace-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A busy AAPL book: a step every 50 ms, a thin touch (5), trades of 10 on average, `rate` a second. */
function busyBook(entry: { ms: number; jitterMs: number }, ackMs: number, rate: number, seed: number): string {
  const file = path.join(dir, `busy-${files++}.yaml`);
  writeFileSync(
    file,
    `name: gateway-replace-race
seed: ${seed}
venue:
  name: alpaca-equities
  fees: { makerBps: 0, takerBps: 0 }
  latency: { orderEntry: { ms: ${entry.ms}, jitterMs: ${entry.jitterMs} }, ack: ${ackMs}, fillReport: 1, marketData: 0 }
  account: { quote: "100000000", base: "100000" }
instrument: { symbol: AAPL, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-09T14:00:00Z
duration: PT1H
market:
  model: synthetic
  initialPrice: "187.50"
  volatility: 0.02
  stepMs: 50
  spreadTicks: 1
  depth: ["5", "50", "80"]
  trades: { ratePerSec: ${rate}, meanQty: "10" }
`,
  );
  return file;
}

async function call(gw: AlpacaGateway, method: string, url: string, body?: unknown) {
  const res = await fetch(`${gw.url}${url}`, {
    method,
    headers: HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

const order = async (gw: AlpacaGateway, id: string) => (await call(gw, 'GET', `/v2/orders/${id}`)).body;

/** One chain: a limit at the touch, replaced (no qty) a few prints later, the replacement cancelled
 *  if it still rests; returns the old order and the replacement as they end. */
async function chain(gw: AlpacaGateway, side: 'buy' | 'sell', prints: number, away: boolean) {
  const quote = (await call(gw, 'GET', '/v2/stocks/AAPL/quotes/latest')).body['quote'] as { bp: number; ap: number };
  const price = side === 'buy' ? quote.bp : quote.ap;
  const placed = await call(gw, 'POST', '/v2/orders', {
    symbol: 'AAPL',
    qty: String(QTY),
    side,
    type: 'limit',
    time_in_force: 'gtc',
    limit_price: price.toFixed(2),
  });
  expect(placed.status).toBe(200);
  const id = String(placed.body['id']);
  // The moment of the replace: after the tape has taken `prints` more trades.
  const seen = gw.feed.prints.length;
  await waitFor(() => gw.feed.prints.length >= seen + prints);
  const tick = (side === 'buy') === away ? -0.01 : 0.01; // away from the market, or towards it
  const replaced = await call(gw, 'PATCH', `/v2/orders/${id}`, { limit_price: (price + tick).toFixed(2) });
  if (replaced.status !== 200) {
    // Only an order that filled completely before its cancel cannot be replaced.
    expect(replaced.status).toBe(422);
    const old = await waitFor(async () => {
      const o = await order(gw, id);
      return DONE.has(String(o['status'])) && o;
    });
    expect(old['filled_qty']).toBe(String(QTY));
    return { old, next: null };
  }
  const nextId = String(replaced.body['id']);
  const cancel = await call(gw, 'DELETE', `/v2/orders/${nextId}`);
  expect([204, 422]).toContain(cancel.status); // 422: it filled first
  const next = await waitFor(async () => {
    const o = await order(gw, nextId);
    return DONE.has(String(o['status'])) && o;
  });
  return { old: await order(gw, id), next };
}

describe('property: a replace without qty never overfills', () => {
  it('old and new together fill at most the quantity; the replacement is exactly what was left', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          fills: fc.constantFrom('book' as const, 'alpaca-paper' as const),
          entryMs: fc.integer({ min: 20, max: 250 }),
          jitterMs: fc.integer({ min: 0, max: 80 }),
          ackMs: fc.integer({ min: 1, max: 30 }),
          rate: fc.integer({ min: 40, max: 120 }),
          seed: fc.integer({ min: 1, max: 1000 }),
          chains: fc.array(
            fc.record({
              side: fc.constantFrom('buy' as const, 'sell' as const),
              prints: fc.integer({ min: 0, max: 4 }),
              away: fc.boolean(),
            }),
            { minLength: 1, maxLength: 4 },
          ),
        }),
        async ({ fills, entryMs, jitterMs, ackMs, rate, seed, chains }) => {
          const gw = await startAlpacaGateway({
            scenarioFile: busyBook({ ms: entryMs, jitterMs }, ackMs, rate, seed),
            keyId: KEY,
            secretKey: SECRET,
            fills,
          });
          try {
            await waitFor(async () => (await call(gw, 'GET', '/v2/stocks/AAPL/quotes/latest')).status === 200);
            const ends = await Promise.all(chains.map((c) => chain(gw, c.side, c.prints, c.away)));
            for (const { old, next } of ends) {
              const oldFilled = Number(old['filled_qty']);
              if (next === null) continue;
              expect(old['status']).toBe('replaced');
              expect(Number(next['qty'])).toBe(QTY - oldFilled);
              expect(oldFilled + Number(next['filled_qty'])).toBeLessThanOrEqual(QTY);
            }
          } finally {
            await gw.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
