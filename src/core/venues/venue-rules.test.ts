import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveClientOrderId } from '../model/client-order-id.ts';
import { makeInstrument } from '../model/instrument.ts';
import { ORDER_TYPES, TIMES_IN_FORCE } from '../model/order.ts';
import { ALPACA_EQUITIES } from './alpaca-equities.ts';
import { BINANCE_SPOT } from './binance-spot.ts';
import {
  ALWAYS_OPEN,
  defaultInstrument,
  isValidClientId,
  NYSE_HOURS,
  orderShapeRefusal,
  refusal,
  REFUSAL_CLASSES,
  REFUSAL_REASONS,
  venueIds,
  venueRules,
  type RefusalReason,
  type VenueId,
  type VenueRules,
} from './index.ts';
import { defineVenueRules } from './venue-rules.ts';

const ALL = venueIds().map((id) => venueRules(id));

describe('venueRules', () => {
  it('looks venues up by id and refuses an unknown one', () => {
    expect(venueRules('binance-spot')).toBe(BINANCE_SPOT);
    expect(venueRules('alpaca-equities')).toBe(ALPACA_EQUITIES);
    expect(() => venueRules('nasdaq')).toThrow(/unknown venue "nasdaq" \(known: binance-spot, alpaca-equities\)/);
  });

  it('freezes the rules, so no caller can change a venue for everyone', () => {
    for (const rules of ALL) {
      expect(Object.isFrozen(rules)).toBe(true);
      expect(Object.isFrozen(rules.errors)).toBe(true);
      expect(Object.isFrozen(rules.instruments[0])).toBe(true);
    }
    expect(() => {
      (BINANCE_SPOT as { clientIdMaxLength: number }).clientIdMaxLength = 99;
    }).toThrow(TypeError);
  });

  it('has the hours and closed-market behaviour of each venue', () => {
    expect(BINANCE_SPOT.hours).toBe(ALWAYS_OPEN);
    expect(BINANCE_SPOT.whenClosed).toBe('reject');
    expect(ALPACA_EQUITIES.hours).toBe(NYSE_HOURS);
    expect(ALPACA_EQUITIES.whenClosed).toBe('queue-until-open');
  });
});

describe('client order ids', () => {
  it('Binance: at most 36 of [A-Za-z0-9_-], unique among open orders', () => {
    expect(BINANCE_SPOT.clientIdUniqueness).toBe('open-orders');
    expect(isValidClientId(BINANCE_SPOT, 'a'.repeat(36))).toBe(true);
    expect(isValidClientId(BINANCE_SPOT, 'a'.repeat(37))).toBe(false);
    expect(isValidClientId(BINANCE_SPOT, 'x-Slice_07')).toBe(true);
    expect(isValidClientId(BINANCE_SPOT, '')).toBe(false);
    for (const bad of ['a.b', 'a:b', 'a/b', 'a b', 'é', 'a\nb'])
      expect(isValidClientId(BINANCE_SPOT, bad), bad).toBe(false);
  });

  it('Alpaca: at most 128 printable characters, never reused', () => {
    expect(ALPACA_EQUITIES.clientIdUniqueness).toBe('all-orders');
    expect(isValidClientId(ALPACA_EQUITIES, 'a'.repeat(128))).toBe(true);
    expect(isValidClientId(ALPACA_EQUITIES, 'a'.repeat(129))).toBe(false);
    expect(isValidClientId(ALPACA_EQUITIES, 'twap:AAPL/2024-08-07.3')).toBe(true);
    expect(isValidClientId(ALPACA_EQUITIES, '')).toBe(false);
    expect(isValidClientId(ALPACA_EQUITIES, 'a b')).toBe(false);
  });

  it('accepts every id we derive at the venue limit, and the check is stateless', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL),
        fc.string({ maxLength: 20, size: 'max' }),
        fc.nat(),
        fc.nat({ max: 1000 }),
        (rules, parentId, qty, sliceNum) => {
          const id = deriveClientOrderId(
            { parentId, symbol: 'SYM', side: 'buy', qty, tradeDate: '2024-08-07', sliceNum },
            rules.clientIdMaxLength,
          );
          expect(isValidClientId(rules, id)).toBe(true);
          expect(isValidClientId(rules, id)).toBe(true);
        },
      ),
    );
  });
});

describe('order types and times in force', () => {
  it('Binance: no DAY; market and stop take no time in force', () => {
    expect(orderShapeRefusal(BINANCE_SPOT, 'limit', 'DAY')).toBe('unsupported-tif');
    expect(orderShapeRefusal(BINANCE_SPOT, 'stop_limit', 'DAY')).toBe('unsupported-tif');
    for (const tif of ['GTC', 'IOC', 'FOK'] as const) expect(orderShapeRefusal(BINANCE_SPOT, 'limit', tif)).toBeNull();
    for (const tif of TIMES_IN_FORCE) {
      expect(orderShapeRefusal(BINANCE_SPOT, 'market', tif)).toBeNull();
      expect(orderShapeRefusal(BINANCE_SPOT, 'stop', tif)).toBeNull();
    }
    expect(BINANCE_SPOT.orderTypes.market?.timesInForce).toBe('not-sent');
    expect(BINANCE_SPOT.postOnly).toEqual({ supported: true, how: expect.stringContaining('LIMIT_MAKER') });
  });

  it('Alpaca: every type and time in force of our model; fractional quantities DAY only', () => {
    for (const type of ORDER_TYPES) {
      for (const tif of TIMES_IN_FORCE) expect(orderShapeRefusal(ALPACA_EQUITIES, type, tif)).toBeNull();
      expect(orderShapeRefusal(ALPACA_EQUITIES, type, 'DAY', { fractional: true })).toBeNull();
      expect(orderShapeRefusal(ALPACA_EQUITIES, type, 'GTC', { fractional: true })).toBe('fractional-tif');
    }
    expect(ALPACA_EQUITIES.postOnly.supported).toBe(false);
  });

  it('refuses an order type the venue does not list', () => {
    const noStops = defineVenueRules({
      ...BINANCE_SPOT,
      orderTypes: { limit: { venueType: 'LIMIT', timesInForce: ['GTC'] } },
    });
    expect(orderShapeRefusal(noStops, 'stop', 'GTC')).toBe('unsupported-order-type');
  });
});

describe('default instruments', () => {
  it('Binance BTCUSDT: tick 0.01, step 0.00001, min notional 5 (50,000,000 notional units)', () => {
    const spec = defaultInstrument(BINANCE_SPOT, 'BTCUSDT');
    expect(spec).toEqual({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
    expect(makeInstrument(spec).minNotionalUnits).toBe(50_000_000);
  });

  it('Alpaca AAPL and SPY: tick 0.01, whole shares, min notional 1', () => {
    for (const symbol of ['AAPL', 'SPY']) {
      expect(defaultInstrument(ALPACA_EQUITIES, symbol)).toEqual({
        symbol,
        tickSize: '0.01',
        lotSize: '1',
        minNotional: '1',
      });
    }
    expect(ALPACA_EQUITIES.fractional?.lotSize).toBe('0.000000001');
    expect(() => defaultInstrument(ALPACA_EQUITIES, 'BTCUSDT')).toThrow(
      /no default instrument "BTCUSDT" \(known: AAPL, SPY\)/,
    );
  });

  it('every default instrument is a valid InstrumentSpec', () => {
    for (const rules of ALL) for (const spec of rules.instruments) expect(() => makeInstrument(spec)).not.toThrow();
  });
});

describe('refusal', () => {
  const binance: Array<[Parameters<typeof refusal>[1], string, string, number]> = [
    ['duplicate-client-id', '-2010', 'Duplicate order sent.', 400],
    ['unknown-order', '-2013', 'Order does not exist.', 400],
    ['cancel-unknown-order', '-2011', 'Unknown order sent.', 400],
    ['price-off-tick', '-1013', 'Filter failure: PRICE_FILTER', 400],
    ['qty-off-lot', '-1013', 'Filter failure: LOT_SIZE', 400],
    ['below-min-notional', '-1013', 'Filter failure: NOTIONAL', 400],
    ['insufficient-balance', '-2010', 'Account has insufficient balance for requested action.', 400],
    ['market-closed', '-1013', 'Market is closed.', 400],
    ['unsupported-tif', '-1115', 'Invalid timeInForce.', 400],
    ['unsupported-order-type', '-1116', 'Invalid orderType.', 400],
    ['post-only-would-take', '-2010', 'Order would immediately match and take.', 400],
  ];
  it.each(binance)('Binance %s -> %s %s', (reason, code, message, httpStatus) => {
    expect(refusal(BINANCE_SPOT, reason)).toEqual({ code, message, httpStatus, failure: REFUSAL_CLASSES[reason] });
  });

  it('Binance rate limit: HTTP 429, -1003, with the weight limit filled in', () => {
    expect(refusal(BINANCE_SPOT, 'rate-limited')).toEqual({
      code: '-1003',
      httpStatus: 429,
      failure: 'transient',
      message:
        'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. ' +
        'Please use WebSocket Streams for live updates to avoid polling the API.',
    });
    expect(refusal(BINANCE_SPOT, 'rate-limited', { limit: '1200' }).message).toContain('limit is 1200 request weight');
  });

  it('Binance invalid client id keeps the regex braces verbatim', () => {
    expect(refusal(BINANCE_SPOT, 'invalid-client-id').message).toBe(
      "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    );
  });

  const alpaca: Array<[Parameters<typeof refusal>[1], string, string, number]> = [
    ['duplicate-client-id', '40010001', 'client_order_id must be unique', 422],
    ['unknown-order', '40410000', 'order not found', 404],
    ['cancel-unknown-order', '40410000', 'order not found', 404],
    ['insufficient-balance', '40310000', 'insufficient buying power', 403],
    ['rate-limited', '42910000', 'too many requests', 429],
    ['fractional-tif', '42210000', 'fractional orders must be DAY orders', 422],
  ];
  it.each(alpaca)('Alpaca %s -> %s %s', (reason, code, message, httpStatus) => {
    expect(refusal(ALPACA_EQUITIES, reason)).toEqual({ code, message, httpStatus, failure: REFUSAL_CLASSES[reason] });
  });

  it('Alpaca fills in the price, symbol and quantities its messages carry', () => {
    expect(refusal(ALPACA_EQUITIES, 'price-off-tick', { price: '150.123' })).toEqual({
      code: '42210000',
      httpStatus: 422,
      failure: 'reject',
      message: 'invalid limit_price 150.123. sub-penny increment does not fulfill minimum pricing criteria',
    });
    expect(refusal(ALPACA_EQUITIES, 'price-off-tick', { field: 'stop_price', price: '9.001' }).message).toMatch(
      /^invalid stop_price 9\.001\./,
    );
    expect(refusal(ALPACA_EQUITIES, 'qty-off-lot', { symbol: 'AAPL' })).toEqual({
      code: '40310000',
      httpStatus: 403,
      failure: 'reject',
      message: 'asset "AAPL" is not fractionable',
    });
    expect(refusal(ALPACA_EQUITIES, 'insufficient-position', { requested: '10', available: '3' }).message).toBe(
      'insufficient qty available for order (requested: 10, available: 3)',
    );
  });

  it('throws when a message value is missing, or the venue cannot refuse that way', () => {
    expect(() => refusal(ALPACA_EQUITIES, 'price-off-tick')).toThrow(/needs a value for \{price\}/);
    expect(() => refusal(ALPACA_EQUITIES, 'post-only-would-take')).toThrow(
      /alpaca-equities has no refusal for "post-only-would-take"/,
    );
    expect(() => refusal(ALPACA_EQUITIES, 'post-only-would-take')).toThrow(/no refusal/);
    expect(() => refusal(BINANCE_SPOT, 'fractional-tif')).toThrow(/binance-spot has no refusal/);
  });

  it('covers every reason a venue can produce, each with a source and a 4xx status', () => {
    const expectedMissing: Record<VenueId, string[]> = {
      // Binance answers a cancel of a done order as of an unknown one (-2011 Unknown order sent.).
      'binance-spot': ['cancel-finished-order', 'fractional-tif'],
      // Alpaca takes no post-only orders (refused as unsupported-order-type first).
      'alpaca-equities': ['post-only-would-take'],
    };
    for (const rules of ALL) {
      const missing = REFUSAL_REASONS.filter((r) => rules.errors[r] === undefined);
      expect(missing, rules.id).toEqual(expectedMissing[rules.id]);
      for (const entry of Object.values(rules.errors)) {
        expect(entry.source.length).toBeGreaterThan(0);
        expect(entry.httpStatus >= 400 && entry.httpStatus < 500).toBe(true);
      }
      // Every message renders with the values the simulated venue fills in.
      const vars = { price: '1', symbol: 'X', field: 'price', requested: '5', available: '0', status: 'filled' };
      for (const reason of REFUSAL_REASONS.filter((r) => rules.errors[r] !== undefined))
        expect(refusal(rules, reason, vars).message, `${rules.id} ${reason}`).not.toMatch(/\{[a-z]+\}/);
    }
  });
});

describe('defineVenueRules', () => {
  const base: VenueRules = { ...BINANCE_SPOT, errors: {} };
  it('refuses an unanchored or stateful client id pattern, an empty TIF list and no instruments', () => {
    expect(() => defineVenueRules({ ...base, clientIdPattern: /[a-z]+/ })).toThrow(/anchored/);
    expect(() => defineVenueRules({ ...base, clientIdPattern: /^[a-z]+$/g })).toThrow(/g or y flag/);
    expect(() =>
      defineVenueRules({ ...base, orderTypes: { limit: { venueType: 'LIMIT', timesInForce: [] } } }),
    ).toThrow(/limit lists no time in force/);
    expect(() => defineVenueRules({ ...base, instruments: [] })).toThrow(/no default instrument/);
  });

  it('refuses an error entry with a non-error HTTP status', () => {
    const entry = { httpStatus: 200, code: '0', message: 'ok', confidence: 'unverified', source: 'test' } as const;
    expect(() => defineVenueRules({ ...base, errors: { 'rate-limited': entry } })).toThrow(/HTTP status 200/);
  });
});

describe('refusal classes', () => {
  it('every refusal reason has a failure class, and refusal() states it', () => {
    for (const reason of REFUSAL_REASONS) expect(REFUSAL_CLASSES[reason]).toBeDefined();
    for (const rules of [BINANCE_SPOT, ALPACA_EQUITIES])
      for (const reason of Object.keys(rules.errors) as RefusalReason[])
        expect(
          refusal(rules, reason, {
            price: '1',
            symbol: 'X',
            field: 'price',
            limit: '1',
            interval: 'm',
            id: 'i',
            available: '1',
            requested: '2',
            status: 'filled',
          }).failure,
        ).toBe(REFUSAL_CLASSES[reason]);
    expect(REFUSAL_CLASSES['rate-limited']).toBe('transient');
    expect(REFUSAL_CLASSES['cancel-unknown-order']).toBe('not_found');
    expect(REFUSAL_CLASSES['cancel-finished-order']).toBe('not_cancelable');
    expect(REFUSAL_CLASSES['unknown-order']).toBe('not_found');
  });
});
