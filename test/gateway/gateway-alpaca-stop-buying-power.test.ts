// The local Alpaca gateway holds buying power for an open buy stop order as Alpaca does: Alpaca
// converts a buy stop into a stop limit 4% above a stop price under $50 (2.5% above one of $50 or
// more) and values an opening buy at its limit price x quantity, so the stop order is checked and
// held at that converted limit, not at its stop price; a stop-limit buy at its own limit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { FIXTURE, gateway, KEY, refusal, SECRET } from '../support/gateway-harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'execsim-alpaca-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The AAPL book of the gateway tests moved under $50: bids 19.90 and 19.80, asks from 20.00. */
function cheapBook(): string {
  const file = path.join(dir, 'cheap.yaml');
  const text = readFileSync(FIXTURE, 'utf8')
    .replace('["187.40", "20"]', '["19.90", "20"]')
    .replace('["187.30", "50"]', '["19.80", "50"]')
    .replace('["187.50", "10"]', '["20.00", "10"]')
    .replace('["187.60", "100"]', '["20.10", "100"]')
    .replace('["187.80", "500"]', '["20.20", "500"]');
  writeFileSync(file, text);
  return file;
}

async function account(gw: AlpacaGateway) {
  const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
  const buyingPower = async () => Number((await alpaca.trading.account.getAccount()).buyingPower);
  return { alpaca, buyingPower };
}

const REFUSED = { status: 403, code: 40310000, message: expect.stringContaining('insufficient buying power') };

describe('buying power of buy stop orders at the local Alpaca gateway', () => {
  it('a stop of $50 or more holds 2.5% above its stop price; a stop limit holds its limit', async () => {
    const { alpaca, buyingPower } = await account(await gateway()); // 100,000 cash; asks from 187.50
    // 520 x 190 = 98,800 fits the cash; 520 x 194.75 (190 + 2.5%) = 101,270 does not.
    expect(
      await refusal(alpaca.trading.orders.stop({ symbol: 'AAPL', qty: 520, side: 'buy', stopPrice: 190 })),
    ).toMatchObject(REFUSED);
    const stop = await alpaca.trading.orders.stop({ symbol: 'AAPL', qty: 10, side: 'buy', stopPrice: 190 });
    expect(stop.status).toBe('new');
    expect(await buyingPower()).toBeCloseTo(100_000 - 10 * 194.75, 6);
    // A later buy is checked against what the stop holds: 503 x 195 = 98,085 is within the cash
    // less the stop price (98,100), but not within the buying power left (98,052.50).
    expect(
      await refusal(alpaca.trading.orders.limit({ symbol: 'AAPL', qty: 503, side: 'buy', limitPrice: 195 })),
    ).toMatchObject(REFUSED);
    await alpaca.trading.orders.deleteOrderByOrderID({ orderId: stop.id as string });
    expect(await buyingPower()).toBe(100_000);
    // A stop limit is valued at its own limit: 520 x 191 = 99,320 fits.
    const stopLimit = await alpaca.trading.orders.stopLimit({
      symbol: 'AAPL',
      qty: 520,
      side: 'buy',
      stopPrice: 190,
      limitPrice: 191,
    });
    expect(stopLimit.status).toBe('new');
    expect(await buyingPower()).toBeCloseTo(100_000 - 520 * 191, 6);
  });

  it('a stop under $50 holds 4% above its stop price', async () => {
    const { alpaca, buyingPower } = await account(await gateway(cheapBook())); // asks from 20.00
    // 4,700 x 21 = 98,700 fits the cash; 4,700 x 21.84 (21 + 4%) = 102,648 does not.
    expect(
      await refusal(alpaca.trading.orders.stop({ symbol: 'AAPL', qty: 4700, side: 'buy', stopPrice: 21 })),
    ).toMatchObject(REFUSED);
    const stop = await alpaca.trading.orders.stop({ symbol: 'AAPL', qty: 100, side: 'buy', stopPrice: 21 });
    expect(stop.status).toBe('new');
    expect(await buyingPower()).toBeCloseTo(100_000 - 100 * 21.84, 6);
  });
});
