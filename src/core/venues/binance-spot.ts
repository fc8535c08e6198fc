// Binance spot as data: error codes and HTTP statuses, client id rules, order types and time in
// force, and the BTCUSDT filters, each taken from Binance's documentation or its API's answers.
// The source of each: docs/0069-core-and-simulator-notes.md.
import { ALWAYS_OPEN } from './nyse-calendar.ts';
import { defineVenueRules, type VenueErrorEntry, type VenueRules } from './venue-rules.ts';

const ERRORS_MD = 'binance-spot-api-docs errors.md';

const rejected = (
  code: string,
  message: string,
  confidence: VenueErrorEntry['confidence'],
  source: string,
): VenueErrorEntry => ({
  httpStatus: 400,
  code,
  message,
  confidence,
  source,
});

export const BINANCE_SPOT: VenueRules = defineVenueRules({
  id: 'binance-spot',
  displayName: 'Binance Spot',
  clientIdMaxLength: 36,
  clientIdPattern: /^[a-zA-Z0-9_-]{1,36}$/,
  clientIdUniqueness: 'open-orders',
  // allOrders `startTime`/`endTime` compare the order's creation `time`.
  ordersSinceBy: 'submitted',
  orderTypes: {
    market: { venueType: 'MARKET', timesInForce: 'not-sent' },
    limit: { venueType: 'LIMIT', timesInForce: ['GTC', 'IOC', 'FOK'] },
    stop: { venueType: 'STOP_LOSS', timesInForce: 'not-sent' },
    stop_limit: { venueType: 'STOP_LOSS_LIMIT', timesInForce: ['GTC', 'IOC', 'FOK'] },
  },
  postOnly: { supported: true, how: 'order type LIMIT_MAKER; rejected when it would immediately match' },
  fractional: null,
  hours: ALWAYS_OPEN,
  whenClosed: 'reject',
  instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' }],
  errors: {
    'duplicate-client-id': rejected('-2010', 'Duplicate order sent.', 'documented', `${ERRORS_MD}, -2010 messages`),
    'invalid-client-id': rejected(
      '-1100',
      "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
      'observed',
      'binance-spot-api-docs PR #34 (Binance reply, 2021); nautilus_trader issue #383',
    ),
    'unknown-order': rejected('-2013', 'Order does not exist.', 'documented', `${ERRORS_MD}, -2013 NO_SUCH_ORDER`),
    'cancel-unknown-order': rejected('-2011', 'Unknown order sent.', 'documented', `${ERRORS_MD}, -2011 messages`),
    'price-off-tick': rejected('-1013', 'Filter failure: PRICE_FILTER', 'documented', `${ERRORS_MD}, filter failures`),
    'unknown-symbol': rejected('-1121', 'Invalid symbol.', 'documented', `${ERRORS_MD}, -1121`),
    'qty-off-lot': rejected('-1013', 'Filter failure: LOT_SIZE', 'documented', `${ERRORS_MD}, filter failures`),
    // NOTIONAL replaced MIN_NOTIONAL on BTCUSDT (2023); older symbols may still answer MIN_NOTIONAL.
    'below-min-notional': rejected('-1013', 'Filter failure: NOTIONAL', 'documented', `${ERRORS_MD}, filter failures`),
    'insufficient-balance': rejected(
      '-2010',
      'Account has insufficient balance for requested action.',
      'documented',
      `${ERRORS_MD}, -2010 messages`,
    ),
    'insufficient-position': rejected(
      '-2010',
      'Account has insufficient balance for requested action.',
      'documented',
      `${ERRORS_MD}, -2010 messages (spot: selling base asset you do not hold)`,
    ),
    'rate-limited': {
      httpStatus: 429,
      code: '-1003',
      message:
        'Too much request weight used; current limit is {limit} request weight per {interval}. ' +
        'Please use WebSocket Streams for live updates to avoid polling the API.',
      // exchangeInfo rateLimits: REQUEST_WEIGHT 6000 per 1 MINUTE (since 2023-08).
      defaults: { limit: '6000', interval: '1 MINUTE' },
      confidence: 'documented',
      source: `${ERRORS_MD}, -1003 TOO_MANY_REQUESTS`,
    },
    // errors.md lists "Market is closed." under the -2010/-2011 messages, but the answers quoted
    // for halted or broken symbols carry -1013 (ccxt PR #6570: {"code":-1013,"msg":"Market is
    // closed."}; PumpBot issue #46). We send what the venue was seen to send.
    'market-closed': rejected('-1013', 'Market is closed.', 'observed', 'ccxt PR #6570; fj317/PumpBot issue #46'),
    'unsupported-order-type': rejected(
      '-1116',
      'Invalid orderType.',
      'documented',
      `${ERRORS_MD}, -1116 INVALID_ORDER_TYPE`,
    ),
    'unsupported-tif': rejected('-1115', 'Invalid timeInForce.', 'documented', `${ERRORS_MD}, -1115 INVALID_TIF`),
    'post-only-would-take': rejected(
      '-2010',
      'Order would immediately match and take.',
      'documented',
      `${ERRORS_MD}, -2010 messages (LIMIT_MAKER)`,
    ),
  },
});
