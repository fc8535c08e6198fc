// The Alpaca adapter's tables and conversions, without a network: every Alpaca order status and
// trade_updates event has a decision; every refusal in the rules table maps back to its class;
// amounts convert exactly (or round where the port needs whole ticks); the market recorder keeps
// bounded memory and never counts a trade twice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trading } from '@alpacahq/alpaca-trade-api';
import {
  ALPACA_ORDER_STATUSES,
  ALPACA_TRADE_EVENTS,
  ourStatus,
  tradeEventAction,
} from '../../src/live/alpaca/alpaca-statuses.ts';
import { fractionalTicksOf, lotsOf, orderRow, plainDecimal, ticksOf } from '../../src/live/alpaca/alpaca-convert.ts';
import { readFailure, redactor, refusalReason, wireFailure } from '../../src/live/alpaca/alpaca-failures.ts';
import { alpacaEndpoints } from '../../src/live/alpaca/alpaca-sdk.ts';
import { MarketRecorder } from '../../src/live/market-recorder.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { ALPACA_EQUITIES } from '../../src/core/venues/alpaca-equities.ts';
import { REFUSAL_CLASSES, refusal, type RefusalReason } from '../../src/core/venues/venue-rules.ts';

const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });

describe('Alpaca status table', () => {
  it('decides every status of the SDK enum, and nothing the enum does not have', () => {
    const sdk = Object.values(trading.OrderStatus).sort();
    expect(Object.keys(ALPACA_ORDER_STATUSES).sort()).toEqual(sdk);
  });

  it('reads open statuses by the quantities, finished ones as they are', () => {
    const table: Array<[string, number, number, string]> = [
      ['accepted', 10, 0, 'new'],
      ['new', 10, 0, 'new'],
      ['pending_new', 10, 0, 'new'],
      ['partially_filled', 10, 4, 'partially_filled'],
      ['pending_cancel', 10, 4, 'partially_filled'],
      ['pending_cancel', 10, 0, 'new'],
      ['done_for_day', 10, 3, 'partially_filled'],
      ['calculated', 10, 10, 'filled'],
      ['calculated', 10, 6, 'partially_filled'],
      ['filled', 10, 10, 'filled'],
      ['canceled', 10, 4, 'canceled'],
      ['replaced', 10, 0, 'canceled'],
      ['expired', 10, 0, 'expired'],
      ['rejected', 10, 0, 'rejected'],
      ['some_new_word', 10, 2, 'partially_filled'], // unknown: open, never done
    ];
    for (const [alpaca, qty, filled, ours] of table)
      expect([alpaca, ourStatus(alpaca, qty, filled)]).toEqual([alpaca, ours]);
  });

  it('decides every trade_updates event Alpaca documents', () => {
    const documented = [
      'new',
      'fill',
      'partial_fill',
      'canceled',
      'expired',
      'done_for_day',
      'replaced',
      'rejected',
      'pending_new',
      'stopped',
      'pending_cancel',
      'pending_replace',
      'calculated',
      'suspended',
      'order_replace_rejected',
      'order_cancel_rejected',
    ];
    expect(Object.keys(ALPACA_TRADE_EVENTS).sort()).toEqual([...documented].sort());
    expect(['fill', 'partial_fill'].map(tradeEventAction)).toEqual(['fill', 'fill']);
    expect(tradeEventAction('canceled')).toBe('cancel');
    expect(tradeEventAction('expired')).toBe('expire');
    expect(tradeEventAction('rejected')).toBe('reject');
    expect(tradeEventAction('something_else')).toBe('ignore');
  });
});

describe('refusals back to their class', () => {
  it('every refusal of the rules table, as Alpaca sends it, maps to a reason of the same class', () => {
    for (const reason of Object.keys(ALPACA_EQUITIES.errors) as RefusalReason[]) {
      const r = refusal(ALPACA_EQUITIES, reason, { symbol: 'AAPL', requested: '5', available: '0', price: '1.234' });
      const mapped = refusalReason(ALPACA_EQUITIES, {
        httpStatus: r.httpStatus,
        code: r.code,
        message: r.message,
        noAnswer: false,
        notSent: false,
      });
      expect(mapped, reason).not.toBeNull();
      expect(REFUSAL_CLASSES[mapped as RefusalReason], reason).toBe(r.failure);
    }
  });

  it('tells apart reasons that share a code by their message', () => {
    const f = (message: string) => ({ httpStatus: 422, code: '40010001', message, noAnswer: false, notSent: false });
    expect(refusalReason(ALPACA_EQUITIES, f('client_order_id must be unique'))).toBe('duplicate-client-id');
    expect(refusalReason(ALPACA_EQUITIES, f('client_order_id must be no more than 128 characters'))).toBe(
      'invalid-client-id',
    );
    const forbidden = { httpStatus: 403, code: '40310000', noAnswer: false, notSent: false };
    expect(refusalReason(ALPACA_EQUITIES, { ...forbidden, message: 'insufficient buying power' })).toBe(
      'insufficient-balance',
    );
    expect(
      refusalReason(ALPACA_EQUITIES, {
        ...forbidden,
        message: 'insufficient qty available for order (requested: 9, available: 0)',
      }),
    ).toBe('insufficient-position');
    // A 429 without Alpaca's body code is still a rate limit; a 401 is none of the table's.
    expect(refusalReason(ALPACA_EQUITIES, { httpStatus: 429, message: '', noAnswer: false, notSent: false })).toBe(
      'rate-limited',
    );
    expect(
      refusalReason(ALPACA_EQUITIES, {
        httpStatus: 401,
        code: '40110000',
        message: 'x',
        noAnswer: false,
        notSent: false,
      }),
    ).toBeNull();
  });

  it('reads transport failures from the error chain and classifies failed reads', () => {
    const reset = wireFailure(
      Object.assign(new Error('The request failed'), {
        cause: Object.assign(new TypeError('fetch failed'), {
          cause: { code: 'ECONNRESET', message: 'other side closed' },
        }),
      }),
    );
    expect(reset).toMatchObject({ code: 'ECONNRESET', noAnswer: true, notSent: false });
    expect(readFailure(reset)).toMatchObject({ failure: 'transient', category: 'network' });
    const refused = wireFailure({ message: 'x', cause: { code: 'ECONNREFUSED' } });
    expect(refused.notSent).toBe(true);
    const timeout = wireFailure({
      message: 'The request was aborted',
      cause: new DOMException('Request timed out after 200 ms', 'TimeoutError'),
    });
    expect(readFailure(timeout)).toMatchObject({ failure: 'transient', category: 'timeout' });
    expect(
      readFailure(wireFailure({ status: 401, code: 40110000, message: 'request is not authorized' })),
    ).toMatchObject({ failure: 'reject', category: 'refused' });
    expect(readFailure(wireFailure({ status: 503, message: 'service unavailable' }))).toMatchObject({
      failure: 'transient',
      category: 'server',
    });
  });

  it('redacts the keys wherever they appear', () => {
    const scrub = redactor(['KEYID123', 'secret-xyz']);
    expect(scrub('auth failed for KEYID123 with secret-xyz / KEYID123')).toBe(
      'auth failed for [redacted] with [redacted] / [redacted]',
    );
  });
});

describe('amounts and orders', () => {
  it('converts decimals exactly, exponent notation included, and rounds off-grid prices to a tick', () => {
    expect(plainDecimal('1e-7')).toBe('0.0000001');
    expect(plainDecimal(187.5)).toBe('187.5');
    expect(plainDecimal('-12')).toBe('-12');
    expect(plainDecimal('abc')).toBeNull();
    expect(ticksOf(AAPL, '187.5')).toBe(18750);
    expect(ticksOf(AAPL, '187.4999')).toBe(18750);
    expect(fractionalTicksOf(AAPL, '187.5667')).toBeCloseTo(18756.67, 6);
    expect(lotsOf(AAPL, '-30')).toBe(-30);
  });

  it('an Order object as a full state: cumulative fills and average in fractional ticks', () => {
    const row = orderRow(
      AAPL,
      {
        id: 'v-1',
        client_order_id: 'c-1',
        symbol: 'AAPL',
        status: 'partially_filled',
        side: 'sell',
        qty: '30',
        filled_qty: '10',
        filled_avg_price: '187.505',
        limit_price: '187.5',
        updated_at: '2024-08-09T14:00:01.500Z',
      },
      'lookup',
    );
    expect(row).toEqual({
      clientOrderId: 'c-1',
      venueOrderId: 'v-1',
      status: 'partially_filled',
      qty: 30,
      filledQty: 10,
      avgPrice: 18750.5,
      updatedAt: Date.parse('2024-08-09T14:00:01.500Z'),
      source: 'lookup',
      side: 'sell',
      limitPrice: 18750,
    });
    expect(orderRow(AAPL, { id: 'v', client_order_id: 'c', notional: '500', qty: null }, 'lookup')).toBeNull();
  });

  it('derives the stream URLs from the base URL', () => {
    expect(alpacaEndpoints()).toEqual({
      baseUrl: 'https://paper-api.alpaca.markets',
      tradeStreamUrl: 'wss://paper-api.alpaca.markets/stream',
      dataStreamUrl: 'wss://stream.data.alpaca.markets/v2/iex',
      rewrite: false,
    });
    expect(alpacaEndpoints('http://127.0.0.1:4567/')).toEqual({
      baseUrl: 'http://127.0.0.1:4567',
      tradeStreamUrl: 'ws://127.0.0.1:4567/stream',
      dataStreamUrl: 'ws://127.0.0.1:4567/v2/iex',
      rewrite: true,
    });
    expect(() => alpacaEndpoints('ftp://x')).toThrow(/must be http or https/);
  });
});

describe('MarketRecorder', () => {
  it('summing tradesSince in any chunks counts every trade once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.integer({ min: 1, max: 1e6 }), qty: fc.integer({ min: 1, max: 1000 }) }), {
          maxLength: 60,
          size: 'max',
        }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 10 }),
        (trades, cuts) => {
          const rec = new MarketRecorder();
          let cursor = 0;
          let volume = 0;
          let count = 0;
          const cutAt = new Set(cuts);
          trades.forEach((t, i) => {
            rec.trade(1000 + i, t.price, t.qty);
            if (cutAt.has(i)) {
              const s = rec.tradesSince(cursor);
              cursor = s.cursor;
              volume += s.volume;
              count += s.trades;
            }
          });
          const s = rec.tradesSince(cursor);
          expect(count + s.trades).toBe(trades.length);
          expect(volume + s.volume).toBe(trades.reduce((a, t) => a + t.qty, 0));
          expect(s.last).toBe(trades.length > 0 ? (trades[trades.length - 1]?.price ?? null) : null);
        },
      ),
    );
  });

  it('keeps only the retained time range and at most maxEntries, and windows over what it kept', () => {
    const rec = new MarketRecorder({ retainMs: 1000, maxEntries: 3 });
    rec.quote(0, { bid: 100, bidQty: 1, ask: 102, askQty: 1 });
    rec.quote(500, { bid: 102, bidQty: 1, ask: 104, askQty: 1 });
    expect(rec.window(0, 1000).twapMid).toBeCloseTo((101 * 500 + 103 * 500) / 1000, 9);
    for (let i = 0; i < 5; i++) rec.trade(600 + i, 100 + i, 1);
    // The three kept trades (102, 103, 104) span their own prices.
    expect(rec.tradesSince(0)).toMatchObject({ cursor: 5, trades: 3, volume: 3, last: 104, high: 104, low: 102 });
    rec.trade(5000, 200, 2);
    // Everything before 4000 is gone; the cursor still counts the whole tape.
    expect(rec.tradesSince(0)).toMatchObject({ cursor: 6, trades: 1, volume: 2, high: 200, low: 200 });
    expect(rec.tradesSince(6)).toMatchObject({ cursor: 6, trades: 0, volume: 0, high: null, low: null });
    expect(rec.window(0, 1000).volume).toBe(0);
    expect(rec.topOfBook()).toEqual({ bid: 102, bidQty: 1, ask: 104, askQty: 1 });
    expect(rec.lastUpdateAt()).toBe(5000);
  });
});
