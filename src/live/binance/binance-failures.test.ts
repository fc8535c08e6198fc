// The failure table against ccxt's own mapping: each Binance answer goes through the real ccxt
// Binance class's handleErrors / handleHttpStatusCode (the code every REST call runs), and the
// exception it raises is read by the table. Transport failures are ccxt's real classes too.
import ccxt, { NetworkError, RequestTimeout } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { REFUSAL_CLASSES, type RefusalReason } from '../../core/venues/venue-rules.ts';
import { BINANCE_SPOT } from '../../core/venues/binance-spot.ts';
import {
  binanceFailure,
  CCXT_FAILURES,
  failureText,
  readFailure,
  refusalCode,
  refusalReason,
} from './binance-failures.ts';

const exchange = new ccxt.binance({ options: { defaultType: 'spot' } });
const URL = 'https://demo-api.binance.com/api/v3/order';

/** What ccxt raises for a Binance answer with this status and body. */
function raised(status: number, body: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  try {
    exchange.handleErrors(status, '', URL, 'POST', {}, body, parsed, {}, '');
    exchange.handleHttpStatusCode(status, 'Status', URL, 'POST', body);
  } catch (err) {
    return err;
  }
  throw new Error(`ccxt raised nothing for ${status} ${body}`);
}

const answer = (code: number, msg: string) => JSON.stringify({ code, msg });

describe('the ccxt failure table', () => {
  it.each([
    [400, answer(-2010, 'Duplicate order sent.'), 'reject', 'validation'],
    [400, answer(-2010, 'Account has insufficient balance for requested action.'), 'reject', 'refused'],
    [400, answer(-1013, 'Filter failure: LOT_SIZE'), 'reject', 'validation'],
    [400, answer(-1013, 'Filter failure: NOTIONAL'), 'reject', 'validation'],
    [400, answer(-2010, 'Order would immediately match and take.'), 'reject', 'validation'],
    [400, answer(-1100, "Illegal characters found in parameter 'newClientOrderId'."), 'reject', 'validation'],
    [401, answer(-2015, 'Invalid API-key, IP, or permissions for action.'), 'reject', 'refused'],
    [400, answer(-1022, 'Signature for this request is not valid.'), 'reject', 'refused'],
    [400, answer(-2013, 'Order does not exist.'), 'not_found', 'refused'],
    [400, answer(-2011, 'Unknown order sent.'), 'not_found', 'refused'],
    [429, answer(-1003, 'Too much request weight used.'), 'transient', 'rate_limit'],
    [418, answer(-1003, 'Way too much request weight used; IP banned until 1.'), 'transient', 'rate_limit'],
    [400, answer(-1015, 'Too many new orders.'), 'transient', 'rate_limit'],
    [400, answer(-1021, 'Timestamp for this request is outside of the recvWindow.'), 'transient', 'refused'],
    [
      503,
      answer(-1007, 'Timeout waiting for response from backend server. Send status unknown.'),
      'unknown_outcome',
      'timeout',
    ],
    [500, answer(-1006, 'An unexpected response was received from the message bus.'), 'unknown_outcome', 'server'],
    [500, answer(-1001, 'Internal error; unable to process your request.'), 'unknown_outcome', 'server'],
    [502, '<html>Bad Gateway</html>', 'unknown_outcome', 'server'],
    [504, '', 'unknown_outcome', 'timeout'],
    [400, answer(-1013, 'Market is closed.'), 'reject', 'refused'],
  ] as const)('%s %s reads as %s (%s)', (status, body, meaning, category) => {
    const f = binanceFailure(raised(status, body));
    expect({ meaning: f.meaning, category: f.category }).toEqual({ meaning, category });
    expect(f.notSent).toBe(false);
    if (body.startsWith('{')) {
      const sent = JSON.parse(body) as { code: number; msg: string };
      // ccxt matches some messages before codes and then keeps only the message ("binance Market
      // is closed."): the code is Binance's or none, the message always Binance's.
      expect([String(sent.code), '']).toContain(f.code);
      expect(f.message).toBe(sent.msg);
    }
  });

  it('agrees with the venue rules table on every refusal Binance is known to send', () => {
    for (const [reason, entry] of Object.entries(BINANCE_SPOT.errors)) {
      const msg = entry.message.replace(/\{[A-Za-z]+\}/g, (m) => entry.defaults?.[m.slice(1, -1)] ?? 'x');
      const f = binanceFailure(raised(entry.httpStatus, answer(Number(entry.code), msg)));
      const expected = REFUSAL_CLASSES[reason as RefusalReason];
      expect({ reason, meaning: f.meaning }).toEqual({ reason, meaning: expected });
      expect(refusalReason(BINANCE_SPOT, f)).toBe(
        // Two reasons share Binance's -2010 text for a balance: the table reads the first.
        reason === 'insufficient-position' ? 'insufficient-balance' : reason,
      );
      // The report's code is Binance's, also where ccxt kept only the message.
      expect({ reason, code: refusalCode(BINANCE_SPOT, f) }).toEqual({ reason, code: entry.code });
    }
  });

  it("a refusal ccxt read by its message alone still carries Binance's code", () => {
    const f = binanceFailure(raised(400, answer(-2010, 'Order would immediately match and take.')));
    expect(f.code).toBe(''); // ccxt's message table matched first and dropped the code
    expect(refusalCode(BINANCE_SPOT, f)).toBe('-2010');
    // A message the rules table does not know keeps the class's name.
    expect(refusalCode(BINANCE_SPOT, { ...f, message: 'Some refusal nobody listed.' })).toBe('InvalidOrder');
  });

  it('a timeout, a dropped connection and a refused connection: unknown, unknown, and never sent', () => {
    const timeout = binanceFailure(new RequestTimeout(`binance POST ${URL} request timed out (10000 ms)`));
    expect(timeout).toMatchObject({ meaning: 'unknown_outcome', category: 'timeout', notSent: false });
    const reset = binanceFailure(new NetworkError(`binance POST ${URL} fetch failed: read ECONNRESET`));
    expect(reset).toMatchObject({ meaning: 'unknown_outcome', category: 'network', notSent: false });
    const refused = binanceFailure(
      new NetworkError(`binance POST ${URL} fetch failed: connect ECONNREFUSED 127.0.0.1:9`),
    );
    expect(refused).toMatchObject({ meaning: 'unknown_outcome', notSent: true });
  });

  it('anything that is not a ccxt error is of unknown outcome, and a read of it is retried', () => {
    const f = binanceFailure(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(f).toMatchObject({ meaning: 'unknown_outcome', category: 'unrecognised', error: 'TypeError' });
    expect(readFailure(f)).toEqual({ failure: 'transient', category: 'unrecognised' });
    expect(readFailure(binanceFailure(raised(401, answer(-2015, 'Invalid API-key.'))))).toEqual({
      failure: 'reject',
      category: 'refused',
    });
  });

  it('reads subclasses before their parents, so no row is hidden by an earlier one', () => {
    CCXT_FAILURES.forEach((r, i) => {
      for (const earlier of CCXT_FAILURES.slice(0, i))
        expect(r.error.prototype instanceof earlier.error, `${r.name} after ${earlier.name}`).toBe(false);
    });
  });

  it('text for people carries the code and the message', () => {
    expect(failureText(binanceFailure(raised(400, answer(-2010, 'Duplicate order sent.'))))).toBe(
      '-2010 Duplicate order sent.',
    );
    expect(failureText(binanceFailure(new RequestTimeout('binance request timed out')))).toBe(
      'RequestTimeout request timed out',
    );
  });
});
