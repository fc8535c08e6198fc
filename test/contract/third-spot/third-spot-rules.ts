// A third venue's rules, written in test code: a spot venue unlike the other two where it can be
// (its own error codes and messages, client ids never reused, post-only orders, no stop orders).
// It is no real venue: it shows that a venue joins by its rules and registrations alone.
import { ALWAYS_OPEN } from '../../../src/core/venues/nyse-calendar.ts';
import { defineVenueRules, type VenueErrorEntry, type VenueRules } from '../../../src/core/venues/venue-rules.ts';

const refused = (httpStatus: number, code: string, message: string): VenueErrorEntry => ({
  httpStatus,
  code,
  message,
  confidence: 'unverified',
  source: 'a venue made up for the test that registers it (test/contract/third-spot/)',
});

export const THIRD_SPOT: VenueRules = defineVenueRules({
  id: 'third-spot',
  displayName: 'Third Spot',
  clientIdMaxLength: 40,
  clientIdPattern: /^[A-Za-z0-9_-]{1,40}$/,
  clientIdUniqueness: 'all-orders',
  ordersSinceBy: 'updated',
  orderTypes: {
    market: { venueType: 'mkt', timesInForce: 'not-sent' },
    limit: { venueType: 'lmt', timesInForce: ['GTC', 'IOC', 'FOK'] },
  },
  postOnly: { supported: true, how: 'flag maker_only; refused when it would take' },
  fractional: null,
  hours: ALWAYS_OPEN,
  whenClosed: 'reject',
  instruments: [{ symbol: 'ETHUSD', tickSize: '0.01', lotSize: '0.001', minNotional: '10' }],
  errors: {
    'duplicate-client-id': refused(409, 'T-DUP', 'client id was used before'),
    'invalid-client-id': refused(400, 'T-CID', 'client id must be 1 to 40 letters, digits, _ or -'),
    'unknown-order': refused(404, 'T-NOORD', 'no such order'),
    'cancel-unknown-order': refused(404, 'T-NOORD', 'no such order'),
    'cancel-finished-order': refused(409, 'T-DONE', 'order is finished'),
    'price-off-tick': refused(400, 'T-TICK', 'price off the tick grid'),
    'qty-off-lot': refused(400, 'T-LOT', 'quantity off the lot grid'),
    'below-min-notional': refused(400, 'T-MIN', 'order value below the minimum'),
    'insufficient-balance': refused(400, 'T-FUNDS', 'not enough funds'),
    'insufficient-position': refused(400, 'T-POS', 'not enough held'),
    'rate-limited': refused(429, 'T-RATE', 'slow down'),
    'market-closed': refused(400, 'T-CLOSED', 'market closed'),
    'unsupported-order-type': refused(400, 'T-TYPE', 'order type not offered'),
    'unsupported-tif': refused(400, 'T-TIF', 'time in force not offered'),
    'post-only-would-take': refused(400, 'T-MAKER', 'maker_only order would take'),
    'unknown-symbol': refused(400, 'T-SYM', 'unknown symbol'),
  },
});
