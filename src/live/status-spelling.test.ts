import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILL_STATUS_OF, type ObservedStatus } from '../core/fills/fill-status.ts';
import { canonicalSpelling, normalizeStatus, statusOfSpelling, VENUE_STATUSES } from './status-spelling.ts';

describe('venue status spellings', () => {
  it('read our own status names as core reads them (fill-status.ts)', () => {
    for (const [ours, fill] of Object.entries(FILL_STATUS_OF))
      expect(normalizeStatus(ours as ObservedStatus)).toBe(fill);
  });

  it.each([
    ['filled', 'filled'],
    ['fill', 'filled'],
    ['FILLED', 'filled'],
    ['Filled', 'filled'],
    ['partially_filled', 'partially_filled'],
    ['PARTIALLY_FILLED', 'partially_filled'],
    ['partial', 'partially_filled'],
    ['partially filled', 'partially_filled'],
    ['Partially-Filled', 'partially_filled'],
    ['PartiallyFilled', 'partially_filled'],
    ['partial_fill', 'partially_filled'],
    ['new', 'new'],
    ['NEW', 'new'],
    ['accepted', 'new'],
    ['pending_new', 'new'],
    ['PENDING_NEW', 'new'],
    ['held', 'new'],
    ['pending_cancel', 'pending_change'],
    ['PENDING_CANCEL', 'pending_change'],
    ['pending_replace', 'pending_change'],
    ['canceled', 'canceled'],
    ['cancelled', 'canceled'],
    ['CANCELED', 'canceled'],
    ['Cancelled', 'canceled'],
    ['expired', 'expired'],
    ['EXPIRED', 'expired'],
    ['EXPIRED_IN_MATCH', 'expired'],
    ['rejected', 'rejected'],
    ['REJECTED', 'rejected'],
    ['done_for_day', 'done_for_day'],
    ['DONE_FOR_DAY', 'done_for_day'],
    ['replaced', 'replaced'],
    ['  filled\n', 'filled'],
  ])('%j -> %s', (raw, status) => {
    expect(normalizeStatus(raw)).toBe(status);
  });

  it.each([
    'closed',
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
        expect(VENUE_STATUSES).toContain(normalizeStatus(raw));
      }),
      { numRuns: 500 },
    );
  });

  it('reads a spelling as filled only if it canonicalises to a listed fill spelling', () => {
    const fills = new Set(['filled', 'fill', 'fully_filled']);
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
      fc.string({ maxLength: 70 }),
    );
    fc.assert(
      fc.property(fc.array(spelling, { maxLength: 400 }), (raws) => {
        for (const raw of [...raws, ...raws]) expect(normalizeStatus(raw)).toBe(statusOfSpelling(raw));
      }),
    );
  });
});
