// The live venue registry: what each registered venue declares, and the refusal of a venue with
// no paper adapter or no such venue at all.
import { describe, expect, it } from 'vitest';
import { venueIds } from '../core/venues/index.ts';
import { ALPACA_LIVE_VENUE } from './alpaca/alpaca-venue.ts';
import type { LiveVenueEntry } from './venue-entry.ts';
import { LIVE_VENUES, paperRefusal, VenueRegistry } from './venue-registry.ts';

const fake = (name: LiveVenueEntry['name'], keys: readonly string[]): LiveVenueEntry => ({
  name,
  label: 'Fake',
  keys,
  urlEnv: 'FAKE_URL',
  paperUrl: 'https://paper.fake.example',
  load: () => Promise.reject(new Error('not loaded in this test')),
});

describe('the registered live venues', () => {
  it('each names a venue with rules, reads at least one key and has an https paper endpoint', () => {
    expect(LIVE_VENUES.names()).toEqual(['alpaca-equities', 'binance-spot']);
    for (const e of LIVE_VENUES.entries) {
      expect(venueIds()).toContain(e.name);
      expect(e.keys.length).toBeGreaterThan(0);
      expect(new URL(e.paperUrl).protocol).toBe('https:');
    }
    expect(LIVE_VENUES.get('alpaca-equities')?.keys).toEqual(['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY']);
    expect(LIVE_VENUES.get('binance-spot')?.keys).toEqual(['BINANCE_API_KEY', 'BINANCE_API_SECRET']);
  });

  it("binance-spot's paper venues: Demo Mode by default, the testnet by name, both https", () => {
    const binance = LIVE_VENUES.get('binance-spot');
    expect(binance?.paperUrl).toBe('https://demo-api.binance.com');
    expect(binance?.endpoints).toEqual({
      demo: 'https://demo-api.binance.com',
      testnet: 'https://testnet.binance.vision',
    });
  });

  it('a scenario on a venue without a paper adapter, or on no venue at all, is refused naming it', () => {
    expect(paperRefusal({ venue: { name: 'alpaca-equities' } })).toBeNull();
    expect(paperRefusal({ venue: { name: 'binance-spot' } })).toBeNull();
    expect(new VenueRegistry([ALPACA_LIVE_VENUE]).refusal('binance-spot')).toBe(
      'venue.name: binance-spot has no paper adapter yet; paper runs trade on alpaca-equities',
    );
    expect(paperRefusal({ venue: { name: 'nasdaq' } })).toBe(
      'venue.name: unknown venue "nasdaq"; paper runs trade on alpaca-equities, binance-spot',
    );
    expect(new VenueRegistry([]).refusal('alpaca-equities')).toMatch(/paper runs trade on none$/);
  });

  it('a venue registered twice is refused when the registry is built', () => {
    const e = fake('binance-spot', ['K']);
    expect(() => new VenueRegistry([e, e])).toThrow('live venue "binance-spot" is registered twice');
  });

  it('a venue registered later is found until its registration is undone, and only its own undo takes it away', () => {
    const registry = new VenueRegistry([ALPACA_LIVE_VENUE]);
    const e = fake('binance-spot', ['K']);
    const undo = registry.register(e);
    expect(registry.get('binance-spot')).toBe(e);
    expect(registry.names()).toEqual(['alpaca-equities', 'binance-spot']);
    expect(registry.refusal('binance-spot')).toBeNull();
    expect(() => registry.register(e)).toThrow('live venue "binance-spot" is registered twice');
    undo();
    expect(registry.get('binance-spot')).toBeUndefined();
    const again = registry.register(e);
    undo(); // the first registration's undo, run late: the second stays
    expect(registry.get('binance-spot')).toBe(e);
    again();
    expect(registry.entries).toEqual([ALPACA_LIVE_VENUE]);
  });
});
