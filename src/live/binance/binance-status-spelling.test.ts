import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILL_STATUSES } from '../../core/fills/fill-status.ts';
import { canonicalSpelling, normalizeStatus, statusOfSpelling } from './binance-status-spelling.ts';

describe("Binance's status spellings", () => {
  it.each([
    ['NEW', 'new'],
    ['PENDING_NEW', 'new'],
    ['PARTIALLY_FILLED', 'partially_filled'],
    ['FILLED', 'filled'],
    ['CANCELED', 'canceled'],
    ['PENDING_CANCEL', 'pending_change'],
    ['REJECTED', 'rejected'],
    ['EXPIRED', 'expired'],
    ['EXPIRED_IN_MATCH', 'expired'],
    // ccxt's unified statuses
    ['open', 'new'],
    ['canceled', 'canceled'],
    ['expired', 'expired'],
    ['rejected', 'rejected'],
    // any case, separators and surrounding space
    ['Filled', 'filled'],
    ['partially filled', 'partially_filled'],
    ['Partially-Filled', 'partially_filled'],
    ['PartiallyFilled', 'partially_filled'],
    ['  filled\n', 'filled'],
  ])('%j -> %s', (raw, status) => {
    expect(normalizeStatus(raw)).toBe(status);
  });

  it.each([
    'closed',
    // other venues' words, which Binance never sends: read by the fills, never as done
    'fill',
    'partial_fill',
    'cancelled',
    'done_for_day',
    'replaced',
    'accepted',
    'calculated',
    'suspended',
    'done',
    'completed',
    'FILLEDX',
    'fil',
    'unfilled',
    'not filled',
    '',
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
  ])('%j is unknown, never guessed', (raw) => {
    expect(normalizeStatus(raw)).toBe('unknown');
  });

  it.each([null, undefined, 4, true, { status: 'filled' }, ['filled'], Symbol('filled')])(
    'non-string %s is unknown',
    (raw) => {
      expect(normalizeStatus(raw)).toBe('unknown');
    },
  );

  it('is total and lands in the enum for any input, never throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        expect(FILL_STATUSES).toContain(normalizeStatus(raw));
      }),
      { numRuns: 500 },
    );
  });

  it('reads a spelling as filled only if it canonicalises to a listed fill spelling', () => {
    const fills = new Set(['filled']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[ \t]*(?:F|f)(?:ill|ILL|illed|ILLED)?(?:[ _-]?[A-Za-z]{0,8})[ \t]*$/),
        ),
        (raw) => {
          if (normalizeStatus(raw) === 'filled') expect(fills.has(canonicalSpelling(raw))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ignores case, separators and surrounding space', () => {
    const sep = fc.constantFrom(' ', '_', '-', '  ', '.');
    fc.assert(
      fc.property(
        fc.constantFrom('partially', 'PARTIALLY', 'Partially'),
        sep,
        fc.constantFrom('filled', 'FILLED', 'Filled'),
        fc.constantFrom('', ' ', '\t'),
        (a, s, b, pad) => {
          expect(normalizeStatus(`${pad}${a}${s}${b}${pad}`)).toBe('partially_filled');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('remembering spellings read before changes no answer (any order, any repeats, past its bound)', () => {
    const listed = ['filled', 'partially_filled', 'new', 'pending_cancel', 'canceled', 'expired', 'submitted'];
    const spelling = fc.oneof(
      fc.constantFrom(...listed),
      fc
        .tuple(fc.constantFrom(...listed), fc.constantFrom('', ' ', '-', '.', '__'), fc.boolean())
        .map(([s, sep, upper]) => (upper ? s.toUpperCase() : s).replaceAll('_', sep || '_')),
      fc.string({ maxLength: 70, size: 'max' }),
    );
    fc.assert(
      fc.property(fc.array(spelling, { maxLength: 400, size: 'max' }), (raws) => {
        for (const raw of [...raws, ...raws]) expect(normalizeStatus(raw)).toBe(statusOfSpelling(raw));
      }),
    );
  });
});
