// The registry of venue rules: the registered venues in order, a venue registered later found by
// every lookup until its registration is undone, and one id never registered twice.
import { describe, expect, it } from 'vitest';
import { BINANCE_SPOT } from './binance-spot.ts';
import { REGISTERED_VENUE_RULES } from './registered-venue-rules.ts';
import { isVenueId, registerVenueRules, venueIds, venueRules } from './venue-registry.ts';
import { defineVenueRules } from './venue-rules.ts';

const another = defineVenueRules({ ...BINANCE_SPOT, id: 'another-spot', displayName: 'Another spot' });

describe('the venue registry', () => {
  it('holds the registered venues, in the order messages list them', () => {
    expect(venueIds()).toEqual(REGISTERED_VENUE_RULES.map((r) => r.id));
    expect(venueIds()).toEqual(['binance-spot', 'alpaca-equities']);
    for (const rules of REGISTERED_VENUE_RULES) expect(venueRules(rules.id)).toBe(rules);
  });

  it('finds a venue registered later until its registration is undone', () => {
    expect(isVenueId('another-spot')).toBe(false);
    const undo = registerVenueRules(another);
    try {
      expect(isVenueId('another-spot')).toBe(true);
      expect(venueRules('another-spot')).toBe(another);
      expect(venueIds()).toEqual(['binance-spot', 'alpaca-equities', 'another-spot']);
    } finally {
      undo();
    }
    expect(isVenueId('another-spot')).toBe(false);
    expect(() => venueRules('another-spot')).toThrow(
      'unknown venue "another-spot" (known: binance-spot, alpaca-equities)',
    );
  });

  it('refuses an id registered twice, and an undo takes away only its own registration', () => {
    expect(() => registerVenueRules(BINANCE_SPOT)).toThrow('venue "binance-spot" is registered twice');
    const undo = registerVenueRules(another);
    undo();
    const again = registerVenueRules(another);
    undo(); // the first registration's undo, run late: the second stays
    expect(isVenueId('another-spot')).toBe(true);
    again();
    expect(venueRules('binance-spot')).toBe(BINANCE_SPOT);
  });
});
