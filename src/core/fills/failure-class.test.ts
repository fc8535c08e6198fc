// Fill detection's reading of a failed query: the adapter's class decides, whatever the text.
import { describe, expect, it } from 'vitest';
import { FAILURE_CATEGORIES } from '../model/reports.ts';
import { classifyNotFound, classifyQueryFailure } from './failure-class.ts';

describe('classifyQueryFailure', () => {
  it('takes the class from the report, not from its text', () => {
    // Text that reads like a refusal, classed transient by the adapter: transient.
    expect(
      classifyQueryFailure({ failure: 'transient', category: 'server', reason: 'invalid request, forbidden' }),
    ).toMatchObject({ kind: 'transient', category: 'server' });
    // Text that reads like a rate limit, classed reject: permanent.
    expect(
      classifyQueryFailure({ failure: 'reject', category: 'refused', reason: '429 Too Many Requests' }),
    ).toMatchObject({ kind: 'permanent', category: 'refused' });
  });

  it('keeps the venue text in the reason for people, for every category', () => {
    for (const category of FAILURE_CATEGORIES) {
      const c = classifyQueryFailure({ failure: 'transient', category, reason: 'the venue said so' });
      expect(c.reason).toMatch(/: the venue said so$/);
      expect(c.category).toBe(category);
    }
  });
});

describe('classifyNotFound', () => {
  it('is transient until the configured number of lookups in a row found nothing', () => {
    const config = { unknownOrderAfterLookups: 3 };
    expect(classifyNotFound(1, config).kind).toBe('transient');
    expect(classifyNotFound(2, config).kind).toBe('transient');
    expect(classifyNotFound(3, config)).toMatchObject({ kind: 'permanent', category: 'unknown_order' });
    expect(classifyNotFound(Number.NaN, { unknownOrderAfterLookups: 1 }).kind).toBe('permanent');
  });
});
