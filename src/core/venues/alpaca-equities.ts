// Alpaca US equities as data. Alpaca answers errors as HTTP status + JSON {"code", "message"};
// `code` here is the body code (40010001, 40310000, ...), the HTTP status is beside it. What each
// rule rests on is noted beside it (an error's in its `source`); entries marked 'unverified' are
// our best reading: check them against the paper API.
import { NYSE_HOURS } from './nyse-calendar.ts';
import { defineVenueRules, type VenueRules } from './venue-rules.ts';

// Alpaca's times in force for equities are day, gtc, opg, cls, ioc and fok (as listed in May 2026);
// our model has DAY, GTC, IOC and FOK, all accepted for market, limit, stop and stop_limit.
const TIFS = ['DAY', 'GTC', 'IOC', 'FOK'] as const;

export const ALPACA_EQUITIES: VenueRules = defineVenueRules({
  id: 'alpaca-equities',
  displayName: 'Alpaca US Equities',
  // Alpaca documents only "<= 128 characters", and that an id may never be reused ("client_order_id
  // must be unique", also after the order is done: the 'duplicate-client-id' error below). The
  // character set is ours: printable ASCII without spaces, a safe subset.
  clientIdMaxLength: 128,
  clientIdPattern: /^[\x21-\x7E]{1,128}$/,
  clientIdUniqueness: 'all-orders',
  // GET /v2/orders `after`/`until` compare submitted_at.
  ordersSinceBy: 'submitted',
  orderTypes: {
    market: { venueType: 'market', timesInForce: TIFS },
    limit: { venueType: 'limit', timesInForce: TIFS },
    stop: { venueType: 'stop', timesInForce: TIFS },
    stop_limit: { venueType: 'stop_limit', timesInForce: TIFS },
  },
  // No post-only order at Alpaca.
  postOnly: { supported: false },
  // Fractional quantities: DAY only, and only market/limit/stop/stop_limit (422 "fractional
  // orders must be DAY orders", code 42210000: the 'fractional-tif' error below).
  fractional: { lotSize: '0.000000001', orderTypes: ['market', 'limit', 'stop', 'stop_limit'], timesInForce: ['DAY'] },
  // The NYSE regular session. Alpaca accepts orders while closed and holds them for the next
  // session (extended hours are not modelled), so being closed is no 'market-closed' refusal.
  hours: NYSE_HOURS,
  whenClosed: 'queue-until-open',
  // Tick 0.01 (prices >= $1), whole shares. Minimum notional 1 USD is Alpaca's floor for
  // fractional/notional orders; a whole-share order of a >= $1 stock always clears it.
  instruments: [
    { symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' },
    { symbol: 'SPY', tickSize: '0.01', lotSize: '1', minNotional: '1' },
  ],
  errors: {
    'duplicate-client-id': {
      httpStatus: 422,
      code: '40010001',
      message: 'client_order_id must be unique',
      confidence: 'observed',
      source: 'alpaca-py issue #260; public Alpaca client tests quoting {"code":40010001,...}',
    },
    'invalid-client-id': {
      httpStatus: 422,
      code: '40010001',
      message: 'client_order_id must be no more than 128 characters',
      confidence: 'unverified',
      source: 'status and code follow Alpaca validation errors; message text not seen',
    },
    'unknown-order': {
      httpStatus: 404,
      code: '40410000',
      message: 'order not found',
      confidence: 'unverified',
      source:
        'Alpaca docs: 404 when the order is not found; code 40410000 seen in public client fakes, text not confirmed',
    },
    'cancel-unknown-order': {
      httpStatus: 404,
      code: '40410000',
      message: 'order not found',
      confidence: 'unverified',
      source: 'Alpaca docs: DELETE /v2/orders/{id} answers 404 for an unknown order; text not confirmed',
    },
    'price-off-tick': {
      httpStatus: 422,
      code: '42210000',
      message: 'invalid {field} {price}. sub-penny increment does not fulfill minimum pricing criteria',
      defaults: { field: 'limit_price' },
      confidence: 'observed',
      source: 'alpaca-trade-api-go issue #260 (HTTP 422, Code 42210000); alpaca-trade-api-csharp issue #497',
    },
    'unknown-symbol': {
      httpStatus: 422,
      code: '40010001',
      message: 'asset "{symbol}" not found',
      confidence: 'unverified',
      source: 'status and code follow Alpaca validation errors; message text not seen',
    },
    'qty-off-lot': {
      httpStatus: 403,
      code: '40310000',
      message: 'asset "{symbol}" is not fractionable',
      confidence: 'observed',
      source: 'quoted verbatim in public Alpaca adapter tests; applies to a whole-share-only asset',
    },
    'below-min-notional': {
      httpStatus: 403,
      code: '40310000',
      message: 'cost basis must be >= 1',
      confidence: 'unverified',
      source: 'ccxt PR #30103 notes 40310000 also carries min-notional rejections; exact text not seen',
    },
    'insufficient-balance': {
      httpStatus: 403,
      code: '40310000',
      message: 'insufficient buying power',
      confidence: 'observed',
      source: 'alpaca-py issue #225 ({"code":40310000,"message":"insufficient buying power",...})',
    },
    'insufficient-position': {
      httpStatus: 403,
      code: '40310000',
      message: 'insufficient qty available for order (requested: {requested}, available: {available})',
      confidence: 'observed',
      source: 'alpacahq/Alpaca-API issue #111',
    },
    'market-closed': {
      httpStatus: 403,
      code: '40310000',
      message: 'asset is not tradable: trading is halted',
      confidence: 'unverified',
      source: 'execsim: the answer to an order during a halt (no documented text)',
    },
    'unsupported-order-type': {
      httpStatus: 422,
      code: '42210000',
      message: 'order type or parameters not supported',
      confidence: 'unverified',
      source: 'execsim: an order the venue refuses as malformed (no documented text)',
    },
    'unsupported-tif': {
      httpStatus: 422,
      code: '42210000',
      message: 'invalid time_in_force',
      confidence: 'unverified',
      source: 'execsim: a time in force the venue does not take (no documented text)',
    },
    'rate-limited': {
      httpStatus: 429,
      code: '42910000',
      message: 'too many requests',
      confidence: 'unverified',
      source: 'Alpaca docs promise only HTTP 429; body as used in public client test fixtures',
    },
    'fractional-tif': {
      httpStatus: 422,
      code: '42210000',
      message: 'fractional orders must be DAY orders',
      confidence: 'observed',
      source: 'quoted with code 42210000 in several public Alpaca trading repos',
    },
    // Last among the 42210000 answers: an unrecognised 42210000 text maps to the first one (a
    // submit's refusal), never to this cancel's.
    'cancel-finished-order': {
      httpStatus: 422,
      code: '42210000',
      message: 'order is already in "{status}" state',
      defaults: { status: 'filled' },
      confidence: 'documented',
      source: 'Alpaca docs: DELETE /v2/orders/{id} answers 422 when the order is no longer cancelable',
    },
  },
});
