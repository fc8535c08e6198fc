import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyError, type ErrorInfo } from './alpaca-error-classifier.ts';

const RUNS = { numRuns: 500 };

describe('classifyError (Alpaca)', () => {
  it.each<[ErrorInfo, string, string]>([
    [{ httpStatus: 429, code: 42910000, message: 'rate limit exceeded' }, 'transient', 'rate_limit'],
    [{ httpStatus: 429 }, 'transient', 'rate_limit'],
    [{ code: '42910000' }, 'transient', 'rate_limit'], // the body code alone: HTTP 429
    [{ httpStatus: 418 }, 'transient', 'rate_limit'],
    [{ message: 'too many requests' }, 'transient', 'rate_limit'],
    [{ httpStatus: 500 }, 'transient', 'server'],
    [{ httpStatus: 502, message: 'Bad Gateway' }, 'transient', 'server'],
    [{ httpStatus: 503 }, 'transient', 'server'],
    [{ httpStatus: 504 }, 'transient', 'timeout'],
    [{ httpStatus: 408 }, 'transient', 'timeout'],
    [{ code: '50010000', message: 'internal server error' }, 'transient', 'server'],
    [{ code: 'TIMEOUTERROR', message: 'The operation was aborted due to timeout' }, 'transient', 'timeout'],
    [{ code: 'UND_ERR_SOCKET' }, 'transient', 'network'],
    [{ code: 'ECONNRESET' }, 'transient', 'network'],
    [{ code: 'econnrefused' }, 'transient', 'network'],
    [{ code: 'ETIMEDOUT' }, 'transient', 'timeout'],
    [{ code: 'EAI_AGAIN' }, 'transient', 'network'],
    [{ message: 'socket hang up' }, 'transient', 'network'],
    [{ message: 'request timed out after 10000 ms' }, 'transient', 'timeout'],
    [{ message: 'Rate limit exceeded' }, 'transient', 'rate_limit'],
    [{}, 'transient', 'unrecognised'],
    [{ message: 'something odd happened' }, 'transient', 'unrecognised'],
    [{ httpStatus: 400, code: 40010001, message: 'qty must be > 0' }, 'permanent', 'validation'],
    [{ httpStatus: 404, code: 40410000, message: 'asset not found' }, 'transient', 'unknown_order'],
    [{ code: '40110000', message: 'request is not authorized' }, 'permanent', 'refused'],
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
      classifyError({ httpStatus: 404, code: 40410000, message: 'order not found', lookupsNotFound: 1 }),
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
    expect(classifyError({ code: '40410000' })).toMatchObject({
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
    expect(classifyError({ httpStatus: 429, code: 42910000 }).reason).toBe('rate limited: HTTP 429 42910000');
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
        fc.constantFrom('ECONNRESET', '42910000', '40410000', 'ETIMEDOUT', 40310000),
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
          fc.pre(rest.httpStatus !== 404 && !/^404\d{5}$/.test(String(rest.code).trim()));
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
        const a = classifyError({ code: 40410000, lookupsNotFound: lookups }, { unknownOrderAfterLookups: limit });
        const b = classifyError({ code: 40410000, lookupsNotFound: lookups + 1 }, { unknownOrderAfterLookups: limit });
        expect(a.kind).toBe(Math.max(1, lookups) >= limit ? 'permanent' : 'transient');
        if (a.kind === 'permanent') expect(b.kind).toBe('permanent');
      }),
      RUNS,
    );
  });
});
