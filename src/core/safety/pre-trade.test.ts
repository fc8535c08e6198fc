import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId, parentOrderId, symbol } from '../model/ids.ts';
import { makeInstrument } from '../model/instrument.ts';
import type { OrderRequest } from '../model/order.ts';
import { ALPACA_EQUITIES } from '../venues/alpaca-equities.ts';
import { BINANCE_SPOT } from '../venues/binance-spot.ts';
import {
  checkFatFinger,
  checkRateLimit,
  DEFAULT_PRE_TRADE_CONFIG,
  parsePreTradeConfig,
  preTradeCheck,
  pruneAcceptedTimes,
  type PreTradeContext,
} from './pre-trade.ts';
import type { Confirmation } from '../model/safety-events.ts';

const RUNS = { numRuns: 200 };
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
const BTC = makeInstrument(BINANCE_SPOT.instruments[0]!);
const P100 = 10_000; // $100.00 in ticks

type Over = { readonly [K in keyof OrderRequest]?: OrderRequest[K] | undefined };
const order = (o: Over = {}): OrderRequest => {
  const merged: Record<string, unknown> = {
    clientOrderId: clientOrderId('cid-1'),
    parentId: parentOrderId('p-1'),
    sliceNum: 0,
    totalSlices: 1,
    scheduledTime: 0,
    symbol: symbol('AAPL'),
    side: 'buy',
    type: 'limit',
    tif: 'DAY',
    qty: 10,
    limitPrice: P100,
    ...o,
  };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return merged as unknown as OrderRequest;
};
const ctx = (c: Partial<PreTradeContext> = {}): PreTradeContext => ({
  instrument: AAPL,
  venue: ALPACA_EQUITIES,
  referencePrice: null,
  now: 10_000,
  acceptedTimes: [],
  knownClientOrderIds: new Set(),
  ...c,
});
const denial = (o: Over, c: Partial<PreTradeContext> = {}) => {
  const r = preTradeCheck(order(o), ctx(c));
  return r.ok ? null : r.denial;
};

describe('pre-trade config', () => {
  it('has every default in one place', () => {
    expect(DEFAULT_PRE_TRADE_CONFIG).toEqual({
      maxOrderQty: '10000',
      maxOrderNotional: '100000',
      maxOrdersPerWindow: 100,
      rateWindowMs: 1000,
      largeOrderNotional: '5000',
      largeOrderQty: '1000',
      hardLimitNotional: '10000',
    });
    expect(parsePreTradeConfig(undefined)).toEqual(DEFAULT_PRE_TRADE_CONFIG);
    expect(Object.isFrozen(DEFAULT_PRE_TRADE_CONFIG)).toBe(true);
  });

  it('names the bad field', () => {
    expect(() => parsePreTradeConfig({ largeOrderNotional: 5000 })).toThrow(
      /pre-trade config: largeOrderNotional: must be a quote amount/,
    );
    expect(() => parsePreTradeConfig({ largeOrderNotional: '0' })).toThrow(
      /largeOrderNotional: must be greater than 0/,
    );
    expect(() => parsePreTradeConfig({ maxOrdersPerWindow: 0 })).toThrow(/maxOrdersPerWindow: must be at least 1/);
    expect(() => parsePreTradeConfig({ hardLimitNotional: '4000' })).toThrow(
      /hardLimitNotional: must not be below largeOrderNotional/,
    );
    expect(() => parsePreTradeConfig({ maxOrderNotional: '9999.99' })).toThrow(
      /maxOrderNotional: must not be below hardLimitNotional/,
    );
    expect(() => parsePreTradeConfig({ maxOrderQty: '999' })).toThrow(/maxOrderQty: must not be below largeOrderQty/);
    expect(() => parsePreTradeConfig({ maxQty: '1' })).toThrow(/unknown field "maxQty"/);
    expect(() => parsePreTradeConfig([])).toThrow(/must be an object/);
  });
});

describe('pre-trade denials, one clear reason each', () => {
  it('passes an ordinary order without audit', () => {
    expect(preTradeCheck(order(), ctx())).toEqual({ ok: true, audit: null });
  });

  it('venue rules: symbol, client id, type/tif, tick grid, lot grid, price, minimum notional', () => {
    expect(denial({ symbol: symbol('SPY') })).toMatchObject({ code: 'symbol-mismatch', field: 'symbol' });
    expect(denial({ clientOrderId: clientOrderId('has space') })).toMatchObject({
      code: 'invalid-client-id',
      field: 'clientOrderId',
    });
    expect(
      denial(
        { symbol: symbol('BTCUSDT'), tif: 'GTC', clientOrderId: clientOrderId('x'.repeat(37)) },
        { instrument: BTC, venue: BINANCE_SPOT },
      ),
    ).toMatchObject({ code: 'invalid-client-id' });
    expect(
      denial({ symbol: symbol('BTCUSDT'), qty: 100_000, tif: 'DAY' }, { instrument: BTC, venue: BINANCE_SPOT }),
    ).toEqual({
      code: 'unsupported-tif',
      reason: 'Binance Spot does not take a limit order with time in force DAY',
      field: 'tif',
    });
    expect(denial({ limitPrice: 100.5 })).toEqual({
      code: 'price-off-tick',
      reason: 'limitPrice must be a positive whole number of ticks (tick 0.01), got 100.5',
      field: 'limitPrice',
    });
    expect(denial({ limitPrice: 0 })).toMatchObject({ code: 'price-off-tick' });
    expect(denial({ qty: 1.5 })).toEqual({
      code: 'qty-off-lot',
      reason: 'quantity must be a positive whole number of lots (lot 1), got 1.5',
      field: 'qty',
    });
    expect(denial({ qty: 0 })).toMatchObject({ code: 'qty-off-lot' });
    expect(denial({ type: 'market', limitPrice: undefined })).toEqual({
      code: 'no-reference-price',
      reason: 'a market order has no price to value it at and no reference price was given',
      field: 'referencePrice',
    });
    expect(denial({ type: 'market', limitPrice: undefined }, { referencePrice: P100 })).toBeNull();
    expect(denial({ limitPrice: 99, qty: 1 })).toEqual({
      code: 'below-min-notional',
      reason: 'notional 0.99 is below the minimum 1',
      field: 'qty',
    });
    // BTCUSDT: 5 USDT minimum; 0.00004 BTC at 100,000 = 4 USDT.
    const btc = { symbol: symbol('BTCUSDT'), qty: 4, limitPrice: 10_000_000, tif: 'GTC' as const };
    expect(denial(btc, { instrument: BTC, venue: BINANCE_SPOT })).toEqual({
      code: 'below-min-notional',
      reason: 'notional 4 is below the minimum 5',
      field: 'qty',
    });
    expect(denial({ ...btc, qty: 5 }, { instrument: BTC, venue: BINANCE_SPOT })).toBeNull();
  });

  it('duplicate client order id', () => {
    expect(denial({}, { knownClientOrderIds: new Set(['cid-1']) })).toEqual({
      code: 'duplicate-client-id',
      reason: 'client order id "cid-1" is already used',
      field: 'clientOrderId',
    });
    // The order manager hands over the ledger's map of orders itself, not a copy of its keys.
    const ledgerOrders = new Map([['cid-1', {}]]);
    expect(denial({}, { knownClientOrderIds: ledgerOrders })?.code).toBe('duplicate-client-id');
    expect(denial({}, { knownClientOrderIds: new Map([['cid-2', {}]]) })).toBeNull();
  });

  it('maximum quantity and notional (no confirmation lifts them)', () => {
    const all: Confirmation[] = ['large-order', 'hard-limit'];
    expect(denial({ qty: 10_001, limitPrice: 1 }, { confirmations: all })).toEqual({
      code: 'max-order-qty',
      reason: 'quantity 10001 is above the maximum order quantity 10000',
      field: 'qty',
    });
    expect(denial({ qty: 1001, limitPrice: P100 }, { confirmations: all })).toEqual({
      code: 'max-order-notional',
      reason: 'notional 100100 is above the maximum order notional 100000',
      field: 'qty',
    });
    expect(denial({ qty: 1000, limitPrice: P100 }, { confirmations: all })).toBeNull();
  });

  it('fat finger: above the soft limit needs large-order, above the hard limit also hard-limit, and says which', () => {
    expect(denial({ qty: 50 })).toBeNull(); // exactly 5,000: not above
    expect(denial({ qty: 51 })).toEqual({
      code: 'large-order-confirmation-missing',
      reason: "notional 5100 is above 5000: the order needs the 'large-order' confirmation",
      field: 'confirmations',
    });
    expect(denial({ qty: 1001, limitPrice: 100 })).toEqual({
      code: 'large-order-confirmation-missing',
      reason: "quantity 1001 is above 1000: the order needs the 'large-order' confirmation",
      field: 'confirmations',
    });
    expect(denial({ qty: 101 }, { confirmations: ['large-order'] })).toEqual({
      code: 'hard-limit-confirmation-missing',
      reason: "notional 10100 is above the hard limit 10000: the order needs the second, 'hard-limit' confirmation",
      field: 'confirmations',
    });
    expect(denial({ qty: 101 }, { confirmations: ['hard-limit'] })).toMatchObject({
      code: 'large-order-confirmation-missing',
    });
  });

  it('audits every confirmed large order', () => {
    expect(
      preTradeCheck(order({ qty: 101 }), ctx({ confirmations: ['hard-limit', 'large-order'], confirmedBy: 'ops-1' })),
    ).toEqual({
      ok: true,
      audit: {
        kind: 'LargeOrderConfirmed',
        clientOrderId: 'cid-1',
        symbol: 'AAPL',
        side: 'buy',
        qty: '101',
        notional: '10100',
        above: ['notional', 'hard-notional'],
        confirmations: ['large-order', 'hard-limit'],
        confirmedBy: 'ops-1',
      },
    });
    // The second confirmation is not "used" below the hard limit.
    const soft = preTradeCheck(order({ qty: 60 }), ctx({ confirmations: ['large-order', 'hard-limit'] }));
    expect(soft).toMatchObject({
      ok: true,
      audit: { notional: '6000', above: ['notional'], confirmations: ['large-order'], confirmedBy: null },
    });
    expect(preTradeCheck(order(), ctx({ confirmations: ['large-order'] }))).toEqual({ ok: true, audit: null });
  });

  it('rate limit: the 101st order inside one second is denied, and passes once the first leaves the window', () => {
    const times = Array.from({ length: 100 }, (_, i) => 9_001 + i * 9); // 9001 .. 9892
    expect(denial({}, { now: 9_900, acceptedTimes: times })).toEqual({
      code: 'rate-limited',
      reason: '100 orders accepted in the last 1000 ms; the limit is 100',
    });
    expect(denial({}, { now: 10_001, acceptedTimes: times })).toBeNull();
    expect(pruneAcceptedTimes(10_001, times, DEFAULT_PRE_TRADE_CONFIG)).toHaveLength(99);
  });

  it('runs in the documented order: venue rules, duplicate, max size, fat finger, rate', () => {
    const busy = { acceptedTimes: Array.from({ length: 100 }, () => 9_999), knownClientOrderIds: new Set(['cid-1']) };
    expect(denial({ qty: 0 }, busy)?.code).toBe('qty-off-lot');
    expect(denial({ qty: 20_000 }, busy)?.code).toBe('duplicate-client-id');
    expect(denial({ qty: 20_000 }, { ...busy, knownClientOrderIds: new Set() })?.code).toBe('max-order-qty');
    expect(denial({ qty: 51 }, { ...busy, knownClientOrderIds: new Set() })?.code).toBe(
      'large-order-confirmation-missing',
    );
    expect(denial({ qty: 1 }, { ...busy, knownClientOrderIds: new Set() })?.code).toBe('rate-limited');
  });
});

describe('pre-trade properties', () => {
  it('rate limit: never more than N accepted in any window of 1 s', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 400, size: 'max' }),
        fc.integer({ min: 1, max: 20 }),
        (gaps, max) => {
          const config = parsePreTradeConfig({ maxOrdersPerWindow: max });
          const accepted: number[] = [];
          let now = 0;
          for (const g of gaps) {
            now += g;
            if (checkRateLimit(now, accepted, config) === null) accepted.push(now);
          }
          // every window [s, s + 1000) starting at an accepted time holds at most max
          for (let i = 0; i < accepted.length; i++) {
            let j = i;
            while (j < accepted.length && (accepted[j] as number) < (accepted[i] as number) + 1000) j++;
            if (!(j - i <= max)) expect(j - i).toBeLessThanOrEqual(max); // per window: expect only on a mismatch
          }
          // and the limiter is not stricter than needed: a denied time had max accepted in its window
          now = 0;
          const replay: number[] = [];
          for (const g of gaps) {
            now += g;
            const inWindow = replay.filter((t) => t > now - 1000).length;
            if (inWindow < max) replay.push(now);
          }
          expect(replay).toEqual(accepted);
        },
      ),
      RUNS,
    );
  });

  it('fat finger: above the soft limit without large-order is denied; above the hard limit needs both', () => {
    const confs = fc.subarray(['large-order', 'hard-limit'] as Confirmation[]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        confs,
        (qty, price, confirmations) => {
          const o = order({ qty, limitPrice: price });
          const d = checkFatFinger(o, AAPL, DEFAULT_PRE_TRADE_CONFIG, price, confirmations);
          const cents = qty * price; // notional in cents (AAPL units)
          const aboveSoft = cents > 500_000 || qty > 1_000;
          const aboveHard = cents > 1_000_000;
          const hasLarge = confirmations.includes('large-order');
          const hasHard = confirmations.includes('hard-limit');
          if (aboveSoft && !hasLarge) expect(d?.code).toBe('large-order-confirmation-missing');
          else if (aboveHard && !hasHard) expect(d?.code).toBe('hard-limit-confirmation-missing');
          else expect(d).toBeNull();
          const r = preTradeCheck(
            o,
            ctx({ confirmations, config: parsePreTradeConfig({ maxOrderNotional: '1000000000' }) }),
          );
          if (r.ok && aboveSoft)
            expect(r.audit?.confirmations).toEqual(aboveHard ? ['large-order', 'hard-limit'] : ['large-order']);
          if (r.ok && !aboveSoft) expect(r.audit).toBeNull();
          if (aboveHard && !(hasLarge && hasHard)) expect(r.ok).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it('fat finger limits in quote currency are exact on a fine grid (BTCUSDT)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1_000_000, max: 20_000_000 }),
        (qty, price) => {
          // units are 1e-7 USDT: 5,000 USDT = 5e10 units
          const o = order({ symbol: symbol('BTCUSDT'), qty, limitPrice: price });
          const d = checkFatFinger(o, BTC, DEFAULT_PRE_TRADE_CONFIG, price, []);
          const above = BigInt(qty) * BigInt(price) > 50_000_000_000n || qty > 100_000_000;
          expect(d !== null).toBe(above);
        },
      ),
      RUNS,
    );
  });
});
