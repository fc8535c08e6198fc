import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyError, type ErrorInfo } from './error-classifier.ts';

const RUNS = { numRuns: 500 };

describe('classifyError', () => {
  it.each<[ErrorInfo, string, string]>([
    [{ httpStatus: 429, code: -1003, message: 'Too much request weight used' }, 'transient', 'rate_limit'],
    [{ httpStatus: 429 }, 'transient', 'rate_limit'],
    [{ code: '42910000' }, 'transient', 'rate_limit'], // Alpaca body code: HTTP 429
    [{ httpStatus: 418 }, 'transient', 'rate_limit'],
    [{ code: -1015, message: 'Too many new orders.' }, 'transient', 'rate_limit'],
    [{ httpStatus: 500 }, 'transient', 'server'],
    [{ httpStatus: 502, message: 'Bad Gateway' }, 'transient', 'server'],
    [{ httpStatus: 503 }, 'transient', 'server'],
    [{ httpStatus: 504 }, 'transient', 'timeout'],
    [{ httpStatus: 408 }, 'transient', 'timeout'],
    [
      { code: -1001, message: 'Internal error; unable to process your request. Please try again.' },
      'transient',
      'server',
    ],
    [{ code: '-1007', message: 'Timeout waiting for response from backend server.' }, 'transient', 'timeout'],
    [{ code: -1008 }, 'transient', 'server'],
    [{ code: 'ECONNRESET' }, 'transient', 'network'],
    [{ code: 'econnrefused' }, 'transient', 'network'],
    [{ code: 'ETIMEDOUT' }, 'transient', 'timeout'],
    [{ code: 'EAI_AGAIN' }, 'transient', 'network'],
    [{ message: 'socket hang up' }, 'transient', 'network'],
    [{ message: 'request timed out after 10000 ms' }, 'transient', 'timeout'],
    [{ message: 'Rate limit exceeded' }, 'transient', 'rate_limit'],
    [{}, 'transient', 'unrecognised'],
    [{ message: 'something odd happened' }, 'transient', 'unrecognised'],
    [{ httpStatus: 400, code: -1013, message: 'Filter failure: LOT_SIZE' }, 'permanent', 'validation'],
    [
      { httpStatus: 400, code: -2010, message: 'Account has insufficient balance for requested action.' },
      'permanent',
      'validation',
    ],
    [{ code: -1121, message: 'Invalid symbol.' }, 'permanent', 'validation'],
    [{ code: -2010 }, 'permanent', 'refused'],
    [{ code: -1022, message: 'Signature for this request is not valid.' }, 'permanent', 'refused'],
    [{ httpStatus: 422, code: 42210000 }, 'permanent', 'validation'],
    [{ httpStatus: 403, code: '40310000', message: 'insufficient buying power' }, 'permanent', 'refused'],
    [{ httpStatus: 401 }, 'permanent', 'refused'],
    [{ code: '40010001' }, 'permanent', 'validation'],
    [{ message: 'invalid qty' }, 'permanent', 'validation'],
  ])('%j is %s (%s)', (error, kind, category) => {
    expect(classifyError(error)).toMatchObject({ kind, category });
  });

  it('treats an unknown order as transient until it stays unknown for the configured lookups', () => {
    expect(
      classifyError({ httpStatus: 400, code: -2013, message: 'Order does not exist.', lookupsNotFound: 1 }),
    ).toMatchObject({ kind: 'transient', category: 'unknown_order' });
    expect(classifyError({ httpStatus: 404, lookupsNotFound: 2 })).toMatchObject({
      kind: 'transient',
      category: 'unknown_order',
    });
    expect(classifyError({ httpStatus: 404, code: 40410000, lookupsNotFound: 3 })).toMatchObject({
      kind: 'permanent',
      category: 'unknown_order',
    });
    expect(classifyError({ lookupsNotFound: 3 })).toMatchObject({ kind: 'permanent', category: 'unknown_order' });
    expect(classifyError({ code: -2011, message: 'Unknown order sent.' })).toMatchObject({
      kind: 'transient',
      category: 'unknown_order',
    });
    expect(
      classifyError({ message: 'order not found', lookupsNotFound: 1 }, { unknownOrderAfterLookups: 1 }),
    ).toMatchObject({ kind: 'permanent' });
    expect(classifyError({ lookupsNotFound: 9 }, { unknownOrderAfterLookups: 10 }).kind).toBe('transient');
    // A lookup count beside a different error is context, not a not-found.
    expect(classifyError({ httpStatus: 503, lookupsNotFound: 5 })).toMatchObject({
      kind: 'transient',
      category: 'server',
    });
  });

  it('says why, naming what it saw', () => {
    expect(classifyError({ httpStatus: 429, code: -1003 }).reason).toBe('rate limited: HTTP 429 -1003');
    expect(classifyError({ lookupsNotFound: 4 }).reason).toMatch(/still unknown after 4 lookups \(limit 3\)/);
  });

  const anyError: fc.Arbitrary<ErrorInfo> = fc.record(
    {
      httpStatus: fc.oneof(
        fc.integer({ min: 100, max: 599 }),
        fc.integer(),
        fc.constantFrom(Number.NaN, 404, 429, 500),
      ),
      code: fc.oneof(
        fc.string(),
        fc.integer({ min: -3000, max: 0 }),
        fc.constantFrom('ECONNRESET', '-2013', '40410000', 'ETIMEDOUT', -1003),
        fc.integer(),
      ),
      message: fc.oneof(
        fc.string(),
        fc.constantFrom('Order does not exist.', 'socket hang up', 'invalid', 'Too many requests', 'timeout'),
      ),
      lookupsNotFound: fc.oneof(fc.nat({ max: 10 }), fc.integer(), fc.constant(Number.NaN)),
    },
    { requiredKeys: [] },
  );

  it('is total: every input gets a class, a category and a reason, without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyError, fc.constantFrom(null, undefined), fc.anything() as fc.Arbitrary<ErrorInfo>),
        (error) => {
          const c = classifyError(error);
          expect(['transient', 'permanent']).toContain(c.kind);
          expect(c.category).toMatch(
            /^(rate_limit|server|network|timeout|unknown_order|validation|refused|unrecognised)$/,
          );
          expect(c.reason.length).toBeGreaterThan(0);
        },
      ),
      RUNS,
    );
  });

  it('is stable: the same input always gets the same answer', () => {
    fc.assert(
      fc.property(anyError, (error) => {
        expect(classifyError({ ...error })).toEqual(classifyError(error));
      }),
      RUNS,
    );
  });

  it('never turns permanent on a 429, a 5xx or a network code, whatever else it carries', () => {
    fc.assert(
      fc.property(
        anyError,
        fc.constantFrom<ErrorInfo>(
          { httpStatus: 429 },
          { httpStatus: 500 },
          { httpStatus: 503 },
          { code: 'ECONNRESET' },
          { code: 'ETIMEDOUT' },
        ),
        (noise, transient) => {
          const { lookupsNotFound: _l, ...rest } = noise;
          // Not-found answers follow their own rule; keep them out of the noise.
          fc.pre(
            rest.httpStatus !== 404 &&
              !/^-201[13]$/.test(String(rest.code).trim()) &&
              !/^404\d{5}$/.test(String(rest.code).trim()),
          );
          fc.pre(!/unknown order|order does not exist|no such order|order not found/i.test(rest.message ?? ''));
          expect(classifyError({ message: rest.message, ...transient }).kind).toBe('transient');
        },
      ),
      RUNS,
    );
  });

  it('is monotone in lookups: once an unknown order is permanent, more misses keep it permanent', () => {
    fc.assert(
      fc.property(fc.nat({ max: 20 }), fc.integer({ min: 1, max: 10 }), (lookups, limit) => {
        const a = classifyError({ code: -2013, lookupsNotFound: lookups }, { unknownOrderAfterLookups: limit });
        const b = classifyError({ code: -2013, lookupsNotFound: lookups + 1 }, { unknownOrderAfterLookups: limit });
        expect(a.kind).toBe(Math.max(1, lookups) >= limit ? 'permanent' : 'transient');
        if (a.kind === 'permanent') expect(b.kind).toBe('permanent');
      }),
      RUNS,
    );
  });
});
