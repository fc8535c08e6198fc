// POST /api/v3/order/test: the order read and checked as POST order reads it, and never placed.
// With computeCommissionRates=true it answers the commission rates the order's trades would pay,
// as Binance does: the scenario's fees as the standard rates, no special or tax rates, and the BNB
// discount off for the account (the gateway takes commissions as the scenario states them).
import type { Scenario } from '../../scenario/schema.ts';
import { parseOrderRequest } from './binance-order-request.ts';
import type { BinanceOrders, OrderAnswer } from './binance-orders.ts';
import { RequestFields } from './request-fields.ts';
import { badRequest, isBinanceError } from './wire.ts';

const RATES = 'computeCommissionRates';

/** order/test's weight, as Binance's: 20 when it computes the commission rates, else 1. */
export function testOrderWeight(f: RequestFields): number {
  return f.params.get(RATES) === 'true' ? 20 : 1;
}

export function testOrder(orders: BinanceOrders, scenario: Scenario, f: RequestFields): OrderAnswer {
  const compute = f.oneOf(RATES, ['true', 'false'], () =>
    badRequest(-1130, `Data sent for parameter '${RATES}' is not valid.`),
  );
  if (isBinanceError(compute)) return { kind: 'error', error: compute };
  const rest = new RequestFields(new Map([...f.params].filter(([k]) => k !== RATES)));
  const parsed = parseOrderRequest(rest, orders.instruments, orders.rules);
  if (isBinanceError(parsed)) return { kind: 'error', error: parsed };
  if (compute !== 'true') return { kind: 'ok', body: {} };
  const { makerBps, takerBps } = scenario.venue.fees;
  const rate = (bps: number) => (bps / 10_000).toFixed(8);
  const none = { maker: rate(0), taker: rate(0) };
  return {
    kind: 'ok',
    body: {
      standardCommissionForOrder: { maker: rate(makerBps), taker: rate(takerBps) },
      specialCommissionForOrder: none,
      taxCommissionForOrder: none,
      discount: { enabledForAccount: false, enabledForSymbol: true, discountAsset: 'BNB', discount: '0.25000000' },
    },
  };
}
